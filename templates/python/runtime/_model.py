"""Base class of every generated request, response and struct model.

The generated models are plain pydantic v2 classes; what they need beyond pydantic lives here,
driven by the metadata the generator puts in each field's ``json_schema_extra``:

- ``x-style: json`` — the value travels as one JSON string. Requests encode it (so ``tts_param``
  takes a dict); responses decode it into the typed model, repairing the sloppy JSON the service
  is documented to send (full-width commas, trailing commas). A value that still cannot be read
  becomes ``None`` with a ``RuntimeWarning``, never an exception in the middle of a call.
- ``x-required-when`` — a field required only when another one has some value.
- ``x-deprecated`` — setting the field warns with ``DeprecationWarning``; it still works.

``to_query`` gives the wire parameters: unset fields are never sent, booleans are ``true``/``false``
and lists use the repeatList form (``MenuKeyMap.1.Key``).
"""

from __future__ import annotations

import json
import re
import warnings
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, model_validator

from ._pattern import search
from ._signing import flatten, json_value

_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_FULLWIDTH = str.maketrans({"，": ",", "：": ":", "“": '"', "”": '"'})


def loads_tolerant(text: str) -> Any:
    """``json.loads``, and failing that, once more after repairing common slips."""
    try:
        return json.loads(text)
    except ValueError:
        repaired = _TRAILING_COMMA.sub(r"\1", text.translate(_FULLWIDTH))
        return json.loads(repaired)


class Model(BaseModel):
    """Common behaviour of the generated models (see the module docstring)."""

    model_config = ConfigDict(populate_by_name=True, coerce_numbers_to_str=True, loc_by_alias=False)

    __json_fields__: ClassVar[frozenset[str]] = frozenset()
    __json_keys__: ClassVar[frozenset[str]] = frozenset()  # the same fields by alias and by name
    __wire__: ClassVar[tuple[tuple[str, str, bool], ...]] = ()  # (name, wire name, JSON-style)
    __conditions__: ClassVar[tuple[tuple[str, dict[str, Any]], ...]] = ()
    __deprecated_fields__: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        json_fields: set[str] = set()
        json_keys: set[str] = set()
        deprecated: set[str] = set()
        conditions: list[tuple[str, dict[str, Any]]] = []
        wire: list[tuple[str, str, bool]] = []
        for name, field in cls.model_fields.items():
            extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
            is_json = extra.get("x-style") == "json"
            wire.append((name, field.alias or name, is_json))
            if is_json:
                json_fields.add(field.alias or name)
                json_keys.update((field.alias or name, name))
            if extra.get("x-deprecated"):
                deprecated.add(name)
            when = extra.get("x-required-when")
            if isinstance(when, dict) and when.get("enforced", True):
                conditions.append((name, when))
        cls.__json_fields__ = frozenset(json_fields)
        cls.__json_keys__ = frozenset(json_keys)
        cls.__wire__ = tuple(wire)
        cls.__conditions__ = tuple(conditions)
        cls.__deprecated_fields__ = frozenset(deprecated)

    @model_validator(mode="before")
    @classmethod
    def _decode_json_fields(cls, data: Any) -> Any:
        if not cls.__json_keys__ or not isinstance(data, dict):
            return data
        decoded = dict(data)
        for key in cls.__json_keys__.intersection(data):
            value = data[key]
            if not isinstance(value, str):
                continue
            try:
                decoded[key] = loads_tolerant(value) if value.strip() else None
            except ValueError:
                warnings.warn(
                    f"{cls.__name__}.{key}: the JSON text could not be read", RuntimeWarning, stacklevel=2
                )
                decoded[key] = None
        return decoded

    @model_validator(mode="after")
    def _check_conditions(self) -> Model:
        # self.__dict__, not getattr: pydantic warns on every read of a deprecated field.
        for name in sorted(self.__deprecated_fields__):
            if self.__dict__.get(name) is not None:
                warnings.warn(f"{type(self).__name__}.{name} is deprecated", DeprecationWarning, stacklevel=2)
        for name, when in self.__conditions__:
            if self.__dict__.get(name) is not None:
                continue
            other = self.__dict__.get(when["py_name"])
            if other is None:
                continue
            hit = (
                ("equals" in when and other == when["equals"])
                or ("pattern" in when and isinstance(other, str) and search(when["pattern"], other))
                or (when.get("present") is True)
            )
            if hit:
                raise ValueError(f"{name} is required when {when['py_name']} is {other!r}")
        return self

    def to_query(self) -> list[tuple[str, str]]:
        """The request's wire parameters, in declaration order."""
        return flatten(self.wire_data())

    def wire_data(self) -> dict[str, Any]:
        """The set fields by wire name, nested models included, JSON-style fields encoded."""
        data: dict[str, Any] = {}
        values = self.__dict__
        for name, alias, is_json in self.__wire__:
            value = values.get(name)
            if value is None:
                continue
            plain = _plain(value)
            data[alias] = json_value(plain) if is_json else plain
        return data


def _plain(value: Any) -> Any:
    if isinstance(value, Model):
        return value.wire_data()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value

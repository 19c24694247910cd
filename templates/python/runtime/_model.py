"""Base class of every generated request, response and struct model.

The generated models are plain pydantic v2 classes; what they need beyond pydantic lives here,
driven by the metadata the generator puts in each field's ``json_schema_extra``:

- ``x-style: json`` — the value travels as one JSON string. Requests encode it (so ``tts_param``
  takes a dict); responses decode it into the typed model, repairing the sloppy JSON the service
  is documented to send (full-width commas, trailing commas). A value that still cannot be read
  becomes ``None`` with a ``RuntimeWarning``, never an exception in the middle of a call.
- ``x-required-when`` — a field required only when another one has some value.
- ``x-deprecated`` — setting the field warns with ``DeprecationWarning``; it still works.
- ``x-format`` — ``phone-number``, ``epoch-millis``, ``date-time``: ``format_problem`` says what is
  wrong with a value before it is sent (the client calls it), by the service's rule.

A response keeps the fields the service sent that its model does not know (``model_extra``, by
their wire names) and the HTTP answer it was read from (``raw_response``).

``to_query`` gives the wire parameters: unset fields are never sent, booleans are ``true``/``false``
and lists use the repeatList form (``MenuKeyMap.1.Key``).
"""

from __future__ import annotations

import json
import re
import warnings
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, PrivateAttr, model_validator

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

    # extra="allow": a response keeps what it does not know; requests and their structs say "forbid"
    model_config = ConfigDict(
        populate_by_name=True, coerce_numbers_to_str=True, loc_by_alias=False, extra="allow"
    )

    __json_fields__: ClassVar[frozenset[str]] = frozenset()
    __json_keys__: ClassVar[frozenset[str]] = frozenset()  # the same fields by alias and by name
    __wire__: ClassVar[tuple[tuple[str, str, bool], ...]] = ()  # (name, wire name, JSON-style)
    __conditions__: ClassVar[tuple[tuple[str, dict[str, Any]], ...]] = ()
    __deprecated_fields__: ClassVar[frozenset[str]] = frozenset()
    __formats__: ClassVar[tuple[tuple[str, str], ...]] = ()  # (name, x-format)
    _raw_response: Any = PrivateAttr(default=None)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        json_fields: set[str] = set()
        json_keys: set[str] = set()
        deprecated: set[str] = set()
        conditions: list[tuple[str, dict[str, Any]]] = []
        wire: list[tuple[str, str, bool]] = []
        formats: list[tuple[str, str]] = []
        for name, field in cls.model_fields.items():
            extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
            is_json = extra.get("x-style") == "json"
            wire.append((name, field.alias or name, is_json))
            if is_json:
                json_fields.add(field.alias or name)
                json_keys.update((field.alias or name, name))
            if extra.get("x-deprecated"):
                deprecated.add(name)
            if isinstance(extra.get("x-format"), str):
                formats.append((name, str(extra["x-format"])))
            when = extra.get("x-required-when")
            if isinstance(when, dict) and when.get("enforced", True):
                conditions.append((name, when))
        cls.__json_fields__ = frozenset(json_fields)
        cls.__json_keys__ = frozenset(json_keys)
        cls.__wire__ = tuple(wire)
        cls.__conditions__ = tuple(conditions)
        cls.__deprecated_fields__ = frozenset(deprecated)
        cls.__formats__ = tuple(formats)

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

    @property
    def raw_response(self) -> Any:
        """The HTTP answer of a response (``RawResponse``: status, headers, body); None otherwise."""
        return self._raw_response

    def format_problem(self) -> str | None:
        """What is wrong with a field's value by its declared format, nested models included."""
        for name, fmt in self.__formats__:
            value = self.__dict__.get(name)
            for item in value if isinstance(value, list) else [value]:
                if item is not None and (problem := _format_problem(item, fmt)):
                    return f"{name}: {problem}"
        for value in self.__dict__.values():
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, Model) and (problem := item.format_problem()):
                    return problem
        return None

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


PHONE_NUMBER = re.compile(r"[0-9]{5,16}")
"""The service's rule for a phone number: digits only, 5 to 16 of them (a mainland mobile, an area
code and landline number, or a country code and number); no '+', spaces or dashes."""

_DATE_TIME = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?")
_EPOCH_MILLIS = (100_000_000_000, 4_102_444_800_000)  # 1973-03-03 (below: seconds, not ms) … 2100


def _format_problem(value: Any, fmt: str) -> str | None:
    if fmt == "phone-number":
        if not isinstance(value, str) or not PHONE_NUMBER.fullmatch(value):
            return f"{value!r} is not a phone number: digits only, 5 to 16 of them (no '+', spaces or dashes)"
    elif fmt == "epoch-millis":
        low, high = _EPOCH_MILLIS
        if isinstance(value, bool) or not isinstance(value, int):
            return f"{value!r} is not epoch milliseconds: an integer is needed"
        if not low <= value < high:
            hint = " (seconds? multiply by 1000)" if 10**9 <= value < low else ""
            return f"{value} is not epoch milliseconds of a time before 2100{hint}"
    elif fmt == "date-time":
        if not isinstance(value, str) or not _DATE_TIME.fullmatch(value):
            return f"{value!r} is not an ISO 8601 date and time, such as 2026-12-01T10:00:00Z"
    return None

"""Parse stage: check each loaded document against the pydantic mirror of the format.

Takes the ``SpecFiles`` of ``load``; returns the same files as ``*Spec`` objects paired with their
``Document`` (kept for positions). Every pydantic error becomes a diagnostic at the key or value
it concerns: unknown keys (with the closest known key as a hint), missing keys, wrong types.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from generator.frontend.diagnostics import Code, Diagnostic, did_you_mean
from generator.frontend.load import Document, Loc, SpecFiles
from generator.frontend.spec import ActionSpec, ErrorsSpec, ProductSpec

M = TypeVar("M", bound=BaseModel)


@dataclass
class ParsedSpecs:
    product: tuple[ProductSpec, Document] | None
    errors: tuple[ErrorsSpec, Document] | None
    actions: list[tuple[ActionSpec, Document]]


def parse(files: SpecFiles, diagnostics: list[Diagnostic]) -> ParsedSpecs:
    product = _pair(ProductSpec, files.product, diagnostics)
    errors = _pair(ErrorsSpec, files.errors, diagnostics)
    actions = [p for doc in files.actions if (p := _pair(ActionSpec, doc, diagnostics)) is not None]
    return ParsedSpecs(product, errors, actions)


def _pair(model: type[M], doc: Document | None, diagnostics: list[Diagnostic]) -> tuple[M, Document] | None:
    if doc is None:
        return None
    spec = validate(model, doc, diagnostics)
    return (spec, doc) if spec is not None else None


def validate(model: type[M], doc: Document, diagnostics: list[Diagnostic]) -> M | None:
    """``model.model_validate(doc.data)``, with each error turned into a located diagnostic."""
    if not isinstance(doc.data, dict):
        diagnostics.append(
            doc.at(
                (),
                Code.wrong_type,
                f"expected a mapping of keys at the top of the file, got {_describe(doc.data)}",
            )
        )
        return None
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        diagnostics.extend(_diagnostics(model, doc, exc))
        return None


_EXPECTED = {
    "string_type": "a string",
    "int_type": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "bool_type": "true or false",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "list_type": "a list",
}


def _diagnostics(model: type[BaseModel], doc: Document, exc: ValidationError) -> list[Diagnostic]:
    found: dict[tuple[Loc, str], list[ErrorDetails]] = {}
    for err in exc.errors():
        loc = tuple(err["loc"])
        kind = err["type"]
        if kind == "missing":
            key = (loc[:-1] + (str(loc[-1]),), "missing")
        elif kind == "extra_forbidden":
            key = (loc, "extra")
        else:
            key = (_data_loc(doc, loc), "value")
        found.setdefault(key, []).append(err)
    result = []
    for (loc, what), errs in found.items():
        if what == "missing":
            parent, name = loc[:-1], loc[-1]
            where = _dotted(parent) or "the file"
            result.append(
                doc.at(
                    parent,
                    Code.missing_key,
                    f"missing key '{name}' in {where}",
                    key=bool(parent),
                    hint=f"add '{name}:'",
                )
            )
        elif what == "extra":
            allowed = _allowed_keys(model, loc[:-1])
            result.append(
                doc.at(
                    loc,
                    Code.unknown_key,
                    f"unknown key '{loc[-1]}' in {_dotted(loc[:-1]) or 'the file'}",
                    key=True,
                    hint=did_you_mean(str(loc[-1]), allowed) if allowed else None,
                )
            )
        else:
            result.append(_value_error(doc, loc, errs))
    return result


def _value_error(doc: Document, loc: Loc, errs: list[ErrorDetails]) -> Diagnostic:
    value = errs[0]["input"]
    expected = []
    for e in errs:
        noun = _EXPECTED.get(e["type"])
        if noun is None and e["type"] in ("literal_error", "enum"):
            noun = "one of " + str(e.get("ctx", {}).get("expected", ""))
        if noun and noun not in expected:
            expected.append(noun)
    if expected and all(e["type"] in _EXPECTED or e["type"] in ("literal_error", "enum") for e in errs):
        code = Code.wrong_type if any(e["type"] in _EXPECTED for e in errs) else Code.invalid_value
        message = f"{_dotted(loc)}: expected {' or '.join(expected)}, got {_describe(value)}"
        hint = None
        if isinstance(value, (int, float, bool)) and "a string" in expected:
            hint = "put the value in quotes to make it a string"
        return doc.at(loc, code, message, hint=hint)
    return doc.at(loc, Code.invalid_value, f"{_dotted(loc)}: {errs[0]['msg'].lower()}")


def _data_loc(doc: Document, loc: Loc) -> Loc:
    """The longest prefix of a pydantic error location that names a value in the file."""
    best: Loc = ()
    for i in range(1, len(loc) + 1):
        if loc[:i] in doc.values:
            best = loc[:i]
    return best


def _dotted(loc: Loc) -> str:
    return ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in loc).replace(".[", "[")


def _describe(value: Any) -> str:
    match value:
        case None:
            return "nothing"
        case bool():
            return f"the boolean {str(value).lower()}"
        case int() | float():
            return f"the number {value}"
        case str():
            return f"the string '{value}'"
        case list():
            return "a list"
        case dict():
            return "a mapping"
    return type(value).__name__


def _allowed_keys(model: type[BaseModel], loc: Loc) -> list[str]:
    """The keys the format allows in the mapping at ``loc``."""
    current: Any = model
    for part in loc:
        current = _step(current, part)
        if current is None:
            return []
    current = _model_of(current)
    if current is None:
        return []
    return [f.alias or name for name, f in current.model_fields.items()]


def _step(annotation: Any, part: str | int) -> Any:
    model = _model_of(annotation)
    if model is not None:
        for name, f in model.model_fields.items():
            if part in (name, f.alias):
                return f.annotation
        return None
    for arg in _union_args(annotation):
        origin = typing.get_origin(arg)
        if origin is dict:
            return typing.get_args(arg)[1]
        if origin is list:
            return typing.get_args(arg)[0]
    return None


def _union_args(annotation: Any) -> tuple[Any, ...]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return typing.get_args(annotation)
    return (annotation,)


def _model_of(annotation: Any) -> type[BaseModel] | None:
    for arg in _union_args(annotation):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None

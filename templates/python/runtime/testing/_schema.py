"""Reading a request's parameters the way the service does, from the action's JSON Schema.

Every value arrives as text in the query string. :func:`decode` rebuilds the typed request from
the pairs (``MenuKeyMap.1.Key`` lists, ``x-style: json`` values parsed), then checks it against
the schema: required parameters (``x-required-when`` too, where the spec marks it enforced),
types, ranges, lengths, patterns, enums and ``x-format``. It reports problems rather than
raising, so that the caller can answer the way the service would: a gateway error (HTTP 400)
first, a business error (HTTP 200, ``Code`` not ``OK``) only when the gateway had nothing to say.

No value makes it fail instead: integers beyond the 64-bit range (in the query or inside a JSON
value), numbers over ``MAX_DIGITS`` digits, non-finite numbers and JSON nested deeper than
``MAX_JSON_DEPTH`` are invalid values like any other, found without deep recursion.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._pattern import search

__all__ = ["Decoded", "Problem", "decode", "PHONE_NUMBER"]

MAX_DIGITS = 30  # digits of one number; an int64 has 19, a double's 17 significant digits
MAX_JSON_DEPTH = 64  # arrays and objects inside one another in a JSON value

PHONE_NUMBER = re.compile(r"[0-9]{5,16}")
"""What ``x-format: phone-number`` accepts: digits only, 5 to 16 of them (a mainland mobile or
landline number with its area code, or a country code and number)."""

_DATE_TIME = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_INDEX = re.compile(r"[0-9]{1,9}")  # Name.1 ... Name.999999999
_JSON_STRUCTURE = re.compile(r'[][{}"\\]')
_JSON_TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "array": list,
    "object": dict,
}
_INT_RANGE = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
_INT64 = _INT_RANGE["int64"]


def _search(pattern: Any, value: str) -> bool:
    return search(str(pattern), value)


Schema = Mapping[str, Any]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a request: the error code to answer and the parameter at fault."""

    code: str
    parameter: str
    detail: str = ""


@dataclass
class Decoded:
    """The typed parameters of a request, with what was wrong or unknown in it."""

    params: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def _resolve(schema: Schema, root: Schema) -> Schema:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        resolved: Schema = root["$defs"][ref[len("#/$defs/") :]]
        return resolved
    return schema


def request_schema(action_schema: Schema) -> Schema:
    """The request object of an action's schema (its top-level ``$ref``)."""
    return _resolve(action_schema, action_schema)


def _tree(pairs: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """``[("A.1.B", "x")]`` → ``{"A": {"1": {"B": "x"}}}``; the last of repeated names wins."""
    root: dict[str, Any] = {}
    for name, value in pairs:
        node = root
        parts = name.split(".")
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        if not isinstance(node.get(parts[-1]), dict):
            node[parts[-1]] = value
    return root


def decode(action_schema: Schema, pairs: Sequence[tuple[str, str]]) -> Decoded:
    """Rebuild and check the business parameters of one request (common parameters removed)."""
    result = Decoded()
    request = request_schema(action_schema)
    tree = _tree(pairs)
    _object(request, tree, "", action_schema, result, result.params)
    return result


def _object(
    schema: Schema, node: Mapping[str, Any], prefix: str, root: Schema, out: Decoded, into: dict[str, Any]
) -> None:
    properties: Mapping[str, Schema] = schema.get("properties", {})
    out.unknown.extend(prefix + name for name in node if name not in properties)
    for name, prop in properties.items():
        value = node.get(name)
        if value is None or value == "":
            continue
        decoded = _value(_resolve(prop, root), prop, value, prefix + name, root, out)
        into[name] = value if decoded is _INVALID else decoded  # an invalid value is kept as sent
    for name in schema.get("required", []):
        if name not in into:
            out.problems.append(Problem(f"Missing{name}", prefix + name))
    for name, prop in properties.items():
        when = prop.get("x-required-when")
        if name in into or not isinstance(when, Mapping) or not when.get("enforced", True):
            continue
        if _condition_holds(when, into.get(str(when.get("parameter")))):
            out.problems.append(
                Problem(f"Missing{name}", prefix + name, f"required with {when['parameter']}")
            )


def _condition_holds(when: Mapping[str, Any], other: Any) -> bool:
    if other is None:
        return False
    if "equals" in when:
        return bool(other == when["equals"])
    if "pattern" in when:
        return isinstance(other, str) and _search(when["pattern"], other)
    return bool(when.get("present", True))


class _Invalid:
    pass


_INVALID: Any = _Invalid()


def _invalid(prop: Schema, name: str, detail: str, out: Decoded) -> Any:
    out.problems.append(Problem(str(prop.get("x-invalid-error") or "InvalidParameter"), name, detail))
    return _INVALID


def _value(schema: Schema, prop: Schema, value: Any, name: str, root: Schema, out: Decoded) -> Any:
    """One parameter from its query text (or sub-tree, for lists and structs)."""
    if prop.get("x-style") == "json" or schema.get("x-style") == "json":
        if not isinstance(value, str):
            return _invalid(prop, name, "expected one JSON value", out)
        try:
            parsed = _load_json(value)
        except _Unreasonable as unreasonable:
            return _invalid(prop, name, str(unreasonable), out)
        except ValueError:
            return _invalid(prop, name, "not valid JSON", out)
        error = _check_json(schema, parsed, root)
        return _invalid(prop, name, error, out) if error else parsed
    kind = schema.get("type")
    if kind == "array":
        return _array(schema, prop, value, name, root, out)
    if kind == "object":
        if not isinstance(value, dict):
            return _invalid(prop, name, "expected an object", out)
        into: dict[str, Any] = {}
        _object(schema, value, name + ".", root, out, into)
        return into
    if not isinstance(value, str):
        return _invalid(prop, name, "expected a single value", out)
    scalar = _scalar(schema, value)
    if scalar is _INVALID:
        return _invalid(prop, name, f"expected {schema.get('format') or kind}", out)
    error = _constraints(schema, scalar)
    return _invalid(prop, name, error, out) if error else scalar


def _array(schema: Schema, prop: Schema, value: Any, name: str, root: Schema, out: Decoded) -> Any:
    if not isinstance(value, dict) or not all(_INDEX.fullmatch(k) and int(k) >= 1 for k in value):
        return _invalid(prop, name, "expected Name.1, Name.2, ...", out)
    items_schema = _resolve(schema.get("items", {}), root)
    items = []
    for index in sorted(value, key=int):
        item = _value(items_schema, schema.get("items", {}), value[index], f"{name}.{index}", root, out)
        items.append(value[index] if item is _INVALID else item)
    error = _constraints(schema, items)
    return _invalid(prop, name, error, out) if error else items


def _scalar(schema: Schema, text: str) -> Any:
    kind = schema.get("type")
    if kind == "integer":
        if not _INTEGER.fullmatch(text) or len(text.lstrip("+-")) > MAX_DIGITS:
            return _INVALID
        number = int(text)
        low, high = _INT_RANGE.get(str(schema.get("format")), _INT64)
        return number if low <= number <= high else _INVALID
    if kind == "number":
        if not _NUMBER.fullmatch(text):
            return _INVALID
        real = float(text)
        return real if math.isfinite(real) else _INVALID
    if kind == "boolean":
        lowered = text.lower()  # the official SDK sends True/False
        return lowered == "true" if lowered in ("true", "false") else _INVALID
    return text


def _constraints(schema: Schema, value: Any) -> str:
    """What is wrong with a typed value, or ``""``."""
    if "enum" in schema and value not in schema["enum"]:
        return "not one of the allowed values"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            return f"must be at least {schema['minimum']}"
        if "maximum" in schema and value > schema["maximum"]:
            return f"must be at most {schema['maximum']}"
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            return f"must be more than {schema['exclusiveMinimum']}"
        if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
            return f"must be less than {schema['exclusiveMaximum']}"
    if isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            return f"must be at least {schema['minLength']} characters long"
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            return f"must be at most {schema['maxLength']} characters long"
        if "pattern" in schema and not _search(schema["pattern"], value):
            return "does not match the expected pattern"
        fmt = schema.get("x-format")
        if fmt == "phone-number" and not PHONE_NUMBER.fullmatch(value):
            return "not a well-formed phone number"
        if fmt == "date-time" and not _DATE_TIME.fullmatch(value):
            return "not an ISO 8601 date and time"
    if isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            return f"needs at least {schema['minItems']} items"
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            return f"takes at most {schema['maxItems']} items"
    if schema.get("x-format") == "epoch-millis" and isinstance(value, int) and value < 0:
        return "must be epoch milliseconds"
    return ""


class _Unreasonable(ValueError):
    """JSON that is well formed but beyond what a real request holds; its text says why."""


def _load_json(text: str) -> Any:
    """``json.loads`` with numbers and nesting bounded (``_Unreasonable``), never a RecursionError."""
    if text.count("[") + text.count("{") > MAX_JSON_DEPTH and _too_deep(text):
        raise _Unreasonable(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    return json.loads(text, parse_int=_json_int, parse_float=_json_float, parse_constant=_json_constant)


def _too_deep(text: str) -> bool:
    """Whether brackets outside strings nest deeper than ``MAX_JSON_DEPTH``: one pass, no recursion.

    For the part of ``text`` that is valid JSON, the depth counted here is the parser's own.
    """
    depth, in_string, escaped_at = 0, False, -1
    for match in _JSON_STRUCTURE.finditer(text):
        at, char = match.start(), match.group()
        if at == escaped_at:
            continue
        if in_string:
            if char == "\\":
                escaped_at = at + 1
            in_string = char != '"'
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise _Unreasonable(f"a number of more than {MAX_DIGITS} digits")
    number = int(text)
    if not _INT64[0] <= number <= _INT64[1]:
        raise _Unreasonable("an integer beyond the 64-bit range")
    return number


def _json_float(text: str) -> float:
    real = float(text)
    if not math.isfinite(real):
        raise _Unreasonable("a number beyond the double range")
    return real


def _json_constant(text: str) -> float:
    raise _Unreasonable(f"{text} is not a JSON number")


def _check_json(schema: Schema, value: Any, root: Schema) -> str:
    """Whether a decoded JSON value fits the schema (types and constraints, recursively)."""
    schema = _resolve(schema, root)
    kind = schema.get("type")
    expected = _JSON_TYPES.get(str(kind))
    if expected is not None and (
        not isinstance(value, expected) or (isinstance(value, bool) and kind in ("integer", "number"))
    ):
        return f"expected a JSON {kind}"
    if isinstance(value, dict):
        properties: Mapping[str, Schema] = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            sub = properties.get(key, extra if isinstance(extra, Mapping) else None)
            if sub is None and extra is False:
                return f"unexpected key {key!r}"
            error = _check_json(sub, item, root) if isinstance(sub, Mapping) else ""
            if error:
                return error
        missing = [k for k in schema.get("required", []) if k not in value]
        if missing:
            return f"missing key {missing[0]!r}"
    if isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for item in value:
            error = _check_json(schema["items"], item, root)
            if error:
                return error
    return _constraints(schema, value)

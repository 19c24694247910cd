"""Check stage, values: bounds, enum values and examples held to types, constraints and formats.

``bound_problems`` and ``empty_range`` find bounds no value can meet; ``scalar_problem`` and
``constraint_problem`` hold one value (an example, a default, an enum value) to a type and to
constraints, matching patterns with the SDK's engine (patterns.py).

``format_problem`` holds a field's example (or default) to its ``format`` with the rules the
generated emulator applies to requests, so an example request is one the emulator accepts.
``check_response_examples`` holds ``response.examples`` to the declared response: the JSON is one
JSON object of declared fields with values of their types (a ``style: json`` field carries a
JSON string of its type), and the XML is well-formed.
"""

from __future__ import annotations

import datetime
import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any
from xml.etree import ElementTree

from generator.frontend.diagnostics import Code, Diagnostic, did_you_mean
from generator.frontend.load import Document, Loc
from generator.frontend.patterns import matches
from generator.frontend.spec import ActionSpec, ConstraintsSpec, Style
from generator.frontend.types import PRIMITIVES, TypeExpr

# The emulator's rules (templates/python/runtime/testing/_schema.py), fixed and linear-time.
PHONE_NUMBER = re.compile(r"[0-9]{5,16}")
DATE_TIME = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?")
# epoch-millis examples are instants of 2000-01-01T00:00:00Z … 2100-01-01T00:00:00Z (exclusive)
EPOCH_MILLIS = (946_684_800_000, 4_102_444_800_000)
MAX_EXAMPLE = 256 * 1024  # characters of one response example
MAX_SIZE = 2**31 - 1  # the largest length or item count a bound may name
INT_RANGE = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}

Conforms = Callable[[Any, TypeExpr, ConstraintsSpec | None], str | None]

_FORMAT_HINTS = {
    "phone-number": "write digits only, 5 to 16 of them (no '+', spaces or masking '*'); "
    "a made-up number such as 13800000000 will do",
    "epoch-millis": "write milliseconds since 1970-01-01T00:00:00Z as an integer, e.g. 1669032001000 "
    "(a 10-digit value is seconds: multiply by 1000)",
    "date-time": "write an ISO 8601 date and time, e.g. 2022-11-21T12:00:00Z",
}


def format_hint(fmt: str) -> str | None:
    return _FORMAT_HINTS.get(fmt)


def format_problem(value: Any, fmt: str) -> str | None:
    """Why ``value`` is not a well-formed ``fmt``, or None (lists: each item)."""
    if isinstance(value, list):
        for item in value:
            if problem := format_problem(item, fmt):
                return problem
        return None
    if fmt == "phone-number":
        if not isinstance(value, str) or not PHONE_NUMBER.fullmatch(value):
            return f"({value!r}) is not a phone number: digits only, 5 to 16 of them"
    elif fmt == "epoch-millis":
        low, high = EPOCH_MILLIS
        if isinstance(value, bool) or not isinstance(value, int):
            return f"({value!r}) is not epoch milliseconds: an integer is needed"
        if not low <= value < high:
            return f"({value}) is not epoch milliseconds of a time between the years 2000 and 2100"
    elif fmt == "date-time":
        if not isinstance(value, str) or not _is_date_time(value):
            return f"({value!r}) is not an ISO 8601 date and time"
    return None


def _is_date_time(text: str) -> bool:
    if not DATE_TIME.fullmatch(text):
        return False
    try:
        datetime.datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def check_response_examples(
    spec: ActionSpec, doc: Document, types: Mapping[Loc, TypeExpr], conforms: Conforms, out: list[Diagnostic]
) -> None:
    """``response.examples``: the JSON one object of declared fields and types; the XML well-formed."""
    loc: Loc = ("response", "examples", "json")
    problem = _json_problem(spec, spec.response.examples.json_, types, conforms)
    if problem is not None:
        message, hint = problem
        sep = "" if message.startswith("'s ") else " "
        out.append(doc.at(loc, Code.invalid_response_example, f"the JSON example{sep}{message}", hint=hint))
    xml_problem = _xml_problem(spec.response.examples.xml)
    if xml_problem is not None:
        out.append(
            doc.at(
                ("response", "examples", "xml"),
                Code.invalid_response_example,
                f"the XML example {xml_problem}",
                hint="write well-formed XML: one root element, every tag closed, no DOCTYPE",
            )
        )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _json_problem(
    spec: ActionSpec, text: str, types: Mapping[Loc, TypeExpr], conforms: Conforms
) -> tuple[str, str] | None:
    if len(text) > MAX_EXAMPLE:
        return f"is longer than {MAX_EXAMPLE} characters", "shorten the example"
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        return (
            f"is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno} of the example)",
            "fix the JSON; a JSON validator shows the exact spot",
        )
    except (ValueError, RecursionError) as exc:
        return f"is not valid JSON: {exc}", "fix the JSON"
    if not isinstance(data, dict):
        return (
            f"is not a JSON object ({type(data).__name__})",
            'answer one JSON object of the response fields, {"RequestId": …}',
        )
    fields = spec.response.fields
    for key, value in data.items():
        field = fields.get(key)
        if field is None:
            return (
                f"has the key '{key}', which is not a declared response field",
                did_you_mean(key, list(fields)) or "declare it under 'response: fields:', or remove it",
            )
        expr = types.get(("response", "fields", key))
        if expr is None:  # its type is wrong; that is reported on its own
            continue
        if field.style is Style.json and value is not None:
            if not isinstance(value, str):
                return (
                    f"gives '{key}' as {type(value).__name__}, but 'style: json' answers a JSON string",
                    f"write '{key}' as a string of JSON text",
                )
            try:
                value = json.loads(value, parse_constant=_reject_constant)
            except (ValueError, RecursionError) as exc:
                return (
                    f"gives '{key}' a string that is not valid JSON ({exc})",
                    f"fix the JSON text of '{key}'",
                )
        if value is None:
            continue
        if isinstance(value, float) and not math.isfinite(value):
            return f"gives '{key}' a number that is not finite", "write a finite number"
        if problem := conforms(value, expr, field.constraints):
            hint = f"give '{key}' a value of its declared type"
            if expr.name in PRIMITIVES:
                return f"gives '{key}' a value that {problem}", hint
            inside = "holds a value that " if problem.startswith("is not a valid") else ""
            return f"'s '{key}' {inside}{problem}", hint
    return None


def _xml_problem(text: str) -> str | None:
    if len(text) > MAX_EXAMPLE:
        return f"is longer than {MAX_EXAMPLE} characters"
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        return "declares a DOCTYPE or entities, which a response never has"
    try:
        ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        return f"is not well-formed XML: {exc}"
    return None


_LENGTHS = ("min_length", "max_length", "min_items", "max_items")
_NUMBERS = ("minimum", "maximum", "exclusive_minimum", "exclusive_maximum")


def bound_problems(c: ConstraintsSpec, kind: str) -> list[tuple[str, str, str]]:
    """Bounds no value can be held to: not finite, beyond the type, or an absurd length."""
    found = []
    for key in _LENGTHS:
        value = getattr(c, key)
        if value is not None and value > MAX_SIZE:
            found.append(
                (key, f"{key} ({value}) is more than {MAX_SIZE}", f"write a {key} of at most {MAX_SIZE}")
            )
    for key in _NUMBERS:
        value = getattr(c, key)
        if value is None:
            continue
        if isinstance(value, float) and not math.isfinite(value):
            found.append(
                (key, f"{key} ({value}) is not a finite number", "write a finite number, or remove the bound")
            )
        elif kind in INT_RANGE and not INT_RANGE[kind][0] <= value <= INT_RANGE[kind][1]:
            low, high = INT_RANGE[kind]
            found.append(
                (
                    key,
                    f"{key} ({value}) is outside the range of {kind} ({low} … {high})",
                    f"write a value within the range of {kind}",
                )
            )
        elif kind == "double" and isinstance(value, int) and abs(value) > 2**1023:
            found.append((key, f"{key} ({value}) is beyond the range of a double", "write a smaller number"))
    return found


def empty_range(c: ConstraintsSpec, kind: str) -> tuple[str, str, str] | None:
    """The bounds together admit no value (or, for an integer type, no integer)."""
    lows = [
        (v, k, k == "exclusive_minimum")
        for k in ("minimum", "exclusive_minimum")
        if (v := getattr(c, k)) is not None
    ]
    highs = [
        (v, k, k == "exclusive_maximum")
        for k in ("maximum", "exclusive_maximum")
        if (v := getattr(c, k)) is not None
    ]
    if not lows and not highs:
        return None
    # the tightest bound on each side; at a tie the exclusive one is tighter
    low = max(lows, key=lambda b: (b[0], b[2])) if lows else None
    high = min(highs, key=lambda b: (b[0], not b[2])) if highs else None
    shown = " and ".join(f"{k} {v}" for v, k, _ in (b for b in (low, high) if b is not None))
    hint = "widen the range, or fix the bound that is wrong"
    if low is not None and high is not None:
        if low[0] > high[0] or (low[0] == high[0] and (low[2] or high[2])):
            return low[1], f"no value lies within {shown}", hint
    if kind in INT_RANGE:
        first = (math.floor(low[0]) + 1 if low[2] else math.ceil(low[0])) if low is not None else None
        last = (math.ceil(high[0]) - 1 if high[2] else math.floor(high[0])) if high is not None else None
        if first is not None and last is not None and first > last:
            where = low[1] if low is not None else high[1] if high is not None else "minimum"
            return (
                where,
                f"no {kind} value lies within {shown}",
                hint + f" (an {kind} field needs an integer in it)",
            )
    return None


def scalar_problem(value: Any, kind: str) -> str | None:
    ok = {
        "string": isinstance(value, str),
        "int32": isinstance(value, int) and not isinstance(value, bool) and -(2**31) <= value < 2**31,
        "int64": isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63,
        "boolean": isinstance(value, bool),
        "double": isinstance(value, (int, float))
        and not isinstance(value, bool)
        and (not isinstance(value, float) or math.isfinite(value)),
    }[kind]
    return None if ok else f"is not a valid {kind} ({value!r})"


def constraint_problem(value: Any, c: ConstraintsSpec) -> str | None:
    checks = [
        (
            c.min_length is not None and isinstance(value, str) and len(value) < c.min_length,
            f"is shorter than min_length {c.min_length}",
        ),
        (
            c.max_length is not None and isinstance(value, str) and len(value) > c.max_length,
            f"is longer than max_length {c.max_length}",
        ),
        (
            c.minimum is not None and isinstance(value, (int, float)) and value < c.minimum,
            f"is below minimum {c.minimum}",
        ),
        (
            c.maximum is not None and isinstance(value, (int, float)) and value > c.maximum,
            f"is above maximum {c.maximum}",
        ),
        (
            c.exclusive_minimum is not None
            and isinstance(value, (int, float))
            and value <= c.exclusive_minimum,
            f"is not above exclusive_minimum {c.exclusive_minimum}",
        ),
        (
            c.exclusive_maximum is not None
            and isinstance(value, (int, float))
            and value >= c.exclusive_maximum,
            f"is not below exclusive_maximum {c.exclusive_maximum}",
        ),
        (
            c.pattern is not None and isinstance(value, str) and not matches(c.pattern, value),
            f"does not match pattern '{c.pattern}'",
        ),
        (
            c.min_items is not None and isinstance(value, list) and len(value) < c.min_items,
            f"has fewer than min_items {c.min_items}",
        ),
        (
            c.max_items is not None and isinstance(value, list) and len(value) > c.max_items,
            f"has more than max_items {c.max_items}",
        ),
        (bool(c.enum) and value not in [e.value for e in c.enum or ()], "is not one of the enum values"),
    ]
    for failed, message in checks:
        if failed:
            return f"({value!r}) {message}"
    return None

"""An example for a required parameter the vendor gives none for, made from its type and
constraints and marked ``repaired``: every sample sends the required parameters, so each needs a
value that obeys the spec's rules (the checks verify it; a pattern is not guessed at)."""

from __future__ import annotations

from typing import Any

from generator.frontend.types import PRIMITIVES, TypeExpr, TypeSyntaxError, parse_type

NOTE = "the vendor gives no example: made from the type and constraints"


def made_example(field: dict[str, Any], structs: dict[str, Any], depth: int = 0) -> Any:
    """A value for ``field`` (a converted spec field), or None when none can be made safely."""
    try:
        expr = parse_type(str(field.get("type", "")))
    except TypeSyntaxError:
        return None
    return _value(expr, field.get("constraints") or {}, field.get("format"), structs, depth)


def _value(expr: TypeExpr, c: dict[str, Any], fmt: Any, structs: dict[str, Any], depth: int) -> Any:
    if depth > 8:
        return None
    enum = c.get("enum") or []
    if enum and expr.name in PRIMITIVES:
        return enum[0].get("value")
    match expr.name:
        case "string":
            if c.get("pattern") is not None:
                return None
            if fmt == "phone-number":
                return "13800000000"
            text = "example"
            shortest: int = int(c.get("min_length") or 0)
            longest: Any = c.get("max_length")
            text = text.ljust(shortest, "x")
            return text[: int(longest)] if longest is not None else text
        case "int32" | "int64" | "double":
            low = c.get("minimum", c.get("exclusive_minimum", 0) + 1 if "exclusive_minimum" in c else None)
            high = c.get("maximum", c.get("exclusive_maximum", 0) - 1 if "exclusive_maximum" in c else None)
            number = low if low is not None else (min(1, high) if high is not None else 1)
            return float(number) if expr.name == "double" else int(number)
        case "boolean":
            return True
        case "list":
            item = _value(expr.args[0], {}, None, structs, depth + 1)
            return None if item is None else [item]
        case "map":
            item = _value(expr.args[1], {}, None, structs, depth + 1)
            return None if item is None else {"key": item}
        case _:
            struct = structs.get(expr.name)
            if not isinstance(struct, dict):
                return None
            value: dict[str, Any] = {}
            for name, sub in (struct.get("fields") or {}).items():
                if not sub.get("required"):
                    continue
                made = sub.get("example")
                if made is None:
                    made = made_example(sub, structs, depth + 1)
                if made is None:
                    return None
                value[name] = made
            return value

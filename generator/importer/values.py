"""Values against spec types: does an example fit its field, and can a vendor's example be made to.

Mirrors what ``sdkgen validate`` refuses (a string on an ``int32``, a bound broken, an undeclared
key in a struct), so that the imported examples pass it.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from generator.frontend.types import TypeExpr, parse_type

Structs = dict[str, dict[str, Any]]  # struct name → {"fields": {name: field dict}}
INT_RANGE = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


def obeys(value: Any, c: dict[str, Any] | None) -> bool:
    """Whether a scalar obeys the constraints ``c`` (a spec ``constraints`` mapping)."""
    if not c:
        return True
    if isinstance(value, str):
        if "min_length" in c and len(value) < c["min_length"]:
            return False
        if "max_length" in c and len(value) > c["max_length"]:
            return False
        if "pattern" in c:
            try:
                if not re.search(c["pattern"], value):
                    return False
            except re.error:
                return True  # a pattern Python cannot read is judged by sdkgen validate
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in c and value < c["minimum"] or "maximum" in c and value > c["maximum"]:
            return False
        if "exclusive_minimum" in c and value <= c["exclusive_minimum"]:
            return False
        if "exclusive_maximum" in c and value >= c["exclusive_maximum"]:
            return False
    if isinstance(value, list):
        if "min_items" in c and len(value) < c["min_items"]:
            return False
        if "max_items" in c and len(value) > c["max_items"]:
            return False
    if "enum" in c and not isinstance(value, (list, dict)):
        return any(value == e["value"] and type(value) is type(e["value"]) for e in c["enum"])
    return True


def fits(value: Any, type_text: str, structs: Structs, c: dict[str, Any] | None = None) -> bool:
    return _fits(value, parse_type(type_text), structs) and obeys(value, c)


def _fits(value: Any, t: TypeExpr, structs: Structs) -> bool:
    if t.name == "string":
        return isinstance(value, str)
    if t.name in INT_RANGE:
        low, high = INT_RANGE[t.name]
        return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
    if t.name == "double":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return ok and math.isfinite(value)
    if t.name == "boolean":
        return isinstance(value, bool)
    if t.name == "list":
        return isinstance(value, list) and all(_fits(v, t.args[0], structs) for v in value)
    if t.name == "map":
        return isinstance(value, dict) and all(_fits(v, t.args[1], structs) for v in value.values())
    struct = structs.get(t.name)
    if struct is None or not isinstance(value, dict):
        return False
    fields = struct["fields"]
    return all(
        k in fields and (v is None or fits(v, fields[k]["type"], structs, fields[k].get("constraints")))
        for k, v in value.items()
    )


def coerce(value: Any, type_text: str, structs: Structs) -> Any:
    """The vendor's example as a value of ``type_text``, or ``None`` when it cannot be one.

    Strings of numbers and booleans become numbers and booleans; a JSON text becomes the list,
    map or struct it spells; a lone item becomes a one-item list."""
    t = parse_type(type_text)
    if _fits(value, t, structs):
        return value
    if isinstance(value, str):
        text = value.strip()
        if t.name in INT_RANGE and re.fullmatch(r"-?\d{1,19}", text):
            return int(text) if _fits(int(text), t, structs) else None
        if t.name == "double" and re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", text):
            return float(text) if "." in text or "e" in text.lower() else int(text)
        if t.name == "boolean" and text.lower() in ("true", "false"):
            return text.lower() == "true"
        if t.name == "string":
            return value
        if t.name not in ("string", "int32", "int64", "double", "boolean"):
            try:
                decoded = json.loads(text)
            except ValueError:
                decoded = None
            if decoded is not None and _fits(decoded, t, structs):
                return decoded
    if t.name == "string" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if t.name == "list" and not isinstance(value, (list, dict)):
        item = coerce(value, _text(t.args[0]), structs)
        return [item] if item is not None else None
    return None


def _text(t: TypeExpr) -> str:
    return f"{t.name}<{', '.join(_text(a) for a in t.args)}>" if t.args else t.name

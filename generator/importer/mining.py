"""Prose mining: constraints, defaults and units stated only in a Chinese description.

Recognised: ``取值范围：**1~3**`` / ``取值范围为：**-500~500**`` (a range of a number),
``默认取值**3**`` / ``默认值为 3`` (a default), ``长度限制为1~15个字符`` / ``长度不超过N`` (string
lengths), ``单位：秒`` (a unit). Each mined value is recorded under the field's ``mined`` key
(dotted key path → the sentence it came from). A value the metadata states is never overridden,
and a mined value that the field's own example contradicts is not used.
"""

from __future__ import annotations

import re
from typing import Any

NUMBER = r"-?\d+(?:\.\d+)?"
_RANGE = re.compile(
    rf"取值范围(?:为|是)?[：:]?\s*\**\s*({NUMBER})\s*\**\s*[~～至到]\s*\**\s*({NUMBER})\s*\**"
)
_DEFAULT = re.compile(r"默认(?:取值|值)(?:为|是)?[：:]?\s*\**\s*`?([A-Za-z0-9_.\-]+)`?\s*\**")
_LENGTH = re.compile(r"长度(?:限制)?(?:为|是)?[：:]?\s*\**(\d+)\**\s*[~～至到-]\s*\**(\d+)\**\s*个?字符")
_MAX_LENGTH = re.compile(
    r"长度(?:不(?:能|可以|可)?(?:超过|大于)|最多(?:为)?|最大(?:为)?)\s*\**(\d+)\**\s*个?字符?"
)
_UNIT = re.compile(r"单位(?:为|是)?[：:]?\s*\**(毫秒|秒|分钟|小时|天)")
UNITS = {"毫秒": "milliseconds", "秒": "seconds", "分钟": "minutes", "小时": "hours", "天": "days"}
_SENTENCE = re.compile(r"[^。\n]*(?:。|$)")
NUMERIC = ("int32", "int64", "double")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def _number(text: str, type_name: str) -> int | float | None:
    if re.fullmatch(r"-?\d{1,30}", text.strip()):
        return int(text)
    try:
        value = float(text)
    except ValueError:
        return None
    if type_name in ("int32", "int64"):
        return int(value) if value.is_integer() else None
    return int(value) if value.is_integer() and "." not in text else value


def scalar(text: str, type_name: str) -> Any:
    """``text`` as a value of ``type_name``, or None when it is not one."""
    if type_name in NUMERIC:
        return _number(text, type_name)
    if type_name == "boolean":
        return {"true": True, "false": False}.get(text.lower())
    if type_name == "string":
        return text
    return None


def mine(field: dict[str, Any], description: str, type_name: str, fits: Any) -> None:
    """Add what ``description`` states to ``field`` (a spec field being built). ``fits(value)``
    says whether a candidate default obeys the field's type and constraints."""
    if not description:
        return
    found: dict[str, tuple[Any, str]] = {}
    for sentence in sentences(description):
        if type_name in NUMERIC and (m := _RANGE.search(sentence)):
            low, high = _number(m.group(1), type_name), _number(m.group(2), type_name)
            if low is not None and high is not None and low <= high:
                found.setdefault("constraints.minimum", (low, sentence))
                found.setdefault("constraints.maximum", (high, sentence))
        if type_name == "string" and (m := _LENGTH.search(sentence)):
            low, high = int(m.group(1)), int(m.group(2))
            if low <= high:
                found.setdefault("constraints.min_length", (low, sentence))
                found.setdefault("constraints.max_length", (high, sentence))
        elif type_name == "string" and (m := _MAX_LENGTH.search(sentence)):
            found.setdefault("constraints.max_length", (int(m.group(1)), sentence))
        if (m := _DEFAULT.search(sentence)) and (value := scalar(m.group(1), type_name)) is not None:
            found.setdefault("default", (value, sentence))
        if m := _UNIT.search(sentence):
            found.setdefault("unit", (UNITS[m.group(1)], sentence))
    constraints = dict(field.get("constraints") or {})
    marks: dict[str, str] = {}
    for key, (value, sentence) in found.items():
        if key.startswith("constraints."):
            name = key.split(".", 1)[1]
            if name in constraints:
                continue
            trial = {**constraints, name: value}
            if "example" in field and not fits(field["example"], trial):
                continue
            constraints[name] = value
        elif key in field or key == "default" and not fits(value, constraints):
            continue
        else:
            field[key] = value
        marks[key] = sentence
    if constraints:
        field["constraints"] = constraints
    if "default" in marks and not fits(field["default"], constraints):
        del field["default"]
        marks.pop("default", None)
    if marks:
        field["mined"] = {**field.get("mined", {}), **marks}

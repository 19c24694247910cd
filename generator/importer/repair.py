"""Masked and malformed vendor examples, and the phone-number format.

* A masked number (``159****0000``, ``0571****5678``) on a phone field or an integer field becomes
  digits of the same length (each ``*`` a ``0``).
* A date or date-time text on an integer field that the description calls a timestamp becomes
  epoch milliseconds (UTC); ``format: epoch-millis`` is set when the description says 毫秒.
* ``format: phone-number`` is set (conservatively) only on a string field whose name ends in
  ``Number`` and names a party of a call or a phone (Called, Caller, Show, Phone, Mobile, Tel),
  whose description speaks of a 号码, and whose (repaired) example is 5 to 16 digits.

Each change is recorded in the field's ``repaired`` mapping (key → note).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

_MASKED = re.compile(r"\+?[0-9*]*[0-9][0-9*]*")
_PHONE_NAME = re.compile(r"(Called|Caller|Show|Phone|Mobile|Tel)[A-Za-z]*Number$|^(Phone|Mobile|Tel)$")
_DATE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?"
)
MILLIS_2000, MILLIS_2100 = 946_684_800_000, 4_102_444_800_000


def is_phone_field(name: str, type_name: str, description: str) -> bool:
    return type_name == "string" and bool(_PHONE_NAME.search(name)) and "号码" in description


def _note(field: dict[str, Any], key: str, text: str) -> None:
    field.setdefault("repaired", {})[key] = text


def unmask(text: str) -> str | None:
    """``159****0000`` → ``15900000000``; None when ``text`` is not a masked number."""
    if "*" not in text or not _MASKED.fullmatch(text):
        return None
    return text.lstrip("+").replace("*", "0")


def epoch_millis(text: str) -> int | None:
    m = _DATE.fullmatch(text.strip())
    if not m:
        return None
    try:
        y, mo, d, h, mi, sec = (int(g or 0) for g in m.groups()[:6])
        when = datetime(y, mo, d, h, mi, sec, tzinfo=UTC)
    except ValueError:
        return None
    return int(when.timestamp()) * 1000


def repair(field: dict[str, Any], name: str, type_name: str, description: str, raw: Any) -> Any:
    """The example to use for the vendor's ``raw`` example (maybe ``raw`` itself); sets the
    field's ``format`` and ``repaired`` notes as it goes."""
    phone = is_phone_field(name, type_name, description)
    example = raw
    if isinstance(raw, str) and (phone or type_name in ("int32", "int64")):
        digits = unmask(raw)
        if digits is not None:
            example = digits if type_name == "string" else int(digits)
            _note(field, "example", f"the vendor's example {raw} is masked")
    if isinstance(raw, str) and type_name in ("int32", "int64") and "时间戳" in description:
        millis = epoch_millis(raw)
        if millis is not None:
            example = millis
            _note(
                field,
                "example",
                f"the vendor's example {raw} is a date on a timestamp field: "
                "written as epoch milliseconds (UTC)",
            )
    if (
        type_name == "int64"
        and "毫秒" in description
        and "时间戳" in description
        and "format" not in field
        and isinstance(example, int)
        and MILLIS_2000 <= example < MILLIS_2100
    ):
        field["format"] = "epoch-millis"
    if phone and isinstance(example, str) and re.fullmatch(r"\d{5,16}", example):
        field["format"] = "phone-number"
    return example

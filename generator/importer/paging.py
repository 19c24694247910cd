"""Which imported actions hand out their results a page at a time: their ``pagination:``.

Read from an action's spec as ``action.py`` converted it, by the names Alibaba Cloud's APIs use:

    token  a string parameter NextToken, and a string NextToken in the answer (at the top or
           beside the list); the page size is MaxResults when the action has it
    page   an integer parameter PageNumber, PageNo or CurrentPage, with an integer PageSize; the
           total is an integer TotalCount or Total beside the list, else at the top

The list is the one list the answer reaches through structs in at most three steps (``Data``,
``Data.Values``, ``Instances.Instance``), a list sent as one JSON string is no list here. An
action with both kinds of parameter pages by token (the newer style, where an API has both).
An action that has the parameters but no such list, or more than one, is not paginated: a note
says why.
"""

from __future__ import annotations

from typing import Any

PAGE_PARAMETERS = ("PageNumber", "PageNo", "CurrentPage")
PAGE_SIZE = "PageSize"
TOKEN = "NextToken"
TOKEN_SIZE = "MaxResults"
TOTALS = ("TotalCount", "Total")
_INTEGERS = ("int32", "int64")
_DEPTH = 3  # the most struct fields a path to the list goes through, plus the list

Path = tuple[str, ...]


def pagination(spec: dict[str, Any], where: str, notes: list[str]) -> dict[str, Any] | None:
    """The ``pagination:`` mapping of an action's spec, or None (with a note when it has the
    parameters of a style but not the answer that goes with them)."""
    params: dict[str, Any] = spec["parameters"]
    page = next((p for p in PAGE_PARAMETERS if _typed(params, p, _INTEGERS)), None)
    has_token = _typed(params, TOKEN, ("string",)) and not params[TOKEN].get("required")
    if not has_token and (page is None or not _typed(params, PAGE_SIZE, _INTEGERS)):
        return None
    structs: dict[str, Any] = spec.get("structs") or {}
    fields: dict[str, Any] = spec["response"]["fields"]
    lists = list(_lists(fields, structs, (), 0))
    if len(lists) != 1:
        found = ", ".join(".".join(p) for p in lists) or "none: a list sent as JSON text has no type"
        notes.append(f"{where}: has paging parameters, but not one typed list in its answer ({found}): "
                     "not paginated")  # fmt: skip
        return None
    items = lists[0]
    beside = _fields_at(fields, structs, items[:-1])
    next_path = _beside(fields, beside, items[:-1], (TOKEN,), ("string",))
    if has_token and next_path is not None:
        made: dict[str, Any] = {"style": "token", "token": TOKEN, "next": ".".join(next_path)}
        if _typed(params, TOKEN_SIZE, _INTEGERS):
            made["size"] = TOKEN_SIZE
        return {**made, "items": ".".join(items)}
    if page is None or not _typed(params, PAGE_SIZE, _INTEGERS):
        notes.append(f"{where}: has a {TOKEN} parameter but none in its answer: not paginated")
        return None
    made = {"style": "page", "page": page, "first_page": 1, "size": PAGE_SIZE, "items": ".".join(items)}
    total = _beside(fields, beside, items[:-1], TOTALS, _INTEGERS)
    if total is not None:
        made["total"] = ".".join(total)
    return made


def _typed(fields: dict[str, Any], name: str, types: tuple[str, ...]) -> bool:
    field = fields.get(name)
    return isinstance(field, dict) and field.get("type") in types and field.get("style") != "json"


def _lists(fields: dict[str, Any], structs: dict[str, Any], at: Path, depth: int) -> list[Path]:
    """Every path to a list through structs, at most ``_DEPTH`` names long."""
    found: list[Path] = []
    for name, field in fields.items():
        kind = str(field.get("type", ""))
        if field.get("style") == "json":
            continue
        if kind.startswith("list<"):
            found.append((*at, name))
        elif kind in structs and depth + 2 <= _DEPTH:
            found += _lists(structs[kind]["fields"], structs, (*at, name), depth + 1)
    return found


def _fields_at(fields: dict[str, Any], structs: dict[str, Any], path: Path) -> dict[str, Any]:
    """The fields of the struct at ``path`` (the answer's own for an empty path)."""
    for name in path:
        fields = structs[fields[name]["type"]]["fields"]
    return fields


def _beside(
    top: dict[str, Any], beside: dict[str, Any], at: Path, names: tuple[str, ...], types: tuple[str, ...]
) -> Path | None:
    """The path of the first field of ``names`` with one of ``types``: beside the list, else at the top."""
    for fields, prefix in ((beside, at), (top, ())):
        for name in names:
            if _typed(fields, name, types):
                return (*prefix, name)
    return None

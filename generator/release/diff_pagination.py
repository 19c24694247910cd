"""Diff stage, for an action's ``pagination``: what its iterators (``<method>_pages``,
``<method>_items``) gain or lose.

- paginated now: a feature (the iterators are added);
- no longer paginated: breaking (they are gone);
- another style, cursor parameter or list: breaking (the iterators' arguments, or what they
  yield, change; a retyped list is also reported where the field is, as ``type-changed``);
- the page size parameter, the total, the next token's path or the first page's number: a
  patch (the same iterators walk the pages differently).
"""

from __future__ import annotations

from typing import assert_never

from generator.frontend import ir
from generator.release.changes import Change, ChangeCode

C = ChangeCode

# ir.Pagination's attributes (tests pin this): the iterators' surface is the style and cursor
# parameter (``by``) and the list (``items``); ``by``'s first page or next token, ``size`` and
# ``total`` are how they walk; ``item`` is the list's type, compared where its field is.
COMPARED = {"by", "items", "size", "total"}
DERIVED = {"item", "where"}


def describe(p: ir.Pagination) -> str:
    """``by PageNumber (Data.Values)``: the cursor parameter and the list."""
    return f"by {p.parameter} ({'.'.join(p.items)})"


def _surface(p: ir.Pagination) -> tuple[str, str, tuple[str, ...]]:
    match p.by:
        case ir.PageNumbers():
            style = "page"
        case ir.Tokens():
            style = "token"
        case _:
            assert_never(p.by)
    return style, p.parameter, p.items


def diff_pagination(action: str, old: ir.Pagination | None, new: ir.Pagination | None) -> list[Change]:
    path = f"{action}.pagination"
    if old is None and new is None:
        return []
    if old is None:
        assert new is not None
        text = f"action {action} is paginated {describe(new)}: iterators over its pages and items"
        return [Change(C.pagination_added, path, text, action, None, describe(new))]
    if new is None:
        text = f"action {action} is no longer paginated: its page and item iterators are gone"
        return [Change(C.pagination_removed, path, text, action, describe(old), None)]
    if _surface(old) != _surface(new):
        text = f"action {action} is paginated {describe(new)}, not {describe(old)}: its iterators change"
        return [Change(C.pagination_changed, path, text, action, describe(old), describe(new))]
    cursor = "the first page" if isinstance(old.by, ir.PageNumbers) else "the next token"
    parts = (
        ("the page size", old.size, new.size),
        ("the total", old.total, new.total),
        (cursor, old.by, new.by),
    )
    changed = [what for what, before, after in parts if before != after]
    if changed:
        text = f"action {action}: its iterators walk the pages differently ({' and '.join(changed)})"
        return [Change(C.pagination_adjusted, path, text, action)]
    return []

"""Paginated list actions in the emulator: a list of items per action, served a page at a time.

An action whose specs declare ``pagination:`` (its description's ``emulator.pages``) answers its
example with the list at ``items`` replaced by one page of a longer list: ``length`` items, by
default three pages of the default page size (the size parameter's ``default``, else 10), made
from the example's items round after round (none when the example's list is empty). From the
second round on, an item's id fields (keys ending in ``Id``) and a plain item (a string or a
number) carry the round, so that items differ: in the second, ``"a"`` → ``"a-2"``, ``7`` → ``8``.

The request's page number (from ``first_page``) or token picks the page, of the requested size
(else the default). ``total`` answers ``length``; ``next`` the token of the next page, ``""``
after the last one; a response field named like the page or size parameter (at the top, or
beside the list) echoes the request. A token the emulator did not hand out is refused
``InvalidParameter``. ``Emulator.set_list_length`` changes ``length`` per action.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeGuard

from ._gateway import Rejection

if TYPE_CHECKING:
    from ._state import ServiceState

__all__ = ["ListLengths", "Pages"]

DEFAULT_PAGES = 3  # pages a list holds unless a test says otherwise
DEFAULT_SIZE = 10  # items per page when neither the request nor the specs say
_TOKEN = "emu-"  # the emulator's tokens: this, then the offset of the page's first item


class Pages:
    """The lists of the paginated actions: how long each is (thread-safe: one dict write each)."""

    def __init__(self) -> None:
        self._lengths: dict[str, int] = {}

    def set_length(self, action: str, count: int | None) -> None:
        if count is None:
            self._lengths.pop(action, None)
        elif count < 0:
            raise ValueError(f"a list holds 0 items or more, not {count}")
        else:
            self._lengths[action] = count

    def length(self, action: str, pages: Mapping[str, Any]) -> int:
        found = self._lengths.get(action)
        return found if found is not None else DEFAULT_PAGES * _default_size(pages)

    def serve(
        self, action: str, pages: Mapping[str, Any], params: Mapping[str, Any], body: dict[str, Any]
    ) -> None:
        """Replace the example's list in ``body`` by the page the request asks for."""
        asked_size = params.get(pages["size"]) if pages["size"] else None
        size = asked_size if _positive(asked_size) else _default_size(pages)
        start = self._start(pages, params, size)
        path: list[str] = list(pages["items"])
        holder = _holder(body, path[:-1])
        found = holder.get(path[-1])
        example: list[Any] = found if isinstance(found, list) else []
        length = self.length(action, pages) if example else 0
        holder[path[-1]] = [_item(example, i) for i in range(start, min(start + size, length))]
        if pages["total"]:
            _holder(body, pages["total"][:-1])[pages["total"][-1]] = length
        if pages["next"]:
            following = _TOKEN + str(start + size) if start + size < length else ""
            _holder(body, pages["next"][:-1])[pages["next"][-1]] = following
        echoes = {pages["size"]: size}
        if pages["style"] == "page":
            echoes[pages["parameter"]] = params.get(pages["parameter"], pages["first_page"])
        for place in (body, holder):
            for name, value in echoes.items():
                if name in place:
                    place[name] = value

    @staticmethod
    def _start(pages: Mapping[str, Any], params: Mapping[str, Any], size: int) -> int:
        """The offset of the asked-for page's first item."""
        asked = params.get(pages["parameter"])
        if pages["style"] == "page":
            first = int(pages["first_page"])
            number = asked if isinstance(asked, int) and not isinstance(asked, bool) else first
            return max(0, number - first) * size
        if asked is None or asked == "":
            return 0
        text = str(asked)
        offset = text[len(_TOKEN) :]
        if not text.startswith(_TOKEN) or not offset.isdigit():
            raise Rejection(
                "InvalidParameter", "not a token this service handed out", parameter=pages["parameter"]
            )
        return int(offset)


def _positive(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _default_size(pages: Mapping[str, Any]) -> int:
    return int(pages.get("default_size") or DEFAULT_SIZE)


def _holder(body: dict[str, Any], path: list[str]) -> dict[str, Any]:
    """The mapping at ``path`` in an answer, made where the example lacks it."""
    for name in path:
        found = body.get(name)
        if not isinstance(found, dict):
            found = body[name] = {}
        body = found
    return body


def _item(example: list[Any], index: int) -> Any:
    """Item ``index`` of the list: the example's items round after round, ids varied by round."""
    base, round_ = example[index % len(example)], index // len(example)
    if round_ == 0:
        return base
    if isinstance(base, dict):
        return {k: _varied(v, round_) if k.lower().endswith("id") else v for k, v in base.items()}
    return _varied(base, round_)


def _varied(value: Any, round_: int) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value + round_
    if isinstance(value, str):
        return f"{value}-{round_ + 1}"
    return value


class ListLengths:
    """The emulator's part of pagination: how many items each paginated list action holds."""

    service: Mapping[str, Any]
    _state: ServiceState

    def set_list_length(self, action: str, count: int | None) -> None:
        """Serve ``count`` items from the paginated list action ``action`` (by its wire name,
        ``ListCallTask``); None restores the default, three pages of the default page size."""
        self._pages_of(action)
        self._state.pages.set_length(action, count)

    def list_length(self, action: str) -> int:
        """How many items the paginated list action ``action`` serves in all its pages."""
        return self._state.pages.length(action, self._pages_of(action))

    def _pages_of(self, action: str) -> Mapping[str, Any]:
        actions: Mapping[str, Any] = self.service["actions"]
        pages = (actions[action].get("emulator") or {}).get("pages") if action in actions else None
        if pages is None:
            paginated = [a for a in actions if (actions[a].get("emulator") or {}).get("pages")]
            raise KeyError(
                f"{action!r} is not a paginated action (they are: {', '.join(paginated) or 'none'})"
            )
        return pages  # type: ignore[no-any-return]

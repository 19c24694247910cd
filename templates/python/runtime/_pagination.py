"""Pages of a list action: the loops behind ``Client.<method>_pages`` and ``<method>_items`` and
their ``AsyncClient`` twins, one call of the action's own method per page.

Each paginated action's module holds a ``Paging`` written from the specs' ``pagination:``: the
request attribute the iteration sets (the page number, from ``first_page``; or the token the
previous answer gave), and where a response holds its items, the total and the next token. The
iteration asks for the first page, then for the next one, until:

- a page holds no items;
- the items so far reach the total the answers state (for an action that states one);
- an answer gives no next token, or a token that came before (token style);
- ``max_pages`` pages were read: a guard against a service that never says it is done, which
  ends the iteration with a ``RuntimeWarning``.

Retries, errors and the checks of the arguments are the action method's: the first request is
built (and checked) when the iterator is made, not when it is first advanced.
"""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar

if TYPE_CHECKING:  # pydantic loads with the action's models, not with this module
    from ._model import Model

Q = TypeVar("Q", bound="Model")
R = TypeVar("R", bound="Model")

MAX_PAGES = 10_000
"""How many pages one iteration reads at the most."""


@dataclass(frozen=True)
class Paging:
    """How an action hands out its results a page at a time. Paths are attribute names from the
    response down (``("data", "values")``)."""

    style: Literal["page", "token"]
    parameter: str  # the request's attribute the iteration sets: the page number or the token
    items: tuple[str, ...]  # the page's list
    total: tuple[str, ...] | None = None  # the number of items in all pages
    next: tuple[str, ...] | None = None  # the next page's token (style token)
    first_page: int = 1  # the first page's number (style page)
    max_pages: int = MAX_PAGES

    def first(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """The arguments of the first request: those given (None is not given), and for pages
        by number the first page's."""
        given = {name: value for name, value in arguments.items() if value is not None}
        return {**given, self.parameter: self.first_page} if self.style == "page" else given

    def items_of(self, page: Model) -> list[Any]:
        """The items of one page (none when the answer lacks the list)."""
        found = _at(page, self.items)
        return list(found) if isinstance(found, list) else []


def _at(value: Any, path: tuple[str, ...]) -> Any:
    for name in path:
        if value is None:
            return None
        value = getattr(value, name, None)
    return value


class _Walk:
    """Where one iteration is: what the next request changes, or that there is none."""

    def __init__(self, paging: Paging) -> None:
        self.paging = paging
        self.pages = 0
        self.items = 0
        self.number = paging.first_page
        self.tokens: set[str] = set()

    def after(self, page: Model) -> dict[str, Any] | None:
        """The attribute the request for the page after ``page`` changes; None: no such page."""
        p = self.paging
        self.pages += 1
        count = len(p.items_of(page))
        self.items += count
        total = _at(page, p.total) if p.total is not None else None
        if count == 0 or (isinstance(total, int) and self.items >= total):
            return None
        update: dict[str, Any]
        if p.style == "token":
            token = _at(page, p.next) if p.next is not None else None
            if not isinstance(token, str) or not token or token in self.tokens:
                return None
            self.tokens.add(token)
            update = {p.parameter: token}
        else:
            self.number += 1
            update = {p.parameter: self.number}
        if self.pages >= p.max_pages:
            message = f"stopped after {self.pages} pages, the most one iteration reads; more may follow"
            warnings.warn(message, RuntimeWarning, stacklevel=3)
            return None
        return update


def pages(call: Callable[[Q], R], request: Q, paging: Paging) -> Iterator[R]:
    """Every page: ``call(request)``, then the requests ``paging`` makes of it, while pages follow."""
    walk = _Walk(paging)
    update: dict[str, Any] | None = {}
    while update is not None:
        page = call(request.model_copy(update=update) if update else request)
        yield page
        update = walk.after(page)


def items(call: Callable[[Q], R], request: Q, paging: Paging) -> Iterator[Any]:
    """Every item of every page, in order."""
    for page in pages(call, request, paging):
        yield from paging.items_of(page)


async def async_pages(call: Callable[[Q], Awaitable[R]], request: Q, paging: Paging) -> AsyncIterator[R]:
    """The asyncio twin of ``pages``."""
    walk = _Walk(paging)
    update: dict[str, Any] | None = {}
    while update is not None:
        page = await call(request.model_copy(update=update) if update else request)
        yield page
        update = walk.after(page)


async def async_items(call: Callable[[Q], Awaitable[R]], request: Q, paging: Paging) -> AsyncIterator[Any]:
    """The asyncio twin of ``items``."""
    async for page in async_pages(call, request, paging):
        for item in paging.items_of(page):
            yield item

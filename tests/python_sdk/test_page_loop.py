"""The runtime's page loop (``_pagination``), without a network: when an iteration stops, and
that sync and async walk the same pages.

A fake action answers from a script of pages; the requests it received are what the loop asked.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from dyvmsapi._pagination import Paging, async_items, async_pages, items, pages


@dataclass(frozen=True)
class Request:
    page_number: int | None = None
    next_token: str | None = None

    def model_copy(self, *, update: dict[str, Any]) -> Request:
        return replace(self, **update)


@dataclass
class Data:
    values: list[Any] | None


@dataclass
class Page:
    data: Data | None
    total: int | None = None
    next_token: str | None = None


@dataclass
class Action:
    """Answers the pages in order, whatever is asked; keeps the requests."""

    script: list[Page]
    asked: list[Request] = field(default_factory=list)

    def __call__(self, request: Request) -> Page:
        self.asked.append(request)
        return self.script[len(self.asked) - 1] if len(self.asked) <= len(self.script) else Page(Data([]))

    async def call_async(self, request: Request) -> Page:
        await asyncio.sleep(0)
        return self(request)


BY_NUMBER = Paging(style="page", parameter="page_number", items=("data", "values"), total=("total",))
BY_TOKEN = Paging(style="token", parameter="next_token", items=("data", "values"), next=("next_token",))


def walk(paging: Paging, script: list[Page]) -> tuple[list[Page], list[Request]]:
    action = Action(script)
    found = list(pages(action, Request(**({"page_number": 1} if paging.style == "page" else {})), paging))  # type: ignore[arg-type, type-var]
    return found, action.asked


def test_pages_by_number_until_the_total() -> None:
    found, asked = walk(BY_NUMBER, [Page(Data([1, 2]), total=5), Page(Data([3, 4]), total=5), Page(Data([5]), total=5)])
    assert len(found) == 3 and [r.page_number for r in asked] == [1, 2, 3]


def test_pages_by_number_until_an_empty_page_without_a_total() -> None:
    paging = replace(BY_NUMBER, total=None)
    found, asked = walk(paging, [Page(Data([1])), Page(Data([2])), Page(Data([]))])
    assert len(found) == 3 and [r.page_number for r in asked] == [1, 2, 3]


def test_a_page_without_the_list_ends_it() -> None:
    found, _ = walk(BY_NUMBER, [Page(None, total=10)])
    assert len(found) == 1


def test_pages_by_token_until_no_token() -> None:
    found, asked = walk(BY_TOKEN, [Page(Data([1]), next_token="a"), Page(Data([2]), next_token="b"), Page(Data([3]), next_token="")])
    assert len(found) == 3 and [r.next_token for r in asked] == [None, "a", "b"]


def test_a_token_given_twice_ends_it() -> None:
    found, asked = walk(BY_TOKEN, [Page(Data([1]), next_token="a"), Page(Data([2]), next_token="a"), Page(Data([3]))])
    assert len(found) == 2 and [r.next_token for r in asked] == [None, "a"]


def test_the_page_cap_ends_it_with_a_warning() -> None:
    paging = replace(BY_TOKEN, max_pages=3)
    script = [Page(Data([i]), next_token=f"t{i}") for i in range(10)]
    with pytest.warns(RuntimeWarning, match="stopped after 3 pages"):
        found, _ = walk(paging, script)
    assert len(found) == 3


def test_the_first_request_carries_the_first_page_and_no_none() -> None:
    assert BY_NUMBER.first({"page_size": None, "status": "DONE"}) == {"status": "DONE", "page_number": 1}
    assert replace(BY_NUMBER, first_page=0).first({}) == {"page_number": 0}
    assert BY_TOKEN.first({"max_results": 5, "next_token": None}) == {"max_results": 5}


def test_items_and_async_walk_the_same_pages() -> None:
    script = [Page(Data([1, 2]), next_token="a"), Page(Data([3]), next_token=None)]
    assert list(items(Action(script), Request(), BY_TOKEN)) == [1, 2, 3]  # type: ignore[arg-type, type-var]

    async def both() -> tuple[list[Any], list[Any]]:
        found = [p async for p in async_pages(Action(script).call_async, Request(), BY_TOKEN)]  # type: ignore[arg-type, type-var]
        flat = [i async for i in async_items(Action(script).call_async, Request(), BY_TOKEN)]  # type: ignore[arg-type, type-var]
        return found, flat

    found, flat = asyncio.run(both())
    assert found == script and flat == [1, 2, 3]

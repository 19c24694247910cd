"""Paginated actions over HTTP: the SDK's iterators walk the emulator's pages, sync and async, V3
and V1 (the ``client`` fixture), until the list is exhausted.

The emulator serves each paginated action a longer list than its example (three pages of the
default size unless ``emu.set_list_length`` says otherwise); the iterators must ask for every
page once, in order, and yield each item once.
"""

from __future__ import annotations

from typing import Any

import pytest
from e2e_support import gather, invoke

from dyvmsapi import AsyncClient, Client, DyvmsapiError
from dyvmsapi.testing import Emulator

Any_ = Client | AsyncClient


def _sent(emu: Emulator, action: str, parameter: str) -> list[Any]:
    return [r.params.get(parameter) for r in emu.requests if r.action == action]


async def test_every_page_of_list_call_task(emu: Emulator, client: Any_) -> None:
    pages = await gather(client, "list_call_task_pages", page_size=7, status="DONE")
    total = emu.list_length("ListCallTask")
    assert total == 30, "three pages of the default page size (10)"
    assert [len(p.data) for p in pages] == [7, 7, 7, 7, 2]
    assert sum(len(p.data) for p in pages) == total and {p.total for p in pages} == {total}
    assert _sent(emu, "ListCallTask", "PageNumber") == [1, 2, 3, 4, 5], "each page once, in order"
    assert {r.params["Status"] for r in emu.requests} == {"DONE"}, "the other arguments on every page"
    assert [p.page_number for p in pages] == [1, 2, 3, 4, 5]


async def test_every_item_of_list_call_task(emu: Emulator, client: Any_) -> None:
    emu.set_list_length("ListCallTask", 23)
    items = await gather(client, "list_call_task_items")
    assert len(items) == 23 == emu.list_length("ListCallTask")
    assert [item.id_ for item in items] == list(range(23)), "the example's item, its id varied"
    assert _sent(emu, "ListCallTask", "PageNumber") == [1, 2, 3], "stops once the total came"


async def test_items_under_a_struct(emu: Emulator, client: Any_) -> None:
    """ListHotlineTransferNumber: the list at Data.Values, the total at Data.Total, pages by PageNo."""
    emu.set_list_length("ListHotlineTransferNumber", 12)
    items = await gather(
        client, "list_hotline_transfer_number_items", qualification_id="100", hotline_number="400", page_size=5
    )
    assert len(items) == 12 and items[0].phone_number == "1580000****"
    assert _sent(emu, "ListHotlineTransferNumber", "PageNo") == [1, 2, 3]
    last = await invoke(client, "list_hotline_transfer_number", qualification_id="100", hotline_number="400",
                        page_no=3, page_size=5)  # fmt: skip
    assert (last.data.page_no, last.data.page_size, last.data.total, len(last.data.values)) == (3, 5, 12, 2)


async def test_an_empty_list_is_one_request(emu: Emulator, client: Any_) -> None:
    emu.set_list_length("ListCallTaskDetail", 0)
    pages = await gather(client, "list_call_task_detail_pages", task_id=1)
    assert len(pages) == 1 and pages[0].data == [] and pages[0].total == 0
    assert await gather(client, "list_call_task_detail_items", task_id=1) == []


async def test_a_failing_page_raises_where_it_is_asked_for(emu: Emulator, client: Any_) -> None:
    iterator = client.list_call_task_pages(page_size=10)
    is_async = isinstance(client, AsyncClient)
    first = await iterator.__anext__() if is_async else next(iterator)  # type: ignore[union-attr]
    assert len(first.data) == 10
    emu.fail_next(code="InvalidParameters", action="ListCallTask")
    with pytest.raises(DyvmsapiError) as failed:
        await iterator.__anext__() if is_async else next(iterator)  # type: ignore[union-attr]
    assert failed.value.code == "InvalidParameters"


async def test_arguments_are_checked_when_the_iterator_is_made(emu: Emulator, client: Any_) -> None:
    with pytest.raises(DyvmsapiError):
        client.list_call_task_items(page_size="ten")  # type: ignore[arg-type]
    assert emu.requests == [], "nothing sent"


def test_the_iterators_take_the_arguments_but_the_page_number(emu: Emulator) -> None:
    with emu.client() as client:
        with pytest.raises(TypeError):
            client.list_call_task_pages(page_number=2)  # type: ignore[call-arg]
        assert {"list_call_task_pages", "list_call_task_items"} <= set(dir(client))
        assert not hasattr(client, "query_robot_task_list_pages"), "its list is JSON text: not paginated"

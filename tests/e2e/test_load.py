"""50 concurrent clients against one emulator: every request answered, and answered correctly.

Each client places calls to its own numbers and reads them back; every answer is matched with
the request the emulator recorded under the same RequestId (no answer crossed to another client).
Bounded: a fixed number of calls per client, loopback only.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from dyvmsapi import RetryPolicy
from dyvmsapi.testing import Emulator

CLIENTS = 50
CALLS_EACH = 4
NO_RETRY = RetryPolicy(max_attempts=1)


def _check(emu: Emulator, results: list[tuple[str, str, str, Any]]) -> None:
    """(number, request id, call id, detail) of every call: all distinct, all as recorded."""
    assert len(results) == CLIENTS * CALLS_EACH
    by_request = {r.request_id: r for r in emu.requests}
    assert len(by_request) == 2 * CLIENTS * CALLS_EACH, "one recorded request per call and per query"
    assert all(r.code == "OK" for r in by_request.values())
    assert len({call_id for _, _, call_id, _ in results}) == len(results)
    calls = {c.call_id: c for c in emu.calls}
    for number, request_id, call_id, detail in results:
        assert by_request[request_id].params["CalledNumber"] == number
        assert calls[call_id].called_number == number
        assert detail.callee == number
    assert emu.errors == []


def _number(client: int, call: int) -> str:
    return f"138{client:04d}{call:04d}"


def test_fifty_threads(emu: Emulator) -> None:
    results: list[tuple[str, str, str, Any]] = []
    failures: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS)

    def work(index: int) -> None:
        try:
            with emu.client(retry=NO_RETRY) as client:
                start.wait(timeout=10)
                for n in range(CALLS_EACH):
                    number = _number(index, n)
                    placed = client.single_call_by_tts(called_number=number, tts_code="TTS_1")
                    detail = client.query_call_detail_by_call_id(
                        call_id=placed.call_id, prod_id=11000000300006, query_date=int(emu.clock.now() * 1000)
                    ).data
                    with lock:
                        results.append((number, placed.request_id, placed.call_id, detail))
        except BaseException as error:  # noqa: BLE001 - reported below
            with lock:
                failures.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert failures == []
    _check(emu, results)


async def test_fifty_async_clients(emu: Emulator) -> None:
    async def work(index: int) -> list[tuple[str, str, str, Any]]:
        out = []
        async with emu.async_client(signature_version="v1", retry=NO_RETRY) as client:
            for n in range(CALLS_EACH):
                number = _number(index, n)
                placed = await client.single_call_by_tts(called_number=number, tts_code="TTS_1")
                query = await client.query_call_detail_by_call_id(
                    call_id=placed.call_id, prod_id=11000000300006, query_date=int(emu.clock.now() * 1000)
                )
                out.append((number, placed.request_id, placed.call_id, query.data))
        return out

    batches = await asyncio.wait_for(asyncio.gather(*(work(i) for i in range(CLIENTS))), timeout=60)
    _check(emu, [item for batch in batches for item in batch])

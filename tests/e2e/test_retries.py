"""The SDK's retry rules against faults the emulator injects, counted by the emulator.

A call-placing action (``single_call_by_tts``) must reach the service at most once unless the
request provably was not processed (throttled, or the connection refused); an idempotent one
(``query_call_detail_by_call_id``) is retried after 5xx, timeouts and dropped connections.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from e2e_support import close, invoke, make_client

from dyvmsapi import (
    ConnectionFailedError,
    OutOfServiceError,
    RequestTimeoutError,
    RetryPolicy,
    ServiceUnavailableError,
    UserThrottlingError,
)
from dyvmsapi.testing import Emulator

FAST = RetryPolicy(max_attempts=3, base_delay=0)
KINDS = ["sync", "async"]
TTS = "SingleCallByTts"
QUERY = "QueryCallDetailByCallId"


async def _tts(emu: Emulator, kind: str, **options: Any) -> Any:
    options.setdefault("retry", FAST)
    client = make_client(emu, kind, "v3", **options)
    try:
        return await invoke(client, "single_call_by_tts", called_number="13800000000", tts_code="TTS_1")
    finally:
        await close(client)


async def _query(emu: Emulator, kind: str, **options: Any) -> Any:
    options.setdefault("retry", FAST)
    client = make_client(emu, kind, "v1", **options)
    try:
        return await invoke(
            client, "query_call_detail_by_call_id", call_id="1^2", prod_id=11000000300006, query_date=1669032001000
        )
    finally:
        await close(client)


@pytest.mark.parametrize("kind", KINDS)
async def test_placing_a_call_is_not_retried_after_a_5xx(emu: Emulator, kind: str) -> None:
    emu.fail_next(status=503)
    with pytest.raises(ServiceUnavailableError) as info:
        await _tts(emu, kind)
    assert (info.value.http_status, info.value.retryable) == (503, True)
    assert emu.count(TTS) == 1 and emu.calls == []
    assert emu.requests[-1].fault == "error"


@pytest.mark.parametrize("kind", KINDS)
async def test_placing_a_call_is_not_retried_after_a_timeout(emu: Emulator, kind: str) -> None:
    emu.delay_next(1.0)
    started = time.monotonic()
    with pytest.raises(RequestTimeoutError):
        await _tts(emu, kind, timeout=(2.0, 0.25))
    assert time.monotonic() - started < 0.9
    assert emu.count(TTS) == 1
    assert len(emu.calls) == 1, "the service did place the call: that is why the SDK must not retry"


@pytest.mark.parametrize("kind", KINDS)
async def test_placing_a_call_is_not_retried_after_a_dropped_connection(emu: Emulator, kind: str) -> None:
    emu.drop_next()
    with pytest.raises(ConnectionFailedError):
        await _tts(emu, kind)
    assert emu.count(TTS) == 1 and emu.requests[-1].status == 0


@pytest.mark.parametrize("kind", KINDS)
async def test_placing_a_call_is_retried_after_throttling(emu: Emulator, kind: str) -> None:
    emu.throttle_next(retry_after_ms=20)
    response = await _tts(emu, kind)
    assert response.code == "OK"
    first, second = emu.requests
    assert (first.status, first.code, first.fault) == (400, "Throttling.User", "throttle")
    assert (second.status, second.code) == (200, "OK")
    assert second.received_at - first.received_at >= 0.015, "x-acs-retry-after (ms) is honoured"
    assert len(emu.calls) == 1


@pytest.mark.parametrize("kind", KINDS)
async def test_throttling_gives_up_after_max_attempts(emu: Emulator, kind: str) -> None:
    emu.throttle_next(5, retry_after_ms=None)
    with pytest.raises(UserThrottlingError):
        await _tts(emu, kind)
    assert emu.count(TTS) == 3 and len(emu.pending_faults) == 1


@pytest.mark.parametrize("kind", KINDS)
async def test_placing_a_call_is_retried_after_a_refused_connection(emu: Emulator, kind: str) -> None:
    emu.stop()  # the port now refuses connections

    class ReopenBeforeRetry(RetryPolicy):
        def delay(self, attempt: int, retry_after_ms: int | None = None) -> float:
            emu.start()  # the same port again
            return 0.0

    response = await _tts(emu, kind, retry=ReopenBeforeRetry(max_attempts=2, base_delay=0))
    assert response.code == "OK"
    assert emu.count(TTS) == 1, "the refused attempt never reached the service"


@pytest.mark.parametrize("kind", KINDS)
async def test_a_refused_connection_fails_after_max_attempts(emu: Emulator, kind: str) -> None:
    emu.stop()
    with pytest.raises(ConnectionFailedError):
        await _tts(emu, kind)
    emu.start()
    assert emu.count() == 0


@pytest.mark.parametrize("kind", KINDS)
async def test_an_idempotent_action_is_retried_after_5xx_timeouts_and_drops(emu: Emulator, kind: str) -> None:
    emu.fail_next(2, status=500)
    assert (await _query(emu, kind)).code == "OK"
    assert emu.count(QUERY) == 3
    assert [r.code for r in emu.requests] == ["InternalError", "InternalError", "OK"]
    emu.reset()
    emu.delay_next(1.0)
    assert (await _query(emu, kind, timeout=(2.0, 0.25))).code == "OK"
    assert emu.count(QUERY) == 2
    emu.reset()
    emu.drop_next()
    assert (await _query(emu, kind)).code == "OK"
    assert emu.count(QUERY) == 2


@pytest.mark.parametrize("kind", KINDS)
async def test_an_idempotent_action_gives_up_after_max_attempts(emu: Emulator, kind: str) -> None:
    emu.fail_next(5)
    with pytest.raises(ServiceUnavailableError):
        await _query(emu, kind)
    assert emu.count(QUERY) == 3


async def test_business_faults_and_action_filters(emu: Emulator) -> None:
    emu.fail_next(code="isv.OUT_OF_SERVICE", action=TTS)
    emu.fail_next(status=503, action=QUERY)
    with pytest.raises(OutOfServiceError) as info:
        await _tts(emu, "sync")
    assert (info.value.http_status, emu.count(TTS), emu.calls) == (200, 1, [])
    assert emu.requests[-1].fault == "error" and emu.requests[-1].code == "isv.OUT_OF_SERVICE"
    assert len(emu.pending_faults) == 1 and emu.pending_faults[0].action == QUERY
    assert (await _query(emu, "sync")).code == "OK"  # the 503 first, then a retry
    assert [r.code for r in emu.requests if r.action == QUERY] == ["ServiceUnavailable", "OK"]


async def test_business_faults_come_after_authentication(emu: Emulator) -> None:
    emu.fail_next(code="isv.OUT_OF_SERVICE")
    with pytest.raises(Exception) as info:
        await _tts(emu, "sync", access_key_secret="wrong")
    assert getattr(info.value, "code", None) == "SignatureDoesNotMatch"
    assert len(emu.pending_faults) == 1


def test_latency_and_fault_arguments(emu: Emulator) -> None:
    emu.latency = 0.1
    with emu.client() as client:
        started = time.monotonic()
        client.cancel_call(call_id="x")
        assert time.monotonic() - started >= 0.1
    for bad in [{"kind": "explode"}, {"kind": "error", "count": 0}, {"kind": "delay", "delay": -1}]:
        with pytest.raises(ValueError):
            emu.inject(**bad)  # type: ignore[arg-type]
    fault = emu.inject("error", 2, status=502, delay=0.01)
    assert (fault.code, fault.status, fault.remaining) == ("InternalError", 502, 2)
    emu.clear_faults()
    assert emu.pending_faults == []


def test_stop_interrupts_a_delayed_answer() -> None:
    emu = Emulator().start()
    emu.delay_next(30)
    client = emu.client(retry=RetryPolicy(max_attempts=1), timeout=(2.0, 10.0))
    import threading

    outcome: list[BaseException] = []

    def call() -> None:
        try:
            client.cancel_call(call_id="x")
        except BaseException as error:  # noqa: BLE001 - recorded for the assertion
            outcome.append(error)

    thread = threading.Thread(target=call)
    thread.start()
    while emu.count() == 0:
        time.sleep(0.01)
    started = time.monotonic()
    emu.stop()
    thread.join(timeout=5)
    client.close()
    assert time.monotonic() - started < 2 and not thread.is_alive()
    assert outcome and isinstance(outcome[0], ConnectionFailedError)


@pytest.mark.parametrize("kind", KINDS)
async def test_a_connection_the_server_closed_is_not_reused(emu: Emulator, kind: str) -> None:
    """A pooled keep-alive connection the server has closed must not fail the next call: the
    request never left, so even a call-placing action without retries has to get through."""
    client = make_client(emu, kind, "v3", retry=RetryPolicy(max_attempts=1))
    try:
        await invoke(client, "single_call_by_tts", called_number="13800000001", tts_code="TTS_1")
        emu.stop()  # closes every open connection, the client's pooled one included
        emu.start()
        response = await invoke(client, "single_call_by_tts", called_number="13800000002", tts_code="TTS_1")
        assert response.code == "OK"
    finally:
        await close(client)
    assert emu.count(TTS) == 2

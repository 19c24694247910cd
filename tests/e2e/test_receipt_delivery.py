"""Receipts end to end: calls play out on the emulator's clock, their receipts reach the
application through the emulated queue (our consumer, and the vendor's own clients) and through
push, typed, once each; the call-detail action tells the same story."""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import time
from collections.abc import Iterator
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from dyvmsapi import Client
from dyvmsapi.receipts import VoiceCallReport, VoiceRecordReport, VoiceReport, push_receiver
from dyvmsapi.testing import Emulator

DETAIL = {"prod_id": 11000000300006}


def _tts(client: Client, number: str = "15900000000", out_id: str = "order-7") -> str:
    call_id: str = client.single_call_by_tts(called_number=number, tts_code="TTS_1", out_id=out_id).call_id
    return call_id


def _detail(client: Client, emu: Emulator, call_id: str) -> object:
    query_date = int(emu.clock.now() * 1000)
    return client.query_call_detail_by_call_id(call_id=call_id, query_date=query_date, **DETAIL).data  # type: ignore[attr-defined]


def test_a_placed_call_gets_one_typed_report_that_is_deleted_once_handled(emu: Emulator) -> None:
    got: list[VoiceReport] = []
    with emu.client() as client:
        call_id = _tts(client)
        assert emu.receipts() == [], "nothing is reported before the call plays out"
        emu.clock.advance(600)
    with emu.consumer(VoiceReport, got.append, wait_seconds=1) as consumer:
        consumer.run(max_receipts=1, timeout=20)
        assert [(r.call_id, r.out_id, r.status_code, r.duration) for r in got] == [
            (call_id, "order-7", "200000", 10)
        ]
        assert got[0].callee == "15900000000" and got[0].hangup_direction == "机器"
        assert got[0].start_time and got[0].end_time and got[0].ring_time
        assert emu.queued("VoiceReport") == 0, "handled, so deleted"
        emu.clock.advance(120)  # past any visibility timeout: a message not deleted would be back
        assert consumer.poll() == 0 and len(got) == 1
        assert consumer.stats.deleted == 1 and consumer.stats.errors == 0


def test_a_handler_that_raises_gets_the_message_again_after_the_visibility_timeout(emu: Emulator) -> None:
    calls: list[VoiceReport] = []

    def flaky(report: VoiceReport) -> None:
        calls.append(report)
        if len(calls) == 1:
            raise RuntimeError("the database is down")

    with emu.client() as client:
        call_id = _tts(client)
    emu.clock.advance(600)
    with emu.consumer(VoiceReport, flaky, wait_seconds=0) as consumer:
        assert consumer.poll() == 0 and consumer.stats.failed == 1
        assert emu.queued("VoiceReport") == 1, "not deleted"
        assert consumer.poll() == 0, "hidden until the visibility timeout ends"
        emu.clock.advance(31)
        assert consumer.poll() == 1
    assert [r.call_id for r in calls] == [call_id, call_id]
    assert emu.queued("VoiceReport") == 0


def test_a_token_that_expires_mid_run_is_replaced(emu: Emulator) -> None:
    got: list[VoiceReport] = []
    with emu.client() as client, emu.consumer(VoiceReport, got.append, wait_seconds=0) as consumer:
        _tts(client, "15900000001")
        emu.clock.advance(600)
        assert consumer.poll() == 1
        emu.expire_tokens()  # refused by the queue: the consumer gets a new one and goes on
        _tts(client, "15900000002")
        emu.clock.advance(600)
        assert consumer.poll() == 1
        emu.clock.advance(3600)  # past the token's lifetime on the clock the consumer reads
        _tts(client, "15900000003")
        emu.clock.advance(600)
        assert consumer.poll() == 1
        assert consumer.stats.token_refreshes == 2 and consumer.stats.errors == 0
    assert [r.callee for r in got] == ["15900000001", "15900000002", "15900000003"]
    tokens = [r for r in emu.requests if r.action == "QueryTokenForMnsQueue"]
    assert len(tokens) == 3 and all(r.params["MessageType"] == "VoiceReport" for r in tokens)


def test_outcomes_per_number_and_per_call_reach_receipts_and_the_call_detail(emu: Emulator) -> None:
    emu.set_outcome("busy", number="13900000002")
    with emu.client() as client:
        busy = _tts(client, "13900000002")
        short = _tts(client, "13900000003")
        emu.set_outcome(emu.outcome("hung_up", talk_seconds=7), call_id=short)
        normal = _tts(client, "13900000004")
        assert _detail(client, emu, normal).state == "502", "in progress: the example's state"  # type: ignore[attr-defined]
        emu.clock.advance(600)
        details = {c: _detail(client, emu, c) for c in (busy, short, normal)}
    reports = {r.message["call_id"]: r.message for r in emu.receipts("VoiceReport")}
    assert (reports[busy]["status_code"], reports[busy]["duration"], reports[busy]["start_time"]) == (
        "200002",
        "0",
        "",
    )
    assert reports[busy]["ring_time"] == "", "a busy line never rings"
    assert (reports[short]["status_code"], reports[short]["duration"]) == ("200001", "7")
    assert reports[short]["hangup_direction"] == "用户"
    assert (reports[normal]["status_code"], reports[normal]["duration"]) == ("200000", "10")
    for call_id, detail in details.items():
        report = reports[call_id]
        assert (detail.state, detail.duration) == (report["status_code"], int(report["duration"]))  # type: ignore[attr-defined]
        assert (detail.start_date, detail.end_date) == (report["start_time"], report["end_time"])  # type: ignore[attr-defined]
    progress = {r.message["call_id"] for r in emu.receipts("VoiceCallReport")}
    assert progress == {short, normal}, "only answered calls report the answer"


def test_the_moments_follow_the_clock(emu: Emulator) -> None:
    with emu.client() as client:
        call_id = _tts(client)
    emu.clock.advance(3)
    assert emu.receipts() == []
    emu.clock.advance(3)  # ringing at 1 s, answered at 5 s
    [answered] = emu.receipts()
    assert (answered.type, answered.moment) == ("VoiceCallReport", "answered")
    assert answered.message["smart_status_code"] == "ANSWERED" and answered.message["out_id"] == "order-7"
    emu.clock.advance(10)  # ended at 15 s
    assert [r.type for r in emu.receipts()] == ["VoiceCallReport", "VoiceReport"]
    assert emu.receipts("VoiceReport")[0].message["call_id"] == call_id


def test_smart_calls_report_their_recording_when_answered(emu: Emulator) -> None:
    emu.set_outcome("not_answered", number="13900000009")
    with emu.client() as client:
        answered = client.smart_call(called_show_number="057100000000", called_number="13900000008",
                                     voice_code="abc.wav").call_id  # fmt: skip
        missed = client.smart_call(called_show_number="057100000000", called_number="13900000009",
                                   voice_code="abc.wav").call_id  # fmt: skip
    emu.clock.advance(600)
    records = [r.message for r in emu.receipts("VoiceRecordReport")]
    assert [m["call_id"] for m in records] == [answered]
    assert records[0]["duration"] == "10" and records[0]["record_file"].startswith("https://")
    assert {r.message["call_id"] for r in emu.receipts("VoiceReport")} == {answered, missed}


def test_the_async_consumer_with_a_coroutine_handler(emu: Emulator) -> None:
    got: list[VoiceCallReport] = []

    async def handle(report: VoiceCallReport) -> None:
        await asyncio.sleep(0)
        got.append(report)

    with emu.client() as client:
        call_id = _tts(client)
    emu.clock.advance(600)

    async def consume() -> None:
        async with emu.async_consumer(VoiceCallReport, handle, wait_seconds=1) as consumer:
            await consumer.run(max_receipts=1, timeout=20)

    asyncio.run(consume())
    assert [(r.call_id, r.smart_status_code) for r in got] == [(call_id, "ANSWERED")]
    assert emu.queued("VoiceCallReport") == 0


def test_a_long_poll_returns_as_soon_as_the_receipt_is_due(emu: Emulator) -> None:
    got: list[VoiceReport] = []
    with emu.client() as client:
        _tts(client)
    with emu.consumer(VoiceReport, got.append, wait_seconds=20) as consumer:
        timer = threading.Timer(0.3, emu.clock.advance, args=(600,))
        timer.start()
        began = time.monotonic()
        assert consumer.poll() == 1
        assert time.monotonic() - began < 10, "the poll waited for the receipt, not for its whole wait"
        timer.join()


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[VoiceReport], list[bool]]]:
    """The application's push URL: a ready-made receiver whose handler can be made to fail."""
    got: list[VoiceReport] = []
    failing = [False]

    def handle(report: VoiceReport) -> None:
        if failing[0]:
            raise RuntimeError("the database is down")
        got.append(report)

    server = make_server("127.0.0.1", 0, push_receiver(VoiceReport, handle), handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/voice", got, failing
    finally:
        server.shutdown()
        server.server_close()


def test_pushed_receipts_reach_the_handler_once_with_the_services_retries(
    emu: Emulator, receiver: tuple[str, list[VoiceReport], list[bool]], caplog: pytest.LogCaptureFixture
) -> None:
    url, got, failing = receiver
    emu.push_to(url, "VoiceReport")
    failing[0] = True
    with emu.client() as client:
        call_id = _tts(client)
    emu.clock.advance(600)
    [first] = emu.deliver_receipts()
    assert (first.attempt, first.status, first.delivered) == (1, 500, False)
    assert emu.deliver_receipts() == [], "the next try waits a minute"
    failing[0] = False
    emu.clock.advance(60)
    [second] = emu.deliver_receipts()
    assert (second.attempt, second.status, second.delivered) == (2, 200, True)
    assert [(r.call_id, r.out_id) for r in got] == [(call_id, "order-7")]
    emu.clock.advance(3600)
    assert emu.deliver_receipts() == [] and len(got) == 1
    assert "the database is down" in caplog.text


def test_a_push_url_that_never_answers_200_is_tried_four_times(emu: Emulator) -> None:
    emu.push_to("http://127.0.0.1:9/nobody", "VoiceReport")
    with emu.client() as client:
        _tts(client)
    emu.clock.advance(600)
    attempts = []
    for _ in range(6):
        attempts += emu.deliver_receipts()
        emu.clock.advance(600)
    assert [(a.attempt, a.delivered, a.status) for a in attempts] == [(n, False, 0) for n in (1, 2, 3, 4)]


def test_the_background_pusher_delivers_without_help(
    emu: Emulator, receiver: tuple[str, list[VoiceReport], list[bool]]
) -> None:
    url, got, _ = receiver
    emu.push_to(url, "VoiceReport")
    with emu.client() as client:
        call_id = _tts(client)
    emu.clock.advance(600)
    deadline = time.monotonic() + 10
    while not got and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [r.call_id for r in got] == [call_id]


def test_the_vendors_clients_read_the_emulated_queue(emu: Emulator) -> None:
    """The official Dybaseapi SDK gets the token, and the vendor's MNS client reads and deletes
    with it: our emulation of both protocols is the vendor's, not just our own consumer's."""
    from alibabacloud_dybaseapi20170525 import models as dybase_models
    from alibabacloud_dybaseapi20170525.client import Client as DybaseClient
    from alibabacloud_tea_openapi import models as openapi_models
    from mns.account import Account  # type: ignore[import-untyped]

    with emu.client() as client:
        call_id = _tts(client)
    emu.clock.advance(600)
    config = openapi_models.Config(access_key_id=emu.access_key_id, access_key_secret=emu.access_key_secret,
                                   endpoint=emu.host, protocol="http")  # fmt: skip
    queue = emu.queue_name("VoiceReport")
    request = dybase_models.QueryTokenForMnsQueueRequest(message_type="VoiceReport", queue_name=queue)
    dto = DybaseClient(config).query_token_for_mns_queue(request).body.message_token_dto
    assert dto.access_key_id.startswith("STS.") and dto.expire_time > dto.create_time
    account = Account(emu.endpoint, dto.access_key_id, dto.access_key_secret, dto.security_token)
    mns_queue = account.get_queue(queue)
    mns_queue.set_encoding(False)
    [message] = mns_queue.batch_receive_message(16, 1)
    [report] = json.loads(base64.b64decode(message.message_body))
    assert report["call_id"] == call_id and message.dequeue_count == 1
    mns_queue.batch_delete_message([message.receipt_handle])
    assert emu.queued("VoiceReport") == 0
    assert all(r.status < 400 for r in emu.requests if r.path.startswith("/queues/")), "signatures verified"

"""The receipt models and the push receiver of the generated package (dyvmsapi.receipts): typed,
tolerant of the strings the service sends, and answering a push the way the service expects."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from dyvmsapi import receipts
from dyvmsapi.receipts import PUSH_REPLY, RECEIPT_TYPES, ReceiptError, VoiceRecordReport, VoiceReport, parse
from generator.frontend.pipeline import load_api
from generator.targets.python import naming

ROOT = Path(__file__).resolve().parents[2]


def test_every_receipt_type_of_the_specs_has_a_model_with_every_field() -> None:
    spec = load_api(ROOT / "specs").product.receipts
    assert spec is not None
    assert list(RECEIPT_TYPES) == [t.name for t in spec.types]
    for t in spec.types:
        model = RECEIPT_TYPES[t.name]
        assert model.MESSAGE_TYPE == t.name
        assert {naming.attribute(f.wire_name): f.wire_name for f in t.fields} == {
            name: info.alias for name, info in model.model_fields.items() if name != "raw"
        }
    assert json.loads(PUSH_REPLY) == json.loads(spec.push_reply or "")


def test_values_are_read_tolerantly_and_the_message_is_kept() -> None:
    message = {"call_id": "116012354148^10281378", "duration": "12", "status_code": 200000,
               "hangup_direction": "用户", "toll_type": "SATELLITE", "out_id": "", "new_field": "x"}  # fmt: skip
    [report] = parse(VoiceReport, json.dumps(message, ensure_ascii=False))
    assert report.call_id == "116012354148^10281378" and report.duration == 12
    assert report.status_code == "200000", "a number where a string is due becomes the string"
    assert (
        report.hangup_direction == "用户" and report.toll_type == "SATELLITE"
    ), "unlisted values still arrive"
    assert report.out_id == "" and report.ring_time is None
    assert report.raw == message, "the message as it came, unknown keys included"
    assert "raw" not in repr(report) and "raw" not in report.model_dump()
    odd = parse(VoiceRecordReport, '{"call_id": "1", "duration": "", "start_time": ["x"]}')[0]
    assert (odd.duration, odd.start_time) == (None, None) and odd.raw["start_time"] == ["x"]
    assert [r.call_id for r in parse(VoiceReport, b'[{"call_id": "a"}, {"call_id": "b"}]')] == ["a", "b"]


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'"text"', b"[" * 100_000, b"[{}, 3]"])
def test_what_is_not_receipts_is_a_receipt_error(body: bytes) -> None:
    with pytest.raises(ReceiptError):
        parse(VoiceReport, body)


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def push() -> Iterator[tuple[str, list[VoiceReport], list[bool]]]:
    """A push receiver on loopback: its URL, the receipts its handler got, and a switch to fail."""
    got: list[VoiceReport] = []
    failing = [False]

    def handler(report: VoiceReport) -> None:
        if failing[0] and report.call_id == "2":
            raise RuntimeError("the database is down")
        got.append(report)

    server = make_server("127.0.0.1", 0, receipts.push_receiver(VoiceReport, handler), handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/receipts", got, failing
    finally:
        server.shutdown()
        server.server_close()


def _post(url: str, body: bytes, method: str = "POST") -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body if method == "POST" else None, method=method,
                                     headers={"Content-Type": "application/json"})  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_the_push_receiver_answers_as_the_service_expects(
    push: tuple[str, list[VoiceReport], list[bool]],
) -> None:
    url, got, failing = push
    body = json.dumps([{"call_id": "1", "duration": "3"}, {"call_id": "2"}]).encode()
    assert _post(url, body) == (200, PUSH_REPLY)
    assert [r.call_id for r in got] == ["1", "2"] and got[0].duration == 3
    assert _post(url, body) == (200, PUSH_REPLY) and len(got) == 2, "a receipt sent twice is handled once"
    again = json.dumps([{"call_id": "3"}, {"call_id": "2", "duration": "4"}]).encode()
    failing[0] = True
    status, _ = _post(url, again)
    assert status == 500, "a failed handler gets the batch again: the service retries non-200 answers"
    failing[0] = False
    assert _post(url, again) == (200, PUSH_REPLY)
    assert [r.call_id for r in got] == ["1", "2", "3", "2"], "the resent batch: 3 was handled, not again"
    assert _post(url, b"{oops")[0] == 400
    assert _post(url, b"", method="GET")[0] == 405
    assert len(got) == 4


def _asgi(app: object, method: str, chunks: list[bytes]) -> tuple[int, bytes]:
    """One request through an ASGI application, as a server would drive it."""
    import asyncio

    sent: list[dict[str, object]] = []
    incoming = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)
    ]

    async def receive() -> dict[str, object]:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    asyncio.run(app({"type": "http", "method": method, "path": "/"}, receive, send))  # type: ignore[operator]
    start, body = sent
    return int(start["status"]), bytes(body["body"])  # type: ignore[call-overload]


def test_the_push_receiver_is_also_an_asgi_application() -> None:
    got: list[VoiceReport] = []
    receiver = receipts.push_receiver(VoiceReport, got.append)
    body = json.dumps([{"call_id": "1", "duration": "3"}]).encode()
    assert _asgi(receiver.asgi, "POST", [body[:5], body[5:]]) == (200, PUSH_REPLY)
    assert [(r.call_id, r.duration) for r in got] == [("1", 3)]
    assert _asgi(receiver.asgi, "POST", [body]) == (200, PUSH_REPLY) and len(got) == 1, "handled once"
    assert _asgi(receiver.asgi, "GET", [b""])[0] == 405
    assert _asgi(receiver.asgi, "POST", [b"[", b"x" * receiver.max_body])[0] == 413
    assert _asgi(receiver.asgi, "POST", [b"{oops"])[0] == 400

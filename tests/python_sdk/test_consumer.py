"""The pull consumer of receipts (dyvmsapi._consumer) against a fake queue on loopback.

``FakeQueue`` is the token action (its RPC signature checked by ``loopback``'s own verifiers) and
one MNS queue whose signatures it recomputes here from the raw request, with long polls, a
visibility timeout, deletes, and faults on demand. Tests count on the server and in the stats,
never on timing; every pause is a few hundredths of a second.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from dyvmsapi import CredentialsError, DyvmsapiError, InvalidResponseError, NetworkError
from dyvmsapi._consumer import AsyncConsumer, Consumer, ConsumerStats, QueueError, ReceiptSource, parse_time
from dyvmsapi.receipts import VoiceReport
from loopback import SECRETS, verify_v1, verify_v3

QUEUE = "Alicom-Queue-1234-VoiceReport"
NS = "http://mns.aliyuncs.com/doc/v1/"
ZONE = timezone(timedelta(hours=8))
SOURCE = ReceiptSource(
    token_product="Dybaseapi",
    token_api_version="2017-05-25",
    token_endpoint="dybaseapi.aliyuncs.com",
    token_action="QueryTokenForMnsQueue",
    refresh_before_seconds=120,
    queue_endpoint="https://1943695596114318.mns.cn-hangzhou.aliyuncs.com",
    protocol_version="2015-06-06",
    max_batch=16,
    max_wait_seconds=30,
    utc_offset_minutes=480,
)
ROOT_KEY, ROOT_SECRET = next(iter(SECRETS.items()))


def report(call_id: str, **fields: str) -> dict[str, str]:
    return {"call_id": call_id, "status_code": "200000", "duration": "12", **fields}


# -- the fake queue ------------------------------------------------------------------------------


@dataclass
class Queued:
    id: str
    body: str  # base64, as stored
    handle: str = ""
    visible_at: float = 0.0  # time.monotonic()
    dequeued: int = 0


class FakeQueue:
    """The token action and one MNS queue, on loopback. ``clock`` is the service's (fake) time."""

    def __init__(self, *, visibility: float = 0.3, lifetime: float = 8 * 3600, time_format: str = "local"):
        self.now = 1_796_119_200.0
        self.visibility, self.lifetime, self.time_format = visibility, lifetime, time_format
        self.cond = threading.Condition()
        self.queue: dict[str, Queued] = {}
        self.tokens: dict[str, tuple[str, str, float]] = {}  # STS key id → (secret, token, expiry)
        self.token_schemes: list[str] = []
        self.faults: list[tuple[str, str]] = []  # (where, what), taken in order
        self.fail_delete: set[str] = set()  # message ids whose next delete fails
        self.deleted: list[str] = []
        self.receives = 0
        self.refused: list[str] = []  # requests whose signature or token was wrong
        self.secrets: set[str] = {ROOT_SECRET}  # everything that must never be shown
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._count = 0

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def clock(self) -> float:
        return self.now

    def put(self, *receipts: dict[str, str], raw: bytes | None = None) -> str:
        body = raw if raw is not None else json.dumps(list(receipts), ensure_ascii=False).encode()
        with self.cond:
            self._count += 1
            message = Queued(f"M{self._count:04d}", base64.b64encode(body).decode())
            self.queue[message.id] = message
            self.cond.notify_all()
        return message.id

    def fault(self, where: str, what: str, times: int = 1) -> None:
        with self.cond:
            self.faults += [(where, what)] * times

    def expire_tokens(self) -> None:
        """The service's clock is ahead: every token issued so far has expired for it."""
        with self.cond:
            self.tokens = {k: (s, t, self.now) for k, (s, t, _) in self.tokens.items()}

    def _take_fault(self, where: str) -> str | None:
        with self.cond:
            for index, (w, what) in enumerate(self.faults):
                if w == where:
                    del self.faults[index]
                    return what
        return None

    # -- the token action --------------------------------------------------------------------------

    def token_action(self, path: str, headers: dict[str, str]) -> tuple[int, bytes, str]:
        query = parse_qsl(urlsplit(path).query, keep_blank_values=True)
        params = dict(query)
        if "authorization" in headers:
            scheme, ok = "v3", verify_v3("POST", query, headers)
            action, version = headers.get("x-acs-action"), headers.get("x-acs-version")
        else:
            scheme, ok = "v1", verify_v1("POST", query)
            action, version = params.get("Action"), params.get("Version")
        self.token_schemes.append(scheme)
        self.secrets |= {headers.get("authorization", ""), params.get("Signature", "")}
        if not ok:
            self.refused.append(f"token action: bad {scheme} signature")
            return self._json(400, {"Code": "SignatureDoesNotMatch", "Message": "bad signature"})
        asked = (action, version, params.get("MessageType"), params.get("QueueName"))
        if asked != ("QueryTokenForMnsQueue", "2017-05-25", "VoiceReport", QUEUE):
            self.refused.append(f"token action: {asked}")
            return self._json(400, {"Code": "InvalidParameter", "Message": "wrong request"})
        fault = self._take_fault("token")
        if fault == "500":
            return self._json(500, {"Code": "InternalError", "Message": "token service down"})
        if fault == "code":
            return self._json(
                200, {"Code": "isv.QueueNotFound", "Message": "no such queue", "RequestId": "T"}
            )
        with self.cond:
            n = len(self.tokens) + 1
            key, secret, token = f"STS.key{n}", f"tmp-secret-{n}/x+y=", f"security-token-{n}-abcdef"
            expires = self.now + self.lifetime
            self.tokens[key] = (secret, token, expires)
            self.secrets |= {secret, token}
        dto = {"AccessKeyId": key, "AccessKeySecret": secret, "SecurityToken": token,
               "CreateTime": self._time(self.now), "ExpireTime": self._time(expires)}  # fmt: skip
        return self._json(200, {"RequestId": f"T{n}", "Code": "OK", "Message": "OK", "MessageTokenDTO": dto})

    def _time(self, epoch: float) -> Any:
        if self.time_format == "iso":
            return datetime.fromtimestamp(epoch, timezone.utc).isoformat().replace("+00:00", "Z")
        if self.time_format == "ms":
            return str(int(epoch * 1000))
        return datetime.fromtimestamp(epoch, ZONE).strftime("%Y-%m-%d %H:%M:%S")

    # -- the queue: signature first ---------------------------------------------------------------

    def check(self, method: str, path: str, headers: dict[str, str]) -> tuple[int, bytes, str] | None:
        """The error answer for a request whose signature or token is wrong, else None."""
        auth = headers.get("authorization", "")
        key_id, _, signature = auth.removeprefix("MNS ").rpartition(":")
        self.secrets |= {auth, signature}
        with self.cond:
            entry = self.tokens.get(key_id)
        if not auth.startswith("MNS ") or entry is None:
            self.refused.append(f"{method}: unknown key")
            return self._error(403, "InvalidAccessKeyId")
        secret, token, expires = entry
        lines = [
            method,
            headers.get("content-md5", ""),
            headers.get("content-type", ""),
            headers.get("date", ""),
        ]
        mns = "".join(f"{k}:{headers[k]}\n" for k in sorted(headers) if k.startswith("x-mns-"))
        text = "\n".join(lines) + "\n" + mns + path
        expected = base64.b64encode(hmac.new(secret.encode(), text.encode(), hashlib.sha1).digest()).decode()
        if not hmac.compare_digest(expected, signature):
            self.refused.append(f"{method}: bad signature")
            return self._error(403, "SignatureDoesNotMatch")
        if headers.get("security-token") != token or headers.get("x-mns-version") != "2015-06-06":
            self.refused.append(f"{method}: wrong security token or version")
            return self._error(403, "InvalidSecurityToken")
        if self.now >= expires:
            return self._error(403, "SecurityTokenExpired")
        return None

    def receive(self, path: str) -> tuple[int, bytes, str]:
        query = dict(parse_qsl(urlsplit(path).query))
        fault = self._take_fault("receive")
        if fault == "500":
            return self._error(500, "InternalError")
        self.receives += 1
        count, deadline = int(query["numOfMessages"]), time.monotonic() + int(query["waitseconds"])
        with self.cond:
            while True:
                now = time.monotonic()
                ready = [m for m in self.queue.values() if m.visible_at <= now][:count]
                if ready or now >= deadline:
                    break
                soonest = min([m.visible_at for m in self.queue.values()] + [deadline])
                self.cond.wait(max(0.005, soonest - now))
            for m in ready:
                m.dequeued += 1
                m.handle, m.visible_at = f"{m.id}-handle-{m.dequeued}", now + self.visibility
        if not ready:
            return self._error(404, "MessageNotExist")
        items = []
        for index, m in enumerate(ready):
            md5 = hashlib.md5(m.body.encode()).hexdigest().upper()
            if fault == "md5" and index == 0:
                md5 = "0" * 32
            items.append(
                f"<Message><MessageId>{m.id}</MessageId><ReceiptHandle>{m.handle}</ReceiptHandle>"
                f"<MessageBody>{m.body}</MessageBody><MessageBodyMD5>{md5}</MessageBodyMD5>"
                f"<DequeueCount>{m.dequeued}</DequeueCount><EnqueueTime>1</EnqueueTime></Message>"
            )
        return 200, f'<Messages xmlns="{NS}">{"".join(items)}</Messages>'.encode(), "text/xml"

    def delete(self, body: bytes, headers: dict[str, str]) -> tuple[int, bytes, str]:
        if self._take_fault("delete") == "500":
            return self._error(500, "InternalError")
        assert headers.get("content-type") == "text/xml;charset=UTF-8"
        handles = [e.text or "" for e in ET.fromstring(body).iter(f"{{{NS}}}ReceiptHandle")]
        errors = []
        with self.cond:
            for handle in handles:
                found = next((m for m in self.queue.values() if m.handle == handle), None)
                if found is None or found.id in self.fail_delete:
                    self.fail_delete.discard(found.id if found else "")
                    errors.append(
                        "<Error><ErrorCode>ReceiptHandleError</ErrorCode><ErrorMessage>expired</ErrorMessage>"
                        f"<ReceiptHandle>{handle}</ReceiptHandle></Error>"
                    )
                else:
                    del self.queue[found.id]
                    self.deleted.append(found.id)
        if not errors:
            return 204, b"", "text/xml"
        return 404, f'<Errors xmlns="{NS}">{"".join(errors)}</Errors>'.encode(), "text/xml"

    def _error(self, status: int, code: str) -> tuple[int, bytes, str]:
        xml = f'<Error xmlns="{NS}"><Code>{code}</Code><Message>{code}</Message><RequestId>R</RequestId>'
        return status, f"{xml}</Error>".encode(), "text/xml"

    @staticmethod
    def _json(status: int, body: dict[str, Any]) -> tuple[int, bytes, str]:
        return status, json.dumps(body).encode(), "application/json"

    def __enter__(self) -> FakeQueue:
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeQueue


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def _serve(self, method: str) -> None:
        fake = self.server.fake
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k.lower(): v for k, v in self.headers.items()}
        path = urlsplit(self.path).path
        if method == "POST" and path == "/":
            answer = fake.token_action(self.path, headers)
        elif path == f"/queues/{QUEUE}/messages" and method in ("GET", "DELETE"):
            answer = fake.check(method, self.path, headers) or (
                fake.receive(self.path) if method == "GET" else fake.delete(body, headers)
            )
        else:
            answer = fake._error(404, "QueueNotExist")
        status, payload, content_type = answer
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_POST(self) -> None:
        self._serve("POST")

    def do_GET(self) -> None:
        self._serve("GET")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def log_message(self, *args: Any) -> None:
        pass


# -- fixtures ------------------------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[FakeQueue]:
    with FakeQueue() as fake:
        yield fake
        assert fake.refused == [], "every request the consumer made was signed right"


def settings(server: FakeQueue, **options: Any) -> dict[str, Any]:
    """A consumer's settings for the fake queue: quick long polls, tiny backoff, the fake clock."""
    return {
        "source": SOURCE,
        "queue_name": QUEUE,
        "access_key_id": ROOT_KEY,
        "access_key_secret": ROOT_SECRET,
        "token_endpoint": server.endpoint,
        "queue_endpoint": server.endpoint,
        "wait_seconds": 1,
        "backoff": (0.001, 0.004),
        "clock": server.clock,
        **options,
    }


def consumer(
    server: FakeQueue, handler: Callable[[VoiceReport], object], **options: Any
) -> Consumer[VoiceReport]:
    return Consumer(VoiceReport, handler, **settings(server, **options))


def async_consumer(
    server: FakeQueue, handler: Callable[[VoiceReport], object], **options: Any
) -> AsyncConsumer[VoiceReport]:
    return AsyncConsumer(VoiceReport, handler, **settings(server, **options))


class Recorder:
    """A handler that keeps what it got and raises for the call ids in ``failing`` (once each)."""

    def __init__(self, *failing: str) -> None:
        self.got: list[VoiceReport] = []
        self.failing = set(failing)

    def __call__(self, receipt: VoiceReport) -> None:
        if receipt.call_id in self.failing:
            self.failing.discard(receipt.call_id)
            raise RuntimeError(f"the database is down ({receipt.call_id})")
        self.got.append(receipt)

    @property
    def ids(self) -> list[str | None]:
        return [r.call_id for r in self.got]


# -- the tests -----------------------------------------------------------------------------------


def test_typed_receipts_reach_the_handler_once_in_order_and_are_deleted(server: FakeQueue) -> None:
    first = server.put(report("c1"), report("c2", hangup_direction="用户"))
    second = server.put(report("c3"))
    handler = Recorder()
    with consumer(server, handler, wait_seconds=0) as c:
        assert c.poll() == 3
        assert c.poll() == 0, "an empty poll is no error"
        stats = c.stats
    assert handler.ids == ["c1", "c2", "c3"]
    assert all(isinstance(r, VoiceReport) and r.duration == 12 for r in handler.got)
    assert handler.got[1].hangup_direction == "用户"
    assert server.deleted == [first, second] and server.queue == {}
    assert stats == ConsumerStats(handled=3, deleted=2)
    assert server.token_schemes == ["v3"]


def test_v1_signing_and_other_time_formats(server: FakeQueue) -> None:
    server.time_format = "ms"
    server.put(report("c1"))
    with consumer(server, Recorder(), source=replace(SOURCE, signing="v1")) as c:
        assert c.poll() == 1
    assert server.token_schemes == ["v1"]
    expected = datetime(2026, 12, 1, 18, 0, tzinfo=ZONE).timestamp()
    millis = int(expected * 1000)
    forms = ["2026-12-01 18:00:00", "2026-12-01T10:00:00Z", "2026-12-01T18:00:00+08:00", str(millis), millis]
    assert [parse_time(form, 480) for form in forms] == [expected] * len(forms)
    with pytest.raises(InvalidResponseError, match="not a time"):
        parse_time("tomorrow", 480)


def test_a_failing_handler_leaves_its_message_which_comes_back(server: FakeQueue) -> None:
    failing = server.put(report("c1"), report("c2"))
    other = server.put(report("c3"))
    handler = Recorder("c2")
    with consumer(server, handler) as c:
        assert c.poll() == 2, "c1 and c3 handled; c2 raised"
        assert server.deleted == [other] and list(server.queue) == [failing]
        c.run(max_receipts=1, timeout=10)  # after the visibility timeout
        stats = c.stats
    assert handler.ids == ["c1", "c3", "c2"], "c1 is not handed over twice"
    assert server.deleted == [other, failing]
    assert stats == ConsumerStats(handled=3, failed=1, duplicates=1, deleted=2)


def test_a_partial_delete_failure_is_counted_and_the_redelivery_dropped(server: FakeQueue) -> None:
    kept = server.put(report("c1"))
    gone = server.put(report("c2"))
    server.fail_delete.add(kept)
    handler = Recorder()
    with consumer(server, handler) as c:
        assert c.poll() == 2
        assert (c.stats.deleted, c.stats.delete_failures) == (1, 1)
        assert server.deleted == [gone]
        while server.queue:
            assert c.poll() == 0, "the redelivered receipt is a duplicate"
        stats = c.stats
    assert handler.ids == ["c1", "c2"]
    assert server.deleted == [gone, kept]
    assert stats == ConsumerStats(handled=2, duplicates=1, deleted=2, delete_failures=1)


def test_the_same_receipt_twice_is_handled_once_and_remember_is_bounded(server: FakeQueue) -> None:
    server.put(report("c1"))
    server.put(report("c1"))
    handler = Recorder()
    with consumer(server, handler) as c:
        assert c.poll() == 1
        assert (c.stats.duplicates, c.stats.deleted) == (1, 2)
    server.put(report("a"), report("b"))
    server.put(report("a"))
    small = Recorder()
    with consumer(server, small, remember=1) as c:
        assert c.poll() == 3, "with room for one identity, 'a' was forgotten when 'b' came"
    assert small.ids == ["a", "b", "a"]


def test_a_body_that_is_not_receipts_is_left_and_the_rest_handled(server: FakeQueue, caplog: Any) -> None:
    bad = server.put(raw=b"this is not json")
    server.put(report("c1"))
    handler = Recorder()
    with consumer(server, handler) as c:
        assert c.poll() == 1
        stats = c.stats
    assert handler.ids == ["c1"] and bad in server.queue
    assert stats == ConsumerStats(handled=1, unreadable=1, deleted=1)
    assert any(bad in r.getMessage() and r.name == "dyvmsapi.receipts" for r in caplog.records)


def test_the_token_is_refreshed_before_it_expires(server: FakeQueue) -> None:
    server.put(report("c1"))
    with consumer(server, Recorder(), wait_seconds=0) as c:
        assert c.poll() == 1
        server.now += server.lifetime - 300  # still valid, outside the refresh window
        c.poll()
        assert len(server.tokens) == 1
        server.now += 200  # 100 s left, inside the 120 s window
        server.put(report("c2"))
        assert c.poll() == 1
        stats = c.stats
    assert len(server.tokens) == 2 and stats == ConsumerStats(handled=2, deleted=2, token_refreshes=1)


def test_the_token_is_refreshed_when_the_queue_refuses_it(server: FakeQueue) -> None:
    server.put(report("c1"))
    with consumer(server, Recorder()) as c:
        assert c.poll() == 1
        server.expire_tokens()  # the service's clock is ahead of ours
        server.put(report("c2"))
        assert c.poll() == 1
        stats = c.stats
    assert len(server.tokens) == 2 and stats == ConsumerStats(handled=2, deleted=2, token_refreshes=1)


def test_errors_back_off_and_are_counted(server: FakeQueue, caplog: Any) -> None:
    server.put(report("c1"))
    server.fault("receive", "500", times=3)
    server.fault("token", "500")
    handler = Recorder()
    with consumer(server, handler) as c, caplog.at_level(logging.WARNING, "dyvmsapi.receipts"):
        c.run(max_receipts=1, timeout=10)
        stats = c.stats
    assert handler.ids == ["c1"]
    assert stats == ConsumerStats(handled=1, deleted=1, errors=4)
    warnings = [
        r for r in caplog.records if r.levelno == logging.WARNING and "next poll in" in r.getMessage()
    ]
    assert len(warnings) == 4


def test_poll_raises_typed_errors(server: FakeQueue) -> None:
    server.put(report("c1"))
    with consumer(server, Recorder()) as c:
        server.fault("token", "code")
        with pytest.raises(DyvmsapiError, match="isv.QueueNotFound"):
            c.poll()
        server.fault("receive", "md5")
        with pytest.raises(InvalidResponseError, match="MD5"):
            c.poll()
        server.fault("receive", "500")
        with pytest.raises(QueueError) as caught:
            c.poll()
        error = caught.value
        assert (error.code, error.http_status, error.category) == ("InternalError", 500, "server")
        assert c.stats.errors == 3
        c.run(max_receipts=1, timeout=10)  # the message refused for its MD5 comes back
        assert c.stats.handled == 1
    with consumer(server, Recorder(), queue_endpoint="http://127.0.0.1:9") as c:
        with pytest.raises(NetworkError):
            c.poll()


def test_stop_from_another_thread_ends_run(server: FakeQueue) -> None:
    got = threading.Event()
    c = consumer(server, lambda receipt: got.set())
    thread = threading.Thread(target=c.run)
    thread.start()
    server.put(report("c1"))
    assert got.wait(10)
    c.stop()
    thread.join(10)
    assert not thread.is_alive()
    server.fault("receive", "500", times=100)
    slow = consumer(server, Recorder(), backoff=(30.0, 30.0))
    thread = threading.Thread(target=slow.run)
    thread.start()
    while slow.stats.errors == 0:
        time.sleep(0.01)
    slow.stop()  # wakes the 30 s backoff
    thread.join(10)
    assert not thread.is_alive()
    c.close()
    slow.close()
    with pytest.raises(RuntimeError, match="closed"):
        c.poll()


async def test_the_async_consumer_awaits_an_async_handler(server: FakeQueue) -> None:
    server.put(report("c1"), report("c2"))
    server.put(report("c3"))
    server.fault("receive", "500")
    got: list[str | None] = []

    async def handler(receipt: VoiceReport) -> None:
        await asyncio.sleep(0)
        if receipt.call_id == "c2" and "c2" not in got:
            got.append("c2")
            raise RuntimeError("once")
        got.append(receipt.call_id)

    async with async_consumer(server, handler) as c:
        await c.run(max_receipts=3, timeout=10)
        while server.queue:
            await c.poll()
        stats = c.stats
    assert got == ["c1", "c2", "c3", "c2"]
    assert stats == ConsumerStats(handled=3, failed=1, errors=1, duplicates=1, deleted=2)
    assert server.queue == {}


async def test_the_async_consumer_stops_and_cancels_cleanly(server: FakeQueue) -> None:
    c = async_consumer(server, Recorder(), backoff=(30.0, 30.0))
    task = asyncio.create_task(c.run())
    while server.receives == 0:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    server.put(report("c1"))
    assert await c.poll() == 1, "still usable after a cancelled run"
    server.fault("receive", "500", times=100)
    task = asyncio.create_task(c.run())
    while c.stats.errors == 0:
        await asyncio.sleep(0.01)
    await asyncio.to_thread(c.stop)  # from another thread, during the 30 s backoff
    await asyncio.wait_for(task, 10)
    await c.aclose()


def test_no_secret_in_reprs_logs_or_errors(server: FakeQueue, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    server.put(report("c1"), report("c2"))
    server.put(raw=b"[1]")
    server.fail_delete.add(server.put(report("c3")))
    errors: list[BaseException] = []
    with consumer(server, Recorder("c2")) as c:
        c.poll()
        server.expire_tokens()
        for where, what in [("token", "code"), ("receive", "md5"), ("receive", "500"), ("delete", "500")]:
            server.fault(where, what)
            server.put(report(f"x-{what}"))
            try:
                c.poll()
                server.expire_tokens()
            except DyvmsapiError as exc:
                errors.append(exc)
        c.run(max_receipts=1, timeout=10)
        shown = [repr(c), str(c), repr(c.stats), repr(c._token)]
    assert repr(c) == f"Consumer[VoiceReport](queue={QUEUE!r})"
    text = "\n".join([caplog.text, *shown, *map(str, errors), *map(repr, errors)])
    assert len(errors) == 3 and len(server.secrets) > 10
    leaked = [s for s in server.secrets if s and s in text]
    assert leaked == []


def test_credentials_come_from_the_arguments_or_the_environment(server: FakeQueue, monkeypatch: Any) -> None:
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", ROOT_KEY)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", ROOT_SECRET)
    server.put(report("c1"))
    with consumer(server, Recorder(), access_key_id=None, access_key_secret=None) as c:
        assert c.poll() == 1
    monkeypatch.delenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
    with pytest.raises(CredentialsError, match="ALIBABA_CLOUD_ACCESS_KEY_SECRET") as missing:
        consumer(server, Recorder(), access_key_id="testid", access_key_secret=None)
    assert ROOT_SECRET not in f"{missing.value} {missing.value!r}"


@pytest.mark.parametrize(
    ("options", "message"),
    [({"batch": 17}, "batch"), ({"wait_seconds": 31}, "wait_seconds"), ({"queue_name": ""}, "queue_name"),
     ({"backoff": (2.0, 1.0)}, "backoff"), ({"source": replace(SOURCE, signing="v2")}, "signing")],
)  # fmt: skip
def test_settings_are_checked(server: FakeQueue, options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        consumer(server, Recorder(), **options)

"""The asyncio transports (dyvmsapi._async_transport) against small asyncio servers written here:
keep-alive, the pool's bound, bodies, limits, deadlines, stale connections, proxies and TLS, and
that no message or log line carries a request's query (its signature and token) or a proxy's
credentials. Connections and requests are counted on the server side.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import socket
import ssl
import threading
import time
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from dyvmsapi._async_transport import AsyncTransport
from dyvmsapi._httpx_transport import HttpxTransport
from dyvmsapi._transport import Prepared, Proxy, ResponseTooLarge, SendError, Timeouts
from loopback import Loopback

SECRETS = ("AKID", "TOKEN", "SIG", "s3cret")
TARGET = "/?AccessKeyId=AKID&SecurityToken=TOKEN&Signature=SIG"
FAST = Timeouts(1.0, 2.0)
OK = b'{"Code":"OK"}'


def prepared(port: int, host: str = "127.0.0.1", scheme: str = "http") -> Prepared:
    return Prepared(scheme, f"{host}:{port}", TARGET, {"x-acs-action": "Test", "content-length": "0"})


def assert_no_secret(text: str) -> None:
    assert not [s for s in SECRETS if s in text], text


@dataclass
class Request:
    line: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Server:
    """Counts connections (in all, and open at once) and the requests it read."""

    port: int = 0
    connections: int = 0
    open: int = 0
    peak: int = 0
    requests: list[Request] = field(default_factory=list)


Handler = Callable[[Server, asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def serve(handler: Handler, tls: ssl.SSLContext | None = None) -> AsyncIterator[Server]:
    state = Server()
    handlers: set[asyncio.Task[None]] = set()

    async def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        state.connections += 1
        state.open += 1
        state.peak = max(state.peak, state.open)
        task = asyncio.current_task()
        assert task is not None
        handlers.add(task)
        try:
            await handler(state, reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError, asyncio.CancelledError):
            pass  # a cancelled handler ends quietly: Python 3.11's streams log it as an error
        finally:
            state.open -= 1
            handlers.discard(task)
            writer.close()

    server = await asyncio.start_server(connected, "127.0.0.1", 0, ssl=tls)
    state.port = server.sockets[0].getsockname()[1]
    async with server:
        yield state
    for task in list(handlers):
        task.cancel()
    await asyncio.gather(*handlers, return_exceptions=True)


async def read_request(server: Server, reader: asyncio.StreamReader) -> Request | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    line, *rest = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in rest if h)}
    request = Request(line, headers, await reader.readexactly(int(headers.get("content-length", 0))))
    server.requests.append(request)
    return request


def response(body: bytes = OK, *, extra: str = "") -> bytes:
    head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\nX-Acs-Request-Id: r-1\r\n{extra}\r\n"
    return head.encode() + body


def answering(delay: float = 0.0, close_after: bool = False) -> Handler:
    async def handler(server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await read_request(server, reader) is not None:
            await asyncio.sleep(delay)
            writer.write(response())
            await writer.drain()
            if close_after:
                return

    return handler


def once(raw: bytes, *, then: float = 0.0) -> Handler:
    """Answers each request with ``raw``; then waits ``then`` seconds and closes."""

    async def handler(server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await read_request(server, reader) is not None:
            writer.write(raw)
            await writer.drain()
            if then:
                await asyncio.sleep(then)
                return

    return handler


# --- keep-alive, the pool, bodies -----------------------------------------------------------------


async def test_keep_alive_and_the_request_on_the_wire() -> None:
    async with serve(answering()) as server:
        transport = AsyncTransport(FAST)
        answers = [await transport.send(prepared(server.port)) for _ in range(5)]
        await transport.close()
    assert server.connections == 1 and len(server.requests) == 5
    assert answers[0].status == 200 and answers[0].body == OK
    assert answers[0].headers["x-acs-request-id"] == "r-1"
    first = server.requests[0]
    assert first.line == f"POST {TARGET} HTTP/1.1"
    assert first.headers["host"] == f"127.0.0.1:{server.port}" and first.headers["content-length"] == "0"
    assert first.headers["x-acs-action"] == "Test" and first.headers["accept-encoding"] == "identity"


async def test_the_pool_is_bounded_under_200_tasks() -> None:
    async with serve(answering(delay=0.002)) as server:
        transport = AsyncTransport(FAST, max_connections=8)
        answers = await asyncio.gather(*(transport.send(prepared(server.port)) for _ in range(200)))
        await transport.close()
    assert all(a.body == OK for a in answers) and len(server.requests) == 200
    assert server.connections == 8 and server.peak == 8


async def test_waiting_for_a_free_connection_times_out_unsent() -> None:
    async with serve(answering(delay=0.5)) as server:
        transport = AsyncTransport(Timeouts(0.1, 2.0), max_connections=1)
        slow = asyncio.create_task(transport.send(prepared(server.port)))
        await asyncio.sleep(0.02)
        with pytest.raises(SendError) as caught:
            await transport.send(prepared(server.port))
        assert (await slow).body == OK
        await transport.close()
    assert caught.value.sent is False and caught.value.timeout is True and len(server.requests) == 1


async def test_a_chunked_body_with_extensions_and_trailers() -> None:
    raw = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
           b"4;ext=1\r\n{\"Co\r\n9\r\nde\":\"OK\"}\r\n0\r\nX-Trailer: 1\r\n\r\n")  # fmt: skip
    async with serve(once(raw)) as server:
        transport = AsyncTransport(FAST)
        first = await transport.send(prepared(server.port))
        second = await transport.send(prepared(server.port))
        await transport.close()
    assert first.body == second.body == OK and server.connections == 1


async def test_a_body_until_close_and_connection_close() -> None:
    until_close = b"HTTP/1.0 200 OK\r\n\r\n" + OK
    async with serve(once(until_close, then=0.01)) as server:
        transport = AsyncTransport(FAST)
        assert (await transport.send(prepared(server.port))).body == OK
        assert (await transport.send(prepared(server.port))).body == OK
        await transport.close()
    assert server.connections == 2
    async with serve(once(response(extra="Connection: close\r\n"), then=0.01)) as server:
        transport = AsyncTransport(FAST)
        for _ in range(2):
            assert (await transport.send(prepared(server.port))).body == OK
        await transport.close()
    assert server.connections == 2


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_a_body_over_the_limit_is_not_read(chunked: bool) -> None:
    chunk = b"800\r\n" + b"x" * 0x800 + b"\r\n"
    if chunked:
        raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk * 3
    else:
        raw = b"HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n" + b"x" * 5000
    async with serve(once(raw)) as server:
        transport = AsyncTransport(FAST, max_body=3000)
        with pytest.raises(ResponseTooLarge) as caught:
            await transport.send(prepared(server.port))
        await asyncio.sleep(0.01)
        assert server.open == 0  # that connection was closed
        await transport.close()
    assert caught.value.sent is True and caught.value.status == 200
    assert str(caught.value) == f"the answer from 127.0.0.1:{server.port} is larger than 3000 bytes"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"SMTP ready\r\n\r\n", "no HTTP/1.x status line"),
        (b"HTTP/1.1 200 OK\r\nX: " + b"y" * 70000 + b"\r\n\r\n", "a line or header section over the limit"),
        (b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 101 + b"\r\n", "too many header lines"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "a malformed chunk size"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", "the server closed the connection"),
    ],
    ids=["status-line", "header-size", "header-count", "chunk-size", "early-close"],
)
async def test_a_malformed_answer_is_a_failed_exchange(raw: bytes, reason: str) -> None:
    async with serve(once(raw, then=0.01)) as server:
        with pytest.raises(SendError) as caught:
            await AsyncTransport(FAST).send(prepared(server.port))
    assert caught.value.sent is True and str(caught.value).endswith(reason)


# --- time ------------------------------------------------------------------------------------------


async def trickle(server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(server, reader)
    for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n" + b"x" * 2000:
        writer.write(bytes([byte]))
        await writer.drain()
        await asyncio.sleep(0.25)


async def test_a_trickling_server_is_cut_at_the_deadline() -> None:
    async with serve(trickle) as server:
        transport = AsyncTransport(Timeouts(1.0, 10.0))
        started = time.monotonic()
        with pytest.raises(SendError) as caught:
            await transport.send(prepared(server.port), deadline=started + 0.8)
        elapsed = time.monotonic() - started
    assert caught.value.sent is True and caught.value.timeout is True and 0.75 < elapsed < 1.2
    assert_no_secret(str(caught.value))


async def test_each_read_times_out_and_a_spent_deadline_sends_nothing() -> None:
    async with serve(answering(delay=5)) as server:
        transport = AsyncTransport(Timeouts(1.0, 0.2))
        started = time.monotonic()
        with pytest.raises(SendError) as caught:
            await transport.send(prepared(server.port))
        assert caught.value.sent and caught.value.timeout and time.monotonic() - started < 0.6
        with pytest.raises(SendError) as spent:
            await transport.send(prepared(server.port), deadline=time.monotonic() - 1)
        await transport.close()
    assert spent.value.sent is False and spent.value.timeout is True and len(server.requests) == 1


async def test_a_refused_connection_is_unsent() -> None:
    async with serve(answering()) as server:
        port = server.port
    with pytest.raises(SendError) as caught:
        await AsyncTransport(FAST).send(prepared(port))
    assert caught.value.sent is False and caught.value.timeout is False
    assert str(caught.value).startswith(f"could not connect to 127.0.0.1:{port}: ConnectionRefusedError")


# --- stale connections -----------------------------------------------------------------------------


async def test_a_connection_the_server_closed_is_not_reused() -> None:
    closed = asyncio.Event()

    async def handler(server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await answering(close_after=True)(server, reader, writer)
        writer.close()
        await writer.wait_closed()
        closed.set()

    async with serve(handler) as server:
        transport = AsyncTransport(FAST)
        for _ in range(3):
            closed.clear()
            assert (await transport.send(prepared(server.port))).body == OK
            await closed.wait()
        await transport.close()
    assert server.connections == 3 and len(server.requests) == 3


async def test_a_close_the_event_loop_has_not_seen_yet_is_found_on_the_socket() -> None:
    """The server (a thread) closes after each answer while the loop is blocked: the FIN is in the
    socket but the loop has not read it when the next request takes a connection."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    closed, stop, served = threading.Event(), threading.Event(), []

    def run() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    data += conn.recv(65536)
                served.append(data)
                conn.sendall(response())
            closed.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    transport = AsyncTransport(FAST)
    try:
        for _ in range(3):
            closed.clear()
            assert (await transport.send(prepared(listener.getsockname()[1]))).body == OK
            assert closed.wait(2)  # blocks the loop
    finally:
        await transport.close()
        stop.set()
        thread.join(2)
        listener.close()
    assert len(served) == 3


async def test_a_connection_that_received_bytes_while_idle_is_not_reused() -> None:
    async def handler(server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(server, reader)
        writer.write(response() + b"HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n")
        await read_request(server, reader)  # never comes on this connection

    async with serve(handler) as server:
        transport = AsyncTransport(FAST)
        for _ in range(2):
            assert (await transport.send(prepared(server.port))).status == 200
            await asyncio.sleep(0.02)
        await transport.close()
    assert server.connections == 2 and len(server.requests) == 2


def test_a_transport_used_from_a_second_event_loop_starts_afresh() -> None:
    with Loopback() as server:
        transport = AsyncTransport(FAST)
        port = int(server.endpoint.rpartition(":")[2])
        for _ in range(2):
            assert asyncio.run(transport.send(prepared(port))).status == 200
        asyncio.run(transport.close())
    assert server.count == 2
    with warnings.catch_warnings():  # the first loop's connection, left to the collector
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


# --- proxies and TLS --------------------------------------------------------------------------------


async def test_an_http_target_through_a_proxy() -> None:
    async with serve(answering()) as proxy:
        transport = AsyncTransport(FAST, proxy=Proxy.parse(f"http://user:s3cret%40@127.0.0.1:{proxy.port}"))
        answer = await transport.send(prepared(8080, host="api.example.test"))
        await transport.close()
    (request,) = proxy.requests
    assert answer.body == OK and request.line == f"POST http://api.example.test:8080{TARGET} HTTP/1.1"
    assert request.headers["proxy-authorization"] == "Basic dXNlcjpzM2NyZXRA"  # user:s3cret@
    assert request.headers["host"] == "api.example.test:8080"


async def test_the_proxy_from_the_environment_and_no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    async with serve(answering()) as proxy, serve(answering()) as direct:
        monkeypatch.setenv("http_proxy", f"http://user:s3cret@127.0.0.1:{proxy.port}")
        monkeypatch.setenv("no_proxy", "direct.test,127.0.0.1")
        transport = AsyncTransport(FAST)
        await transport.send(prepared(80, host="api.example.test"))
        await transport.send(prepared(direct.port))
        await transport.close()
    assert proxy.requests[0].headers["proxy-authorization"] == "Basic dXNlcjpzM2NyZXQ="
    assert len(proxy.requests) == 1 and len(direct.requests) == 1


def connect_proxy(target_port: int, authorization: str) -> Handler:
    """A CONNECT proxy: checks the credentials, then pipes bytes to 127.0.0.1:``target_port``."""

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
        writer.close()

    async def handler(server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await read_request(server, reader)
        if request is None or request.headers.get("proxy-authorization") != authorization:
            writer.write(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
            return
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", target_port)
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        try:
            await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer), return_exceptions=True)
        finally:
            up_writer.close()

    return handler


async def test_connect_without_tls_behind_it_and_a_refused_tunnel() -> None:
    """The tunnel's request and credentials, on a plain TCP target: TLS fails, nothing was sent."""

    async def not_tls(server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 400 Bad Request\r\n\r\n")  # at once, and closes

    async with serve(not_tls) as target, serve(connect_proxy(target.port, "Basic dTpw")) as proxy:
        for url in (f"http://u:p@127.0.0.1:{proxy.port}", f"127.0.0.1:{proxy.port}"):
            transport = AsyncTransport(FAST, proxy=Proxy.parse(url))
            with pytest.raises(SendError) as caught:
                await transport.send(prepared(443, host="api.example.test", scheme="https"))
            assert caught.value.sent is False
            assert_no_secret(str(caught.value))
            await transport.close()
    assert [r.line for r in proxy.requests] == ["CONNECT api.example.test:443 HTTP/1.1"] * 2
    assert proxy.requests[0].headers["proxy-authorization"] == "Basic dTpw"
    assert "proxy-authorization" not in proxy.requests[1].headers
    assert str(caught.value).endswith("the proxy answered HTTP 407 to CONNECT") and not target.requests


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for tls.test and 127.0.0.1: (cert, key) PEM files."""
    pytest.importorskip("cryptography")
    from certificates import self_signed

    return self_signed(tmp_path_factory.mktemp("tls"))


def server_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


async def test_https_through_a_connect_tunnel(certificate: tuple[Path, Path]) -> None:
    async with serve(answering(), tls=server_tls(certificate)) as target, \
            serve(connect_proxy(target.port, "Basic dTpw")) as proxy:  # fmt: skip
        transport = AsyncTransport(FAST, proxy=Proxy.parse(f"http://u:p@127.0.0.1:{proxy.port}"),
                                   verify=str(certificate[0]))  # fmt: skip
        for _ in range(3):
            assert (await transport.send(prepared(target.port, host="tls.test", scheme="https"))).body == OK
        await transport.close()
    assert proxy.connections == 1 and target.connections == 1 and len(target.requests) == 3
    assert proxy.requests[0].line == f"CONNECT tls.test:{target.port} HTTP/1.1"
    assert target.requests[0].line == f"POST {TARGET} HTTP/1.1"


async def test_https_direct_and_certificate_checks(certificate: tuple[Path, Path]) -> None:
    async with serve(answering(), tls=server_tls(certificate)) as target:
        trusted = ssl.create_default_context(cafile=str(certificate[0]))
        for verify in (trusted, False):
            transport = AsyncTransport(FAST, verify=verify)
            assert (await transport.send(prepared(target.port, scheme="https"))).body == OK
            await transport.close()
        with pytest.raises(SendError) as caught:
            await AsyncTransport(FAST).send(prepared(target.port, scheme="https"))
    assert caught.value.sent is False and "SSLCertVerificationError" in str(caught.value)
    assert len(target.requests) == 2


# --- over an application's httpx client ----------------------------------------------------------


async def test_httpx_transport_sends_and_logs_no_query(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with serve(answering()) as server, httpx.AsyncClient() as client:
        transport = HttpxTransport(client, FAST)
        answer = await transport.send(prepared(server.port), deadline=time.monotonic() + 5)
        await client.get(f"http://127.0.0.1:{server.port}/?mine=1")  # the application's own request
        await transport.close()
        assert not client.is_closed
    assert answer.status == 200 and answer.body == OK and answer.headers["x-acs-request-id"] == "r-1"
    assert server.requests[0].line == f"POST {TARGET} HTTP/1.1"
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert f"HTTP Request: POST http://127.0.0.1:{server.port}/ " in logged and "?mine=1" in logged
    assert_no_secret(logged)


async def test_httpx_transport_limits_and_failures() -> None:
    big = once(b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + b"x" * 5000)
    async with httpx.AsyncClient() as client:
        transport = HttpxTransport(client, Timeouts(1.0, 10.0), max_body=3000)
        async with serve(big) as server, serve(trickle) as slow:
            with pytest.raises(ResponseTooLarge):
                await transport.send(prepared(server.port))
            with pytest.raises(SendError) as late:
                await transport.send(prepared(slow.port), deadline=time.monotonic() + 0.3)
        with pytest.raises(SendError) as refused:
            await transport.send(prepared(server.port))
    assert late.value.sent and late.value.timeout and refused.value.sent is False
    assert_no_secret(str(late.value) + str(refused.value))

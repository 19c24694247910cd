"""The emulator's HTTP side (standard library only): an HTTP/1.1 server with keep-alive, on an
asyncio event loop of its own in one background thread.

One thread serves every connection, so fifty concurrent clients do not mean fifty threads
fighting the test's own threads for the GIL. The handler turns each request into an
:class:`Incoming`, asks the emulator for an :class:`Answer` and writes it; it can also wait before
answering, or close the connection without answering. Stopping closes the port *and* every open
connection, so that a client's pooled keep-alive connection cannot reach a stopped emulator.

Hostile or broken clients cannot hold it: heads and bodies are bounded in size, a request must
arrive whole within ``request_timeout`` seconds of its first byte (408, then closed), a new
connection that sends nothing for ``request_timeout`` and a keep-alive connection idle for
``idle_timeout`` are closed, an answer the client does not read within
``request_timeout`` is given up with its connection, and beyond ``max_connections`` open
connections a new one is answered 503 and closed while the others go on being served.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from ._gateway import Incoming

__all__ = ["Answer", "Server"]

MAX_BODY = 1 << 20  # bytes of one request's body
MAX_HEAD = 1 << 16  # bytes of one request's line and headers (more: 431)
MAX_HEADERS = 100  # header lines of one request (more: 431)
POLL_EVERY = 0.02  # seconds between two looks of a long poll
IDLE_SECONDS = 120.0  # an idle keep-alive connection is closed after two minutes
REQUEST_SECONDS = 10.0  # from a request's first byte to its last (slower: 408, closed)
MAX_CONNECTIONS = 256  # open at once; one more is answered 503 and closed

_LENGTH = re.compile(r"[0-9]{1,15}")
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,8}")


@dataclass
class Answer:
    """What to send back: status, JSON body, extra headers; or, with ``drop``, nothing at all.

    ``raw`` replaces the JSON body (its type in ``headers``). ``poll``, with ``poll_for`` seconds,
    makes a long poll: it is called every few milliseconds until it gives an answer to send
    instead, or the time is up and this answer is sent.
    """

    status: int = 200
    body: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False
    raw: bytes | None = None
    poll: Callable[[], Answer | None] | None = None
    poll_for: float = 0.0


class _BadRequest(Exception):
    """A request the front end refuses itself: an HTML page with ``status``, then close."""

    def __init__(self, reason: str = "Bad Request", status: int = 400) -> None:
        super().__init__(reason)
        self.status = status


class Server:
    """Listens on ``address`` from :meth:`start` to :meth:`stop`; ``respond`` answers each request.

    ``idle_timeout``, ``request_timeout`` and ``max_connections`` bound what a client may hold
    (the module's ``IDLE_SECONDS``, ``REQUEST_SECONDS`` and ``MAX_CONNECTIONS`` by default).
    """

    def __init__(
        self,
        address: tuple[str, int],
        respond: Callable[[Incoming], Answer],
        *,
        idle_timeout: float = IDLE_SECONDS,
        request_timeout: float = REQUEST_SECONDS,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        self.address = address
        self.respond = respond
        self.idle_timeout = idle_timeout
        self.request_timeout = request_timeout
        self.max_connections = max_connections
        self.errors: list[str] = []
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="sdk-emulator", daemon=True)
        self._server: asyncio.AbstractServer | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    def start(self) -> None:
        """Bind the port (an ``OSError`` if it is taken) and start serving."""
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._open(), self._loop)
        try:
            future.result(timeout=10)
        except BaseException:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
            self._loop.close()
            raise

    async def _open(self) -> None:
        host, port = self.address
        self._server = await asyncio.start_server(self._connection, host, port, backlog=256, limit=MAX_HEAD)
        self.port = int(self._server.sockets[0].getsockname()[1])

    def stop(self) -> None:
        """Close the port and every connection (answers still waiting are dropped)."""
        if not self._thread.is_alive():
            return
        asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        full = len(self._writers) >= self.max_connections
        self._writers.add(writer)
        try:
            if full:
                await self._plain(writer, 503, "Service Unavailable")
            else:
                wait = self.request_timeout  # a new connection is opened to send at once
                while await self._exchange(reader, writer, wait):
                    wait = self.idle_timeout
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, asyncio.CancelledError):
            pass  # the client went away, idled out, did not read, or the server is stopping
        except Exception:
            self.errors.append(traceback.format_exc())
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _exchange(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, wait: float
    ) -> bool:
        """Read one request (its first byte within ``wait`` seconds) and answer it; whether the
        connection stays open."""
        first = await asyncio.wait_for(reader.read(1), wait)
        if not first:
            return False  # closed by the client between two requests
        try:
            async with asyncio.timeout(self.request_timeout):
                incoming, keep_alive = await _read_request(first, reader, writer)
        except TimeoutError:
            await self._plain(writer, 408, "Request Timeout")
            return False
        except _BadRequest as bad:
            await self._plain(writer, bad.status, str(bad))
            return False
        answer = self.respond(incoming)
        if answer.poll is not None:
            answer = await _long_poll(answer)
        if answer.delay > 0:
            await asyncio.sleep(answer.delay)
        if answer.drop:
            return False
        if answer.raw is not None:
            payload, extra = answer.raw, dict(answer.headers)
        else:
            payload = json.dumps(answer.body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            extra = {"Content-Type": "application/json;charset=utf-8", **answer.headers}
        await self._send(writer, _head(answer.status, len(payload), extra, keep_alive) + payload)
        return keep_alive

    async def _plain(self, writer: asyncio.StreamWriter, status: int, reason: str) -> None:
        """The front end's own answer to what is not HTTP: a small HTML page, then close."""
        title = f"{status} {reason}"
        page = f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
        body = page.encode()
        await self._send(writer, _head(status, len(body), {"Content-Type": "text/html"}, False) + body)

    async def _send(self, writer: asyncio.StreamWriter, data: bytes) -> None:
        """Write, waiting at most ``request_timeout`` for a client that does not read."""
        writer.write(data)
        await asyncio.wait_for(writer.drain(), self.request_timeout)


async def _read_request(
    first: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> tuple[Incoming, bool]:
    """The rest of a request whose ``first`` byte has come, and whether to keep the connection."""
    try:
        head = first + await reader.readuntil(b"\r\n\r\n")
    except asyncio.LimitOverrunError:
        raise _BadRequest("Request Header Fields Too Large", 431) from None
    except asyncio.IncompleteReadError as partial:
        if (first + partial.partial).strip():
            raise _BadRequest() from None
        raise
    method, target, version, headers = _parse_head(head)
    values = dict(headers)
    if values.get("expect", "").lower() == "100-continue" and version == "HTTP/1.1":
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    try:
        body = await _read_body(reader, headers)
    except asyncio.LimitOverrunError:
        raise _BadRequest("Bad chunk") from None
    keep_alive = values.get("connection", "").lower() != "close" and version == "HTTP/1.1"
    keep_alive = keep_alive or values.get("connection", "").lower() == "keep-alive"
    path, _, query = target.partition("?")
    form: list[tuple[str, str]] = []
    if values.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        form = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    incoming = Incoming(
        method=method,
        path=path or "/",
        query=tuple(parse_qsl(query, keep_blank_values=True)),
        headers=tuple(headers),
        body=body,
        form=tuple(form),
        raw_query=query,
    )
    return incoming, keep_alive


async def _long_poll(answer: Answer) -> Answer:
    assert answer.poll is not None
    deadline = time.monotonic() + answer.poll_for
    while time.monotonic() < deadline:
        await asyncio.sleep(min(POLL_EVERY, max(0.0, deadline - time.monotonic())))
        found = answer.poll()
        if found is not None:
            return found
    return answer


def _parse_head(head: bytes) -> tuple[str, str, str, list[tuple[str, str]]]:
    try:
        text = head.decode("iso-8859-1")
    except UnicodeDecodeError:  # pragma: no cover - every byte decodes in latin-1
        raise _BadRequest() from None
    line, *lines = text[:-4].split("\r\n")
    parts = line.split(" ")
    if len(parts) != 3 or not parts[0].isalpha() or parts[2] not in ("HTTP/1.1", "HTTP/1.0"):
        raise _BadRequest("Bad request line")
    if len(lines) > MAX_HEADERS:
        raise _BadRequest("Request Header Fields Too Large", 431)
    headers: list[tuple[str, str]] = []
    for raw in lines:
        name, sep, value = raw.partition(":")
        if not sep or not name or name != name.strip():
            raise _BadRequest("Bad header line")
        headers.append((name.lower(), value.strip()))
    return parts[0], parts[1], parts[2], headers


async def _read_body(reader: asyncio.StreamReader, headers: list[tuple[str, str]]) -> bytes:
    values = dict(headers)
    if "chunked" in values.get("transfer-encoding", "").lower():
        return await _read_chunked(reader)
    lengths = {value or "0" for name, value in headers if name == "content-length"} or {"0"}
    text = lengths.pop()
    if lengths or not _LENGTH.fullmatch(text) or int(text) > MAX_BODY:  # two different lengths too
        raise _BadRequest("Bad Content-Length")
    return await reader.readexactly(int(text)) if int(text) else b""


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while True:
        size_text = (await reader.readuntil(b"\r\n"))[:-2].split(b";")[0].strip()
        if not _CHUNK_SIZE.fullmatch(size_text):
            raise _BadRequest("Bad chunk")
        size = int(size_text, 16)
        if size == 0:
            break
        total += size
        if total > MAX_BODY:
            raise _BadRequest("Body too large")
        chunks.append(await reader.readexactly(size))
        if await reader.readexactly(2) != b"\r\n":
            raise _BadRequest("Bad chunk")
    while (await reader.readuntil(b"\r\n")) != b"\r\n":
        pass  # trailers, ignored (the request timeout bounds how many)
    return b"".join(chunks)


def _head(status: int, length: int, headers: dict[str, str], keep_alive: bool) -> bytes:
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    lines = [
        f"HTTP/1.1 {status} {reason}",
        "Server: Tengine",
        f"Date: {formatdate(usegmt=True)}",
        f"Content-Length: {length}",
        f"Connection: {'keep-alive' if keep_alive else 'close'}",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

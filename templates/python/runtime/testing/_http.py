"""The emulator's HTTP side (standard library only): an HTTP/1.1 server with keep-alive, on an
asyncio event loop of its own in one background thread.

One thread serves every connection, so fifty concurrent clients do not mean fifty threads
fighting the test's own threads for the GIL. The handler turns each request into an
:class:`Incoming`, asks the emulator for an :class:`Answer` and writes it; it can also wait before
answering, or close the connection without answering. Stopping closes the port *and* every open
connection, so that a client's pooled keep-alive connection cannot reach a stopped emulator.
"""

from __future__ import annotations

import asyncio
import json
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

MAX_BODY = 1 << 20
MAX_HEAD = 1 << 16
POLL_EVERY = 0.02  # seconds between two looks of a long poll
IDLE_SECONDS = 120.0  # an idle keep-alive connection is closed after two minutes


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
    pass


class Server:
    """Listens on ``address`` from :meth:`start` to :meth:`stop`; ``respond`` answers each request."""

    def __init__(self, address: tuple[str, int], respond: Callable[[Incoming], Answer]) -> None:
        self.address = address
        self.respond = respond
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
        self._writers.add(writer)
        try:
            while await self._exchange(reader, writer):
                pass
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, asyncio.CancelledError):
            pass  # the client went away, idled out, or the server is stopping
        except Exception:
            self.errors.append(traceback.format_exc())
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Read one request and answer it; whether the connection stays open."""
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), IDLE_SECONDS)
        except asyncio.LimitOverrunError:
            await self._plain(writer, 431, "Request Header Fields Too Large")
            return False
        except asyncio.IncompleteReadError as partial:
            if partial.partial.strip():
                await self._plain(writer, 400, "Bad Request")
            return False
        try:
            method, target, version, headers = _parse_head(head)
            body = await _read_body(reader, headers)
        except _BadRequest as bad:
            await self._plain(writer, 400, str(bad) or "Bad Request")
            return False
        values = dict(headers)
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
        writer.write(_head(answer.status, len(payload), extra, keep_alive) + payload)
        await writer.drain()
        return keep_alive

    async def _plain(self, writer: asyncio.StreamWriter, status: int, reason: str) -> None:
        """The front end's own answer to what is not HTTP: a small HTML page, then close."""
        title = f"{status} {reason}"
        page = f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
        body = page.encode()
        writer.write(_head(status, len(body), {"Content-Type": "text/html"}, False) + body)
        await writer.drain()


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
        chunks: list[bytes] = []
        while True:
            size_line = await reader.readuntil(b"\r\n")
            try:
                size = int(size_line.split(b";")[0].strip(), 16)
            except ValueError:
                raise _BadRequest("Bad chunk") from None
            if size == 0:
                while (await reader.readuntil(b"\r\n")) != b"\r\n":
                    pass  # trailers
                return b"".join(chunks)
            if sum(map(len, chunks)) + size > MAX_BODY:
                raise _BadRequest("Body too large")
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
    length_text = values.get("content-length", "0") or "0"
    if not length_text.isdigit() or int(length_text) > MAX_BODY:
        raise _BadRequest("Bad Content-Length")
    length = int(length_text)
    return await reader.readexactly(length) if length else b""


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

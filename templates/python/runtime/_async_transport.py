"""Sending one prepared request from asyncio: our own HTTP/1.1 client on the event loop
(``AsyncTransport``; an ``httpx.AsyncClient`` the application brings is ``_httpx_transport``'s).

``AsyncTransport`` speaks the HTTP/1.1 this SDK needs and nothing more: the request written at
once, then a status line, headers and a ``Content-Length``, chunked or until-close body. It keeps
connections alive per scheme and host, at most ``max_connections`` of them; a task beyond that
waits for one to come free. It needs only the standard library, and costs a tenth of httpx's
CPU per call, about what the blocking client's ``http.client`` pool costs.

Both report failures as ``SendError``; ``sent`` is False only when the request provably never
left, the one bit the retry policy needs to never place a call twice. No message names more than
the host: a request's target holds its signature (signed V1, also the key id and STS token), and
a proxy comes with credentials.
"""

from __future__ import annotations

import asyncio
import re
import select
import ssl
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ._transport import (
    IDLE_LIMIT,
    MAX_BODY,
    Answer,
    Prepared,
    Proxy,
    ResponseTooLarge,
    SendError,
    Timeouts,
    _proxy_for,
    ssl_context,
)

if TYPE_CHECKING:
    pass

HEAD_LIMIT = 64 * 1024  # bytes of a status line with its headers (or of one chunk-size line)
MAX_HEADERS = 100
HIGH_WATER = 256 * 1024  # bytes buffered before the connection stops reading until they are used
_HEX = re.compile(rb"[0-9A-Fa-f]{1,15}")
_Loop = asyncio.AbstractEventLoop


class _PeerError(Exception):
    """The server broke the exchange: bytes that are not the HTTP/1.1 expected, or an early close.
    The message says which, never quoting the bytes."""


class _Connection(asyncio.Protocol):
    """One connection: the bytes received in a buffer, the reading task woken when more arrive.

    While an exchange runs, ``timer`` (its ``asyncio.Timeout``) is set, before each wait for
    bytes, to ``read`` seconds later but never past ``end``: a read timeout within a deadline.
    """

    def __init__(self, loop: _Loop) -> None:
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.eof = False
        self.idle_since = 0.0
        self.timer: asyncio.Timeout | None = None
        self.read = 0.0
        self.end: float | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._paused = False
        self._fd = -1

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        sock = transport.get_extra_info("socket")
        self._fd = sock.fileno() if sock is not None else -1

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > HIGH_WATER and not self._paused and self.transport is not None:
            self._paused = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self.eof = True
        self._wake()
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = True
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def _more(self) -> None:
        """Wait for more bytes (ConnectionResetError when none will come)."""
        if self.eof:
            raise _PeerError("the server closed the connection")
        if self._paused and self.transport is not None:
            self._paused = False
            self.transport.resume_reading()
        if self.timer is not None:
            when = self.loop.time() + self.read
            self.timer.reschedule(when if self.end is None or when < self.end else self.end)
        self._waiter = self.loop.create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None

    async def read_until(self, separator: bytes, limit: int) -> bytes:
        start = 0
        while (at := self.buffer.find(separator, start)) < 0 and len(self.buffer) <= limit:
            start = max(0, len(self.buffer) - len(separator) + 1)
            await self._more()
        end = at + len(separator)
        if at < 0 or end > limit:
            raise _PeerError("a line or header section over the limit")
        data = bytes(self.buffer[:end])
        del self.buffer[:end]
        return data

    async def read_exactly(self, size: int) -> bytes:
        while len(self.buffer) < size:
            await self._more()
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data

    async def read_some(self) -> bytes:
        """What has arrived, after waiting for something; ``b""`` at the end of the stream."""
        if not self.buffer and not self.eof:
            await self._more()
        data = bytes(self.buffer)
        self.buffer.clear()
        return data

    def write(self, data: bytes) -> None:
        assert self.transport is not None
        self.transport.write(data)

    def reusable(self, now: float) -> bool:
        """Whether this idle connection can carry a request: open, quiet, not idle too long.

        Anything received while idle (an EOF, a 408) means the server is done with it; the socket
        is asked too, for what arrived since the loop last looked. Writing on such a connection
        would fail after the request may have left, which a call-placing action cannot retry.
        """
        transport = self.transport
        if self.eof or self.buffer or transport is None or transport.is_closing():
            return False
        if now - self.idle_since >= IDLE_LIMIT:
            return False
        if self._fd < 0 or not hasattr(select, "poll"):
            return True
        poller = select.poll()
        poller.register(self._fd, select.POLLIN)
        return not poller.poll(0)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()


@dataclass(eq=False)
class _Route:
    """How requests reach one scheme and host, and the pool of connections that carry them."""

    label: str  # the host, for messages
    address: tuple[str, int]  # where to connect: the host, or its proxy
    tls_name: str | None  # the server name to check, for https
    tunnel: bytes | None  # the CONNECT request to send the proxy first (https through a proxy)
    prefix: str  # before a request's target: "http://host" through a proxy (http)
    proxy_authorization: str | None  # sent with each request (http through a proxy)
    slots: asyncio.Semaphore
    idle: list[_Connection] = field(default_factory=list)  # the newest last
    closed: bool = False

    def take(self, now: float) -> _Connection | None:
        while self.idle:
            conn = self.idle.pop()
            if conn.reusable(now):
                return conn
            conn.close()
        return None

    def give_back(self, conn: _Connection, now: float) -> None:
        conn.idle_since = now
        while self.idle and now - self.idle[0].idle_since >= IDLE_LIMIT:
            self.idle.pop(0).close()
        self.idle.append(conn)


class AsyncTransport:
    """Keep-alive HTTP/1.1 over asyncio, at most ``max_connections`` per scheme and host.

    ``verify``: True checks the server's certificate against the system's CAs, a path names a
    CA bundle, an ``ssl.SSLContext`` is used as given, False checks nothing. ``proxy``: every
    request goes through it; None reads the standard environment variables (``HTTPS_PROXY``,
    ``HTTP_PROXY``, ``NO_PROXY``, with credentials in their URLs) once per host. A task waits for
    a free connection at most the connect timeout; each wait for the server's bytes at most the
    read timeout; and ``send``'s ``deadline`` (a ``time.monotonic()`` instant) bounds it all.
    """

    def __init__(
        self,
        timeouts: Timeouts,
        *,
        max_body: int = MAX_BODY,
        proxy: Proxy | None = None,
        verify: bool | str | ssl.SSLContext = True,
        max_connections: int = 64,
    ) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        self._timeouts = timeouts
        self._max_body = max_body
        self._proxy = proxy
        self._verify = verify
        self._max_connections = max_connections
        self._context = None if isinstance(verify, bool) else ssl_context(verify)  # a bad path fails here
        self._routes: dict[tuple[str, str], _Route] = {}
        self._loop: _Loop | None = None

    async def send(self, request: Prepared, deadline: float | None = None) -> Answer:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._start_on(loop)
        route = self._routes.get((request.scheme, request.host)) or self._route(request.scheme, request.host)
        end = None if deadline is None else loop.time() + (deadline - time.monotonic())
        if route.slots.locked():
            await self._wait_for_slot(route, loop, end)
        else:
            await route.slots.acquire()  # returns at once
        try:
            if end is not None and loop.time() >= end:
                raise SendError(f"no time left to send to {route.label}", sent=False, timeout=True)
            conn = route.take(loop.time()) or await self._connect(route, loop, end)
            return await self._exchange(route, conn, request, loop, end)
        finally:
            route.slots.release()

    async def close(self) -> None:
        self._forget_pools(asyncio.get_running_loop())
        await asyncio.sleep(0)  # the transports release their sockets

    def _start_on(self, loop: _Loop) -> None:
        """Used from another event loop (a second ``asyncio.run``), the transport starts afresh."""
        self._forget_pools(loop)
        self._loop = loop

    def _forget_pools(self, loop: _Loop) -> None:
        """Close the idle connections; those in use close when their exchange ends. A connection
        is closed from its own loop; a closed loop's are released when they are collected."""
        routes, self._routes = self._routes, {}
        for route in routes.values():
            route.closed = True
            for conn in route.idle:
                if conn.loop is loop:
                    conn.abort()
                elif not conn.loop.is_closed():
                    conn.loop.call_soon_threadsafe(conn.abort)
            route.idle.clear()

    def _route(self, scheme: str, host: str) -> _Route:
        if scheme not in ("http", "https"):
            raise ValueError(f"the scheme must be http or https, not {scheme!r}")
        name, port = _address(host, 443 if scheme == "https" else 80)
        proxy = self._proxy
        if proxy is None:
            proxy = _proxy_for(scheme, host)
        tls_name = name if scheme == "https" else None
        slots = asyncio.Semaphore(self._max_connections)
        if proxy is None:
            route = _Route(host, (name, port), tls_name, None, "", None, slots)
        elif scheme == "https":
            address = _address(proxy.address, 80)
            authority = f"[{name}]:{port}" if ":" in name else f"{name}:{port}"
            credentials = f"Proxy-Authorization: {proxy.authorization}\r\n" if proxy.authorization else ""
            tunnel = f"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n{credentials}\r\n"
            route = _Route(host, address, tls_name, tunnel.encode("latin-1"), "", None, slots)
        else:
            prefix = f"http://{host}"
            route = _Route(host, _address(proxy.address, 80), None, None, prefix, proxy.authorization, slots)
        self._routes[(scheme, host)] = route
        return route

    async def _wait_for_slot(self, route: _Route, loop: _Loop, end: float | None) -> None:
        try:
            async with asyncio.timeout_at(_cap(loop.time() + self._timeouts.connect, end)):
                await route.slots.acquire()
        except TimeoutError:
            message = f"no connection to {route.label} came free in time"
            raise SendError(message, sent=False, timeout=True) from None

    async def _connect(self, route: _Route, loop: _Loop, end: float | None) -> _Connection:
        conn = _Connection(loop)
        tls, name = (self._ssl(), route.tls_name) if route.tls_name and route.tunnel is None else (None, None)
        try:
            async with asyncio.timeout_at(_cap(loop.time() + self._timeouts.connect, end)):
                await loop.create_connection(lambda: conn, *route.address, ssl=tls, server_hostname=name)
                if route.tunnel is not None:
                    await self._open_tunnel(route, conn, loop)
        except TimeoutError:
            conn.abort()
            raise SendError(f"could not connect to {route.label} in time", sent=False, timeout=True) from None
        except (OSError, _PeerError) as exc:
            conn.abort()
            raise SendError(f"could not connect to {route.label}: {_reason(exc)}", sent=False) from None
        except BaseException:
            conn.abort()
            raise
        return conn

    async def _open_tunnel(self, route: _Route, conn: _Connection, loop: _Loop) -> None:
        """CONNECT through the proxy, then TLS with the host over that tunnel."""
        assert route.tunnel is not None and conn.transport is not None
        conn.write(route.tunnel)
        status, _, _ = _parse_head(await conn.read_until(b"\r\n\r\n", HEAD_LIMIT))
        if not 200 <= status < 300:
            raise _PeerError(f"the proxy answered HTTP {status} to CONNECT")
        transport = await loop.start_tls(conn.transport, conn, self._ssl(), server_hostname=route.tls_name)
        if transport is None:
            raise ConnectionResetError("the proxy closed the tunnel")
        conn.transport = transport

    async def _exchange(
        self, route: _Route, conn: _Connection, request: Prepared, loop: _Loop, end: float | None
    ) -> Answer:
        data = _serialize(route, request)
        sent = False
        try:
            async with asyncio.timeout_at(None) as timer:
                conn.timer, conn.read, conn.end = timer, self._timeouts.read, end
                conn.write(data)
                sent = True
                status, headers, keep = await _read_head(conn)
                body, complete = await self._read_body(route, conn, request.method, status, headers)
        except TimeoutError:
            conn.abort()
            raise SendError(f"no answer from {route.label} in time", sent=sent, timeout=True) from None
        except (OSError, _PeerError) as exc:
            conn.abort()
            raise SendError(f"the exchange with {route.label} failed: {_reason(exc)}", sent=True) from None
        except BaseException:  # a body too large, or the task cancelled: the connection is mid-answer
            conn.abort()
            raise
        conn.timer = None
        if keep and complete and not route.closed:
            route.give_back(conn, loop.time())
        else:
            conn.close()
        return Answer(status, headers, body)

    async def _read_body(
        self, route: _Route, conn: _Connection, method: str, status: int, headers: dict[str, str]
    ) -> tuple[bytes, bool]:
        """The body, and whether the connection can carry another exchange after it."""
        if method == "HEAD" or status in (204, 304):
            return b"", True
        limit = self._max_body
        coding = headers.get("transfer-encoding")
        if coding is not None:
            if coding.rpartition(",")[2].strip().lower() != "chunked":
                return await _until_closed(conn, limit, route.label, status, headers), False
            return await _chunked(conn, limit, route.label, status, headers), "content-length" not in headers
        length = headers.get("content-length")
        if length is None:
            return await _until_closed(conn, limit, route.label, status, headers), False
        if not (length.isascii() and length.isdigit()):
            raise _PeerError("a malformed Content-Length")
        if int(length) > limit:
            raise ResponseTooLarge(route.label, limit, status, headers)
        return await conn.read_exactly(int(length)), True

    def _ssl(self) -> ssl.SSLContext:
        if self._context is None:  # loads the system's CAs: once, with the first HTTPS connection
            self._context = ssl_context(self._verify)
        return self._context


def _serialize(route: _Route, request: Prepared) -> bytes:
    """The request line, the headers (Host, Content-Length, Accept-Encoding added if missing), the body."""
    names = {name.lower() for name in request.headers}
    lines = [f"{request.method} {route.prefix}{request.target} HTTP/1.1"]
    if "host" not in names:
        lines.append(f"Host: {request.host}")
    lines += [f"{name}: {value}" for name, value in request.headers.items()]
    if "content-length" not in names and (request.body or request.method in ("POST", "PUT", "PATCH")):
        lines.append(f"Content-Length: {len(request.body)}")
    if "accept-encoding" not in names:
        lines.append("Accept-Encoding: identity")  # bodies are not decoded
    if route.proxy_authorization:
        lines.append(f"Proxy-Authorization: {route.proxy_authorization}")
    lines += ["", ""]
    text = "\r\n".join(lines)
    breaks = len(lines) - 1
    if text.count("\n") != breaks or text.count("\r") != breaks or text.count(" ", 0, len(lines[0])) != 2:
        raise ValueError("a header, the method or the target holds a line break or a space")
    return text.encode("latin-1") + request.body


def _parse_head(head: bytes) -> tuple[int, list[str], str]:
    """``(status, header lines, HTTP version)`` of a status line and headers ending with an empty line."""
    lines = head[:-4].decode("latin-1").split("\r\n")
    version, _, rest = lines[0].partition(" ")
    code = rest[:3]
    if not (version.startswith("HTTP/1.") and code.isascii() and code.isdigit() and rest[3:4] in ("", " ")):
        raise _PeerError("no HTTP/1.x status line")
    if len(lines) > MAX_HEADERS + 1:
        raise _PeerError("too many header lines")
    return int(code), lines[1:], version


async def _read_head(conn: _Connection) -> tuple[int, dict[str, str], bool]:
    """Status, headers (names lowercased; a repeated one keeps its last value), and whether the
    server keeps the connection open. Interim (1xx) answers are skipped."""
    status = 100
    while 100 <= status < 200:
        status, lines, version = _parse_head(await conn.read_until(b"\r\n\r\n", HEAD_LIMIT))
    headers: dict[str, str] = {}
    for line in lines:
        name, colon, value = line.partition(":")
        if not colon or not name or name[0] in " \t" or name[-1] in " \t":
            raise _PeerError("a malformed header line")
        headers[name.lower()] = value.strip()
    tokens = {token.strip().lower() for token in headers.get("connection", "").split(",")}
    keep = "close" not in tokens if version == "HTTP/1.1" else "keep-alive" in tokens
    return status, headers, keep


async def _chunked(conn: _Connection, limit: int, host: str, status: int, headers: dict[str, str]) -> bytes:
    body = bytearray()
    while True:
        line = await conn.read_until(b"\r\n", HEAD_LIMIT)
        size = line[:-2].partition(b";")[0].strip()
        if not _HEX.fullmatch(size):
            raise _PeerError("a malformed chunk size")
        if (length := int(size, 16)) == 0:
            break
        if len(body) + length > limit:
            raise ResponseTooLarge(host, limit, status, headers)
        chunk = await conn.read_exactly(length + 2)
        if not chunk.endswith(b"\r\n"):
            raise _PeerError("a chunk longer than its size")
        body += memoryview(chunk)[:-2]
    for _ in range(MAX_HEADERS + 1):  # trailers, up to the empty line
        if await conn.read_until(b"\r\n", HEAD_LIMIT) == b"\r\n":
            return bytes(body)
    raise _PeerError("too many trailer lines")


async def _until_closed(
    conn: _Connection, limit: int, host: str, status: int, headers: dict[str, str]
) -> bytes:
    body = bytearray()
    while data := await conn.read_some():
        body += data
        if len(body) > limit:
            raise ResponseTooLarge(host, limit, status, headers)
    return bytes(body)


def _address(host: str, default_port: int) -> tuple[str, int]:
    """``(name, port)`` of ``host[:port]``, an IPv6 literal in brackets."""
    parts = urlsplit(f"//{host}")
    return parts.hostname or host, parts.port or default_port


def _cap(when: float, end: float | None) -> float:
    return when if end is None or when < end else end


def _reason(exc: BaseException) -> str:
    """What went wrong, without the request: our own words, or the OS or TLS error's kind."""
    if isinstance(exc, OSError):
        return type(exc).__name__ + (f" ({exc.strerror})" if exc.strerror else "")
    return str(exc)

"""Sending one prepared request and reading the answer: a keep-alive pool over ``http.client``
for the blocking client, ``httpx.AsyncClient`` for the asyncio one.

Why not httpx for both: measured on this SDK's calls, httpx's sync stack costs about four times
the CPU of ``http.client`` per request, and building an ``httpx.Request`` alone costs more than
our whole build-sign-parse; the blocking client is the common case, so it gets the fast path.
The asyncio client keeps httpx, loaded only when an ``AsyncClient`` is made.

Both transports report failures as ``SendError`` with ``sent``: whether the request may have
reached the service. That one bit is what the retry policy needs to never place a call twice.
"""

from __future__ import annotations

import http.client
import select
import socket
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import ssl

IDLE_LIMIT = 4.0  # seconds: an idle keep-alive connection older than this is not reused


@dataclass(frozen=True)
class Prepared:
    """A request ready for the wire: ``target`` is the path with its query string."""

    scheme: str
    host: str  # host[:port]
    target: str
    headers: dict[str, str]
    method: str = "POST"
    body: bytes = b""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]  # names lowercased
    body: bytes


class SendError(Exception):
    """The exchange failed. ``sent`` is False only when the service provably never saw it."""

    def __init__(self, message: str, *, sent: bool, timeout: bool = False) -> None:
        super().__init__(message)
        self.sent = sent
        self.timeout = timeout


@dataclass(frozen=True)
class Timeouts:
    connect: float
    read: float

    @classmethod
    def of(cls, value: float | tuple[float, float]) -> Timeouts:
        if isinstance(value, tuple):
            return cls(float(value[0]), float(value[1]))
        return cls(float(value), float(value))


class SyncTransport:
    """Keep-alive connections, one idle pool per scheme and host, safe across threads."""

    def __init__(self, timeouts: Timeouts) -> None:
        self._timeouts = timeouts
        self._idle: dict[tuple[str, str], list[tuple[http.client.HTTPConnection, float]]] = {}
        self._context: ssl.SSLContext | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}

    def _proxy(self, scheme: str, host: str) -> str | None:
        key = (scheme, host)
        if key not in self._proxies:
            self._proxies[key] = _proxy_for(scheme, host)
        return self._proxies[key]

    def _connect(self, scheme: str, host: str) -> http.client.HTTPConnection:
        proxy = self._proxy(scheme, host)
        target_host, target_port = _split(host, 443 if scheme == "https" else 80)
        connect_host, connect_port = _split(proxy, 80) if proxy else (target_host, target_port)
        conn: http.client.HTTPConnection
        if scheme == "https":
            if self._context is None:
                import ssl  # loaded with the first HTTPS connection

                self._context = ssl.create_default_context()
            conn = http.client.HTTPSConnection(connect_host, connect_port, timeout=self._timeouts.connect,
                                               context=self._context)  # fmt: skip
        else:
            conn = http.client.HTTPConnection(connect_host, connect_port, timeout=self._timeouts.connect)
        if proxy and scheme == "https":
            conn.set_tunnel(target_host, target_port)
        try:
            conn.connect()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise SendError(f"could not connect to {host}: {exc}", sent=False) from None
        assert conn.sock is not None
        conn.sock.settimeout(self._timeouts.read)
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn

    def _take(self, scheme: str, host: str) -> http.client.HTTPConnection:
        pool = self._idle.get((scheme, host))
        now = time.monotonic()
        while pool:
            conn, since = pool.pop()
            if now - since < IDLE_LIMIT and not _dropped(conn):
                return conn
            conn.close()
        return self._connect(scheme, host)

    def send(self, request: Prepared) -> Answer:
        conn = self._take(request.scheme, request.host)
        target = request.target
        if request.scheme == "http" and self._proxy(request.scheme, request.host):
            target = f"http://{request.host}{target}"
        try:
            conn.request(request.method, target, body=request.body or None, headers=request.headers)
            response = conn.getresponse()
            body = response.read()
        except TimeoutError:
            conn.close()
            raise SendError(f"no answer from {request.host} in time", sent=True, timeout=True) from None
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise SendError(f"the connection to {request.host} failed: {exc!r}", sent=True) from None
        headers = {k.lower(): v for k, v in response.getheaders()}
        if response.will_close:
            conn.close()
        else:
            self._idle.setdefault((request.scheme, request.host), []).append((conn, time.monotonic()))
        return Answer(response.status, headers, body)

    def close(self) -> None:
        for pool in self._idle.values():
            for conn, _ in pool:
                conn.close()
        self._idle.clear()


def _dropped(conn: http.client.HTTPConnection) -> bool:
    """Whether the server closed an idle pooled connection: anything to read on it (EOF) means so.

    Sending on such a connection fails after the request may have been written, which a
    call-placing action cannot retry; checking first makes it a fresh connection instead.
    """
    sock = conn.sock
    if sock is None:
        return True
    try:
        if hasattr(select, "poll"):
            poller = select.poll()
            poller.register(sock, select.POLLIN)
            return bool(poller.poll(0))
        return bool(select.select([sock], [], [], 0)[0])
    except (OSError, ValueError):
        return True


class AsyncTransport:
    """``httpx.AsyncClient`` behind the same interface."""

    def __init__(self, timeouts: Timeouts) -> None:
        import httpx

        self._httpx = httpx
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(timeouts.read, connect=timeouts.connect))

    async def send(self, request: Prepared) -> Answer:
        httpx = self._httpx
        url = f"{request.scheme}://{request.host}{request.target}"
        try:
            response = await self._client.request(
                request.method, url, headers=request.headers, content=request.body or None
            )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise SendError(f"could not connect to {request.host}: {exc!r}", sent=False) from None
        except httpx.TimeoutException:
            raise SendError(f"no answer from {request.host} in time", sent=True, timeout=True) from None
        except httpx.TransportError as exc:
            raise SendError(f"the connection to {request.host} failed: {exc!r}", sent=True) from None
        return Answer(
            response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.content
        )

    async def close(self) -> None:
        await self._client.aclose()


def _split(host: str, default_port: int) -> tuple[str, int]:
    name, _, port = host.rpartition(":") if host.count(":") == 1 else (host, "", "")
    return (name, int(port)) if port.isdigit() else (host, default_port)


def _proxy_for(scheme: str, host: str) -> str | None:
    """The proxy ``host:port`` from the standard environment variables, honouring NO_PROXY."""
    import urllib.request  # costly to import; needed once per host

    proxies: dict[str, Any] = urllib.request.getproxies()
    proxy = proxies.get(scheme)
    if not proxy or urllib.request.proxy_bypass(host.rsplit(":", 1)[0]):
        return None
    return str(proxy).split("://", 1)[-1].rstrip("/")

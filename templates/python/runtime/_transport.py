"""Sending one prepared request and reading the answer: a keep-alive pool over ``http.client``
for the blocking client (``SyncTransport``); the asyncio one is in ``_async_transport``. What
both share is here: the request and answer types, ``SendError``, proxies and TLS settings.

Why not httpx: measured on this SDK's calls, httpx's stack costs several times the CPU of
``http.client`` per request (and its asyncio half more still, with a pool that churns
connections); an application that wants it can give its own to ``AsyncClient``.

Both transports report failures as ``SendError`` with ``sent``: whether the request may have
reached the service. That one bit is what the retry policy needs to never place a call twice.
"""

from __future__ import annotations

import http.client
import io
import select
import socket
import time
from dataclasses import dataclass, field
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


class ResponseTooLarge(SendError):
    """The answer's body is over the client's limit: it was not read (the call may have happened)."""

    def __init__(self, host: str, limit: int, status: int, headers: dict[str, str]) -> None:
        super().__init__(f"the answer from {host} is larger than {limit} bytes", sent=True)
        self.status = status
        self.headers = headers


MAX_BODY = 8 * 2**20
"""Bytes of an answer's body the client reads at the most, by default (the service's are a few kB)."""


@dataclass(frozen=True)
class Proxy:
    """An HTTP proxy: ``host:port`` to connect to, and the ``Proxy-Authorization`` value, if any."""

    address: str
    authorization: str | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, url: str) -> Proxy:
        """``http://[user:password@]host:port`` (credentials percent-encoded, as in a URL)."""
        import base64
        from urllib.parse import unquote, urlsplit

        parts = urlsplit(url if "://" in url else f"http://{url}")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("a proxy is an http://[user:password@]host:port URL")
        address = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
        if ":" in parts.hostname:  # an IPv6 literal
            address = f"[{parts.hostname}]" + (f":{parts.port}" if parts.port else "")
        authorization = None
        if parts.username is not None:
            pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
            authorization = "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")
        return cls(address, authorization)

    def __repr__(self) -> str:  # the address only: the credentials are secret
        return f"Proxy({self.address!r})"


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
    """Keep-alive connections, one idle pool per scheme and host, safe across threads.

    ``proxy`` (default: the standard environment variables, NO_PROXY honoured) carries its own
    credentials; ``verify`` is True (the system's CAs), a CA bundle's path, an ``ssl.SSLContext``,
    or False (no verification: tests only). An exchange ends by its ``deadline`` (a
    ``time.monotonic()`` instant) however slowly the answer trickles in, and a body over
    ``max_body`` bytes is not read.
    """

    def __init__(
        self,
        timeouts: Timeouts,
        *,
        max_body: int = MAX_BODY,
        proxy: Proxy | None = None,
        verify: bool | str | ssl.SSLContext = True,
    ) -> None:
        self._timeouts = timeouts
        self._max_body = max_body
        self._verify = verify
        self._given_proxy = proxy
        self._idle: dict[tuple[str, str], list[tuple[http.client.HTTPConnection, float]]] = {}
        self._context: ssl.SSLContext | None = None
        self._proxies: dict[tuple[str, str], Proxy | None] = {}

    def _proxy(self, scheme: str, host: str) -> Proxy | None:
        if self._given_proxy is not None:
            return self._given_proxy
        key = (scheme, host)
        if key not in self._proxies:
            self._proxies[key] = _proxy_for(scheme, host)
        return self._proxies[key]

    def _connect(self, scheme: str, host: str, deadline: float | None) -> http.client.HTTPConnection:
        proxy = self._proxy(scheme, host)
        target_host, target_port = _split(host, 443 if scheme == "https" else 80)
        connect_host, connect_port = _split(proxy.address, 80) if proxy else (target_host, target_port)
        timeout = min(self._timeouts.connect, max(0.001, deadline - time.monotonic()) if deadline else 1e9)
        conn: http.client.HTTPConnection
        if scheme == "https":
            if self._context is None:
                self._context = ssl_context(self._verify)
            conn = _HTTPSConnection(connect_host, connect_port, timeout=timeout, context=self._context)
        else:
            conn = _HTTPConnection(connect_host, connect_port, timeout=timeout)
        if proxy and scheme == "https":
            tunnel_headers = {"Proxy-Authorization": proxy.authorization} if proxy.authorization else None
            conn.set_tunnel(target_host, target_port, headers=tunnel_headers)
        try:
            conn.connect()
        except TimeoutError:
            conn.close()
            raise SendError(f"could not connect to {host} in time", sent=False, timeout=True) from None
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            where = f"{host} through the proxy {proxy.address}" if proxy else host
            raise SendError(f"could not connect to {where}: {_reason(exc)}", sent=False) from None
        assert conn.sock is not None
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn

    def _take(self, scheme: str, host: str, deadline: float | None) -> http.client.HTTPConnection:
        pool = self._idle.get((scheme, host))
        now = time.monotonic()
        while pool:
            conn, since = pool.pop()
            if now - since < IDLE_LIMIT and not _dropped(conn):
                return conn
            conn.close()
        return self._connect(scheme, host, deadline)

    def send(self, request: Prepared, deadline: float | None = None) -> Answer:
        if deadline is not None and time.monotonic() >= deadline:
            raise SendError(f"no time left to call {request.host}", sent=False, timeout=True)
        conn = self._take(request.scheme, request.host, deadline)
        target = request.target
        headers = request.headers
        if request.scheme == "http" and (proxy := self._proxy(request.scheme, request.host)):
            target = f"http://{request.host}{target}"
            if proxy.authorization:
                headers = {**headers, "Proxy-Authorization": proxy.authorization}
        assert isinstance(conn, (_HTTPConnection, _HTTPSConnection))
        conn.limits = (self._timeouts.read, deadline)
        try:
            if conn.sock is not None:
                conn.sock.settimeout(_remaining(self._timeouts.read, deadline))
            conn.request(request.method, target, body=request.body or None, headers=headers)
            response = conn.getresponse()
            body = _read_body(response, self._max_body, request.host)
        except TimeoutError:
            conn.close()
            raise SendError(f"no answer from {request.host} in time", sent=True, timeout=True) from None
        except ResponseTooLarge:
            conn.close()
            raise
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise SendError(f"the connection to {request.host} failed: {_reason(exc)}", sent=True) from None
        answer_headers = {k.lower(): v for k, v in response.getheaders()}
        if response.will_close:
            conn.close()
        else:
            self._idle.setdefault((request.scheme, request.host), []).append((conn, time.monotonic()))
        return Answer(response.status, answer_headers, body)

    def close(self) -> None:
        for pool in self._idle.values():
            for conn, _ in pool:
                conn.close()
        self._idle.clear()


def ssl_context(verify: bool | str | ssl.SSLContext) -> ssl.SSLContext:
    """The TLS context of ``verify``: True, a CA bundle's path, a context, or False (no checks)."""
    import ssl  # loaded with the first HTTPS connection

    if isinstance(verify, ssl.SSLContext):
        return verify
    if verify is False:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    if isinstance(verify, str):
        return ssl.create_default_context(cafile=verify)
    return ssl.create_default_context()


def _remaining(timeout: float, deadline: float | None) -> float:
    """The socket timeout of the next wait: ``timeout``, cut to what is left before ``deadline``."""
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the deadline has passed")
    return min(timeout, left)


def _reason(exc: BaseException) -> str:
    """What went wrong, without the request (a V1 request's line carries its signature and token)."""
    return type(exc).__name__ + (f" ({exc.strerror})" if isinstance(exc, OSError) and exc.strerror else "")


class _DeadlineReader(io.RawIOBase):
    """A socket's reads, each one given at most the read timeout and what is left of the deadline:
    a server that trickles its answer byte by byte is cut off at the deadline. It reads through
    the socket's own file (``raw``), which keeps the socket open while the answer is read."""

    def __init__(self, raw: Any, sock: socket.socket, limits: tuple[float, float | None]) -> None:
        super().__init__()
        self._raw = raw
        self._sock = sock
        self._read_timeout, self._deadline = limits

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self._sock.settimeout(_remaining(self._read_timeout, self._deadline))
        count: int | None = self._raw.readinto(buffer)
        if count is None:  # a non-blocking socket with nothing to read: treat as a timeout
            raise TimeoutError("no data")
        return count

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


class _Response(http.client.HTTPResponse):
    """``HTTPResponse`` reading through a ``_DeadlineReader``."""

    def __init__(
        self, sock: socket.socket, *args: Any, limits: tuple[float, float | None], **kwargs: Any
    ) -> None:
        super().__init__(sock, *args, **kwargs)
        raw = self.fp.detach()  # the socket file, without the buffer that would close it when dropped
        self.fp = io.BufferedReader(_DeadlineReader(raw, sock, limits), 8192)


class _Limits:
    limits: tuple[float, float | None] = (10.0, None)

    def _response(self, sock: socket.socket, *args: Any, **kwargs: Any) -> http.client.HTTPResponse:
        return _Response(sock, *args, limits=self.limits, **kwargs)


class _HTTPConnection(_Limits, http.client.HTTPConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.response_class = self._response  # type: ignore[assignment]


class _HTTPSConnection(_Limits, http.client.HTTPSConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.response_class = self._response  # type: ignore[assignment]


def _read_body(response: http.client.HTTPResponse, limit: int, host: str) -> bytes:
    """The whole body, or ``ResponseTooLarge`` as soon as it is known to be over ``limit``."""
    headers = {k.lower(): v for k, v in response.getheaders()}
    length = response.length
    if length is not None and length > limit:
        raise ResponseTooLarge(host, limit, response.status, headers)
    chunks, size = [], 0
    while chunk := response.read(min(65536, limit + 1 - size) if size <= limit else 1):
        size += len(chunk)
        if size > limit:
            raise ResponseTooLarge(host, limit, response.status, headers)
        chunks.append(chunk)
    if length is not None and size < length:  # http.client returns a cut-off body without a word
        raise http.client.IncompleteRead(b"", length - size)
    return b"".join(chunks)


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


def _split(host: str, default_port: int) -> tuple[str, int]:
    name, _, port = host.rpartition(":") if host.count(":") == 1 else (host, "", "")
    return (name, int(port)) if port.isdigit() else (host, default_port)


def _proxy_for(scheme: str, host: str) -> Proxy | None:
    """The proxy from the standard environment variables (with its credentials), honouring NO_PROXY."""
    import urllib.request  # costly to import; needed once per host

    proxies: dict[str, Any] = urllib.request.getproxies()
    proxy = proxies.get(scheme)
    if not proxy or urllib.request.proxy_bypass(host.rsplit(":", 1)[0]):
        return None
    return Proxy.parse(str(proxy))

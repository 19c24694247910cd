"""Sending one prepared request from asyncio over an ``httpx.AsyncClient`` the application
brings (``HttpxTransport``): its proxies, TLS settings, limits and hooks, with the SDK's timeouts,
body cap and failures (``SendError``) as ``_async_transport.AsyncTransport`` has them. httpx is
imported only when an application gives a client.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import re
import time
from typing import TYPE_CHECKING

from ._transport import MAX_BODY, Answer, Prepared, ResponseTooLarge, SendError, Timeouts

if TYPE_CHECKING:
    import httpx

_SENDING: contextvars.ContextVar[bool] = contextvars.ContextVar("sdk_sending", default=False)
_QUERY = re.compile(r"""([a-zA-Z][a-zA-Z0-9+.-]*://[^\s?#"'<>]*)\?[^\s#"'<>]*""")


class _HideQuery(logging.Filter):
    """Drops the query string of every URL in what httpx logs while this SDK sends through it.

    httpx logs each request's full URL at INFO (``HTTP Request: POST https://host/?…``); this
    SDK's queries hold the signature, and signed V1 the AccessKeyId and SecurityToken. A filter
    on the ``httpx`` logger runs before any handler sees the record, whatever the application's
    logging setup, and whatever transport its client uses; the task-local flag leaves the
    application's own requests as they are.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if _SENDING.get():
            record.msg, record.args = _QUERY.sub(r"\1", record.getMessage()), None
        return True


_HIDE_QUERY = _HideQuery()


class HttpxTransport:
    """The same interface over an ``httpx.AsyncClient`` the application gives (its proxies, TLS
    settings, limits and hooks). Never closed here: the application owns it. The SDK's timeouts
    apply to each request; ``deadline`` bounds the whole exchange (``asyncio.timeout_at``).

    Give that client ``httpx.Limits(max_keepalive_connections=...)`` as high as its
    ``max_connections``: httpcore 1.0.9 closes every connection freed while more than that many
    are open (encode/httpcore#1000), and many tasks then open a connection per call.
    """

    def __init__(self, client: httpx.AsyncClient, timeouts: Timeouts, *, max_body: int = MAX_BODY) -> None:
        import httpx

        self._httpx = httpx
        self._client = client
        self._timeout = httpx.Timeout(timeouts.read, connect=timeouts.connect, pool=timeouts.connect)
        self._max_body = max_body
        logging.getLogger("httpx").addFilter(_HIDE_QUERY)  # once: a logger holds a filter once

    async def send(self, request: Prepared, deadline: float | None = None) -> Answer:
        httpx, host = self._httpx, request.host
        loop = asyncio.get_running_loop()
        end = None if deadline is None else loop.time() + (deadline - time.monotonic())
        if end is not None and loop.time() >= end:
            raise SendError(f"no time left to send to {host}", sent=False, timeout=True)
        url = f"{request.scheme}://{host}{request.target}"
        flag = _SENDING.set(True)
        try:
            async with asyncio.timeout_at(end):
                content = request.body or None
                stream = self._client.stream(
                    request.method, url, headers=request.headers, content=content, timeout=self._timeout
                )
                async with stream as response:
                    headers = {name.lower(): value for name, value in response.headers.items()}
                    body = await self._read(response, host, headers)
                    return Answer(response.status_code, headers, body)
        except TimeoutError:  # the deadline: the request may have left
            raise SendError(f"no answer from {host} in time", sent=True, timeout=True) from None
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            timeout = isinstance(exc, httpx.TimeoutException)
            message = f"could not connect to {host}: {type(exc).__name__}"
            raise SendError(message, sent=False, timeout=timeout) from None
        except httpx.TimeoutException:
            raise SendError(f"no answer from {host} in time", sent=True, timeout=True) from None
        except httpx.HTTPError as exc:
            raise SendError(f"the exchange with {host} failed: {type(exc).__name__}", sent=True) from None
        finally:
            _SENDING.reset(flag)

    async def _read(self, response: httpx.Response, host: str, headers: dict[str, str]) -> bytes:
        length = headers.get("content-length", "")
        if length.isascii() and length.isdigit() and int(length) > self._max_body:
            raise ResponseTooLarge(host, self._max_body, response.status_code, headers)
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > self._max_body:
                raise ResponseTooLarge(host, self._max_body, response.status_code, headers)
        return bytes(body)

    async def close(self) -> None:
        """Nothing to do: the application's client stays open."""

"""Helpers of the end-to-end tests: run a client method sync or async, and send raw signed requests.

``raw()`` builds a request by hand with the SDK's signing module, so that tests can send what the
SDK never would (a missing parameter, an old timestamp, a reused nonce, garbage).
"""

from __future__ import annotations

import http.client
import inspect
import json
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dyvmsapi import AsyncClient, Client, _signing
from dyvmsapi.testing import Emulator

VERSION = "2017-05-25"
MODES = [("sync", "v3"), ("sync", "v1"), ("async", "v3"), ("async", "v1")]
MODE_IDS = ["sync-v3", "sync-v1", "async-v3", "async-v1"]


def make_client(emu: Emulator, kind: str, signature_version: str, **options: Any) -> Client | AsyncClient:
    options.setdefault("signature_version", signature_version)
    return emu.client(**options) if kind == "sync" else emu.async_client(**options)


async def invoke(client: Client | AsyncClient, method: str, *args: Any, **kwargs: Any) -> Any:
    """Call ``client.<method>`` whether the client is sync or async."""
    result = getattr(client, method)(*args, **kwargs)
    return await result if inspect.isawaitable(result) else result


async def gather(client: Client | AsyncClient, method: str, **kwargs: Any) -> list[Any]:
    """Everything ``client.<method>(...)`` yields, an iterator (sync) or an async iterator."""
    found = getattr(client, method)(**kwargs)
    if hasattr(found, "__aiter__"):
        return [item async for item in found]
    return list(found)


async def close(client: Client | AsyncClient) -> None:
    result = client.close()
    if inspect.isawaitable(result):
        await result


@dataclass
class RawAnswer:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def body(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.text)
        return data


def raw(
    emu: Emulator,
    action: str | None,
    params: Sequence[tuple[str, str]] = (),
    *,
    scheme: str = "v3",
    key_id: str | None = None,
    secret: str | None = None,
    token: str | None = None,
    timestamp: str | None = None,
    nonce: str | None = None,
    version: str = VERSION,
    method: str = "POST",
    tamper: dict[str, str | None] | None = None,
) -> RawAnswer:
    """Send one request signed with ``_signing`` (``scheme`` v3, v1 or none); ``tamper`` then
    replaces (or with None removes) headers (v3) or query parameters (v1) after signing."""
    key_id = key_id or emu.access_key_id
    secret = secret or emu.access_key_secret
    timestamp = timestamp or _signing.utc_timestamp()
    nonce = nonce or _signing.new_nonce()
    headers: dict[str, str]
    query: list[tuple[str, str]]
    if scheme == "v1":
        query = _signing.sign_v1(
            action=action or "",
            version=version,
            params=params,
            timestamp=timestamp,
            nonce=nonce,
            access_key_id=key_id,
            access_key_secret=secret,
            security_token=token,
            method=method,
        )
        if action is None:
            query = [(k, v) for k, v in query if k != "Action"]
        for name, value in (tamper or {}).items():
            query = [(k, v) for k, v in query if k != name] + ([(name, value)] if value is not None else [])
        headers = {"host": emu.host}
    else:
        query = list(params)
        headers = _signing.v3_headers(
            host=emu.host,
            action=action or "",
            version=version,
            timestamp=timestamp,
            nonce=nonce,
            user_agent="e2e",
            security_token=token,
            access_key_id=key_id,
        )
        if action is None:
            del headers["x-acs-action"]
        if scheme == "v3":
            headers["Authorization"] = _signing.sign_v3(
                method=method,
                host=emu.host,
                pathname="/",
                query=query,
                headers=headers,
                access_key_id=key_id,
                access_key_secret=secret,
            )
        for name, value in (tamper or {}).items():
            headers.pop(name, None)
            if value is not None:
                headers[name] = value
    path = "/?" + _signing.encode_query(query) if query else "/"
    connection = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=5)
    try:
        connection.request(method, path, headers={k: v for k, v in headers.items() if k != "host"})
        response = connection.getresponse()
        return RawAnswer(
            response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode()
        )
    finally:
        connection.close()


def send_bytes(emu: Emulator, data: bytes) -> bytes:
    """Write raw bytes to the emulator's port and read what comes back until it closes."""
    with socket.create_connection(("127.0.0.1", emu.port), timeout=5) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)  # nothing more is coming
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)

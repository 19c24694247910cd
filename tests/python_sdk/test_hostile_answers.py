"""Hostile answers: whatever a server sends back — wrong types, nothing, a redirect, a trickle, a
flood, a cut-off body, nesting to blow the stack — a call ends with a typed error of the package,
carrying the action, the request id when one came and the HTTP status, within its deadline; and no
secret reaches a log line, an error or a repr."""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import dyvmsapi
import pytest
from dyvmsapi import AsyncClient, Client, RetryPolicy
from hostile_server import HOSTILE_ANSWERS, TRICKLE, RawServer, head, json_answer

HOSTILE = {
    case: (chunks, getattr(dyvmsapi, name), status)
    for case, (chunks, name, status) in HOSTILE_ANSWERS.items()
}
TOKEN = "sts-token-that-must-never-leak"
SECRET = "secret-that-must-never-leak"


@pytest.fixture
def server() -> Iterator[RawServer]:
    made = RawServer()
    yield made
    made.close()


def _client(server: RawServer, **options: object) -> Client:
    settings: dict[str, object] = {"access_key_id": "testid", "access_key_secret": SECRET,
                                   "security_token": TOKEN, "endpoint": server.endpoint,
                                   "retry": RetryPolicy(max_attempts=2, base_delay=0.01)}  # fmt: skip
    return Client(**{**settings, **options})  # type: ignore[arg-type]


def _async_client(server: RawServer, **options: object) -> AsyncClient:
    settings: dict[str, object] = {"access_key_id": "testid", "access_key_secret": SECRET,
                                   "security_token": TOKEN, "endpoint": server.endpoint,
                                   "retry": RetryPolicy(max_attempts=2, base_delay=0.01)}  # fmt: skip
    return AsyncClient(**{**settings, **options})  # type: ignore[arg-type]


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_answer_is_a_typed_error_within_the_deadline(server: RawServer, case: str) -> None:
    chunks, error_class, status = HOSTILE[case]
    server.answers.extend([chunks, chunks])
    began = time.monotonic()
    with _client(server, attempt_timeout=1.0, deadline=3.0, max_body=2**20) as client:
        with pytest.raises(dyvmsapi.DyvmsapiError) as info:
            client.single_call_by_tts(called_number="13800000000", tts_code="TTS_1")
    elapsed = time.monotonic() - began
    error = info.value
    assert isinstance(error, error_class), repr(error)
    assert error.action == "SingleCallByTts" and "SingleCallByTts" in str(error)
    assert error.http_status == status
    if status is not None:
        assert error.request_id in ("r-1", "req-42")
    assert elapsed < 3.5, "bounded by the call's deadline"
    assert server.count == 1, "a call-placing action is not sent again once it may have been processed"
    assert TOKEN not in str(error) + repr(error) and SECRET not in str(error) + repr(error)


def test_an_invalid_response_keeps_the_raw_body(server: RawServer) -> None:
    server.answers.append(json_answer({"RequestId": "r-9", "Code": "OK", "CallId": {"x": 1}}))
    with _client(server) as client, pytest.raises(dyvmsapi.InvalidResponseError) as info:
        client.single_call_by_tts(called_number="13800000000", tts_code="TTS_1")
    assert json.loads(info.value.body)["CallId"] == {"x": 1} and info.value.request_id == "r-9"
    assert "call_id" in str(info.value), "pydantic's finding names the field"


def test_an_idempotent_call_is_retried_within_its_deadline(server: RawServer) -> None:
    server.answers.extend([TRICKLE] * 5)
    began = time.monotonic()
    with _client(
        server, attempt_timeout=0.8, deadline=2.0, retry=RetryPolicy(max_attempts=5, base_delay=0.01)
    ) as c:
        with pytest.raises(dyvmsapi.RequestTimeoutError):
            c.query_call_detail_by_call_id(call_id="c", prod_id=11000000300006, query_date=1669032001000)
    assert time.monotonic() - began < 2.6 and 2 <= server.count <= 3, "retries stop at the deadline"


@pytest.mark.parametrize(
    "case", ["wrong type", "redirect", "recursion", "huge by length", "truncated", "trickle"]
)
def test_the_async_client_meets_the_same_answers_the_same_way(server: RawServer, case: str) -> None:
    chunks, error_class, status = HOSTILE[case]
    server.answers.extend([chunks, chunks])

    async def call() -> None:
        async with _async_client(server, attempt_timeout=1.0, deadline=3.0, max_body=2**20) as client:
            await client.single_call_by_tts(called_number="13800000000", tts_code="TTS_1")

    began = time.monotonic()
    with pytest.raises(error_class) as info:
        asyncio.run(call())
    assert time.monotonic() - began < 3.5 and server.count == 1
    assert info.value.action == "SingleCallByTts" and info.value.http_status == status  # type: ignore[attr-defined]


@pytest.mark.parametrize("signature_version", ["v1", "v3"])
@pytest.mark.parametrize("kind", ["sync", "async"])
def test_no_secret_in_any_log_line(
    server: RawServer, caplog: pytest.LogCaptureFixture, signature_version: str, kind: str
) -> None:
    """Every logger at DEBUG (the package's, httpx's, asyncio's...), through successes and failures."""
    server.answers.extend([json_answer({"RequestId": "r-1", "Code": "OK", "CallId": "c"}),
                           [(0.0, head(503, length=0))], [(0.0, head(503, length=0))], HOSTILE["wrong type"][0]])  # fmt: skip
    caplog.set_level(logging.DEBUG)
    logging.getLogger().setLevel(logging.DEBUG)
    calls = ["ok", "5xx", "invalid"]

    async def run_async() -> None:
        async with _async_client(server, signature_version=signature_version) as client:
            for _ in calls:
                try:
                    await client.query_call_detail_by_call_id(call_id="c", prod_id=11000000300006,
                                                              query_date=1669032001000)  # fmt: skip
                except dyvmsapi.DyvmsapiError as error:
                    logging.getLogger("app").info("failed: %s %r", error, error)

    if kind == "async":
        asyncio.run(run_async())
    else:
        with _client(server, signature_version=signature_version) as client:
            for _ in calls:
                try:
                    client.query_call_detail_by_call_id(call_id="c", prod_id=11000000300006,
                                                        query_date=1669032001000)  # fmt: skip
                except dyvmsapi.DyvmsapiError as error:
                    logging.getLogger("app").info("failed: %s %r", error, error)
    assert any(
        r.name == "dyvmsapi" and "QueryCallDetailByCallId attempt 1" in r.getMessage() for r in caplog.records
    )
    assert TOKEN not in caplog.text and SECRET not in caplog.text
    if signature_version == "v1":
        assert any(TOKEN.encode() in r for r in server.requests), "the token was sent, in the query"


@pytest.mark.parametrize(
    "token", [TOKEN + "\n", " " + TOKEN, "tök" + TOKEN, TOKEN + "\r\nX-Injected: 1", TOKEN + "\x00"]
)
def test_a_malformed_credential_is_refused_when_the_client_is_made(token: str) -> None:
    for make in (Client, AsyncClient):
        with pytest.raises(dyvmsapi.CredentialsError) as info:
            make("testid", SECRET, token, endpoint="http://127.0.0.1:9")
        assert TOKEN not in str(info.value) + repr(info.value) and "security_token" in str(info.value)


def test_constructors_are_typed_and_checked() -> None:
    parameters = inspect.signature(Client).parameters
    assert {"endpoint", "timeout", "attempt_timeout", "deadline", "retry", "proxy", "verify", "headers",
            "max_body"} <= set(parameters)  # fmt: skip
    assert {"max_connections", "http_client"} <= set(inspect.signature(AsyncClient).parameters)
    assert "deadline" in (Client.__init__.__doc__ or "") + (Client.__doc__ or "")
    with pytest.raises(TypeError):
        Client("testid", SECRET, endpont="x")  # type: ignore[call-arg]
    for bad in ({"timeout": "10"}, {"retry": 5}, {"protocol": "ftp"}, {"deadline": -1}, {"max_body": 10},
                {"headers": {"Bad Name": "x"}}, {"headers": {"Authorization": "x"}}, {"proxy": "ftp://x"}):  # fmt: skip
        with pytest.raises(dyvmsapi.InvalidArgumentError):
            Client("testid", SECRET, endpoint="http://127.0.0.1:9", **bad)  # type: ignore[arg-type]


def test_mypy_rejects_a_misspelt_argument(tmp_path: Path) -> None:
    program = tmp_path / "app.py"
    program.write_text(
        "from dyvmsapi import AsyncClient, Client\n"
        'Client(endpont="x")\n'
        'Client(timeout="10", retry=5)\n'
        'AsyncClient(protocol="ftp")\n'
        'Client(deadline=5.0, attempt_timeout=1.0, proxy="http://p:1", verify=False, headers={"a": "b"})\n'
    )
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(program)],
                            capture_output=True, text=True, timeout=300)  # fmt: skip
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert sorted(int(line.split(":")[1]) for line in errors) == [2, 3, 3, 4], result.stdout


def test_argument_mistakes_are_typed_with_a_did_you_mean() -> None:
    with Client("testid", SECRET, endpoint="http://127.0.0.1:9") as client:
        with pytest.raises(dyvmsapi.InvalidArgumentError) as info:
            client.single_call_by_tts(caled_number="13800000000", tts_code="TTS_1")  # type: ignore[call-overload]
        assert "did you mean 'called_number'?" in str(info.value) and info.value.errors
        assert isinstance(info.value, ValueError) and isinstance(info.value, dyvmsapi.ClientError)
        with pytest.raises(dyvmsapi.InvalidArgumentError, match="phone number"):
            client.single_call_by_tts(called_number="+86 138 0000 0000", tts_code="TTS_1")
        with pytest.raises(dyvmsapi.InvalidArgumentError, match="seconds\\? multiply by 1000"):
            client.query_call_detail_by_call_id(call_id="c", prod_id=11000000300006, query_date=1669032001)


def test_options_raw_responses_and_unknown_fields(
    server: RawServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.answers.append(
        json_answer({"RequestId": "r-1", "Code": "OK", "CallId": "c-1", "NewField": {"a": 1}})
    )
    with _client(server) as client:
        quick = client.with_options(deadline=5.0, retry=RetryPolicy(max_attempts=1), headers={"x-app": "7"})
        response = quick.single_call_by_tts(called_number="13800000000", tts_code="TTS_1")
        assert response.call_id == "c-1" and response.model_extra == {"NewField": {"a": 1}}
        raw = response.raw_response
        assert (raw.status, raw.request_id, raw.attempts) == (200, "req-42", 1)
        assert json.loads(raw.body)["NewField"] == {"a": 1}
        assert b"x-app: 7" in server.requests[-1].lower()
        server.answers.append(
            json_answer({"RequestId": "r-2", "Code": "ServiceUnavailable", "Message": "busy"}, 503)
        )
        with pytest.raises(dyvmsapi.ServerError):
            quick.query_call_detail_by_call_id(call_id="c", prod_id=11000000300006, query_date=1669032001000)
        assert server.count == 2, "the clone's retry policy: one attempt"
    assert client.retry.max_attempts == 2, "the original keeps its settings"


class _Proxy:
    """An HTTP proxy that records the Proxy-Authorization it gets and forwards to the target."""

    def __init__(self, target: RawServer) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self.target = target
        self.authorizations: list[str] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with conn:
                head = b""
                while b"\r\n\r\n" not in head:
                    head += conn.recv(65536)
                lines = head.decode().split("\r\n")
                auth = [
                    line.split(":", 1)[1].strip()
                    for line in lines
                    if line.lower().startswith("proxy-authorization")
                ]
                self.authorizations += auth
                with socket.create_connection(("127.0.0.1", self.target.port)) as upstream:
                    upstream.sendall(head)
                    while data := upstream.recv(65536):
                        conn.sendall(data)

    def close(self) -> None:
        self._sock.close()


def test_an_explicit_proxy_with_credentials(server: RawServer) -> None:
    proxy = _Proxy(server)
    try:
        with _client(server, proxy=f"http://user:p%40ss@127.0.0.1:{proxy.port}") as client:
            assert client.single_call_by_tts(called_number="13800000000", tts_code="TTS_1").code == "OK"
            assert "p%40ss" not in repr(client) and "p@ss" not in repr(client)
    finally:
        proxy.close()
    assert proxy.authorizations == ["Basic dXNlcjpwQHNz"]  # user:p@ss
    assert server.requests[0].startswith(f"POST http://127.0.0.1:{server.port}/?".encode())


def test_a_dead_proxy_is_named_not_the_target() -> None:
    with Client("testid", SECRET, endpoint="http://127.0.0.1:9", proxy="http://127.0.0.1:1",
                retry=RetryPolicy(max_attempts=1)) as client:  # fmt: skip
        with pytest.raises(dyvmsapi.ConnectionFailedError, match="through the proxy 127.0.0.1:1"):
            client.single_call_by_tts(called_number="13800000000", tts_code="TTS_1")


def test_an_async_client_sends_through_an_httpx_client_of_ones_own(caplog: pytest.LogCaptureFixture) -> None:
    import httpx
    from dyvmsapi.testing import Emulator

    caplog.set_level(logging.DEBUG)

    async def main(emu: Emulator) -> str:
        async with httpx.AsyncClient() as mine:
            async with AsyncClient(emu.access_key_id, emu.access_key_secret, emu.security_token,
                                   endpoint=emu.endpoint, signature_version="v1", http_client=mine) as client:  # fmt: skip
                response = await client.single_call_by_tts(called_number="13800000000", tts_code="TTS_1")
            assert not mine.is_closed, "the application's client is the application's to close"
            return str(response.call_id)

    with Emulator() as emu:
        call_id = asyncio.run(main(emu))
        assert emu.calls[0].id == call_id and emu.requests[0].signature_version == "v1"
    assert any(r.name == "httpx" for r in caplog.records), "httpx logged the request (without its query)"
    assert emu.security_token not in caplog.text and "Signature=" not in caplog.text

"""Hostile clients against the emulator: huge numbers, deep JSON, broken framing, stalled and idle
connections, too many connections. Each is answered the way the service answers a bad request (or
the connection is closed), never with a 500, and nothing lands in ``emu.errors``."""

from __future__ import annotations

import http.client
import socket
import time

import pytest
from e2e_support import raw, send_bytes

from dyvmsapi import InvalidParameterError, _signing
from dyvmsapi.models import SingleCallByTtsRequest
from dyvmsapi.testing import Emulator

TTS = [("CalledNumber", "13800000000"), ("TtsCode", "TTS_1")]
IVR = [("CalledNumber", "13800000000"), ("CalledShowNumber", "057100000000"), ("StartCode", "TTS_1")]


def _nested(depth: int) -> str:
    return '{"a":' * depth + '"x"' + "}" * depth


@pytest.mark.parametrize(
    ("action", "params", "parameter"),
    [
        ("SingleCallByTts", [*TTS, ("PlayTimes", "9" * 5000)], "PlayTimes"),
        ("SingleCallByTts", [*TTS, ("PlayTimes", "-" + "0" * 5000 + "1")], "PlayTimes"),
        ("SingleCallByTts", [*TTS, ("Speed", "9" * 40)], "Speed"),
        ("QueryCallDetailByCallId", [("CallId", "1"), ("ProdId", "9" * 5000), ("QueryDate", "1")], "ProdId"),
        ("SingleCallByTts", [*TTS, ("TtsParam", _nested(3000))], "TtsParam"),
        ("SingleCallByTts", [*TTS, ("TtsParam", "[" * 3000 + "]" * 3000)], "TtsParam"),
        ("SingleCallByTts", [*TTS, ("TtsParam", _nested(65))], "TtsParam"),
        ("SingleCallByTts", [*TTS, ("TtsParam", '{"a":' + "9" * 5000 + "}")], "TtsParam"),
        ("SingleCallByTts", [*TTS, ("TtsParam", '{"a":99999999999999999999}')], "TtsParam"),
        ("SingleCallByTts", [*TTS, ("TtsParam", '{"a":1e999}')], "TtsParam"),
        ("SingleCallByTts", [*TTS, ("TtsParam", '{"a":NaN}')], "TtsParam"),
        ("IvrCall", [*IVR, ("MenuKeyMap." + "9" * 5000 + ".Key", "1")], "MenuKeyMap"),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 30 else None,
)
def test_huge_numbers_and_deep_json_are_invalid_parameters(
    emu: Emulator, action: str, params: list[tuple[str, str]], parameter: str
) -> None:
    answer = raw(emu, action, params)
    assert (answer.status, answer.body["Code"]) == (400, "InvalidParameter"), answer.text[:300]
    assert f"Parameter: {parameter}." in answer.body["Message"]


def test_sixty_four_levels_of_json_are_still_read(emu: Emulator) -> None:
    """The bound lets through what a real request holds: here the schema then refuses the shape."""
    answer = raw(emu, "SingleCallByTts", [*TTS, ("TtsParam", _nested(64))])
    assert "nested deeper" not in answer.body["Message"]
    assert "expected a JSON string" in answer.body["Message"]


def test_deep_json_from_the_sdk(emu: Emulator) -> None:
    deep: dict[str, object] = {"a": "x"}
    for _ in range(100):
        deep = {"a": deep}
    request = SingleCallByTtsRequest.model_construct(
        called_number="13800000000", tts_code="TTS_1", tts_param=deep
    )
    with emu.client() as client, pytest.raises(InvalidParameterError) as info:
        client.single_call_by_tts(request)
    assert (info.value.code, info.value.http_status) == ("InvalidParameter", 400)
    assert "Parameter: TtsParam." in info.value.message and "nested deeper" in info.value.message
    assert emu.calls == []


def test_a_megabyte_of_brackets_in_a_form_body(emu: Emulator) -> None:
    form = [*TTS, ("TtsParam", "[" * 150_000 + "]" * 150_000)]
    query = _signing.sign_v1(
        action="SingleCallByTts",
        version="2017-05-25",
        params=form,
        timestamp=_signing.utc_timestamp(),
        nonce=_signing.new_nonce(),
        access_key_id=emu.access_key_id,
        access_key_secret=emu.access_key_secret,
    )
    path = "/?" + _signing.encode_query([(k, v) for k, v in query if k not in dict(form)])
    connection = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=5)
    try:
        connection.request(
            "POST",
            path,
            body=_signing.encode_query(form).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        response = connection.getresponse()
        text = response.read().decode()
    finally:
        connection.close()
    assert response.status == 400 and '"Code":"InvalidParameter"' in text
    assert "Parameter: TtsParam." in text


@pytest.mark.parametrize(
    ("head", "status"),
    [
        (b"POST / HTTP/1.1\r\nContent-Length: \xb2\r\n\r\n", 400),  # a digit to str.isdigit, not to int
        (b"POST / HTTP/1.1\r\nContent-Length: " + b"9" * 5000 + b"\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nabc\r\n", 400),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc\r\n0\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + b"1" * 70000 + b"\r\n", 400),
        (b"POST / HTTP/1.1\r\n" + b"X: y\r\n" * 101 + b"\r\n", 431),
    ],
    ids=["unicode-length", "long-length", "two-lengths", "negative-chunk", "chunk-no-crlf",
         "long-chunk-line", "many-headers"],  # fmt: skip
)
def test_broken_framing_is_refused_by_the_front_end(emu: Emulator, head: bytes, status: int) -> None:
    assert send_bytes(emu, head).startswith(f"HTTP/1.1 {status} ".encode())


def test_expect_continue(emu: Emulator) -> None:
    with socket.create_connection(("127.0.0.1", emu.port), timeout=5) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
        assert sock.recv(1024).startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
        sock.sendall(b"ab")
        assert b"MissingAction" in _read(sock, stop=b"}")


def _read(sock: socket.socket, stop: bytes | None = None) -> bytes:
    """What the server sends until it closes the connection (or until ``stop`` arrives)."""
    data = b""
    while stop is None or stop not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def test_a_stalled_body_or_head_is_answered_408_and_closed() -> None:
    with Emulator(request_timeout=0.3) as emu:
        stalled_body = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab"
        for partial in (stalled_body, b"POST / HTTP/1.1\r\nHo"):
            with socket.create_connection(("127.0.0.1", emu.port), timeout=5) as sock:
                sock.sendall(partial)
                assert _read(sock).startswith(b"HTTP/1.1 408 ")
        with socket.create_connection(("127.0.0.1", emu.port), timeout=5) as sock:
            assert _read(sock) == b""  # a connection that never sends is closed too
        with socket.create_connection(("127.0.0.1", emu.port), timeout=5) as sock:
            answer = _trickle(sock)
            assert answer == b"" or answer.startswith(b"HTTP/1.1 408 ")  # a reset may replace the page
        assert emu.requests == [] and emu.errors == []


def _trickle(sock: socket.socket) -> bytes:
    """Send a head byte by byte, 20 a second, until the server closes the connection; what it
    answered (nothing when it reset the connection, closing with a byte unread)."""
    sock.settimeout(0.05)
    answer, deadline = b"", time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            sock.sendall(b"X")
            data = sock.recv(1024)
        except TimeoutError:
            continue
        except OSError:
            break
        if not data:
            break
        answer += data
    else:
        raise AssertionError("the trickling connection was not closed")
    return answer


def test_an_idle_connection_is_closed() -> None:
    with Emulator(idle_timeout=0.3) as emu:
        connection = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=5)
        connection.request("GET", "/")
        response = connection.getresponse()
        assert response.status == 400 and response.getheader("Connection") == "keep-alive"
        response.read()
        assert connection.sock is not None
        assert connection.sock.recv(1) == b""  # closed by the server well before the client's timeout
        connection.close()
        assert emu.errors == []


def test_the_connection_cap_refuses_one_more_and_serves_the_others() -> None:
    with Emulator(max_connections=4) as emu:
        held = [http.client.HTTPConnection("127.0.0.1", emu.port, timeout=5) for _ in range(4)]
        try:
            for connection in held:  # an answer on each: all four are open on the server's side
                connection.request("GET", "/")
                assert connection.getresponse().read()
            opened = [connection.sock for connection in held]
            with socket.create_connection(("127.0.0.1", emu.port), timeout=5) as sock:
                assert _read(sock).startswith(b"HTTP/1.1 503 ")
            for connection in held:  # the same connections are still served
                connection.request("GET", "/")
                response = connection.getresponse()
                assert b"MissingAction" in response.read()
            assert [connection.sock for connection in held] == opened  # on the same connections
            held.pop().close()
            deadline = time.monotonic() + 5
            while True:  # once the server has seen the close, a new connection is served again
                answer = send_bytes(emu, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if b" 503 " not in answer[:20] or time.monotonic() > deadline:
                    break
                time.sleep(0.01)
            assert b"MissingAction" in answer
        finally:
            for connection in held:
                connection.close()
        assert emu.errors == []

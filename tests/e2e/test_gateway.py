"""The emulated gateway: signatures (V3 and V1), keys, STS tokens, timestamps, nonces, routing, and
malformed requests, through the SDK where it can send them and by hand where it cannot."""

from __future__ import annotations

import re

import pytest
from e2e_support import raw, send_bytes

import dyvmsapi
from dyvmsapi import (
    AccessKeyInactiveError,
    AccessKeyNotFoundError,
    MissingParameterError,
    SecurityTokenMismatchError,
    SignatureDoesNotMatchError,
    SignatureNonceUsedError,
    TimestampExpiredError,
    _signing,
)
from dyvmsapi.testing import Emulator

SCHEMES = ["v3", "v1"]
TTS = [("CalledNumber", "13800000000"), ("TtsCode", "TTS_1")]


def _tts(emu: Emulator, number: str = "13800000000", **options: object) -> str:
    with emu.client(**options) as client:
        call_id: str = client.single_call_by_tts(called_number=number, tts_code="TTS_1").call_id
    return call_id


@pytest.mark.parametrize("scheme", SCHEMES)
def test_wrong_secret(emu: Emulator, scheme: str) -> None:
    with pytest.raises(SignatureDoesNotMatchError) as info:
        _tts(emu, signature_version=scheme, access_key_secret="not-the-secret")
    error = info.value
    assert (error.code, error.http_status) == ("SignatureDoesNotMatch", 400)
    assert error.request_id == emu.requests[-1].request_id
    assert error.host_id == "dyvmsapi.aliyuncs.com"
    assert error.recommend and "SignatureDoesNotMatch" in error.recommend
    assert "not-the-secret" not in str(error) + repr(error)
    assert emu.calls == []


@pytest.mark.parametrize("scheme", SCHEMES)
def test_unknown_and_disabled_keys(emu: Emulator, scheme: str) -> None:
    with pytest.raises(AccessKeyNotFoundError) as info:
        _tts(emu, signature_version=scheme, access_key_id="nobody")
    assert info.value.http_status == 404
    emu.add_key("second", "second-secret")
    emu.add_key("off", "off-secret", enabled=False)
    _tts(emu, signature_version=scheme, access_key_id="second", access_key_secret="second-secret")
    assert emu.requests[-1].access_key_id == "second" and emu.calls[-1].access_key_id == "second"
    with pytest.raises(AccessKeyInactiveError):
        _tts(
            emu, "13800000001", signature_version=scheme, access_key_id="off", access_key_secret="off-secret"
        )


@pytest.mark.parametrize("scheme", SCHEMES)
def test_sts_tokens(emu: Emulator, scheme: str) -> None:
    _tts(emu, "13800000001", signature_version=scheme, security_token=emu.security_token)
    last = emu.requests[-1]
    sent = (
        last.headers.get("x-acs-security-token") if scheme == "v3" else dict(last.query).get("SecurityToken")
    )
    assert sent == emu.security_token and last.code == "OK"
    with pytest.raises(SecurityTokenMismatchError):
        _tts(emu, "13800000002", signature_version=scheme, security_token="someone-elses-token")
    emu.add_key("STS.temporary", "sts-secret", "sts-token")
    sts = {"access_key_id": "STS.temporary", "access_key_secret": "sts-secret"}
    _tts(emu, "13800000003", signature_version=scheme, security_token="sts-token", **sts)
    with pytest.raises(MissingParameterError) as info:
        _tts(emu, "13800000004", signature_version=scheme, **sts)
    assert info.value.code == "MissingSecurityToken"


@pytest.mark.parametrize("scheme", SCHEMES)
def test_timestamps(emu: Emulator, scheme: str) -> None:
    now = emu.clock.now()
    for offset, code in [(-16 * 60, "InvalidTimeStamp.Expired"), (16 * 60, "InvalidTimeStamp.Expired")]:
        answer = raw(
            emu, "SingleCallByTts", TTS, scheme=scheme, timestamp=_signing.utc_timestamp(now + offset)
        )
        assert (answer.status, answer.body["Code"]) == (400, code)
    answer = raw(emu, "SingleCallByTts", TTS, scheme=scheme, timestamp=_signing.utc_timestamp(now - 14 * 60))
    assert (answer.status, answer.body["Code"]) == (200, "OK")
    answer = raw(emu, "SingleCallByTts", TTS, scheme=scheme, timestamp="2024/01/02 03:04:05")
    assert (answer.status, answer.body["Code"]) == (400, "InvalidTimeStamp.Format")


def test_an_old_clock_in_the_sdk(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_signing, "utc_timestamp", lambda now=None: "2020-01-01T00:00:00Z")
    with pytest.raises(TimestampExpiredError):
        _tts(emu)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_nonces_are_single_use(emu: Emulator, scheme: str) -> None:
    nonce = _signing.new_nonce()
    bad = raw(emu, "SingleCallByTts", TTS, scheme=scheme, nonce=nonce, secret="wrong")
    assert bad.body["Code"] == "SignatureDoesNotMatch"  # a badly signed request does not use it up
    first = raw(emu, "SingleCallByTts", TTS, scheme=scheme, nonce=nonce)
    again = raw(
        emu,
        "SingleCallByTts",
        [("CalledNumber", "13800000001"), ("TtsCode", "T")],
        scheme=scheme,
        nonce=nonce,
    )
    assert (first.status, first.body["Code"]) == (200, "OK")
    assert (again.status, again.body["Code"]) == (400, "SignatureNonceUsed")
    assert len(emu.calls) == 1


def test_a_repeated_nonce_in_the_sdk(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_signing, "new_nonce", lambda: "0123456789abcdef0123456789abcdef")
    _tts(emu, "13800000001")
    with pytest.raises(SignatureNonceUsedError):
        _tts(emu, "13800000002")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_tampering_after_signing(emu: Emulator, scheme: str) -> None:
    if scheme == "v1":
        answer = raw(emu, "SingleCallByTts", TTS, scheme="v1", tamper={"CalledNumber": "13900000000"})
    else:
        answer = raw(
            emu, "SingleCallByTts", TTS, tamper={"x-acs-date": _signing.utc_timestamp(emu.clock.now() - 5)}
        )
    assert (answer.status, answer.body["Code"]) == (400, "SignatureDoesNotMatch")


def test_gateway_error_bodies_and_headers(emu: Emulator) -> None:
    answer = raw(emu, "SingleCallByTts", TTS, secret="wrong")
    body = answer.body
    assert set(body) == {"RequestId", "HostId", "Code", "Message", "Recommend"}
    assert answer.headers["x-acs-request-id"] == body["RequestId"]
    assert re.fullmatch(r"[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}", body["RequestId"])
    assert answer.headers["content-type"].startswith("application/json")
    ok = raw(emu, "SingleCallByTts", TTS)
    assert set(ok.body) == {"RequestId", "Code", "Message", "CallId"}
    assert ok.headers["x-acs-request-id"] == ok.body["RequestId"]
    business = raw(emu, "SingleCallByTts", TTS)  # the same number again: flow control
    assert business.status == 200 and set(business.body) == {"RequestId", "Code", "Message"}
    assert business.body["Code"] == "isv.BUSINESS_LIMIT_CONTROL"


@pytest.mark.parametrize("scheme", SCHEMES)
def test_routing(emu: Emulator, scheme: str) -> None:
    cases = [
        (raw(emu, "NoSuchAction", scheme=scheme), 404, "InvalidApi.NotFound"),
        (raw(emu, "SingleCallByTts", TTS, scheme=scheme, version="2099-01-01"), 400, "InvalidVersion"),
        (raw(emu, None, TTS, scheme=scheme), 400, "MissingAction"),
        (raw(emu, "SingleCallByTts", TTS, scheme=scheme, method="PUT"), 403, "UnsupportedHTTPMethod"),
    ]
    for answer, status, code in cases:
        assert (answer.status, answer.body["Code"]) == (status, code)
    assert (raw(emu, "SingleCallByTts", TTS, scheme=scheme, method="GET").body["Code"]) == "OK"


def test_unknown_action_through_the_sdk(emu: Emulator) -> None:
    from dyvmsapi.models import CancelCallRequest

    with emu.client() as client, pytest.raises(dyvmsapi.ApiNotFoundError) as info:
        client._invoke(
            "NoSuchAction",
            CancelCallRequest(call_id="x"),
            dyvmsapi.models.CancelCallResponse,
            idempotent=True,
        )
    assert info.value.http_status == 404


def test_malformed_signatures(emu: Emulator) -> None:
    cases = [
        (raw(emu, "SingleCallByTts", TTS, scheme="none"), "MissingAccessKeyId"),
        (
            raw(emu, "SingleCallByTts", TTS, tamper={"Authorization": "ACS3-HMAC-SHA256 garbage"}),
            "IncompleteSignature",
        ),
        (
            raw(emu, "SingleCallByTts", TTS, tamper={"Authorization": "ACS3-HMAC-SM3 Credential=testid"}),
            "IncompleteSignature",
        ),
        (raw(emu, "SingleCallByTts", TTS, tamper={"x-acs-extra": "unsigned"}), "IncompleteSignature"),
        (raw(emu, "SingleCallByTts", TTS, tamper={"x-acs-signature-nonce": None}), "IncompleteSignature"),
        (raw(emu, "SingleCallByTts", TTS, scheme="v1", tamper={"Signature": None}), "MissingSignature"),
        (
            raw(emu, "SingleCallByTts", TTS, scheme="v1", tamper={"SignatureMethod": "HMAC-MD5"}),
            "IncompleteSignature",
        ),
        (raw(emu, "SingleCallByTts", TTS, scheme="v1", tamper={"Timestamp": None}), "MissingTimestamp"),
    ]
    for answer, code in cases:
        assert (answer.status, answer.body["Code"]) == (400, code), code
    assert emu.calls == []


def test_garbage_keeps_the_server_running(emu: Emulator) -> None:
    assert send_bytes(emu, b"\x16\x03\x01\x02\x00garbage\r\n\r\n").startswith(b"HTTP/1.")  # a TLS hello
    assert (
        b" 400 "
        in send_bytes(emu, b"POST / HTTP/1.1\r\nContent-Length: nope\r\n\r\n").split(b"\r\n")[0] + b" "
    )
    assert send_bytes(emu, b"") == b""
    assert b"InvalidApi.NotFound" in send_bytes(
        emu,
        b"POST /?Action=Nope&Version=2017-05-25&AccessKeyId=testid&Signature=x&SignatureMethod=HMAC-SHA1"
        b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    assert _tts(emu).count("^") == 1


def test_parameters_in_a_form_body_chunked_or_not(emu: Emulator) -> None:
    """RPC parameters may also travel as a form body; V1 signs them with the query."""
    import http.client

    for number, chunked in (("13800000001", False), ("13800000002", True)):
        form = [("CalledNumber", number), ("TtsCode", "TTS_1"), ("TtsParam", '{"a":"b c"}')]
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
        body = _signing.encode_query(form).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        connection = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=5)
        if chunked:
            connection.request(
                "POST", path, body=iter([body[:7], body[7:]]), headers=headers, encode_chunked=True
            )
        else:
            connection.request("POST", path, body=body, headers=headers)
        answer = connection.getresponse().read()
        connection.close()
        assert b'"Code":"OK"' in answer, answer
        assert emu.requests[-1].params == {
            "CalledNumber": number,
            "TtsCode": "TTS_1",
            "TtsParam": {"a": "b c"},
        }
    assert [c.called_number for c in emu.calls] == ["13800000001", "13800000002"]


def test_oversized_heads_and_bodies(emu: Emulator) -> None:
    assert b" 431 " in send_bytes(emu, b"POST / HTTP/1.1\r\nX: " + b"a" * 70000 + b"\r\n\r\n")[:20]
    assert b" 400 " in send_bytes(emu, b"POST / HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n")[:20]
    assert b" 400 " in send_bytes(emu, b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")[:20]
    assert _tts(emu).count("^") == 1

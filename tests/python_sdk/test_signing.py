"""The generated package's signing module, checked against the official SDK byte for byte.

Three layers:

* unit tests of the encoders (``percent_encode``, ``encode_query``, ``wire_value``, ``flatten``…);
* the worked vectors published in ``shared/reference/signing.md``;
* the official client (``alibabacloud-dyvmsapi20170525``: 5.3.0 in-process, 2.1.3 for ClickToDial in
  a subprocess) sends each action to a loopback server with a pinned timestamp and nonce; the same
  request is rebuilt with ``dyvmsapi._signing`` and must be identical: the ``Authorization`` header
  (V3) or the whole query string including ``Signature`` (V1), plus the wire query and headers.

Keys, token and nonce are random per run, so apart from the published vectors nothing is hard-coded.
"""

from __future__ import annotations

import enum
import importlib.util
import json
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl

import pytest

from dyvmsapi import _signing

VERSION = "2017-05-25"
HERE = Path(__file__).resolve().parent
CAPTURE_SCRIPT = HERE / "_official_capture.py"
# Sent by the HTTP library after signing, never signed.
TRANSPORT_HEADERS = {"accept-encoding", "content-length", "connection", "authorization"}


def _load_capture() -> ModuleType:
    # Loaded by path so it works with any pytest import mode.
    spec = importlib.util.spec_from_file_location("_official_capture", CAPTURE_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


_capture = _load_capture()


# --------------------------------------------------------------------------- unit tests


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [
        ("a b", "a%20b"),
        ("*", "%2A"),
        ("~", "~"),
        ("/", "%2F"),
        ("+", "%2B"),
        ("&=?%", "%26%3D%3F%25"),
        ("AZaz09-_.", "AZaz09-_."),
        ("张三", "%E5%BC%A0%E4%B8%89"),
        ("", ""),
    ],
)
def test_percent_encode(raw: str, encoded: str) -> None:
    assert _signing.percent_encode(raw) == encoded


def test_encode_query_is_quote_plus_and_keeps_order() -> None:
    pairs = [("B", "a b"), ("A", "*~/&=?%+"), ("C", "张")]
    assert _signing.encode_query(pairs) == ("B=a+b&A=%2A~%2F%26%3D%3F%25%2B&C=%E5%BC%A0")


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        (True, "true"),
        (False, "false"),
        (0, "0"),
        (-12, "-12"),
        (11000000300006, "11000000300006"),
        (0.5, "0.5"),
        (1.0, "1.0"),
        (1e-05, "1e-05"),
        (0.1 + 0.2, "0.30000000000000004"),
        ("", ""),
        ("张三 *", "张三 *"),
    ],
)
def test_wire_value(value: object, wire: str) -> None:
    assert _signing.wire_value(value) == wire


def test_wire_value_floats_and_ints_are_what_the_official_sdk_sends() -> None:
    for value in (0, 7, -3, 0.35, 2.5e-7, 1e16, 123456.789):
        assert _signing.wire_value(value) == str(value)


def test_wire_value_sends_enum_members_by_value() -> None:
    class Style(str, enum.Enum):
        XIAOYUN = "xiaoyun"

    class Level(enum.IntEnum):
        HIGH = 3

    assert _signing.wire_value(Style.XIAOYUN) == "xiaoyun"
    assert _signing.wire_value(Level.HIGH) == "3"
    assert type(_signing.wire_value(Style.XIAOYUN)) is str


@pytest.mark.parametrize("value", [None, b"x", object(), [1], {"a": 1}])
def test_wire_value_rejects_non_scalars(value: object) -> None:
    with pytest.raises(TypeError):
        _signing.wire_value(value)


def test_flatten_repeat_list() -> None:
    params: dict[str, Any] = {
        "CalledNumber": "13800000000",
        "Unset": None,
        "Empty": [],
        "EmptyMap": {},
        "Flag": False,
        "MenuKeyMap": [
            {"Key": "1", "Code": "TTS_1", "TtsParams": None},
            None,
            {"Key": "2", "Deep": {"List": [1, [True]]}},
        ],
        "Tuple": ("a", "b"),
    }
    assert _signing.flatten(params) == [
        ("CalledNumber", "13800000000"),
        ("Flag", "false"),
        ("MenuKeyMap.1.Key", "1"),
        ("MenuKeyMap.1.Code", "TTS_1"),
        ("MenuKeyMap.3.Key", "2"),
        ("MenuKeyMap.3.Deep.List.1", "1"),
        ("MenuKeyMap.3.Deep.List.2.1", "true"),
        ("Tuple.1", "a"),
        ("Tuple.2", "b"),
    ]


def test_json_value_is_compact_and_keeps_non_ascii() -> None:
    obj = {"name": "张三 a+b", "n": 1, "ok": True, "l": [1, None]}
    assert _signing.json_value(obj) == '{"name":"张三 a+b","n":1,"ok":true,"l":[1,null]}'


def test_new_nonce() -> None:
    nonces = {_signing.new_nonce() for _ in range(50)}
    assert len(nonces) == 50
    assert all(re.fullmatch(r"[0-9a-f]{32}", n) for n in nonces)


def test_utc_timestamp() -> None:
    assert _signing.utc_timestamp(0) == "1970-01-01T00:00:00Z"
    assert _signing.utc_timestamp(1704164645.9) == "2024-01-02T03:04:05Z"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", _signing.utc_timestamp())


def test_v3_headers_sts_needs_the_key_id() -> None:
    with pytest.raises(ValueError) as info:
        _signing.v3_headers(
            host="h",
            action="A",
            version=VERSION,
            timestamp="t",
            nonce="n",
            user_agent="ua",
            security_token="SECRET-TOKEN",
        )
    assert "SECRET-TOKEN" not in str(info.value)


def test_sign_v3_rejects_a_conflicting_host_header() -> None:
    secret = "s3cr3t-" + secrets.token_hex(8)
    with pytest.raises(ValueError) as info:
        _signing.sign_v3(
            method="POST",
            host="a.example",
            pathname="/",
            query=[],
            headers={"Host": "b.example"},
            access_key_id="id",
            access_key_secret=secret,
        )
    assert secret not in str(info.value) and secret not in repr(info.value)


def test_sign_v3_adds_the_host_header_when_missing() -> None:
    common: dict[str, Any] = dict(
        method="POST",
        host="h.example",
        pathname="/",
        query=[("A", "1")],
        access_key_id="id",
        access_key_secret="x",
    )
    assert _signing.sign_v3(headers={}, **common) == _signing.sign_v3(
        headers={"Host": " h.example "}, **common
    )


def test_the_secret_appears_in_no_output() -> None:
    secret = "s3cr3t-" + secrets.token_hex(8)
    headers = _signing.v3_headers(
        host="h",
        action="A",
        version=VERSION,
        timestamp="t",
        nonce="n",
        user_agent="ua",
    )
    auth = _signing.sign_v3(
        method="POST",
        host="h",
        pathname="/",
        query=[("K", "v")],
        headers=headers,
        access_key_id="id",
        access_key_secret=secret,
    )
    query = _signing.sign_v1(
        action="A",
        version=VERSION,
        params=[("K", "v")],
        timestamp="t",
        nonce="n",
        access_key_id="id",
        access_key_secret=secret,
    )
    assert secret not in auth
    assert secret not in _signing.encode_query(query)
    with pytest.raises(TypeError) as info:
        _signing.flatten({"Secret": secret, "Bad": object()})
    assert secret not in str(info.value)


# ------------------------------------------------------------- published vectors (signing.md)

UA = "AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2"
DOC = dict(
    host="127.0.0.1:18765",
    timestamp="2024-01-02T03:04:05Z",
    nonce="0123456789abcdef0123456789abcdef",
    access_key_id="testid",
    access_key_secret="testsecret",
)
DOC_TTS = [
    ("CalledNumber", "13800000000"),
    ("CalledShowNumber", "057100000000"),
    ("OutId", "out-1"),
    ("PlayTimes", "2"),
    ("Speed", "0"),
    ("TtsCode", "TTS_10001"),
    ("TtsParam", '{"code":"1234"}'),
    ("Volume", "100"),
]
DOC_CTD = [
    ("AsrFlag", "False"),
    ("CalledNumber", "13900000000"),
    ("CalledShowNumber", "057100000001"),
    ("CallerNumber", "13800000000"),
    ("CallerShowNumber", "057100000000"),
    ("OutId", "ctd-1"),
    ("RecordFlag", "True"),
    ("SessionTimeout", "120"),
]
DOC_SIGNED_HEADERS = (
    "accept;host;user-agent;x-acs-action;x-acs-content-sha256;"
    "x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version"
)


def _doc_v3(action: str, query: list[tuple[str, str]]) -> str:
    headers = _signing.v3_headers(
        host=DOC["host"],
        action=action,
        version=VERSION,
        timestamp=DOC["timestamp"],
        nonce=DOC["nonce"],
        user_agent=UA,
    )
    return _signing.sign_v3(
        method="POST",
        host=DOC["host"],
        pathname="/",
        query=query,
        headers=headers,
        access_key_id=DOC["access_key_id"],
        access_key_secret=DOC["access_key_secret"],
    )


def _doc_v1(action: str, params: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return _signing.sign_v1(
        action=action,
        version=VERSION,
        params=params,
        timestamp=DOC["timestamp"],
        nonce=DOC["nonce"],
        access_key_id=DOC["access_key_id"],
        access_key_secret=DOC["access_key_secret"],
    )


@pytest.mark.parametrize(
    ("action", "query", "signature"),
    [
        (
            "SingleCallByTts",
            DOC_TTS,
            "8bd6ca406572888f13270eb90ad94311b63370bbb1f1045237e6bb9a4b54bd59",
        ),
        (
            "ClickToDial",
            DOC_CTD,
            "35adc32c3e87efe783149fdb6bc2242b459760c10332ce1bc334f2e46cb5f5c3",
        ),
    ],
)
def test_published_v3_vectors(action: str, query: list[tuple[str, str]], signature: str) -> None:
    assert _doc_v3(action, query) == (
        f"ACS3-HMAC-SHA256 Credential=testid,SignedHeaders={DOC_SIGNED_HEADERS}," f"Signature={signature}"
    )


@pytest.mark.parametrize(
    ("action", "params", "signature"),
    [
        ("SingleCallByTts", DOC_TTS, "NOt8nyXzBHWcDZNLyloWIrzGk5g="),
        ("ClickToDial", DOC_CTD, "/LFXaLNfeSL5Ji17L6Ir6mW+Cec="),
    ],
)
def test_published_v1_vectors(action: str, params: list[tuple[str, str]], signature: str) -> None:
    assert _doc_v1(action, params)[-1] == ("Signature", signature)


def test_published_v1_request_line() -> None:
    assert _signing.encode_query(_doc_v1("SingleCallByTts", DOC_TTS)) == (
        "Action=SingleCallByTts&Format=json&Version=2017-05-25"
        "&Timestamp=2024-01-02T03%3A04%3A05Z&SignatureNonce=0123456789abcdef0123456789abcdef"
        "&CalledNumber=13800000000&CalledShowNumber=057100000000&OutId=out-1&PlayTimes=2"
        "&Speed=0&TtsCode=TTS_10001&TtsParam=%7B%22code%22%3A%221234%22%7D&Volume=100"
        "&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&AccessKeyId=testid"
        "&Signature=NOt8nyXzBHWcDZNLyloWIrzGk5g%3D"
    )


AWKWARD = "张三 a+b *~/&=?%"
JSON_PARAM = _signing.json_value({"name": "张三 a+b", "x": "*~/&=?%"})

# Wire-named params in the official client's own order (alphabetical by attribute; the
# members of a nested model in its to_map order), so the wire query can be compared as is.
CASES: dict[str, dict[str, Any]] = {
    "SingleCallByTts": {
        "CalledNumber": "13800000000",
        "CalledShowNumber": "057100000000",
        "OutId": AWKWARD,
        "PlayTimes": 2,
        "Speed": 0,
        "TtsCode": "TTS_10001",
        "TtsParam": JSON_PARAM,
        "Volume": 100,
    },
    "SingleCallByVoice": {
        "CalledNumber": "13800000000",
        "CalledShowNumber": "057100000000",
        "OutId": "out 2",
        "OwnerId": 1234567890123,
        "PlayTimes": 3,
        "ResourceOwnerAccount": "owner*~/&=?%+",
        "Speed": -5,
        "VoiceCode": "2d4c4b2e-c3e0-4d5a-b5fa-35f7f4fd8b5d.wav",
        "Volume": 0,
    },
    "IvrCall": {
        "ByeCode": "TTS_3",
        "ByeTtsParams": _signing.json_value({"bye": "再见"}),
        "CalledNumber": "13800000000",
        "CalledShowNumber": "057100000000",
        "MenuKeyMap": [
            {"Code": "TTS_11", "Key": "1", "TtsParams": JSON_PARAM},
            {"Code": "TTS_12", "Key": "#", "TtsParams": '{"a":" b "}'},
            {"Code": "TTS_13", "Key": "*"},
        ],
        "OutId": "ivr 1",
        "PlayTimes": 1,
        "StartCode": "TTS_1",
        "StartTtsParams": JSON_PARAM,
        "Timeout": 3000,
    },
    "CancelCall": {"CallId": "116012854210^10281378****"},
    "SmartCall": {
        "ActionCodeBreak": True,
        "ActionCodeTimeBreak": 300,
        "AsrBaseId": "customer_service_8k",
        "CalledNumber": "13800000000",
        "CalledShowNumber": "057100000000",
        "DynamicId": AWKWARD,
        "EarlyMediaAsr": False,
        "EnableITN": True,
        "MuteTime": 10000,
        "NoiseThreshold": 0.35,
        "OutId": "smart-1",
        "PauseTime": 800,
        "RecordFlag": True,
        "SessionTimeout": 120,
        "Speed": 1,
        "TtsConf": False,
        "TtsStyle": "xiaoyun",
        "VoiceCode": "a.wav,$name$",
        "VoiceCodeParam": _signing.json_value({"name": "张三"}),
        "Volume": 1,
    },
    "QueryCallDetailByCallId": {
        "CallId": "116012854210^10281378****",
        "ProdId": 11000000300006,
        "QueryDate": 1577255564000,
    },
    "ClickToDial": {
        "AsrFlag": False,
        "AsrModelId": "2070aca1eff146f9a7bc826f1c3d4d33",
        "CalledNumber": "13900000000",
        "CalledShowNumber": "057100000001",
        "CallerNumber": "13800000000",
        "CallerShowNumber": "057100000000",
        "OutId": AWKWARD,
        "RecordFlag": True,
        "SessionTimeout": 120,
    },
}
ONLY_IN_213 = {"ClickToDial"}
VARIANTS = [(alg, sts) for alg in ("v3", "v1") for sts in (False, True)]


def _official_strings(value: Any) -> Any:
    """The values as the official SDK renders them: booleans as Python's True/False."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, dict):
        return {k: _official_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_official_strings(v) for v in value]
    return value


@pytest.fixture(scope="session")
def run_keys() -> dict[str, str]:
    """A fresh key pair, STS token, timestamp and nonce for this test run."""
    return {
        "access_key_id": "LTAI" + secrets.token_hex(8),
        "access_key_secret": secrets.token_urlsafe(24),
        "security_token": "CAIS+/" + secrets.token_urlsafe(24) + "==",
        "timestamp": _signing.utc_timestamp(),
        "nonce": _signing.new_nonce(),
    }


def _spec(action: str, algorithm: str, sts: bool, keys: dict[str, str]) -> dict[str, Any]:
    return {
        "action": action,
        "params": CASES[action],
        "algorithm": algorithm,
        "access_key_id": keys["access_key_id"],
        "access_key_secret": keys["access_key_secret"],
        "security_token": keys["security_token"] if sts else None,
        "timestamp": keys["timestamp"],
        "nonce": keys["nonce"],
    }


@pytest.fixture(scope="session")
def capture_server() -> Iterator[Any]:
    with _capture.CaptureServer() as server:
        yield server


@pytest.fixture(scope="session")
def captures(
    capture_server: Any, sdk213_site: Path, run_keys: dict[str, str]
) -> dict[tuple[str, str, bool], dict[str, Any]]:
    """Every (action, algorithm, sts) request as the official client sent it."""
    out: dict[tuple[str, str, bool], dict[str, Any]] = {}
    old: list[tuple[str, str, bool]] = []
    for action in CASES:
        for algorithm, sts in VARIANTS:
            if action in ONLY_IN_213:
                old.append((action, algorithm, sts))
            else:
                spec = _spec(action, algorithm, sts, run_keys)
                out[(action, algorithm, sts)] = _capture.capture(spec, capture_server)
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["PYTHONPATH"] = str(sdk213_site)
    result = subprocess.run(
        [sys.executable, str(CAPTURE_SCRIPT)],
        input=json.dumps([_spec(*key, run_keys) for key in old]),
        capture_output=True,
        text=True,
        env=env,
        cwd=sdk213_site,
        timeout=120,
    )
    if result.returncode != 0:
        stderr = result.stderr.replace(run_keys["access_key_secret"], "<secret>")
        pytest.fail(f"the 2.1.3 capture failed:\n{stderr[-3000:]}")
    for key, received in zip(old, json.loads(result.stdout), strict=True):
        assert Path(received["sdk_file"]).is_relative_to(sdk213_site)
        out[key] = received
    return out


def _headers(received: dict[str, Any]) -> dict[str, str]:
    return {k.lower(): v for k, v in received["headers"]}


def _signed_part(received: dict[str, Any]) -> list[tuple[str, str]]:
    """The headers the client set itself, in order (the transport's ones left out)."""
    return [(k, v) for k, v in received["headers"] if k.lower() not in TRANSPORT_HEADERS]


def _raw_query(received: dict[str, Any]) -> str:
    assert received["method"] == "POST"
    assert received["body"] == ""
    path, _, query = received["path"].partition("?")
    assert path == "/"
    return str(query)


@pytest.mark.parametrize(("algorithm", "sts"), VARIANTS)
@pytest.mark.parametrize("action", list(CASES))
def test_byte_identical_with_the_official_sdk(
    captures: dict[tuple[str, str, bool], dict[str, Any]],
    run_keys: dict[str, str],
    action: str,
    algorithm: str,
    sts: bool,
) -> None:
    received = captures[(action, algorithm, sts)]
    headers = _headers(received)
    raw_query = _raw_query(received)
    token = run_keys["security_token"] if sts else None
    # Our flatten, fed what the official SDK renders (True/False), gives its exact params.
    params = _signing.flatten(_official_strings(CASES[action]))

    if algorithm == "v3":
        assert parse_qsl(raw_query, keep_blank_values=True) == params
        assert _signing.encode_query(params) == raw_query
        ours = _signing.v3_headers(
            host=headers["host"],
            action=action,
            version=VERSION,
            timestamp=run_keys["timestamp"],
            nonce=run_keys["nonce"],
            user_agent=headers["user-agent"],
            security_token=token,
            access_key_id=run_keys["access_key_id"],
        )
        assert list(ours.items()) == _signed_part(received)
        authorization = _signing.sign_v3(
            method="POST",
            host=headers["host"],
            pathname="/",
            query=params,
            headers=ours,
            access_key_id=run_keys["access_key_id"],
            access_key_secret=run_keys["access_key_secret"],
        )
        assert authorization == headers["authorization"]
        # The comparison is not vacuous: one changed value changes the signature.
        changed = [(k, v + " ") if i == 0 else (k, v) for i, (k, v) in enumerate(params)]
        assert (
            _signing.sign_v3(
                method="POST",
                host=headers["host"],
                pathname="/",
                query=changed,
                headers=ours,
                access_key_id=run_keys["access_key_id"],
                access_key_secret=run_keys["access_key_secret"],
            )
            != authorization
        )
    else:
        assert "authorization" not in headers
        ours_v1 = _signing.v1_headers(
            host=headers["host"],
            action=action,
            version=VERSION,
            user_agent=headers["user-agent"],
            security_token=token,
        )
        assert list(ours_v1.items()) == _signed_part(received)
        query = _signing.sign_v1(
            action=action,
            version=VERSION,
            params=params,
            timestamp=run_keys["timestamp"],
            nonce=run_keys["nonce"],
            access_key_id=run_keys["access_key_id"],
            access_key_secret=run_keys["access_key_secret"],
            security_token=token,
        )
        assert _signing.encode_query(query) == raw_query
        assert query[-1][0] == "Signature"


def test_the_captures_cover_what_they_claim(
    captures: dict[tuple[str, str, bool], dict[str, Any]],
) -> None:
    """Guard the harness: the awkward values, list and STS token really went out."""
    v3 = captures[("IvrCall", "v3", True)]
    query = dict(parse_qsl(_raw_query(v3), keep_blank_values=True))
    assert query["MenuKeyMap.3.Key"] == "*"
    assert query["StartTtsParams"] == JSON_PARAM
    assert _headers(v3)["x-acs-credentials-provider"] == "static_sts"
    assert "x-acs-security-token" in _headers(v3)
    v1 = captures[("SmartCall", "v1", True)]
    query = dict(parse_qsl(_raw_query(v1), keep_blank_values=True))
    assert query["EarlyMediaAsr"] == "False"  # the official SDK's Python spelling
    assert query["NoiseThreshold"] == "0.35"
    assert query["DynamicId"] == AWKWARD
    assert "SecurityToken" in query
    assert "%E5%BC%A0%E4%B8%89+a%2Bb+%2A~%2F%26%3D%3F%25" in _raw_query(
        captures[("ClickToDial", "v1", False)]
    )

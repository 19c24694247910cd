"""The generated Client and AsyncClient against a loopback server: every action, both signature
schemes, typed errors, and the retry rules — counted on the server side."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

import dyvmsapi
from dyvmsapi import AsyncClient, Client, RetryPolicy
from generator.frontend import ir
from generator.targets.python import naming
from generator.frontend.pipeline import load_api
from loopback import Answer, Loopback

ROOT = Path(__file__).resolve().parents[2]
API = load_api(ROOT / "specs")
FAST = RetryPolicy(max_attempts=3, base_delay=0)


@pytest.fixture
def server() -> Any:
    with Loopback() as s:
        yield s


def example_kwargs(action: ir.Action) -> dict[str, Any]:
    """Every parameter with an example, by Python name: what a user would pass."""
    return {naming.attribute(f.wire_name): f.example for f in action.parameters if f.example is not None}


def client(server: Loopback, **kw: Any) -> Client:
    return Client("testid", "testsecret", endpoint=server.endpoint, retry=FAST, **kw)


@pytest.mark.parametrize("version", ["v3", "v1"])
@pytest.mark.parametrize("action", API.actions, ids=lambda a: a.name)
def test_every_action_sync(server: Loopback, action: ir.Action, version: str) -> None:
    with client(server, signature_version=version) as c:
        response = getattr(c, naming.method(action.name))(**example_kwargs(action))
    assert response.request_id == "req-1"
    (got,) = server.received
    assert got.action == action.name and got.scheme == version and got.signature_ok


@pytest.mark.parametrize("version", ["v3", "v1"])
@pytest.mark.parametrize("action", API.actions, ids=lambda a: a.name)
async def test_every_action_async(server: Loopback, action: ir.Action, version: str) -> None:
    async with AsyncClient("testid", "testsecret", endpoint=server.endpoint, signature_version=version) as c:
        response = await getattr(c, naming.method(action.name))(**example_kwargs(action))
    assert response.code == "OK"
    (got,) = server.received
    assert got.action == action.name and got.signature_ok


def test_wire_format(server: Loopback) -> None:
    with client(server) as c:
        c.ivr_call(
            called_number="13800000000",
            called_show_number="057100000000",
            start_code="TTS_1",
            start_tts_params={"name": "张三 a+b", "x": "*~/&=?%"},
            menu_key_map=[{"Key": "1", "Code": "TTS_2"}, {"key": "2", "code": "TTS_3", "tts_params": {"a": "b"}}],
        )
        c.smart_call(called_number="13800000000", called_show_number="057100000000", voice_code="v.wav",
                     record_flag=True, early_media_asr=False)  # fmt: skip
    ivr, smart = (dict(r.query) for r in server.received)
    assert ivr["StartTtsParams"] == '{"name":"张三 a+b","x":"*~/&=?%"}'
    assert ivr["MenuKeyMap.1.Key"] == "1" and ivr["MenuKeyMap.2.Code"] == "TTS_3"
    assert ivr["MenuKeyMap.2.TtsParams"] == '{"a":"b"}'
    assert "ByeCode" not in ivr and "PlayTimes" not in ivr, "unset fields are never sent"
    assert smart["RecordFlag"] == "true" and smart["EarlyMediaAsr"] == "false"
    assert all(r.signature_ok for r in server.received)


def test_request_model_or_keywords(server: Loopback) -> None:
    from dyvmsapi.models import SingleCallByTtsRequest

    request = SingleCallByTtsRequest(called_number="13800000000", tts_code="TTS_1")
    with client(server) as c:
        c.single_call_by_tts(request)
        with pytest.raises(TypeError, match="not both"):
            c.single_call_by_tts(request, tts_code="x")  # type: ignore[call-overload]
    assert server.count == 1


def test_constraints_are_checked_before_sending(server: Loopback) -> None:
    import pydantic

    with client(server) as c:
        with pytest.raises(dyvmsapi.InvalidArgumentError, match="play_times"):
            c.single_call_by_tts(called_number="13800000000", tts_code="TTS_1", play_times=9)
        with pytest.raises(dyvmsapi.InvalidArgumentError, match="tts_code"):
            c.single_call_by_tts(called_number="13800000000")  # type: ignore[call-overload]
        with pytest.raises(dyvmsapi.InvalidArgumentError, match="prod_id"):
            c.query_call_detail_by_call_id(call_id="x", prod_id=1, query_date=1669032001000)
    assert server.count == 0


def test_sts_token(server: Loopback) -> None:
    for version in ("v3", "v1"):
        with Client("testid", "testsecret", "sts-token+/=", endpoint=server.endpoint,
                    signature_version=version) as c:  # fmt: skip
            c.cancel_call(call_id="c-1")
    v3, v1 = server.received
    assert v3.headers["x-acs-security-token"] == "sts-token+/=" and v3.signature_ok
    assert dict(v1.query)["SecurityToken"] == "sts-token+/=" and v1.signature_ok


def test_business_error_raises_its_class(server: Loopback) -> None:
    server.script(Answer(body={"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "limit", "RequestId": "r-9"}))
    with client(server) as c, pytest.raises(dyvmsapi.BusinessLimitControlError) as caught:
        c.single_call_by_tts(called_number="13800000000", tts_code="TTS_1")
    error = caught.value
    assert isinstance(error, dyvmsapi.ThrottlingError)
    assert (error.code, error.message, error.request_id, error.http_status) == (
        "isv.BUSINESS_LIMIT_CONTROL", "limit", "r-9", 200,
    )  # fmt: skip
    assert server.count == 1, "a flow-control answer is not retried"


def test_gateway_errors(server: Loopback) -> None:
    server.script(
        Answer(400, {"Code": "MissingCalledNumber", "Message": "CalledNumber is mandatory", "RequestId": "a",
                     "Recommend": "https://example.com/r", "HostId": "dyvmsapi.aliyuncs.com"}),
        Answer(404, {"Code": "Some.New.Code", "Message": "?", "RequestId": "b"}),
        Answer(502, "<html>Bad gateway</html>"),
    )  # fmt: skip
    with client(server) as c:
        with pytest.raises(dyvmsapi.MissingParameterError) as missing:
            c.cancel_call(call_id="x")
        assert missing.value.recommend == "https://example.com/r" and missing.value.host_id
        with pytest.raises(dyvmsapi.ClientError) as unknown:
            c.cancel_call(call_id="x")
        assert type(unknown.value) is dyvmsapi.ClientError and unknown.value.code == "Some.New.Code"
        with pytest.raises(dyvmsapi.InvalidResponseError, match="not JSON") as html:
            c.single_call_by_tts(called_number="13800000000", tts_code="TTS_1")
        assert html.value.request_id == "hdr-req-3" and html.value.http_status == 502


def test_error_lookup() -> None:
    assert dyvmsapi.error_class("isv.MOBILE_NUMBER_ILLEGAL") is dyvmsapi.MobileNumberIllegalError
    assert dyvmsapi.error_class("MissingCallId") is dyvmsapi.MissingParameterError
    assert dyvmsapi.error_class("Throttling.User") is dyvmsapi.UserThrottlingError
    assert dyvmsapi.error_class("Whatever", 503) is dyvmsapi.ServerError
    for e in API.errors:
        if e.exception:
            cls = getattr(dyvmsapi, e.exception)
            assert issubclass(cls, {"client": dyvmsapi.ClientError, "server": dyvmsapi.ServerError,
                                    "throttling": dyvmsapi.ThrottlingError}[e.category.value])  # fmt: skip
            assert cls("m").retryable is e.retryable
            if e.pattern is None:
                assert dyvmsapi.error_class(e.code) is cls


# -- retries: counted on the server ------------------------------------------------------------

def test_non_idempotent_is_not_retried_after_5xx(server: Loopback) -> None:
    server.script(Answer(503, {"Code": "ServiceUnavailable", "Message": "busy"}))
    with client(server) as c, pytest.raises(dyvmsapi.ServerError):
        c.single_call_by_tts(called_number="13800000000", tts_code="TTS_1")
    assert server.count == 1


def test_non_idempotent_is_not_retried_after_a_read_timeout(server: Loopback) -> None:
    server.script(Answer(delay=0.5))
    with client(server, timeout=0.2) as c, pytest.raises(dyvmsapi.RequestTimeoutError):
        c.single_call_by_tts(called_number="13800000000", tts_code="TTS_1")
    assert server.count == 1


def test_non_idempotent_is_not_retried_after_a_dropped_connection(server: Loopback) -> None:
    server.script(Answer(drop=True))
    with client(server) as c, pytest.raises(dyvmsapi.NetworkError):
        c.ivr_call(called_number="13800000000", called_show_number="057100000000", start_code="TTS_1")
    assert server.count == 1


def test_throttling_is_retried_and_honours_retry_after(server: Loopback) -> None:
    throttled = Answer(400, {"Code": "Throttling.User", "Message": "slow down"}, {"x-acs-retry-after": "50"})
    server.script(throttled, throttled)
    with client(server) as c:
        response = c.single_call_by_tts(called_number="13800000000", tts_code="TTS_1")
    assert server.count == 3 and response.request_id == "req-3"


def test_idempotent_is_retried_after_5xx_and_timeouts(server: Loopback) -> None:
    server.script(Answer(503, {"Code": "ServiceUnavailable"}), Answer(delay=0.5))
    with client(server, timeout=0.2) as c:
        c.query_call_detail_by_call_id(call_id="c", prod_id=11000000300006, query_date=1669032001000)
    assert server.count == 3


def test_retries_stop_at_max_attempts(server: Loopback) -> None:
    server.script(*[Answer(500, {"Code": "InternalError"})] * 5)
    with client(server) as c, pytest.raises(dyvmsapi.InternalError):
        c.cancel_call(call_id="c")
    assert server.count == 3


def test_connect_failures_are_retried_even_when_not_idempotent(server: Loopback) -> None:
    """The first connection is refused (nothing listens there); the retry reaches the server."""
    with Loopback() as dead:
        refused = dead.endpoint.removeprefix("http://")
    c = client(server)
    real_connect = c._transport._connect
    hosts = []

    def connect(scheme: str, host: str, deadline: float | None) -> Any:
        hosts.append(host)
        return real_connect(scheme, refused if len(hosts) == 1 else host, deadline)

    c._transport._connect = connect  # type: ignore[method-assign]
    assert c.single_call_by_tts(called_number="13800000000", tts_code="TTS_1").call_id == "call-1"
    assert len(hosts) == 2 and server.count == 1


def test_connection_refused_raises_a_clear_error() -> None:
    with Loopback() as s:
        endpoint = s.endpoint
    with Client("testid", "testsecret", endpoint=endpoint, retry=RetryPolicy(max_attempts=2, base_delay=0)) as c:
        with pytest.raises(dyvmsapi.ConnectionFailedError, match="could not connect"):
            c.cancel_call(call_id="x")


async def test_async_retry_rules(server: Loopback) -> None:
    server.script(Answer(503, {"Code": "ServiceUnavailable"}), Answer(503, {"Code": "ServiceUnavailable"}))
    async with AsyncClient("testid", "testsecret", endpoint=server.endpoint, retry=FAST) as c:
        with pytest.raises(dyvmsapi.ServerError):
            await c.smart_call(called_number="13800000000", called_show_number="057100000000", voice_code="v")
        assert server.count == 1
        await c.cancel_call(call_id="c")
    assert server.count == 3


async def test_async_calls_run_concurrently(server: Loopback) -> None:
    async with AsyncClient("testid", "testsecret", endpoint=server.endpoint) as c:
        results = await asyncio.gather(*(c.cancel_call(call_id=f"c{i}") for i in range(20)))
    assert len({r.request_id for r in results}) == 20 and server.count == 20


# -- credentials, endpoint, secrets ----------------------------------------------------------------

def test_credentials_from_environment(monkeypatch: pytest.MonkeyPatch, server: Loopback) -> None:
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "testid")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "testsecret")
    with Client(endpoint=server.endpoint) as c:
        c.cancel_call(call_id="x")
    assert server.received[0].signature_ok


def test_missing_credentials_fail_at_construction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALIBABA_CLOUD_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", raising=False)
    with pytest.raises(dyvmsapi.CredentialsError, match="ALIBABA_CLOUD_ACCESS_KEY_SECRET"):
        Client(access_key_id="only-the-id")


@pytest.mark.parametrize(
    ("endpoint", "protocol", "expected"),
    [
        (None, "https", "https://dyvmsapi.aliyuncs.com"),
        ("dyvmsapi-vpc.aliyuncs.com", "https", "https://dyvmsapi-vpc.aliyuncs.com"),
        ("127.0.0.1:8080", "http", "http://127.0.0.1:8080"),
        ("http://127.0.0.1:9", "https", "http://127.0.0.1:9"),
        ("https://example.com/", "http", "https://example.com"),
    ],
)
def test_endpoint(endpoint: str | None, protocol: Any, expected: str) -> None:
    with Client("id", "secret", endpoint=endpoint, protocol=protocol) as c:
        assert c.endpoint == expected


def test_secrets_never_shown(server: Loopback) -> None:
    secret, token = "s3cr3t-VALUE", "t0k3n-VALUE"
    server.script(Answer(400, {"Code": "SignatureDoesNotMatch", "Message": "bad signature"}))
    with Client("testid", secret, token, endpoint=server.endpoint) as c:
        shown = [repr(c), str(c), repr(c._credentials)]
        with pytest.raises(dyvmsapi.DyvmsapiError) as caught:
            c.cancel_call(call_id="x")
        shown += [str(caught.value), repr(caught.value)]
    assert not any(secret in s or token in s for s in shown)


def test_query_detail_data_is_typed_and_tolerant(server: Loopback) -> None:
    sloppy = '{"caller":"1380000","duration":3，"state":"200000",}'  # full-width comma, trailing comma
    server.script(Answer(body={"Code": "OK", "RequestId": "r", "Data": sloppy}))
    with client(server) as c:
        response = c.query_call_detail_by_call_id(call_id="c", prod_id=11000000300006, query_date=1669032001000)
    assert response.data is not None
    assert (response.data.caller, response.data.duration, response.data.state) == ("1380000", 3, "200000")


def test_example_responses_parse() -> None:
    import importlib

    for action in API.actions:
        module = importlib.import_module(f"dyvmsapi.models.{naming.module(action.name)}")
        response_type = getattr(module, naming.response_class(action.name))
        parsed = response_type.model_validate(json.loads(action.response.example_json))
        assert parsed.code == "OK"

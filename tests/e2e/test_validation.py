"""Parameter validation as the service does it, from each action's schema: gateway errors (HTTP 400)
for missing or malformed parameters, business errors (HTTP 200) for malformed phone numbers."""

from __future__ import annotations

import json

import pytest
from e2e_support import MODE_IDS, MODES, close, invoke, make_client, raw

from dyvmsapi import InvalidArgumentError, InvalidParameterError, MissingParameterError
from dyvmsapi.models import SingleCallByTtsRequest, SmartCallRequest
from dyvmsapi.testing import Emulator


@pytest.mark.parametrize(("kind", "scheme"), MODES, ids=MODE_IDS)
async def test_sdk_errors_for_invalid_requests(emu: Emulator, kind: str, scheme: str) -> None:
    client = make_client(emu, kind, scheme)
    try:
        # model_construct skips the SDK's own checks, so the request reaches the service as it is.
        with pytest.raises(MissingParameterError) as missing:
            await invoke(
                client,
                "single_call_by_tts",
                SingleCallByTtsRequest.model_construct(called_number=None, tts_code="TTS_1"),
            )
        assert (missing.value.code, missing.value.http_status) == ("MissingCalledNumber", 400)
        assert missing.value.message == "CalledNumber is mandatory for this action."
        with pytest.raises(InvalidParameterError) as invalid:
            request = SingleCallByTtsRequest.model_construct(
                called_number="13800000000", tts_code="T", play_times=9
            )
            await invoke(client, "single_call_by_tts", request)
        assert (invalid.value.code, invalid.value.http_status) == ("InvalidParameter", 400)
        assert "PlayTimes" in invalid.value.message
        # a malformed number never leaves the SDK (the service's answer to one is tested below)
        with pytest.raises(InvalidArgumentError, match="called_number: '138-0000-0000' is not a phone number"):
            await invoke(client, "single_call_by_tts", called_number="138-0000-0000", tts_code="TTS_1")
        with pytest.raises(InvalidArgumentError, match="caller_show_number"):
            await invoke(
                client,
                "click_to_dial",
                caller_show_number="0571abc",
                caller_number="13800000000",
                called_show_number="057100000001",
                called_number="13900000000",
            )
        with pytest.raises(MissingParameterError) as conditional:
            request = SmartCallRequest.model_construct(
                called_show_number="057100000000", called_number="13800000000", voice_code="$name$"
            )
            await invoke(client, "smart_call", request)
        assert conditional.value.code == "MissingVoiceCodeParam"
    finally:
        await close(client)
    assert emu.calls == []


def _code(emu: Emulator, action: str, params: list[tuple[str, str]]) -> tuple[int, str]:
    answer = raw(emu, action, params)
    return answer.status, str(answer.body["Code"])


TTS = [("CalledNumber", "13800000000"), ("TtsCode", "TTS_1")]
IVR = [("CalledNumber", "13800000000"), ("CalledShowNumber", "057100000000"), ("StartCode", "TTS_1")]


@pytest.mark.parametrize(
    ("action", "params", "expected"),
    [
        ("SingleCallByTts", [("TtsCode", "T")], (400, "MissingCalledNumber")),
        ("SingleCallByTts", [("CalledNumber", ""), ("TtsCode", "T")], (400, "MissingCalledNumber")),
        ("SingleCallByTts", [*TTS, ("PlayTimes", "two")], (400, "InvalidParameter")),
        ("SingleCallByTts", [*TTS, ("PlayTimes", "0")], (400, "InvalidParameter")),
        ("SingleCallByTts", [*TTS, ("Volume", "99999999999")], (400, "InvalidParameter")),  # beyond int32
        ("SingleCallByTts", [*TTS, ("TtsParam", "{not json")], (400, "InvalidParameter")),
        ("SingleCallByTts", [*TTS, ("TtsParam", '["a"]')], (400, "InvalidParameter")),
        ("SingleCallByTts", [*TTS, ("TtsParam", '{"code": 1234}')], (400, "InvalidParameter")),
        ("SingleCallByTts", [*TTS, ("TtsParam.code", "1")], (400, "InvalidParameter")),
        ("SingleCallByTts", [*TTS, ("OutId", "x" * 16)], (400, "InvalidParameter")),
        ("SingleCallByTts", [*TTS, ("OwnerId", "1.5")], (400, "InvalidParameter")),
        (
            "SingleCallByTts",
            [("CalledNumber", "1380000000a"), ("TtsCode", "T")],
            (200, "isv.MOBILE_NUMBER_ILLEGAL"),
        ),
        ("SingleCallByTts", [("CalledNumber", "1234"), ("TtsCode", "T")], (200, "isv.MOBILE_NUMBER_ILLEGAL")),
        ("SingleCallByTts", [*TTS, ("CalledShowNumber", "+86 571")], (200, "isv.DISPLAY_NUMBER_ILLEGAL")),
        # the gateway answers before the service: a bad type wins over a bad phone number
        (
            "SingleCallByTts",
            [("CalledNumber", "x"), ("TtsCode", "T"), ("Speed", "fast")],
            (400, "InvalidParameter"),
        ),
        ("ClickToDial", [("CallerShowNumber", "1")], (400, "MissingCallerNumber")),
        ("ClickToDial", [("CallerShowNumber", "057100000000"), ("CallerNumber", "13800000000"),
                         ("CalledShowNumber", "057100000001"), ("CalledNumber", "13900000000"),
                         ("RecordFlag", "yes")], (400, "InvalidParameter")),  # fmt: skip
        ("IvrCall", [*IVR, ("MenuKeyMap.x.Key", "1")], (400, "InvalidParameter")),
        ("IvrCall", [*IVR, ("MenuKeyMap.0.Key", "1")], (400, "InvalidParameter")),
        ("IvrCall", [*IVR, ("MenuKeyMap.1.Nope", "1")], (400, "InvalidParameter")),  # strict: unknown field
        (
            "IvrCall",
            [*IVR, *((f"MenuKeyMap.{i}.Key", str(i % 10)) for i in range(1, 17))],
            (400, "InvalidParameter"),
        ),
        ("IvrCall", [*IVR, ("MenuKeyMap.1.TtsParams", "[]")], (400, "InvalidParameter")),
        (
            "IvrCall",
            [*IVR, ("MenuKeyMap.3.Key", "1"), ("MenuKeyMap.1.Key", "2")],
            (200, "OK"),
        ),  # gaps are fine
        ("IvrCall", IVR, (200, "OK")),  # StartTtsParams is documented, not enforced, with a TTS StartCode
        (
            "QueryCallDetailByCallId",
            [("CallId", "1"), ("ProdId", "123"), ("QueryDate", "1")],
            (400, "InvalidParameter"),
        ),
        (
            "QueryCallDetailByCallId",
            [("CallId", "1"), ("ProdId", "11000000300006")],
            (400, "MissingQueryDate"),
        ),
        ("SmartCall", [("CalledShowNumber", "057100000000"), ("CalledNumber", "13800000000"),
                       ("VoiceCode", "$a$"), ("VoiceCodeParam", '{"a":"1"}'), ("StreamAsr", "2")],
         (400, "InvalidParameter")),  # fmt: skip
        ("SmartCall", [("CalledShowNumber", "057100000000"), ("CalledNumber", "13800000000"),
                       ("VoiceCode", "$a$"), ("VoiceCodeParam", '{"a":"1"}'), ("NoiseThreshold", "0.25"),
                       ("AsrBaseId", "customer_service_8k"), ("ActionCodeBreak", "True")], (200, "OK")),  # fmt: skip
        ("CancelCall", [], (400, "MissingCallId")),
    ],
)
def test_validation_rules(
    emu: Emulator, action: str, params: list[tuple[str, str]], expected: tuple[int, str]
) -> None:
    assert _code(emu, action, params) == expected
    last = emu.requests[-1]
    if expected[1] == "OK":
        assert emu.calls and last.params
    else:
        assert emu.calls == []


def test_decoded_parameters_are_recorded(emu: Emulator) -> None:
    raw(emu, "IvrCall", [*IVR, ("MenuKeyMap.2.Key", "2"), ("MenuKeyMap.2.TtsParams", json.dumps({"n": "张"})),
                          ("MenuKeyMap.1.Key", "1"), ("PlayTimes", "2"), ("StartTtsParams", '{"a":"b"}')])  # fmt: skip
    params = emu.requests[-1].params
    assert params["MenuKeyMap"] == [{"Key": "1"}, {"Key": "2", "TtsParams": {"n": "张"}}]
    assert (params["PlayTimes"], params["StartTtsParams"]) == (2, {"a": "b"})
    raw(emu, "SingleCallByTts", [("CalledNumber", "bad"), ("TtsCode", "T")])
    assert emu.requests[-1].params["CalledNumber"] == "bad", "invalid values are recorded as sent"


def test_unknown_parameters(emu: Emulator) -> None:
    emu.strict = False  # as the real service: ignored, but listed
    assert _code(emu, "SingleCallByTts", [*TTS, ("Bogus", "1")]) == (200, "OK")
    assert emu.requests[-1].unknown_params == ("Bogus",)
    emu.strict = True
    assert _code(
        emu, "SingleCallByTts", [("CalledNumber", "13800000001"), ("TtsCode", "T"), ("Bogus", "1")]
    ) == (
        400,
        "InvalidParameter",
    )
    assert "Bogus" in raw(emu, "SingleCallByTts", [*TTS, ("Bogus", "1")]).body["Message"]

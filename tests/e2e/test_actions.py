"""Every action of the SDK against the emulator: sync and async clients, V3 and V1 signatures.

Each test runs four times (the ``client`` fixture). The emulator is strict: a parameter the SDK
misnames would be answered InvalidParameter; every request is checked for what arrived.
"""

from __future__ import annotations

import re
import time
from typing import Any

from e2e_support import invoke

from dyvmsapi import AsyncClient, Client
from dyvmsapi.testing import Emulator

CALL_ID = re.compile(r"\d{12}\^\d{11}")
DATETIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
Any_ = Client | AsyncClient


def _arrived(emu: Emulator, client: Any_, action: str) -> dict[str, Any]:
    """The last request: for this action, signed as the client signs, OK, nothing unknown."""
    last = emu.requests[-1]
    assert last.action == action
    assert last.signature_version == client._signature_version
    assert last.access_key_id == emu.access_key_id
    assert (last.status, last.code, last.unknown_params) == (200, "OK", ())
    return last.params


def _now_ms() -> int:
    return int(time.time() * 1000)


async def test_single_call_by_tts(emu: Emulator, client: Any_) -> None:
    response = await invoke(
        client,
        "single_call_by_tts",
        called_number="13800000001",
        tts_code="TTS_10001",
        called_show_number="057100000000",
        tts_param={"code": "1234", "name": "张三 a+b"},
        play_times=2,
        volume=100,
        speed=-5,
        out_id="order-1",
    )
    assert response.code == "OK" and CALL_ID.fullmatch(response.call_id)
    params = _arrived(emu, client, "SingleCallByTts")
    assert params == {
        "CalledNumber": "13800000001",
        "TtsCode": "TTS_10001",
        "CalledShowNumber": "057100000000",
        "TtsParam": {"code": "1234", "name": "张三 a+b"},
        "PlayTimes": 2,
        "Volume": 100,
        "Speed": -5,
        "OutId": "order-1",
    }
    (call,) = emu.calls
    assert (call.call_id, call.action, call.called_number) == (
        response.call_id,
        "SingleCallByTts",
        "13800000001",
    )
    assert emu.requests[-1].request_id == response.request_id


async def test_single_call_by_voice(emu: Emulator, client: Any_) -> None:
    response = await invoke(
        client, "single_call_by_voice", called_number="13800000002", voice_code="2d4c-4e78.wav", play_times=3
    )
    assert CALL_ID.fullmatch(response.call_id)
    params = _arrived(emu, client, "SingleCallByVoice")
    assert params == {"CalledNumber": "13800000002", "VoiceCode": "2d4c-4e78.wav", "PlayTimes": 3}
    assert emu.call(response.call_id) is not None


async def test_ivr_call(emu: Emulator, client: Any_) -> None:
    response = await invoke(
        client,
        "ivr_call",
        called_show_number="057100000000",
        called_number="13800000003",
        start_code="TTS_1",
        start_tts_params={"name": "张三"},
        play_times=1,
        timeout=3000,
        menu_key_map=[
            {"key": "1", "code": "TTS_2", "tts_params": {"x": "*~/&=?%"}},
            {"key": "2", "code": "voice.wav"},
        ],
    )
    assert CALL_ID.fullmatch(response.call_id)
    params = _arrived(emu, client, "IvrCall")
    assert params["StartTtsParams"] == {"name": "张三"}
    assert params["MenuKeyMap"] == [
        {"Key": "1", "Code": "TTS_2", "TtsParams": {"x": "*~/&=?%"}},
        {"Key": "2", "Code": "voice.wav"},
    ]
    assert (params["PlayTimes"], params["Timeout"]) == (1, 3000)


async def test_smart_call(emu: Emulator, client: Any_) -> None:
    response = await invoke(
        client,
        "smart_call",
        called_show_number="057100000000",
        called_number="13800000004",
        voice_code="$name$,a.wav",
        voice_code_param={"name": "李四"},
        record_flag=True,
        early_media_asr=False,
        tts_speed=-100,
        noise_threshold=0.5,
        asr_base_id="customer_service_8k",
        stream_asr=1,
    )
    assert CALL_ID.fullmatch(response.call_id)
    params = _arrived(emu, client, "SmartCall")
    assert params["VoiceCodeParam"] == {"name": "李四"}
    assert (params["RecordFlag"], params["EarlyMediaAsr"]) == (True, False)
    assert (params["TtsSpeed"], params["NoiseThreshold"], params["StreamAsr"]) == (-100, 0.5, 1)


async def test_click_to_dial(emu: Emulator, client: Any_) -> None:
    response = await invoke(
        client,
        "click_to_dial",
        caller_show_number="057100000000",
        caller_number="13800000000",
        called_show_number="057100000001",
        called_number="13900000005",
        record_flag=True,
        asr_flag=False,
        session_timeout=120,
        out_id="ctd-1",
    )
    assert CALL_ID.fullmatch(response.call_id)
    params = _arrived(emu, client, "ClickToDial")
    assert params["CallerNumber"] == "13800000000" and params["SessionTimeout"] == 120
    assert (params["RecordFlag"], params["AsrFlag"]) == (True, False)
    assert emu.call(response.call_id).cancellable  # type: ignore[union-attr]


async def test_query_call_detail_by_call_id(emu: Emulator, client: Any_) -> None:
    placed = await invoke(
        client,
        "single_call_by_tts",
        called_number="13800000006",
        tts_code="TTS_1",
        called_show_number="057100000000",
    )
    response = await invoke(
        client,
        "query_call_detail_by_call_id",
        call_id=placed.call_id,
        prod_id=11000000300006,
        query_date=_now_ms(),
    )
    params = _arrived(emu, client, "QueryCallDetailByCallId")
    assert params == {"CallId": placed.call_id, "ProdId": 11000000300006, "QueryDate": params["QueryDate"]}
    detail = response.data
    assert detail is not None
    assert (detail.callee, detail.callee_show_number, detail.duration) == ("13800000006", "057100000000", 0)
    assert DATETIME.fullmatch(detail.gmt_create)
    # Data travels as a JSON string with the keys of the spec's example.
    example = emu.service["actions"]["QueryCallDetailByCallId"]["example"]["Data"]
    assert set(detail.model_dump(by_alias=True, exclude_none=True)) == set(__import__("json").loads(example))


async def test_query_of_an_unknown_call_is_ok_without_data(emu: Emulator, client: Any_) -> None:
    response = await invoke(
        client, "query_call_detail_by_call_id", call_id="1^2", prod_id=11000000300006, query_date=_now_ms()
    )
    assert (response.code, response.data) == ("OK", None)


async def test_cancel_call(emu: Emulator, client: Any_) -> None:
    placed = await invoke(
        client,
        "click_to_dial",
        caller_show_number="057100000000",
        caller_number="13800000000",
        called_show_number="057100000001",
        called_number="13900000007",
    )
    response = await invoke(client, "cancel_call", call_id=placed.call_id)
    assert (response.code, response.status) == ("OK", True)
    assert _arrived(emu, client, "CancelCall") == {"CallId": placed.call_id}
    assert emu.call(placed.call_id).cancelled  # type: ignore[union-attr]

"""The official SDK against the emulator: it succeeds with the right key pair (V3 and V1) and gets
SignatureDoesNotMatch with a wrong secret. Release 5.3.0 runs in-process; ClickToDial needs release
2.1.3, which runs in a subprocess with its unpacked wheel first on ``PYTHONPATH``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import _official_call
import pytest
from python_sdk.conftest import sdk213_site  # noqa: F401 - the shared, cached download of 2.1.3

from dyvmsapi.testing import Emulator

HERE = Path(__file__).resolve().parent
ALGORITHMS = ["v3", "v1"]
CASES: dict[str, dict[str, Any]] = {
    "SingleCallByTts": {"CalledNumber": "13800000001", "TtsCode": "TTS_1", "TtsParam": '{"code":"1234"}',
                        "PlayTimes": 2, "Speed": 0},
    "SingleCallByVoice": {"CalledNumber": "13800000002", "VoiceCode": "a.wav", "Volume": 100},
    "IvrCall": {"CalledNumber": "13800000003", "CalledShowNumber": "057100000000", "StartCode": "TTS_1",
                "StartTtsParams": '{"name":"张三 a+b"}',
                "MenuKeyMap": [{"Key": "1", "Code": "TTS_2", "TtsParams": '{"x":"*~/&=?%"}'}]},
    "SmartCall": {"CalledNumber": "13800000004", "CalledShowNumber": "057100000000", "VoiceCode": "a.wav",
                  "EarlyMediaAsr": True, "ActionCodeBreak": False, "NoiseThreshold": 0.5},
    "ClickToDial": {"CallerShowNumber": "057100000000", "CallerNumber": "13800000000",
                    "CalledShowNumber": "057100000001", "CalledNumber": "13900000005", "RecordFlag": True,
                    "AsrFlag": False, "SessionTimeout": 120, "OutId": "ctd-1"},
}  # fmt: skip


def _spec(emu: Emulator, action: str, params: dict[str, Any], algorithm: str, **over: Any) -> dict[str, Any]:
    return {
        "action": action,
        "params": params,
        "algorithm": algorithm,
        "host": emu.host,
        "access_key_id": emu.access_key_id,
        "access_key_secret": emu.access_key_secret,
        "security_token": None,
        **over,
    }


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_release_530(emu: Emulator, algorithm: str) -> None:
    for action in ["SingleCallByTts", "SingleCallByVoice", "IvrCall", "SmartCall"]:
        result = _official_call.call(_spec(emu, action, CASES[action], algorithm))
        assert result["ok"] and result["body"]["Code"] == "OK", (action, result)
        last = emu.requests[-1]
        assert (last.action, last.signature_version, last.unknown_params) == (action, algorithm, ())
    tts_call = emu.calls[0].call_id
    assert emu.calls[2].params["MenuKeyMap"] == [{"Key": "1", "Code": "TTS_2", "TtsParams": {"x": "*~/&=?%"}}]
    query = {"CallId": tts_call, "ProdId": 11000000300006, "QueryDate": int(emu.clock.now() * 1000)}
    result = _official_call.call(_spec(emu, "QueryCallDetailByCallId", query, algorithm))
    assert json.loads(result["body"]["Data"])["callee"] == "13800000001"
    result = _official_call.call(_spec(emu, "CancelCall", {"CallId": tts_call}, algorithm))
    assert result["body"]["Status"] is False  # not a click-to-dial call
    sts = _spec(emu, "SingleCallByTts", {"CalledNumber": "13800000009", "TtsCode": "T"}, algorithm,
                security_token=emu.security_token)  # fmt: skip
    assert _official_call.call(sts)["ok"]
    wrong = _official_call.call(
        _spec(emu, "SingleCallByTts", {"CalledNumber": "13800000008", "TtsCode": "T"}, algorithm,
              access_key_secret="wrong-secret")  # fmt: skip
    )
    assert (wrong["ok"], wrong["code"], wrong["status"]) == (False, "SignatureDoesNotMatch", 400)
    business = _official_call.call(_spec(emu, "SingleCallByTts", CASES["SingleCallByTts"], algorithm))
    assert (
        business["ok"] and business["body"]["Code"] == "isv.BUSINESS_LIMIT_CONTROL"
    )  # HTTP 200: no exception
    assert emu.errors == []


def test_release_213_click_to_dial(emu: Emulator, sdk213_site: Path) -> None:  # noqa: F811
    specs = [_spec(emu, "ClickToDial", {**CASES["ClickToDial"], "CalledNumber": n}, a)
             for a, n in (("v3", "13900000001"), ("v1", "13900000002"))]  # fmt: skip
    specs.append(_spec(emu, "ClickToDial", CASES["ClickToDial"], "v3", access_key_secret="wrong-secret"))
    specs.append(_spec(emu, "ClickToDial", CASES["ClickToDial"], "v1", access_key_secret="wrong-secret"))
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["PYTHONPATH"] = str(sdk213_site)
    out = subprocess.run(
        [sys.executable, str(HERE / "_official_call.py")],
        input=json.dumps(specs), capture_output=True, text=True, env=env, cwd=sdk213_site, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr.replace(emu.access_key_secret, "<secret>")[-3000:]
    ok_v3, ok_v1, wrong_v3, wrong_v1 = json.loads(out.stdout)
    for result in (ok_v3, ok_v1):
        assert result["ok"] and result["body"]["Code"] == "OK", result
        assert Path(result["sdk_file"]).is_relative_to(sdk213_site)
    for result in (wrong_v3, wrong_v1):
        assert (result["ok"], result["code"]) == (False, "SignatureDoesNotMatch")
    placed = [(r.signature_version, r.params["CalledNumber"]) for r in emu.requests if r.code == "OK"]
    assert placed == [("v3", "13900000001"), ("v1", "13900000002")]
    assert emu.calls[0].params["RecordFlag"] is True and emu.calls[0].params["AsrFlag"] is False

"""Parity: one table of cases run through both SDKs against the same emulator, with identical
outcomes — the request on the wire (every action parameter as sent), the result or the error
class (with code, HTTP status and whether it is retryable), and the number of attempts a fault
costs. The cases are written once, by wire names; each SDK's names come from its target's naming."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from dyvmsapi import RetryPolicy
from dyvmsapi.testing import Emulator
from ts_support import NODE, ROOT, TSC, compile_package, run_script

from generator.frontend import ir
from generator.frontend.pipeline import load_api
from generator.targets.python import naming as py_naming
from generator.targets.typescript import naming as ts_naming

API = load_api(ROOT / "specs")
COMMON = {"Action", "Version", "Format", "Timestamp", "SignatureNonce", "SignatureMethod", "SignatureVersion",
          "SignatureType", "AccessKeyId", "Signature", "SecurityToken", "RegionId"}  # fmt: skip

pytestmark = pytest.mark.skipif(
    NODE is None or not TSC.exists(), reason="needs node and `npm ci --prefix tests/node`"
)


@dataclass(frozen=True)
class Case:
    name: str
    action: str
    params: dict[str, Any]  # by wire name
    fault: dict[str, Any] | None = None  # Emulator.inject arguments: kind, count, code, status
    signature: str = "v3"
    attempts: int = 3
    fields: tuple[str, ...] = ("RequestId", "Code")  # response fields compared (by wire name)
    extra: dict[str, Any] = field(default_factory=dict)


TTS = {"CalledNumber": "13800000001", "TtsCode": "TTS_1"}
QUERY = {"CallId": "116000000001^10280000000", "ProdId": 11000000300006, "QueryDate": 1669032001000}
CASES = [
    Case("every kind of value, V3", "SingleCallByTts",
         {**TTS, "CalledShowNumber": "057100000000", "TtsParam": {"code": "1234", "名字": "张三"}, "PlayTimes": 2,
          "Volume": 100, "Speed": -50, "OutId": "o 1+2/3=?&"}, fields=("CallId", "Code")),
    Case("every kind of value, V1", "SingleCallByTts",
         {**TTS, "TtsParam": {"a": "b c"}, "OutId": "~!*'()"}, signature="v1", fields=("CallId", "Code")),
    Case("a repeated list of structs", "IvrCall",
         {"CalledNumber": "13800000002", "CalledShowNumber": "057100000000", "StartCode": "TTS_1",
          "MenuKeyMap": [{"Key": "1", "Code": "TTS_2", "TtsParams": {"a": "1"}}, {"Key": "2", "Code": "TTS_3"}],
          "ByeCode": "TTS_4", "Timeout": 3000, "PlayTimes": 1}),
    Case("integers and a JSON-string answer", "QueryCallDetailByCallId", QUERY),
    Case("a business error", "SingleCallByTts", TTS, {"kind": "error", "code": "isv.MOBILE_NUMBER_ILLEGAL"}),
    Case("a business error unknown to the table", "SingleCallByTts", TTS, {"kind": "error", "code": "isv.NEW_CODE"}),
    Case("a gateway error", "SingleCallByTts", TTS, {"kind": "error", "code": "InvalidAccessKeyId.NotFound"}),
    Case("throttling is retried, even for a call", "SingleCallByTts", TTS,
         {"kind": "throttle", "count": 1, "retry_after_ms": 10}),
    Case("throttling past the attempts", "SingleCallByTts", TTS, {"kind": "throttle", "count": 5, "retry_after_ms": 10}),
    Case("a 503 is not retried for a call", "SingleCallByTts", TTS, {"kind": "error", "count": 1}),
    Case("a 503 is retried for a query", "QueryCallDetailByCallId", QUERY, {"kind": "error", "count": 1}),
    Case("a 503 past the attempts", "QueryCallDetailByCallId", QUERY, {"kind": "error", "count": 5}),
    Case("one attempt only", "QueryCallDetailByCallId", QUERY, {"kind": "error", "count": 1}, attempts=1),
    Case("a dropped connection, a query", "QueryCallDetailByCallId", QUERY, {"kind": "drop", "count": 1}),
    Case("a dropped connection, a call", "SingleCallByTts", TTS, {"kind": "drop", "count": 1}),
]  # fmt: skip


def _action(name: str) -> ir.Action:
    return next(a for a in API.actions if a.name == name)


def _names(value: Any, action: ir.Action, name_of: Any) -> Any:
    """A wire-named value in one SDK's naming (struct members too; maps keep their keys)."""
    structs = {f.wire_name for s in action.structs for f in s.fields}
    if isinstance(value, list):
        return [_names(v, action, name_of) for v in value]
    if isinstance(value, dict) and value and set(value) <= structs:
        return {name_of(k): _names(v, action, name_of) for k, v in value.items()}
    return value


def _requests(emu: Emulator) -> list[tuple[str | None, list[tuple[str, str]], int]]:
    return [(r.action, sorted((k, v) for k, v in r.query if k not in COMMON), r.status) for r in emu.requests]


def _python(case: Case, emu: Emulator) -> dict[str, Any]:
    import dyvmsapi

    action = _action(case.action)
    kwargs = {py_naming.attribute(k): _names(v, action, py_naming.attribute) for k, v in case.params.items()}
    with emu.client(signature_version=case.signature, retry=RetryPolicy(max_attempts=case.attempts,
                                                                        base_delay=0.01)) as client:  # fmt: skip
        try:
            response = getattr(client, py_naming.method(case.action))(**kwargs)
        except dyvmsapi.DyvmsapiError as error:
            return {"ok": False, "error": type(error).__name__, "code": error.code, "httpStatus": error.http_status,
                    "retryable": error.retryable, "action": error.action}  # fmt: skip
    return {"ok": True, "result": {f: getattr(response, py_naming.attribute(f)) for f in case.fields}}


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return compile_package(tmp_path_factory.mktemp("parity") / "dist")


def _typescript(case: Case, emu: Emulator, dist: Path) -> dict[str, Any]:
    assert NODE is not None
    action = _action(case.action)
    payload = {
        "method": ts_naming.method(case.action),
        "request": {ts_naming.member(k): _names(v, action, ts_naming.member) for k, v in case.params.items()},
        "signature": case.signature,
        "attempts": case.attempts,
        "fields": [ts_naming.member(f) for f in case.fields],
    }
    env = {"EMULATOR_ENDPOINT": emu.endpoint, "TEST_KEY_ID": emu.access_key_id,
           "TEST_KEY_SECRET": emu.access_key_secret}  # fmt: skip
    outcome: dict[str, Any] = run_script("parity.mjs", payload, dist, env)
    if outcome["ok"]:
        outcome["result"] = dict(zip(case.fields, outcome["result"].values(), strict=True))
    return outcome


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_both_sdks_agree(case: Case, dist: Path) -> None:
    outcomes, wires = [], []
    for run in (_python, lambda c, e: _typescript(c, e, dist)):
        with Emulator(flow_limits=(), seed=7) as emu:
            if case.fault:
                fault = dict(case.fault)
                emu.inject(fault.pop("kind"), fault.pop("count", 1), **fault)
            outcomes.append(run(case, emu))
            wires.append(_requests(emu))
            assert emu.errors == []
    python, typescript = outcomes
    for outcome in outcomes:  # request ids differ from run to run; the rest must not
        outcome.get("result", {}).pop("RequestId", None)
    assert typescript == python
    assert wires[1] == wires[0], "the same parameters on the wire, attempt by attempt"

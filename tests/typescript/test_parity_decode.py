"""Parity on answers: the same JSON values, as the service might send them for a string, boolean,
integer or number member, read by both SDKs — by the Python SDK's generated models (pydantic, lax)
and by the TypeScript SDK's decoder — give the same value, or are refused by both (an
``InvalidResponseError`` when a client meets them). Two differences JavaScript cannot avoid are
left out and pinned instead: a float's text (``1.0`` arrives as the number 1) and integers beyond
2**53, which the TypeScript SDK refuses rather than round."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError
from ts_support import TOOLCHAIN, compile_package, run_script

from generator.targets.typescript import naming

pytestmark = pytest.mark.skipif(not TOOLCHAIN, reason="needs node and `npm ci --prefix tests/node`")

# (Python model module, its response class, the member's wire name): a member of each kind
MEMBERS = {
    "string": ("add_virtual_number_relation", "AddVirtualNumberRelationResponse", "Code"),
    "boolean": ("cancel_call", "CancelCallResponse", "Status"),
    "int64": ("create_call_task", "CreateCallTaskResponse", "Data"),
}
VALUES = {
    "string": ['"abc"', '""', "12", "-3", "1.5", "true", "[]", "{}", '"用户"'],
    "boolean": ["true", "false", '"true"', '"True"', '"1"', '"yes"', '"off"', '"n"', '" true "', "1", "0", "2",
                '"maybe"', '""', "[]"],
    "int64": ["12", '"12"', '" 7 "', '"+3"', '"1.0"', '"1_000"', "3.0", "true", '"1.5"', '"0x10"', '"1e3"', "1.5",
              '""', '"abc"', "{}", "9007199254740991"],
    "double": ["1.5", '"2.5"', '" 2.5 "', '"1e3"', '".5"', '"5."', '"1_000"', '"inf"', '"-inf"', '"nan"', "true",
               '"0x10"', '"0b11"', '""', '"abc"', "[]", "3"],
}  # fmt: skip


def _python(kind: str, text: str) -> Any:
    if kind == "double":
        try:
            value: Any = TypeAdapter(float | None).validate_python(json.loads(text))
        except ValidationError:
            return "mismatch"
    else:
        module, cls, wire = MEMBERS[kind]
        model: type[BaseModel] = getattr(__import__(f"dyvmsapi.models.{module}", fromlist=[cls]), cls)
        try:
            response = model.model_validate_json(f'{{"RequestId": "r", "{wire}": {text}}}')
        except ValidationError:
            return "mismatch"
        value = getattr(response, next(n for n, f in model.model_fields.items() if f.alias == wire))
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def _cases() -> list[tuple[str, str, dict[str, Any]]]:
    cases = []
    for kind, texts in VALUES.items():
        for text in texts:
            if kind == "double":
                field = {"name": "rate", "wire": "Rate", "type": "double"}
                case = {"descriptor": {"name": "X", "idempotent": True, "params": [], "structs": {},
                                       "response": [field]}, "member": "rate"}  # fmt: skip
                body = f'{{"Rate": {text}}}'
            else:
                module, _, wire = MEMBERS[kind]
                action = "".join(p.capitalize() for p in module.split("_"))
                case = {"module": naming.method(action), "constant": naming.method(action),
                        "member": naming.member(wire)}  # fmt: skip
                body = f'{{"RequestId": "r", "{wire}": {text}}}'
            cases.append((kind, text, {**case, "body": body}))
    return cases


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return compile_package(tmp_path_factory.mktemp("decode-parity") / "dist")


def _typescript(dist: Path, cases: list[dict[str, Any]]) -> list[Any]:
    out: list[Any] = run_script("decode_parity.mjs", {"cases": cases}, dist)
    return out


def test_both_sdks_read_answer_values_alike(dist: Path) -> None:
    cases = _cases()
    typescript = _typescript(dist, [c for _, _, c in cases])
    differ = [(kind, text, _python(kind, text), ts) for (kind, text, _), ts in zip(cases, typescript, strict=True)
              if _python(kind, text) != ts or isinstance(_python(kind, text), bool) != isinstance(ts, bool)]  # fmt: skip
    assert not differ, "(kind, value, python, typescript): " + repr(differ)
    assert {"mismatch"} < set(typescript) and any(v not in ("mismatch", None) for v in typescript)


def test_what_javascript_cannot_read_as_python_does_is_pinned(dist: Path) -> None:
    big = "12345678901234567890"
    cases = [c for _, _, c in _cases() if c.get("module") == naming.method("CreateCallTask")][:1]
    pinned = [{**cases[0], "body": f'{{"RequestId": "r", "Data": {big}}}'},
              {**cases[0], "body": f'{{"RequestId": "r", "Data": "{big}"}}'}]  # fmt: skip
    assert _typescript(dist, pinned) == ["mismatch", "mismatch"], "refused, not rounded"
    assert _python("int64", big) == int(big), "Python reads it exactly"

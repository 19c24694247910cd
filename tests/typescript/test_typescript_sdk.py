"""The TypeScript SDK (generated/typescript): strict type check, every action against the Python
emulator over HTTP (V3, V1 and STS), errors, retries, and signing vectors shared by the TypeScript
runtime, the Python runtime and the vendor's Node runtime (@alicloud/openapi-client).

Needs Node.js 18+ and the toolchain of tests/node (``npm ci --prefix tests/node``). The Node tests
are in this folder (``*.test.mjs``); this file prepares their inputs and runs ``node --test``.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from ts_support import (
    HERE,
    NODE,
    NODE_MODULES,
    PACKAGE,
    ROOT,
    TSC,
    Control,
    compile_package,
    emulator_with_control,
    tsc,
)

from generator.frontend import ir
from generator.frontend.pipeline import load_api
from generator.targets.common import wire as _wire
from generator.targets.typescript import naming

pytestmark = pytest.mark.skipif(
    NODE is None or not TSC.exists() or not PACKAGE.exists(),
    reason="needs node, `npm ci --prefix tests/node` and generated/typescript",
)


def _node_test(test_file: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    assert NODE is not None
    return subprocess.run(
        [NODE, "--test", "--test-reporter=spec", str(HERE / test_file)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
        cwd=ROOT,
    )


def _check(result: subprocess.CompletedProcess[str]) -> str:
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    return output


def test_strict_type_check_has_no_error() -> None:
    result = tsc("--strict", "--noEmit")
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return compile_package(tmp_path_factory.mktemp("ts") / "dist")


def _value(value: Any, t: ir.TypeRef, structs: dict[str, ir.Struct]) -> Any:
    """An example value with struct keys as TypeScript members (what a TypeScript caller passes)."""
    match t:
        case ir.Scalar(kind):
            return float(value) if kind is ir.Primitive.double else value
        case ir.ListOf(item):
            return [_value(v, item, structs) for v in value]
        case ir.MapOf(item):
            return {k: _value(v, item, structs) for k, v in value.items()}
        case ir.StructRef(name):
            return {
                naming.member(f.wire_name): _value(value[f.wire_name], f.type, structs)
                for f in structs[name].fields
                if value.get(f.wire_name) is not None
            }
    raise AssertionError(t)


def _cases(api: ir.Api) -> list[dict[str, Any]]:
    out = []
    for a in api.actions:
        structs = {s.name: s for s in a.structs}
        request = {
            naming.member(f.wire_name): _value(f.example, f.type, structs) for f in _wire.sample_fields(a)
        }
        required = [naming.member(f.wire_name) for f in a.parameters if f.required]
        out.append({"action": a.name, "method": naming.method(a.name), "idempotent": a.idempotent,
                    "request": request, "required": required})  # fmt: skip
    return out


class _Control(Control):
    """What the Node tests ask of the emulator: POST /fail_next?..., GET /count?action=..."""

    def do_GET(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        emu = self.emulator
        if url.path == "/count":
            self.answer(emu.count(query.get("action")))
        elif url.path == "/fail_next":
            status = int(query["status"]) if "status" in query else None
            emu.fail_next(int(query.get("count", "1")), status=status, code=query.get("code"),
                          action=query.get("action"))  # fmt: skip
            self.answer(True)
        elif url.path == "/clear":
            emu.clear_faults() if hasattr(emu, "clear_faults") else None
            self.answer(True)
        else:
            self.send_error(404)


@pytest.fixture(scope="module")
def emulator() -> Iterator[tuple[Any, str]]:
    with emulator_with_control(_Control) as running:
        yield running


def test_every_action_against_the_emulator(dist: Path, emulator: tuple[Any, str], tmp_path: Path) -> None:
    emu, control = emulator
    api = load_api(ROOT / "specs")
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps(_cases(api), ensure_ascii=False))
    business = next(e for e in api.errors if e.exception is not None and e.http_status == 200)
    placing = next(a for a in api.actions if not a.idempotent and any(f.required for f in a.parameters))
    query = next(a for a in api.actions if a.idempotent)
    env = {
        "SDK_DIST": str(dist),
        "CASES": str(cases),
        "CONTROL_URL": control,
        "EMULATOR_ENDPOINT": emu.endpoint,
        "TEST_KEY_ID": emu.access_key_id,
        "TEST_KEY_SECRET": emu.access_key_secret,
        "TEST_TOKEN": emu.security_token,
        "BUSINESS_CODE": business.code,
        "BUSINESS_CLASS": business.exception or "",
        "PLACING_ACTION": placing.name,
        "IDEMPOTENT_ACTION": query.name,
    }
    output = _check(_node_test("actions.test.mjs", env))
    assert "# fail 0" in output or "ℹ fail 0" in output, output[-3000:]


# ----------------------------------------------------------------------------- signing vectors

KEY_ID, SECRET, TOKEN = "LTAI5tExampleKeyId", "ExampleSecret/+=~*", "STS.Example/token+=="
TIMESTAMP, NONCE, HOST = "2026-12-02T08:09:10Z", "0123456789abcdef0123456789abcdef", "dyvmsapi.aliyuncs.com"
USER_AGENT = "dyvmsapi-vectors/1.0"
PARAMS = [
    ("CalledNumber", "15900000000"),
    ("CalledShowNumber", "057100005678"),
    ("TtsParam", '{"name":"张三 & co","code":"1*2~3"}'),
    ("MenuKeyMap.1.Key", "1"),
    ("MenuKeyMap.1.TtsParams", '{"a":"b c"}'),
    ("OutId", "a+b/c=d!'()"),
    ("PlayTimes", "3"),
    ("Speed", "0.5"),
    ("Flag", "true"),
    ("Empty", ""),
]


def _vectors() -> list[dict[str, Any]]:
    from dyvmsapi import _signing

    out = []
    for token in (None, TOKEN):
        headers = _signing.v3_headers(host=HOST, action="SingleCallByTts", version="2017-05-25", timestamp=TIMESTAMP,
                                      nonce=NONCE, user_agent=USER_AGENT, security_token=token,
                                      access_key_id=KEY_ID)  # fmt: skip
        authorization = _signing.sign_v3(method="POST", host=HOST, pathname="/", query=PARAMS, headers=headers,
                                         access_key_id=KEY_ID, access_key_secret=SECRET)  # fmt: skip
        v1 = _signing.sign_v1(action="SingleCallByTts", version="2017-05-25", params=PARAMS, timestamp=TIMESTAMP,
                              nonce=NONCE, access_key_id=KEY_ID, access_key_secret=SECRET,
                              security_token=token)  # fmt: skip
        out.append({
            "token": token, "headers": headers, "authorization": authorization,
            "v1_query": v1, "v1_wire": _signing.encode_query(v1), "v3_wire": _signing.encode_query(PARAMS),
        })  # fmt: skip
    return out


def test_signing_vectors_agree(dist: Path, tmp_path: Path) -> None:
    vectors = tmp_path / "vectors.json"
    vectors.write_text(json.dumps({
        "keyId": KEY_ID, "secret": SECRET, "timestamp": TIMESTAMP, "nonce": NONCE, "host": HOST,
        "userAgent": USER_AGENT, "params": PARAMS, "cases": _vectors(),
    }, ensure_ascii=False))  # fmt: skip
    env = {"SDK_DIST": str(dist), "VECTORS": str(vectors), "VENDOR_MODULES": str(NODE_MODULES)}
    _check(_node_test("signing.test.mjs", env))


def test_options_raw_responses_unknown_members_and_the_body_cap(dist: Path, tmp_path: Path) -> None:
    pytest.importorskip("cryptography")
    from certificates import self_signed

    cert, key = self_signed(tmp_path)
    output = _check(
        _node_test("options.test.mjs", {"SDK_DIST": str(dist), "CERT_FILE": str(cert), "KEY_FILE": str(key)})
    )
    assert "# fail 0" in output or "ℹ fail 0" in output, output[-3000:]


def test_the_vendor_s_node_runtime_is_accepted_by_the_emulator_s_signature_check() -> None:
    """The emulator verifies what the vendor's Node runtime signs (V3 over its own header set, and
    V1) as it verifies our SDKs: the same checker accepts both, and refuses a wrong secret."""
    from dyvmsapi.testing import Emulator

    with Emulator(flow_limits=(), strict=True, idle_timeout=1.0) as emu:
        env = {"EMULATOR_HOST": emu.endpoint.split("://", 1)[1], "TEST_KEY_ID": emu.access_key_id,
               "TEST_KEY_SECRET": emu.access_key_secret, "VENDOR_MODULES": str(NODE_MODULES)}  # fmt: skip
        output = _check(_node_test("vendor.test.mjs", env))
        assert "# fail 0" in output or "ℹ fail 0" in output, output[-3000:]
        sent = [(r.action, r.status) for r in emu.requests]
    assert sent == [("SingleCallByTts", 200), ("SingleCallByTts", 200), ("SingleCallByTts", 400)]

"""Every code sample under generated/samples/python runs, as a reader would run it, against the
emulator: its own process, credentials and endpoint from the environment only. It must exit 0,
print nothing on stderr, and send exactly the request its action's page shows.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from dyvmsapi.testing import Emulator

from generator.frontend import ir
from generator.targets.python import naming, user_agent
from generator.output.format import format_python
from generator.frontend.pipeline import load_api
from generator.targets.common import wire as _wire

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "generated/samples/python"
FILES = sorted(p.relative_to(SAMPLES).as_posix() for p in SAMPLES.rglob("*.py"))
API = load_api(ROOT / "specs")
ACTIONS = {f"{naming.module(a.name)}{suffix}.py": a for a in API.actions for suffix in ("", "_async")}
TRANSPORT_HEADERS = {"accept-encoding", "connection"}  # added by http.client / httpx, not by the SDK


def run(name: str, emu: Emulator, **env: str) -> subprocess.CompletedProcess[str]:
    """The sample in a fresh interpreter whose environment points at the emulator."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("ALIBABA_CLOUD_", "DYVMSAPI_"))}
    environ |= {
        "DYVMSAPI_ENDPOINT": emu.endpoint,
        "ALIBABA_CLOUD_ACCESS_KEY_ID": emu.access_key_id,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": emu.access_key_secret,
        **env,
    }
    return subprocess.run([sys.executable, str(SAMPLES / name)], env=environ, capture_output=True, text=True,
                          timeout=60, cwd=SAMPLES)  # fmt: skip


def test_every_action_has_a_sync_and_an_async_sample() -> None:
    assert set(ACTIONS) <= set(FILES)
    assert set(FILES) - set(ACTIONS) == {
        *(f"getting_started/{n}.py" for n in ("handle_errors", "retries", "with_emulator")),
        *(f"receipts/{n}.py" for n in ("pull", "push")),
    }


@pytest.mark.parametrize("name", FILES)
def test_sample_runs_against_the_emulator(name: str) -> None:
    with Emulator() as emu:
        result = run(name, emu)
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stderr == ""
        assert emu.errors == []
        requests = emu.requests
    if name == "getting_started/with_emulator.py":
        assert result.stdout == "ok\n" and requests == []
        return
    if name.startswith("receipts/"):  # a round trip on an emulator of its own: the call, then its receipt
        placed, received = result.stdout.splitlines()
        call_id = placed.removeprefix("single_call_by_tts: ")
        assert received.startswith(f"VoiceReport {call_id} status_code=200000") and requests == []
        return
    assert json.loads(result.stdout)["code"] == "OK"
    [request] = requests
    assert request.code == "OK"
    action = ACTIONS.get(name) or next(a for a in API.actions if a.name == request.action)
    assert request.action == action.name
    if name in ACTIONS:
        assert list(request.query) == _wire.example_pairs(action), "the request the action's page shows"
        _assert_documented_headers(action, request.headers)


def _assert_documented_headers(action: ir.Action, received: dict[str, str]) -> None:
    shown = {k.lower(): v for k, v in _wire.v3_headers(API.product, action, user_agent(API))}
    assert set(received) - set(shown) <= TRANSPORT_HEADERS
    for name, value in shown.items():
        assert name in received, name
        if "<" not in value and name != "host":  # placeholders, and the emulator's own address
            assert received[name] == value, name
    signed = shown["authorization"].split("SignedHeaders=")[1].split(",")[0]
    assert received["authorization"].split("SignedHeaders=")[1].split(",")[0] == signed


def test_a_sample_uses_an_sts_token_from_the_environment() -> None:
    with Emulator() as emu:
        result = run("single_call_by_tts.py", emu, ALIBABA_CLOUD_SECURITY_TOKEN=emu.security_token)
        assert result.returncode == 0, result.stderr
        assert emu.requests[0].headers["x-acs-security-token"] == emu.security_token


def test_a_sample_reports_a_business_error_and_exits_1() -> None:
    with Emulator() as emu:
        emu.fail_next(code="isv.MOBILE_NUMBER_ILLEGAL")
        result = run("single_call_by_tts.py", emu)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("MobileNumberIllegalError: isv.MOBILE_NUMBER_ILLEGAL: ")


def test_the_error_handling_sample_catches_its_named_code() -> None:
    with Emulator() as emu:
        emu.fail_next(code="isv.BUSINESS_LIMIT_CONTROL")
        result = run("getting_started/handle_errors.py", emu)
    assert result.returncode == 1
    assert result.stderr.startswith("isv.BUSINESS_LIMIT_CONTROL: ")


def test_a_sample_without_credentials_says_so() -> None:
    with Emulator() as emu:
        result = run("ivr_call_async.py", emu, ALIBABA_CLOUD_ACCESS_KEY_ID="")
        assert emu.requests == []
    assert result.returncode == 1
    assert result.stderr.startswith("CredentialsError: no credentials")


def test_samples_are_black_clean_and_type_check() -> None:
    for name in FILES:
        text = (SAMPLES / name).read_text(encoding="utf-8")
        assert format_python(text) == text, name
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", str(SAMPLES)], cwd=ROOT,
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr

"""Parity on hostile answers: each answer of the shared table (wrong types, nothing, a redirect, a
trickle, a flood, a cut-off body, nesting) meets both SDKs with the same settings (1 s per attempt,
3 s per call, 1 MiB of body, 2 attempts), and both throw the same error class, with the same HTTP
status and request id, after the same number of requests, within the call's deadline and without
showing a secret."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dyvmsapi
import pytest
from dyvmsapi import Client, RetryPolicy
from hostile_server import HOSTILE_ANSWERS, RawServer
from ts_support import TOOLCHAIN, compile_package, run_script

pytestmark = pytest.mark.skipif(not TOOLCHAIN, reason="needs node and `npm ci --prefix tests/node`")

SECRET = "secret-that-must-never-leak"
TOKEN = "sts-token-that-must-never-leak"
SETTINGS = {"timeout": 1.0, "deadline": 3.0, "maxBody": 2**20}
CALL = ("SingleCallByTts", {"CalledNumber": "13800000000", "TtsCode": "TTS_1"})


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return compile_package(tmp_path_factory.mktemp("hostile") / "dist")


@pytest.fixture
def server() -> Iterator[RawServer]:
    made = RawServer()
    yield made
    made.close()


def _python(server: RawServer) -> dict[str, Any]:
    began = time.monotonic()
    with Client("testid", SECRET, TOKEN, endpoint=server.endpoint, attempt_timeout=SETTINGS["timeout"],
                deadline=SETTINGS["deadline"], max_body=SETTINGS["maxBody"],
                retry=RetryPolicy(max_attempts=2, base_delay=0.01)) as client:  # fmt: skip
        try:
            client.single_call_by_tts(called_number=CALL[1]["CalledNumber"], tts_code=CALL[1]["TtsCode"])
        except dyvmsapi.DyvmsapiError as error:
            shown = f"{error}\n{error!r}"
            return {"ok": False, "error": type(error).__name__, "httpStatus": error.http_status,
                    "requestId": error.request_id, "action": error.action, "namesAction": CALL[0] in str(error),
                    "leaks": SECRET in shown or TOKEN in shown, "seconds": time.monotonic() - began}  # fmt: skip
    return {"ok": True, "seconds": time.monotonic() - began}


def _typescript(server: RawServer, dist: Path) -> dict[str, Any]:
    payload = {"endpoint": server.endpoint, "secret": SECRET, "token": TOKEN, "action": CALL[0],
               "method": "singleCallByTts", "request": {"calledNumber": "13800000000", "ttsCode": "TTS_1"},
               **SETTINGS}  # fmt: skip
    outcome: dict[str, Any] = run_script("hostile.mjs", payload, dist)
    return outcome


@pytest.mark.parametrize("case", list(HOSTILE_ANSWERS))
def test_both_sdks_meet_a_hostile_answer_alike(case: str, server: RawServer, dist: Path) -> None:
    chunks, error_class, status = HOSTILE_ANSWERS[case]
    outcomes, sends = [], []
    for run in (_python, lambda s: _typescript(s, dist)):
        server.answers.clear()
        server.answers.extend([chunks, chunks])
        before = server.count
        outcomes.append(run(server))
        sends.append(server.count - before)
    python, typescript = outcomes
    for outcome in outcomes:
        assert outcome.pop("seconds") < SETTINGS["deadline"] + 0.5, "bounded by the call's deadline"
    assert python["ok"] is False and issubclass(
        getattr(dyvmsapi, python["error"]), getattr(dyvmsapi, error_class)
    )
    assert python["httpStatus"] == status
    assert (python["action"], python["namesAction"], python["leaks"]) == (CALL[0], True, False)
    assert typescript == python
    assert sends == [1, 1], "a call-placing action is not sent again once it may have been processed"

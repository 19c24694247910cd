"""``sdkgen serve`` runs the generated emulator: a client can call it with the printed credentials."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dyvmsapi import Client, receipts

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def served(*args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``sdkgen serve --port 0 ARGS`` running: the process and the endpoint its banner printed."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--port", "0", *args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+", first)
        assert match, first + (process.stderr.read() if process.poll() is not None and process.stderr else "")
        yield process, match.group(0)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_sdkgen_serve() -> None:
    with served() as (process, endpoint):
        assert process.stdout is not None
        with Client("testid", "testsecret", endpoint=endpoint) as client:
            response = client.single_call_by_tts(called_number="13800000000", tts_code="TTS_10001")
        assert response.code == "OK" and response.call_id
        banner = "".join(process.stdout.readline() for _ in range(12))
        queue = re.search(r"Alicom-Queue-\d+-VoiceReport", banner)
        assert queue and "--push URL" in banner, banner
        consumer = receipts.consumer(receipts.VoiceReport, print, queue_name=queue.group(0), access_key_id="testid",
                                     access_key_secret="testsecret", token_endpoint=endpoint,
                                     queue_endpoint=endpoint, wait_seconds=0)  # fmt: skip
        with consumer:
            assert (
                consumer.poll() == 0
            ), "the banner's queue, endpoint and credentials work (the call is not over)"
        assert consumer.stats.errors == 0


def test_sdkgen_serve_on_a_busy_port() -> None:
    from dyvmsapi.testing import Emulator

    with Emulator() as emu:
        result = subprocess.run(
            [sys.executable, "-m", "generator", "serve", "--port", str(emu.port)],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=30,
        )  # fmt: skip
    assert result.returncode != 0 and "Traceback" not in result.stderr


def test_sdkgen_serve_forwards_the_emulator_s_settings() -> None:
    with served("--", "--latency", "0.4", "--seed", "7", "--strict", "--no-flow-limits") as (_, endpoint):
        with Client("testid", "testsecret", endpoint=endpoint) as client:
            began = time.monotonic()
            response = client.single_call_by_tts(called_number="13800000000", tts_code="TTS_10001")
            assert time.monotonic() - began >= 0.4, "--latency"
            for _ in range(2):  # the specs allow one call a minute to a number
                client.single_call_by_tts(called_number="13800000000", tts_code="TTS_10001")
        assert response.code == "OK"


def test_a_wrong_emulator_setting_is_a_usage_error() -> None:
    for wrong, words in ((["--latency", "-1"], "is not a number of seconds"), (["--max-conn", "x"], "invalid"),
                         (["--bogus"], "unrecognized arguments: --bogus")):  # fmt: skip
        result = subprocess.run(
            [sys.executable, "-m", "generator", "serve", "--port", "0", "--", *wrong],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        assert (
            result.returncode == 2 and words in result.stderr and "Traceback" not in result.stderr
        ), result.stderr
        assert "sdkgen serve" in result.stderr

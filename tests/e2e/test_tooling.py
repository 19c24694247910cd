"""The emulator as a tool: ``python -m dyvmsapi.testing``, ``serve()``, the pytest plugin, its
lifecycle (context manager, stop/start on the same port), and what it imports and shows."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from dyvmsapi import Client, ConnectionFailedError, RetryPolicy
from dyvmsapi.testing import Emulator, serve

ENDPOINT = re.compile(r"listening on (http://127\.0\.0\.1:(\d+))")


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}


def _place(endpoint: str, secret: str = "testsecret") -> str:
    with Client(endpoint=endpoint, access_key_id="testid", access_key_secret=secret) as client:
        call_id: str = client.single_call_by_tts(called_number="13800000000", tts_code="TTS_1").call_id
    return call_id


def test_python_m_dyvmsapi_testing() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "dyvmsapi.testing", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
    )  # fmt: skip
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        match = ENDPOINT.search(first)
        assert match, first
        rest = "".join(process.stdout.readline() for _ in range(5))
        assert "testid" in rest and "ALIBABA_CLOUD_ACCESS_KEY_ID=testid" in rest
        assert "^" in _place(match[1])
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


def test_the_command_line_refuses_a_busy_port_and_hides_a_given_secret() -> None:
    with Emulator() as emu:
        busy = subprocess.run(
            [sys.executable, "-m", "dyvmsapi.testing", "--port", str(emu.port)],
            capture_output=True, text=True, env=_env(), timeout=30,
        )  # fmt: skip
        assert busy.returncode == 1 and "cannot listen" in busy.stderr
    out = io.StringIO()
    stop = threading.Event()
    thread = threading.Thread(
        target=serve, args=(0,), kwargs={"access_key_secret": "my-own-secret", "out": out, "stop": stop}
    )
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not ENDPOINT.search(out.getvalue()) and time.monotonic() < deadline:
            time.sleep(0.01)
        match = ENDPOINT.search(out.getvalue())
        assert match
        assert "^" in _place(match[1], secret="my-own-secret")
    finally:
        stop.set()
        thread.join(timeout=5)
    assert not thread.is_alive()
    assert "my-own-secret" not in out.getvalue()


def test_the_pytest_plugin(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["dyvmsapi.testing.pytest_plugin"]\n')
    (tmp_path / "test_app.py").write_text(textwrap.dedent("""
            def notify(client, number):
                return client.single_call_by_tts(called_number=number, tts_code="TTS_1").call_id

            def test_notifies(emulator):
                with emulator.client() as client:
                    notify(client, "13800000000")
                assert emulator.calls[0].called_number == "13800000000"

            def test_fresh_for_each_test(emulator):
                assert emulator.calls == [] and emulator.running
            """))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True, text=True, cwd=tmp_path, env=_env(), timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:]
    assert "2 passed" in result.stdout


def test_importing_the_emulator_loads_neither_httpx_nor_pydantic() -> None:
    code = (
        "import sys; from dyvmsapi.testing import Emulator\n"
        "with Emulator() as emu: pass\n"
        "print(sorted(m for m in ('httpx', 'pydantic') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=_env())
    assert out.stdout.strip() == "[]"


def test_lifecycle() -> None:
    emu = Emulator()
    assert repr(emu) == "Emulator(stopped, access_key_id='testid')" and not emu.running
    emu.start()
    port = emu.port
    assert emu.endpoint == f"http://127.0.0.1:{port}" and emu.host == f"127.0.0.1:{port}"
    assert "testsecret" not in repr(emu) and "testtoken" not in repr(emu)
    client = emu.client(retry=RetryPolicy(max_attempts=1), timeout=(1.0, 5.0))
    try:
        client.cancel_call(call_id="x")  # a keep-alive connection is now in the client's pool
        emu.stop()
        with pytest.raises(ConnectionFailedError):
            client.cancel_call(call_id="x")  # the pooled connection was closed, the port refuses
        emu.start()
        assert emu.port == port
        assert client.cancel_call(call_id="x").status is False
    finally:
        client.close()
        emu.stop()
    assert [r.action for r in emu.requests] == ["CancelCall", "CancelCall"], "state survives a restart"
    with Emulator(port=port) as again:
        assert again.port == port

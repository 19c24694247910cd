"""Receipts in the TypeScript SDK (generated/typescript/src/receipts.ts): tolerant parsing, and a
push receiver served by Node on loopback that the Python emulator pushes to, with its retries.

The Node side is tests/typescript/receipts.test.mjs; this file compiles the package (as
test_typescript_sdk.py does) and runs it with a control URL that drives the emulator: where to
push, placing a call with the Python client, advancing the clock and delivering what is due.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from ts_support import HERE, NODE, PACKAGE, ROOT, TSC, Control, emulator_with_control, tsc

pytestmark = pytest.mark.skipif(
    NODE is None or not TSC.exists() or not (PACKAGE / "src" / "receipts.ts").exists(),
    reason="needs node, `npm ci --prefix tests/node` and generated/typescript with receipts",
)


class _Control(Control):
    """What receipts.test.mjs asks of the emulator: GET /push_to?url=&type=, /call, /advance?seconds=."""

    def do_GET(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        emu = self.emulator
        if url.path == "/push_to":
            emu.push_to(query["url"], query["type"])
            self.answer(True)
        elif url.path == "/call":
            with emu.client() as client:
                call = client.single_call_by_tts(
                    called_number="15900000000", tts_code="TTS_1", out_id="order-7"
                )
            self.answer(call.call_id)
        elif url.path == "/advance":
            emu.clock.advance(float(query["seconds"]))
            attempts = emu.deliver_receipts()
            self.answer([{"attempt": a.attempt, "status": a.status, "delivered": a.delivered,
                           "receipts": a.receipts} for a in attempts])  # fmt: skip
        else:
            self.send_error(404)


@pytest.fixture(scope="module")
def emulator() -> Iterator[tuple[Any, str]]:
    with emulator_with_control(_Control) as running:
        yield running


def test_receipts_parse_tolerantly_and_pushes_reach_the_handler_once(
    emulator: tuple[Any, str], tmp_path: Path
) -> None:
    emu, control = emulator
    out = tmp_path / "dist"
    compiled = tsc("--outDir", str(out))
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    (out / "package.json").write_text('{"type": "module"}\n')
    assert NODE is not None
    result = subprocess.run(
        [NODE, "--test", "--test-reporter=spec", str(HERE / "receipts.test.mjs")],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "SDK_DIST": str(out / "index.js"), "CONTROL_URL": control},
        cwd=ROOT,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert "fail 0" in output, output[-3000:]
    assert emu.errors == [], "the emulator failed while answering"

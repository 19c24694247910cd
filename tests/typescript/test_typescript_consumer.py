"""The TypeScript SDK's pull consumer of receipts (generated/typescript/src/runtime/consumer.ts)
against the Python emulator's token action and queues; and the receipts page's two TypeScript
samples (samples/typescript/receipts/), run as a reader runs them against an emulator.

The Node side is tests/typescript/consumer.test.mjs; this file compiles the package and runs it
with a control URL through which it drives the emulator: placing calls with the Python client,
moving the emulator's clock, expiring tokens, and reading what the emulator saw.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ts_support import (
    HERE,
    NODE,
    PACKAGE,
    ROOT,
    TSC,
    Control,
    compile_package,
    emulator_with_control,
    install_package,
)

from generator.output.generate import load_checked, render_all

SAMPLES = ROOT / "generated" / "samples" / "typescript" / "receipts"
TOKEN_ACTION = "QueryTokenForMnsQueue"

pytestmark = pytest.mark.skipif(
    NODE is None or not TSC.exists() or not (PACKAGE / "src" / "receipts.ts").exists(),
    reason="needs node, `npm ci --prefix tests/node` and generated/typescript with receipts",
)


class _Control(Control):
    """What consumer.test.mjs asks of the emulator (GET, answers JSON):

    /options?type=  the consumer's settings for the emulated queue, and the emulator's clock;
    /call?number=   a call placed with the Python client (its CallId);
    /advance?seconds=, /expire_tokens, /queued?type=;
    /tokens         the temporary credentials handed out (secrets the Node side must never show);
    /seen           the token requests' MessageType and the queue requests' statuses.
    """

    def do_GET(self) -> None:  # noqa: N802
        path, query = self.query()
        emu = self.emulator
        if path == "/options":
            options = emu.receipt_options(query["type"])
            del options["clock"]
            self.answer({**options, "now": emu.clock.now()})
        elif path == "/call":
            with emu.client() as client:
                call = client.single_call_by_tts(
                    called_number=query["number"], tts_code="TTS_1", out_id="order-7"
                )
            self.answer(call.call_id)
        elif path == "/advance":
            emu.clock.advance(float(query["seconds"]))
            self.answer(emu.clock.now())
        elif path == "/expire_tokens":
            emu.expire_tokens()
            self.answer(True)
        elif path == "/queued":
            self.answer(emu.queued(query["type"]))
        elif path == "/tokens":
            tokens = emu._queues._tokens.values()  # the emulator's own record of what it issued
            self.answer([[t.access_key_secret, t.security_token] for t in tokens])
        elif path == "/seen":
            requests = emu.requests
            tokens = [r.params.get("MessageType") for r in requests if r.action == TOKEN_ACTION]
            queue = [r.status for r in requests if r.path.startswith("/queues/")]
            self.answer({"tokens": tokens, "queue": queue})
        else:
            self.send_error(404)


@pytest.fixture(scope="module")
def emulator() -> Iterator[tuple[Any, str]]:
    with emulator_with_control(_Control) as running:
        yield running


def test_the_consumer_against_the_emulator(emulator: tuple[Any, str], tmp_path: Path) -> None:
    emu, control = emulator
    index = compile_package(tmp_path / "dist")
    assert NODE is not None
    result = subprocess.run(
        [NODE, "--test", "--test-reporter=spec", str(HERE / "consumer.test.mjs")],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "SDK_DIST": str(index), "CONTROL_URL": control},
        cwd=ROOT,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-8000:]
    assert "fail 0" in output, output[-3000:]
    assert emu.errors == [], "the emulator failed while answering"


# -- the receipts page's samples -----------------------------------------------------------------


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The samples compiled beside the package installed where Node finds it."""
    root = tmp_path_factory.mktemp("ts-receipt-samples")
    install_package(root, SAMPLES)
    return root / "out"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _environ(emu: Any) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("ALIBABA_CLOUD_", "DYVMSAPI_"))}
    return environ | {"ALIBABA_CLOUD_ACCESS_KEY_ID": emu.access_key_id,
                      "ALIBABA_CLOUD_ACCESS_KEY_SECRET": emu.access_key_secret}  # fmt: skip


def _run_sample(emu: Any, command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Runs a sample; once its call reached the emulator, the call is played out on the clock."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=_environ(emu), cwd=cwd)  # fmt: skip
    deadline = time.monotonic() + 60
    while not any(r.action == "SingleCallByTts" for r in emu.requests) and process.poll() is None:
        assert time.monotonic() < deadline, "the sample placed no call"
        time.sleep(0.05)
    emu.clock.advance(600)  # ten minutes later, the call is over
    stdout, stderr = process.communicate(timeout=60)
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def test_the_pull_sample_places_a_call_and_prints_its_receipt(samples: Path) -> None:
    from dyvmsapi.testing import Emulator

    assert NODE is not None
    with Emulator(flow_limits=()) as emu:
        queue = emu.queue_name("VoiceReport")
        result = _run_sample(emu, [NODE, str(samples / "pull.js"), queue, emu.endpoint], samples.parent)
        assert emu.queued("VoiceReport") == 0, "handled, so deleted"
        assert emu.errors == []
    assert result.returncode == 0 and result.stderr == "", result.stdout + result.stderr
    sent, received = result.stdout.splitlines()
    call_id = sent.removeprefix("singleCallByTts: ")
    assert call_id != sent and received == f"VoiceReport {call_id} statusCode=200000"


def test_the_push_sample_serves_the_receiver_the_emulator_pushes_to(samples: Path) -> None:
    from dyvmsapi.testing import Emulator

    assert NODE is not None
    port = _free_port()
    with Emulator(flow_limits=()) as emu:
        emu.push_to(f"http://127.0.0.1:{port}/receipts", "VoiceReport")
        result = _run_sample(emu, [NODE, str(samples / "push.js"), str(port), emu.endpoint], samples.parent)
        assert emu.errors == []
    assert result.returncode == 0 and result.stderr == "", result.stdout + result.stderr
    sent, received = result.stdout.splitlines()
    call_id = sent.removeprefix("singleCallByTts: ")
    assert call_id != sent and received == f"VoiceReport {call_id} statusCode=200000"


def test_the_samples_are_the_pages(samples: Path) -> None:
    """The receipts page embeds both samples byte for byte."""
    page = (ROOT / "generated" / "docs" / "receipts.md").read_text(encoding="utf-8")
    for name in ("pull", "push"):
        source = (SAMPLES / f"{name}.ts").read_text(encoding="utf-8")
        assert f"```typescript\n{source}```" in page, name
    assert json.loads((samples.parent / "package.json").read_text()) == {"type": "module"}


@pytest.mark.parametrize("fixture", ["kvstore", "mini"])
def test_other_products_generate_and_compile(fixture: str, tmp_path: Path) -> None:
    """Nothing of this product is in the runtime or the templates: the kvstore fixture (other
    receipts, another token action and queue) and mini (no receipts) with a TypeScript target."""
    specs = tmp_path / "specs"
    shutil.copytree(ROOT / "tests/fixtures/specs" / fixture, specs)
    product = specs / "product.yaml"
    text = product.read_text(encoding="utf-8")
    python = next(line + "\n" for line in text.splitlines() if line.startswith("    python:"))
    product.write_text(
        text.replace(
            python, python + f"    typescript: {{package: {fixture}, distribution: {fixture}-sdk}}\n"
        )
    )
    out = tmp_path / "out"
    for path, content in render_all(load_checked(specs), ROOT / "templates").items():
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_text(content, encoding="utf-8")
    receipts = out / "typescript/src/receipts.ts"
    assert receipts.exists() == (fixture == "kvstore")
    if fixture == "kvstore":
        source = receipts.read_text(encoding="utf-8")
        assert 'tokenAction: "IssueQueueToken"' in source and "maxBatch: 8," in source
        assert {p.name for p in (out / "samples/typescript/receipts").iterdir()} == {"pull.ts", "push.ts"}
    install_package(tmp_path / "installed", out / "samples/typescript", out / "typescript")  # asserts

"""Every TypeScript sample under generated/samples/typescript type-checks strictly and runs, as a
reader would run it, against the emulator: the package installed where Node finds it, the
credentials and the endpoint from the environment only. Each must exit 0, print nothing on
stderr, and send the request its action's page shows (the same parameters as the Python sample)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from dyvmsapi.testing import Emulator
from ts_support import NODE, ROOT, TSC, install_package

from generator.frontend.pipeline import load_api
from generator.targets.common import wire as _wire
from generator.targets.typescript import naming

SAMPLES = ROOT / "generated" / "samples" / "typescript"
API = load_api(ROOT / "specs")
ACTIONS = {f"{naming.method(a.name)}.ts": a for a in API.actions}

pytestmark = pytest.mark.skipif(
    NODE is None or not TSC.exists() or not SAMPLES.exists(),
    reason="needs node, `npm ci --prefix tests/node` and generated/samples/typescript",
)


def _run(*command: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=180, cwd=cwd, env=env)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder where ``import ... from "<the package>"`` resolves: the package built into its
    node_modules, and the samples compiled beside it with the same strict settings."""
    root = tmp_path_factory.mktemp("ts-samples")
    install_package(root, SAMPLES)
    return root


def test_every_action_has_a_typescript_sample() -> None:
    assert set(ACTIONS) == {p.name for p in SAMPLES.glob("*.ts")}


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_sample_runs_against_the_emulator(compiled: Path, name: str) -> None:
    action = ACTIONS[name]
    assert NODE is not None
    with Emulator(flow_limits=()) as emu:
        environ = {k: v for k, v in os.environ.items() if not k.startswith(("ALIBABA_CLOUD_", "DYVMSAPI_"))}
        environ |= {"DYVMSAPI_ENDPOINT": emu.endpoint, "ALIBABA_CLOUD_ACCESS_KEY_ID": emu.access_key_id,
                    "ALIBABA_CLOUD_ACCESS_KEY_SECRET": emu.access_key_secret}  # fmt: skip
        result = _run(NODE, str(compiled / "out" / name.replace(".ts", ".js")), cwd=compiled, env=environ)
        assert result.returncode == 0 and result.stderr == "", result.stdout + result.stderr
        [request] = emu.requests
        assert emu.errors == []
    assert (request.action, request.code) == (action.name, "OK")
    assert json.loads(result.stdout)["code"] == "OK"
    shown = dict(_wire.example_pairs(action))
    assert dict(request.query) == shown, "the request the action's page shows"

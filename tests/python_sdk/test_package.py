"""The generated package as users get it: typed, with a pinned public surface, installable
from its wheel into a fresh environment, where its README's quick start places a call."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import venv
from pathlib import Path

import pytest

import dyvmsapi
from loopback import Loopback

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "generated/python"


def test_public_names_are_pinned() -> None:
    assert dyvmsapi.__all__ == sorted(dyvmsapi.__all__) and all(isinstance(n, str) for n in dyvmsapi.__all__)
    core = {"AsyncClient", "Client", "ClientError", "ConnectionFailedError", "Credentials", "CredentialsError",
            "DyvmsapiError", "InvalidArgumentError", "InvalidResponseError", "NetworkError", "RawResponse",
            "RequestTimeoutError", "RetryPolicy",
            "ServerError", "ThrottlingError", "__version__", "error_class"}  # fmt: skip
    per_code = {n for n in dyvmsapi.__all__ if n.endswith("Error")} - core
    assert set(dyvmsapi.__all__) == core | per_code
    from generator.frontend.pipeline import load_api

    with_class = [e for e in load_api(ROOT / "specs").errors if e.exception is not None]
    assert len(per_code) == len(with_class) == 46, "one class per error code of the specs (OK has none)"
    for name in dyvmsapi.__all__:
        assert getattr(dyvmsapi, name) is not None
    namespace: dict[str, object] = {}
    exec("from dyvmsapi import *", namespace)  # noqa: S102 - the star import users may write
    assert set(dyvmsapi.__all__) - {"__version__"} <= namespace.keys()


def test_import_is_lazy() -> None:
    code = "import sys, dyvmsapi; print(sorted(m for m in ('httpx', 'pydantic') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", "importing the package loads neither httpx nor pydantic"
    code = "import sys, dyvmsapi.models as m; m.CancelCallRequest; print(sorted(k for k in sys.modules if k.startswith('dyvmsapi.models.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['dyvmsapi.models.cancel_call']", "one action's models load alone"


def test_mypy_strict() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "src/dyvmsapi"], cwd=PACKAGE, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_black_formatted() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "black", "--check", "--quiet", "--line-length", "110", "src"], cwd=PACKAGE,
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--dist", str(dist)], cwd=ROOT, capture_output=True,
        text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "metadata: OK" in result.stdout
    (found,) = dist.glob("*.whl")
    return found


def test_wheel_installs_and_the_quick_start_places_a_call(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], capture_output=True,
                             text=True, timeout=600)  # fmt: skip
    assert install.returncode == 0, install.stderr[-3000:]
    listed = subprocess.run([str(python), "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True)
    names = {line.split("==")[0].lower() for line in listed.stdout.splitlines()}
    assert {"dyvmsapi", "httpx", "pydantic"} <= names

    readme = (PACKAGE / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1]
    code = re.search(r"```python\n(.*?)```", quick, re.S)
    assert code is not None
    assert len(code.group(1).strip().splitlines()) <= 5
    with Loopback() as server:
        env = {**os.environ, "ALIBABA_CLOUD_ACCESS_KEY_ID": "testid", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "testsecret",
               "DYVMSAPI_ENDPOINT": server.endpoint}  # fmt: skip
        env.pop("PYTHONPATH", None)
        run = subprocess.run([str(python), "-c", code.group(1)], capture_output=True, text=True, env=env,
                             cwd=tmp_path, timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "call-1"
    (received,) = server.received
    assert received.action == "SingleCallByTts" and received.signature_ok

"""The lint set stays at zero on generator/ and the runtime the packages copy: ruff (the rules of
pyproject.toml), black --check and mypy --strict. Fix the cause; a silenced finding is a defect."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CODE = ["generator", "templates/python/runtime"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize(
    "command",
    [
        ("ruff", "check", "--no-cache", "--output-format", "concise", *CODE),
        ("black", "--check", "--quiet", *CODE),
        ("mypy", "--strict", "--no-incremental", "generator"),
    ],
    ids=["ruff", "black", "mypy"],
)
def test_lint_is_at_zero(command: tuple[str, ...]) -> None:
    result = run(*command)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]

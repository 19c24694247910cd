"""Semantic checks that a diagnostics fixture cannot express: time bounds, a missing folder, and
the one regex dialect shared by ``sdkgen validate``, the SDK (pydantic) and the emulator."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated

import pytest
from pydantic import StringConstraints, TypeAdapter, ValidationError

from spec_edits import ROOT, apply_edits

from generator.frontend.patterns import matches, pattern_error

HOSTILE = "^(a+)+$"
HOSTILE_INPUT = "a" * 30 + "!"


def run_validate(cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", "validate", "--specs", "specs"],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=timeout,
    )


def test_a_backtracking_pattern_does_not_stall_validate(tmp_path: Path) -> None:
    """Python ``re`` takes tens of seconds on this example; the Rust engine is linear."""
    edits = [
        {
            "file": "actions/GetCall.yaml",
            "old": "constraints: {min_length: 1, max_length: 64}\n    example: c-1\n",
            "new": f'constraints: {{pattern: "{HOSTILE}"}}\n    example: "{HOSTILE_INPUT}"\n',
        }
    ]
    apply_edits({"base": "mini", "edits": edits}, tmp_path / "specs")
    start = time.monotonic()
    result = run_validate(tmp_path, timeout=20)
    elapsed = time.monotonic() - start
    assert result.returncode == 2, result.stderr
    assert "error[example-violates-constraints]" in result.stderr
    assert f"does not match pattern '{HOSTILE}'" in result.stderr
    print(f"validate with {HOSTILE} on {HOSTILE_INPUT!r}: {elapsed:.2f} s")


def test_the_check_stage_uses_pydantics_rust_engine() -> None:
    sdk = TypeAdapter(Annotated[str, StringConstraints(pattern=HOSTILE)])
    start = time.monotonic()
    assert not matches(HOSTILE, HOSTILE_INPUT)
    with pytest.raises(ValidationError):
        sdk.validate_python(HOSTILE_INPUT)
    assert time.monotonic() - start < 5
    # search semantics unless anchored, as pydantic decides it
    assert matches("TTS_", "xTTS_1") and not matches("^TTS_", "xTTS_1")
    for pattern, value in [("TTS_", "xTTS_1"), ("^TTS_", "xTTS_1"), (r"^\d{5,16}$", "13800000000")]:
        by_sdk = TypeAdapter(Annotated[str, StringConstraints(pattern=pattern)])
        try:
            by_sdk.validate_python(value)
            sdk_ok = True
        except ValidationError:
            sdk_ok = False
        assert matches(pattern, value) is sdk_ok


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"(a)\1", "backreferences are not supported"),
        (r"^Missing(?=[A-Z])", "look-around"),
        (r"(?<!x)a", "look-around"),
        ("^TTS_(", "unclosed group"),
        ("a{99999999}", "size limit"),
    ],
)
def test_patterns_the_sdk_cannot_compile_are_refused(pattern: str, reason: str) -> None:
    problem = pattern_error(pattern)
    assert problem is not None and reason in problem
    assert "\n" not in problem


def test_the_sdk_and_the_emulator_match_with_the_same_engine() -> None:
    from dyvmsapi import _pattern
    from dyvmsapi.testing import _schema

    for search in (_pattern.search, _schema._search):
        start = time.monotonic()
        assert search(HOSTILE, HOSTILE_INPUT) is False
        assert time.monotonic() - start < 5
        assert search("TTS_", "xTTS_1") is True
        assert search("^TTS_", "xTTS_1") is False
    for runtime in ("_model.py", "testing/_schema.py"):
        assert "re.search" not in (ROOT / "templates/python/runtime" / runtime).read_text(encoding="utf-8")


def test_no_actions_folder_at_all(tmp_path: Path) -> None:
    apply_edits({"base": "mini", "edits": []}, tmp_path / "specs")
    shutil.rmtree(tmp_path / "specs/actions")
    result = run_validate(tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == (
        "specs/actions:1:1: error[no-actions] the specs declare no action; at least one is needed"
    )


def test_actions_that_fail_to_parse_are_not_reported_as_missing(tmp_path: Path) -> None:
    edits = [
        {"file": "actions/PlayTts.yaml", "delete": True},
        {"file": "actions/GetCall.yaml", "old": "idempotent: true", "new": "idempotent: maybe"},
    ]
    apply_edits({"base": "mini", "edits": edits}, tmp_path / "specs")
    result = run_validate(tmp_path)
    assert result.returncode == 2
    assert "no-actions" not in result.stderr


def test_the_real_specs_pass_every_new_rule(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "specs", tmp_path / "specs")
    result = run_validate(tmp_path)
    assert result.returncode == 0, result.stderr


def test_frontend_matches_no_spec_pattern_with_python_re() -> None:
    for path in (ROOT / "generator/frontend").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "re.search(" not in text, path
        assert "re.fullmatch(c." not in text, path

"""Every kind of spec defect gives exit 2 and an exact, located report, never a traceback.

One folder per defect under tests/fixtures/diagnostics/: ``edits.yaml`` breaks a copy of a valid
spec tree, ``expected.txt`` is the exact report. After an intended change of wording, refresh the
reports with ``SDKGEN_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_diagnostics.py``
and review the diff.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from spec_edits import ROOT, apply_edits, load_fixture

FIXTURES = ROOT / "tests/fixtures/diagnostics"
CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "edits.yaml").is_file())
UPDATE = os.environ.get("SDKGEN_UPDATE_SNAPSHOTS") == "1"


def run_validate(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", "validate", "--specs", "specs"],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
    )


@pytest.mark.parametrize("case", CASES)
def test_defect_is_reported_exactly(case: str, tmp_path: Path) -> None:
    folder = FIXTURES / case
    apply_edits(load_fixture(folder), tmp_path / "specs")
    result = run_validate(tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    expected_file = folder / "expected.txt"
    if UPDATE:
        expected_file.write_text(result.stderr, encoding="utf-8")
    assert result.stderr == expected_file.read_text(encoding="utf-8")
    if case != "many-at-once":
        code = case.split("--")[0]  # <code>--<variant>: one code, several fixtures
        assert f"error[{code}]" in result.stderr, "each fixture shows the defect it is named after"


def test_every_diagnostic_code_has_a_fixture() -> None:
    from generator.frontend.diagnostics import Code

    assert {c.value for c in Code} - {case.split("--")[0] for case in CASES} == {"duplicate-key", "duplicate-field", "duplicate-struct",
                                                     # need a filesystem set-up (links, FIFOs, sockets, sizes,
                                                     # permissions) that edits.yaml cannot make: tested in
                                                     # tests/test_load_hostile.py
                                                     "not-a-regular-file", "broken-symlink", "outside-specs",
                                                     "unreadable-file", "file-too-large",
                                                     # about an api-docs.json, not the specs: tested in
                                                     # tests/test_import.py
                                                     "import-not-json", "import-not-api-docs",
                                                     "import-unknown-type", "import-unresolved-ref",
                                                     "import-limit"}


def test_the_base_fixture_is_valid(tmp_path: Path) -> None:
    apply_edits({"base": "mini", "edits": []}, tmp_path / "specs")
    result = run_validate(tmp_path)
    assert result.returncode == 0, result.stderr

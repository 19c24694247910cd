"""``sdkgen diff``: one fixture per kind of change, each classified exactly.

A folder under tests/fixtures/diff/ holds ``edits.yaml``: a base spec tree (tests/spec_edits.py),
``setup`` edits applied to both trees, and ``edits`` applied to NEW only; ``expected.txt`` is the
exact text report of ``sdkgen diff old new``. A folder named after a change code must produce that
code. After an intended change of wording, refresh the reports and review the diff:

    SDKGEN_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_diff.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from generator.release.changes import KINDS, ChangeCode, Kind
from generator.cli import main
from spec_edits import ROOT, apply_edits, load_fixture

FIXTURES = ROOT / "tests/fixtures/diff"
CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "edits.yaml").is_file())
UPDATE = os.environ.get("SDKGEN_UPDATE_SNAPSHOTS") == "1"


def make_pair(fixture: dict[str, Any], where: Path) -> None:
    setup = fixture.get("setup", [])
    apply_edits({"base": fixture["base"], "edits": setup}, where / "old")
    apply_edits({"base": fixture["base"], "edits": setup + fixture["edits"]}, where / "new")


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("case", CASES)
def test_change_is_classified(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    folder = FIXTURES / case
    make_pair(load_fixture(folder), tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["diff", "old", "new", "--format", "json"], capsys)
    report = json.loads(out)
    codes = {c["code"] for c in report["changes"]}
    if case in {c.value for c in ChangeCode}:
        assert case in codes, f"the fixture shows the change it is named after: {sorted(codes)}"
    breaking = report["counts"]["breaking"] > 0
    assert code == (1 if breaking else 0), err
    assert ("error: a breaking change needs a major version bump" in err) == breaking
    assert all(c["kind"] == KINDS[ChangeCode(c["code"])].value for c in report["changes"])

    code_text, text, _ = run(["diff", "old", "new"], capsys)
    assert code_text == code
    expected = folder / "expected.txt"
    if UPDATE:
        expected.write_text(text, encoding="utf-8")
    assert text == expected.read_text(encoding="utf-8")


def test_every_change_code_has_a_fixture() -> None:
    assert {c.value for c in ChangeCode} <= set(CASES)


def test_every_code_has_one_kind() -> None:
    assert set(KINDS) == set(ChangeCode)
    assert {KINDS[ChangeCode.action_removed], KINDS[ChangeCode.parameter_added]} == {
        Kind.breaking,
        Kind.feature,
    }


def test_a_rename_is_a_breaking_removal_with_a_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    make_pair(load_fixture(FIXTURES / "parameter-renamed"), tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["diff", "old", "new", "--format", "json"], capsys)
    changes = {c["code"]: c for c in json.loads(out)["changes"]}
    assert code == 1
    assert changes["parameter-removed"]["note"] == "likely renamed to PlayCount: same type and description"
    assert changes["parameter-added"]["note"] == "likely renamed from PlayTimes: same type and description"


def test_optional_parameter_is_a_minor_bump(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    make_pair(load_fixture(FIXTURES / "parameter-added"), tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["diff", "old", "new", "--format", "json"], capsys)
    report = json.loads(out)
    assert code == 0
    assert report["bump"] == "minor" and report["suggested_version"] == "0.2.0"
    assert [(c["kind"], c["code"], c["path"]) for c in report["changes"]] == [
        ("feature", "parameter-added", "PlayTts.Volume")
    ]

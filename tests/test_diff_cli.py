"""``sdkgen diff`` as users run it: on the real specs, against a git ref, in three formats, and
with every usage mistake giving exit 2 and a message instead of a traceback.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.frontend import ir
from generator.frontend.pipeline import load_api
from generator.release.semver import Version
from generator.release import diff, diff_constraints, diff_fields, diff_pagination
from generator.cli import main
from spec_edits import ROOT, apply_edits, load_fixture

UPDATE = os.environ.get("SDKGEN_UPDATE_SNAPSHOTS") == "1"
MIXED = ROOT / "tests/fixtures/diff/mixed"


def sdkgen(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd, capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip


def git(cwd: Path, *args: str) -> None:
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main"]
    subprocess.run(["git", *identity, *args], cwd=cwd, check=True, capture_output=True)


def test_removing_click_to_dial_is_breaking(tmp_path: Path) -> None:
    """The issue's first "done when": exit 1, and a line saying the action was removed, breaking."""
    shutil.copytree(ROOT / "specs", tmp_path / "specs", ignore=shutil.ignore_patterns(".release", "schema"))
    (tmp_path / "specs/actions/ClickToDial.yaml").unlink()
    result = sdkgen("diff", str(ROOT / "specs"), "specs", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "breaking[action-removed] ClickToDial: action ClickToDial was removed\n" in result.stdout
    # whatever version the specs are at: the test must survive a legitimate `sdkgen release`
    current = Version.parse(load_api(ROOT / "specs").product.sdk_version)
    major = f"{current.major + 1}.0.0"
    assert f"suggested bump: major ({current} → {major})" in result.stdout
    assert (
        f"error: a breaking change needs a major version bump: sdk.version is {current}, expected {major}"
        in result.stderr
    )

    product = tmp_path / "specs/product.yaml"
    product.write_text(product.read_text().replace(f"version: {current}", f"version: {major}"))
    bumped = sdkgen("diff", str(ROOT / "specs"), "specs", cwd=tmp_path)
    assert bumped.returncode == 0, "a major bump honours the breaking change"
    assert "breaking[action-removed] ClickToDial" in bumped.stdout and bumped.stderr == ""


def test_the_specs_are_compatible_with_the_last_release() -> None:
    """CI: the working specs against the recorded baseline (specs/.release/baseline)."""
    result = sdkgen("diff", cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("specs/.release/baseline (")


def test_base_compares_with_a_git_commit(tmp_path: Path) -> None:
    apply_edits({"base": "mini", "edits": []}, tmp_path / "specs")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "specs")
    git(tmp_path, "commit", "-q", "-m", "specs")
    (tmp_path / "specs/actions/GetCall.yaml").unlink()
    result = sdkgen("diff", "--base", "HEAD", "--specs", "specs", "--format", "markdown", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "`HEAD:specs` (0.1.0) → `specs` (0.1.0)" in result.stdout
    assert "| action GetCall was removed | `GetCall` | `action-removed` |" in result.stdout
    assert (tmp_path / "specs/actions/PlayTts.yaml").exists(), "the working tree is left alone"

    unknown = sdkgen("diff", "--base", "no-such-branch", "--specs", "specs", cwd=tmp_path)
    assert unknown.returncode == 2 and "unknown git ref 'no-such-branch'" in unknown.stderr

    (tmp_path / "specs/actions/PlayTts.yaml").write_text("action: [\n")
    git(tmp_path, "add", "-A", "specs")
    git(tmp_path, "commit", "-q", "-m", "broken")
    broken = sdkgen("diff", "--base", "HEAD", "--specs", "specs", cwd=tmp_path)
    assert broken.returncode == 2 and "Traceback" not in broken.stderr
    assert "HEAD:specs/actions/PlayTts.yaml:2:1: error[yaml-syntax]" in broken.stderr


def test_base_outside_git_or_without_specs(tmp_path: Path) -> None:
    apply_edits({"base": "mini", "edits": []}, tmp_path / "specs")
    outside = sdkgen("diff", "--base", "HEAD", "--specs", "specs", cwd=tmp_path)
    assert outside.returncode == 2 and "is not inside a git work tree" in outside.stderr
    git(tmp_path, "init", "-q")
    (tmp_path / "README").write_text("x\n")
    git(tmp_path, "add", "README")
    git(tmp_path, "commit", "-q", "-m", "no specs yet")
    missing = sdkgen("diff", "--base", "HEAD", "--specs", "specs", cwd=tmp_path)
    assert missing.returncode == 2 and "specs/ does not exist at HEAD" in missing.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["diff", "old"], "give two spec trees"),
        (["diff", "--base", "HEAD", "old", "new"], "with --base, give at most one tree"),
        (["diff"], "no release is recorded in specs/.release/baseline"),
    ],
)
def test_usage_mistakes_exit_2(args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_invalid_specs_exit_2_with_diagnostics(tmp_path: Path) -> None:
    apply_edits({"base": "mini", "edits": []}, tmp_path / "old")
    typo = {"file": "actions/GetCall.yaml", "old": "type: int64", "new": "type: int65"}
    apply_edits({"base": "mini", "edits": [typo]}, tmp_path / "new")
    result = sdkgen("diff", "old", "new", cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == "" and "Traceback" not in result.stderr
    assert "new/actions/GetCall.yaml:" in result.stderr and "error[unknown-type]" in result.stderr


@pytest.mark.parametrize("fmt, suffix", [("markdown", "md"), ("json", "json")])
def test_formats_snapshot(fmt: str, suffix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                          capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    fixture = load_fixture(MIXED)
    apply_edits({"base": "mini", "edits": []}, tmp_path / "old")
    apply_edits(fixture, tmp_path / "new")
    monkeypatch.chdir(tmp_path)
    assert main(["diff", "old", "new", "--format", fmt]) == 1
    out = capsys.readouterr().out
    expected = MIXED / f"expected.{suffix}"
    if UPDATE:
        expected.write_text(out, encoding="utf-8")
    assert out == expected.read_text(encoding="utf-8")


def test_json_schema_is_stable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    apply_edits({"base": "mini", "edits": []}, tmp_path / "old")
    apply_edits(load_fixture(MIXED), tmp_path / "new")
    monkeypatch.chdir(tmp_path)
    main(["diff", "old", "new", "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    assert list(document) == [
        "schema",
        "old",
        "new",
        "bump",
        "suggested_version",
        "version_ok",
        "counts",
        "changes",
    ]
    assert document["schema"] == "sdkgen-diff/1"
    assert all(list(c) == ["kind", "code", "path", "action", "message", "old", "new", "note"]
               for c in document["changes"])  # fmt: skip


def test_every_ir_attribute_is_compared() -> None:
    """A new IR attribute fails here until diff.py / diff_fields.py compare it (or say why not)."""

    def names(cls: type) -> set[str]:
        return {f.name for f in dataclasses.fields(cls)}

    assert names(ir.Field) == diff_fields.FIELD_ATTRIBUTES | diff_fields.FIELD_DERIVED
    assert names(ir.Action) == diff.ACTION_ATTRIBUTES | diff.ACTION_DERIVED
    assert names(ir.ErrorCode) == diff.ERROR_ATTRIBUTES | diff.ERROR_DERIVED
    assert names(ir.Product) == diff.PRODUCT_ATTRIBUTES | diff.PRODUCT_DERIVED
    assert names(ir.Api) == {"product", "actions", "errors", "changelog"}
    assert names(ir.Constraints) == {*diff_constraints.BOUNDS, "pattern", "enum"}
    # compared whole or attribute by attribute in diff.py / diff_fields.py:
    assert names(ir.Struct) == {"name", "words", "description", "fields", "where"}  # words, where: derived
    assert names(ir.Response) == {"fields", "example_json", "example_xml"}
    assert names(ir.Condition) == {"parameter", "present", "equals", "pattern", "enforced", "note"}
    assert names(ir.EnumValue) == {"value", "description"}
    assert names(ir.Endpoints) == {"default", "vpc", "regional"}
    assert names(ir.Package) == {"target", "package", "distribution", "requires", "places"}  # places: positions
    assert names(ir.Pagination) == diff_pagination.COMPARED | diff_pagination.DERIVED
    assert names(ir.PageNumbers) == {"parameter", "first"} and names(ir.Tokens) == {"parameter", "next"}

"""Curated specs over imported ones: the curated layer wins key by key, positions point at the
file a value came from, and a re-import (which rewrites only specs/imported/) keeps curation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.cli import main
from generator.frontend import ir
from generator.frontend.pipeline import load_api
from generator.release import release

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests/fixtures/specs/mini"


def layered(tmp_path: Path) -> Path:
    """mini's GetCall moved to the imported layer (Chinese only), PlayTts left curated."""
    specs = tmp_path / "specs"
    shutil.copytree(MINI, specs)
    (specs / "imported/actions").mkdir(parents=True)
    text = (specs / "actions/GetCall.yaml").read_text(encoding="utf-8")
    text = text.replace(", en: Look up a call.", "").replace(", en: The call id.", "")
    (specs / "imported/actions/GetCall.yaml").write_text(text, encoding="utf-8")
    (specs / "actions/GetCall.yaml").unlink()
    return specs


def test_an_imported_action_without_curation_is_used_as_imported(tmp_path: Path) -> None:
    api = load_api(layered(tmp_path))
    assert [a.name for a in api.actions] == ["GetCall", "PlayTts"]
    get_call = api.actions[0]
    assert get_call.where.path.endswith("imported/actions/GetCall.yaml")


def test_a_curated_overlay_wins_key_by_key(tmp_path: Path) -> None:
    specs = layered(tmp_path)
    before = load_api(specs).actions[0]
    (specs / "actions/GetCall.yaml").write_text(
        "action: GetCall\n"
        "summary: {en: Look up one call.}\n"
        "parameters:\n  CallId:\n    description: {en: The call's id.}\n",
        encoding="utf-8",
    )
    after = load_api(specs).actions[0]
    assert before.summary == ir.Text(zh="查询通话。", en="")
    assert after.summary == ir.Text(zh="查询通话。", en="Look up one call."), "English added, Chinese kept"
    call_id = next(f for f in after.parameters if f.wire_name == "CallId")
    assert call_id.description == ir.Text(zh="呼叫ID。", en="The call's id.")
    assert [f.wire_name for f in after.parameters] == [f.wire_name for f in before.parameters]
    assert call_id.type == next(f for f in before.parameters if f.wire_name == "CallId").type, "kept from below"
    assert call_id.where.path.endswith("specs/actions/GetCall.yaml")
    other = next(f for f in after.parameters if f.wire_name != "CallId")
    assert other.where.path.endswith("imported/actions/GetCall.yaml"), "positions follow their file"


def test_diagnostics_point_at_the_layer_the_value_came_from(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    specs = layered(tmp_path)
    imported = specs / "imported/actions/GetCall.yaml"
    imported.write_text(imported.read_text(encoding="utf-8").replace("type: string", "type: strin", 1), "utf-8")
    (specs / "actions/GetCall.yaml").write_text("action: GetCall\nidempotent: true\n", encoding="utf-8")
    assert main(["validate", "--specs", str(specs)]) == 2
    err = capsys.readouterr().err
    assert "specs/imported/actions/GetCall.yaml:9:11: error[unknown-type]" in err, err
    (specs / "actions/GetCall.yaml").write_text("action: GetCall\nidempotent: maybe\n", encoding="utf-8")
    assert main(["validate", "--specs", str(specs)]) == 2
    assert "specs/actions/GetCall.yaml:2:13: error[wrong-type]" in capsys.readouterr().err


def test_a_release_baseline_records_both_layers(tmp_path: Path) -> None:
    specs = layered(tmp_path)
    assert "imported/actions/GetCall.yaml" in release.spec_sources(specs)

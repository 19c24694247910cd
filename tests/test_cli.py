"""The CLI introduces itself, says clearly where it is lost, and generates one target at a time."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from generator import __version__
from generator.frontend.pipeline import load_api
from generator.targets import code_targets, registry

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests/fixtures/specs/mini"


def sdkgen(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd, capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip


def files_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_help_describes_the_tool_and_version_prints_it(tmp_path: Path) -> None:
    help_ = sdkgen("--help", cwd=tmp_path)
    assert help_.returncode == 0
    assert "typed SDKs" in help_.stdout and "sdkgen generate" in help_.stdout
    assert "Every command maps" not in help_.stdout, "the tool's description, not a module docstring"
    version = sdkgen("--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.strip() == f"sdkgen {__version__}"


def test_outside_a_project_and_a_missing_specs_path_are_one_clear_line(tmp_path: Path) -> None:
    lost = sdkgen("validate", cwd=tmp_path)
    assert lost.returncode == 2 and "not inside an sdkgen project" in lost.stderr
    assert "Traceback" not in lost.stderr and lost.stderr.count("\n") == 1
    missing = sdkgen("generate", "--specs", "nowhere", cwd=tmp_path)
    assert missing.returncode == 2 and "the specs directory nowhere does not exist" in missing.stderr
    assert not (tmp_path / "generated").exists()


def test_the_registry_finds_every_target_folder() -> None:
    folders = {p.name for p in (ROOT / "generator/targets").iterdir() if (p / "__init__.py").is_file()}
    assert set(registry()) == folders - {"common"}
    assert [t.name for t in code_targets(load_api(MINI))] == ["python"]
    owned = [folder for t in registry().values() for folder in t.owns]
    assert len(owned) == len(set(owned)), "no two targets own the same folder"


def test_each_target_writes_only_its_part(tmp_path: Path) -> None:
    shutil.copytree(MINI, tmp_path / "specs")
    out = tmp_path / "out"
    docs = sdkgen("generate", "--specs", "specs", "--output", "out", "--target", "docs", cwd=tmp_path)
    assert docs.returncode == 0, docs.stderr
    assert {p.split("/", 1)[0] for p in files_under(out)} == {"docs", "mkdocs.yml"}, "the pages and their site"
    assert not (tmp_path / "specs/schema").exists(), "a target run leaves the spec schemas alone"
    python = sdkgen("generate", "--specs", "specs", "--output", "out", "--target", "python", cwd=tmp_path)
    assert python.returncode == 0, python.stderr
    tops = {"/".join(p.split("/")[:2]) if p.startswith("samples/") else p.split("/", 1)[0] for p in files_under(out)}
    assert tops == {"docs", "mkdocs.yml", "python", "samples/python"}, "docs/ kept, python/ and its samples added"
    everything = sdkgen("generate", "--specs", "specs", "--output", "out", cwd=tmp_path)
    assert everything.returncode == 0, everything.stderr
    assert "schema" in {p.split("/", 1)[0] for p in files_under(out)}
    check = sdkgen("check", "--specs", "specs", "--output", "out", "--target", "python", cwd=tmp_path)
    assert check.returncode == 0 and "in sync" in check.stdout
    unknown = sdkgen("generate", "--specs", "specs", "--target", "cobol", cwd=tmp_path)
    assert unknown.returncode == 2 and "invalid choice: 'cobol'" in unknown.stderr


def test_an_action_that_would_replace_a_client_member_is_a_located_error(tmp_path: Path) -> None:
    shutil.copytree(MINI, tmp_path / "specs")
    action = tmp_path / "specs/actions/PlayTts.yaml"
    action.write_text(action.read_text(encoding="utf-8").replace("action: PlayTts", "action: Close"))
    action.rename(tmp_path / "specs/actions/Close.yaml")
    result = sdkgen("validate", "--specs", "specs", cwd=tmp_path)
    assert result.returncode == 2
    assert "specs/actions/Close.yaml:2:9: error[name-collision] action 'Close' becomes the Python method 'close'" in (
        result.stderr
    )

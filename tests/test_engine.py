"""The render engine at scale: cached and incremental runs give the bytes of a cold run, worker
processes give the bytes of one process, and the no-change record never hides a change."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main
from generator.frontend.pipeline import load_api
from generator.output.engine import Stats
from generator.output.format import FormatError, Formatter
from generator.output.generate import render_all

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_an_incremental_run_renders_only_the_changed_action_and_equals_a_cold_run(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    shutil.copytree(ROOT / "specs", specs)
    cache = tmp_path / "cache"
    first = Stats()
    render_all(load_api(specs), TEMPLATES, cache_dir=cache, stats=first)
    assert first.rendered == first.units  # an empty cache: everything rendered
    edit(specs / "actions/IvrCall.yaml", "Place an interactive voice response (IVR) call to one number.",
         "Place an IVR call to one number.")  # fmt: skip
    again = Stats()
    incremental = render_all(load_api(specs), TEMPLATES, cache_dir=cache, stats=again)
    cold = render_all(load_api(specs), TEMPLATES)
    assert incremental == cold
    assert "Place an IVR call to one number." in cold["docs/actions/IvrCall.md"]
    # IvrCall's unit in each of the four targets, its batch of models, and the three units made
    # from the whole API (docs, python, typescript).
    assert again.rendered == 8, again


def test_a_corrupt_or_unwritable_cache_changes_nothing(tmp_path: Path) -> None:
    api = load_api(ROOT / "specs")
    cache = tmp_path / "cache"
    cold = render_all(api, TEMPLATES, cache_dir=cache)
    entries = sorted(cache.glob("*/*.json"))
    assert entries
    entries[0].write_bytes(b"\xff not json")
    entries[1].write_text(json.dumps({"docs/index.md": 42}), encoding="utf-8")
    stats = Stats()
    assert render_all(api, TEMPLATES, cache_dir=cache, stats=stats) == cold
    assert stats.rendered == 2
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would be", encoding="utf-8")
    assert render_all(api, TEMPLATES, cache_dir=blocked) == cold


def test_worker_processes_render_the_bytes_of_one_process() -> None:
    """Run in a fresh interpreter: forking is only used by a process with no other thread."""
    script = (
        "import hashlib, json, sys; from pathlib import Path\n"
        "from generator.frontend.pipeline import load_api\n"
        "from generator.output import engine\n"
        "from generator.output.engine import Stats\n"
        "engine._WARM_UP = 0  # no unit in-process first: all to the workers\n"
        "from generator.output.generate import render_all\n"
        "api = load_api(Path('specs')); out = {}\n"
        "for jobs in (1, 2):\n"
        "    s = Stats(); files = render_all(api, Path('templates'), jobs=jobs, stats=s)\n"
        "    out[jobs] = [s.workers, hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()]\n"
        "print(json.dumps(out))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["1"][0] == 0 and found["2"][0] == 2  # in-process, then two workers
    assert found["1"][1] == found["2"][1]


def test_the_no_change_record_never_hides_a_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    specs, out = tmp_path / "specs", tmp_path / "out"
    shutil.copytree(ROOT / "tests/fixtures/specs/mini", specs)
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    args = ["--specs", str(specs), "--output", str(out)]
    assert main(["generate", *args]) == 0
    assert main(["check", *args]) == 0
    assert "in sync" in capsys.readouterr().out
    sample = next((out / "samples/python").glob("*.py"))
    original = sample.read_text(encoding="utf-8")
    sample.write_text(original + "# edited\n", encoding="utf-8")  # a hand edit
    assert main(["check", *args]) == 1
    sample.write_text(original, encoding="utf-8")  # put back: same bytes, a new time
    assert main(["check", *args]) == 0
    (out / "docs/extra.md").write_text("a stray file\n", encoding="utf-8")
    assert main(["check", *args]) == 1
    (out / "docs/extra.md").unlink()
    (out / "docs/index.md").unlink()
    assert main(["check", *args]) == 1
    assert main(["generate", *args]) == 0
    assert main(["check", *args]) == 0
    edit(specs / "actions/PlayTts.yaml", "summary: {zh: ", "summary: {zh: 新")  # a spec change
    assert main(["check", *args]) == 1
    assert main(["generate", "--no-cache", *args]) == 0
    assert main(["check", "--no-cache", *args]) == 0


def test_the_formatter_names_a_source_it_cannot_parse() -> None:
    formatter = Formatter()
    assert formatter.format_many(["x = ( 1 )\n", "x = ( 1 )\n"]) == ["x = 1\n", "x = 1\n"]
    with pytest.raises(FormatError, match="def broken"):
        formatter.format("def broken(:\n    pass\n")


def test_generated_python_is_what_the_pinned_black_writes() -> None:
    """ruff formats the output; black, pinned, is the definition of its style."""
    result = subprocess.run(
        [sys.executable, "-m", "black", "--check", "--quiet", "--line-length", "110", "--target-version", "py311",
         "generated/python", "generated/samples", "tests/fixtures/golden"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr

"""Golden trees: each fixture spec set under tests/fixtures/specs/ renders exactly to its stored
tree under tests/fixtures/golden/, compared in both directions (no file missing, none extra,
every byte equal). The trees hold rendered files only: the runtime modules a package copies
verbatim are checked against their source under templates/ instead of being stored again.

After an intended change of output, refresh the trees and review the diff:

    SDKGEN_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from generator.frontend.pipeline import load_api
from generator.output.generate import render_all
from generator.output.render import Renderer
from generator.targets.python import runtime_files, runtime_text

ROOT = Path(__file__).resolve().parent.parent
SETS = sorted(p.name for p in (ROOT / "tests/fixtures/specs").iterdir() if p.is_dir())


def stored_tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8") for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("name", SETS)
def test_golden_tree(name: str) -> None:
    api = load_api(ROOT / "tests/fixtures/specs" / name)
    rendered = render_all(api, ROOT / "templates")
    package = api.product.package("python")
    assert package is not None
    copies = runtime_files(ROOT / "templates", package.package)
    renderer = Renderer(ROOT / "templates")
    for path, source in copies.items():
        assert rendered.pop(path) == runtime_text(renderer, source), f"{path} is not a copy of {source}"
    golden = ROOT / "tests/fixtures/golden" / name
    if os.environ.get("SDKGEN_UPDATE_GOLDEN") == "1":
        shutil.rmtree(golden, ignore_errors=True)
        for path, text in rendered.items():
            (golden / path).parent.mkdir(parents=True, exist_ok=True)
            (golden / path).write_text(text, encoding="utf-8")
    stored = stored_tree(golden)
    assert sorted(rendered) == sorted(stored), "the same files, no more and no fewer"
    for path in rendered:
        assert rendered[path] == stored[path], f"{path} differs from its golden copy"

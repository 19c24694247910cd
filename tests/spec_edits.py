"""Build a broken copy of a spec tree from a fixture's ``edits.yaml`` (test helper).

A fixture names its base (``mini``: tests/fixtures/specs/mini, or ``specs``: the repository's
specs/) and a list of edits. Each edit is one of:
  {file, old, new[, encoding]}   replace the one occurrence of ``old`` (it must occur exactly once)
  {file, content}                write a new file
  {file, copy: other}            copy another file of the tree
  {file, delete: true}           remove the file
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
BASES = {"mini": ROOT / "tests/fixtures/specs/mini", "specs": ROOT / "specs"}


def apply_edits(fixture: dict[str, Any], target: Path) -> None:
    shutil.copytree(BASES[fixture["base"]], target)
    for edit in fixture["edits"]:
        path = target / edit["file"]
        if edit.get("delete"):
            path.unlink()
        elif "content" in edit:
            path.write_text(edit["content"], encoding="utf-8")
        elif "copy" in edit:
            shutil.copyfile(target / edit["copy"], path)
        else:
            text = path.read_text(encoding="utf-8")
            count = text.count(edit["old"])
            assert count == 1, f"{edit['file']}: {edit['old']!r} occurs {count} times, not once"
            text = text.replace(edit["old"], edit["new"])
            path.write_bytes(text.encode(edit.get("encoding", "utf-8")))


def load_fixture(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((folder / "edits.yaml").read_text(encoding="utf-8"))
    return data

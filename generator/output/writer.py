"""Plan and apply: compare the rendered tree with what is on disk, then write it atomically.

``plan`` is pure apart from reading the output directory; ``apply`` is the only code that writes
generated files. It writes each changed file to a temporary file beside it and renames it into
place, and removes files the specs no longer produce, so an interrupted run never leaves a file
half-written. Build and cache folders inside the output are not ours and are left alone.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

_NOT_OURS = {"__pycache__", ".mypy_cache", ".pytest_cache", "dist", "build", ".venv", ".ruff_cache"}


@dataclass(frozen=True)
class Plan:
    root: Path
    files: dict[str, str]
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]

    @property
    def in_sync(self) -> bool:
        return not (self.added or self.changed or self.removed)

    def diff(self, path: str, *, context: int = 2, limit: int = 40) -> list[str]:
        """A short unified diff of one planned change (``limit`` lines at most)."""
        old = _read(self.root / path) if path not in self.added else ""
        new = self.files.get(path, "")
        lines = list(
            difflib.unified_diff(
                (old or "").splitlines(keepends=True),
                new.splitlines(keepends=True),
                fromfile=f"a/{path}",
                tofile=f"b/{path}",
                n=context,
            )
        )
        if len(lines) > limit:
            lines = lines[:limit] + [f"... ({len(lines) - limit} more diff lines)\n"]
        return lines


def _read(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8")
    except (FileNotFoundError, UnicodeDecodeError):
        return None


def existing_files(root: Path, owned: tuple[str, ...]) -> set[str]:
    """Files under the owned folders of ``root`` (``python``, ``samples/python``), minus build and
    cache folders."""
    found: set[str] = set()
    for top in owned:
        base = root / top
        if not base.is_dir():
            continue
        for folder, dirs, names in os.walk(base):
            dirs[:] = sorted(d for d in dirs if d not in _NOT_OURS and not d.endswith(".egg-info"))
            for name in names:
                if name.endswith((".pyc", ".pyo")):
                    continue
                found.add((Path(folder) / name).relative_to(root).as_posix())
    return found


def plan(root: Path, files: dict[str, str], owned: tuple[str, ...]) -> Plan:
    """What writing ``files`` under ``root`` changes; files under the ``owned`` folders that
    ``files`` lacks are removed."""
    outside = sorted(p for p in files if not any(p == o or p.startswith(o + "/") for o in owned))
    assert not outside, f"rendered outside the owned folders: {outside[:3]}"
    current = existing_files(root, owned)
    added = tuple(sorted(p for p in files if p not in current))
    changed = tuple(sorted(p for p in files if p in current and _read(root / p) != files[p]))
    removed = tuple(sorted(current - files.keys()))
    return Plan(root, files, added, changed, removed)


def apply(p: Plan) -> None:
    for path in (*p.added, *p.changed):
        target = p.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(p.files[path].encode("utf-8"))
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    for path in p.removed:
        (p.root / path).unlink()
        folder = (p.root / path).parent
        while folder != p.root and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent

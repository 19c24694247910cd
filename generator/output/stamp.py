"""The no-change fast path: a record of the last run that left an output root in step with its inputs.

``generate`` and ``check`` record, per output root (generated/, specs/schema/), the fingerprint
of their inputs (the toolchain, the chosen targets, the path and bytes of every spec file) and
of what the root held afterwards (each owned file's size, modification time and SHA-256). A later
run with the same inputs first asks ``fresh``: when the root still holds exactly those files,
nothing needs rendering and the run ends there. A file whose size or time differs is read and
compared by content; a file added or removed under an owned folder, a different input, a
missing, unreadable or corrupt record, or a transaction left pending all mean "not fresh", and
the run renders as usual. Records live in the cache directory (``stamps/``) and are only an
optimisation: ``--no-cache`` neither reads nor writes them.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

from generator.output.fingerprint import toolchain, write_cache_file
from generator.output.writer import TXN, existing_files

SPEC_OUTPUTS = ("schema",)  # folders of the specs directory that sdkgen writes, not inputs


def inputs_key(specs: Path, templates: Path, targets: Sequence[str] | None) -> str:
    """The fingerprint of one run's inputs."""
    h = hashlib.sha256(toolchain(templates).encode())
    h.update(repr(sorted(targets) if targets is not None else None).encode())
    for folder, dirs, names in os.walk(specs):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not (here == specs and d in SPEC_OUTPUTS))
        for name in sorted(names):
            path = here / name
            h.update(path.relative_to(specs).as_posix().encode() + b"\0")
            try:
                h.update(hashlib.sha256(path.read_bytes()).digest())
            except OSError:
                h.update(b"unreadable")
    return h.hexdigest()


def _record_path(cache: Path, root: Path, owned: Sequence[str]) -> Path:
    name = hashlib.sha256(f"{root.resolve()}\0{','.join(owned)}".encode()).hexdigest()
    return cache / "stamps" / f"{name}.json"


def _same(path: Path, size: int, mtime: int, digest: str) -> bool:
    try:
        st = path.stat()
    except OSError:
        return False
    if st.st_size == size and st.st_mtime_ns == mtime:
        return True
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() == digest
    except OSError:
        return False


def fresh(cache: Path, root: Path, owned: Sequence[str], key: str) -> int | None:
    """The number of files under ``root`` when it is as the record made with ``key`` says; None
    when it is not (or there is no such record)."""
    try:
        record = json.loads(_record_path(cache, root, owned).read_bytes())
        files: dict[str, list[object]] = record["files"]
        if record["key"] != key or (root / TXN).exists():
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if existing_files(root, tuple(owned)) != files.keys():
        return None
    for path, entry in files.items():
        size, mtime, digest = entry
        if not (isinstance(size, int) and isinstance(mtime, int) and isinstance(digest, str)):
            return None
        if not _same(root / path, size, mtime, digest):
            return None
    return len(files)


def record(cache: Path, root: Path, owned: Sequence[str], key: str, files: dict[str, str]) -> None:
    """Note that ``root`` holds exactly ``files`` (as just written or checked) for inputs ``key``."""
    entries: dict[str, list[object]] = {}
    for path, text in files.items():
        try:
            st = (root / path).stat()
        except OSError:
            return
        entries[path] = [st.st_size, st.st_mtime_ns, hashlib.sha256(text.encode("utf-8")).hexdigest()]
    write_cache_file(_record_path(cache, root, owned), json.dumps({"key": key, "files": entries}))

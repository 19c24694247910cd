"""The render engine: the targets' units → final files; only what changed, in parallel, formatted once.

    units ─ cache lookup (key + toolchain) ─ misses rendered (worker processes) ─ one ruff batch
          ─ misses stored ─ embeds filled in ─ {path: final text}

* A unit (``generator.targets.Unit``) is a piece of one target's output with a key naming what
  it depends on. Its cache entry is addressed by the SHA-256 of the key, the target's name and
  the toolchain's fingerprint (sdkgen's own code and templates, the formatter and the versions
  of the libraries whose output we write), so a change to any of them misses every entry.
* Misses are rendered in worker processes forked from this one (they inherit the loaded IR, so
  nothing is sent to them but an index) when there are enough of them and the process has no
  other thread; otherwise, and on systems without ``fork``, in-process. Both give equal files.
* Every Python file of the misses is formatted in one batch (``format.Formatter``); a hit is
  stored formatted and never formatted again.
* A file may embed another file's final text (``render.embed``): filled in last, from the files
  of this run, so a cached page still shows the sample as it is now.

The cache is an optimisation only: an unreadable or corrupt entry is a miss, a cache that
cannot be written is skipped, and a cold run (no cache) gives the same bytes, which the suite
checks. Its directory holds one JSON file per unit; entries unused by the latest runs are pruned
when it grows past a few times the size of one run.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.frontend import ir
from generator.output.fingerprint import toolchain, write_cache_file
from generator.output.format import Formatter, is_python
from generator.output.render import EMBEDDED, Renderer
from generator.targets import Context, Target, Unit

_MIN_PARALLEL = 16  # fewer misses than this render faster in-process than through workers
_WARM_UP = 0.4  # seconds of rendering in-process before handing the rest to workers


@dataclass
class Stats:
    """What one run did, for ``--verbose`` output and the benchmarks."""

    units: int = 0
    rendered: int = 0  # units not found in the cache
    formatted: int = 0  # Python files sent to the formatter
    workers: int = 0  # worker processes used (0: in-process)
    files: int = 0


def jobs_default() -> int:
    """Worker processes: ``$SDKGEN_JOBS`` if set, else the CPUs this process may use (at most 8)."""
    value = os.environ.get("SDKGEN_JOBS", "")
    if value.isdigit() and int(value) > 0:
        return int(value)
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 8))


class UnitCache:
    """Formatted files of units, one JSON file each under ``root``, addressed by digest."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.used: list[Path] = []

    def _path(self, digest: str) -> Path:
        return self.root / digest[:2] / f"{digest}.json"

    def get(self, digest: str) -> dict[str, str] | None:
        path = self._path(digest)
        try:
            data = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()
        ):
            return None
        self.used.append(path)
        return data

    def put(self, digest: str, files: dict[str, str]) -> None:
        path = self._path(digest)
        if write_cache_file(path, json.dumps(files, ensure_ascii=False, sort_keys=True)):
            self.used.append(path)

    def touch_and_prune(self, keep: int) -> None:
        """Mark this run's entries as recently used; past ``keep`` entries, drop the oldest."""
        for path in self.used:
            try:
                os.utime(path)
            except OSError:
                pass
        try:
            entries = [p for p in self.root.glob("*/*.json")]
        except OSError:
            return
        if len(entries) <= keep:
            return

        def age(p: Path) -> float:
            try:
                return p.stat().st_mtime
            except OSError:
                return 0.0

        for path in sorted(entries, key=age)[: len(entries) - keep]:
            try:
                path.unlink()
            except OSError:
                pass


# Units to render in forked workers: set before forking, read by index in the children.
_PENDING: list[Unit] = []


def _render_pending(index: int) -> dict[str, str]:
    return _PENDING[index].render()


def _render(units: Sequence[Unit], jobs: int, stats: Stats) -> list[dict[str, str]]:
    """Each unit's files, in order. The first units render in-process for up to ``_WARM_UP``
    seconds: that loads what rendering needs (libraries, compiled templates) once, before any
    fork, and finishes small runs outright; the rest go to worker processes when they are many."""
    done: list[dict[str, str]] = []
    start = time.perf_counter()
    while len(done) < len(units) and time.perf_counter() - start < _WARM_UP:
        done.append(units[len(done)].render())
    rest = units[len(done) :]
    parallel = (
        jobs > 1
        and len(rest) >= _MIN_PARALLEL
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1  # forking a threaded process can deadlock the child
    )
    if not parallel:
        return done + [u.render() for u in rest]
    workers = min(jobs, len(rest))
    stats.workers = workers
    _PENDING[:] = rest
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            chunk = max(1, len(rest) // (workers * 8))
            return done + pool.map(_render_pending, range(len(rest)), chunksize=chunk)
    finally:
        _PENDING.clear()


def _fill_embeds(files: dict[str, str]) -> dict[str, str]:
    def fill(match: re.Match[str]) -> str:
        path = match.group(1)
        if path not in files or EMBEDDED.search(files[path]):
            raise AssertionError(f"a generated file embeds {path!r}, which is not generated in the same run")
        return files[path]

    return {path: EMBEDDED.sub(fill, text) if "\x00" in text else text for path, text in files.items()}


def render(
    api: ir.Api,
    templates: Path,
    targets: Sequence[Target],
    *,
    helpers: Sequence[Target] = (),
    cache_dir: Path | None = None,
    jobs: int | None = None,
    stats: Stats | None = None,
) -> dict[str, str]:
    """``{path: final text}`` of the ``targets`` that apply to ``api``. When their files embed
    files of other targets (the docs quote the code targets' samples), the ``helpers`` are
    rendered too, for those files only."""
    stats = stats if stats is not None else Stats()
    ctx = Context(Renderer(templates), templates)
    files = _render_targets(api, ctx, targets, cache_dir, jobs, stats)
    wanted = {m.group(1) for text in files.values() if "\x00" in text for m in EMBEDDED.finditer(text)}
    if wanted - files.keys() and helpers:
        extra = _render_targets(api, ctx, helpers, cache_dir, jobs, Stats())
        return {path: text for path, text in _fill_embeds(extra | files).items() if path in files}
    return _fill_embeds(files)


def _render_targets(
    api: ir.Api,
    ctx: Context,
    targets: Sequence[Target],
    cache_dir: Path | None,
    jobs: int | None,
    stats: Stats,
) -> dict[str, str]:
    named: list[tuple[str, Unit]] = [
        (t.name, unit) for t in targets if t.applies(api) for unit in t.units(api, ctx)
    ]
    stats.units = len(named)
    assert len({(name, unit.key) for name, unit in named}) == len(named), "two units share a key"
    store = UnitCache(cache_dir) if cache_dir is not None else None
    tool = toolchain(ctx.templates) if store is not None else ""
    digests = [hashlib.sha256(f"{tool}\0{name}\0{unit.key}".encode()).hexdigest() for name, unit in named]
    results: list[dict[str, str] | None] = [store.get(d) if store is not None else None for d in digests]
    missing = [i for i, r in enumerate(results) if r is None]
    stats.rendered = len(missing)
    raw = _render([named[i][1] for i in missing], jobs if jobs is not None else jobs_default(), stats)
    formatter = Formatter()
    python = [(k, p) for k, files in enumerate(raw) for p in files if is_python(p)]
    stats.formatted = len(python)
    for (k, p), text in zip(python, formatter.format_many(raw[k][p] for k, p in python), strict=True):
        raw[k][p] = text
    for i, files in zip(missing, raw, strict=True):
        results[i] = files
        if store is not None:
            store.put(digests[i], files)
    if store is not None:
        store.touch_and_prune(keep=max(4 * len(named), 4096))
    out: dict[str, str] = {}
    for (name, _), found in zip(named, results, strict=True):
        assert found is not None
        for path, text in found.items():
            assert path not in out, f"two units of {name} render {path}"
            out[path] = text
    stats.files = len(out)
    return out

"""Plan and apply: compare the rendered tree with what is on disk, then write it as one transaction.

``plan`` only reads the output directory (after settling an interrupted run, see recovery);
``commit`` (and ``apply``, its one-plan form) is the only code that writes generated files. Build
and cache folders inside the output are not ours and are left alone.

The transaction
---------------
``commit(plans)`` writes any number of plans, under one root or several (``sdkgen generate``:
generated/ and specs/schema/), as ONE transaction: an interruption at any moment, SIGKILL
included, leaves every root as it was or every root as planned, never a mixture, and an error
(read-only file system, no space, permission denied, an immutable file, a file where a folder is
needed) leaves every root as it was and raises ``WriteError``. The first plan's root is the
*primary*: it holds the journal. Each root involved gets a work folder ``<root>/.sdkgen-txn/`` on
the file system of its files, so that every rename below is atomic:

1. lock every root (below); ``recover`` each; plan again under the lock, so the operations
   describe exactly the tree about to change;
2. ``<primary>/.sdkgen-txn/journal.json``, fsynced: the roots (relative to the primary) and the
   numbered operations, ``[root, "add" | "change" | "remove", path]``;
3. every other root that changes gets ``.sdkgen-txn/primary``, the primary's path relative to
   it, so that a run which only looks at that root (``sdkgen check`` with another --output, the
   release writing specs/) finds the journal;
4. stage: the new bytes of operation *i* go to ``<root>/.sdkgen-txn/new/<i>`` (fsynced); each file
   to be changed or removed is hard-linked (copied where a link is refused) to ``old/<i>``;
5. COMMIT POINT: the empty file ``<primary>/.sdkgen-txn/COMMITTED`` appears (folder fsynced).
   Before it nothing outside the work folders has changed;
6. removals (and the folders they empty), then ``os.replace(new/<i>, target)``; each step is
   idempotent (a staged file that is gone was renamed; a target that is gone was removed);
   the touched folders are fsynced;
7. COMMITTED is deleted first (from then on the tree is final), then the other roots' work
   folders, then the primary's.

If a step of 6 fails, ``ABORTED`` is written, the steps done are undone in reverse (``old/<i>``
renamed back with ``os.rename``, added files unlinked), then step 7, and ``WriteError`` is raised.
A Ctrl-C during step 6 leaves the journal: the next run (any reader) rolls it forward.

Recovery (``recover``) runs at the start of every ``commit`` and of every ``plan`` before it
reads, so ``sdkgen generate``, ``check``, ``build`` and ``release`` all see a settled tree. It
decides from what the primary's work folder holds: ABORTED → undo again; COMMITTED → roll forward
(an error there → undo); a journal without marker → roll back, i.e. delete the work folders of
every root it lists (nothing visible had changed, or step 7 had begun and everything had); no
journal → delete the work folder. A root holding only ``primary`` recovers that primary when its
journal lists the root, and otherwise just deletes its stale work folder. Every ordering above
(journal before pointers, pointers before staging, COMMITTED removed first, pointers and markers
after the files they guard) keeps each intermediate state recoverable; so no staged file
survives the next run. The work folders are never seen by ``existing_files``, and sit at the
top of a root (generated/.sdkgen-txn, specs/.sdkgen-txn), outside every target's folders, so
no package build or spec loader picks them up.

Locking
-------
``fcntl.flock`` on the root folder itself (a read-only descriptor of the directory), not on a
lock file: nothing is left in generated/ for git to list, and there is no unlink race. ``commit``
takes an exclusive lock on every root (sorted, so two runs cannot deadlock); ``plan`` takes a
shared lock on its root while reading it (so ``check`` never sees a half-applied transaction of a
live run), and an exclusive one only to recover. Locks are re-entrant within a process. A lock is
waited for, polling, up to ``SDKGEN_LOCK_TIMEOUT`` seconds (default 30); then ``Busy``: "another
sdkgen run is writing PATH (pid N); try again when it has finished" (the pid from /proc/locks).
The lock is held only while re-planning and writing, not while rendering. Linux (flock,
O_DIRECTORY, /proc/locks) is assumed.

Test-only hook (never set it otherwise): ``SDKGEN_TEST_KILL_AFTER_OPS=N`` makes the process
SIGKILL itself once it has done N file-system mutations in this module (creating, writing,
renaming, linking or removing a file or folder; N=0: before the first), in a write or in a
recovery. tests/test_writer.py uses it to interrupt a transaction at every step.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import fcntl
import json
import os
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

_NOT_OURS = {"__pycache__", ".mypy_cache", ".pytest_cache", "dist", "build", ".venv", ".ruff_cache"}
TXN = ".sdkgen-txn"  # the work folder of a transaction, in each root it writes
JOURNAL, COMMITTED, ABORTED, POINTER = "journal.json", "COMMITTED", "ABORTED", "primary"
LOCK_TIMEOUT = 30.0  # seconds; SDKGEN_LOCK_TIMEOUT overrides

T = TypeVar("T")


class WriteError(OSError):
    """Writing the output failed: one line for the user (exit 2); the tree is as it was."""

    def __init__(self, path: Path, reason: str, message: str | None = None) -> None:
        super().__init__(message or f"cannot write {path}: {reason}; nothing was changed")
        self.path = path
        self.reason = reason


class Busy(WriteError):
    """Another process holds the lock of ``path`` longer than we wait."""

    def __init__(self, path: Path, pid: int | None) -> None:
        who = f"pid {pid}" if pid is not None else "pid unknown"
        super().__init__(
            path, "locked", f"another sdkgen run is writing {path} ({who}); try again when it has finished"
        )


@dataclass(frozen=True)
class Plan:
    root: Path
    files: dict[str, str]
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    owned: tuple[str, ...] | None = None  # known for plans made by ``plan``: commit re-plans those

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
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError, UnicodeDecodeError):
        return None


def existing_files(root: Path, owned: tuple[str, ...]) -> set[str]:
    """Files under the owned folders of ``root`` (``python``, ``samples/python``) and the owned
    files themselves (a name with an extension: ``mkdocs.yml``), minus build and cache folders and
    transaction work folders."""
    found: set[str] = set()
    for top in owned:
        base = root / top
        if "." in Path(top).name:
            if base.is_file() and not base.is_symlink():
                found.add(Path(top).as_posix())
            continue
        if not base.is_dir():
            continue
        for folder, dirs, names in os.walk(base):
            dirs[:] = sorted(
                d for d in dirs if d not in _NOT_OURS and d != TXN and not d.endswith(".egg-info")
            )
            for name in names:
                if name.endswith((".pyc", ".pyo")):
                    continue
                found.add((Path(folder) / name).relative_to(root).as_posix())
    return found


def _plan(root: Path, files: dict[str, str], owned: tuple[str, ...]) -> Plan:
    current = existing_files(root, owned)
    added = tuple(sorted(p for p in files if p not in current))
    changed = tuple(sorted(p for p in files if p in current and _read(root / p) != files[p]))
    removed = tuple(sorted(current - files.keys()))
    return Plan(root, files, added, changed, removed, owned)


def plan(root: Path, files: dict[str, str], owned: tuple[str, ...]) -> Plan:
    """What writing ``files`` under ``root`` changes; files under the ``owned`` folders that
    ``files`` lacks are removed. Settles an interrupted transaction first, and reads under a
    shared lock."""
    outside = sorted(p for p in files if not any(p == o or p.startswith(o + "/") for o in owned))
    assert not outside, f"rendered outside the owned folders: {outside[:3]}"
    return _reading(root, lambda: _plan(root, files, owned))


def _reading(root: Path, read: Callable[[], T]) -> T:
    if not root.is_dir():
        return read()
    while True:
        with locked([root], exclusive=False):
            if not _pending(root):
                return read()
        recover(root)


# ---------------------------------------------------------------------------------------- locks

_HELD: dict[Path, tuple[int, bool]] = {}  # resolved root → (descriptor, exclusive)


def _lock_timeout() -> float:
    try:
        return float(os.environ.get("SDKGEN_LOCK_TIMEOUT", LOCK_TIMEOUT))
    except ValueError:
        return LOCK_TIMEOUT


@contextlib.contextmanager
def locked(roots: Iterable[Path], *, exclusive: bool = True) -> Iterator[None]:
    """Hold the locks of ``roots`` (folders that do not exist are skipped); re-entrant."""
    wanted = {r.resolve(): r for r in roots}
    taken: list[Path] = []
    try:
        for key in sorted(wanted):
            if _take(key, wanted[key], exclusive):
                taken.append(key)
        yield
    finally:
        for key in reversed(taken):
            fd, _ = _HELD.pop(key)
            os.close(fd)


def _take(key: Path, shown: Path, exclusive: bool) -> bool:
    held = _HELD.get(key)
    if held is not None:
        assert held[1] or not exclusive, f"internal: {shown} is locked shared, not exclusive"
        return False
    try:
        fd = os.open(key, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise WriteError(shown, _why(exc)) from None
    deadline = time.monotonic() + _lock_timeout()
    while True:
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise Busy(shown, _holder(key)) from None
            time.sleep(0.05)
    _HELD[key] = (fd, exclusive)
    return True


def _holder(folder: Path) -> int | None:
    """The pid holding a flock on ``folder``, from /proc/locks (Linux)."""
    try:
        st = os.stat(folder)
        lines = Path("/proc/locks").read_text(encoding="ascii", errors="replace").splitlines()
    except OSError:
        return None
    device = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    for line in lines:
        fields = line.split()
        if "->" in fields or device not in fields:
            continue
        at = fields.index(device)
        with contextlib.suppress(ValueError):
            return int(fields[at - 1])
    return None


# ------------------------------------------------------------------------------ file operations


class _Ops:
    """Counts file-system mutations for the test-only SDKGEN_TEST_KILL_AFTER_OPS hook."""

    count = 0
    lock = threading.Lock()


def _step() -> None:
    limit = os.environ.get("SDKGEN_TEST_KILL_AFTER_OPS")
    with _Ops.lock:
        if limit is not None and _Ops.count >= int(limit):
            os.kill(os.getpid(), signal.SIGKILL)
        _Ops.count += 1


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


@contextlib.contextmanager
def _at(path: Path) -> Iterator[None]:
    """Name the path of a failing file-system call."""
    try:
        yield
    except WriteError:
        raise
    except OSError as exc:
        raise WriteError(path, _why(exc)) from exc


def _write_new(path: Path, data: bytes) -> None:
    _step()
    with _at(path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)


_WRITERS = 8  # threads staging files: their fsyncs share the file system's journal commits


def _stage_file(target: Path, staged: Path, data: bytes) -> None:
    with _naming(target):
        _write_new(staged, data)


def _stage_many(items: list[tuple[Path, Path, bytes]]) -> None:
    """``(target, staged, data)``: each file written to its staging path, several at a time;
    the first failure is raised, naming the target."""
    if len(items) < 2 * _WRITERS:
        for item in items:
            _stage_file(*item)
        return
    with ThreadPoolExecutor(_WRITERS) as pool:
        for future in [pool.submit(_stage_file, *item) for item in items]:
            future.result()


def _fsync_dir(path: Path) -> None:
    with _at(path):
        try:
            fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except FileNotFoundError:
            return
        try:
            os.fsync(fd)
        except OSError as exc:
            if exc.errno not in (errno.EINVAL, errno.ENOTSUP):
                raise
        finally:
            os.close(fd)


def _mkdirs(folder: Path) -> None:
    if folder.is_dir():
        return
    _step()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        in_the_way = next((p for p in (*reversed(folder.parents), folder) if not p.is_dir()), folder)
        raise WriteError(in_the_way, "it is a file, where a folder is needed") from None
    except OSError as exc:
        raise WriteError(folder, _why(exc)) from exc


def _unlink(path: Path) -> None:
    _step()
    with _at(path):
        path.unlink(missing_ok=True)


def _rmtree(path: Path) -> None:
    if os.path.lexists(path):
        _step()
        with _at(path):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()


def _prune(root: Path, folder: Path) -> None:
    """Remove ``folder`` and its parents below ``root`` while they are empty."""
    with _at(folder):
        while folder != root and folder.is_dir() and not any(folder.iterdir()):
            _step()
            folder.rmdir()
            folder = folder.parent


def _backup(target: Path, backup: Path) -> None:
    _step()
    try:
        os.link(target, backup, follow_symlinks=False)
    except OSError:
        with _at(target):
            shutil.copyfile(target, backup, follow_symlinks=False)
            fd = os.open(backup, os.O_RDONLY | os.O_CLOEXEC)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


# --------------------------------------------------------------------------------- transactions


@dataclass(frozen=True)
class _Op:
    root: int  # index into the journal's roots
    kind: str  # "add", "change" or "remove"
    path: str


@dataclass(frozen=True)
class _Journal:
    primary: Path
    roots: list[Path]
    ops: list[_Op]

    def work(self, op: _Op | int) -> Path:
        return self.roots[op if isinstance(op, int) else op.root] / TXN

    def target(self, op: _Op) -> Path:
        return self.roots[op.root] / op.path


def _pending(root: Path) -> bool:
    return os.path.lexists(root / TXN)


def _norm(path: Path) -> Path:
    return Path(os.path.normpath(path))


def _load(primary: Path) -> _Journal | None:
    try:
        data = json.loads((primary / TXN / JOURNAL).read_bytes())
        roots = [_norm(primary / r) for r in data["roots"]]
        ops = [_Op(int(r), str(k), str(p)) for r, k, p in data["ops"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return _Journal(primary, roots, ops)


def _ours(root: Path, primary: Path) -> bool:
    """Whether the work folder of ``root`` belongs to the transaction of ``primary``: it names
    that primary, or it is one being set up (no pointer yet, no journal of its own)."""
    work = root / TXN
    if not os.path.lexists(work / POINTER):
        return not os.path.lexists(work / JOURNAL)
    try:
        named = (work / POINTER).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return True  # a pointer being written
    return not named or (root / named).resolve() == primary.resolve()


def recover(root: Path) -> None:
    """Finish (roll forward) or undo (roll back) whatever an interrupted run left under ``root``."""
    if not _pending(root):
        return
    with locked([root]):
        work = root / TXN
        if not os.path.lexists(work / JOURNAL) and os.path.lexists(work / POINTER):
            try:
                primary: Path | None = _norm(root / (work / POINTER).read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError):
                primary = None
            if primary is not None and primary.is_dir():
                with locked([primary]):
                    journal = _load(primary)
                    if journal is not None and any(r.resolve() == root.resolve() for r in journal.roots):
                        _recover_primary(primary)
            _rmtree(work)  # stale: its primary no longer lists it, or has just settled it
            return
        _recover_primary(root)


def _recover_primary(primary: Path) -> None:
    work = primary / TXN
    journal = _load(primary)
    if journal is None:  # never got as far as a journal: no other root was touched
        _rmtree(work)
        return
    with locked(journal.roots):
        if os.path.lexists(work / ABORTED):
            _undo(journal)
        elif os.path.lexists(work / COMMITTED):
            try:
                _forward(journal)
            except WriteError:
                _abort(journal)
        _finish(journal)


def commit(plans: Sequence[Plan]) -> list[Plan]:
    """Write ``plans`` as one transaction (see the module docstring); return them as re-planned
    under the lock, i.e. what was written. Raises ``WriteError`` (the tree as it was) or ``Busy``."""
    if not plans:
        return []
    roots: dict[Path, Path] = {}
    for p in plans:
        roots.setdefault(p.root.resolve(), _norm(p.root))
    made = [r for r in roots.values() if not os.path.lexists(r)]
    for root in roots.values():
        if os.path.lexists(root) and not root.is_dir():
            raise WriteError(root, "it is a file, not a folder")
        _mkdirs(root)
    try:
        with locked(roots.values()):
            for root in roots.values():
                recover(root)
            fresh = [_plan(p.root, p.files, p.owned) if p.owned is not None else p for p in plans]
            _transact(list(roots), list(roots.values()), fresh)
    except BaseException as exc:
        if not isinstance(exc, Busy):  # a busy root is another run's to keep
            for root in made:
                with contextlib.suppress(OSError):
                    root.rmdir()
        raise
    return fresh


def apply(p: Plan) -> None:
    """Write one plan (a transaction of its own)."""
    commit([p])


def _transact(keys: list[Path], roots: list[Path], plans: list[Plan]) -> None:
    ops: list[_Op] = []
    texts: dict[int, bytes] = {}
    for p in plans:
        r = keys.index(p.root.resolve())
        for path in p.removed:
            if os.path.lexists(p.root / path):
                ops.append(_Op(r, "remove", path))
        for path in (*p.added, *p.changed):
            texts[len(ops)] = p.files[path].encode("utf-8")
            ops.append(_Op(r, "change" if os.path.lexists(p.root / path) else "add", path))
    if not ops:
        return
    # the journal stays in the first root; other roots take part only when they change
    used = [0, *sorted({op.root for op in ops} - {0})]
    ops = [_Op(used.index(op.root), op.kind, op.path) for op in ops]
    journal = _Journal(roots[0], [roots[r] for r in used], ops)
    try:
        _stage(journal, texts)
    except BaseException as exc:
        with contextlib.suppress(WriteError):  # left over, the next run deletes it
            _finish(journal)  # roll back: nothing outside the work folders has changed
        if isinstance(exc, WriteError):
            raise WriteError(exc.path, exc.reason) from None
        raise
    try:
        _forward(journal)
    except WriteError as exc:
        try:
            _abort(journal)
            _finish(journal)
        except WriteError:
            raise WriteError(exc.path, exc.reason, _unsettled(exc, journal)) from None
        raise WriteError(exc.path, exc.reason) from None
    _finish(journal)


def _unsettled(exc: WriteError, journal: _Journal) -> str:
    return (
        f"cannot write {exc.path}: {exc.reason}; the undo failed too, and "
        f"{journal.primary / TXN} records it: the next sdkgen run completes the undo"
    )


@contextlib.contextmanager
def _naming(path: Path) -> Iterator[None]:
    """Report a failure inside the work folder as a failure to write ``path``."""
    try:
        yield
    except WriteError as exc:
        raise WriteError(path, exc.reason) from None


def _stage(journal: _Journal, texts: dict[int, bytes]) -> None:
    """Steps 2 to 5."""
    primary = journal.primary
    with _naming(primary):
        _mkdirs(primary / TXN / "new")
        _mkdirs(primary / TXN / "old")
        record = {
            "roots": [os.path.relpath(r, primary) for r in journal.roots],
            "ops": [[op.root, op.kind, op.path] for op in journal.ops],
        }
        _write_new(primary / TXN / JOURNAL, json.dumps(record, indent=0).encode("utf-8"))
        _fsync_dir(primary / TXN)
    for root in journal.roots[1:]:
        with _naming(root):
            _mkdirs(root / TXN)
            _write_new(root / TXN / POINTER, os.path.relpath(primary, root).encode("utf-8"))
            _mkdirs(root / TXN / "new")
            _mkdirs(root / TXN / "old")
    _stage_many(
        [
            (journal.target(op), journal.work(op) / "new" / str(i), texts[i])
            for i, op in enumerate(journal.ops)
            if op.kind != "remove"
        ]
    )
    for i, op in enumerate(journal.ops):
        with _naming(journal.target(op)):
            if op.kind != "add":
                _backup(journal.target(op), journal.work(op) / "old" / str(i))
    for root in journal.roots:
        with _naming(root):
            for folder in (root / TXN / "new", root / TXN / "old", root / TXN):
                _fsync_dir(folder)
    with _naming(primary):
        _write_new(primary / TXN / COMMITTED, b"")
        _fsync_dir(primary / TXN)


def _forward(journal: _Journal) -> None:
    """Step 6: idempotent, so recovery can run it again from any point."""
    touched: set[Path] = set()
    for i, op in enumerate(journal.ops):
        target = journal.target(op)
        if op.kind == "remove":
            if os.path.lexists(target):
                _unlink(target)
                _prune(journal.roots[op.root], target.parent)
            continue
        staged = journal.work(op) / "new" / str(i)
        if os.path.lexists(staged):
            _mkdirs(target.parent)
            _step()
            with _at(target):
                os.replace(staged, target)
        touched.add(target.parent)
    for folder in sorted(touched):
        _fsync_dir(folder)


def _abort(journal: _Journal) -> None:
    if not os.path.lexists(journal.primary / TXN / ABORTED):
        _write_new(journal.primary / TXN / ABORTED, b"")
        _fsync_dir(journal.primary / TXN)
    _undo(journal)


def _undo(journal: _Journal) -> None:
    """Put back what ``_forward`` did, in reverse; idempotent like it."""
    for i, op in reversed(list(enumerate(journal.ops))):
        target = journal.target(op)
        if op.kind == "add":
            if not os.path.lexists(journal.work(op) / "new" / str(i)) and os.path.lexists(target):
                _unlink(target)
                _prune(journal.roots[op.root], target.parent)
            continue
        backup = journal.work(op) / "old" / str(i)
        if os.path.lexists(backup):
            _mkdirs(target.parent)
            _step()
            with _at(target):
                os.rename(backup, target)


def _finish(journal: _Journal) -> None:
    """Step 7: COMMITTED first, then the other roots' work folders, then the primary's."""
    work = journal.primary / TXN
    if os.path.lexists(work / COMMITTED):
        _unlink(work / COMMITTED)
        _fsync_dir(work)
    for root in journal.roots[1:]:
        if _ours(root, journal.primary):
            _rmtree(root / TXN)
    _rmtree(work / "new")
    _rmtree(work / "old")
    if os.path.lexists(work / ABORTED):
        _unlink(work / ABORTED)
    _rmtree(work)

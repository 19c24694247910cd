"""The writer's whole-tree transactions: a kill at any step leaves the old tree or the new one
(never a mixture, never a leftover work file after the next run), concurrent runs are serialized
by a lock, and a file-system error is one line, exit 2, with the old tree byte-identical.

The mini specs come in two versions: NEW is tests/fixtures/specs/mini; OLD lacks PlayTts, has an
extra action GetCallDetail, so going from OLD to NEW adds, changes and removes files.
"""

from __future__ import annotations

import argparse
import errno
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from generator.cli import main
from generator.cli.commands import plans as cli_plans
from generator.output import writer
from generator.output.generate import load_checked, owned, render_all
from generator.output.writer import TXN, Plan, WriteError, commit, existing_files, plan, recover

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests/fixtures/specs/mini"
OWNED = owned(None)
SIDE_OWNED = ("schema",)
# a second root in the same transaction, like specs/schema/ beside generated/
SIDE_OLD = {"schema/a.json": "A1\n", "schema/b.json": "B1\n", "schema/deep/d.json": "D1\n"}
SIDE_NEW = {"schema/b.json": "B2\n", "schema/c.json": "C2\n"}


def make_old(specs: Path) -> Path:
    shutil.copytree(MINI, specs)
    (specs / "actions/PlayTts.yaml").unlink()
    text = (MINI / "actions/GetCall.yaml").read_text(encoding="utf-8")
    (specs / "actions/GetCallDetail.yaml").write_text(
        text.replace("action: GetCall\n", "action: GetCallDetail\n"), encoding="utf-8"
    )
    return specs


@pytest.fixture(scope="module")
def trees(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Templates frozen for the module, both spec versions, and their rendered trees."""
    base = tmp_path_factory.mktemp("versions")
    templates = base / "templates"
    shutil.copytree(ROOT / "templates", templates, ignore=shutil.ignore_patterns("__pycache__"))
    old, new = make_old(base / "old"), base / "new"
    shutil.copytree(MINI, new)
    old_files = render_all(load_checked(old), templates)
    new_files = render_all(load_checked(new), templates)
    assert old_files != new_files
    return {"templates": templates, "old": old, "new": new, "old_files": old_files, "new_files": new_files}


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def leftovers(*roots: Path) -> list[Path]:
    return [p for r in roots for p in r.rglob("*") if p.name == TXN or p.name.endswith(".tmp")]


def fork(job: Callable[[], None], kill_after: int | None) -> tuple[bool, int]:
    """Run ``job`` in a forked child with the kill hook set; (killed, file operations it did)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        code = 0
        try:
            os.close(read)
            if kill_after is not None:
                os.environ["SDKGEN_TEST_KILL_AFTER_OPS"] = str(kill_after)
            writer._Ops.count = 0
            try:
                job()
            except WriteError:
                code = 2
            os.write(write, str(writer._Ops.count).encode())
        except BaseException:
            code = 3
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read) as pipe:
        done = pipe.read()
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        assert os.WTERMSIG(status) == signal.SIGKILL
        return True, -1
    assert os.WEXITSTATUS(status) in (0, 2), f"the child failed with {os.WEXITSTATUS(status)}"
    return False, int(done)


class Scene:
    """An output root and a side root holding the OLD trees; plans to the NEW ones."""

    def __init__(self, base: Path, trees: dict[str, object]) -> None:
        self.base, self.trees = base, trees
        self.out, self.side = base / "out", base / "side"

    def files(self, version: str) -> dict[str, str]:
        files = self.trees[f"{version}_files"]
        assert isinstance(files, dict)
        return files

    def plans(self, version: str) -> list[Plan]:
        side = SIDE_OLD if version == "old" else SIDE_NEW
        return [plan(self.out, self.files(version), OWNED), plan(self.side, side, SIDE_OWNED)]

    def which(self) -> str:
        """'old' or 'new', as the readers (which settle first) see both roots; never a mixture."""
        seen = []
        for version in ("old", "new"):
            if all(p.in_sync for p in self.plans(version)):
                seen.append(version)
        out_old = plan(self.out, self.files("old"), OWNED).in_sync
        side_old = plan(self.side, SIDE_OLD, SIDE_OWNED).in_sync
        assert out_old == side_old, f"a mixture: output old={out_old}, side old={side_old}"
        assert len(seen) == 1, f"the tree is {seen or 'neither version'}"
        return seen[0]


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Path]:
    """Where the sweeps copy trees: a tmpfs when there is one (SIGKILL does not care about fsync,
    and a tmpfs makes the hundreds of copies cheap), else pytest's tmp_path."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    folder = Path(tempfile.mkdtemp(prefix="sdkgen-writer-", dir=shm))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def scene(scratch: Path, trees: dict[str, object]) -> Iterator[Scene]:
    s = Scene(scratch / "start", trees)
    commit(s.plans("old"))
    yield s


def reset(scene: Scene, work: Path) -> Scene:
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(scene.base, work, symlinks=True)
    return Scene(work, scene.trees)


def test_a_kill_after_any_number_of_operations_leaves_old_or_new(scene: Scene, scratch: Path) -> None:
    old_snap = {r: snapshot(getattr(scene, r)) for r in ("out", "side")}
    results: list[str] = []
    n = 0
    while True:
        s = reset(scene, scratch / "work")
        new_plans = s.plans("new")
        killed, total = fork(lambda p=new_plans: _ignore(commit(p)), n)
        results.append(s.which())
        assert not leftovers(s.out, s.side), f"kill after {n}: work files survived the next run"
        if results[-1] == "old":
            assert {r: snapshot(getattr(s, r)) for r in ("out", "side")} == old_snap
        if not killed:
            break
        n += 1
    assert total == n and n > 40, n  # every step of a real transaction was a kill point
    assert results[-1] == "new" and results[0] == "old"
    flips = sum(a != b for a, b in zip(results, results[1:], strict=False))
    assert flips == 1, f"old until the commit point, new from it on: {results}"


def _ignore(_: object) -> None:
    pass


@pytest.mark.parametrize("where", [0.3, 0.55, 0.75, 0.95])
def test_a_kill_while_recovering_still_settles(scene: Scene, scratch: Path, where: float) -> None:
    """Killed in the write, then killed again at every step of the recovery of that kill."""
    s = reset(scene, scratch / "first")
    plans = s.plans("new")
    _, total = fork(lambda: _ignore(commit(plans)), None)
    s = reset(scene, scratch / "first")
    plans = s.plans("new")
    killed, _ = fork(lambda: _ignore(commit(plans)), int(total * where))
    assert killed
    crashed = scratch / "crashed"
    shutil.move(s.base, crashed)
    expected: str | None = None
    m = 0
    while True:
        work = scratch / "work"
        if work.exists():
            shutil.rmtree(work)
        shutil.copytree(crashed, work)
        r = Scene(work, scene.trees)
        killed, _ = fork(lambda r=r: _ignore((recover(r.side), recover(r.out))), m)
        state = r.which()
        expected = expected or state
        assert state == expected, f"recovery killed after {m} steps changed the outcome"
        assert not leftovers(r.out, r.side)
        if not killed:
            break
        m += 1


def test_a_failed_write_killed_while_undoing_leaves_the_old_tree(
    scene: Scene, scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last rename fails (an immutable file), so the done steps are undone; a kill anywhere in
    that undo still ends with the old tree."""
    old_snap = {r: snapshot(getattr(scene, r)) for r in ("out", "side")}
    last = sorted(scene.files("new"))[-1]
    real = os.replace

    def refuse(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if str(dst).endswith(last):
            raise OSError(errno.EPERM, "Operation not permitted")
        real(src, dst)

    n = 0
    while True:
        s = reset(scene, scratch / "work")
        plans = s.plans("new")

        def job(plans: list[Plan] = plans) -> None:
            monkeypatch.setattr(os, "replace", refuse)  # in the child only
            commit(plans)

        killed, _ = fork(job, n)
        assert s.which() in ("old", "new")
        if not killed:
            assert s.which() == "old"
            assert {r: snapshot(getattr(s, r)) for r in ("out", "side")} == old_snap
            assert not leftovers(s.out, s.side)
            break
        n += 1
    assert n > 40


def sdkgen(*args: str, cwd: Path, env: dict[str, str] | None = None, **kw: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "generator", *args], cwd=cwd, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )  # fmt: skip


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    proc = sdkgen(*args, cwd=cwd, env=env)
    out, err = proc.communicate(timeout=300)
    return proc.returncode, out, err


def check_in_sync(specs: Path, out: Path, templates: Path, capsys: pytest.CaptureFixture[str]) -> bool:
    capsys.readouterr()
    code = main(["check", "--specs", str(specs), "--output", str(out), "--templates", str(templates)])
    capsys.readouterr()
    assert code in (0, 1)
    return code == 0


def test_sdkgen_generate_killed_at_sampled_steps(
    tmp_path: Path, trees: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> None:
    """The real command in a subprocess, SIGKILLed inside its write; then `sdkgen check` against
    the OLD and the NEW specs: exactly one is in sync, and no work file is left."""
    templates = trees["templates"]
    assert isinstance(templates, Path)
    old = tmp_path / "old"
    shutil.copytree(trees["old"], old)  # type: ignore[arg-type]
    start = tmp_path / "start"
    assert run("generate", "--specs", str(old), "--output", str(start), "--templates", str(templates),
               cwd=tmp_path)[0] == 0  # fmt: skip
    # how many file operations the full write takes, to spread the kill points over it
    probe = tmp_path / "probe"
    shutil.copytree(start, probe / "out")
    shutil.copytree(trees["new"], probe / "new")  # type: ignore[arg-type]
    args = argparse.Namespace(specs=str(probe / "new"), output=str(probe / "out"), templates=str(templates))
    probe_plans = cli_plans(args)
    _, total = fork(lambda: _ignore(commit(probe_plans)), None)
    assert total > 40
    seen = set()
    for n in (total // 4, total // 2 + 3, total - 2):
        out, new = tmp_path / f"out{n}", tmp_path / f"new{n}"
        shutil.copytree(start, out)
        shutil.copytree(trees["new"], new)  # type: ignore[arg-type]
        args = ("generate", "--specs", str(new), "--output", str(out), "--templates", str(templates))
        code, _, err = run(*args, cwd=tmp_path, env={"SDKGEN_TEST_KILL_AFTER_OPS": str(n)})
        assert code == -signal.SIGKILL, err
        is_old = check_in_sync(old, out, templates, capsys)
        is_new = check_in_sync(new, out, templates, capsys)
        assert is_old != is_new, f"kill after {n} of {total}: old={is_old} new={is_new}"
        assert (new / "schema").is_dir() == is_new, "specs/schema/ and the output moved together"
        assert not leftovers(out, new, old)
        seen.add("new" if is_new else "old")
    assert seen == {"old", "new"}


def test_two_overlapping_runs_end_in_one_version(tmp_path: Path, trees: dict[str, object],
                                                 capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    templates = trees["templates"]
    assert isinstance(templates, Path)
    old, new, out = tmp_path / "old", tmp_path / "new", tmp_path / "out"
    shutil.copytree(trees["old"], old)  # type: ignore[arg-type]
    shutil.copytree(trees["new"], new)  # type: ignore[arg-type]
    for _ in range(1):
        procs = [sdkgen("generate", "--specs", str(s), "--output", str(out), "--templates", str(templates),
                        cwd=tmp_path) for s in (old, new)]  # fmt: skip
        results = [(p.wait(timeout=300), p.stderr.read() if p.stderr else "") for p in procs]
        for code, err in results:
            assert code == 0 or (code == 2 and "another sdkgen run is writing" in err), err
            assert "Traceback" not in err
        assert any(code == 0 for code, _ in results)
        assert check_in_sync(old, out, templates, capsys) != check_in_sync(new, out, templates, capsys)
        assert not leftovers(out, old, new)


@pytest.fixture
def generated(tmp_path: Path, trees: dict[str, object]) -> tuple[Path, Path, Path]:
    templates = trees["templates"]
    assert isinstance(templates, Path)
    specs, out = tmp_path / "specs", tmp_path / "out"
    old_files = trees["old_files"]
    assert isinstance(old_files, dict)
    commit([plan(out, old_files, OWNED)])  # what `sdkgen generate` wrote for the OLD specs
    shutil.copytree(trees["new"], specs)  # type: ignore[arg-type]
    return specs, out, templates


def hold(folder: Path) -> int:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def test_a_held_lock_is_waited_for_or_reported_in_one_line(generated: tuple[Path, Path, Path]) -> None:
    specs, out, templates = generated
    before = snapshot(out)
    fd = hold(out)
    try:
        args = ("generate", "--specs", str(specs), "--output", str(out), "--templates", str(templates))
        code, _, err = run(*args, cwd=out.parent, env={"SDKGEN_LOCK_TIMEOUT": "0.5"})
        assert code == 2 and err.count("\n") == 1, err
        assert err == (f"sdkgen: error: another sdkgen run is writing {out} (pid {os.getpid()}); "
                       "try again when it has finished\n")  # fmt: skip
        assert snapshot(out) == before
        code, _, err = run("check", *args[1:], cwd=out.parent, env={"SDKGEN_LOCK_TIMEOUT": "0.5"})
        assert code == 2 and "another sdkgen run is writing" in err, "check does not wait forever"
        waiting = sdkgen(*args, cwd=out.parent)
        time.sleep(1.5)
        assert waiting.poll() is None, "it waits for the lock"
    finally:
        os.close(fd)
    out_text, err = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, err
    assert "added" in out_text and not leftovers(out)


@pytest.mark.parametrize(
    ("when", "code"),
    [
        ("staging", errno.ENOSPC),
        ("staging", errno.EROFS),
        ("renaming", errno.EROFS),
        ("renaming", errno.EACCES),
        ("renaming", errno.EPERM),
    ],
    ids=["staging-full", "staging-read-only", "renaming-read-only", "renaming-denied", "renaming-immutable"],
)
def test_a_file_system_error_is_one_line_and_changes_nothing(
    generated: tuple[Path, Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    code: int,
    when: str,
) -> None:
    specs, out, templates = generated
    before, specs_before = snapshot(out), snapshot(specs)
    victim = "python/src/minivms/models/play_tts.py"  # an added file, late in the write
    real_replace, real_write = os.replace, os.write

    def failing_replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if str(dst).endswith(victim):
            raise OSError(code, os.strerror(code))
        real_replace(src, dst)

    def failing_write(fd: int, data: bytes | memoryview) -> int:
        if b"PlayTts" in bytes(data):
            raise OSError(code, os.strerror(code))
        return real_write(fd, data)

    if when == "renaming":
        monkeypatch.setattr(os, "replace", failing_replace)
    else:
        monkeypatch.setattr(os, "write", failing_write)
    capsys.readouterr()
    result = main(["generate", "--specs", str(specs), "--output", str(out), "--templates", str(templates)])
    err = capsys.readouterr().err
    assert result == 2
    assert err.count("\n") == 1 and err.startswith("sdkgen: error: cannot write ") and str(out) in err, err
    assert os.strerror(code) in err and "nothing was changed" in err
    if when == "renaming":
        assert victim in err
    assert snapshot(out) == before and snapshot(specs) == specs_before
    assert not leftovers(out, specs)


def test_an_output_path_that_is_a_file_is_one_line(tmp_path: Path, trees: dict[str, object]) -> None:
    out = tmp_path / "out"
    out.write_text("not a folder\n")
    args = ("--specs", str(trees["new"]), "--output", str(out), "--templates", str(trees["templates"]))
    code, _, err = run("generate", *args, "--target", "python", cwd=tmp_path)
    assert code == 2
    assert err == f"sdkgen: error: cannot write {out}: it is a file, not a folder; nothing was changed\n"
    assert out.read_text() == "not a folder\n"


def test_a_file_where_a_folder_is_needed_undoes_every_step(generated: tuple[Path, Path, Path]) -> None:
    """As root, chmod stops nothing; a file in the way of a folder does: samples/python is made a
    file, so the renames before it are undone and the old tree stays byte-identical."""
    specs, out, templates = generated
    shutil.rmtree(out / "samples/python")
    (out / "samples/python").write_text("in the way\n")
    before, specs_before = snapshot(out), snapshot(specs)
    code, _, err = run("generate", "--specs", str(specs), "--output", str(out), "--templates", str(templates),
                       cwd=out.parent)  # fmt: skip
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    why = "it is a file, where a folder is needed; nothing was changed"
    assert err == f"sdkgen: error: cannot write {out}/samples/python: {why}\n"
    assert snapshot(out) == before and snapshot(specs) == specs_before
    assert not leftovers(out, specs)


def test_work_folders_are_not_output_files(tmp_path: Path) -> None:
    (tmp_path / "python" / TXN / "new").mkdir(parents=True)
    (tmp_path / "python" / TXN / "new" / "0").write_text("staged")
    (tmp_path / "python" / "a.py").write_text("a")
    assert existing_files(tmp_path, ("python",)) == {"python/a.py"}


def test_an_owned_file_is_listed_and_removed_like_a_folder_s_files(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n")
    (tmp_path / "other.yml").write_text("not ours\n")
    assert existing_files(tmp_path, ("mkdocs.yml", "docs")) == {"mkdocs.yml"}
    assert plan(tmp_path, {}, ("mkdocs.yml",)).removed == ("mkdocs.yml",)


def test_a_stale_secondary_work_folder_is_removed_by_any_reader(tmp_path: Path) -> None:
    """A pointer to a primary without a journal: left by a roll back that was itself killed."""
    side = tmp_path / "side"
    (side / TXN / "new").mkdir(parents=True)
    (side / TXN / "new" / "3").write_text("staged")
    (side / TXN / "primary").write_text("../out")
    (tmp_path / "out").mkdir()
    result = plan(side, {"schema/a.json": "A"}, SIDE_OWNED)
    assert result.added == ("schema/a.json",) and not (side / TXN).exists()


def test_the_journal_names_roots_relative_to_the_primary(scene: Scene, scratch: Path) -> None:
    s = reset(scene, scratch / "work")
    plans = s.plans("new")
    total = fork(lambda: _ignore(commit(plans)), None)[1]
    s = reset(scene, scratch / "work")
    plans = s.plans("new")
    # kill right after the commit point: the journal is complete and COMMITTED exists
    for n in range(total):
        s = reset(scene, scratch / "work")
        plans = s.plans("new")
        fork(lambda p=plans: _ignore(commit(p)), n)
        if (s.out / TXN / "COMMITTED").exists():
            break
    journal = json.loads((s.out / TXN / "journal.json").read_text())
    assert journal["roots"] == [".", "../side"]
    assert (s.side / TXN / "primary").read_text() == "../out"
    moved = scratch / "moved"
    shutil.move(s.base, moved)  # the whole project moved between the kill and the next run
    assert Scene(moved, scene.trees).which() == "new"

"""``sdkgen diff --base REF``: the specs directory as it was at a git commit, extracted to a folder.

``git archive REF -- <specs path>`` streams the tree of that commit (committed content only, so
the working copy is never touched) and it is unpacked into a caller's temporary folder. Every
failure is a ``GitError`` with a message meant for the user: not a git work tree, unknown ref,
specs absent at that commit, git not installed.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path


class GitError(Exception):
    pass


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, timeout=120)
    except FileNotFoundError:
        raise GitError("git is not installed (needed by --base)") from None


def specs_at(ref: str, specs: Path, dest: Path) -> tuple[Path, str]:
    """Unpack the ``specs`` directory of commit ``ref`` under ``dest``; return it and its label."""
    specs = specs.resolve()
    start = next((p for p in (specs, *specs.parents) if p.is_dir()), Path.cwd())
    top = _git(start, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise GitError(f"{specs} is not inside a git work tree, so --base {ref} has nothing to compare with")
    root = Path(top.stdout.decode().strip()).resolve()
    commit = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if commit.returncode != 0 or ref.startswith("-"):
        raise GitError(f"unknown git ref '{ref}' (try 'git fetch', or a branch, tag or commit that exists)")
    try:
        rel = specs.relative_to(root).as_posix()
    except ValueError:
        raise GitError(f"{specs} is outside the git work tree {root}") from None
    archive = _git(root, "archive", "--format=tar", commit.stdout.decode().strip(), "--", rel)
    if archive.returncode != 0:
        raise GitError(f"{rel}/ does not exist at {ref}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(dest, filter="data")
    return dest / rel, f"{ref}:{rel}"

"""Format stage: every generated .py file through ruff's formatter, pinned, in one batch.

Formatting is part of the output's definition: the same formatter version with the same options
on every machine is what makes generation byte-for-byte reproducible. The style is black's
(line length 110, Python 3.11): ruff's formatter produces black's output for the code our
templates write, hundreds of times faster, and the test suite runs the pinned black in
``--check`` mode over generated/ to prove it stays so. Templates avoid the few constructs where
the two differ (a long annotation with a default: the per-action method modules keep those short).

``Formatter.format_many`` writes the sources into one temporary directory, runs ruff once and
reads them back; a source seen before in the same run is not formatted again. ruff runs with
``--isolated``: a user's ruff configuration never changes what sdkgen writes. A source ruff
cannot parse is our bug (a template wrote invalid Python): ``FormatError`` carries ruff's message.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import metadata
from pathlib import Path

LINE_LENGTH = 110
TARGET_VERSION = "py311"
_OPTIONS = (
    "--isolated",
    "--no-cache",
    "--line-length",
    str(LINE_LENGTH),
    "--target-version",
    TARGET_VERSION,
    "--config",
    'format.line-ending = "lf"',
)


class FormatError(Exception):
    """The formatter refused a generated source: a template or generator bug, not a user error."""


@cache
def _ruff() -> str:
    """The binary of the ruff package installed beside sdkgen (the pinned one, not one on PATH)."""
    finder = importlib.import_module("ruff.__main__").find_ruff_bin
    return os.fsdecode(finder())


@cache
def identity() -> str:
    """What the formatted bytes depend on besides the source: the formatter and its options."""
    return f"ruff {metadata.version('ruff')} {' '.join(_OPTIONS)}"


def is_python(path: str) -> bool:
    return path.endswith(".py")


class Formatter:
    """Formats Python sources, each distinct source once per instance."""

    def __init__(self) -> None:
        self._done: dict[str, str] = {}

    def format_many(self, sources: Iterable[str]) -> list[str]:
        """The formatted text of each source, in order."""
        sources = list(sources)
        todo = sorted({s for s in sources if s not in self._done})
        if todo:
            self._done.update(zip(todo, _run_ruff(todo), strict=True))
        return [self._done[s] for s in sources]

    def format(self, source: str) -> str:
        return self.format_many([source])[0]

    def format_tree(self, files: Mapping[str, str]) -> dict[str, str]:
        """``files`` with every .py file formatted; other files as they are."""
        python = [p for p in files if is_python(p)]
        done = dict(zip(python, self.format_many(files[p] for p in python), strict=True))
        return {path: done.get(path, text) for path, text in files.items()}


def scratch_dir() -> str | None:
    """A memory-backed folder for short-lived work files when the system has one (Linux), else
    None (the system's temporary folder): the formatter's and the model generator's files."""
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None


def _run_ruff(sources: list[str]) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="sdkgen-format-", dir=scratch_dir()) as tmp:
        # Flat numbered names: no generated path can fall under one of ruff's default exclusions.
        paths = [Path(tmp, f"{i:06d}.py") for i in range(len(sources))]
        for path, source in zip(paths, sources, strict=True):
            path.write_bytes(source.encode("utf-8"))
        done = subprocess.run(
            [_ruff(), "format", *_OPTIONS, tmp],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise FormatError(_explain(done.stderr, sources, tmp))
        return [path.read_bytes().decode("utf-8") for path in paths]


def _explain(stderr: str, sources: list[str], tmp: str) -> str:
    """ruff's complaint, with the numbered file it names replaced by the source's first lines."""
    message = stderr.strip() or "ruff format failed"
    for i, source in enumerate(sources):
        name = f"{i:06d}.py"
        if name in message:
            head = "\n".join(source.splitlines()[:8])
            return f"{message.replace(tmp + os.sep, '')}\nthe source begins:\n{head}"
    return message


def format_python(source: str) -> str:
    """One source, formatted (for callers outside a generation run, such as the tests)."""
    return Formatter().format(source)

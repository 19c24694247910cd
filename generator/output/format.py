"""Format stage: black, in-process and pinned (see pyproject.toml), on every generated .py file.

Formatting is part of the output's definition: the same black version on every machine is what
makes generation byte-for-byte reproducible. Black failing means we generated invalid Python,
which is our bug, so its error propagates.
"""

from __future__ import annotations

import black
from black.mode import TargetVersion
from black.report import NothingChanged

_MODE = black.Mode(target_versions={TargetVersion.PY311}, line_length=110)


def format_python(source: str) -> str:
    try:
        return black.format_str(source, mode=_MODE)
    except NothingChanged:
        return source


def format_tree(files: dict[str, str]) -> dict[str, str]:
    return {path: format_python(text) if path.endswith(".py") else text for path, text in files.items()}

"""What every command shares: exit codes, the project's settings, paths, and how paths are shown.

The CLI is the only part of sdkgen that prints or exits; this module only decides. ``project``
finds the nearest ``pyproject.toml`` with a ``[tool.sdkgen]`` table, so sdkgen runs from any
folder of a project; outside one, it needs ``--specs`` (and, to generate, ``--output``).
"""

from __future__ import annotations

import argparse
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

EXIT_OK, EXIT_DRIFT, EXIT_INVALID, EXIT_INTERNAL = 0, 1, 2, 3


DEFAULTS = {"specs": "specs", "templates": "templates", "output": "generated"}
BUNDLED_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


class UsageError(Exception):
    """The command line or the project is wrong: one line for the user, exit 2, no traceback."""


@dataclass(frozen=True)
class Paths:
    specs: Path
    templates: Path
    output: Path
    cache: Path | None  # the render cache (generator.output.engine); None with --no-cache


CACHE_FOLDER = ".sdkgen-cache"


def _cache(args: argparse.Namespace, root: Path | None) -> Path | None:
    """``$SDKGEN_CACHE_DIR``, else ``.sdkgen-cache/`` in the project, else the user's cache."""
    if getattr(args, "no_cache", False):
        return None
    chosen = os.environ.get("SDKGEN_CACHE_DIR")
    if chosen:
        return Path(chosen)
    if root is not None:
        return root / CACHE_FOLDER
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sdkgen"


def _project(start: Path) -> tuple[Path, dict[str, str]] | None:
    """The project root (nearest pyproject.toml with [tool.sdkgen]) and its settings."""
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise UsageError(f"{candidate}: cannot read it as TOML ({exc})") from None
            settings = data.get("tool", {}).get("sdkgen")
            if isinstance(settings, dict):
                return folder, settings
    return None


def project_root() -> Path:
    """The folder of the nearest pyproject.toml with [tool.sdkgen]; the working directory outside one."""
    found = _project(Path.cwd())
    return found[0] if found is not None else Path.cwd()


def paths(args: argparse.Namespace, *, must_exist: bool = True) -> Paths:
    """specs, templates and output directories: flags first, then [tool.sdkgen], then defaults.

    Outside a project the defaults are relative to the working directory. Raises ``UsageError``
    when the specs directory does not exist, saying whether a project was found.
    """
    found = _project(Path.cwd())
    root, settings = found if found is not None else (Path.cwd(), {})

    def pick(key: str) -> Path:
        value = getattr(args, key, None)
        return Path(value) if value else root / settings.get(key, DEFAULTS[key])

    specs = pick("specs")
    if must_exist and not specs.is_dir():
        if found is None and not getattr(args, "specs", None):
            raise UsageError(
                "not inside an sdkgen project (no pyproject.toml with a [tool.sdkgen] table here or "
                "above, and no ./specs): run sdkgen from the project, or give --specs DIR"
            )
        raise UsageError(f"the specs directory {show(specs)} does not exist: give --specs DIR")
    templates = pick("templates")
    if not templates.is_dir() and not getattr(args, "templates", None):
        templates = BUNDLED_TEMPLATES
    return Paths(specs, templates, pick("output"), _cache(args, found[0] if found else None))


def show(path: Path) -> str:
    """``path`` relative to the working directory when it is inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix() or "."
    except ValueError:
        return path.as_posix()

"""Targets: what the IR becomes. One package per target under generator/targets/, found here.

A target is an object with the ``Target`` protocol below, exported as ``TARGET`` by its package
(``generator/targets/<name>/__init__.py``); templates live under ``templates/<name>/``. Adding a
target is adding that folder: ``registry`` discovers it, and ``sdkgen generate --target <name>``,
``render_all`` and ``sdkgen validate`` pick it up.

Each target owns its naming policy (``naming.py`` in its package), checks its names against the
IR (``check``: collisions and reserved words, as located diagnostics) and renders the IR into
``{path: text}`` under the output folders it ``owns``. A code target (a language) also gives the
docs target its samples (``CodeTarget``), so a second language adds a tab to every page.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol, runtime_checkable

from generator.frontend import ir
from generator.frontend.diagnostics import Diagnostic
from generator.output.render import Renderer

_NOT_TARGETS = {"common"}


@dataclass(frozen=True)
class Context:
    """What every target renders with: the Jinja environment over templates/ and its root."""

    renderer: Renderer
    templates: Path


@dataclass(frozen=True)
class SampleFile:
    """One runnable sample program of a code target, formatted: what the docs embed byte for byte."""

    path: str  # relative to the output root, e.g. samples/python/ivr_call.py
    title: str  # the tab's label, e.g. "Python (sync)"
    language: str  # the Markdown fence's language, e.g. "python"
    source: str


@dataclass(frozen=True)
class Guide:
    """What the docs need of one language's SDK beyond its samples."""

    language: str
    root_error: str  # the class every error derives from (the error table names it)
    user_agent: str  # the SDK's User-Agent, shown in the pages' example requests
    section: str  # this language's part of the getting-started page, Markdown under a "## <language>"


class Target(Protocol):
    name: str
    owns: tuple[str, ...]  # output folders it writes, relative to the output root

    def applies(self, api: ir.Api) -> bool:
        """Whether the specs ask for this target (a language needs its ``sdk.targets`` entry)."""
        ...

    def check(self, api: ir.Api) -> list[Diagnostic]:
        """Names this target would emit that collide or are reserved, at their spec positions."""
        ...

    def render(self, api: ir.Api, ctx: Context) -> dict[str, str]:
        """``{path under the output root: final text}``, formatted."""
        ...


@runtime_checkable
class CodeTarget(Target, Protocol):
    """A target that is a language: it has samples and names for the docs."""

    language: str  # shown in the docs, e.g. "Python"

    def samples(self, api: ir.Api, action: ir.Action, ctx: Context) -> tuple[SampleFile, ...]:
        """The runnable samples of one action (the docs embed them; the target writes them)."""
        ...

    def method_of(self, api: ir.Api, action: ir.Action) -> str:
        """How the docs name the action's call in this language, e.g. ``Client.ivr_call``."""
        ...

    def member_of(self, field: ir.Field) -> str:
        """The name of a field in this language's models, e.g. ``called_number``."""
        ...

    def guide(self, api: ir.Api, ctx: Context) -> Guide:
        """The facts and programs of the getting-started page for this language."""
        ...


@cache
def registry() -> dict[str, Target]:
    """Every target under generator/targets/, by name, in name order."""
    found: dict[str, Target] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.ispkg or info.name in _NOT_TARGETS:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        target: Target = module.TARGET
        found[target.name] = target
    return found


def code_targets(api: ir.Api) -> tuple[CodeTarget, ...]:
    """The language targets the specs ask for, in name order: each gives the docs a tab."""
    return tuple(t for t in registry().values() if isinstance(t, CodeTarget) and t.applies(api))

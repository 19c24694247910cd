"""Targets: what the IR becomes. One package per target under generator/targets/, found here.

A target is an object with the ``Target`` protocol below, exported as ``TARGET`` by its package
(``generator/targets/<name>/__init__.py``); templates live under ``templates/<name>/``. Adding a
target is adding that folder: ``registry`` discovers it, and ``sdkgen generate --target <name>``,
``render_all`` and ``sdkgen validate`` pick it up.

Each target owns its naming policy (``naming.py`` in its package), checks its names against the
IR (``check``: collisions and reserved words, as located diagnostics) and renders the IR into
``{path: text}`` under the output folders it ``owns``. A code target (a language) also gives the
docs target its samples (``CodeTarget``), so a second language adds a tab to every page.

A target renders in ``Unit``s: pieces of its output, each with a key that names everything its
files depend on (``action_key`` for a piece made from one action, ``api_key`` for one made from
the whole API). The engine (``generator.output.engine``) renders only the units whose keys it has
not seen, in parallel, formats their Python files in one batch and caches the result; equal keys
must promise equal files, which the suite checks by comparing incremental runs with cold ones.
"""

from __future__ import annotations

import hashlib
import importlib
import pkgutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol, runtime_checkable

from generator.frontend import ir
from generator.frontend.diagnostics import Diagnostic
from generator.output.render import Renderer, embed

_NOT_TARGETS = {"common"}


@dataclass(frozen=True)
class Context:
    """What every target renders with: the Jinja environment over templates/ and its root."""

    renderer: Renderer
    templates: Path


@dataclass(frozen=True)
class Unit:
    """A piece of a target's output: ``render()`` gives its files, unformatted.

    ``key`` is text that names everything those files depend on: two runs with equal keys must
    render equal files, and two units of one target never have equal keys (a target with two
    kinds of unit made from the same inputs tells them apart in the key). The engine caches a
    unit's formatted files under its key.
    """

    key: str
    render: Callable[[], dict[str, str]]


class _Keys:
    """The keys of the latest API asked about, each computed once (every target asks)."""

    api: ir.Api | None = None
    whole = ""
    shared = ""
    actions: dict[int, str] = {}

    @classmethod
    def of(cls, api: ir.Api) -> type[_Keys]:
        if cls.api is not api:
            cls.api, cls.whole, cls.actions = api, "", {}
            cls.shared = hashlib.sha256(repr((api.product, api.errors)).encode()).hexdigest()
        return cls

    @classmethod
    def action(cls, action: ir.Action) -> str:
        found = cls.actions.get(id(action))
        if found is None:
            found = cls.actions[id(action)] = repr(action)
        return found


def api_key(api: ir.Api) -> str:
    """The key of a unit made from the whole API."""
    keys = _Keys.of(api)
    if not keys.whole:
        keys.whole = "\0".join([repr(api.changelog), keys.shared, *map(keys.action, api.actions)])
    return keys.whole


def action_key(api: ir.Api, action: ir.Action) -> str:
    """The key of a unit made from one action and what every action shares: the product and the
    error table (its docstrings name error classes; its pages link them)."""
    keys = _Keys.of(api)
    return f"{keys.shared}\0{keys.action(action)}"


@dataclass(frozen=True)
class SampleFile:
    """One runnable sample program of a code target, as the docs embed it byte for byte."""

    path: str  # relative to the output root, e.g. samples/python/ivr_call.py
    title: str  # the tab's label, e.g. "Python (sync)"
    language: str  # the Markdown fence's language, e.g. "python"

    @property
    def source(self) -> str:
        """The file's final text, as a placeholder the engine fills in once it is formatted."""
        return embed(self.path)


@dataclass(frozen=True)
class Guide:
    """What the docs need of one language's SDK beyond its samples."""

    language: str
    root_error: str  # the class every error derives from (the error table names it)
    section: str  # this language's part of the getting-started page, Markdown under a "## <language>"
    receipts: str | None = None  # its part of the receipts page (None: the specs emulate no receipts)


class Target(Protocol):
    name: str
    owns: tuple[str, ...]  # output folders it writes, or files (a name with an extension), from the root

    def applies(self, api: ir.Api) -> bool:
        """Whether the specs ask for this target (a language needs its ``sdk.targets`` entry)."""
        ...

    def check(self, api: ir.Api) -> list[Diagnostic]:
        """Names this target would emit that collide or are reserved, at their spec positions."""
        ...

    def units(self, api: ir.Api, ctx: Context) -> list[Unit]:
        """Its output in units: ``{path under the output root: text}`` each, unformatted."""
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

    def iterators_of(self, api: ir.Api, action: ir.Action) -> str | None:
        """How the docs name the SDK's iterators over a paginated action's pages and items (None:
        the action is not paginated), e.g. ``Client.list_call_task_pages``."""
        ...

    def user_agent(self, api: ir.Api) -> str:
        """The SDK's User-Agent, with placeholders where it varies: the pages' example requests."""
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


def chosen(names: Sequence[str] | None) -> tuple[Target, ...]:
    """The targets by name (all of them when ``names`` is None), in registry order."""
    targets = registry()
    if names is None:
        return tuple(targets.values())
    unknown = sorted(set(names) - targets.keys())
    if unknown:
        raise ValueError(f"unknown target {unknown[0]!r}; the targets are {', '.join(targets)}")
    return tuple(t for name, t in targets.items() if name in names)


def owned(targets: Sequence[str] | None) -> tuple[str, ...]:
    return tuple(sorted({folder for t in chosen(targets) for folder in t.owns}))

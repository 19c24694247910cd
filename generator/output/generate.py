"""The whole pipeline, as a table of contents:

    specs ─ load_api (load, parse, check, build) ─ each target: check names, render ─ plan ─ apply | report

``render_all`` is pure: IR in, ``{path: text}`` out; nothing touches the disk but template reads.
Which targets run is the caller's choice (``sdkgen generate --target NAME``); a plan covers only
the output folders those targets own, so generating one target never removes another's files.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from generator.frontend import ir
from generator.frontend.diagnostics import Diagnostic, Severity, SpecError
from generator.frontend.pipeline import load_api
from generator.frontend.spec_schema import spec_schemas
from generator.output.render import HEADER_TEXT, Renderer
from generator.output.writer import Plan, plan
from generator.targets import Context, Target, registry


def chosen(names: Sequence[str] | None) -> tuple[Target, ...]:
    """The targets by name (all of them when ``names`` is None), in registry order."""
    targets = registry()
    if names is None:
        return tuple(targets.values())
    unknown = sorted(set(names) - targets.keys())
    if unknown:
        raise ValueError(f"unknown target {unknown[0]!r}; the targets are {', '.join(targets)}")
    return tuple(t for name, t in targets.items() if name in names)


def check_targets(api: ir.Api, targets: Sequence[Target]) -> list[Diagnostic]:
    """Every target's name checks: collisions and reserved names, located in the specs."""
    return sorted(d for t in targets if t.applies(api) for d in t.check(api))


def load_checked(
    specs: Path, *, targets: Sequence[str] | None = None, display_root: Path | None = None
) -> ir.Api:
    """``load_api`` plus the name checks of the targets (all by default); raises ``SpecError``."""
    api = load_api(specs, display_root=display_root)
    found = check_targets(api, chosen(targets))
    if any(d.severity is Severity.error for d in found):
        raise SpecError(found)
    return api


def render_all(api: ir.Api, templates: Path, targets: Sequence[str] | None = None) -> dict[str, str]:
    ctx = Context(Renderer(templates), templates)
    files: dict[str, str] = {}
    for target in chosen(targets):
        if target.applies(api):
            files.update(target.render(api, ctx))
    return files


def owned(targets: Sequence[str] | None) -> tuple[str, ...]:
    return tuple(sorted({folder for t in chosen(targets) for folder in t.owns}))


def generate_plan(
    specs: Path,
    templates: Path,
    output: Path,
    *,
    targets: Sequence[str] | None = None,
    display_root: Path | None = None,
) -> Plan:
    api = load_checked(specs, targets=targets, display_root=display_root)
    return plan(output, render_all(api, templates, targets), owned(targets))


def spec_schema_plan(specs: Path) -> Plan:
    """specs/schema/*.json: the editors' schema of the spec format itself."""
    return plan(specs, spec_schemas(HEADER_TEXT), ("schema",))

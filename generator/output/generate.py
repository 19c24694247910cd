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
from generator.output import engine
from generator.output.render import HEADER_TEXT
from generator.output.stamp import SPEC_OUTPUTS
from generator.output.writer import Plan, plan
from generator.targets import Target, chosen, owned, registry


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


def render_all(
    api: ir.Api,
    templates: Path,
    targets: Sequence[str] | None = None,
    *,
    cache_dir: Path | None = None,
    jobs: int | None = None,
    stats: engine.Stats | None = None,
) -> dict[str, str]:
    """``{path: final text}``: the engine over the chosen targets (all by default); with
    ``cache_dir``, units rendered before are taken from the cache."""
    picked = chosen(targets)
    helpers = tuple(t for t in registry().values() if t not in picked)
    return engine.render(api, templates, picked, helpers=helpers, cache_dir=cache_dir, jobs=jobs, stats=stats)


def generate_plan(
    specs: Path,
    templates: Path,
    output: Path,
    *,
    targets: Sequence[str] | None = None,
    display_root: Path | None = None,
    cache_dir: Path | None = None,
    jobs: int | None = None,
    stats: engine.Stats | None = None,
) -> Plan:
    api = load_checked(specs, targets=targets, display_root=display_root)
    files = render_all(api, templates, targets, cache_dir=cache_dir, jobs=jobs, stats=stats)
    return plan(output, files, owned(targets))


def spec_schema_plan(specs: Path) -> Plan:
    """specs/schema/*.json: the editors' schema of the spec format itself."""
    return plan(specs, spec_schemas(HEADER_TEXT), SPEC_OUTPUTS)

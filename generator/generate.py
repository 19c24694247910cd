"""The whole pipeline, as a table of contents:

    specs ─ load_api (load, parse, check, build) ─ render per target ─ format ─ plan ─ apply | report

``render_all`` is pure: IR in, ``{path: text}`` out, nothing touches the disk but template reads.
"""

from __future__ import annotations

from pathlib import Path

from . import ir
from .format import format_tree
from .pipeline import load_api
from .render import Renderer
from .spec_schema import spec_schemas
from .targets.docs import render_docs
from .targets.python import render_python
from .writer import Plan, plan

TARGETS = ("python", "docs")


def render_all(api: ir.Api, templates: Path) -> dict[str, str]:
    renderer = Renderer(templates)
    files: dict[str, str] = {}
    files.update(render_python(api, renderer, templates / "python" / "runtime"))
    files.update(render_docs(api, renderer))
    return format_tree(files)


def generate_plan(specs: Path, templates: Path, output: Path, *, display_root: Path | None = None) -> Plan:
    api = load_api(specs, display_root=display_root)
    return plan(output, render_all(api, templates))


def spec_schema_plan(specs: Path) -> Plan:
    """specs/schema/*.json: the editors' schema of the spec format itself."""
    return plan(specs, spec_schemas())

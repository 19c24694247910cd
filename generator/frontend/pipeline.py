"""The front of the pipeline as one call: specs directory in, IR out (or every diagnostic).

    load → parse → check → build

Each stage appends to one diagnostics list; a stage that needs its predecessors' output whole
runs only when no error was found before it. Raises ``SpecError`` carrying all diagnostics.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from generator.frontend import ir
from generator.frontend.build import build
from generator.frontend.check import check
from generator.frontend.diagnostics import Diagnostic, Severity, SpecError
from generator.frontend.layers import load_layered
from generator.frontend.parse import parse


def load_api(specs: Path, *, display_root: Path | None = None) -> ir.Api:
    """Validate the specs under ``specs`` and build the IR; raise ``SpecError`` on any error."""
    diagnostics: list[Diagnostic] = []
    files = load_layered(specs, diagnostics, display_root=display_root)
    parsed = parse(files, diagnostics)
    check(parsed, diagnostics)
    if (
        any(d.severity is Severity.error for d in diagnostics)
        or parsed.product is None
        or parsed.errors is None
    ):
        raise SpecError(diagnostics)
    return replace(build(parsed), changelog=files.changelog)

"""Two layers of specs: what ``sdkgen import`` wrote, and what people curated over it.

    specs/imported/product.yaml, errors.yaml, actions/<A>.yaml   written by ``sdkgen import``
    specs/product.yaml, errors.yaml, actions/<A>.yaml            curated: edited by people

The curated layer wins, key by key: mappings are merged recursively, any other value (text,
number, list) replaces the imported one whole. A curated file may hold a whole spec (an action
the metadata lacks) or only what a person corrected or added (an English text, a constraint, an
emulator declaration); an imported action with no curated file is used as imported. A re-import
rewrites only specs/imported/, so curation is never overwritten, and an upstream change shows up
as an ordinary spec change wherever no curated value covers it.

``merge`` keeps every position: a diagnostic about a merged value points at the file and line it
came from (``Document.origins``).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from generator.frontend.diagnostics import Diagnostic
from generator.frontend.load import DEFAULT_LIMITS, Document, LoadLimits, Loc, SpecFiles, load_specs

IMPORTED = "imported"


def load_layered(
    root: Path,
    diagnostics: list[Diagnostic],
    *,
    display_root: Path | None = None,
    limits: LoadLimits = DEFAULT_LIMITS,
) -> SpecFiles:
    """The specs under ``root``, with the curated layer merged over ``root/imported`` if it exists."""
    curated = load_specs(root, diagnostics, display_root=display_root, limits=limits)
    if not (root / IMPORTED).is_dir():
        return curated
    imported = load_specs(
        root / IMPORTED, diagnostics, display_root=display_root, limits=limits, required=False
    )

    def over(below: Document | None, above: Document | None) -> Document | None:
        if below is None or above is None:
            return above or below
        return merge(below, above)

    by_name = {PurePosixPath(d.path).stem: d for d in imported.actions}
    actions = [over(by_name.pop(PurePosixPath(d.path).stem, None), d) for d in curated.actions]
    actions += by_name.values()
    return SpecFiles(
        root,
        over(imported.product, curated.product),
        over(imported.errors, curated.errors),
        sorted((a for a in actions if a is not None), key=lambda d: PurePosixPath(d.path).stem),
        curated.changelog,
    )


def merge(imported: Document, curated: Document) -> Document:
    """``curated`` over ``imported``: one document, each value remembering its file."""
    merged = Document(curated.path, None)
    merged.values = {**imported.values}
    merged.keys = {**imported.keys}
    merged.origins = {loc: imported.file(loc) for loc in imported.values}
    merged.data = _merge(imported.data, curated.data, (), curated, merged)
    return merged


def _merge(below: Any, above: Any, loc: Loc, curated: Document, out: Document) -> Any:
    if isinstance(below, dict) and isinstance(above, dict):
        result: dict[str, Any] = {}  # the curated keys in the curated order, then the keys only imported
        _place(loc, curated, out)
        for key, value in above.items():
            child = loc + (key,)
            if key in below:
                result[key] = _merge(below[key], value, child, curated, out)
            else:
                result[key] = value
                _adopt(child, curated, out)
            if child in curated.keys:
                out.keys[child] = curated.keys[child]
        for key, value in below.items():
            if key not in above:
                result[key] = value
        return result
    _forget(loc, out)
    _adopt(loc, curated, out)
    return above


def _place(loc: Loc, curated: Document, out: Document) -> None:
    if loc in curated.values:
        out.values[loc] = curated.values[loc]
        out.origins[loc] = curated.path


def _adopt(loc: Loc, curated: Document, out: Document) -> None:
    """Take the positions of ``loc`` and everything under it from the curated file."""
    n = len(loc)
    for table, target in ((curated.values, out.values), (curated.keys, out.keys)):
        for inner, pos in table.items():
            if inner[:n] == loc:
                target[inner] = pos
                out.origins[inner] = curated.path


def _forget(loc: Loc, out: Document) -> None:
    """Drop the imported positions under a value the curated layer replaced whole."""
    n = len(loc)
    for table in (out.values, out.keys, out.origins):
        for inner in [k for k in table if k[:n] == loc and len(k) > n]:
            del table[inner]

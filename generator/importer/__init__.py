"""``sdkgen import``: Alibaba Cloud's ``api-docs.json`` → the imported layer of the specs.

The layer is ``specs/imported/`` (``product.yaml``, ``errors.yaml``, ``actions/<Action>.yaml``),
machine-owned and rewritten whole by each import; the curated files directly under ``specs/``
are merged over it by the loader. ``import_plan`` reads and converts (raising ``SpecError`` with
located diagnostics, before anything is written); ``generator.output.writer.commit`` writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from generator.importer.convert import FOLDER, convert
from generator.importer.source import Problems, read
from generator.output.writer import Plan, existing_files, plan


@dataclass
class Imported:
    plan: Plan
    actions: list[str]  # the action files written
    notes: list[str] = field(default_factory=list)  # what was dropped, converted or left out
    starter: Plan | None = None  # the curated files a new project lacks, written once


def starter_files(product: str) -> dict[str, str]:
    """The curated files a first import creates when the specs have none: what the metadata
    cannot say (the package to publish, its version, the signing schemes), to be edited."""
    package = product.lower()
    head = (
        "# Curated: what the vendor's metadata does not say. Written once by `sdkgen import`, then yours;\n"
        "# values here win over specs/imported/ key by key (see specs/README.md, Layers).\n"
    )
    return {
        "product.yaml": head
        + f"title:\n  en: {product}\n"
        + "signing:\n  default: v3\n  schemes: [v3, v1]\n"
        + "sdk:\n  version: 0.1.0\n  targets:\n"
        + f"    python: {{package: {package}, distribution: {package}}}\n",
        "errors.yaml": head + "errors: {}\n",
    }


class UnknownAction(ValueError):
    pass


def render(
    source: Path, *, only: list[str] | None = None, display: str | None = None, notes: list[str] | None = None
) -> dict[str, str]:
    """The files of the imported layer (paths relative to the specs folder)."""
    problems = Problems(display or str(source))
    doc = read(source, problems)
    if only is not None:
        missing = sorted(set(only) - set(doc["apis"]))
        if missing:
            raise UnknownAction(f"no such action in {problems.path}: {', '.join(missing)}")
    files = convert(doc, str(source), problems, only, notes if notes is not None else [])
    problems.raise_if_any()
    return files


def import_plan(
    source: Path, specs: Path, *, only: list[str] | None = None, display: str | None = None
) -> Imported:
    """What importing ``source`` into ``specs`` changes. With ``only``, the other action files
    are kept as they are (product.yaml and errors.yaml still cover the whole file)."""
    notes: list[str] = []
    files = render(source, only=only, display=display, notes=notes)
    actions = sorted(
        p.rsplit("/", 1)[1][: -len(".yaml")] for p in files if p.startswith(f"{FOLDER}/actions/")
    )
    if only is not None:
        for kept in existing_files(specs, (f"{FOLDER}/actions",)):
            if kept not in files:
                files[kept] = (specs / kept).read_text(encoding="utf-8")
    starter = None
    if not (specs / "product.yaml").exists():
        code = str(yaml.safe_load(files[f"{FOLDER}/product.yaml"])["product"])
        fresh = {p: t for p, t in starter_files(code).items() if not (specs / p).exists()}
        starter = plan(specs, fresh, tuple(fresh))
    return Imported(plan(specs, files, (FOLDER,)), actions, notes, starter)

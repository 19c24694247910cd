"""The CLI's ``import`` command: ``sdkgen import FILE [--specs DIR] [--action NAME ...] [--notes]``.

Writes ``<specs>/imported/`` (product.yaml, errors.yaml, actions/) as one transaction; exit 0 once
written (or already up to date), 2 for a file that cannot be imported (nothing written).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from generator.cli.common import EXIT_INVALID, EXIT_OK, paths, show
from generator.output.writer import commit


def cmd_import(args: argparse.Namespace) -> int:
    from generator.importer import UnknownAction, import_plan

    source = Path(args.file)
    specs = paths(args, must_exist=False).specs
    try:
        imported = import_plan(source, specs, only=args.action, display=show(source))
    except UnknownAction as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    written = commit([imported.plan, *([imported.starter] if imported.starter else [])])[0]
    if imported.starter is not None:
        names = ", ".join(show(specs / p) for p in imported.starter.files)
        print(
            f"created {names}: the curated settings of a new project (package, version, signing); edit them"
        )
    where = show(specs / "imported")
    print(
        f"imported {len(imported.actions)} action(s) from {show(source)} into {where}/: "
        f"{len(written.added)} added, {len(written.changed)} changed, {len(written.removed)} removed"
    )
    if imported.notes:
        print(
            f"{len(imported.notes)} note(s) on values dropped, converted or left out"
            + ("" if args.notes else " (--notes lists them)")
        )
        if args.notes:
            for note in imported.notes:
                print(f"  {note}")
    return EXIT_OK


def add_commands(
    add: Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser],
) -> None:
    p = add("import", cmd_import, "import Alibaba Cloud api-docs.json metadata into specs/imported/")
    p.add_argument("file", metavar="FILE", help="the api-docs.json file")
    p.add_argument("--specs", help="specs directory (default: [tool.sdkgen] specs)")
    p.add_argument(
        "--action",
        action="append",
        metavar="NAME",
        help="only this action (repeatable); other imported actions are kept as they are",
    )
    p.add_argument("--notes", action="store_true", help="list every value dropped, converted or left out")

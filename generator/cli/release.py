"""The CLI's ``diff`` and ``release`` commands (part of the CLI: these print and pick exit codes).

    sdkgen diff                      the specs against the last release (specs/.release/baseline)
    sdkgen diff OLD NEW              two spec trees
    sdkgen diff --base REF [NEW]     the working specs (or NEW) against specs/ at a git commit
    sdkgen release [--bump auto|major|minor|patch] [--dry-run]

``diff`` exits 0 when NEW is compatible or its sdk.version carries the major bump a breaking
change needs, 1 when it does not, 2 for invalid specs or usage. ``release`` exits 0 once released,
1 when it refuses (bump too low, nothing to release, the build failed) having written nothing,
2 for invalid specs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from generator.cli.commands import plans
from generator.cli.common import EXIT_DRIFT, EXIT_INVALID, EXIT_OK, UsageError, paths, show
from generator.frontend.diagnostics import SpecError
from generator.output.writer import commit, locked
from generator.release.semver import Bump

if TYPE_CHECKING:  # the release machinery loads with the command that uses it, not with the CLI
    from generator.frontend import ir
    from generator.release.changes import Report

FORMAT_NAMES = ("json", "markdown", "text")


def _formats() -> dict[str, Callable[[Report], str]]:
    from generator.release import diff_format

    return {"text": diff_format.text, "markdown": diff_format.markdown, "json": diff_format.json_document}


def _load_at_ref(ref: str, specs: Path, work: Path) -> tuple[ir.Api, str]:
    """The specs at git ref ``ref``; their diagnostics name the file as ``REF:specs/…``."""
    from generator.frontend.pipeline import load_api
    from generator.release.gitbase import specs_at

    folder, label = specs_at(ref, specs, work)
    try:
        return load_api(folder, display_root=work), label
    except SpecError as exc:
        raise SpecError([replace(d, path=f"{ref}:{d.path}") for d in exc.diagnostics]) from None


def _trees(args: argparse.Namespace, work: Path) -> tuple[ir.Api, str, ir.Api, str]:
    from generator.frontend.pipeline import load_api
    from generator.release.release import BASELINE

    trees = [Path(t) for t in args.trees]
    specs = paths(args, must_exist=False).specs  # OLD NEW need no project; the rest say what is missing
    if args.base is not None:
        if len(trees) > 1:
            raise UsageError("with --base, give at most one tree: the NEW specs (default: the working specs)")
        old, old_label = _load_at_ref(args.base, specs, work)
        new_dir = trees[0] if trees else specs
    elif len(trees) == 2:
        old_dir, new_dir = trees
        old, old_label = load_api(old_dir, display_root=Path.cwd()), show(old_dir)
    elif not trees:
        old_dir, new_dir = specs / BASELINE, specs
        if not (old_dir / "product.yaml").is_file():
            raise UsageError(f"no release is recorded in {show(old_dir)}: give OLD and NEW, or --base REF")
        old, old_label = load_api(old_dir, display_root=Path.cwd()), show(old_dir)
    else:
        raise UsageError("give two spec trees (OLD NEW), or none to compare the specs with the last release")
    return old, old_label, load_api(new_dir, display_root=Path.cwd()), show(new_dir)


def cmd_diff(args: argparse.Namespace) -> int:
    from generator.release import diff_format
    from generator.release.diff import diff_report
    from generator.release.gitbase import GitError

    with tempfile.TemporaryDirectory(prefix="sdkgen-diff-") as work:
        try:
            old, old_label, new, new_label = _trees(args, Path(work))
        except (UsageError, GitError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_INVALID
    report = diff_report(old, new, old_label, new_label)
    sys.stdout.write(_formats()[args.format](report))
    complaint = diff_format.verdict(report)
    if complaint is not None:
        print(f"error: {complaint} in {new_label}/product.yaml", file=sys.stderr)
        return EXIT_DRIFT
    return EXIT_OK


def cmd_release(args: argparse.Namespace) -> int:
    from generator.release.package import BuildError
    from generator.release.release import ReleaseRefused, commit_release, plan_release, stage_release

    p = paths(args)
    specs, templates, out = p.specs, p.templates, p.output
    dist = Path(args.dist) if args.dist else out.parent / "dist"
    choice = None if args.bump == "auto" else Bump(args.bump)
    try:
        release = plan_release(specs, choice, display_root=Path.cwd())
        how = (
            f"{release.bump.value} release after {release.previous}"
            if release.previous
            else "first recorded release"
        )
        print(f"release {release.version} ({how})\n\n{release.entry}")
        if args.dry_run:
            print("dry run: nothing written")
            return EXIT_OK
        with tempfile.TemporaryDirectory(prefix="sdkgen-release-") as work:
            built = stage_release(release, specs, templates, Path(work))
            # specs/ then generated/, each one transaction, under the locks of both, so no other
            # run writes in between; a kill between them leaves released specs and an old
            # generated/, which 'sdkgen check' reports and 'sdkgen generate' brings up to date.
            with locked([out, specs]):
                archives = commit_release(release, built, specs, dist)
                commit(plans(args))  # exactly what `sdkgen generate` writes
    except ReleaseRefused as exc:
        print(f"error: {exc}; nothing was written", file=sys.stderr)
        return EXIT_DRIFT
    except BuildError as exc:
        print(f"error: the build failed, nothing was written:\n{exc}", file=sys.stderr)
        return EXIT_DRIFT
    print(f"wrote {show(specs / 'product.yaml')} (sdk.version {release.version}), "
          f"{show(specs / '.release')}/ (changelog, baseline) and regenerated {show(out)}/")  # fmt: skip
    for archive in archives:
        print(f"built {show(archive)}")
    return EXIT_OK


def add_commands(
    add: Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser],
) -> None:
    p = add("diff", cmd_diff, "compare two spec trees and classify every change; suggest the semver bump")
    p.add_argument(
        "trees", nargs="*", metavar="TREE", help="OLD NEW spec directories (none: last release → specs)"
    )
    p.add_argument(
        "--base", metavar="GIT_REF", help="compare with the specs of this git commit, e.g. origin/main"
    )
    p.add_argument("--format", choices=FORMAT_NAMES, default="text", help="output format (default: text)")
    p.add_argument("--specs", help="specs directory (default: [tool.sdkgen] specs)")
    p = add("release", cmd_release, "bump sdk.version from the changes since the last release, record it, "
            "regenerate and build")  # fmt: skip
    levels = ["auto", *(b.value for b in Bump if b is not Bump.none)]
    p.add_argument("--bump", choices=levels, default="auto",
                   help="auto (default): as the changes require; a lower level is refused")  # fmt: skip
    p.add_argument(
        "--dry-run", action="store_true", help="show the version and changelog entry, write nothing"
    )
    p.add_argument("--specs", help="specs directory (default: [tool.sdkgen] specs)")
    p.add_argument("--templates", help="templates directory (default: [tool.sdkgen] templates)")
    p.add_argument("--output", help="generated directory (default: [tool.sdkgen] output)")
    p.add_argument("--dist", help="where the archives go (default: dist/ beside the generated directory)")

"""The everyday commands: validate, generate, check, build and serve.

Each takes the parsed arguments and returns an exit code; the user's mistakes come back as
``SpecError`` or ``UsageError`` and are printed by ``generator.cli.main``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from dataclasses import dataclass
from pathlib import Path

from generator.cli.common import EXIT_DRIFT, EXIT_OK, UsageError, paths, project_root, show
from generator.output.writer import Plan, commit


def cmd_validate(args: argparse.Namespace) -> int:
    from generator.frontend.texts import missing_languages
    from generator.output.generate import load_checked

    p = paths(args)
    api = load_checked(p.specs, display_root=Path.cwd())
    print(f"{show(p.specs)}: {len(api.actions)} actions, {len(api.errors)} error codes: OK")
    missing = missing_languages(api)
    if missing:
        counts = {lang: sum(1 for m in missing if m.missing == lang) for lang in ("en", "zh")}
        parts = [f"{n} without {'English' if lang == 'en' else 'Chinese'}" for lang, n in counts.items() if n]
        more = "" if args.missing_language else " (--missing-language lists them)"
        print(f"texts: {', '.join(parts)}{more}")
        if args.missing_language:
            for m in missing:
                print(f"{m.where.path}:{m.where.line}:{m.where.column}: {m.what}: no {m.missing}")
    return EXIT_OK


def _summary(plan: Plan) -> str:
    return f"{len(plan.added)} added, {len(plan.changed)} changed, {len(plan.removed)} removed"


@dataclass(frozen=True)
class _Record:
    """What generate and check compare with the no-change record (``generator.output.stamp``):
    the cache it lives in, the fingerprint of this run's inputs, and the roots with the folders
    generate owns in each. ``key`` is None without a cache (``--no-cache``)."""

    cache: Path | None
    key: str | None
    roots: tuple[tuple[Path, tuple[str, ...]], ...]

    @classmethod
    def of(cls, args: argparse.Namespace) -> _Record:
        from generator.output.stamp import SPEC_OUTPUTS, inputs_key
        from generator.targets import owned

        p = paths(args)
        chosen = tuple(getattr(args, "target", None) or ()) or None
        roots = ((p.output, owned(chosen)),) + (((p.specs, SPEC_OUTPUTS),) if chosen is None else ())
        key = inputs_key(p.specs, p.templates, chosen) if p.cache is not None else None
        return cls(p.cache, key, roots)

    def fresh(self, state: str) -> bool:
        """Whether every root is as the last run with the same inputs left it: then each is
        reported in ``state`` and nothing is rendered."""
        from generator.output.stamp import fresh

        if self.key is None or self.cache is None:
            return False
        found = []
        for root, owned in self.roots:
            count = fresh(self.cache, root, owned, self.key)
            if count is None:
                return False
            found.append((root, count))
        for root, count in found:
            print(f"{show(root)}: {state} ({count} files)")
        return True

    def keep(self, done: list[Plan]) -> None:
        """Record the roots as ``done`` left them."""
        from generator.output.stamp import record

        if self.key is None or self.cache is None:
            return
        for plan in done:
            if plan.owned is not None:
                record(self.cache, plan.root, plan.owned, self.key, plan.files)


def plans(args: argparse.Namespace) -> list[Plan]:
    """What generate writes: the chosen targets under the output directory, and specs/schema/."""
    from generator.output.generate import generate_plan, spec_schema_plan

    p = paths(args)
    chosen = tuple(getattr(args, "target", None) or ())
    target_plan = generate_plan(
        p.specs,
        p.templates,
        p.output,
        targets=chosen or None,
        display_root=Path.cwd(),
        cache_dir=p.cache,
        jobs=getattr(args, "jobs", None),
    )
    return [target_plan, spec_schema_plan(p.specs)] if not chosen else [target_plan]


def cmd_generate(args: argparse.Namespace) -> int:
    """Render, then write every plan (the output's targets and specs/schema/) as ONE transaction
    (``generator.output.writer.commit``): a kill leaves both roots old or both new, an error
    leaves them as they were (``WriteError``: one line, exit 2). A concurrent run writing the same
    roots is waited for up to SDKGEN_LOCK_TIMEOUT seconds (30), then "another sdkgen run is
    writing …" (exit 2). What is printed is what was written (re-planned under the lock). When
    the inputs and the output are as the last run left them, nothing is rendered."""
    last = _Record.of(args)
    if last.fresh("up to date"):
        return EXIT_OK
    done = commit(plans(args))
    last.keep(done)
    for plan in done:
        for mark, files in (("+", plan.added), ("~", plan.changed), ("-", plan.removed)):
            for path in files:
                print(f"{mark} {show(plan.root / path)}")
        state = _summary(plan) if not plan.in_sync else "up to date"
        print(f"{show(plan.root)}: {state} ({len(plan.files)} files)")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    """Read-only, under a shared lock per root (waited for like generate's, never forever); it
    writes only to settle what an interrupted generate left (roll forward or back), so that it
    reports exactly the old or exactly the new tree. When the inputs and the output are as the
    last run left them, nothing is rendered."""
    last = _Record.of(args)
    if last.fresh("in sync"):
        return EXIT_OK
    checked = plans(args)
    drift = [p for p in checked if not p.in_sync]
    if not drift:
        last.keep(checked)
    for plan in checked:
        if plan.in_sync:
            print(f"{show(plan.root)}: in sync ({len(plan.files)} files)")
    for plan in drift:
        for mark, files in (("added", plan.added), ("changed", plan.changed), ("removed", plan.removed)):
            for path in files:
                print(f"{mark}: {show(plan.root / path)}")
                sys.stdout.writelines(plan.diff(path))
    if drift:
        summary = "; ".join(f"{show(p.root)}: {_summary(p)}" for p in drift)
        print(f"drift ({summary}); run 'sdkgen generate' and commit the result", file=sys.stderr)
        return EXIT_DRIFT
    return EXIT_OK


BUILD_TARGETS = ("python", "typescript")


def cmd_build(args: argparse.Namespace) -> int:
    """Build each chosen target's package (default python: wheel + sdist; typescript: the npm
    tarball, compiled with the pinned tsc) into --dist and check its metadata. Refuses (exit 1) a
    drifted generated/ and specs changed since the last release (unless --allow-unreleased); a
    missing compiler or npm is one line, exit 2."""
    from generator.frontend.pipeline import load_api
    from generator.output.generate import generate_plan
    from generator.release.npm import MissingTool, build_npm_package, find_npm, find_tsc
    from generator.release.package import BuildError, build_package
    from generator.release.release import unreleased_changes

    chosen = tuple(dict.fromkeys(getattr(args, "target", None) or ("python",)))
    tsc = None
    if "typescript" in chosen:
        try:
            tsc = find_tsc(project_root())
            find_npm()
        except MissingTool as exc:
            raise UsageError(str(exc)) from None
    p = paths(args)
    plan = generate_plan(p.specs, p.templates, p.output, targets=chosen, display_root=Path.cwd())
    if not plan.in_sync:
        print(
            f"{show(p.output)} is out of date ({_summary(plan)}): run 'sdkgen generate' first",
            file=sys.stderr,
        )
        return EXIT_DRIFT
    api = load_api(p.specs)
    pending = unreleased_changes(p.specs, api)
    if pending:
        verb = "warning" if args.allow_unreleased else "error"
        advice = "" if args.allow_unreleased else ", or pass --allow-unreleased"
        print(
            f"{verb}: the specs have {pending} since the last release "
            f"(sdk.version {api.product.sdk_version}); run 'sdkgen release' first{advice}",
            file=sys.stderr,
        )
        if not args.allow_unreleased:
            return EXIT_DRIFT
    dist = Path(args.dist) if args.dist else p.output.parent / "dist"
    for target in chosen:
        try:
            if target == "typescript" and tsc is not None:
                npm = build_npm_package(api, p.output / "typescript", dist, tsc)
                built, problems = [npm.tarball], npm.problems
            else:
                result = build_package(api, p.output / "python", dist)
                built, problems = [result.wheel, result.sdist], result.problems
        except BuildError as exc:
            print(f"the build failed:\n{exc}", file=sys.stderr)
            return EXIT_DRIFT
        for problem in problems:
            print(f"metadata: {problem}", file=sys.stderr)
        if problems:
            return EXIT_DRIFT
        print("".join(f"built {show(path)}\n" for path in built) + "metadata: OK")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the generated package's emulator (``<package>.testing.serve``) on loopback."""
    from generator.frontend.pipeline import load_api

    p = paths(args)
    target = load_api(p.specs, display_root=Path.cwd()).product.package("python")
    if target is None:
        raise UsageError("specs/product.yaml names no Python package (sdk.targets.python): nothing to serve")
    package = target.package
    source = p.output / "python" / "src"
    if not (source / package / "testing").is_dir():
        raise UsageError(f"{show(source / package)} has no emulator: run 'sdkgen generate' first")
    sys.path.insert(0, str(source))
    serving = importlib.import_module(f"{package}.testing._serve")
    settings = list(args.emulator[1:] if args.emulator[:1] == ["--"] else args.emulator)
    argv = ["--port", str(args.port), "--host", args.host, *(a for url in args.push for a in ("--push", url))]
    code: int = serving.main([*argv, *settings], prog="sdkgen serve --")
    return code

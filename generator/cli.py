"""The command line: the only module that prints or exits.

Every command maps its outcome to an exit code (see DESIGN.md §5): 0 success, 1 drift or a
breaking change, 2 invalid specs or usage, 3 an internal error. A user's mistake never shows a
traceback; an internal error does, since that one is ours to fix.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

from .diagnostics import SpecError, render
from .generate import generate_plan, spec_schema_plan
from .writer import Plan, apply

EXIT_OK, EXIT_DRIFT, EXIT_INVALID, EXIT_INTERNAL = 0, 1, 2, 3


def _config(start: Path) -> tuple[Path, dict[str, str]]:
    """The project root (nearest pyproject.toml with [tool.sdkgen]) and its settings."""
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            settings = data.get("tool", {}).get("sdkgen")
            if settings is not None:
                return folder, settings
    return start, {}


def _paths(args: argparse.Namespace) -> tuple[Path, Path, Path]:
    """specs, templates and output directories: flags first, then [tool.sdkgen], then defaults."""
    root, settings = _config(Path.cwd())
    specs = Path(args.specs) if getattr(args, "specs", None) else root / settings.get("specs", "specs")
    templates = root / settings.get("templates", "templates")
    if getattr(args, "templates", None):
        templates = Path(args.templates)
    out = Path(args.output) if getattr(args, "output", None) else root / settings.get("output", "generated")
    return specs, templates, out


def cmd_validate(args: argparse.Namespace) -> int:
    from .pipeline import load_api

    specs, _, _ = _paths(args)
    api = load_api(specs, display_root=Path.cwd())
    print(f"{specs}: {len(api.actions)} actions, {len(api.errors)} error codes: OK")
    return EXIT_OK


def _summary(plan: Plan) -> str:
    return f"{len(plan.added)} added, {len(plan.changed)} changed, {len(plan.removed)} removed"


def _plans(args: argparse.Namespace) -> list[Plan]:
    """What generate writes: the targets under the output directory, and specs/schema/."""
    specs, templates, out = _paths(args)
    return [generate_plan(specs, templates, out, display_root=Path.cwd()), spec_schema_plan(specs)]


def cmd_generate(args: argparse.Namespace) -> int:
    plans = _plans(args)
    for plan in plans:
        apply(plan)
    for plan in plans:
        for mark, paths in (("+", plan.added), ("~", plan.changed), ("-", plan.removed)):
            for path in paths:
                print(f"{mark} {_show(plan.root / path)}")
        state = _summary(plan) if not plan.in_sync else "up to date"
        print(f"{_show(plan.root)}: {state} ({len(plan.files)} files)")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    plans = _plans(args)
    drift = [p for p in plans if not p.in_sync]
    for plan in plans:
        if plan.in_sync:
            print(f"{_show(plan.root)}: in sync ({len(plan.files)} files)")
    for plan in drift:
        for mark, paths in (("added", plan.added), ("changed", plan.changed), ("removed", plan.removed)):
            for path in paths:
                print(f"{mark}: {_show(plan.root / path)}")
                sys.stdout.writelines(plan.diff(path))
    if drift:
        summary = "; ".join(f"{_show(p.root)}: {_summary(p)}" for p in drift)
        print(f"drift ({summary}); run 'sdkgen generate' and commit the result", file=sys.stderr)
        return EXIT_DRIFT
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    from .package import BuildError, build_package
    from .pipeline import load_api

    specs, templates, out = _paths(args)
    plan = generate_plan(specs, templates, out, display_root=Path.cwd())
    if not plan.in_sync:
        print(f"{_show(out)} is out of date ({_summary(plan)}): run 'sdkgen generate' first", file=sys.stderr)
        return EXIT_DRIFT
    api = load_api(specs)
    dist = Path(args.dist) if args.dist else out.parent / "dist"
    try:
        result = build_package(api, out / "python", dist)
    except BuildError as exc:
        print(f"the build failed:\n{exc}", file=sys.stderr)
        return EXIT_DRIFT
    for problem in result.problems:
        print(f"metadata: {problem}", file=sys.stderr)
    if result.problems:
        return EXIT_DRIFT
    print(f"built {_show(result.wheel)}\nbuilt {_show(result.sdist)}\nmetadata: OK")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the generated package's emulator (``<package>.testing.serve``) on loopback."""
    import importlib

    from .pipeline import load_api

    specs, _, out = _paths(args)
    package = load_api(specs, display_root=Path.cwd()).product.python.package
    source = out / "python" / "src"
    if not (source / package / "testing").is_dir():
        print(f"{_show(source / package)} has no emulator: run 'sdkgen generate' first", file=sys.stderr)
        return EXIT_INVALID
    sys.path.insert(0, str(source))
    testing = importlib.import_module(f"{package}.testing")
    try:
        testing.serve(args.port, args.host)
    except OSError as exc:
        print(f"cannot serve on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_DRIFT
    return EXIT_OK


def _show(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix() or "."
    except ValueError:
        return path.as_posix()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sdkgen", description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func: Callable[[argparse.Namespace], int], help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.set_defaults(func=func)
        return p

    p = add("validate", cmd_validate, "check the specs and report every problem")
    p.add_argument("--specs", help="specs directory (default: [tool.sdkgen] specs, or ./specs)")
    for name, func, text in (
        ("generate", cmd_generate, "render every target from the specs and write generated/ atomically"),
        ("check", cmd_check, "render in memory and report drift from generated/ (exit 1), writing nothing"),
    ):
        p = add(name, func, text)
        p.add_argument("--specs", help="specs directory (default: [tool.sdkgen] specs)")
        p.add_argument("--templates", help="templates directory (default: [tool.sdkgen] templates)")
        p.add_argument("--output", help="output directory (default: [tool.sdkgen] output)")
    p = add("build", cmd_build, "build the wheel and sdist of generated/python and check their metadata")
    p.add_argument("--specs", help="specs directory (default: [tool.sdkgen] specs)")
    p.add_argument("--templates", help="templates directory (default: [tool.sdkgen] templates)")
    p.add_argument("--output", help="generated directory (default: [tool.sdkgen] output)")
    p.add_argument("--dist", help="where the archives go (default: dist/ beside the generated directory)")
    p = add("serve", cmd_serve, "run the generated emulator of the service on loopback")
    p.add_argument("--port", type=int, default=8080, help="port to listen on (0: any free port); default 8080")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on; default 127.0.0.1")
    p.add_argument("--specs", help="specs directory (default: [tool.sdkgen] specs)")
    p.add_argument("--output", help="generated directory (default: [tool.sdkgen] output)")
    from .cli_release import add_commands  # diff and release (imports this module: kept out of its import time)

    add_commands(add)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except SpecError as exc:
        print(render(exc.diagnostics), file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        return 130

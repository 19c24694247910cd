"""The command line of sdkgen: the only part that prints or exits.

Every command maps its outcome to an exit code (DESIGN.md §5): 0 success, 1 drift, a breaking
change or a refusal, 2 invalid specs or usage, 3 an internal error. A user's mistake never shows
a traceback; an internal error does, since that one is ours to fix.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from generator import __version__
from generator.cli.commands import BUILD_TARGETS, cmd_build, cmd_check, cmd_generate, cmd_serve, cmd_validate
from generator.cli.common import EXIT_INVALID, UsageError
from generator.frontend.diagnostics import SpecError, render
from generator.output.writer import WriteError

DESCRIPTION = """\
sdkgen turns the YAML description of an RPC-style Alibaba Cloud API (specs/: one file per
action, product.yaml and errors.yaml) into typed SDKs, their reference docs with tested samples,
JSON Schemas and a local emulator of the service; it keeps generated/ in step with the specs
and classifies every spec change for semver before a release."""

EPILOG = """\
the usual loop:
  sdkgen validate            every problem in the specs at once, compiler style
  sdkgen generate            specs/ -> generated/ (all targets, or --target NAME)
  sdkgen check               exit 1 when generated/ is not what the specs produce (CI)
  sdkgen diff --base main    every spec change classified; the semver bump it needs
  sdkgen release; sdkgen build

Paths come from [tool.sdkgen] in the nearest pyproject.toml; flags override them."""

Command = Callable[[argparse.Namespace], int]


def _target_names() -> list[str]:
    from generator.targets import registry

    return sorted(registry())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sdkgen",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"sdkgen {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func: Command, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.set_defaults(func=func)
        return p

    def locations(p: argparse.ArgumentParser, *, templates: bool = True, output: bool = True) -> None:
        p.add_argument("--specs", help="specs directory (default: [tool.sdkgen] specs, or ./specs)")
        if templates:
            p.add_argument("--templates", help="templates directory (default: [tool.sdkgen] templates)")
        if output:
            p.add_argument("--output", help="output directory (default: [tool.sdkgen] output)")

    p = add("validate", cmd_validate, "check the specs and report every problem")
    locations(p, templates=False, output=False)
    p.add_argument(
        "--missing-language", action="store_true", help="list every text that lacks English or Chinese"
    )
    targets = _target_names()
    for name, func, text in (
        ("generate", cmd_generate, "render the targets from the specs and write generated/ atomically"),
        ("check", cmd_check, "render in memory and report drift from generated/ (exit 1), writing nothing"),
    ):
        p = add(name, func, text)
        locations(p)
        p.add_argument("--target", action="append", choices=targets, metavar="NAME",
                       help=f"only this target (repeatable): {', '.join(targets)}; default all")  # fmt: skip
        p.add_argument("--no-cache", action="store_true",
                       help="render everything, neither reading nor writing the render cache "
                            "(.sdkgen-cache/, or $SDKGEN_CACHE_DIR)")  # fmt: skip
        p.add_argument("--jobs", type=_positive, metavar="N",
                       help="worker processes for rendering (default: $SDKGEN_JOBS, else the CPUs, "
                            "at most 8)")  # fmt: skip
    p = add("build", cmd_build, "build the wheel and sdist of generated/python (or the npm tarball of "
            "generated/typescript) and check their metadata")  # fmt: skip
    locations(p)
    p.add_argument("--target", action="append", choices=BUILD_TARGETS, metavar="NAME",
                   help=f"what to build (repeatable): {', '.join(BUILD_TARGETS)}; default python "
                        "(typescript: with the pinned tsc of tests/node, or $SDKGEN_TSC)")  # fmt: skip
    p.add_argument("--dist", help="where the archives go (default: dist/ beside the generated directory)")
    p.add_argument("--allow-unreleased", action="store_true",
                   help="build even when the specs changed since the last 'sdkgen release'")  # fmt: skip
    p = add("serve", cmd_serve, "run the generated emulator of the service on loopback")
    p.add_argument(
        "--port", type=int, default=8080, help="port to listen on (0: any free port); default 8080"
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on; default 127.0.0.1")
    p.add_argument("--push", action="append", default=[], metavar="[TYPE=]URL",
                   help="POST the receipts (of one type) to URL, as the service does")  # fmt: skip
    p.add_argument("emulator", nargs=argparse.REMAINDER, metavar="-- SETTING",
                   help="the emulator's own settings after '--': --latency SECONDS, --seed N, --strict, "
                        "--no-flow-limits, --idle-timeout SECONDS, --request-timeout SECONDS, "
                        "--max-connections N (python -m <package>.testing --help)")  # fmt: skip
    locations(p, templates=False)
    from generator.cli.release import add_commands

    add_commands(add)
    from generator.cli.importer import add_commands as add_import_commands

    add_import_commands(add)
    return parser


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, not {text!r}")
    return int(text)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except SpecError as exc:
        print(render(exc.diagnostics), file=sys.stderr)
        return EXIT_INVALID
    except UsageError as exc:
        print(f"sdkgen: error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except WriteError as exc:  # the output could not be written; it is as it was
        print(f"sdkgen: error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        return 130

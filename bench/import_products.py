"""Import each product of ../shared/data into a temporary project, then validate and generate it:
seconds per stage and the importer's peak memory.

    .venv/bin/python bench/import_products.py [DATA_DIR] [--no-generate]

Times are wall clock on this machine, one run each; the peak memory is measured in a second,
traced import (tracemalloc slows it about fourfold, so it is not timed).
"""

from __future__ import annotations

import contextlib
import io
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from generator.cli import main as sdkgen
from generator.importer import import_plan

ROOT = Path(__file__).resolve().parent.parent


def timed(*args: str) -> float:
    """Seconds ``sdkgen ARGS`` took; NaN (and the first diagnostic on stderr) when it failed."""
    start = time.perf_counter()
    errors = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(errors):
        code = sdkgen(list(args))
    if code != 0:
        lines = errors.getvalue().splitlines()
        print(f"  sdkgen {args[0]} exited {code}: {lines[-1] if lines else ''}", file=sys.stderr)
        return float("nan")
    return time.perf_counter() - start


def peak_mib(source: Path) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        tracemalloc.start()
        import_plan(source, Path(tmp) / "specs")
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return peak


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    data = Path(args[0]) if args else ROOT.parent / "shared/data"
    generate = "--no-generate" not in sys.argv
    print("| product | actions | import s | import peak MiB | validate s | generate s (cold) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for source in sorted(data.glob("*.api-docs.json")):
        with tempfile.TemporaryDirectory() as tmp:
            specs, out = Path(tmp) / "specs", Path(tmp) / "out"
            imported = timed("import", str(source), "--specs", str(specs))
            actions = len(list((specs / "imported/actions").glob("*.yaml")))
            validated = timed("validate", "--specs", str(specs))
            made = float("nan")
            if generate and validated == validated:  # not NaN: it validated
                made = timed("generate", "--no-cache", "--specs", str(specs), "--output", str(out))
        print(
            f"| {source.name.split('.')[0]} | {actions} | {imported:.2f} | {peak_mib(source):.1f} "
            f"| {validated:.2f} | {made:.1f} |"
        )


if __name__ == "__main__":
    main()

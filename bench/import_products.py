"""Import each product of /work/shared/data into a temporary specs folder: time and peak memory.

    .venv/bin/python bench/import_products.py [DATA_DIR]
"""

from __future__ import annotations

import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from generator.importer import import_plan
from generator.output.writer import commit


def main() -> None:
    data = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data")
    print(f"{'product':<36} {'actions':>7} {'seconds':>8} {'peak MiB':>9}")
    for source in sorted(data.glob("*.api-docs.json")):
        with tempfile.TemporaryDirectory() as tmp:
            tracemalloc.start()
            start = time.perf_counter()
            imported = import_plan(source, Path(tmp) / "specs")
            commit([imported.plan])
            elapsed = time.perf_counter() - start
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        print(f"{source.name:<36} {len(imported.actions):>7} {elapsed:>8.2f} {peak:>9.1f}")


if __name__ == "__main__":
    main()

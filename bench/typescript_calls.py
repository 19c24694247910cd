"""Our TypeScript SDK against the vendor's Node runtime, in one run, against the same loopback server.

    .venv/bin/python bench/typescript_calls.py [--calls 10000] [--rounds 3] [--imports 11]

Compiles generated/typescript with the pinned tsc of tests/node, starts the echo server of
bench/_echo_server.py in its own process, and runs bench/_ts_calls.mjs for each side in a fresh
Node process, the sides alternating, ``--rounds`` times: SingleCallByTts, signed V3, answered by the
server (CPU per call and calls per second), then with the network replaced by a canned answer
(CPU per call of building, signing and reading). The vendor's side is @alicloud/openapi-client's
generic call API, which the vendor's generated Node SDKs call. The best round of each side counts;
import times are medians of fresh processes. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
NODE_MODULES = ROOT / "tests" / "node" / "node_modules"
PACKAGE = ROOT / "generated" / "typescript"


def compile_package(out: Path) -> Path:
    tsc = NODE_MODULES / ".bin" / "tsc"
    built = subprocess.run([str(tsc), "-p", str(PACKAGE), "--outDir", str(out), "--typeRoots",
                            str(NODE_MODULES / "@types")], capture_output=True, text=True, timeout=300)  # fmt: skip
    if built.returncode != 0:
        sys.exit(built.stdout + built.stderr)
    (out / "package.json").write_text('{"type": "module"}\n')
    return out / "index.js"


def import_ms(node: str, code: str, repeat: int) -> float:
    def once(source: str) -> float:
        began = time.perf_counter()
        subprocess.run([node, "--input-type=module", "-e", source], check=True, timeout=60)
        return time.perf_counter() - began

    base = statistics.median(once("") for _ in range(repeat))
    return max(0.0, 1000 * (statistics.median(once(code) for _ in range(repeat)) - base))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=10000, help="per side and round (a third more warm up first)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--imports", type=int, default=11)
    args = parser.parse_args()
    node = shutil.which("node")
    if node is None:
        sys.exit("needs node")
    with tempfile.TemporaryDirectory() as tmp:
        dist = compile_package(Path(tmp) / "dist")
        server = subprocess.Popen(
            [sys.executable, str(BENCH / "_echo_server.py")], stdout=subprocess.PIPE, text=True
        )
        try:
            assert server.stdout is not None
            port = server.stdout.readline().strip()
            runs: dict[str, list[dict[str, float]]] = {"ours": [], "vendor": []}
            for _ in range(args.rounds):
                for side in runs:
                    out = subprocess.run([node, str(BENCH / "_ts_calls.mjs"), side, port, str(args.calls), str(dist),
                                          str(NODE_MODULES)], capture_output=True, text=True, timeout=600, check=True)  # fmt: skip
                    runs[side].append(json.loads(out.stdout))
        finally:
            server.terminate()
        vendor_require = f"import {{ createRequire }} from 'node:module'; createRequire({json.dumps(str(NODE_MODULES / 'x.js'))})"
        imports = {
            "ours": import_ms(node, f"await import({json.dumps(dist.as_uri())})", args.imports),
            "vendor": import_ms(node, f"{vendor_require}('@alicloud/openapi-client')", args.imports),
        }
    best = {side: {"cpu": min(r["cpuPerCall"] for r in rs), "rate": max(r["callsPerS"] for r in rs),
                   "local": min(r["localCpuPerCall"] for r in rs)} for side, rs in runs.items()}  # fmt: skip
    o, v = best["ours"], best["vendor"]
    print(f"SingleCallByTts, {args.calls} calls per side and round, best of {args.rounds} alternating rounds; "
          f"imports: median of {args.imports} fresh processes; Node {subprocess.check_output([node, '--version'], text=True).strip()}\n")  # fmt: skip
    print("| measure | `@dyvmsapi/sdk` | vendor's openapi-client 0.4.15 | ratio |")
    print("| --- | ---: | ---: | ---: |")
    print(
        f"| import | {imports['ours']:.0f} ms | {imports['vendor']:.0f} ms | {imports['ours'] / max(imports['vendor'], 1e-9):.2f} |"
    )
    print(
        f"| client CPU per call (build+sign+send+parse) | {o['cpu']:.0f} µs | {v['cpu']:.0f} µs | {o['cpu'] / v['cpu']:.2f} |"
    )
    print(
        f"| calls per second (sequential, keep-alive) | {o['rate']:.0f} | {v['rate']:.0f} | {o['rate'] / v['rate']:.2f} |"
    )
    print(
        f"| build+sign+parse, no network (CPU per call) | {o['local']:.0f} µs | {v['local']:.0f} µs | {o['local'] / v['local']:.2f} |"
    )


if __name__ == "__main__":
    main()

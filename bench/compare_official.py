"""Our generated SDK against the official one, in one run, against the same loopback server.

    .venv/bin/python bench/compare_official.py [--calls 2000] [--imports 15] [--rounds 5]

Builds our wheel, installs each SDK into its own fresh virtual environment (so sizes, package
counts and import times are of that SDK alone), starts one echo server in its own process, and
prints a Markdown table with the goals of the SDK issue. The call figures are the best of
``--rounds`` runs of each side in a fresh interpreter, the sides alternating, so that a busy spell
on this shared machine hits both; import times are medians. Read small differences with care.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OFFICIAL = "alibabacloud-dyvmsapi20170525==5.3.0"
IMPORTS = {
    "ours": ("import dyvmsapi", "from dyvmsapi import Client"),
    "official": (
        "import alibabacloud_dyvmsapi20170525",
        "from alibabacloud_dyvmsapi20170525.client import Client",
    ),
}
BASELINE = {"pip", "setuptools", "wheel"}


def run(*cmd: str, **kw: object) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout  # type: ignore[call-overload,no-any-return]


def make_env(folder: Path, requirement: str) -> Path:
    venv.create(folder, with_pip=True)
    python = folder / "bin" / "python"
    run(str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", requirement)
    return python


def installed(python: Path) -> tuple[int, float]:
    """(packages besides pip/setuptools, MiB of site-packages without them)."""
    listed = json.loads(run(str(python), "-m", "pip", "list", "--format=json", "--disable-pip-version-check"))
    packages = [p["name"] for p in listed if p["name"].lower() not in BASELINE]
    site = Path(run(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip())
    skip = ("pip", "setuptools", "_distutils_hack", "pkg_resources", "distutils-precedence.pth", "wheel")
    total = 0
    for entry in site.iterdir():
        if entry.name.startswith(skip):
            continue
        files = [entry] if entry.is_file() else [p for p in entry.rglob("*") if p.is_file()]
        total += sum(p.stat().st_size for p in files if "__pycache__" not in p.parts)
    return len(packages), total / 2**20


def import_ms(python: Path, statement: str, repeat: int) -> float:
    def once(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([str(python), "-c", code], check=True)
        return time.perf_counter() - start

    once(statement)  # compile .pyc files first
    base = statistics.median(once("pass") for _ in range(repeat))
    return max(0.0, 1000 * (statistics.median(once(statement) for _ in range(repeat)) - base))  # noise can dip below


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--imports", type=int, default=15)
    parser.add_argument(
        "--rounds", type=int, default=5, help="alternating runs of each side; the best counts"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        dist = Path(tmp) / "dist"
        run(sys.executable, "-m", "generator", "build", "--dist", str(dist), cwd=ROOT)
        (wheel,) = dist.glob("*.whl")
        pythons = {"ours": make_env(Path(tmp) / "ours", str(wheel)),
                   "official": make_env(Path(tmp) / "official", OFFICIAL)}  # fmt: skip
        server = subprocess.Popen(
            [sys.executable, str(BENCH / "_echo_server.py")], stdout=subprocess.PIPE, text=True
        )
        try:
            assert server.stdout is not None
            port = server.stdout.readline().strip()
            rounds: dict[str, list[dict[str, float]]] = {side: [] for side in pythons}
            for _ in range(args.rounds):  # the sides alternate, so that a busy spell hits both
                for side, python in pythons.items():
                    rounds[side].append(json.loads(run(str(python), str(BENCH / "_calls.py"), side, port,
                                                       str(args.calls), env={**os.environ, "PYTHONPATH": ""})))  # fmt: skip
            results = {}
            for side, python in pythons.items():
                count, size = installed(python)
                runs = rounds[side]
                results[side] = {
                    "cpu_per_call": min(r["cpu_per_call"] for r in runs),
                    "calls_per_s": max(r["calls_per_s"] for r in runs),
                    "local_cpu_per_call": min(r["local_cpu_per_call"] for r in runs),
                    "import_package_ms": import_ms(python, IMPORTS[side][0], args.imports),
                    "import_client_ms": import_ms(python, IMPORTS[side][1], args.imports),
                    "packages": count,
                    "size_mib": size,
                }
        finally:
            server.terminate()
    print(table(results, args))


def table(r: dict[str, dict[str, float]], args: argparse.Namespace) -> str:
    o, f = r["ours"], r["official"]
    rows = [
        ("import of the client class", f"{o['import_client_ms']:.0f} ms", f"{f['import_client_ms']:.0f} ms",
         o["import_client_ms"] / f["import_client_ms"], "≤ 0.25"),
        ("client CPU per call (build+sign+send+parse)", f"{1e6 * o['cpu_per_call']:.0f} µs",
         f"{1e6 * f['cpu_per_call']:.0f} µs", o["cpu_per_call"] / f["cpu_per_call"], "≤ 0.75"),
        ("calls per second (sequential, keep-alive)", f"{o['calls_per_s']:.0f}", f"{f['calls_per_s']:.0f}",
         o["calls_per_s"] / f["calls_per_s"], "≥ 1"),
        ("build+sign+parse, no network (CPU per call)", f"{1e6 * o['local_cpu_per_call']:.0f} µs",
         f"{1e6 * f['local_cpu_per_call']:.0f} µs", o["local_cpu_per_call"] / f["local_cpu_per_call"], "≤ 0.33"),
        ("installed size", f"{o['size_mib']:.1f} MiB", f"{f['size_mib']:.1f} MiB", o["size_mib"] / f["size_mib"],
         "≤ 0.33"),
        ("packages installed", f"{o['packages']:.0f}", f"{f['packages']:.0f}", o["packages"] / f["packages"], "—"),
    ]  # fmt: skip
    lines = [
        f"SingleCallByTts, {args.calls} calls per side and round, best of {args.rounds} alternating rounds; "
        f"imports: median of {args.imports} fresh interpreters.",
        f"`import dyvmsapi` alone takes {o['import_package_ms']:.0f} ms: clients and models load on first use "
        f"(the official package's `__init__` is empty, {f['import_package_ms']:.0f} ms, so the comparable "
        "figure is the import of the client).",
        "",
        "| measure | sdkgen `dyvmsapi` | official 5.3.0 | ratio | goal |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    lines += [f"| {name} | {a} | {b} | {ratio:.2f} | {goal} |" for name, a, b, ratio, goal in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    main()

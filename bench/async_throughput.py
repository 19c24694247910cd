"""One AsyncClient shared by many tasks against the blocking Client, on loopback.

    .venv/bin/python bench/async_throughput.py [--calls 3000] [--tasks 50 200] [--repeat 3]

Starts ``_echo_server.py`` in its own process (its CPU is not charged to the client), then runs
SingleCallByTts, as ``compare_official.py`` does, ``--calls`` times per row: the blocking
``Client`` on one thread, then one ``AsyncClient`` shared by N tasks, for each N, on its own
transport (``_async_transport.AsyncTransport``, at most 64 connections) and over httpx
(``http_client=httpx.AsyncClient()``, httpx's default limits). Prints calls per second, the
client's and the server's CPU per call, and the connections the server accepted and had open at
once. Medians of ``--repeat`` runs; the machine may be shared, so read small differences with care.

Over httpx, with more than 20 connections open each one is closed when its answer has been read
(httpcore 1.0.9 compares ``max_keepalive_connections`` with all the pool's connections, not the
idle ones: encode/httpcore#1000), so nearly every call opens a connection.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "generated/python/src"))

from _calls import ARGS  # noqa: E402
from dyvmsapi import AsyncClient, Client  # noqa: E402

CALL = {**ARGS, "tts_param": {"code": "1234"}}


def sync_row(endpoint: str, calls: int) -> None:
    with Client("testid", "testsecret", endpoint=endpoint) as client:
        for _ in range(calls):
            client.single_call_by_tts(**CALL)


def async_row(endpoint: str, calls: int, tasks: int, httpx_client: bool) -> None:
    async def run() -> None:
        import httpx

        http_client = httpx.AsyncClient() if httpx_client else None
        async with AsyncClient("testid", "testsecret", endpoint=endpoint, http_client=http_client) as client:

            async def worker(count: int) -> None:
                for _ in range(count):
                    await client.single_call_by_tts(**CALL)

            await asyncio.gather(*(worker(calls // tasks + (i < calls % tasks)) for i in range(tasks)))
        if http_client is not None:
            await http_client.aclose()

    asyncio.run(run())


def stats(port: int, reset: bool = False) -> dict[str, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", "/stats?reset" if reset else "/stats", headers={"Connection": "close"})
    result: dict[str, int] = json.loads(conn.getresponse().read())
    conn.close()
    return result


def cpu_of(pid: int) -> float:
    """CPU seconds of process ``pid`` so far (Linux; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(server: int, port: int, run: Callable[[int], None], calls: int) -> dict[str, float]:
    run(min(200, calls))  # warm up: imports, first connections
    time.sleep(0.1)  # the warm-up's connections close on the server
    stats(port, reset=True)
    cpu, wall, server_cpu = time.process_time(), time.perf_counter(), cpu_of(server)
    run(calls)
    cpu, wall, server_cpu = time.process_time() - cpu, time.perf_counter() - wall, cpu_of(server) - server_cpu
    time.sleep(0.1)
    seen = stats(port)
    return {"rate": calls / wall, "cpu_ms": 1000 * cpu / calls, "server_ms": 1000 * server_cpu / calls,
            "accepted": seen["accepted"], "peak": seen["peak"]}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=3000, help="calls per row (default 3000)")
    parser.add_argument("--tasks", type=int, nargs="+", default=[50, 200], help="tasks sharing a client")
    parser.add_argument("--repeat", type=int, default=3, help="runs per row; the median is shown")
    parser.add_argument("--no-httpx", action="store_true", help="skip the rows over httpx")
    args = parser.parse_args()
    echo = [sys.executable, str(BENCH / "_echo_server.py")]
    server = subprocess.Popen(echo, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        endpoint = f"http://127.0.0.1:{port}"
        rows: list[tuple[str, Callable[[int], None]]] = [("Client, 1 thread", partial(sync_row, endpoint))]
        for tasks in args.tasks:
            rows.append((f"AsyncClient, {tasks} tasks", lambda n, t=tasks: async_row(endpoint, n, t, False)))
        if not args.no_httpx:
            for tasks in args.tasks:
                rows.append((f"AsyncClient over httpx, {tasks} tasks",
                             lambda n, t=tasks: async_row(endpoint, n, t, True)))  # fmt: skip
        results = {name: [measure(server.pid, port, run, args.calls) for _ in range(args.repeat)]
                   for name, run in rows}  # fmt: skip
    finally:
        server.terminate()
    print(table(results, args))


def table(results: dict[str, list[dict[str, float]]], args: argparse.Namespace) -> str:
    def median(runs: list[dict[str, float]], key: str) -> Any:
        return statistics.median(run[key] for run in runs)

    lines = [
        f"SingleCallByTts, {args.calls} calls per row, median of {args.repeat} runs; Python "
        f"{platform.python_version()} on {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "",
        "| client | calls/s | client CPU per call | server CPU per call | connections opened "
        "| most open at once |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, runs in results.items():
        lines.append(f"| {name} | {median(runs, 'rate'):.0f} | {median(runs, 'cpu_ms'):.3f} ms "
                     f"| {median(runs, 'server_ms'):.3f} ms | {max(run['accepted'] for run in runs):.0f} "
                     f"| {max(run['peak'] for run in runs):.0f} |")  # fmt: skip
    return "\n".join(lines)


if __name__ == "__main__":
    main()

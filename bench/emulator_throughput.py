"""Requests per second the emulator (``dyvmsapi.testing.Emulator``) answers, on loopback.

    .venv/bin/python bench/emulator_throughput.py [--requests N]

Bounded: each row sends a fixed number of requests (default 2000). Every request is a signed
QueryCallDetailByCallId (the emulator verifies the signature, validates the parameters and looks
the call up), so flow control never interferes. Rows:

* raw: pre-signed-per-request V3 requests over keep-alive ``http.client`` connections, the client
  cost kept small, so this row is closest to the emulator's own capacity;
* sdk: the generated ``Client`` / ``AsyncClient`` (signing, pydantic models, httpx) end to end.

Client and emulator share one Python process (and its GIL), so the figures are a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import os
import platform
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "generated/python/src"))

from dyvmsapi import RetryPolicy, _signing  # noqa: E402
from dyvmsapi.testing import Emulator  # noqa: E402

QUERY = [("CallId", "116000000001^10280000000"), ("ProdId", "11000000300006"), ("QueryDate", "1")]
NO_RETRY = RetryPolicy(max_attempts=1)


def _raw_worker(emu: Emulator, count: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=10)
    path = "/?" + _signing.encode_query(QUERY)
    for _ in range(count):
        headers = _signing.v3_headers(
            host=emu.host,
            action="QueryCallDetailByCallId",
            version="2017-05-25",
            timestamp=_signing.utc_timestamp(),
            nonce=_signing.new_nonce(),
            user_agent="bench",
        )
        headers["Authorization"] = _signing.sign_v3(
            method="POST",
            host=emu.host,
            pathname="/",
            query=QUERY,
            headers=headers,
            access_key_id=emu.access_key_id,
            access_key_secret=emu.access_key_secret,
        )
        connection.request("POST", path, headers={k: v for k, v in headers.items() if k != "host"})
        response = connection.getresponse()
        body = response.read()
        assert response.status == 200 and b'"Code":"OK"' in body, body
    connection.close()


def _sdk_worker(emu: Emulator, count: int) -> None:
    with emu.client(retry=NO_RETRY) as client:
        for _ in range(count):
            client.query_call_detail_by_call_id(call_id="1^2", prod_id=11000000300006, query_date=1669032001000)


async def _async_run(emu: Emulator, total: int, tasks: int) -> None:
    async with emu.async_client(retry=NO_RETRY) as client:

        async def worker(count: int) -> None:
            for _ in range(count):
                await client.query_call_detail_by_call_id(call_id="1^2", prod_id=11000000300006, query_date=1669032001000)

        await asyncio.gather(*(worker(total // tasks) for _ in range(tasks)))


def _threads(worker: Callable[[Emulator, int], None], emu: Emulator, total: int, threads: int) -> None:
    pool = [threading.Thread(target=worker, args=(emu, total // threads)) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per row (default 2000)")
    args = parser.parse_args()
    total = args.requests
    rows: list[tuple[str, Callable[[Emulator], None]]] = [
        ("raw http.client, 1 connection", lambda emu: _threads(_raw_worker, emu, total, 1)),
        ("raw http.client, 8 threads", lambda emu: _threads(_raw_worker, emu, total, 8)),
        ("raw http.client, 50 threads", lambda emu: _threads(_raw_worker, emu, total, 50)),
        ("sdk Client, 1 thread", lambda emu: _threads(_sdk_worker, emu, total, 1)),
        ("sdk Client, 8 threads", lambda emu: _threads(_sdk_worker, emu, total, 8)),
        ("sdk AsyncClient, 50 tasks", lambda emu: asyncio.run(_async_run(emu, total, 50))),
    ]
    print(f"emulator throughput, {total} signed QueryCallDetailByCallId requests per row")
    print(
        f"Python {platform.python_version()} on {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs\n"
    )
    print(f"| {'client':<32} | {'requests/s':>10} | {'ms/request':>10} |")
    print(f"| {'-' * 32} | {'-' * 9}: | {'-' * 9}: |")
    for name, run in rows:
        with Emulator(flow_limits=()) as emu:
            started = time.perf_counter()
            run(emu)
            elapsed = time.perf_counter() - started
            answered = emu.count("QueryCallDetailByCallId")
            assert answered >= total - 50 and emu.errors == [], (answered, emu.errors)
        print(f"| {name:<32} | {answered / elapsed:>10.0f} | {1000 * elapsed / answered:>10.2f} |")


if __name__ == "__main__":
    main()

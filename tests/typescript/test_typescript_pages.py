"""The TypeScript client's page iterators (``Client.<method>Pages`` / ``<method>Items``): the
package compiles under ``tsc --strict``, the iterators walk the Python emulator's pages (page
numbers at the top, ListCallTask; items under a struct, ListHotlineTransferNumber), and the
runtime's stop rules (empty page, total, tokens, the page cap's warning) hold on made-up pages.

Needs Node.js 18+ and the toolchain of tests/node (``npm ci --prefix tests/node``); the Node side
is pages.test.mjs.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ts_support import HERE, NODE, PACKAGE, ROOT, TSC, tsc

from generator.frontend.pipeline import load_api
from generator.targets.typescript import TARGET, naming

pytestmark = pytest.mark.skipif(
    NODE is None or not TSC.exists() or not PACKAGE.exists(),
    reason="needs node, `npm ci --prefix tests/node` and generated/typescript",
)

LENGTHS = {"ListCallTask": 25, "ListHotlineTransferNumber": 12}


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package compiled (strict, as its tsconfig says): the strict check and the build at once."""
    out = tmp_path_factory.mktemp("ts-pages") / "dist"
    result = tsc("--strict", "--outDir", str(out))
    assert (result.returncode, result.stdout + result.stderr) == (0, "")
    (out / "package.json").write_text('{"type": "module"}\n')
    return out


@pytest.fixture()
def emulator() -> Iterator[Any]:
    from dyvmsapi.testing import Emulator

    emu = Emulator(flow_limits=(), strict=True, idle_timeout=1.0).start()
    try:
        yield emu
    finally:
        emu.stop()


def test_every_paginated_action_has_both_iterators() -> None:
    api = load_api(ROOT / "specs")
    client = (PACKAGE / "src" / "client.ts").read_text(encoding="utf-8")
    paginated = [a for a in api.actions if a.pagination is not None]
    assert paginated
    for a in paginated:
        for name in (naming.pages_method(a.name), naming.items_method(a.name)):
            assert f"  {name}(\n" in client, name
            assert f"`Client.{name}(…)`" in (TARGET.iterators_of(api, a) or "")
    assert all(TARGET.iterators_of(api, a) is None for a in api.actions if a.pagination is None)


def test_pages_and_items_against_the_emulator(dist: Path, emulator: Any) -> None:
    assert NODE is not None
    for action, length in LENGTHS.items():
        emulator.set_list_length(action, length)
    env = {
        "SDK_DIST": str(dist / "index.js"),
        "EMULATOR_ENDPOINT": emulator.endpoint,
        "TEST_KEY_ID": emulator.access_key_id,
        "TEST_KEY_SECRET": emulator.access_key_secret,
        **{f"LENGTH_{action}": str(length) for action, length in LENGTHS.items()},
    }
    result = subprocess.run(
        [NODE, "--test", "--test-reporter=spec", str(HERE / "pages.test.mjs")],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
        cwd=ROOT,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert "fail 0" in output, output[-3000:]

    def sent(action: str, parameter: str) -> list[Any]:
        return [r.params.get(parameter) for r in emulator.requests if r.action == action]

    # pages.test.mjs walks ListCallTask: pages of 7 (twice: pages, then items), pages of the default 10;
    # ListHotlineTransferNumber: pages of 5, then its items in pages of 5.
    assert [int(n) for n in sent("ListCallTask", "PageNumber")] == [1, 2, 3, 4] * 2 + [1, 2, 3]
    assert [int(n) for n in sent("ListHotlineTransferNumber", "PageNo")] == [1, 2, 3] * 2
    assert {r.params.get("Status") for r in emulator.requests if r.action == "ListCallTask"} == {"DONE"}

"""A second product, unlike a voice service: the key-value store of tests/fixtures/specs/kvstore/.

Its SDK is generated here into a temporary folder and driven, sync and async, against ITS OWN
emulator. Everything stateful it does (entries created, read and deleted, a per-namespace rate
limit) comes from the ``emulator:`` declarations of its specs: no code knows this product.
"""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from e2e_support import close, gather, invoke

from generator.output.generate import load_checked, render_all

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "tests/fixtures/specs/kvstore"
ENTRY_ID = re.compile(r"e-\d{6}-\d{4}")
UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


@pytest.fixture(scope="module")
def kvstore(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The generated ``kvstore`` package, importable for the duration of this module."""
    out = tmp_path_factory.mktemp("kvstore")
    for path, text in render_all(load_checked(SPECS), ROOT / "templates").items():
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_text(text, encoding="utf-8")
    src = str(out / "python/src")
    sys.path.insert(0, src)
    try:
        yield importlib.import_module("kvstore")
    finally:
        sys.path.remove(src)
        for name in [n for n in sys.modules if n == "kvstore" or n.startswith("kvstore.")]:
            del sys.modules[name]


@pytest.fixture
def emu(kvstore: ModuleType) -> Iterator[Any]:
    testing = importlib.import_module("kvstore.testing")
    with testing.Emulator(strict=True) as emulator:
        yield emulator
    assert emulator.errors == [], "the emulator failed while answering"


@pytest.fixture(params=["sync", "async"])
async def client(request: pytest.FixtureRequest, emu: Any) -> AsyncIterator[Any]:
    made = emu.client() if request.param == "sync" else emu.async_client()
    yield made
    await close(made)


async def test_create_read_delete(kvstore: ModuleType, emu: Any, client: Any) -> None:
    created = await invoke(
        client, "create_entry", namespace="app-settings", value="dark-mode", tags=["ui", "x"]
    )
    assert ENTRY_ID.fullmatch(created.entry_id)
    (record,) = emu.records
    assert (record.kind, record.id, record.action, record.entry_id) == (
        "entry",
        created.entry_id,
        "CreateEntry",
        created.entry_id,
    )
    assert record.namespace == "app-settings" and record.params["Tags"] == ["ui", "x"]

    entry = (await invoke(client, "get_entry", entry_id=created.entry_id)).entry
    assert (entry.entry_id, entry.namespace, entry.value, entry.tags) == (
        created.entry_id,
        "app-settings",
        "dark-mode",
        ["ui", "x"],
    )
    assert UTC.fullmatch(entry.created_at)
    record.details["Value"] = "light-mode"  # tests may shape what a read answers
    assert (await invoke(client, "get_entry", entry_id=created.entry_id)).entry.value == "light-mode"

    assert (await invoke(client, "delete_entry", entry_id=created.entry_id)).deleted is True
    assert record.ended and emu.record(created.entry_id) is None
    with pytest.raises(kvstore.EntryNotFoundError) as gone:
        await invoke(client, "get_entry", entry_id=created.entry_id)
    assert (gone.value.code, gone.value.http_status) == ("EntryNotFound", 404)
    with pytest.raises(kvstore.EntryNotFoundError):
        await invoke(client, "delete_entry", entry_id=created.entry_id)
    with pytest.raises(kvstore.EntryNotFoundError):
        await invoke(client, "get_entry", entry_id="e-999999-0000")


async def test_list_pages_by_token(emu: Any, client: Any) -> None:
    """ListNamespaces pages by token (its specs' pagination: style token): one page, then all of
    them through the iterators, the items made from the example's."""
    response = await invoke(client, "list_namespaces", max_results=5)
    assert response.code == "OK" and response.next_token == "emu-5"
    assert response.namespaces == ["app-settings", "feature-flags", "app-settings-2", "feature-flags-2", "app-settings-3"]
    assert emu.records == []

    pages = await gather(client, "list_namespaces_pages", max_results=7)
    assert [len(p.namespaces) for p in pages] == [7, 7, 7, 7, 2] and emu.list_length("ListNamespaces") == 30
    assert [p.next_token for p in pages] == ["emu-7", "emu-14", "emu-21", "emu-28", ""]
    sent = [r.params.get("NextToken") for r in emu.requests if r.action == "ListNamespaces"][1:]
    assert sent == [None, "emu-7", "emu-14", "emu-21", "emu-28"], "no token first, then each answer's"
    emu.set_list_length("ListNamespaces", 3)
    assert await gather(client, "list_namespaces_items") == ["app-settings", "feature-flags", "app-settings-2"]
    emu.set_list_length("ListNamespaces", 0)
    assert await gather(client, "list_namespaces_items", max_results=2) == []


async def test_rate_limit_per_namespace(kvstore: ModuleType, emu: Any, client: Any) -> None:
    for i in range(3):
        await invoke(client, "create_entry", namespace="busy", value=str(i))
    with pytest.raises(kvstore.NamespaceQuotaExceededError) as limited:
        await invoke(client, "create_entry", namespace="busy", value="3")
    assert (limited.value.code, limited.value.http_status) == ("Namespace.QuotaExceeded", 400)
    await invoke(client, "create_entry", namespace="quiet", value="0")  # another namespace
    emu.clock.advance(60)
    await invoke(client, "create_entry", namespace="busy", value="4")
    assert [r.namespace for r in emu.records] == ["busy"] * 3 + ["quiet", "busy"]


async def test_missing_required_parameter_is_rejected(kvstore: ModuleType, emu: Any, client: Any) -> None:
    # model_construct skips the SDK's own checks, so the request reaches the service as it is.
    request = kvstore.models.CreateEntryRequest.model_construct(namespace="app-settings", value=None)
    with pytest.raises(kvstore.MissingParameterError) as missing:
        await invoke(client, "create_entry", request)
    assert (missing.value.code, missing.value.http_status) == ("MissingValue", 400)
    assert emu.records == [] and emu.requests[-1].code == "MissingValue"


def test_flow_limits_override_applies_to_declared_limits(kvstore: ModuleType) -> None:
    testing = importlib.import_module("kvstore.testing")
    with testing.Emulator(flow_limits=()) as emu, emu.client() as c:
        for i in range(5):
            c.create_entry(namespace="busy", value=str(i))
    assert len(emu.records) == 5


def test_its_receipts_come_from_its_specs_alone(kvstore: ModuleType, emu: Any) -> None:
    """Another product's receipts (types, outcomes, moments, its own token action and queue
    limits) need specs only: pulled typed by its consumer, refused writes reported as such."""
    receipts = importlib.import_module("kvstore.receipts")
    emu.set_outcome("refused", number="blocked")
    with emu.client() as client:
        kept = client.create_entry(namespace="app-settings", value="dark-mode").entry_id
        refused = client.create_entry(namespace="blocked", value="x").entry_id
    emu.clock.advance(5)
    got: list[Any] = []
    with emu.consumer(receipts.EntryReport, got.append, wait_seconds=0) as consumer:
        assert consumer.poll() == 2
    by_id = {r.entry_id: r for r in got}
    assert (by_id[kept].state, by_id[kept].replicas, by_id[kept].namespace) == ("DURABLE", 3, "app-settings")
    assert UTC.fullmatch(by_id[kept].written_at)
    assert (by_id[refused].state, by_id[refused].replicas) == ("REFUSED", 0)
    assert [r.action for r in emu.requests if r.action not in (None, "CreateEntry")] == ["IssueQueueToken"]
    assert [r.method for r in emu.requests if r.path.startswith("/queues/kv-EntryReport/")] == [
        "GET",
        "DELETE",
    ]
    assert receipts.SOURCE.max_batch == 8 and receipts.PUSH_REPLY == b'{"ok": true}'
    with emu.client() as client:  # the entry stays until deleted: the outcome does not end it
        assert client.delete_entry(entry_id=kept).deleted is True


@pytest.mark.parametrize("name", ["pull", "push"])
def test_its_receipt_samples_run(kvstore: ModuleType, name: str) -> None:
    """The receipts page's programs, generated for this product, run as a reader runs them."""
    out = Path(kvstore.__file__).parents[3]
    env = {**os.environ, "PYTHONPATH": str(out / "python/src")}
    result = subprocess.run([sys.executable, str(out / f"samples/python/receipts/{name}.py")], env=env,
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 0 and result.stderr == "", result.stderr
    sent, received = result.stdout.splitlines()
    entry_id = sent.removeprefix("create_entry: ")
    assert ENTRY_ID.fullmatch(entry_id) and received == f"EntryReport {entry_id} state=DURABLE"

"""Parity on receipts: the same values through each tolerant reader, and the same message bodies
through each receipt type, give the same receipts in both SDKs (or ``ReceiptError`` in both). The
bodies are made from the specs: every field at its example, sent as text, empty, of a wrong shape,
in a batch; and bodies that are not receipts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from dyvmsapi import _receipts, receipts
from ts_support import ROOT, TOOLCHAIN, compile_package, run_script

from generator.frontend import ir
from generator.frontend.pipeline import load_api
from generator.targets.python import naming as py_naming
from generator.targets.typescript import naming as ts_naming

pytestmark = pytest.mark.skipif(not TOOLCHAIN, reason="needs node and `npm ci --prefix tests/node`")

API = load_api(ROOT / "specs")
assert API.product.receipts is not None
TYPES = API.product.receipts.types

# JSON texts: what a message's value can be.
VALUES = ['"12"', '" 7 "', '"+5"', '"-3"', '"1.5"', '"1e3"', '""', '"abc"', '"0x10"', '"1_000"', '"inf"',
          '"nan"', '"٣"', '"true"', '" FALSE "', '"yes"', "12", "12.0", "1.5", "-0.5", "0", "true", "false",
          "null", "[]", "{}", '{"a": 1}', "[1]", "9007199254740993", '"9007199254740993"', '"用户"', "1e-7", "0.00001",
          "1.5e-10", "1e21", "123456789012.5", "-2.5e-8", "1e16"]  # fmt: skip


def _message(t: ir.ReceiptType, pick: Any) -> dict[str, Any]:
    return {f.wire_name: pick(f) for f in t.fields}


def _bodies() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for t in TYPES:
        example = _message(t, lambda f: f.example)
        out += [
            (t.name, json.dumps(example, ensure_ascii=False)),
            (t.name, json.dumps(_message(t, lambda f: "" if f.example is None else str(f.example)))),
            (t.name, json.dumps(_message(t, lambda f: ""))),
            (t.name, json.dumps(_message(t, lambda f: {"not": "scalar"}))),
            (t.name, json.dumps([example, {**example, "unknown_field": "x"}], ensure_ascii=False)),
            (t.name, json.dumps({})),
            (t.name, "[]"),
            (t.name, "not json"),
            (t.name, "5"),
            (t.name, "[1]"),
            (t.name, json.dumps([example, "x"], ensure_ascii=False)),
        ]
    return out


def _python(bodies: list[tuple[str, str]]) -> dict[str, Any]:
    def clean(value: Any) -> Any:
        return None if isinstance(value, float) and value != value else value

    values = {name: [clean(reader(json.loads(text))) for text in VALUES]
              for name, reader in (("asInt", _receipts.as_int), ("asFloat", _receipts.as_float),
                                   ("asBool", _receipts.as_bool), ("asStr", _receipts.as_str))}  # fmt: skip
    parsed: list[Any] = []
    for type_name, body in bodies:
        kind = getattr(receipts, py_naming.class_name(type_name))
        t = next(t for t in TYPES if t.name == type_name)
        try:
            found = receipts.parse(kind, body)
        except receipts.ReceiptError:
            parsed.append("ReceiptError")
            continue
        parsed.append(
            [{f.wire_name: getattr(r, py_naming.attribute(f.wire_name)) for f in t.fields} for r in found]
        )
    return {"values": values, "bodies": parsed}


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return compile_package(tmp_path_factory.mktemp("receipts-parity") / "dist")


def test_both_sdks_read_receipts_alike(dist: Path) -> None:
    bodies = _bodies()
    payload = {"values": VALUES, "bodies": bodies,
               "members": {t.name: [(ts_naming.member(f.wire_name), f.wire_name) for f in t.fields] for t in TYPES}}  # fmt: skip
    typescript = run_script("receipts_parity.mjs", payload, dist)
    python = _python(bodies)
    for reader in python["values"]:
        differ = [(v, p, t) for v, p, t in zip(VALUES, python["values"][reader], typescript["values"][reader],
                                               strict=True) if p != t or isinstance(p, bool) != isinstance(t, bool)]  # fmt: skip
        assert not differ, f"{reader}: (value, python, typescript) {differ}"
    for (type_name, body), p, t in zip(bodies, python["bodies"], typescript["bodies"], strict=True):
        assert p == t, f"{type_name} {body[:80]}"
    assert "ReceiptError" in python["bodies"] and any(isinstance(p, list) and p for p in python["bodies"])

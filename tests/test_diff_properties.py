"""Properties of ``diff``: a tree compared with itself shows nothing, and the result depends on the
API only — not on the order of keys in the YAML, nor on the order of files, actions or error codes.
"""

from __future__ import annotations

import dataclasses
import random
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.frontend import ir
from generator.release.changes import Change
from generator.release.diff import diff_apis
from generator.frontend.pipeline import load_api
from spec_edits import ROOT, apply_edits, load_fixture

SETS = {
    "mini": ROOT / "tests/fixtures/specs/mini",
    "edge": ROOT / "tests/fixtures/specs/edge",
    "specs": ROOT / "specs",
}
DIFF_CASES = sorted(p.name for p in (ROOT / "tests/fixtures/diff").iterdir() if (p / "edits.yaml").is_file())


def shuffled(data: Any, rng: random.Random) -> Any:
    if isinstance(data, dict):
        keys = list(data)
        rng.shuffle(keys)
        return {k: shuffled(data[k], rng) for k in keys}
    if isinstance(data, list):
        return [shuffled(item, rng) for item in data]
    return data


def shuffled_copy(source: Path, target: Path, seed: int) -> None:
    """The same spec tree with every mapping's keys in a random order (comments and layout lost)."""
    rng = random.Random(seed)
    layers = [source, source / "imported"]
    for path in sorted(
        p
        for layer in layers
        for p in [layer / "product.yaml", layer / "errors.yaml", *(layer / "actions").glob("*.yaml")]
        if p.is_file()
    ):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        out = target / path.relative_to(source)
        out.parent.mkdir(parents=True, exist_ok=True)
        text = yaml.dump(shuffled(data, rng), Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False)
        out.write_text(text, encoding="utf-8")


def reordered(api: ir.Api, rng: random.Random) -> ir.Api:
    """The same API with actions, error codes and every field list in another order."""

    def fields(items: tuple[ir.Field, ...]) -> tuple[ir.Field, ...]:
        return tuple(rng.sample(items, len(items)))

    actions = []
    for a in api.actions:
        structs = tuple(dataclasses.replace(s, fields=fields(s.fields)) for s in a.structs)
        response = dataclasses.replace(a.response, fields=fields(a.response.fields))
        actions.append(dataclasses.replace(a, parameters=fields(a.parameters), response=response,
                                           structs=tuple(rng.sample(structs, len(structs)))))  # fmt: skip
    return dataclasses.replace(api, actions=tuple(rng.sample(actions, len(actions))),
                               errors=tuple(rng.sample(api.errors, len(api.errors))))  # fmt: skip


def keys(changes: list[Change]) -> list[tuple[str, str, str]]:
    return sorted((c.code.value, c.path, c.message) for c in changes)


@settings(max_examples=12, deadline=None)
@given(name=st.sampled_from(sorted(SETS)), seed=st.integers(0, 2**32 - 1))
def test_a_tree_with_its_keys_shuffled_has_no_change(name: str, seed: int) -> None:
    with tempfile.TemporaryDirectory() as work:
        shuffled_copy(SETS[name], Path(work), seed)
        original = load_api(SETS[name])
        assert diff_apis(original, original) == []
        assert diff_apis(original, load_api(Path(work))) == []
        assert diff_apis(load_api(Path(work)), original) == []


@settings(max_examples=25, deadline=None)
@given(case=st.sampled_from(DIFF_CASES), seed=st.integers(0, 2**32 - 1))
def test_changes_do_not_depend_on_key_or_file_order(case: str, seed: int) -> None:
    fixture = load_fixture(ROOT / "tests/fixtures/diff" / case)
    setup = fixture.get("setup", [])
    with tempfile.TemporaryDirectory() as work:
        root = Path(work)
        apply_edits({"base": fixture["base"], "edits": setup}, root / "old")
        apply_edits({"base": fixture["base"], "edits": setup + fixture["edits"]}, root / "new")
        for side in ("old", "new"):
            shuffled_copy(root / side, root / f"shuffled-{side}", seed)
        old, new = load_api(root / "old"), load_api(root / "new")
        expected = diff_apis(old, new)
        assert diff_apis(new, new) == []
        assert keys(diff_apis(load_api(root / "shuffled-old"), load_api(root / "shuffled-new"))) == keys(
            expected
        )
        rng = random.Random(seed)
        assert keys(diff_apis(reordered(old, rng), reordered(new, rng))) == keys(expected)


def test_the_loader_ignores_the_release_folder(tmp_path: Path) -> None:
    """specs/.release/baseline is never read as part of the current specs, even when it is broken."""
    shutil.copytree(SETS["mini"], tmp_path / "specs")
    baseline = tmp_path / "specs/.release/baseline"
    (baseline / "actions").mkdir(parents=True)
    (baseline / "product.yaml").write_text("product: [\n")
    (baseline / "actions/Extra.yaml").write_text("action: [\n")
    api, mini = load_api(tmp_path / "specs"), load_api(SETS["mini"])
    assert [dataclasses.replace(a, source="") for a in api.actions] == [
        dataclasses.replace(a, source="") for a in mini.actions
    ]
    assert (api.product, api.errors, api.changelog) == (mini.product, mini.errors, None)

"""Mutations of a valid spec tree: whatever the input, sdkgen answers with exit 0 or 2, never a
traceback; every diagnostic is located; a failed run leaves the output untouched; and whatever
is accepted generates a package that imports (the corpus of "validate accepts ⇒ generate works").

The mutants are reproducible (fixed seeds) and cover the kinds of damage a hostile or careless
edit does: hostile scalars in place of values, hostile names in place of keys, lines deleted,
duplicated or truncated, bytes inserted. ``SDKGEN_FUZZ_CASES=N`` runs more of them locally.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main
from generator.frontend.pipeline import load_api

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "tests/fixtures/specs/mini"
CASES = int(os.environ.get("SDKGEN_FUZZ_CASES", "48"))

HOSTILE_VALUES = [
    '""', ".nan", ".inf", "-.inf", "1e400", "!!int abc", "!!bool maybe", "!custom x", "'\"\"\"'",
    '"\\0"', '"tab\\there"', "9" * 400, "~", "[]", "{}", "[[[[[[[[[[]]]]]]]]]]", "&a [*a]", "*nowhere",
    "'^(a+)+$'", "-1", "0", "2147483648", "'call me maybe'", "'1390000****'", '"\\u202e"', "null",
]  # fmt: skip
HOSTILE_KEYS = ["On", "No", "Null", "0x1F", "010", "Self", "class", "Close", "Retry", "呼叫", "Call😀", "<<", "__init__"]
# Texts and names that are valid but hostile to a generator: quotes, backslashes, template syntax,
# Markdown and HTML, keywords and the names of generated members.
HOSTILE_TEXTS = [
    '\'"""\'', '\'ends with a quote "\'', '"back\\\\slash \\\\n"', "'{{ jinja }} {% raw %}'", "'<!-- x --> </script>'",
    "'| pipe | `tick` *star*'", "'\u202e RTL'", "'多语言 ✓ 😀'", "'x' ", "'#not a comment'",
]  # fmt: skip
VALID_NAMES = ["On", "No", "Null", "Self", "Class", "ToQuery", "ModelConfig", "Json", "Type", "X1", "From", "Async"]
TEXT = re.compile(r"\b(zh|en): ([^,}\n]+)")
PARAMETER = re.compile(r"^  ([A-Za-z_]\w*):\s*$")
LINE = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][\w.\-]*):(\s+)(\S.*)$")


def mutate(tree: Path, rng: random.Random) -> str:
    """Damage one file of ``tree`` in place; returns what was done, for the failure message."""
    files = sorted(p for p in tree.rglob("*.yaml"))
    path = rng.choice(files)
    # an earlier mutation may have left bytes that are not UTF-8: carry them through as they are
    lines = path.read_bytes().decode("utf-8", "surrogateescape").splitlines(keepends=True)
    kind = rng.choice(["value", "key", "delete", "duplicate", "truncate", "bytes", "text", "text", "rename", "rename"])
    rel = path.relative_to(tree).as_posix()
    texts = [i for i, line in enumerate(lines) if TEXT.search(line)]
    if kind == "text" and texts:
        i = rng.choice(texts)
        lines[i] = TEXT.sub(lambda m: f"{m.group(1)}: {rng.choice(HOSTILE_TEXTS)}", lines[i], count=1)
        path.write_bytes("".join(lines).encode("utf-8", "surrogateescape"))
        return f"{rel}:{i + 1}: text -> {lines[i].strip()!r}"
    names = [i for i, line in enumerate(lines) if PARAMETER.match(line.rstrip("\n"))]
    if kind == "rename" and names:
        i = rng.choice(names)
        lines[i] = f"  {rng.choice(VALID_NAMES)}:\n"
        path.write_bytes("".join(lines).encode("utf-8", "surrogateescape"))
        return f"{rel}:{i + 1}: renamed -> {lines[i].strip()!r}"
    candidates = [i for i, line in enumerate(lines) if LINE.match(line.rstrip("\n"))]
    if kind in ("value", "key") and candidates:
        i = rng.choice(candidates)
        m = LINE.match(lines[i].rstrip("\n"))
        assert m is not None
        indent, key, space, value = m.groups()
        if kind == "value":
            value = rng.choice(HOSTILE_VALUES)
        else:
            key = rng.choice(HOSTILE_KEYS)
        lines[i] = f"{indent}{key}:{space}{value}\n"
        path.write_bytes("".join(lines).encode("utf-8", "surrogateescape"))
        return f"{rel}:{i + 1}: {kind} -> {lines[i].strip()!r}"
    if kind == "delete" and lines:
        i = rng.randrange(len(lines))
        del lines[i]
        path.write_bytes("".join(lines).encode("utf-8", "surrogateescape"))
        return f"{rel}:{i + 1}: line deleted"
    if kind == "duplicate" and lines:
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
        path.write_bytes("".join(lines).encode("utf-8", "surrogateescape"))
        return f"{rel}:{i + 1}: line duplicated"
    raw = path.read_bytes()
    if kind == "truncate":
        cut = rng.randrange(len(raw))
        path.write_bytes(raw[:cut])
        return f"{rel}: truncated at byte {cut}"
    at = rng.randrange(len(raw))
    junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 8)))
    path.write_bytes(raw[:at] + junk + raw[at:])
    return f"{rel}: {junk!r} inserted at byte {at}"


def snapshot(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


LOCATED = re.compile(r"^\S.*:\d+:\d+: (error|warning)\[[a-z0-9-]+\] ")


@pytest.fixture(scope="module")
def old_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output of the valid tree: what every mutant's generate starts from."""
    work = tmp_path_factory.mktemp("base")
    shutil.copytree(BASE, work / "specs")
    assert main(["generate", "--specs", str(work / "specs"), "--output", str(work / "out")]) == 0
    return work / "out"


@pytest.mark.parametrize("seed", range(CASES))
def test_a_mutant_is_rejected_with_located_errors_or_generates_a_package(
    seed: int, tmp_path: Path, old_output: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(seed)
    specs = tmp_path / "specs"
    shutil.copytree(BASE, specs)
    done = [mutate(specs, rng) for _ in range(rng.choice([1, 1, 2]))]
    out = tmp_path / "out"
    shutil.copytree(old_output, out)
    before = snapshot(out)
    code = main(["generate", "--specs", str(specs), "--output", str(out)])  # any exception fails the test
    captured = capsys.readouterr()
    assert code in (0, 2), f"{done}: exit {code}\n{captured.err}"
    if code == 2:
        errors = [line for line in captured.err.splitlines() if "error[" in line or "warning[" in line]
        assert errors, f"{done}: exit 2 with no diagnostic:\n{captured.err}"
        unlocated = [line for line in errors if not LOCATED.match(line)]
        assert not unlocated, f"{done}: diagnostics without file:line:col: {unlocated}"
        assert snapshot(out) == before, f"{done}: a rejected run changed the output"
        return
    if load_api(specs).product.package("python") is None:
        assert not (out / "python").exists(), f"{done}: no Python package asked for, yet one was written"
        return
    package = next((out / "python/src").iterdir()).name
    modules = sorted(p.stem for p in (out / f"python/src/{package}/models").glob("*.py") if p.stem != "__init__")
    script = f"import {package}, {package}._client, {package}.testing\n" + "".join(
        f"import {package}.models.{m}\n" for m in modules
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "PYTHONPATH": str(out / "python/src")},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, f"{done}: accepted, but the package does not import:\n{result.stderr[-3000:]}"

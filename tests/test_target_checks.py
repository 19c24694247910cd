"""The Python target refuses names it cannot emit, at their place in the specs, and emits what it
accepts safely: hostile texts end up inside docstrings without breaking the module."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests/fixtures/specs/mini"
PACKAGE_LINE = "    python: {package: minivms, distribution: minivms}"


def project(tmp_path: Path, old: str, new: str) -> Path:
    specs = tmp_path / "specs"
    shutil.copytree(MINI, specs)
    product = specs / "product.yaml"
    text = product.read_text(encoding="utf-8")
    assert text.count(old) == 1
    product.write_text(text.replace(old, new), encoding="utf-8")
    return specs


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ("{package: class, distribution: minivms}", "'class' cannot be a Python import name"),
        ("{package: dyvms-api, distribution: minivms}", "'dyvms-api' cannot be a Python import name"),
        ("{package: 9lives, distribution: minivms}", "'9lives' cannot be a Python import name"),
        ("{package: ../../escape, distribution: minivms}", "'../../escape' cannot be a Python import name"),
        ("{package: minivms, distribution: -bad-}", "'-bad-' is not a valid distribution name"),
        ("{package: minivms, distribution: minivms, requires_python: banana}", "requires_python 'banana' is not"),
    ],
)
def test_unusable_package_settings_are_located_errors(
    settings: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    specs = project(tmp_path, PACKAGE_LINE, f"    python: {settings}")
    assert main(["generate", "--specs", str(specs), "--output", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"error[invalid-value] {message}" in err
    assert "product.yaml:1:1:" not in err, "pointed at the setting, not the top of the file"
    assert not (tmp_path / "out").exists(), "nothing written"


def test_quotes_and_backslashes_in_texts_do_not_break_the_generated_modules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    specs = project(tmp_path, "title: {zh: 迷你语音, en: Mini voice}", 'title: {zh: "迷你\\\\语音", en: "Say \\"\\"\\"hi\\""}')
    action = specs / "actions/PlayTts.yaml"
    text = action.read_text(encoding="utf-8")
    action.write_text(
        text.replace("en: Play a text-to-speech template to a phone.}", 'en: "ends with a quote \\""}'),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["generate", "--specs", str(specs), "--output", str(out)]) == 0, capsys.readouterr().err
    script = "import minivms, minivms._client as c; print(c.Client.__doc__.splitlines()[0]); print(c.Client.play_tts.__doc__.splitlines()[0])"
    result = subprocess.run(
        [sys.executable, "-c", script], env={**os.environ, "PYTHONPATH": str(out / "python/src")},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert 'Say """hi"' in result.stdout and 'ends with a quote "' in result.stdout


def test_receipt_names_that_would_collide_are_located_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    specs = tmp_path / "specs"
    shutil.copytree(ROOT / "specs", specs)
    product = specs / "product.yaml"
    text = product.read_text(encoding="utf-8")
    first = "  types:\n    VoiceReport:\n"  # the first type: its first field gets a neighbour named raw
    assert text.count(first) == 1
    at = text.index("      fields:\n", text.index(first)) + len("      fields:\n")
    text = text[:at] + "        raw: {type: string}\n" + text[at:]
    text = text.replace(first, "  types:\n    PushReceiver:\n      actions: [SingleCallByTts]\n"
                               "      fields: {call_id: {type: string}}\n    VoiceReport:\n")  # fmt: skip
    product.write_text(text, encoding="utf-8")
    assert main(["generate", "--specs", str(specs), "--output", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    for language in ("Python", "TypeScript"):
        assert f"receipt type 'PushReceiver' becomes the {language} type 'PushReceiver', already" in err
        assert f"receipt field 'raw' of 'VoiceReport' becomes the {language} name 'raw', already the message" in err
    lines = text.splitlines()
    assert f"product.yaml:{lines.index('        raw: {type: string}') + 1}:" in err, "at the field"
    assert not (tmp_path / "out").exists(), "nothing written"

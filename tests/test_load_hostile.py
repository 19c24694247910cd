"""The spec loader survives any input: a located diagnostic (exit 2), never a traceback or a hang.

Each hostile input is put into a copy of the mini specs in ``tmp_path`` and validated in a
subprocess, as tests/test_diagnostics.py does; the filesystem cases (symbolic links, FIFOs,
sockets, directories, devices) need a real tree, so they live here rather than in
tests/fixtures/diagnostics/. A few checks run the loader in-process: the exact data the YAML 1.2
core schema gives, an alias bomb's running time, and an unreadable file (the suite runs as root,
for whom ``chmod 000`` changes nothing, so ``os.open`` is made to fail instead).
"""

from __future__ import annotations

import errno
import math
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from generator.frontend.diagnostics import Code, Diagnostic
from generator.frontend.load import LoadLimits, load_specs, load_text
from spec_edits import ROOT, apply_edits


def make_specs(tmp_path: Path) -> Path:
    specs = tmp_path / "specs"
    apply_edits({"base": "mini", "edits": []}, specs)
    return specs


def run_validate(cwd: Path, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", "validate", "--specs", "specs"],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=timeout,
    )


def assert_reported(tmp_path: Path, code: str, where: str, timeout: float = 30) -> str:
    """Validation exits 2 without a traceback and reports ``code`` at ``where`` (path:line:col)."""
    result = run_validate(tmp_path, timeout)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stdout == ""
    line = re.search(rf"^{re.escape(where)}: error\[{re.escape(code)}\] .+$", result.stderr, re.M)
    assert line is not None, result.stderr
    return result.stderr


# --- YAML content ---------------------------------------------------------------------------

DEEP = 1000
BOMB = "\n".join(
    ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]" for i in range(8)]
)
BLOCK_DEEP = "".join(f"{'  ' * i}k{i}:\n" for i in range(DEEP)) + "  " * DEEP + "v\n"
ALIAS_DEEP = "\n".join(
    [f"a0: &a0 {'[' * 40}x{']' * 40}"] + [f"a{i}: &a{i} {'[' * 40}*a{i - 1}{']' * 40}" for i in range(1, 5)]
)

# name → (text of actions/Hostile.yaml, expected code, line:column)
YAML_CASES: dict[str, tuple[str, str, str]] = {
    "int-tag-on-a-word": ("x: !!int abc\n", "yaml-tag", "1:4"),
    "bool-tag-on-maybe": ("x: !!bool maybe\n", "yaml-tag", "1:4"),
    "timestamp-tag": ("x: !!timestamp 'garbage'\n", "yaml-tag", "1:4"),
    "timestamp-tag-valid-date": ("x: !!timestamp 2024-01-01\n", "yaml-tag", "1:4"),
    "custom-tag": ("action: Hostile\nx: !custom 1\n", "yaml-tag", "2:4"),
    "custom-tag-on-mapping": ("x: !custom {a: 1}\n", "yaml-tag", "1:4"),
    "python-tag": ("x: !!python/object:os.system {}\n", "yaml-tag", "1:4"),
    "set-tag": ("x: !!set {a, b}\n", "yaml-tag", "1:4"),
    "seq-tag-on-mapping": ("x: !!seq {a: 1}\n", "yaml-tag", "1:4"),
    "int-tag-on-key": ("!!int 5: x\n", "yaml-tag", "1:1"),
    "merge-key": ("base: &b {k: 1}\nother:\n  <<: *b\n  j: 2\n", "yaml-merge-key", "3:3"),
    "self-referencing-alias": ("x: &r [*r]\n", "yaml-recursive-alias", "1:8"),
    "self-referencing-alias-in-mapping": ("x: &r {a: {b: *r}}\n", "yaml-recursive-alias", "1:15"),
    "flow-nesting-1000-deep": ("x: " + "[" * DEEP + "]" * DEEP + "\n", "yaml-limit", "1:67"),
    "block-nesting-1000-deep": (BLOCK_DEEP, "yaml-limit", "64:127"),
    "alias-nesting-deeper-than-the-limit": (ALIAS_DEEP, "yaml-limit", "2:49"),
    "billion-laughs": (BOMB, "yaml-limit", "4:36"),
    "integer-of-5000-digits": ("x: " + "7" * 5000 + "\n", "number-too-long", "1:4"),
    "float-of-5000-digits": ("x: 1." + "7" * 5000 + "\n", "number-too-long", "1:4"),
    "hex-of-5000-digits": ("x: !!int 0x" + "f" * 5000 + "\n", "number-too-long", "1:4"),
    "control-character-in-value": ("x: a\x01b\n", "control-character", "1:5"),
    "nul-in-value": ('x: "a\x00b"\n', "control-character", "1:6"),
    "nul-in-a-comment": ("x: 1 # \x00\n", "control-character", "1:8"),
    "escaped-nul": ('x: "a\\0b"\n', "control-character", "1:4"),
    "escaped-escape-in-key": ('"k\\e": 1\n', "control-character", "1:1"),
    "c1-control": ("x: a\x9bb\n", "control-character", "1:5"),
    "del": ("x: a\x7fb\n", "control-character", "1:5"),
}


@pytest.mark.parametrize("case", sorted(YAML_CASES))
def test_hostile_yaml_is_reported(case: str, tmp_path: Path) -> None:
    text, code, position = YAML_CASES[case]
    specs = make_specs(tmp_path)
    (specs / "actions/Hostile.yaml").write_text(text, encoding="utf-8")
    stderr = assert_reported(tmp_path, code, f"specs/actions/Hostile.yaml:{position}")
    # The file is dropped whole: no consequences of it (missing keys, name mismatch) are reported.
    assert stderr.count("error[") == 1, stderr


def load(text: str, limits: LoadLimits = LoadLimits()) -> tuple[Any, list[Diagnostic]]:
    diagnostics: list[Diagnostic] = []
    doc = load_text("t.yaml", text.encode("utf-8"), diagnostics, limits=limits)
    return (doc.data if doc is not None else None), diagnostics


def test_an_alias_bomb_stops_early() -> None:
    bomb = "\n".join(
        ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(20)]
    )
    started = time.perf_counter()
    data, diagnostics = load(bomb)
    assert time.perf_counter() - started < 0.2
    assert data is None
    assert [d.code for d in diagnostics] == [Code.yaml_limit]
    assert "more than 10,000 nodes" in diagnostics[0].message


def test_aliases_within_the_limit_expand() -> None:
    data, diagnostics = load("a: &a {k: [1, 2]}\nb: *a\nc: [*a, *a]\n")
    assert diagnostics == []
    assert data == {"a": {"k": [1, 2]}, "b": {"k": [1, 2]}, "c": [{"k": [1, 2]}, {"k": [1, 2]}]}
    assert data["b"] is not data["a"]  # each use is its own value


def test_limits_are_configurable() -> None:
    text = "a: &a [1, 2, 3]\nb: [*a, *a, *a]\nc: [[[1]]]\nd: 123456\n"
    assert load(text)[1] == []
    for limits, code in [
        (LoadLimits(max_alias_nodes=8), Code.yaml_limit),
        (LoadLimits(max_depth=3), Code.yaml_limit),
        (LoadLimits(max_digits=5), Code.number_too_long),
    ]:
        data, diagnostics = load(text, limits)
        assert data is None and [d.code for d in diagnostics] == [code], (limits, diagnostics)


def test_depth_limit_counts_levels_exactly() -> None:
    limits = LoadLimits(max_depth=4)
    assert load("a: [[x]]\n", limits)[1] == []  # mapping, list, list, scalar: 4 levels
    assert [d.code for d in load("a: [[[x]]]\n", limits)[1]] == [Code.yaml_limit]


def test_a_raised_depth_limit_past_the_stack_is_still_a_diagnostic() -> None:
    data, diagnostics = load("x: " + "[" * 5000 + "]" * 5000 + "\n", LoadLimits(max_depth=100_000))
    assert data is None and [d.code for d in diagnostics] == [Code.yaml_limit]


def test_yaml_1_1_keys_keep_their_spelling() -> None:
    text = "On: 1\nNo: 2\nNull: 3\n0x1F: 4\n010: 5\nyes: 6\n~: 7\n1.5: 8\ntrue: 9\n2024-01-01: 10\n"
    data, diagnostics = load(text)
    assert diagnostics == []
    assert list(data) == ["On", "No", "Null", "0x1F", "010", "yes", "~", "1.5", "true", "2024-01-01"]


@pytest.mark.parametrize(
    "text, value",
    [
        ("yes", "yes"),
        ("No", "No"),
        ("on", "on"),
        ("OFF", "OFF"),
        ("y", "y"),
        ("2024-01-01", "2024-01-01"),
        ("2001-12-14t21:59:43.10-05:00", "2001-12-14t21:59:43.10-05:00"),
        ("1:20", "1:20"),
        ("1_000", "1_000"),
        ("0b101", "0b101"),
        ("=", "="),
        ("true", True),
        ("False", False),
        ("TRUE", True),
        ("null", None),
        ("Null", None),
        ("~", None),
        ("", None),
        ("010", "010"),
        ("057156780000", "057156780000"),
        ("-007", "-007"),
        ("0", 0),
        ("-0", 0),
        ("+5", 5),
        ("0o17", "0o17"),
        ("0x1F", 31),
        ("0X1F", "0X1F"),
        ("-0x1F", "-0x1F"),
        ("1.5", 1.5),
        ("-2e3", -2000.0),
        (".5", 0.5),
        ("1.", 1.0),
        (".inf", math.inf),
        ("-.Inf", -math.inf),
        ("'010'", "010"),
        ('"true"', "true"),
        ("!!str 010", "010"),
        ("!!int '42'", 42),
        ("!!float 1", 1.0),
        ("!!bool FALSE", False),
        ("!!null ''", None),
        ("! 12", "12"),
    ],
)
def test_values_follow_the_yaml_1_2_core_schema(text: str, value: Any) -> None:
    data, diagnostics = load(f"x: {text}\n")
    assert diagnostics == []
    assert data["x"] == value and type(data["x"]) is type(value)


def test_nan_is_a_float() -> None:
    data, _ = load("x: .NaN\n")
    assert math.isnan(data["x"])


def test_standard_collection_tags_are_accepted() -> None:
    data, diagnostics = load("x: !!seq [1]\ny: !!map {a: 1}\n!!str z: 2\n")
    assert diagnostics == [] and data == {"x": [1], "y": {"a": 1}, "z": 2}


def test_a_spec_parameter_named_on_keeps_its_wire_name(tmp_path: Path) -> None:
    from generator.frontend.pipeline import load_api

    specs = make_specs(tmp_path)
    path = specs / "actions/PlayTts.yaml"
    text = path.read_text(encoding="utf-8")
    added = (
        "parameters:\n"
        "  On:\n"
        "    type: string\n"
        "    example: yes\n"
        "    description: {zh: 开关。, en: A switch.}\n"
        "  No:\n"
        "    type: int32\n"
        "    example: 0x0A\n"
        "    description: {zh: 编号。, en: A number.}\n"
    )
    path.write_text(text.replace("parameters:\n", added, 1), encoding="utf-8")
    result = run_validate(tmp_path)
    assert result.returncode == 0, result.stderr
    action = next(a for a in load_api(specs).actions if a.name == "PlayTts")
    fields = {f.wire_name: f for f in action.parameters}
    assert fields["On"].example == "yes" and fields["No"].example == 10


# --- files ------------------------------------------------------------------------------------


def test_symlink_loop(tmp_path: Path) -> None:
    specs = make_specs(tmp_path)
    (specs / "actions/Loop.yaml").symlink_to("Loop.yaml")
    (specs / "actions/A.yaml").symlink_to("B.yaml")
    (specs / "actions/B.yaml").symlink_to("A.yaml")
    stderr = assert_reported(tmp_path, "broken-symlink", "specs/actions/Loop.yaml:1:1")
    assert "specs/actions/A.yaml:1:1: error[broken-symlink]" in stderr
    assert "specs/actions/B.yaml:1:1: error[broken-symlink]" in stderr


def test_dangling_symlink(tmp_path: Path) -> None:
    specs = make_specs(tmp_path)
    (specs / "actions/Gone.yaml").symlink_to("Nowhere.yaml")
    assert_reported(tmp_path, "broken-symlink", "specs/actions/Gone.yaml:1:1")


def test_dangling_symlink_for_a_required_file(tmp_path: Path) -> None:
    specs = make_specs(tmp_path)
    (specs / "errors.yaml").unlink()
    (specs / "errors.yaml").symlink_to("missing.yaml")
    assert_reported(tmp_path, "broken-symlink", "specs/errors.yaml:1:1")


def test_directory_named_yaml(tmp_path: Path) -> None:
    specs = make_specs(tmp_path)
    (specs / "actions/Dir.yaml").mkdir()
    assert_reported(tmp_path, "not-a-regular-file", "specs/actions/Dir.yaml:1:1")


def test_product_yaml_is_a_directory(tmp_path: Path) -> None:
    specs = make_specs(tmp_path)
    (specs / "product.yaml").unlink()
    (specs / "product.yaml").mkdir()
    stderr = assert_reported(tmp_path, "not-a-regular-file", "specs/product.yaml:1:1")
    assert "a directory" in stderr


def test_fifo_is_never_opened(tmp_path: Path) -> None:
    specs = make_specs(tmp_path)
    os.mkfifo(specs / "actions/Pipe.yaml")
    stderr = assert_reported(tmp_path, "not-a-regular-file", "specs/actions/Pipe.yaml:1:1", timeout=20)
    assert "FIFO" in stderr


def test_fifo_changelog_is_never_opened(tmp_path: Path) -> None:
    specs = make_specs(tmp_path)
    (specs / ".release").mkdir()
    os.mkfifo(specs / ".release/CHANGELOG.md")
    assert_reported(tmp_path, "not-a-regular-file", "specs/.release/CHANGELOG.md:1:1", timeout=20)


def test_socket_named_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    specs = make_specs(tmp_path)
    monkeypatch.chdir(specs / "actions")  # a short relative path: AF_UNIX paths are limited to ~100 bytes
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind("Socket.yaml")
        monkeypatch.chdir(tmp_path)
        stderr = assert_reported(tmp_path, "not-a-regular-file", "specs/actions/Socket.yaml:1:1")
        assert "a socket" in stderr
    finally:
        server.close()


def test_device_inside_the_specs(tmp_path: Path) -> None:
    import stat

    specs = make_specs(tmp_path)
    try:
        os.mknod(specs / "actions/Zero.yaml", 0o600 | stat.S_IFCHR, os.makedev(1, 5))
    except OSError as exc:
        pytest.skip(f"cannot make a device node here ({exc.strerror})")
    stderr = assert_reported(tmp_path, "not-a-regular-file", "specs/actions/Zero.yaml:1:1")
    assert "character device" in stderr


def test_symlink_to_dev_zero(tmp_path: Path) -> None:
    specs = make_specs(tmp_path)
    (specs / "actions/Zero.yaml").symlink_to("/dev/zero")
    started = time.perf_counter()
    stderr = assert_reported(tmp_path, "outside-specs", "specs/actions/Zero.yaml:1:1")
    assert time.perf_counter() - started < 10
    assert "/dev/zero" in stderr


def test_symlink_to_a_file_outside_the_specs(tmp_path: Path) -> None:
    specs = make_specs(tmp_path)
    outside = tmp_path / "Outside.yaml"
    outside.write_text((specs / "actions/GetCall.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (specs / "actions/Outside.yaml").symlink_to(outside)
    assert_reported(tmp_path, "outside-specs", "specs/actions/Outside.yaml:1:1")


def test_actions_directory_linked_outside(tmp_path: Path) -> None:
    specs = make_specs(tmp_path)
    (specs / "actions").rename(tmp_path / "elsewhere")
    (specs / "actions").symlink_to(tmp_path / "elsewhere")
    stderr = assert_reported(tmp_path, "outside-specs", "specs/actions/GetCall.yaml:1:1")
    assert "specs/actions/PlayTts.yaml:1:1: error[outside-specs]" in stderr


def test_symlinks_inside_the_specs_are_followed(tmp_path: Path) -> None:
    specs = make_specs(tmp_path)
    (specs / "real").mkdir()
    (specs / "product.yaml").rename(specs / "real/product.yaml")
    (specs / "product.yaml").symlink_to("real/product.yaml")
    (specs / "actions/GetCall.yaml").rename(specs / "real/GetCall.yaml")
    (specs / "actions/GetCall.yaml").symlink_to("../real/GetCall.yaml")
    result = run_validate(tmp_path)
    assert result.returncode == 0, result.stderr


def test_specs_directory_reached_through_a_symlink(tmp_path: Path) -> None:
    real = make_specs(tmp_path / "real")
    (tmp_path / "specs").symlink_to(real)
    result = run_validate(tmp_path)
    assert result.returncode == 0, result.stderr


def test_file_too_large(tmp_path: Path) -> None:
    specs = make_specs(tmp_path)
    (specs / "actions/Big.yaml").write_text("# padding\n" * (1024 * 1024 // 10 + 1), encoding="utf-8")
    stderr = assert_reported(tmp_path, "file-too-large", "specs/actions/Big.yaml:1:1")
    assert "1,048,576" in stderr


def test_file_growing_past_the_limit_after_the_stat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The size from ``stat`` is not trusted: at most limit + 1 bytes are read."""
    specs = make_specs(tmp_path)
    (specs / "actions/Big.yaml").write_text("x: 1\n" + "#" * 200_000, encoding="utf-8")
    real_stat = os.stat

    def small_stat(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        result = real_stat(path, *args, **kwargs)
        if str(path).endswith("Big.yaml"):
            fields = list(result)
            fields[6] = 1  # st_size
            return os.stat_result(fields)
        return result

    monkeypatch.setattr(os, "stat", small_stat)
    diagnostics: list[Diagnostic] = []
    load_specs(specs, diagnostics, limits=LoadLimits(max_file_bytes=100_000))
    assert [(Path(d.path).name, d.code) for d in diagnostics] == [("Big.yaml", Code.file_too_large)]


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As root ``chmod 000`` does not stop a read, so ``os.open`` is made to fail as it would."""
    specs = make_specs(tmp_path)
    real_open = os.open

    def refusing_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if str(path).endswith("GetCall.yaml"):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    diagnostics: list[Diagnostic] = []
    load_specs(specs, diagnostics, display_root=tmp_path)
    assert [d.render() for d in diagnostics] == [
        "specs/actions/GetCall.yaml:1:1: error[unreadable-file] the file cannot be read (Permission denied)"
    ]

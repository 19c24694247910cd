"""Load stage: read the spec files as YAML, keeping the line and column of every key and value.

Takes a specs directory; returns one ``Document`` per file: plain Python data (dicts, lists,
scalars) plus a table from each value's path to where it stands in the file. This is the only
module that reads specs from disk. It reports unreadable files (not UTF-8, empty, bad YAML) and
duplicate mapping keys, which a YAML library would otherwise silently let the last one win.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.frontend.diagnostics import Code, Diagnostic

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Pos:
    line: int
    column: int


@dataclass
class Document:
    """One spec file: its data, and the position of every key and value by path."""

    path: str
    data: Any
    values: dict[Loc, Pos] = field(default_factory=dict)
    keys: dict[Loc, Pos] = field(default_factory=dict)

    def where(self, loc: Loc, *, key: bool = False) -> Pos:
        """Position of ``loc`` (its key when ``key``), else of the nearest enclosing value."""
        table = self.keys if key else self.values
        while loc not in table and loc:
            loc = loc[:-1]
            table = self.values
        return table.get(loc, Pos(1, 1))

    def at(
        self, loc: Loc, code: Code, message: str, *, key: bool = False, hint: str | None = None
    ) -> Diagnostic:
        pos = self.where(loc, key=key)
        return Diagnostic(self.path, pos.line, pos.column, code, message, hint)


# Where a duplicated mapping key means something more specific than "duplicate key".
_DUPLICATE_CODES = {
    "parameters": Code.duplicate_parameter,
    "fields": Code.duplicate_field,
    "structs": Code.duplicate_struct,
    "errors": Code.duplicate_error_code,
}

_DUPLICATE_NOUNS = {
    Code.duplicate_parameter: "parameter",
    Code.duplicate_field: "field",
    Code.duplicate_struct: "struct",
    Code.duplicate_error_code: "error code",
    Code.duplicate_key: "key",
}


class _Builder:
    def __init__(self, doc: Document, diagnostics: list[Diagnostic]) -> None:
        self.doc = doc
        self.diagnostics = diagnostics
        self.constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        self.doc.values[loc] = _pos(node.start_mark)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, loc)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, loc + (i,)) for i, item in enumerate(node.value)]
        return self.constructor.construct_object(node, deep=True)

    def _mapping(self, node: yaml.MappingNode, loc: Loc) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self.constructor.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)):
                key = str(key)
            key = str(key) if not isinstance(key, str) else key
            child = loc + (key,)
            if key in result:
                first = self.doc.keys[child]
                code = _DUPLICATE_CODES.get(str(loc[-1]) if loc else "", Code.duplicate_key)
                noun = _DUPLICATE_NOUNS[code]
                pos = _pos(key_node.start_mark)
                self.diagnostics.append(
                    Diagnostic(
                        self.doc.path,
                        pos.line,
                        pos.column,
                        code,
                        f"{noun} '{key}' is declared twice (first at {first.line}:{first.column})",
                        "remove one of the two, or rename it",
                    )
                )
                continue
            self.doc.keys[child] = _pos(key_node.start_mark)
            result[key] = self.build(value_node, child)
        return result


def _pos(mark: yaml.Mark) -> Pos:
    return Pos(mark.line + 1, mark.column + 1)


def _position_of_byte(raw: bytes, offset: int) -> Pos:
    before = raw[:offset]
    line = before.count(b"\n") + 1
    column = offset - (before.rfind(b"\n") + 1) + 1
    return Pos(line, column)


def load_text(path: str, raw: bytes, diagnostics: list[Diagnostic]) -> Document | None:
    """Parse one file's bytes; on failure append diagnostics and return None."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        pos = _position_of_byte(raw, exc.start)
        diagnostics.append(
            Diagnostic(
                path,
                pos.line,
                pos.column,
                Code.not_utf8,
                f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x} cannot be decoded)",
                "save the file as UTF-8",
            )
        )
        return None
    text = text.removeprefix("\ufeff")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = _pos(mark) if mark is not None else Pos(1, 1)
        problem = exc.problem or "invalid YAML"
        context = f" {exc.context}" if exc.context else ""
        if exc.context_mark is not None and mark is not None and exc.context_mark.line != mark.line:
            start = _pos(exc.context_mark)
            context += f" that starts at {start.line}:{start.column}"
        diagnostics.append(
            Diagnostic(path, pos.line, pos.column, Code.yaml_syntax, f"YAML syntax error: {problem}{context}")
        )
        return None
    if node is None:
        diagnostics.append(
            Diagnostic(path, 1, 1, Code.empty_file, "the file is empty", "write the spec, or delete the file")
        )
        return None
    doc = Document(path, None)
    doc.data = _Builder(doc, diagnostics).build(node, ())
    return doc


def load_file(path: Path, display: str, diagnostics: list[Diagnostic]) -> Document | None:
    return load_text(display, path.read_bytes(), diagnostics)


@dataclass
class SpecFiles:
    """Every document of one specs directory, by role."""

    root: Path
    product: Document | None
    errors: Document | None
    actions: list[Document]
    changelog: str | None = None  # .release/CHANGELOG.md, the release notes (see generator/release.py)


def load_specs(root: Path, diagnostics: list[Diagnostic], *, display_root: Path | None = None) -> SpecFiles:
    """Read ``product.yaml``, ``errors.yaml`` and ``actions/*.yaml`` under ``root``."""
    base = display_root if display_root is not None else root

    def display(p: Path) -> str:
        try:
            return p.relative_to(base).as_posix() if display_root is not None else p.as_posix()
        except ValueError:
            return p.as_posix()

    def required(name: str) -> Document | None:
        p = root / name
        if not p.is_file():
            diagnostics.append(
                Diagnostic(display(p), 1, 1, Code.missing_file, f"{name} is missing", f"create {display(p)}")
            )
            return None
        return load_file(p, display(p), diagnostics)

    product = required("product.yaml")
    errors = required("errors.yaml")
    action_files = sorted([*(root / "actions").glob("*.yaml"), *(root / "actions").glob("*.yml")])
    actions = [d for p in action_files if (d := load_file(p, display(p), diagnostics)) is not None]
    return SpecFiles(root, product, errors, actions, _changelog(root / CHANGELOG, display, diagnostics))


CHANGELOG = ".release/CHANGELOG.md"


def _changelog(path: Path, display: Callable[[Path], str], diagnostics: list[Diagnostic]) -> str | None:
    """The release notes, if the specs have any; the only file of specs/.release/ the pipeline reads."""
    if not path.is_file():
        return None
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        pos = _position_of_byte(raw, exc.start)
        message = f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x} cannot be decoded)"
        diagnostics.append(
            Diagnostic(display(path), pos.line, pos.column, Code.not_utf8, message, "save the file as UTF-8")
        )
        return None

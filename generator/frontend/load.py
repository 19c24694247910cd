"""Load stage: read the spec files as YAML, keeping the line and column of every key and value.

Takes a specs directory; returns one ``Document`` per file: plain Python data (dicts, lists,
scalars) plus a table from each value's path to where it stands in the file. This is the only
module that reads specs from disk. It reports unreadable files (not UTF-8, empty, bad YAML) and
duplicate mapping keys, which a YAML library would otherwise silently let the last one win.

Hostile input. Whatever the specs directory holds, loading ends with data or with located
diagnostics (exit 2), never a traceback, a hang or an exhausted memory:

* Files. Only regular files inside the specs directory are read. A symbolic link is followed
  only to a regular file inside the (resolved) specs directory: a link out of it
  (``outside-specs``), a dangling link or a link loop (``broken-symlink``), and a directory,
  FIFO, socket or device (``not-a-regular-file``) are refused before anything is opened; a FIFO
  is never opened (and files are opened with ``O_NONBLOCK``, re-checked with ``fstat``). A file
  that cannot be opened or read is ``unreadable-file``. At most ``max_file_bytes`` + 1 bytes are
  read (``file-too-large``). File-level problems are reported at line 1, column 1.
* Characters. A control character (other than tab, line feed and carriage return), NUL, DEL, a
  C1 control or U+FFFE/U+FFFF anywhere in a file, or produced by an escape (``"\\0"``) in a
  value or key, is ``control-character``.
* Scalars follow the YAML 1.2 core schema, not PyYAML's YAML 1.1 one. Mapping keys are always
  the string as written (``On``, ``No``, ``Null``, ``0x1F`` and ``010`` stay those strings). An
  unquoted value is ``null`` (``null``, ``Null``, ``NULL``, ``~``, empty), a boolean (``true``,
  ``True``, ``TRUE``, ``false``, ``False``, ``FALSE``), an integer (decimal without a leading
  zero, ``[-+]?(0|[1-9][0-9]*)``, or hexadecimal ``0x1F``), a float (``1.5``, ``-2e3``, ``.5``,
  ``.inf``, ``-.inf``, ``.nan``), or else a string: no yes/no/on/off booleans, no timestamps,
  no sexagesimal or ``1_000`` numbers. Two choices narrower than the core schema, so a value
  never loses digits and files written by ``yaml.safe_dump`` (which leaves ``057112345678`` and
  ``0o17`` unquoted, YAML 1.1 strings) read back the same: a number with a leading zero
  (``010``, a phone number ``0571…``) and the octal ``0o17`` are strings. A number of more than
  ``max_digits`` digits is ``number-too-long``.
* Tags. Only the core tags ``!!str``, ``!!int``, ``!!float``, ``!!bool``, ``!!null``,
  ``!!seq`` and ``!!map`` (and the non-specific ``!``) are accepted, and only on a value that
  fits them (``!!int abc`` is refused); any other tag (``!custom``, ``!!timestamp``,
  ``!!binary``, ``!!set``, ``!!python/...``) is ``yaml-tag``. A key may only carry ``!!str``.
  Merge keys (``<<: *base``) are ``yaml-merge-key``: write the keys out.
* Structure. Nesting deeper than ``max_depth`` levels (a collection or scalar inside a
  collection is one level deeper; aliases count as what they repeat) and aliases
  expanding to more than ``max_alias_nodes`` nodes in total (a "billion laughs") are
  ``yaml-limit``; an alias inside the node it names (``&r [*r]``) is ``yaml-recursive-alias``.
  Depth and alias sizes are counted while composing, so the recursion never goes deeper than
  the limit and an alias bomb stops after about ``max_alias_nodes`` nodes.

A file with any of these problems (other than a duplicate key) is dropped whole, so later
stages do not pile up consequences of it. The limits are a ``LoadLimits`` passed to
``load_specs``; specs/README.md ("Limits of the loader") documents them for spec authors.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from yaml.events import AliasEvent, MappingStartEvent, ScalarEvent, SequenceStartEvent

from generator.frontend.diagnostics import Code, Diagnostic

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class LoadLimits:
    """What one spec file may make the loader do; going over a limit is a diagnostic."""

    max_file_bytes: int = 1024 * 1024  # bytes read from one file
    max_depth: int = 64  # levels of nesting, aliases expanded (beyond ~300, Python's stack ends)
    max_alias_nodes: int = 10_000  # nodes produced by alias expansion, per file
    max_digits: int = 100  # digits of one number


DEFAULT_LIMITS = LoadLimits()


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
    # Values that came from another file (the imported layer under a curated one): loc → its file.
    origins: dict[Loc, str] = field(default_factory=dict)

    def file(self, loc: Loc) -> str:
        """The file ``loc`` was written in: this document's, or the layer it was merged from."""
        while loc not in self.origins and loc:
            loc = loc[:-1]
        return self.origins.get(loc, self.path)

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
        return Diagnostic(self.file(loc), pos.line, pos.column, code, message, hint)


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

# --- YAML 1.2 core schema ---------------------------------------------------------------------

_CORE = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_CORE + t for t in ("str", "int", "float", "bool", "null"))
_SEQ, _MAP = _CORE + "seq", _CORE + "map"
_PLAIN = "?"  # the tag of an untagged plain scalar, resolved by the builder (YAML's "?" tag)

_NULL_RE = re.compile(r"~|null|Null|NULL|")
_BOOL_RE = re.compile(r"true|True|TRUE|false|False|FALSE")
_INT_RE = re.compile(r"[-+]?(?:0|[1-9][0-9]*)|0x[0-9a-fA-F]+")
_FLOAT_RE = re.compile(
    r"[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][-+]?[0-9]+)?|[-+]?(?:0|[1-9][0-9]*)[eE][-+]?[0-9]+"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
# Characters PyYAML's reader refuses (its NON_PRINTABLE), found first so they get a located report.
_UNPRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Characters refused in a key or value (written raw, or produced by an escape such as "\0").
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def _show_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(_CORE) if tag.startswith(_CORE) else tag


class _Refused(Exception):
    """The composer met input over a limit: one located diagnostic, the file is dropped."""

    def __init__(self, code: Code, message: str, mark: Any, hint: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.mark, self.hint = code, message, mark, hint


class _Counting(yaml.composer.Composer):
    """A composer that counts, over the events of either parser below.

    It bounds the nesting depth before recursing, tracks the size and height of every anchored
    node so an alias adds its expanded size in O(1), refuses an alias inside its own anchor, and
    leaves plain scalars untyped (tag ``?``) for the builder to resolve by the YAML 1.2 core schema.
    """

    def _counting(self, limits: LoadLimits) -> None:
        yaml.composer.Composer.__init__(self)
        self.limits = limits
        self.depth = 0  # collections and scalars open around the node being composed
        self.reach = 0  # the deepest level reached so far, aliases expanded
        self.count = 0  # nodes composed so far, aliases expanded
        self.expanded = 0  # nodes produced by aliases
        self.open: set[str] = set()  # anchors whose node is still being composed
        self.sizes: dict[str, tuple[int, int]] = {}  # anchor -> (expanded node count, height)

    if TYPE_CHECKING:  # given by the parser each loader below combines this with

        def peek_event(self) -> Any: ...

        def get_event(self) -> Any: ...

    def _peek(self) -> Any:
        return self.peek_event()

    def _next(self) -> Any:
        return self.get_event()

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self._peek()
        if isinstance(event, AliasEvent):
            return self._alias(self._next())
        self.depth += 1
        if self.depth > self.limits.max_depth:
            raise _Refused(
                Code.yaml_limit,
                f"the YAML nests deeper than {self.limits.max_depth} levels",
                event.start_mark,
                "flatten the structure",
            )
        self.reach = max(self.reach, self.depth)
        self.count += 1
        anchor: str | None = event.anchor
        start, outer_reach = self.count - 1, self.reach
        if anchor is not None:
            if anchor in self.anchors:
                raise yaml.composer.ComposerError(
                    f"found duplicate anchor {anchor!r}; first occurrence",
                    self.anchors[anchor].start_mark,
                    "second occurrence",
                    event.start_mark,
                )
            self.open.add(anchor)
            self.reach = self.depth
        node: yaml.Node
        if isinstance(event, ScalarEvent):
            node = self._scalar(anchor)
        elif isinstance(event, SequenceStartEvent):
            node = self.compose_sequence_node(anchor)  # type: ignore[arg-type]
        else:
            assert isinstance(event, MappingStartEvent)
            node = self.compose_mapping_node(anchor)  # type: ignore[arg-type]
        if anchor is not None:
            self.open.discard(anchor)
            self.sizes[anchor] = (self.count - start, self.reach - self.depth + 1)
            self.reach = max(outer_reach, self.reach)
        self.depth -= 1
        return node

    def _alias(self, event: Any) -> yaml.Node:
        anchor: str = event.anchor
        if anchor not in self.anchors:
            message = f"found undefined alias {anchor!r}"
            raise yaml.composer.ComposerError(None, None, message, event.start_mark)
        if anchor in self.open:
            start = _pos(self.anchors[anchor].start_mark)
            raise _Refused(
                Code.yaml_recursive_alias,
                f"the alias *{anchor} is inside the node it names (&{anchor} at {start.line}:{start.column})",
                event.start_mark,
                "an alias may only repeat a node that is complete",
            )
        size, height = self.sizes[anchor]
        self.expanded += size
        self.count += size
        if self.expanded > self.limits.max_alias_nodes:
            raise _Refused(
                Code.yaml_limit,
                f"aliases expand to more than {self.limits.max_alias_nodes:,} nodes",
                event.start_mark,
                "write the repeated values out, or repeat fewer of them",
            )
        if self.depth + height > self.limits.max_depth:
            raise _Refused(
                Code.yaml_limit,
                f"the alias *{anchor} makes the YAML nest deeper than {self.limits.max_depth} levels",
                event.start_mark,
                "flatten the structure",
            )
        self.reach = max(self.reach, self.depth + height)
        return self.anchors[anchor]

    def _scalar(self, anchor: str | None) -> yaml.ScalarNode:
        event = self._next()
        tag = event.tag
        if tag is None or tag == "!":
            tag = _PLAIN if tag is None and event.implicit[0] else _STR
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
        if anchor is not None:
            self.anchors[anchor] = node
        return node

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        """The tag of an untagged (or ``!``-tagged) collection."""
        return _SEQ if kind is yaml.SequenceNode else _MAP


class _Loader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, _Counting):
    """PyYAML's pure-Python reader, scanner and parser: the reference for every diagnostic."""

    def __init__(self, text: str, limits: LoadLimits) -> None:
        yaml.reader.Reader.__init__(self, text)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        self._counting(limits)


_CParser: Any = getattr(getattr(yaml, "_yaml", None), "CParser", None)  # libyaml, when PyYAML has it

if _CParser is not None:

    class _FastLoader(_Counting, _CParser):  # type: ignore[misc]
        """libyaml's parser (about 15 times faster) under the same composer. It is used first;
        when it refuses a file, the pure-Python ``_Loader`` reads it again, so the diagnostic is
        always the reference one."""

        def __init__(self, text: str, limits: LoadLimits) -> None:
            _CParser.__init__(self, text)
            self._counting(limits)


class _Builder:
    def __init__(self, doc: Document, diagnostics: list[Diagnostic], limits: LoadLimits) -> None:
        self.doc = doc
        self.diagnostics = diagnostics
        self.limits = limits
        self.refused = False  # a problem that makes the file unusable

    def refuse(self, node: yaml.Node, code: Code, message: str, hint: str | None = None) -> None:
        pos = _pos(node.start_mark)
        self.diagnostics.append(Diagnostic(self.doc.path, pos.line, pos.column, code, message, hint))
        self.refused = True

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        self.doc.values[loc] = _pos(node.start_mark)
        if isinstance(node, yaml.MappingNode):
            if node.tag != _MAP:
                self._collection_tag(node, "a mapping")
            return self._mapping(node, loc)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                self._collection_tag(node, "a list")
            return [self.build(item, loc + (i,)) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _collection_tag(self, node: yaml.Node, noun: str) -> None:
        tag = _show_tag(node.tag)
        if node.tag in (_STR, _INT, _FLOAT, _BOOL, _NULL, _SEQ, _MAP):
            self.refuse(node, Code.yaml_tag, f"the tag {tag} does not fit {noun}", "remove the tag")
        else:
            self.refuse(node, Code.yaml_tag, f"the tag {tag} is not supported", _TAG_HINT)

    def _scalar(self, node: yaml.Node) -> Any:
        text: str = node.value
        tag = node.tag
        if tag == _STR:
            self._controls(node)
            return text
        if tag == _PLAIN:
            if not text or text[0] in "~nNtTfF":
                if _NULL_RE.fullmatch(text):
                    return None
                if _BOOL_RE.fullmatch(text):
                    return text[0] in "tT"
            elif text[0] in "0123456789+-.":
                if _INT_RE.fullmatch(text):
                    return self._int(node, text)
                if _FLOAT_RE.fullmatch(text):
                    return self._float(node, text)
            self._controls(node)
            return text
        if tag == _NULL and _NULL_RE.fullmatch(text):
            return None
        if tag == _BOOL and _BOOL_RE.fullmatch(text):
            return text[0] in "tT"
        if tag == _INT and _INT_RE.fullmatch(text):
            return self._int(node, text)
        if tag == _FLOAT and _FLOAT_RE.fullmatch(text):
            return self._float(node, text)
        if tag == _FLOAT and _INT_RE.fullmatch(text):
            number = self._int(node, text)
            try:
                return None if number is None else float(number)
            except OverflowError:
                self._too_long(node, len(text))
                return None
        if tag in (_NULL, _BOOL, _INT, _FLOAT):
            shown = text if len(text) <= 40 else text[:37] + "..."
            self.refuse(
                node, Code.yaml_tag, f"{shown!r} is not a valid {_show_tag(tag)}", "fix the value or the tag"
            )
        elif tag in (_SEQ, _MAP):
            message = f"the tag {_show_tag(tag)} does not fit a scalar"
            self.refuse(node, Code.yaml_tag, message, "remove the tag")
        else:
            self.refuse(node, Code.yaml_tag, f"the tag {_show_tag(tag)} is not supported", _TAG_HINT)
        return None

    def _too_long(self, node: yaml.Node, digits: int) -> None:
        self.refuse(
            node,
            Code.number_too_long,
            f"a number of {digits:,} digits (at most {self.limits.max_digits} are allowed)",
            "quote it if it is a string",
        )

    def _int(self, node: yaml.Node, text: str) -> int | None:
        body = text.lstrip("+-")
        base = 16 if body[:2] == "0x" else 10
        digits = len(body) - (2 if base != 10 else 0)
        if digits > self.limits.max_digits:
            self._too_long(node, digits)
            return None
        try:
            return int(text, 10) if base == 10 else int(body[2:], base)
        except ValueError:  # beyond Python's own limit on digits, if max_digits was raised past it
            self._too_long(node, digits)
            return None

    def _float(self, node: yaml.Node, text: str) -> float | None:
        if len(text) > self.limits.max_digits:
            digits = sum(c.isdigit() for c in text)
            if digits > self.limits.max_digits:
                self._too_long(node, digits)
                return None
        if text[-1] in "fFnN":  # .inf, -.inf, .nan in any of their spellings
            return float(text.replace(".", "", 1))
        return float(text)

    def _controls(self, node: yaml.Node) -> None:
        found = _CONTROL.search(node.value)
        if found is not None:
            self.refuse(
                node,
                Code.control_character,
                f"the string holds the control character U+{ord(found.group()):04X}",
                "remove it; specs hold printable text only",
            )

    def _key(self, node: yaml.Node) -> str | None:
        """A mapping key: the string as written; None when it cannot be one."""
        if not isinstance(node, yaml.ScalarNode):
            noun = "a mapping" if isinstance(node, yaml.MappingNode) else "a list"
            self.refuse(node, Code.wrong_type, f"a mapping key must be a string, not {noun}")
            return None
        if node.tag == _PLAIN and node.value == "<<":
            self.refuse(
                node,
                Code.yaml_merge_key,
                "merge keys (<<) are not supported",
                "write the keys out in this mapping (an alias may still repeat a whole value)",
            )
            return None
        if node.tag not in (_PLAIN, _STR):
            message = f"a mapping key is a string: the tag {_show_tag(node.tag)} is not allowed"
            self.refuse(node, Code.yaml_tag, message, "remove the tag")
            return None
        self._controls(node)
        key: str = node.value
        return key

    def _mapping(self, node: yaml.MappingNode, loc: Loc) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self._key(key_node)
            if key is None:
                continue
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


_TAG_HINT = (
    "remove the tag (only the core tags !!str, !!int, !!float, !!bool, !!null, !!seq, !!map are allowed)"
)


def _pos(mark: yaml.Mark | None) -> Pos:
    return Pos(mark.line + 1, mark.column + 1) if mark is not None else Pos(1, 1)


def _position_of_byte(raw: bytes, offset: int) -> Pos:
    before = raw[:offset]
    line = before.count(b"\n") + 1
    column = offset - (before.rfind(b"\n") + 1) + 1
    return Pos(line, column)


def _position_of_char(text: str, offset: int) -> Pos:
    return Pos(text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1)


def _compose(text: str, limits: LoadLimits) -> yaml.Node | None:
    """The node tree: libyaml's when it reads the file, else the reference loader's (or its error)."""
    if _CParser is not None:
        fast = _FastLoader(text, limits)
        try:
            return fast.get_single_node()
        except (yaml.YAMLError, _Refused, RecursionError):
            pass  # read again below, for the reference diagnostic
        finally:
            fast.dispose()
    loader = _Loader(text, limits)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def load_text(
    path: str, raw: bytes, diagnostics: list[Diagnostic], *, limits: LoadLimits = DEFAULT_LIMITS
) -> Document | None:
    """Parse one file's bytes; on failure append diagnostics and return None."""
    text = _decode(path, raw, diagnostics)
    if text is None:
        return None
    text = text.removeprefix("\ufeff")
    bad = _UNPRINTABLE.search(text)
    if bad is not None:
        pos = _position_of_char(text, bad.start())
        diagnostics.append(
            Diagnostic(
                path,
                pos.line,
                pos.column,
                Code.control_character,
                f"the file holds the control character U+{ord(bad.group()):04X}",
                "remove it; specs hold printable text only",
            )
        )
        return None
    try:
        node = _compose(text, limits)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = _pos(mark)
        problem = exc.problem or "invalid YAML"
        context = f" {exc.context}" if exc.context else ""
        if exc.context_mark is not None and mark is not None and exc.context_mark.line != mark.line:
            start = _pos(exc.context_mark)
            context += f" that starts at {start.line}:{start.column}"
        diagnostics.append(
            Diagnostic(path, pos.line, pos.column, Code.yaml_syntax, f"YAML syntax error: {problem}{context}")
        )
        return None
    except _Refused as exc:
        pos = _pos(exc.mark)
        diagnostics.append(Diagnostic(path, pos.line, pos.column, exc.code, exc.message, exc.hint))
        return None
    except (yaml.YAMLError, RecursionError) as exc:  # not expected after the checks above
        diagnostics.append(Diagnostic(path, 1, 1, Code.yaml_limit, f"the YAML cannot be read ({exc!r:.200})"))
        return None
    if node is None:
        diagnostics.append(
            Diagnostic(path, 1, 1, Code.empty_file, "the file is empty", "write the spec, or delete the file")
        )
        return None
    doc = Document(path, None)
    builder = _Builder(doc, diagnostics, limits)
    try:
        doc.data = builder.build(node, ())
    except RecursionError:  # only when max_depth was raised past what Python's stack allows
        diagnostics.append(Diagnostic(path, 1, 1, Code.yaml_limit, "the YAML nests too deep to be read"))
        return None
    return None if builder.refused else doc


def _decode(path: str, raw: bytes, diagnostics: list[Diagnostic]) -> str | None:
    try:
        return raw.decode("utf-8")
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


_KINDS: tuple[tuple[Callable[[int], bool], str], ...] = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)
_LINK_HINT = "point the link at a spec file, or remove it"
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | os.O_CLOEXEC


def read_spec_file(
    path: Path, display: str, root: Path, diagnostics: list[Diagnostic], limits: LoadLimits = DEFAULT_LIMITS
) -> bytes | None:
    """The bytes of ``path``, a regular file inside ``root``; else a diagnostic at 1:1 and None."""

    def refuse(code: Code, message: str, hint: str | None = None) -> None:
        diagnostics.append(Diagnostic(display, 1, 1, code, message, hint))

    try:
        info = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            refuse(Code.broken_symlink, "the path is a symbolic link loop", _LINK_HINT)
        elif exc.errno == errno.ENOENT and os.path.lexists(path):
            refuse(Code.broken_symlink, "the symbolic link points to nothing", _LINK_HINT)
        else:
            refuse(Code.unreadable_file, f"the file cannot be read ({exc.strerror or exc})")
        return None
    real = Path(os.path.realpath(path))
    if not real.is_relative_to(os.path.realpath(root)):
        refuse(
            Code.outside_specs,
            f"the path leads out of the specs directory (to {real.as_posix()})",
            "copy the file into the specs directory",
        )
        return None
    if not stat.S_ISREG(info.st_mode):
        kind = next((noun for test, noun in _KINDS if test(info.st_mode)), "not a regular file")
        refuse(Code.not_a_regular_file, f"the path is {kind}, not a regular file", "remove it, or rename it")
        return None
    limit = limits.max_file_bytes
    if info.st_size > limit:
        refuse(Code.file_too_large, f"the file has {info.st_size:,} bytes (at most {limit:,} are read)")
        return None
    try:
        fd = os.open(real, _OPEN_FLAGS)
    except OSError as exc:
        refuse(Code.unreadable_file, f"the file cannot be read ({exc.strerror or exc})")
        return None
    try:
        with os.fdopen(fd, "rb") as stream:
            if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):  # swapped since the stat
                refuse(Code.not_a_regular_file, "the path is not a regular file")
                return None
            raw = stream.read(limit + 1)
    except OSError as exc:
        refuse(Code.unreadable_file, f"the file cannot be read ({exc.strerror or exc})")
        return None
    if len(raw) > limit:
        refuse(Code.file_too_large, f"the file has more than {limit:,} bytes (at most {limit:,} are read)")
        return None
    return raw


def load_file(
    path: Path,
    display: str,
    diagnostics: list[Diagnostic],
    *,
    root: Path,
    limits: LoadLimits = DEFAULT_LIMITS,
) -> Document | None:
    raw = read_spec_file(path, display, root, diagnostics, limits)
    return None if raw is None else load_text(display, raw, diagnostics, limits=limits)


@dataclass
class SpecFiles:
    """Every document of one specs directory, by role."""

    root: Path
    product: Document | None
    errors: Document | None
    actions: list[Document]
    changelog: str | None = None  # .release/CHANGELOG.md, the release notes (see generator/release.py)


def load_specs(
    root: Path,
    diagnostics: list[Diagnostic],
    *,
    display_root: Path | None = None,
    limits: LoadLimits = DEFAULT_LIMITS,
    required: bool = True,
) -> SpecFiles:
    """Read ``product.yaml``, ``errors.yaml`` and ``actions/*.yaml`` under ``root``.

    ``required=False`` (a layer, see ``layers``): a missing product.yaml or errors.yaml is fine."""
    must_exist = required
    base = display_root if display_root is not None else root

    def display(p: Path) -> str:
        try:
            return p.relative_to(base).as_posix() if display_root is not None else p.as_posix()
        except ValueError:
            return p.as_posix()

    def named(name: str) -> Document | None:
        p = root / name
        if not os.path.lexists(p):
            if not must_exist:
                return None
            diagnostics.append(
                Diagnostic(display(p), 1, 1, Code.missing_file, f"{name} is missing", f"create {display(p)}")
            )
            return None
        return load_file(p, display(p), diagnostics, root=root, limits=limits)

    product = named("product.yaml")
    errors = named("errors.yaml")
    folder = root / "actions"
    try:
        action_files = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
    except OSError as exc:
        message = f"the actions directory cannot be read ({exc.strerror or exc})"
        diagnostics.append(Diagnostic(display(folder), 1, 1, Code.unreadable_file, message))
        action_files = []
    actions = [
        d
        for p in action_files
        if (d := load_file(p, display(p), diagnostics, root=root, limits=limits)) is not None
    ]
    changelog = _changelog(root / CHANGELOG, root, display, diagnostics, limits)
    return SpecFiles(root, product, errors, actions, changelog)


CHANGELOG = ".release/CHANGELOG.md"


def _changelog(
    path: Path, root: Path, display: Callable[[Path], str], diagnostics: list[Diagnostic], limits: LoadLimits
) -> str | None:
    """The release notes, if the specs have any; the only file of specs/.release/ the pipeline reads."""
    if not os.path.lexists(path):
        return None
    raw = read_spec_file(path, display(path), root, diagnostics, limits)
    return None if raw is None else _decode(display(path), raw, diagnostics)

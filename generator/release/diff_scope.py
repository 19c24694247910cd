"""Diff stage, shared pieces: where compared fields live (``Scope``) and how values are shown.

``Scope`` names a field for messages (``parameter Keys[].Key of PlayTts``) and paths
(``PlayTts.Keys[].Key``, ``GetCall.response.Data.caller``) and builds its ``Change`` values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import assert_never

from generator.frontend import ir
from generator.release.changes import Change, ChangeCode, Plain


class Part(StrEnum):
    request = "request"
    response = "response"


@dataclass(frozen=True)
class Scope:
    """Where the compared fields live: one action, one direction, and its structs on both sides."""

    action: str
    part: Part
    old_structs: dict[str, ir.Struct]
    new_structs: dict[str, ir.Struct]
    visiting: frozenset[str] = frozenset()

    def path(self, rel: str) -> str:
        return f"{self.action}.{rel}" if self.part is Part.request else f"{self.action}.response.{rel}"

    def noun(self, rel: str) -> str:
        what = "parameter" if self.part is Part.request else "response field"
        return f"{what} {rel} of {self.action}"

    def change(self, code: ChangeCode, rel: str, message: str, old: Plain = None, new: Plain = None,
               note: str | None = None) -> Change:  # fmt: skip
        return Change(code, self.path(rel), message, self.action, old, new, note)


def type_text(t: ir.TypeRef) -> str:
    """The type as the spec writes it: ``list<KeyMap>``, ``map<string, int32>``."""
    match t:
        case ir.Scalar(kind):
            return kind.value
        case ir.ListOf(item):
            return f"list<{type_text(item)}>"
        case ir.MapOf(value):
            return f"map<string, {type_text(value)}>"
        case ir.StructRef(name):
            return name
        case _:
            assert_never(t)


def struct_leaf(t: ir.TypeRef, suffix: str = "") -> tuple[str, str] | None:
    """The struct a type carries, with the path suffix to reach its fields (``[]``, ``{}``)."""
    match t:
        case ir.Scalar():
            return None
        case ir.ListOf(item):
            return struct_leaf(item, suffix + "[]")
        case ir.MapOf(value):
            return struct_leaf(value, suffix + "{}")
        case ir.StructRef(name):
            return suffix, name
        case _:
            assert_never(t)


def show(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)

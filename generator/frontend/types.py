"""Type expressions of the spec format: ``string``, ``int64``, ``list<MenuKeyMap>``, ``map<string, int32>``.

``parse_type`` turns the text into a small syntax tree (``TypeExpr``) or raises ``TypeSyntaxError``
with the column, inside the text, of the problem. Resolving struct names is ``build``'s job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PRIMITIVES = ("string", "int32", "int64", "boolean", "double")
GENERICS = ("list", "map")


@dataclass(frozen=True)
class TypeExpr:
    name: str  # a primitive, "list", "map", or a struct name
    args: tuple["TypeExpr", ...] = ()
    offset: int = 0  # where the name starts in the text


class TypeSyntaxError(ValueError):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


_TOKEN = re.compile(r"\s*(?:(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<punct>[<>,]))")


def parse_type(text: str) -> TypeExpr:
    tokens: list[tuple[str, int]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            if text[pos:].strip() == "":
                break
            raise TypeSyntaxError(f"unexpected character {text[pos]!r} in type '{text}'", pos)
        token = m.group("name") or m.group("punct")
        tokens.append((token, m.start(m.lastgroup or 0)))
        pos = m.end()
    expr, rest = _expr(tokens, 0, text)
    if rest != len(tokens):
        raise TypeSyntaxError(f"unexpected '{tokens[rest][0]}' in type '{text}'", tokens[rest][1])
    return expr


def _expr(tokens: list[tuple[str, int]], i: int, text: str) -> tuple[TypeExpr, int]:
    if i >= len(tokens) or not (tokens[i][0][0].isalpha() or tokens[i][0][0] == "_"):
        offset = tokens[i][1] if i < len(tokens) else len(text)
        raise TypeSyntaxError(f"expected a type name in '{text}'", offset)
    name, offset = tokens[i]
    i += 1
    if i >= len(tokens) or tokens[i][0] != "<":
        if name in GENERICS:
            raise TypeSyntaxError(f"'{name}' needs {_SHAPES[name]}", offset)
        return TypeExpr(name, (), offset), i
    if name in PRIMITIVES:  # a struct name with arguments is reported by check.py
        raise TypeSyntaxError(
            f"'{name}' takes no type arguments; only list<T> and map<string, T> do", tokens[i][1]
        )
    args = []
    i += 1
    while True:
        arg, i = _expr(tokens, i, text)
        args.append(arg)
        if i < len(tokens) and tokens[i][0] == ",":
            i += 1
            continue
        break
    if i >= len(tokens) or tokens[i][0] != ">":
        raise TypeSyntaxError(f"expected '>' in '{text}'", tokens[i][1] if i < len(tokens) else len(text))
    if name in GENERICS and len(args) != (1 if name == "list" else 2):
        raise TypeSyntaxError(f"'{name}' needs {_SHAPES[name]}", offset)
    return TypeExpr(name, tuple(args), offset), i + 1


_SHAPES = {"list": "one item type: list<T>", "map": "key and value types: map<string, T>"}

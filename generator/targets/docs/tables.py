"""The rows of the reference docs' tables, every cell already written as Markdown.

Request parameters and response fields are listed with their nested fields: a struct's fields
follow the field that holds it, named by path (``MenuKeyMap.N.Key`` in a query string,
``Data.caller`` in a JSON answer, ``menu_key_map[].key`` in Python: one names column per language,
each named by its code target's ``member_of``). Error rows say whether the
SDK retries the code, which depends on the action (``retried``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import assert_never

from generator.frontend import ir
from generator.output.markdown import code as code
from generator.output.markdown import md as md
from generator.targets.common import text as _text


def bilingual(t: ir.Text) -> str:
    return "<br>".join(md(x) for x in (t.en, t.zh) if x)


def type_text(t: ir.TypeRef) -> str:
    """The spec's spelling of a type: ``list<MenuKeyMap>``, ``map<string, string>``."""
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


def retried(e: ir.ErrorCode, idempotent: bool) -> bool:
    """Whether the SDK tries again after this error (``outcome_of`` + ``RetryPolicy.should_retry``).

    A throttling code the table marks retryable means the service did nothing: retried for every
    action. Any other retryable code or a 5xx status may follow a processed request: retried only
    when the action is idempotent.
    """
    if e.category is ir.Category.throttling and e.retryable:
        return True
    return idempotent and (e.retryable or e.http_status >= 500)


@dataclass(frozen=True)
class FieldRow:
    wire: str
    names: tuple[str, ...]  # one per language, as code spans
    type: str
    required: str
    constraints: str
    example: str
    description: str


def _child_paths(
    f: ir.Field, wire: str, names: tuple[str, ...], in_query: bool
) -> tuple[str, tuple[str, ...], ir.StructRef | None]:
    """Where a field's struct fields hang: the paths of one element, and the struct (if any)."""
    t, flat = f.type, in_query and f.style is not ir.Style.json
    while True:
        match t:
            case ir.ListOf(item):
                wire, names, t = wire + (".N" if flat else "[]"), tuple(n + "[]" for n in names), item
            case ir.MapOf(value):
                wire, names, t = wire + ".<key>", tuple(n + "[<key>]" for n in names), value
            case ir.StructRef():
                return wire, names, t
            case ir.Scalar():
                return wire, names, None
            case _:
                assert_never(t)


def _required(f: ir.Field) -> str:
    if f.required:
        return "yes"
    if f.required_when is None:
        return "no"
    w = f.required_when
    text = _text.condition_text(w, code(w.parameter), quote=code)
    return text + (f"<br>{md(w.note.short)}" if w.note is not None else "")


def _constraints(f: ir.Field) -> str:
    parts = _text.value_constraints(f.constraints, quote=code)
    if f.unit is not None:
        parts.append(f"unit: {md(f.unit)}")
    if f.format is not None:
        parts.append(f"format {f.format}")
    if f.invalid_error is not None:
        parts.append(f"else {code(f.invalid_error)}")
    if f.default is not None:
        parts.append(f"service default {code(json.dumps(f.default, ensure_ascii=False))}")
    return "; ".join(parts)


def _type(f: ir.Field) -> str:
    style = {ir.Style.plain: "", ir.Style.json: " (JSON string)", ir.Style.repeat_list: " (repeatList)"}[
        f.style
    ]
    return code(type_text(f.type)) + style


def _description(f: ir.Field) -> str:
    text = bilingual(f.description)
    if f.deprecated:
        reason = f" {md(f.deprecation.short)}" if f.deprecation is not None else ""
        text = f"**Deprecated.**{reason}<br>{text}"
    return text


def field_rows(
    fields: tuple[ir.Field, ...],
    structs: Mapping[str, ir.Struct],
    namers: tuple[Callable[[ir.Field], str], ...],
    *,
    in_query: bool,
    prefix: tuple[str, tuple[str, ...]] | None = None,
) -> Iterator[FieldRow]:
    """One row per field, each followed by the rows of the struct fields it holds.

    ``namers`` give each language's name of a field (a code target's ``member_of``).
    """
    wire_prefix, name_prefixes = prefix if prefix is not None else ("", tuple("" for _ in namers))
    for f in fields:
        wire = wire_prefix + f.wire_name
        names = tuple(p + namer(f) for p, namer in zip(name_prefixes, namers, strict=True))
        example = "" if f.example is None else code(json.dumps(f.example, ensure_ascii=False))
        yield FieldRow(
            code(wire), tuple(code(n) for n in names), _type(f), _required(f), _constraints(f), example,
            _description(f),
        )  # fmt: skip
        sub_wire, sub_names, struct = _child_paths(f, wire, names, in_query)
        if struct is not None:
            nested = in_query and f.style is not ir.Style.json
            yield from field_rows(
                structs[struct.name].fields,
                structs,
                namers,
                in_query=nested,
                prefix=(sub_wire + ".", tuple(n + "." for n in sub_names)),
            )


@dataclass(frozen=True)
class ErrorRow:
    code: str
    http_status: int
    category: str
    retryable: str
    exception: str
    retried: str  # for one action; "" in the whole table
    description: str


def error_row(e: ir.ErrorCode, idempotent: bool | None = None) -> ErrorRow:
    name = code(e.code) + (f"<br>and any code matching {code(e.pattern)}" if e.pattern is not None else "")
    return ErrorRow(
        code=name,
        http_status=e.http_status,
        category=e.category.value,
        retryable="yes" if e.retryable else "no",
        exception=code(e.exception) if e.exception is not None else "none (success)",
        retried="" if idempotent is None else ("yes" if retried(e, idempotent) else "no"),
        description=bilingual(e.description),
    )

"""Check stage, for ``pagination:``: the rules that tie an action's pages to its own parameters
and response, which the per-file format (``spec.PaginationSpec``) cannot see.

    style: page   page (an integer parameter), first_page; size, items, total
    style: token  token (a string parameter), next (a string in the response); size, items, total

``items`` must lead to a list, ``total`` to an integer and ``next`` to a string, each a dotted
path of response fields through structs (``Data.Values``): not through a list, a map or a field
sent as one JSON string. Appends located diagnostics; ``build`` uses ``resolve`` to find the
list's item type once this found nothing wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.frontend.diagnostics import Code, Diagnostic, did_you_mean
from generator.frontend.load import Document
from generator.frontend.spec import ActionSpec, FieldSpec, PaginationSpec, Style
from generator.frontend.types import TypeExpr, TypeSyntaxError, parse_type

_INTEGERS = ("int32", "int64")
# the keys only one style takes, the first of them required by it
_OWN_KEYS = {"page": ("page", "first_page"), "token": ("token", "next")}
_REQUIRED = {"page": ("page",), "token": ("token", "next")}


@dataclass(frozen=True)
class Found:
    """Where a response path leads: the field, or why it leads nowhere."""

    field: FieldSpec | None
    problem: str | None = None
    hint: str | None = None


def resolve(spec: ActionSpec, path: str) -> Found:
    """The response field at a dotted path through structs (``Data.Values``)."""
    fields, owner = spec.response.fields, "the response"
    parts = path.split(".")
    for i, name in enumerate(parts):
        field = fields.get(name)
        if field is None:
            return Found(None, f"{owner} has no field '{name}'", did_you_mean(name, list(fields)))
        if i == len(parts) - 1:
            return Found(field)
        expr = _parsed(field.type)
        if expr is None:
            return Found(None, None)  # a broken type, reported where it is written
        if expr.name not in spec.structs or field.style is Style.json:
            what = "a field sent as one JSON string" if field.style is Style.json else f"a {expr.name}"
            hint = "a path goes through struct fields only, as in Data.Values"
            return Found(None, f"'{name}' is {what}, not a struct the path can go through", hint)
        fields, owner = spec.structs[expr.name].fields, f"struct '{expr.name}'"
    return Found(None, "the path is empty")  # unreachable: split gives at least one part


def check_pagination(spec: ActionSpec, doc: Document, out: list[Diagnostic]) -> None:
    """Every problem of the action's ``pagination:``, if it has one."""
    p = spec.pagination
    if p is None:
        return
    _Checker(spec, doc, p, out).run()


class _Checker:
    def __init__(self, spec: ActionSpec, doc: Document, p: PaginationSpec, out: list[Diagnostic]) -> None:
        self.spec, self.doc, self.p, self.out = spec, doc, p, out

    def run(self) -> None:
        p = self.p
        for style, keys in _OWN_KEYS.items():
            for key in keys:
                if style != p.style and getattr(p, key) is not None:
                    message = f"'{key}' is a key of style '{style}', not of style '{p.style}'"
                    self._at(key, message, f"remove it, or write 'style: {style}'", on_key=True)
        for key in _REQUIRED[p.style]:
            if getattr(p, key) is None:
                self.out.append(
                    self.doc.at(
                        ("pagination",),
                        Code.missing_key,
                        f"missing key '{key}' in pagination: style '{p.style}' needs it",
                        key=True,
                        hint=f"add '{key}:'",
                    )
                )
        self._parameter("page", _INTEGERS, "a page number is an integer")
        self._parameter("size", _INTEGERS, "a page size is an integer")
        self._parameter("token", ("string",), "a token is a string")
        if p.size is not None and p.size in (p.page, p.token):
            self._at("size", f"'{p.size}' cannot be both the page size and the page's {p.style}",
                     "name the page size parameter, or leave 'size' out")  # fmt: skip
        self._response("items", ("list",), "a list")
        self._response("total", _INTEGERS, "an integer")
        self._response("next", ("string",), "a string")

    def _at(self, key: str, message: str, hint: str | None, *, on_key: bool = False) -> None:
        self.out.append(self.doc.at(("pagination", key), Code.invalid_value, message, key=on_key, hint=hint))

    def _parameter(self, key: str, kinds: tuple[str, ...], rule: str) -> None:
        name: str | None = getattr(self.p, key)
        if name is None:
            return
        params = self.spec.parameters
        field = params.get(name)
        if field is None:
            self.out.append(
                self.doc.at(
                    ("pagination", key),
                    Code.undefined_parameter,
                    f"pagination.{key} names '{name}', not a request parameter of {self.spec.action}",
                    hint=did_you_mean(name, list(params)) or "declare it under 'parameters:'",
                )
            )
            return
        expr = _parsed(field.type)
        if expr is not None and expr.name not in kinds:
            self._at(key, f"parameter '{name}' has type '{field.type}'; {rule}",
                     f"name a parameter of type {' or '.join(kinds)}")  # fmt: skip
        elif key == "token" and field.required:
            self._at(key, f"parameter '{name}' is required, yet the first page is asked for without a token",
                     f"make '{name}' optional")  # fmt: skip

    def _response(self, key: str, kinds: tuple[str, ...], noun: str) -> None:
        path: str | None = getattr(self.p, key)
        if path is None:
            return
        found = resolve(self.spec, path)
        if found.field is None:
            if found.problem is not None:
                self._at(key, f"pagination.{key} '{path}' leads nowhere: {found.problem}", found.hint)
            return
        expr = _parsed(found.field.type)
        if expr is None:
            return
        if expr.name not in kinds or found.field.style is Style.json:
            what = "one JSON string" if found.field.style is Style.json else f"of type '{found.field.type}'"
            self._at(key, f"pagination.{key} '{path}' is {what}; it must be {noun}",
                     f"give the path of {noun} in the response")  # fmt: skip


def _parsed(text: str) -> TypeExpr | None:
    """The type expression, or None when it does not parse (reported where it is written)."""
    try:
        return parse_type(text)
    except TypeSyntaxError:
        return None

"""Check stage: the rules that span several values or files, which a per-file schema cannot see.

Takes the ``ParsedSpecs``; appends a diagnostic for each broken rule and returns nothing. ``build``
runs only when this found no error, so it may assume every reference resolves, every name is
unique and every example obeys its constraints.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from generator.frontend.diagnostics import Code, Diagnostic, did_you_mean
from generator.frontend.load import Document, Loc
from generator.frontend.parse import ParsedSpecs
from generator.frontend.spec import ActionSpec, ConstraintsSpec, FieldSpec, Style
from generator.frontend.types import GENERICS, PRIMITIVES, TypeExpr, TypeSyntaxError, parse_type


def check(parsed: ParsedSpecs, diagnostics: list[Diagnostic]) -> None:
    codes = set(parsed.errors[0].errors) if parsed.errors else None
    if parsed.errors:
        _check_errors(*parsed.errors, diagnostics)
    seen_actions: dict[str, Document] = {}
    for spec, doc in parsed.actions:
        stem = PurePosixPath(doc.path).stem
        if spec.action != stem:
            diagnostics.append(
                doc.at(
                    ("action",),
                    Code.action_name_mismatch,
                    f"action '{spec.action}' is declared in a file named '{PurePosixPath(doc.path).name}'",
                    hint=f"rename the file to '{spec.action}.yaml', or the action to '{stem}'",
                )
            )
        if spec.action in seen_actions:
            first = seen_actions[spec.action]
            pos = first.where(("action",))
            diagnostics.append(
                doc.at(
                    ("action",),
                    Code.duplicate_action,
                    f"action '{spec.action}' is declared twice "
                    f"(first in {first.path}:{pos.line}:{pos.column})",
                    hint="remove one of the two files",
                )
            )
            continue
        seen_actions[spec.action] = doc
        _ActionChecker(spec, doc, codes, diagnostics).run()
    unique = [(spec, doc) for spec, doc in parsed.actions if seen_actions.get(spec.action) is doc]
    _check_emulation(unique, codes, diagnostics)


_SPECIAL_SOURCES = ("$id", "$created", "$action")


def _check_emulation(
    actions: list[tuple[ActionSpec, Document]], codes: set[str] | None, out: list[Diagnostic]
) -> None:
    """The ``emulator`` declarations: every name they use is a parameter, response field, error
    code or record kind that exists."""
    creators: dict[str, list[ActionSpec]] = {}
    for spec, _ in actions:
        if spec.emulator is not None and spec.emulator.creates is not None:
            creators.setdefault(spec.emulator.creates.record, []).append(spec)
    for spec, doc in actions:
        if spec.emulator is not None:
            _EmulationChecker(spec, doc, codes, creators, out).run()


class _EmulationChecker:
    def __init__(
        self,
        spec: ActionSpec,
        doc: Document,
        codes: set[str] | None,
        creators: dict[str, list[ActionSpec]],
        out: list[Diagnostic],
    ):
        self.spec, self.doc, self.codes, self.creators, self.out = spec, doc, codes, creators, out

    def run(self) -> None:
        e = self.spec.emulator
        assert e is not None
        base: Loc = ("emulator",)
        if (c := e.creates) is not None:
            loc = base + ("creates",)
            self._response(loc + ("key",), c.key)
            if c.ends_after is not None:
                self._parameter(loc + ("ends_after", "parameter"), c.ends_after.parameter)
            try:
                c.id.format.format(seq=c.id.seq_start, random=0, uuid="0")
            except (KeyError, IndexError, ValueError) as exc:
                self.out.append(
                    self.doc.at(
                        loc + ("id", "format"),
                        Code.invalid_value,
                        f"id format '{c.id.format}' is not a template of {{seq}}, {{random}}, {{uuid}}"
                        f" ({exc})",
                    )
                )
        if (r := e.reads) is not None:
            loc = base + ("reads",)
            known = self._record(loc + ("record",), r.record)
            self._parameter(loc + ("by",), r.by)
            self._response(loc + ("into",), r.into)
            self._parameter(loc + ("same_day_as",), r.same_day_as)
            self._error(loc + ("missing_error",), r.missing_error)
            for key, source in r.fields.items():
                names = [source] if isinstance(source, str) else source if isinstance(source, list) else []
                kind = r.record if known else None
                self._source(loc + ("fields", key), kind, names, isinstance(source, str))
        if (d := e.ends) is not None:
            loc = base + ("ends",)
            self._record(loc + ("record",), d.record)
            self._parameter(loc + ("by",), d.by)
            self._response(loc + ("into",), d.into)
            self._error(loc + ("missing_error",), d.missing_error)
        for i, limit in enumerate(e.limits):
            loc = base + ("limits", i)
            self._parameter(loc + ("key",), limit.key)
            self._error(loc + ("error",), limit.error)

    def _source(self, loc: Loc, kind: str | None, names: list[str], single: bool) -> None:
        """One of ``reads.fields``: ``$``-names are special; parameters come from a creating action."""
        for i, name in enumerate(names):
            if name.startswith("$") and (name not in _SPECIAL_SOURCES or not single):
                where = loc if single else loc + (i,)
                self.out.append(
                    self.doc.at(
                        where, Code.invalid_value, f"'{name}' is not one of {', '.join(_SPECIAL_SOURCES)}"
                    )
                )
        made_by = self.creators.get(kind, []) if kind is not None else []
        given = {name for spec in made_by for name in spec.parameters}
        wanted = [n for n in names if not n.startswith("$")]
        # alternatives ([A, B]: the first present) need one that some creating action has
        if made_by and wanted and not any(n in given for n in wanted):
            shown = " or ".join(f"'{n}'" for n in wanted)
            self.out.append(
                self.doc.at(
                    loc,
                    Code.undefined_parameter,
                    f"{shown} is not a parameter of an action that creates '{kind}'"
                    f" ({', '.join(a.action for a in made_by)})",
                    hint=did_you_mean(wanted[0], sorted(given)),
                )
            )

    def _parameter(self, loc: Loc, name: str | None) -> None:
        if name is not None and name not in self.spec.parameters:
            self.out.append(
                self.doc.at(
                    loc,
                    Code.undefined_parameter,
                    f"'{name}' is not a request parameter of {self.spec.action}",
                    hint=did_you_mean(name, list(self.spec.parameters)) or "declare it under 'parameters:'",
                )
            )

    def _response(self, loc: Loc, name: str | None) -> None:
        fields = self.spec.response.fields
        if name is not None and name not in fields:
            self.out.append(
                self.doc.at(
                    loc,
                    Code.invalid_value,
                    f"'{name}' is not a response field of {self.spec.action}",
                    hint=did_you_mean(name, list(fields)) or "declare it under 'response: fields:'",
                )
            )

    def _error(self, loc: Loc, code: str | None) -> None:
        if code is not None and self.codes is not None and code not in self.codes:
            self.out.append(
                self.doc.at(
                    loc,
                    Code.undefined_error_code,
                    f"error code '{code}' is not defined in errors.yaml",
                    hint=did_you_mean(code, self.codes) or "add it to errors.yaml",
                )
            )

    def _record(self, loc: Loc, kind: str) -> bool:
        if kind in self.creators:
            return True
        self.out.append(
            self.doc.at(
                loc,
                Code.invalid_value,
                f"no action creates a record of kind '{kind}'",
                hint=did_you_mean(kind, list(self.creators))
                or "declare 'emulator: creates:' on the action that makes it",
            )
        )
        return False


def _check_errors(spec: Any, doc: Document, diagnostics: list[Diagnostic]) -> None:
    classes: dict[str, str] = {}
    for code, error in spec.errors.items():
        loc: Loc = ("errors", code)
        if (error.category == "success") != (error.exception is None):
            message = (
                "a success code has no exception class"
                if error.category == "success"
                else f"error '{code}' needs an 'exception' class name"
            )
            diagnostics.append(doc.at(loc, Code.invalid_value, message, key=True))
        if error.pattern is not None:
            _regex(doc, loc + ("pattern",), error.pattern, diagnostics)
        if error.exception is None:
            continue
        if error.exception in classes:
            diagnostics.append(
                doc.at(
                    loc + ("exception",),
                    Code.duplicate_exception,
                    f"exception class '{error.exception}' is used by "
                    f"'{classes[error.exception]}' and '{code}'",
                    hint="give each code its own class name",
                )
            )
        classes.setdefault(error.exception, code)


def _regex(doc: Document, loc: Loc, pattern: str, diagnostics: list[Diagnostic]) -> bool:
    try:
        re.compile(pattern)
    except re.error as exc:
        diagnostics.append(doc.at(loc, Code.invalid_pattern, f"invalid regular expression: {exc}"))
        return False
    return True


class _ActionChecker:
    def __init__(
        self, spec: ActionSpec, doc: Document, codes: set[str] | None, diagnostics: list[Diagnostic]
    ):
        self.spec, self.doc, self.codes, self.out = spec, doc, codes, diagnostics
        self.types: dict[Loc, TypeExpr] = {}

    def run(self) -> None:
        groups: list[tuple[Loc, dict[str, FieldSpec], bool]] = [
            (("parameters",), self.spec.parameters, False)
        ]
        groups += [(("structs", name, "fields"), s.fields, False) for name, s in self.spec.structs.items()]
        groups.append((("response", "fields"), self.spec.response.fields, True))
        for base, fields, is_response in groups:
            for wire, field in fields.items():
                self._field(base + (wire,), field, fields, is_response)
        self._recursion()
        for i, code in enumerate(self.spec.errors):
            self._error_ref(("errors", i), code)

    def _recursion(self) -> None:
        edges = {name: set(self._struct_refs(("structs", name, "fields"))) for name in self.spec.structs}
        state: dict[str, int] = {}

        def visit(name: str, path: list[str]) -> None:
            state[name] = 1
            for ref in sorted(edges.get(name, ())):
                if state.get(ref) == 1:
                    cycle = " → ".join(path[path.index(ref) :] + [ref]) if ref in path else f"{name} → {ref}"
                    self.out.append(
                        self.doc.at(
                            ("structs", ref),
                            Code.recursive_struct,
                            f"struct '{ref}' contains itself ({cycle})",
                            key=True,
                            hint="break the cycle; recursive structs are not supported",
                        )
                    )
                elif ref not in state:
                    visit(ref, path + [ref])
            state[name] = 2

        for name in self.spec.structs:
            if name not in state:
                visit(name, [name])

    def _struct_refs(self, base: Loc) -> Iterator[str]:
        for loc, expr in self.types.items():
            if loc[: len(base)] == base:
                yield from _refs(expr)

    # -- one field -----------------------------------------------------------------------------
    def _field(self, loc: Loc, field: FieldSpec, siblings: dict[str, FieldSpec], is_response: bool) -> None:
        expr = self._type(loc + ("type",), field.type)
        if expr is None:
            return
        self.types[loc] = expr
        self._style(loc, field, expr, is_response)
        c = field.constraints
        if c is not None and not self._constraints(loc + ("constraints",), c, expr):
            return
        if field.required_when is not None:
            cond = field.required_when
            if cond.parameter not in siblings:
                self.out.append(
                    self.doc.at(
                        loc + ("required_when", "parameter"),
                        Code.undefined_parameter,
                        f"required_when names '{cond.parameter}', which is not declared here",
                        hint=did_you_mean(cond.parameter, list(siblings)),
                    )
                )
            if cond.pattern is not None:
                _regex(self.doc, loc + ("required_when", "pattern"), cond.pattern, self.out)
        if field.invalid_error is not None:
            self._error_ref(loc + ("invalid_error",), field.invalid_error)
        for key in ("example", "default"):
            value = getattr(field, key)
            if value is None:
                continue
            problem = self._conforms(value, expr, c)
            if problem:
                self.out.append(
                    self.doc.at(
                        loc + (key,),
                        Code.example_violates_constraints,
                        f"the {key} of '{loc[-1]}' {problem}",
                        hint=f"change the {key}, or the constraint it breaks",
                    )
                )

    def _type(self, loc: Loc, text: str) -> TypeExpr | None:
        try:
            expr = parse_type(text)
        except TypeSyntaxError as exc:
            self._at_offset(loc, exc.offset, Code.unknown_type, str(exc), None)
            return None
        ok = True
        for node in _walk(expr):
            if node.name in PRIMITIVES or node.name in GENERICS:
                if node.name == "map" and node.args[0].name != "string":
                    self._at_offset(
                        loc,
                        node.args[0].offset,
                        Code.unknown_type,
                        f"map keys must be 'string', not '{node.args[0].name}'",
                        "write map<string, T>",
                    )
                    ok = False
                continue
            if node.name[0].isupper():
                if node.name not in self.spec.structs:
                    self._at_offset(
                        loc,
                        node.offset,
                        Code.undefined_struct,
                        f"struct '{node.name}' is not declared in this action's 'structs'",
                        did_you_mean(node.name, list(self.spec.structs)) or "declare it under 'structs:'",
                    )
                    ok = False
            else:
                self._at_offset(
                    loc,
                    node.offset,
                    Code.unknown_type,
                    f"unknown type '{node.name}'",
                    did_you_mean(node.name, [*PRIMITIVES, *GENERICS])
                    or f"use one of {', '.join(PRIMITIVES)}, list<T>, map<string, T>, or a struct name",
                )
                ok = False
        return expr if ok else None

    def _at_offset(self, loc: Loc, offset: int, code: Code, message: str, hint: str | None) -> None:
        pos = self.doc.where(loc)
        self.out.append(Diagnostic(self.doc.path, pos.line, pos.column + offset, code, message, hint))

    def _style(self, loc: Loc, field: FieldSpec, expr: TypeExpr, is_response: bool) -> None:
        style = field.style
        scalar = expr.name in PRIMITIVES
        problem = None
        if style is Style.repeat_list and (is_response or expr.name != "list"):
            problem = "style 'repeatList' is for request parameters of type list<…>"
        elif style is Style.json and scalar:
            problem = "style 'json' is for lists, maps and structs sent as one JSON string"
        if problem:
            self.out.append(self.doc.at(loc + ("style",), Code.invalid_style, problem))

    def _constraints(self, loc: Loc, c: ConstraintsSpec, expr: TypeExpr) -> bool:
        ok = True
        for low, high in (
            ("min_length", "max_length"),
            ("minimum", "maximum"),
            ("min_items", "max_items"),
            ("exclusive_minimum", "exclusive_maximum"),
        ):
            lo, hi = getattr(c, low), getattr(c, high)
            if lo is not None and hi is not None and lo > hi:
                self.out.append(
                    self.doc.at(
                        loc + (low,),
                        Code.invalid_range,
                        f"{low} ({lo}) is greater than {high} ({hi})",
                        hint="swap them, or fix one of the two",
                    )
                )
                ok = False
        applies = {
            "min_length": expr.name == "string",
            "max_length": expr.name == "string",
            "pattern": expr.name == "string",
            "minimum": expr.name in ("int32", "int64", "double"),
            "maximum": expr.name in ("int32", "int64", "double"),
            "exclusive_minimum": expr.name in ("int32", "int64", "double"),
            "exclusive_maximum": expr.name in ("int32", "int64", "double"),
            "min_items": expr.name == "list",
            "max_items": expr.name == "list",
            "enum": expr.name in PRIMITIVES,
        }
        for key, allowed in applies.items():
            if getattr(c, key) is not None and not allowed:
                self.out.append(
                    self.doc.at(
                        loc + (key,),
                        Code.constraint_not_applicable,
                        f"'{key}' does not apply to type '{_text(expr)}'",
                        key=True,
                    )
                )
                ok = False
        if c.pattern is not None and not _regex(self.doc, loc + ("pattern",), c.pattern, self.out):
            ok = False
        for i, item in enumerate(c.enum or ()):
            problem = _scalar_problem(item.value, expr.name)
            if problem:
                self.out.append(
                    self.doc.at(loc + ("enum", i, "value"), Code.invalid_value, f"enum value {problem}")
                )
                ok = False
        return ok

    def _error_ref(self, loc: Loc, code: str) -> None:
        if self.codes is not None and code not in self.codes:
            self.out.append(
                self.doc.at(
                    loc,
                    Code.undefined_error_code,
                    f"error code '{code}' is not defined in errors.yaml",
                    hint=did_you_mean(code, self.codes) or "add it to errors.yaml",
                )
            )

    # -- examples ------------------------------------------------------------------------------
    def _conforms(self, value: Any, expr: TypeExpr, c: ConstraintsSpec | None) -> str | None:
        if expr.name in PRIMITIVES:
            problem = _scalar_problem(value, expr.name)
            if problem:
                return problem
        elif expr.name == "list":
            if not isinstance(value, list):
                return f"is not a list ({value!r})"
            for item in value:
                if problem := self._conforms(item, expr.args[0], None):
                    return problem
        elif expr.name == "map":
            if not isinstance(value, dict):
                return f"is not a mapping ({value!r})"
            for item in value.values():
                if problem := self._conforms(item, expr.args[1], None):
                    return problem
        else:
            struct = self.spec.structs.get(expr.name)
            if struct is None:
                return None
            if not isinstance(value, dict):
                return f"is not a mapping ({value!r})"
            for key, item in value.items():
                if key not in struct.fields:
                    return f"has the key '{key}', which struct '{expr.name}' does not declare"
                sub = self.types.get(("structs", expr.name, "fields", key)) or _safe_parse(
                    struct.fields[key].type
                )
                if sub and (problem := self._conforms(item, sub, struct.fields[key].constraints)):
                    return problem
            missing = [k for k, f in struct.fields.items() if f.required and k not in value]
            if missing:
                return f"lacks the required key '{missing[0]}'"
        return _constraint_problem(value, c) if c is not None else None


def _scalar_problem(value: Any, kind: str) -> str | None:
    ok = {
        "string": isinstance(value, str),
        "int32": isinstance(value, int) and not isinstance(value, bool) and -(2**31) <= value < 2**31,
        "int64": isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63,
        "boolean": isinstance(value, bool),
        "double": isinstance(value, (int, float)) and not isinstance(value, bool),
    }[kind]
    return None if ok else f"is not a valid {kind} ({value!r})"


def _constraint_problem(value: Any, c: ConstraintsSpec) -> str | None:
    checks = [
        (
            c.min_length is not None and isinstance(value, str) and len(value) < c.min_length,
            f"is shorter than min_length {c.min_length}",
        ),
        (
            c.max_length is not None and isinstance(value, str) and len(value) > c.max_length,
            f"is longer than max_length {c.max_length}",
        ),
        (
            c.minimum is not None and isinstance(value, (int, float)) and value < c.minimum,
            f"is below minimum {c.minimum}",
        ),
        (
            c.maximum is not None and isinstance(value, (int, float)) and value > c.maximum,
            f"is above maximum {c.maximum}",
        ),
        (
            c.exclusive_minimum is not None
            and isinstance(value, (int, float))
            and value <= c.exclusive_minimum,
            f"is not above exclusive_minimum {c.exclusive_minimum}",
        ),
        (
            c.exclusive_maximum is not None
            and isinstance(value, (int, float))
            and value >= c.exclusive_maximum,
            f"is not below exclusive_maximum {c.exclusive_maximum}",
        ),
        (
            c.pattern is not None and isinstance(value, str) and re.search(c.pattern, value) is None,
            f"does not match pattern '{c.pattern}'",
        ),
        (
            c.min_items is not None and isinstance(value, list) and len(value) < c.min_items,
            f"has fewer than min_items {c.min_items}",
        ),
        (
            c.max_items is not None and isinstance(value, list) and len(value) > c.max_items,
            f"has more than max_items {c.max_items}",
        ),
        (bool(c.enum) and value not in [e.value for e in c.enum or ()], "is not one of the enum values"),
    ]
    for failed, message in checks:
        if failed:
            return f"({value!r}) {message}"
    return None


def _walk(expr: TypeExpr) -> Iterator[TypeExpr]:
    yield expr
    for arg in expr.args:
        yield from _walk(arg)


def _refs(expr: TypeExpr) -> Iterator[str]:
    for node in _walk(expr):
        if node.name not in PRIMITIVES and node.name not in GENERICS:
            yield node.name


def _safe_parse(text: str) -> TypeExpr | None:
    try:
        return parse_type(text)
    except TypeSyntaxError:
        return None


def _text(expr: TypeExpr) -> str:
    if not expr.args:
        return expr.name
    return f"{expr.name}<{', '.join(_text(a) for a in expr.args)}>"

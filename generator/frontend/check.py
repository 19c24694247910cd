"""Check stage: the rules that span several values or files, which a per-file schema cannot see.

Takes the ``ParsedSpecs``; appends a diagnostic for each broken rule and returns nothing. ``build``
runs only when this found no error, so it may assume every reference resolves, every name is
unique and every example obeys its constraints.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from generator.frontend.check_emulation import check_emulation, check_receipts
from generator.frontend.diagnostics import Code, Diagnostic, did_you_mean
from generator.frontend.examples import (
    bound_problems,
    check_response_examples,
    constraint_problem,
    empty_range,
    format_hint,
    format_problem,
    scalar_problem,
)
from generator.frontend.load import Document, Loc
from generator.frontend.names import ACTION_NAME, PRODUCT_CODE, WIRE_NAME
from generator.frontend.pagination import check_pagination
from generator.frontend.parse import ParsedSpecs
from generator.frontend.patterns import pattern_error
from generator.frontend.spec import (
    ActionSpec,
    Category,
    ConstraintsSpec,
    ErrorsSpec,
    FieldSpec,
    ProductSpec,
    Style,
)
from generator.frontend.types import GENERICS, PRIMITIVES, TypeExpr, TypeSyntaxError, parse_type


def check(parsed: ParsedSpecs, diagnostics: list[Diagnostic]) -> None:
    codes = set(parsed.errors[0].errors) if parsed.errors else None
    if parsed.product:
        _check_product(*parsed.product, diagnostics)
    if parsed.errors:
        _check_errors(*parsed.errors, diagnostics)
    _check_some_action(parsed, diagnostics)
    _check_guide(parsed, diagnostics)
    check_receipts(parsed, diagnostics)
    table = parsed.errors[0] if parsed.errors else None
    seen_actions: dict[str, Document] = {}
    for spec, doc in parsed.actions:
        if not ACTION_NAME.fullmatch(spec.action):
            diagnostics.append(
                doc.at(
                    ("action",),
                    Code.invalid_wire_name,
                    f"action name '{spec.action}' cannot travel in an HTTP header and a query string",
                    hint="use ASCII letters and digits, starting with a capital letter (e.g. 'CallMe')",
                )
            )
        if spec.idempotent and spec.emulator is not None and spec.emulator.creates is not None:
            diagnostics.append(
                doc.at(
                    ("idempotent",),
                    Code.unsafe_idempotent,
                    f"'{spec.action}' creates a '{spec.emulator.creates.record}' record, "
                    "yet is declared idempotent",
                    hint="set 'idempotent: false': the SDK retries idempotent actions, and a retry after "
                    "a timeout would create a second record",
                )
            )
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
        _ActionChecker(spec, doc, codes, diagnostics, table).run()
        check_pagination(spec, doc, diagnostics)
    unique = [(spec, doc) for spec, doc in parsed.actions if seen_actions.get(spec.action) is doc]
    check_emulation(unique, codes, diagnostics)


def _check_guide(parsed: ParsedSpecs, diagnostics: list[Diagnostic]) -> None:
    """``sdk.guide`` names an action of the specs."""
    if parsed.product is None:
        return
    spec, doc = parsed.product
    guide = spec.sdk.guide
    names = [a.action for a, _ in parsed.actions]
    if guide is not None and guide not in names:
        diagnostics.append(
            doc.at(
                ("sdk", "guide"),
                Code.invalid_value,
                f"sdk.guide names '{guide}', which is not an action of these specs",
                hint=did_you_mean(guide, names) or "name one of the actions, or remove the key",
            )
        )


def _check_some_action(parsed: ParsedSpecs, diagnostics: list[Diagnostic]) -> None:
    """A tree without a single action file has nothing to generate."""
    if parsed.actions:
        return
    anchor = parsed.product or parsed.errors
    if anchor is None:
        return
    folder = (PurePosixPath(anchor[1].path).parent / "actions").as_posix()
    if any(d.path.startswith(folder + "/") for d in diagnostics):
        return  # there are action files; their own problems are reported
    diagnostics.append(
        Diagnostic(
            folder,
            1,
            1,
            Code.no_actions,
            "the specs declare no action; at least one is needed",
            f"add a spec of one action as {folder}/<Action>.yaml",
        )
    )


def _check_product(spec: ProductSpec, doc: Document, diagnostics: list[Diagnostic]) -> None:
    if not PRODUCT_CODE.fullmatch(spec.product):
        diagnostics.append(
            doc.at(
                ("product",),
                Code.invalid_wire_name,
                f"product code '{spec.product}' cannot be sent and signed as a plain ASCII name",
                hint="use ASCII letters and digits, starting with a letter (e.g. 'Ecs')",
            )
        )
    signing = spec.signing
    if not signing.schemes:
        diagnostics.append(
            doc.at(
                ("signing", "schemes"),
                Code.invalid_signing,
                "no signature scheme is listed; a client could sign no request",
                hint="list at least the default scheme: schemes: [v3]",
            )
        )
    elif signing.default not in signing.schemes:
        diagnostics.append(
            doc.at(
                ("signing", "default"),
                Code.invalid_signing,
                f"the default scheme '{signing.default}' is not one of the schemes "
                f"({', '.join(signing.schemes)})",
                hint=f"add '{signing.default}' to 'schemes', or pick the default among them",
            )
        )


def _check_errors(spec: ErrorsSpec, doc: Document, diagnostics: list[Diagnostic]) -> None:
    classes: dict[str, str] = {}
    for code, error in spec.errors.items():
        loc: Loc = ("errors", code)
        status = None
        if error.category is Category.success and error.http_status != 200:
            status = "the success code is answered with HTTP 200"
        elif error.source == "gateway" and error.http_status == 200:
            # at HTTP 200 a client reads the Code of the body as a business answer; a business code
            # may have any status (a product may answer its own errors with 404, say)
            status = "a gateway error is answered with an HTTP error status, never 200"
        if status is not None:
            diagnostics.append(
                doc.at(
                    loc + ("http_status",),
                    Code.inconsistent_error,
                    f"'{code}' has http_status {error.http_status}, but {status}",
                    hint="fix http_status, or the source/category that disagrees with it",
                )
            )
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
    """Whether the pattern compiles in the one dialect (patterns.py: Rust regex, as pydantic does)."""
    problem = pattern_error(pattern)
    if problem is not None:
        diagnostics.append(
            doc.at(
                loc,
                Code.invalid_pattern,
                f"invalid regular expression: {problem}",
                hint="patterns are Rust regex syntax (no backreferences, no lookaround), "
                "as the SDK enforces them",
            )
        )
        return False
    return True


class _ActionChecker:
    def __init__(
        self,
        spec: ActionSpec,
        doc: Document,
        codes: set[str] | None,
        diagnostics: list[Diagnostic],
        table: ErrorsSpec | None = None,
    ):
        self.spec, self.doc, self.codes, self.out, self.table = spec, doc, codes, diagnostics, table
        self.types: dict[Loc, TypeExpr] = {}

    def run(self) -> None:
        groups: list[tuple[Loc, dict[str, FieldSpec], bool]] = [
            (("parameters",), self.spec.parameters, False)
        ]
        groups += [(("structs", name, "fields"), s.fields, False) for name, s in self.spec.structs.items()]
        groups.append((("response", "fields"), self.spec.response.fields, True))
        for name in self.spec.structs:
            self._name(("structs", name), name, "struct")
        for base, fields, is_response in groups:
            for wire, field in fields.items():
                self._name(
                    base + (wire,), wire, "field" if is_response or base[0] == "structs" else "parameter"
                )
                self._field(base + (wire,), field, fields, is_response)
        self._recursion()
        listed: dict[str, int] = {}
        for i, code in enumerate(self.spec.errors):
            if code in listed:
                self.out.append(
                    self.doc.at(
                        ("errors", i),
                        Code.duplicate_error_code,
                        f"error code '{code}' is listed twice (first as errors[{listed[code]}])",
                        hint="remove one of the two",
                    )
                )
                continue
            listed[code] = i
            self._error_ref(("errors", i), code)
            known = self.table.errors.get(code) if self.table is not None else None
            if known is not None and known.category is Category.success:
                self.out.append(
                    self.doc.at(
                        ("errors", i),
                        Code.inconsistent_error,
                        f"'{code}' is the success code, not an error the action can answer",
                        hint=f"remove '{code}' from 'errors'",
                    )
                )
        check_response_examples(self.spec, self.doc, self.types, self._conforms, self.out)

    def _name(self, loc: Loc, name: str, noun: str) -> None:
        if not WIRE_NAME.fullmatch(name):
            self.out.append(
                self.doc.at(
                    loc,
                    Code.invalid_wire_name,
                    f"{noun} name '{name}' cannot be encoded on the wire",
                    key=True,
                    hint="use ASCII letters, digits and '_' only",
                )
            )

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
        for mark in ("mined", "repaired"):
            for path in getattr(field, mark):
                if _dotted(field, path) is None:
                    self.out.append(
                        self.doc.at(
                            loc + (mark, path),
                            Code.invalid_value,
                            f"{mark} names '{path}', which this field does not set",
                            key=True,
                            hint=f"remove the mark, or set {path}",
                        )  # fmt: skip
                    )
        if loc[0] == "parameters" and field.required and field.example is None:
            self.out.append(
                self.doc.at(
                    loc,
                    Code.missing_example,
                    f"required parameter '{loc[-1]}' has no example",
                    key=True,
                    hint="add 'example:': every sample and the docs' request send it",
                )
            )
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
            elif field.format is not None and (problem := format_problem(value, field.format)):
                self.out.append(
                    self.doc.at(
                        loc + (key,),
                        Code.example_violates_format,
                        f"the {key} of '{loc[-1]}' {problem}",
                        hint=format_hint(field.format),
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
                if node.name in self.spec.structs and node.args:
                    self._at_offset(
                        loc,
                        node.args[0].offset,
                        Code.unknown_type,
                        f"struct '{node.name}' takes no type arguments",
                        f"write {node.name}, or list<{node.name}>",
                    )
                    ok = False
                elif node.name not in self.spec.structs:
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
        self.out.append(Diagnostic(self.doc.file(loc), pos.line, pos.column + offset, code, message, hint))

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
        problems = bound_problems(c, expr.name)
        for key, message, hint in problems:
            self.out.append(self.doc.at(loc + (key,), Code.invalid_bound, message, hint=hint))
        if problems:
            return False
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
        if ok and (empty := empty_range(c, expr.name)) is not None:
            self.out.append(self.doc.at(loc + (empty[0],), Code.invalid_range, empty[1], hint=empty[2]))
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
        if not ok:
            return False
        others = c.model_copy(update={"enum": None})
        for i, item in enumerate(c.enum or ()):
            problem = scalar_problem(item.value, expr.name) or constraint_problem(item.value, others)
            if problem:
                self.out.append(
                    self.doc.at(
                        loc + ("enum", i, "value"),
                        Code.enum_violates_constraints,
                        f"enum value {problem}",
                        hint="remove the value, or correct it or the constraint it breaks",
                    )
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
            problem = scalar_problem(value, expr.name)
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
        return constraint_problem(value, c) if c is not None else None


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


def _dotted(field: FieldSpec, path: str) -> object:
    """The value at a dotted key path of a field (``constraints.minimum``), or None."""
    value: object = field
    for part in path.split("."):
        value = getattr(value, part, None) if not isinstance(value, dict) else value.get(part)
        if value is None:
            return None
    return value

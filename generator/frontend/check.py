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
from generator.frontend.pagination import check_pagination
from generator.frontend.parse import ParsedSpecs
from generator.frontend.patterns import pattern_error
from generator.frontend.spec import (
    ActionSpec,
    Category,
    ConstraintsSpec,
    ErrorsSpec,
    FieldSpec,
    OutcomeValueSpec,
    ProductSpec,
    Style,
)
from generator.frontend.types import GENERICS, PRIMITIVES, TypeExpr, TypeSyntaxError, parse_type

# Names that travel on the wire: the action in a header and the query, the others as query keys
# (``Key.1.Sub`` flattens lists, so a dot inside a name would be ambiguous) and JSON keys.
ACTION_NAME = re.compile(r"[A-Z][A-Za-z0-9]*")
WIRE_NAME = re.compile(r"[A-Za-z0-9_]+")  # a leading digit is fine on the wire (3DSecure)
PRODUCT_CODE = re.compile(r"[A-Za-z][A-Za-z0-9]*")


def check(parsed: ParsedSpecs, diagnostics: list[Diagnostic]) -> None:
    codes = set(parsed.errors[0].errors) if parsed.errors else None
    if parsed.product:
        _check_product(*parsed.product, diagnostics)
    if parsed.errors:
        _check_errors(*parsed.errors, diagnostics)
    _check_some_action(parsed, diagnostics)
    _check_guide(parsed, diagnostics)
    _check_receipts(parsed, diagnostics)
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
    _check_emulation(unique, codes, diagnostics)


_SPECIAL_SOURCES = ("$id", "$created", "$action", "$ringing", "$answered", "$ended", "$talk_seconds")
_REPORT_SOURCES = (*_SPECIAL_SOURCES, "$at")  # $at: the moment the receipt reports


def _source_names(source: object) -> list[str]:
    """The names a source refers to: its parameters or its ``$``-name."""
    if isinstance(source, str):
        return [source]
    return list(source) if isinstance(source, list) else []


def _check_source(
    doc: Document,
    loc: Loc,
    names: list[str],
    single: bool,
    kind: str | None,
    made_by: list[ActionSpec],
    specials: tuple[str, ...],
    out: list[Diagnostic],
) -> None:
    """One key's source: ``$``-names are special; parameters come from an action creating the record."""
    for i, name in enumerate(names):
        if name.startswith("$") and (name not in specials or not single):
            where = loc if single else loc + (i,)
            out.append(doc.at(where, Code.invalid_value, f"'{name}' is not one of {', '.join(specials)}"))
    given = {name for spec in made_by for name in spec.parameters}
    wanted = [n for n in names if not n.startswith("$")]
    # alternatives ([A, B]: the first present) need one that some creating action has
    if made_by and wanted and not any(n in given for n in wanted):
        shown = " or ".join(f"'{n}'" for n in wanted)
        out.append(
            doc.at(
                loc,
                Code.undefined_parameter,
                f"{shown} is not a parameter of an action that creates '{kind}'"
                f" ({', '.join(a.action for a in made_by)})",
                hint=did_you_mean(wanted[0], sorted(given)),
            )
        )


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
                names = _source_names(source)
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
        made_by = self.creators.get(kind, []) if kind is not None else []
        _check_source(self.doc, loc, names, single, kind, made_by, _SPECIAL_SOURCES, self.out)

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


def _check_receipts(parsed: ParsedSpecs, diagnostics: list[Diagnostic]) -> None:
    """``receipts.types``: names that travel in messages, actions of these specs, scalar fields."""
    if parsed.product is None or parsed.product[0].receipts is None:
        return
    spec, doc = parsed.product
    assert spec.receipts is not None
    _check_receipt_emulator(parsed, diagnostics)
    actions = [a.action for a, _ in parsed.actions]
    for name, kind in spec.receipts.types.items():
        base = ("receipts", "types", name)
        if not ACTION_NAME.fullmatch(name):
            hint = "use ASCII letters and digits, starting with a capital"
            message = f"receipt type '{name}' is not a plain name"
            diagnostics.append(doc.at(base, Code.invalid_wire_name, message, key=True, hint=hint))
        for i, action in enumerate(kind.actions):
            if action not in actions:
                diagnostics.append(
                    doc.at(
                        (*base, "actions", i),
                        Code.invalid_value,
                        f"receipt type '{name}' names the action '{action}', which these specs do not have",
                        hint=did_you_mean(action, actions) or "name an action of specs/actions/",
                    )
                )
        for wire, field in kind.fields.items():
            loc = (*base, "fields", wire)
            if not WIRE_NAME.fullmatch(wire):
                message = f"receipt field '{wire}' is not a plain name"
                hint = "use ASCII letters, digits and '_'"
                diagnostics.append(doc.at(loc, Code.invalid_wire_name, message, key=True, hint=hint))
            if field.type not in PRIMITIVES:
                diagnostics.append(
                    doc.at(
                        (*loc, "type"),
                        Code.unknown_type,
                        f"receipt field '{wire}' has type '{field.type}'; a receipt's fields are scalars",
                        hint=f"use one of {', '.join(PRIMITIVES)}",
                    )
                )


def _check_receipt_emulator(parsed: ParsedSpecs, out: list[Diagnostic]) -> None:
    """``receipts.emulator``: a record kind some action creates, outcomes, and the types it sends."""
    assert parsed.product is not None
    spec, doc = parsed.product
    receipts = spec.receipts
    assert receipts is not None
    e = receipts.emulator
    if e is None:
        return
    base: Loc = ("receipts", "emulator")
    made_by = [
        a
        for a, _ in parsed.actions
        if a.emulator and a.emulator.creates and a.emulator.creates.record == e.record
    ]
    if not made_by:
        kinds = sorted(
            {a.emulator.creates.record for a, _ in parsed.actions if a.emulator and a.emulator.creates}
        )
        out.append(
            doc.at(
                (*base, "record"),
                Code.invalid_value,
                f"no action creates a record of kind '{e.record}'",
                hint=did_you_mean(e.record, kinds)
                or "declare 'emulator: creates:' on the action that makes them",
            )
        )
    if e.outcome_by is not None:
        _check_source(doc, (*base, "outcome_by"), [e.outcome_by], True, e.record, made_by, (), out)
    if e.default_outcome not in e.outcomes:
        out.append(
            doc.at(
                (*base, "default_outcome"),
                Code.invalid_value,
                f"'{e.default_outcome}' is not one of the outcomes",
                hint=did_you_mean(e.default_outcome, list(e.outcomes))
                or f"name one of {', '.join(e.outcomes)}",
            )
        )
    for name, report in e.sends.items():
        loc: Loc = (*base, "sends", name)
        kind = receipts.types.get(name)
        if kind is None:
            out.append(
                doc.at(
                    loc,
                    Code.invalid_value,
                    f"'{name}' is not a receipt type of receipts.types",
                    key=True,
                    hint=did_you_mean(name, list(receipts.types)) or "declare it under receipts.types",
                )
            )
            continue
        for key, source in report.fields.items():
            if key not in kind.fields:
                out.append(
                    doc.at(
                        (*loc, "fields", key),
                        Code.invalid_value,
                        f"'{key}' is not a field of receipt type '{name}'",
                        key=True,
                        hint=did_you_mean(key, list(kind.fields))
                        or f"declare it under receipts.types.{name}.fields",
                    )
                )
            names = _source_names(source)
            _check_source(
                doc,
                (*loc, "fields", key),
                names,
                isinstance(source, str),
                e.record,
                made_by,
                _REPORT_SOURCES,
                out,
            )
    known = {key for o in e.outcomes.values() for key in o.values}
    for action, action_doc in parsed.actions:
        reads = action.emulator.reads if action.emulator else None
        if reads is None or reads.record != e.record:
            continue
        for key, source in reads.fields.items():
            if isinstance(source, OutcomeValueSpec) and source.outcome not in known:
                out.append(
                    action_doc.at(
                        ("emulator", "reads", "fields", key, "outcome"),
                        Code.invalid_value,
                        f"no outcome of receipts.emulator has a value named '{source.outcome}'",
                        hint=did_you_mean(source.outcome, sorted(known))
                        or "add it to the outcomes' values in product.yaml",
                    )
                )


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

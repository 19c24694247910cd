"""Check stage, the emulation part: what ``emulator:`` keys of actions and ``receipts:`` of the
product say must hold across files — record kinds some action creates, the sources a read or a
receipt field names, outcomes and the moments receipts are sent, receipt names that travel in
messages. Called by ``check.check``; appends diagnostics, returns nothing.
"""

from __future__ import annotations

from generator.frontend.diagnostics import Code, Diagnostic, did_you_mean
from generator.frontend.load import Document, Loc
from generator.frontend.names import ACTION_NAME, WIRE_NAME
from generator.frontend.parse import ParsedSpecs
from generator.frontend.spec import ActionSpec, OutcomeValueSpec
from generator.frontend.types import PRIMITIVES

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


def check_emulation(
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


def check_receipts(parsed: ParsedSpecs, diagnostics: list[Diagnostic]) -> None:
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

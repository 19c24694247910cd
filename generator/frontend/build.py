"""Build stage: checked ``*Spec`` objects in, the frozen IR (``ir.Api``) out.

Runs only after ``check`` found no error, so every reference resolves. The IR keeps wire names
and their word splits (``words``); targets decide their own names from those. Order is kept as
written in the specs (parameters) or sorted (actions, error codes), so output is deterministic.
"""

from __future__ import annotations

import json

from generator.frontend import ir
from generator.frontend.load import Document, Loc
from generator.frontend.pagination import resolve
from generator.frontend.parse import ParsedSpecs
from generator.frontend.spec import (
    ActionSpec,
    ConditionSpec,
    ConstraintsSpec,
    EmulatorSpec,
    ErrorsSpec,
    FieldSpec,
    OutcomeValueSpec,
    ProductSpec,
    ReceiptEmulatorSpec,
    ReceiptsSpec,
    SourceSpec,
    TextSpec,
    ValueSpec,
)
from generator.frontend.types import PRIMITIVES, TypeExpr, parse_type
from generator.frontend.words import words


def build(parsed: ParsedSpecs) -> ir.Api:
    assert parsed.product is not None and parsed.errors is not None
    product = _product(*parsed.product)
    errors = _errors(*parsed.errors)
    actions = sorted((_action(spec, doc) for spec, doc in parsed.actions), key=lambda a: a.name)
    return ir.Api(product, tuple(actions), errors)


def _text(t: TextSpec | None) -> ir.Text:
    """A text; an absent one (the vendor gave none) is empty in both languages."""
    if t is None:
        return ir.Text(zh="", en="")
    return ir.Text(zh=(t.zh or "").strip(), en=(t.en or "").strip())


def _where(doc: Document, loc: Loc, *, key: bool = False) -> ir.Where:
    pos = doc.where(loc, key=key)
    return ir.Where(doc.file(loc), pos.line, pos.column)


def _product(p: ProductSpec, doc: Document) -> ir.Product:
    packages = tuple(
        ir.Package(
            name,
            t.package,
            t.distribution,
            t.requires_python,
            tuple(
                (key, _where(doc, ("sdk", "targets", name, *((key,) if key else ())), key=not key))
                for key in ("", "package", "distribution", "requires_python")
            ),
        )
        for name, t in sorted(p.sdk.targets.items())
    )
    return ir.Product(
        code=p.product,
        api_version=p.api_version,
        title=_text(p.title),
        style=p.style,
        protocol=p.protocol,
        method=p.method,
        endpoints=ir.Endpoints(
            p.endpoints.default, p.endpoints.vpc, tuple(sorted(p.endpoints.regional.items()))
        ),
        signing_default=p.signing.default,
        signing_schemes=tuple(p.signing.schemes),
        sdk_version=p.sdk.version,
        packages=packages,
        guide=p.sdk.guide,
        receipts=_receipts(p.receipts, doc) if p.receipts is not None else None,
        words=words(p.product),
        publisher=ir.Publisher(
            authors=tuple((a.name, a.email) for a in p.sdk.authors),
            license=p.sdk.license,
            urls=tuple(p.sdk.urls.items()),
        ),
    )


def _errors(e: ErrorsSpec, doc: Document) -> tuple[ir.ErrorCode, ...]:
    return tuple(
        ir.ErrorCode(
            code=code,
            http_status=s.http_status,
            category=ir.Category(s.category.value),
            retryable=s.retryable,
            source=s.source,
            exception=s.exception,
            pattern=s.pattern,
            message=s.message,
            description=_text(s.description),
            where=_where(doc, ("errors", code, "exception")),
        )
        for code, s in sorted(e.errors.items())
    )


def _receipts(r: ReceiptsSpec, doc: Document) -> ir.Receipts:
    types = tuple(
        ir.ReceiptType(
            name=name,
            words=words(name),
            description=_text(t.description),
            actions=tuple(t.actions),
            fields=tuple(
                _field(wire, f, _where(doc, ("receipts", "types", name, "fields", wire), key=True))
                for wire, f in t.fields.items()
            ),
            where=_where(doc, ("receipts", "types", name), key=True),
        )
        for name, t in r.types.items()
    )
    push = r.push
    return ir.Receipts(
        token_product=r.token.product,
        token_api_version=r.token.api_version,
        token_endpoint=r.token.endpoint,
        token_action=r.token.action,
        refresh_before_seconds=r.token.refresh_before_seconds,
        token_utc_offset_minutes=r.token.utc_offset_minutes,
        queue_endpoint=r.queue.endpoint,
        queue_name=r.queue.name,
        queue_protocol_version=r.queue.protocol_version,
        max_batch=r.queue.max_batch,
        max_wait_seconds=r.queue.max_wait_seconds,
        push_reply=json.dumps(push.reply, ensure_ascii=False, sort_keys=True) if push is not None else None,
        push_timeout_ms=push.timeout_ms if push is not None else None,
        push_retry_after_seconds=tuple(push.retry_after_seconds) if push is not None else (),
        types=types,
        emulation=_receipt_emulation(r.emulator) if r.emulator is not None else None,
    )


def _receipt_emulation(e: ReceiptEmulatorSpec) -> ir.ReceiptEmulation:
    t = e.timing
    return ir.ReceiptEmulation(
        record=e.record,
        outcome_by=e.outcome_by,
        default_outcome=e.default_outcome,
        outcomes=tuple(
            ir.Outcome(name, o.rings, o.answered, o.talk_seconds, tuple(sorted(o.values.items())))
            for name, o in sorted(e.outcomes.items())  # key order is not meaningful
        ),
        ring_after_seconds=float(t.ring_after_seconds),
        answer_after_seconds=float(t.answer_after_seconds),
        talk_seconds=float(t.talk_seconds),
        ring_for_seconds=float(t.ring_for_seconds),
        time_format=e.time_format,
        utc_offset_minutes=e.utc_offset_minutes,
        visibility_timeout_seconds=e.visibility_timeout_seconds,
        reports=tuple(
            ir.Report(name, tuple(s.at), s.answered_only, _record_fields(s.fields))
            for name, s in sorted(e.sends.items())
        ),
    )


def _record_fields(fields: dict[str, SourceSpec]) -> tuple[ir.RecordField, ...]:
    """Each key's source, by key (key order is not meaningful)."""
    out = []
    for name, source in sorted(fields.items()):
        if isinstance(source, ValueSpec):
            out.append(ir.RecordField(name, "value", value=source.value))
        elif isinstance(source, OutcomeValueSpec):
            out.append(ir.RecordField(name, "outcome", value=source.outcome))
        elif isinstance(source, str) and source.startswith("$"):
            out.append(ir.RecordField(name, source[1:]))
        else:
            out.append(
                ir.RecordField(name, "parameters", tuple([source] if isinstance(source, str) else source))
            )
    return tuple(out)


def _action(a: ActionSpec, doc: Document) -> ir.Action:
    def fields(base: Loc, specs: dict[str, FieldSpec]) -> tuple[ir.Field, ...]:
        return tuple(_field(wire, f, _where(doc, base + (wire,), key=True)) for wire, f in specs.items())

    return ir.Action(
        name=a.action,
        words=words(a.action),
        summary=_text(a.summary),
        description=_text(a.description),
        group=_text(a.group),
        idempotent=a.idempotent,
        deprecated=a.deprecated,
        deprecation=_text(a.deprecation) if a.deprecation else None,
        qps_limit=a.qps_limit,
        emulator=_emulation(a.action, a.emulator),
        parameters=fields(("parameters",), a.parameters),
        structs=tuple(
            ir.Struct(
                name,
                words(name),
                _text(s.description),
                fields(("structs", name, "fields"), s.fields),
                _where(doc, ("structs", name), key=True),
            )
            for name, s in a.structs.items()
        ),
        response=ir.Response(
            fields=fields(("response", "fields"), a.response.fields),
            example_json=a.response.examples.json_,
            example_xml=a.response.examples.xml,
        ),
        errors=tuple(a.errors),
        source=doc.path,
        pagination=_pagination(a, doc) if a.pagination is not None else None,
        where=_where(doc, ("action",)),
    )


def _pagination(a: ActionSpec, doc: Document) -> ir.Pagination:
    p = a.pagination
    assert p is not None
    found = resolve(a, p.items).field
    assert found is not None, "check() refuses a path that leads nowhere"
    items = type_ref(parse_type(found.type))
    assert isinstance(items, ir.ListOf), "check() refuses items that are not a list"
    by: ir.PageNumbers | ir.Tokens
    if p.style == "page":
        assert p.page is not None
        by = ir.PageNumbers(p.page, 1 if p.first_page is None else p.first_page)
    else:
        assert p.token is not None and p.next is not None
        by = ir.Tokens(p.token, tuple(p.next.split(".")))
    return ir.Pagination(
        by=by,
        items=tuple(p.items.split(".")),
        item=items.item,
        size=p.size,
        total=tuple(p.total.split(".")) if p.total is not None else None,
        where=_where(doc, ("pagination",), key=True),
    )


def _emulation(action: str, e: EmulatorSpec | None) -> ir.Emulation:
    if e is None:
        return ir.Emulation()
    creates = reads = ends = None
    if (c := e.creates) is not None:
        life = c.ends_after
        creates = ir.Creates(
            c.record,
            c.key,
            ir.RecordId(c.id.format, c.id.seq_start, c.id.random_below),
            life.parameter if life else None,
            float(life.default_seconds) if life else None,
            c.cancellable,
        )
    if (r := e.reads) is not None:
        reads = ir.Reads(
            r.record,
            r.by,
            r.into,
            _record_fields(r.fields),
            r.time_format,
            r.utc_offset_minutes,
            r.same_day_as,
            r.missing_error,
        )
    if (d := e.ends) is not None:
        ends = ir.Ends(d.record, d.by, d.into, d.removes, d.missing_error)
    limits = tuple(
        ir.Limit(
            lim.key,
            lim.counter or action,
            tuple(ir.Window(float(w.seconds), w.max) for w in lim.windows),
            lim.error,
        )
        for lim in e.limits
    )
    return ir.Emulation(creates, reads, ends, limits)


def _field(wire: str, f: FieldSpec, where: ir.Where) -> ir.Field:
    return ir.Field(
        wire_name=wire,
        words=words(wire),
        type=type_ref(parse_type(f.type)),
        required=f.required,
        style=ir.Style(f.style.value),
        constraints=_constraints(f.constraints),
        required_when=_condition(f.required_when) if f.required_when else None,
        format=f.format,
        invalid_error=f.invalid_error,
        default=f.default,
        example=f.example,
        description=_text(f.description),
        deprecated=f.deprecated,
        deprecation=_text(f.deprecation) if f.deprecation else None,
        unit=f.unit,
        where=where,
    )


def type_ref(expr: TypeExpr) -> ir.TypeRef:
    if expr.name in PRIMITIVES:
        return ir.Scalar(ir.Primitive(expr.name))
    if expr.name == "list":
        return ir.ListOf(type_ref(expr.args[0]))
    if expr.name == "map":
        return ir.MapOf(type_ref(expr.args[1]))
    return ir.StructRef(expr.name)


def _constraints(c: ConstraintsSpec | None) -> ir.Constraints:
    if c is None:
        return ir.Constraints()
    return ir.Constraints(
        min_length=c.min_length,
        max_length=c.max_length,
        minimum=c.minimum,
        maximum=c.maximum,
        exclusive_minimum=c.exclusive_minimum,
        exclusive_maximum=c.exclusive_maximum,
        pattern=c.pattern,
        min_items=c.min_items,
        max_items=c.max_items,
        enum=tuple(ir.EnumValue(e.value, _text(e.description)) for e in c.enum or ()),
    )


def _condition(c: ConditionSpec) -> ir.Condition:
    return ir.Condition(
        parameter=c.parameter,
        present=c.present,
        equals=c.equals,
        pattern=c.pattern,
        enforced=c.enforced,
        note=_text(c.note) if c.note else None,
    )

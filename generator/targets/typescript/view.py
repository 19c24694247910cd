"""The TypeScript target's view of the IR: every TypeScript name, type, comment line and literal
decided, so templates under templates/typescript/ only place them.

An action becomes interfaces (request, response, structs), TSDoc comments from the specs, and a
descriptor (``ActionDesc`` in templates/typescript/runtime/wire.ts) that the runtime checks,
encodes and decodes with: members, wire names, types, constraints, JSON style.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, assert_never

from generator.frontend import ir
from generator.targets.common import jsonschema
from generator.targets.common import wire as _wire
from generator.targets.common.text import constraint_text
from generator.targets.typescript import naming

_TYPES = {
    ir.Primitive.string: "string",
    ir.Primitive.int32: "number",
    ir.Primitive.int64: "number",
    ir.Primitive.boolean: "boolean",
    ir.Primitive.double: "number",
}


def ts_type(t: ir.TypeRef) -> str:
    """The TypeScript type of a type reference, structs by their type name."""
    match t:
        case ir.Scalar(kind):
            return _TYPES[kind]
        case ir.ListOf(item):
            inner = ts_type(item)
            return f"{inner}[]" if inner.isidentifier() else f"Array<{inner}>"
        case ir.MapOf(value):
            return f"Record<string, {ts_type(value)}>"
        case ir.StructRef(name):
            return naming.type_name(name)
        case _:
            assert_never(t)


def _desc_type(t: ir.TypeRef) -> Any:
    match t:
        case ir.Scalar(kind):
            return kind.value
        case ir.ListOf(item):
            return {"list": _desc_type(item)}
        case ir.MapOf(value):
            return {"map": _desc_type(value)}
        case ir.StructRef(name):
            return {"struct": name}
        case _:
            assert_never(t)


def comment(text: str, width: int = 96) -> tuple[str, ...]:
    """Lines of a TSDoc comment body, wrapped, with nothing that could close the comment."""
    safe = text.replace("*/", "*\\/")
    out: list[str] = []
    for paragraph in safe.split("\n"):
        out += textwrap.wrap(paragraph, width) or [""]
    while out and not out[-1]:
        out.pop()
    return tuple(out)


@dataclass(frozen=True)
class TsMember:
    name: str
    type: str
    optional: bool
    doc: tuple[str, ...]
    deprecated: str | None  # the @deprecated text ("" when there is none)


@dataclass(frozen=True)
class TsStruct:
    name: str
    doc: tuple[str, ...]
    members: tuple[TsMember, ...]


@dataclass(frozen=True)
class TsError:
    code: str
    class_name: str
    base: str
    http_status: int
    retryable: bool
    pattern: str | None
    doc: tuple[str, ...]
    code_literal: str
    pattern_literal: str | None


@dataclass(frozen=True)
class TsAction:
    action: ir.Action
    method: str
    module: str
    request_type: str
    response_type: str
    request_optional: bool  # no member is required: the request may be left out
    params: tuple[TsMember, ...]
    response: tuple[TsMember, ...]
    structs: tuple[TsStruct, ...]
    doc: tuple[str, ...]
    throws: tuple[TsError, ...]
    descriptor: str  # the ActionDesc, as a TypeScript object literal

    @property
    def paging(self) -> TsPaging | None:
        """The iterators of a paginated action (None: the action is not paginated)."""
        return ts_paging(self.action) if self.action.pagination is not None else None


def qualified_type(t: ir.TypeRef, namespace: str) -> str:
    """``ts_type`` with structs as members of a namespace: ``listCallTask.Data[]`` in src/client.ts."""
    match t:
        case ir.Scalar():
            return ts_type(t)
        case ir.ListOf(item):
            return f"Array<{qualified_type(item, namespace)}>"
        case ir.MapOf(value):
            return f"Record<string, {qualified_type(value, namespace)}>"
        case ir.StructRef(name):
            return f"{namespace}.{naming.type_name(name)}"
        case _:
            assert_never(t)


@dataclass(frozen=True)
class TsPaging:
    """A paginated action's iterators, ``<method>Pages`` and ``<method>Items``, and the ``Paging``
    (templates/typescript/runtime/pagination.ts) its module exports for them."""

    pages_method: str
    items_method: str
    const: str  # the Paging's name in the action's module
    parameter: str  # the request member the iteration sets: not a member of the iterators' request
    request_optional: bool  # no member but ``parameter`` is required: the request may be left out
    item_type: str  # one item, as src/client.ts names it
    descriptor: str  # the Paging, as a TypeScript object literal
    about: tuple[str, ...]  # how the pages are asked for and when it ends: TSDoc lines


def ts_paging(a: ir.Action) -> TsPaging:
    p = a.pagination
    assert p is not None, "only a paginated action has iterators"
    method, parameter = naming.method(a.name), naming.member(p.parameter)
    desc: dict[str, Any] = {"parameter": parameter, "items": [naming.member(n) for n in p.items]}
    if p.total is not None:
        desc["total"] = [naming.member(n) for n in p.total]
    ends = ["a page holds no items"]
    if p.total is not None:
        ends.append(f"the items reach `{'.'.join(desc['total'])}`")
    match p.by:
        case ir.PageNumbers(first=first):
            desc = {"style": "page", **desc, "firstPage": first}
            walk = f"The iteration sets `{parameter}`, from {first} up."
        case ir.Tokens(next=path):
            desc = {"style": "token", **desc, "next": [naming.member(n) for n in path]}
            walk = (
                f"The iteration sets `{parameter}`: none for the first page, then the "
                f"`{'.'.join(desc['next'])}` of the page before."
            )
            ends.append("an answer gives no next token (or one it gave before)")
        case _:
            assert_never(p.by)
    last = f"{', '.join(ends[:-1])} or {ends[-1]}" if len(ends) > 1 else ends[0]
    stops = f"It ends when {last}."
    request = f"The request is `{method}`'s without `{parameter}`; errors and retries are `{method}`'s."
    return TsPaging(
        pages_method=naming.pages_method(a.name),
        items_method=naming.items_method(a.name),
        const=naming.paging_const(a.name),
        parameter=parameter,
        request_optional=all(not f.required for f in a.parameters if f.wire_name != p.parameter),
        item_type=qualified_type(p.item, method),
        descriptor=json.dumps(desc, ensure_ascii=False, indent=2),
        about=comment(f"{walk} {stops} {request}"),
    )


def _member(f: ir.Field, *, request: bool) -> TsMember:
    text = f.description.short
    extra = constraint_text(f, naming.member)
    if extra:
        text = f"{text} ({extra})" if text else extra
    if f.unit:
        text += f" Unit: {f.unit}."
    deprecated = None
    if f.deprecated:
        deprecated = " ".join(f.deprecation.short.split()) if f.deprecation is not None else ""
    return TsMember(
        naming.member(f.wire_name),
        ts_type(f.type),
        not (request and f.required),
        comment(" ".join(text.split())),
        deprecated,
    )


def _field_desc(f: ir.Field, fields: Mapping[str, ir.Field]) -> dict[str, Any]:
    c = f.constraints
    out: dict[str, Any] = {
        "name": naming.member(f.wire_name),
        "wire": f.wire_name,
        "type": _desc_type(f.type),
    }
    if f.required:
        out["required"] = True
    if f.style is ir.Style.json:
        out["json"] = True
    if f.deprecated:
        out["deprecated"] = True
    if f.format is not None and f.format != "json":
        out["format"] = f.format
    out.update(jsonschema.constraint_keywords(c))
    w = f.required_when
    if w is not None and w.enforced and w.parameter in fields:
        cond: dict[str, Any] = {"field": naming.member(w.parameter)}
        if w.present is not None:
            cond["present"] = w.present
        if w.equals is not None:
            cond["equals"] = w.equals
        if w.pattern is not None:
            cond["pattern"] = w.pattern
        out["when"] = cond
    return out


def _fields_desc(fields: tuple[ir.Field, ...]) -> list[dict[str, Any]]:
    by_wire = {f.wire_name: f for f in fields}
    return [_field_desc(f, by_wire) for f in fields]


def descriptor(a: ir.Action) -> str:
    desc = {
        "name": a.name,
        "idempotent": a.idempotent,
        "params": _fields_desc(a.parameters),
        "response": _fields_desc(a.response.fields),
        "structs": {s.name: _fields_desc(s.fields) for s in a.structs},
    }
    return json.dumps(desc, ensure_ascii=False, indent=2)


_BASES = {
    ir.Category.client: "ClientError",
    ir.Category.server: "ServerError",
    ir.Category.throttling: "ThrottlingError",
}


def ts_errors(api: ir.Api) -> tuple[TsError, ...]:
    """The error codes that have a class of their own."""
    out = []
    for e in api.errors:
        if e.exception is None:
            continue
        out.append(
            TsError(
                e.code,
                e.exception,
                _BASES[e.category],
                e.http_status,
                e.retryable,
                e.pattern,
                comment(f"`{e.code}` (HTTP {e.http_status}): {' '.join(e.description.joined(' ').split())}"),
                json.dumps(e.code, ensure_ascii=False),
                json.dumps(e.pattern, ensure_ascii=False) if e.pattern is not None else None,
            )
        )
    return tuple(out)


def ts_action(a: ir.Action, by_code: Mapping[str, TsError]) -> TsAction:
    params = tuple(_member(f, request=True) for f in a.parameters)
    summary = a.summary.joined("\n\n")
    doc = comment(summary) + (("",) + comment(a.description.short) if a.description.short else ())
    if a.deprecated:
        note = a.deprecation.short if a.deprecation is not None else ""
        doc += ("", f"@deprecated {' '.join(note.split())}".rstrip())
    return TsAction(
        action=a,
        method=naming.method(a.name),
        module=naming.module(a.name),
        request_type=naming.request_type(a.name),
        response_type=naming.response_type(a.name),
        request_optional=all(p.optional for p in params),
        params=params,
        response=tuple(_member(f, request=False) for f in a.response.fields),
        structs=tuple(
            TsStruct(
                naming.type_name(s.name),
                comment(s.description.short),
                tuple(_member(f, request=True) for f in s.fields),
            )
            for s in a.structs
        ),
        doc=doc,
        throws=tuple(by_code[c] for c in a.errors if c in by_code),
        descriptor=descriptor(a),
    )


@dataclass(frozen=True)
class TsView:
    api: ir.Api
    package: str
    distribution: str
    root_error: str
    env_endpoint: str
    actions: tuple[TsAction, ...]
    errors: tuple[TsError, ...]
    exported_structs: tuple[tuple[str, str], ...]  # (type, module): struct types unique across actions
    meta: tuple[tuple[str, str], ...]  # (constant, TypeScript literal) of src/meta.ts


def package_of(api: ir.Api) -> ir.Package:
    found = api.product.package("typescript")
    assert found is not None, "applies() is false without sdk.targets.typescript"
    return found


def view(api: ir.Api) -> TsView:
    package = package_of(api)
    errors = ts_errors(api)
    by_code = {e.code: e for e in errors}
    actions = tuple(ts_action(a, by_code) for a in api.actions)
    owners: dict[str, list[str]] = {}
    for a in actions:
        for s in a.structs:
            owners.setdefault(s.name, []).append(a.module)
    taken = {name for a in actions for name in (a.request_type, a.response_type)}
    exported = tuple(sorted((n, m[0]) for n, m in owners.items() if len(m) == 1 and n not in taken))
    root = naming.root_error(api.product.code)
    env_endpoint = naming.env_endpoint(api.product.code)

    def lit(value: object) -> str:
        return json.dumps(value, ensure_ascii=False)

    meta = (
        ("PRODUCT", lit(api.product.code)),
        ("API_VERSION", lit(api.product.api_version)),
        ("DEFAULT_ENDPOINT", lit(api.product.endpoints.default)),
        ("VPC_ENDPOINT", lit(api.product.endpoints.vpc) if api.product.endpoints.vpc else "undefined"),
        ("DEFAULT_SIGNATURE", lit("v1" if api.product.signing_default == "v1" else "v3") + " as const"),
        ("SDK_NAME", lit(package.distribution)),
        ("SDK_VERSION", lit(api.product.sdk_version)),
        ("ENV_ACCESS_KEY_ID", lit("ALIBABA_CLOUD_ACCESS_KEY_ID")),
        ("ENV_ACCESS_KEY_SECRET", lit("ALIBABA_CLOUD_ACCESS_KEY_SECRET")),
        ("ENV_SECURITY_TOKEN", lit("ALIBABA_CLOUD_SECURITY_TOKEN")),
        ("ENV_ENDPOINT", lit(env_endpoint)),
        ("ROOT_ERROR", lit(root)),
    )
    return TsView(
        api=api,
        package=package.package,
        distribution=package.distribution,
        root_error=root,
        env_endpoint=env_endpoint,
        actions=actions,
        errors=errors,
        exported_structs=exported,
        meta=meta,
    )


def literal(value: Any, t: ir.TypeRef, structs: Mapping[str, ir.Struct]) -> str:
    """The TypeScript expression of an example value; structs become object literals of members."""
    match t:
        case ir.Scalar(kind):
            return json.dumps(float(value) if kind is ir.Primitive.double else value, ensure_ascii=False)
        case ir.ListOf(item):
            return "[" + ", ".join(literal(v, item, structs) for v in value) + "]"
        case ir.MapOf(item):
            pairs = (
                f"{json.dumps(str(k), ensure_ascii=False)}: {literal(v, item, structs)}"
                for k, v in value.items()
            )
            return "{ " + ", ".join(pairs) + " }"
        case ir.StructRef(name):
            members = (
                f"{naming.member(f.wire_name)}: {literal(value[f.wire_name], f.type, structs)}"
                for f in structs[name].fields
                if value.get(f.wire_name) is not None
            )
            return "{ " + ", ".join(members) + " }"
        case _:
            assert_never(t)


def sample_arguments(action: ir.Action) -> tuple[tuple[str, str], ...]:
    """``(member, expression)`` of each example the docs show on the wire (``_wire.sample_fields``)."""
    structs = {s.name: s for s in action.structs}
    return tuple(
        (naming.member(f.wire_name), literal(f.example, f.type, structs)) for f in _wire.sample_fields(action)
    )


# ----------------------------------------------------------------------------- receipts (src/receipts.ts)

_RECEIPT_READERS = {
    ir.Primitive.string: ("string", "asStr"),
    ir.Primitive.int32: ("number", "asInt"),
    ir.Primitive.int64: ("number", "asInt"),
    ir.Primitive.boolean: ("boolean", "asBool"),
    ir.Primitive.double: ("number", "asFloat"),
}


@dataclass(frozen=True)
class TsReceiptField:
    name: str  # callId
    wire: str  # the message's own key: call_id
    wire_literal: str
    type: str  # a string enum: its values, then any other string
    reader: str  # the runtime function that reads the value tolerantly
    doc: tuple[str, ...]


@dataclass(frozen=True)
class TsReceiptType:
    name: str  # the interface, and the companion object of MESSAGE_TYPE and parse
    message_type: str  # a JSON literal
    doc: tuple[str, ...]
    fields: tuple[TsReceiptField, ...]


@dataclass(frozen=True)
class TsReceipts:
    """What templates/typescript/receipts.ts.jinja reads."""

    title: str
    push_reply: str  # a TypeScript string literal of the JSON the service expects back
    types: tuple[TsReceiptType, ...]
    readers: tuple[str, ...]  # the runtime readers the parsers call
    source: tuple[tuple[str, str], ...]  # (member, TypeScript literal) of the ReceiptSource


def _receipt_field(f: ir.Field) -> TsReceiptField:
    assert isinstance(f.type, ir.Scalar), "check() allows scalar receipt fields only"
    ts, reader = _RECEIPT_READERS[f.type.kind]
    values = [e.value for e in f.constraints.enum]
    if f.type.kind is ir.Primitive.string and values:
        ts = " | ".join(json.dumps(str(v), ensure_ascii=False) for v in values) + " | (string & {})"
    text = f.description.joined(" ")
    extra = constraint_text(f, naming.member)
    text = f"{text} ({extra})" if extra else text
    if f.unit:
        text += f" Unit: {f.unit}."
    return TsReceiptField(
        naming.member(f.wire_name),
        f.wire_name,
        json.dumps(f.wire_name, ensure_ascii=False),
        ts,
        reader,
        comment(" ".join(text.split())),
    )


def ts_receipts(api: ir.Api) -> TsReceipts | None:
    """The receipt types of the specs, or None when they declare none."""
    receipts = api.product.receipts
    if receipts is None:
        return None
    types = []
    for t in receipts.types:
        doc = comment(" ".join(t.description.short.split()) or t.name)
        if t.description.other:
            doc += ("",) + comment(" ".join(t.description.other.split()))
        doc += ("", f"Sent after: {', '.join(t.actions)}.")
        fields = tuple(_receipt_field(f) for f in t.fields)
        types.append(TsReceiptType(naming.type_name(t.name), json.dumps(t.name), doc, fields))
    return TsReceipts(
        " ".join(api.product.title.short.split()),
        json.dumps(receipts.push_reply or "{}", ensure_ascii=False),
        tuple(types),
        tuple(sorted({f.reader for t in types for f in t.fields})),
        _receipt_source(api.product.signing_default, receipts),
    )


def _receipt_source(signing: str, r: ir.Receipts) -> tuple[tuple[str, str], ...]:
    """The members of runtime/settings.ts's ``ReceiptSource``, from the specs."""
    values: tuple[tuple[str, str | int], ...] = (
        ("tokenProduct", r.token_product),
        ("tokenApiVersion", r.token_api_version),
        ("tokenEndpoint", r.token_endpoint),
        ("tokenAction", r.token_action),
        ("refreshBeforeSeconds", r.refresh_before_seconds),
        ("queueEndpoint", r.queue_endpoint),
        ("protocolVersion", r.queue_protocol_version),
        ("maxBatch", r.max_batch),
        ("maxWaitSeconds", r.max_wait_seconds),
        ("utcOffsetMinutes", r.token_utc_offset_minutes),
        ("signing", signing),
    )
    return tuple((name, json.dumps(value, ensure_ascii=False)) for name, value in values)


# ----------------------------------------------------------------------------- end of receipts

"""What the generated emulator (``<package>.testing``) knows of the service, as plain data.

Written as JSON under ``testing/_data/`` (read by the runtime's ``testing/_service.py``):
``service.json`` (product, version, error table, action names) and one file per action, which the
emulator reads the first time it meets the action: its JSON Schema (to validate requests), its
declared behaviour (``emulator``: the records it creates, reads or ends and the limits it
applies, see specs/README.md; ``emulator.pages``: how a paginated action serves its list), its
error codes and example answer.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import assert_never

from generator.frontend import ir
from generator.output.render import HEADER_TEXT
from generator.targets.common import jsonschema

DATA = "testing/_data"  # under the package


def _json(data: dict[str, object]) -> str:
    return json.dumps({"$comment": HEADER_TEXT, **data}, indent=2, ensure_ascii=False) + "\n"


def action_file(a: ir.Action) -> tuple[str, str]:
    """``(path under the package, text)`` of one action's description."""
    description: dict[str, object] = {
        "idempotent": a.idempotent,
        "emulator": emulation(a.emulator) | ({"pages": pages(a)} if a.pagination is not None else {}),
        "errors": list(a.errors),
        "schema": jsonschema.action_schema(a),
        "example": json.loads(a.response.example_json),
    }
    return f"{DATA}/actions/{a.name}.json", _json(description)


def service_file(api: ir.Api) -> tuple[str, str]:
    """``(path under the package, text)`` of what the service shares across its actions."""
    return f"{DATA}/service.json", _json(service_description(api))


def service_description(api: ir.Api) -> dict[str, object]:
    return {
        "product": api.product.code,
        "version": api.product.api_version,
        "actions": [a.name for a in api.actions],
        "errors": {
            e.code: {
                "http_status": e.http_status,
                "category": e.category.value,
                "retryable": e.retryable,
                "source": e.source,
                "pattern": e.pattern,
                "message": e.message,
            }
            for e in api.errors
        },
        **({"receipts": receipts(api.product.receipts)} if api.product.receipts is not None else {}),
    }


def receipts(r: ir.Receipts) -> dict[str, object]:
    """What the emulator needs of the receipts: who gets which type, the token action, the push
    schedule, and how calls play out (``emulation``, absent when the specs declare none)."""
    out: dict[str, object] = {
        "token": {
            "product": r.token_product,
            "version": r.token_api_version,
            "endpoint": r.token_endpoint,
            "action": r.token_action,
            "utc_offset_minutes": r.token_utc_offset_minutes,
            "refresh_before_seconds": r.refresh_before_seconds,
        },
        "queue": {
            "endpoint": r.queue_endpoint,
            "name": r.queue_name,
            "protocol_version": r.queue_protocol_version,
        },
        "max_batch": r.max_batch,
        "max_wait_seconds": r.max_wait_seconds,
        "push": (
            {"timeout_ms": r.push_timeout_ms, "retry_after_seconds": list(r.push_retry_after_seconds)}
            if r.push_reply is not None
            else None
        ),
        "types": {
            t.name: {
                "actions": list(t.actions),
                "fields": [f.wire_name for f in t.fields],
                "examples": _examples(t),
            }
            for t in r.types
        },
    }
    if (e := r.emulation) is not None:
        out["emulation"] = _plain(
            {
                **asdict(e),
                "outcomes": {o.name: {**asdict(o), "values": dict(o.values)} for o in e.outcomes},
                "reports": {
                    p.type: {"at": list(p.at), "answered_only": p.answered_only, "fields": _fields(p.fields)}
                    for p in e.reports
                },
            }
        )
    return out


def _examples(t: ir.ReceiptType) -> dict[str, object]:
    """Each field's example value, as the service sends it (a string)."""
    return {f.wire_name: str(f.example) for f in t.fields if f.example is not None}


def _fields(fields: tuple[ir.RecordField, ...]) -> dict[str, object]:
    return {f.name: {"source": f.source, "parameters": list(f.parameters), "value": f.value} for f in fields}


def emulation(e: ir.Emulation) -> dict[str, object]:
    """An action's ``emulator`` declarations as plain data; keys absent when not declared."""
    out: dict[str, object] = {}
    if e.creates is not None:
        out["creates"] = asdict(e.creates)
    if e.reads is not None:
        reads = asdict(e.reads)
        reads["fields"] = _fields(e.reads.fields)
        out["reads"] = reads
    if e.ends is not None:
        out["ends"] = asdict(e.ends)
    if e.limits:
        out["limits"] = [asdict(limit) for limit in e.limits]
    return _plain(out)  # type: ignore[return-value]


def pages(a: ir.Action) -> dict[str, object]:
    """How the emulator serves a paginated action's list a page at a time (``testing/_pages.py``):
    wire names, and the page size the service assumes when the request gives none."""
    p = a.pagination
    assert p is not None
    size = next((f for f in a.parameters if f.wire_name == p.size), None)
    default = size.default if size is not None and type(size.default) is int and size.default > 0 else None
    out: dict[str, object] = {"parameter": p.parameter, "size": p.size, "default_size": default}
    match p.by:
        case ir.PageNumbers(first=first):
            out |= {"style": "page", "first_page": first, "next": None}
        case ir.Tokens(next=path):
            out |= {"style": "token", "first_page": None, "next": list(path)}
        case _:
            assert_never(p.by)
    return out | {"items": list(p.items), "total": list(p.total) if p.total is not None else None}


def _plain(value: object) -> object:
    """Tuples as lists, all the way down: the description is JSON-shaped."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value

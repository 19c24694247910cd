"""What the generated emulator (``<package>.testing``) knows of the service, as plain data.

Rendered into ``testing/_service.py``; the emulator's behaviour reads only this: each action's
JSON Schema (to validate requests), its declared behaviour (``emulator``: the records it creates,
reads or ends and the limits it applies, see specs/README.md), its error codes and example
answer, and the error table.
"""

from __future__ import annotations

import json
from dataclasses import asdict

from generator.frontend import ir
from generator.targets.common import jsonschema


def service_description(api: ir.Api) -> dict[str, object]:
    return {
        "product": api.product.code,
        "version": api.product.api_version,
        "actions": {
            a.name: {
                "idempotent": a.idempotent,
                "emulator": emulation(a.emulator),
                "errors": list(a.errors),
                "schema": jsonschema.action_schema(a),
                "example": json.loads(a.response.example_json),
            }
            for a in api.actions
        },
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
    }


def emulation(e: ir.Emulation) -> dict[str, object]:
    """An action's ``emulator`` declarations as plain data; keys absent when not declared."""
    out: dict[str, object] = {}
    if e.creates is not None:
        out["creates"] = asdict(e.creates)
    if e.reads is not None:
        reads = asdict(e.reads)
        reads["fields"] = {
            f.name: {"source": f.source, "parameters": list(f.parameters), "value": f.value}
            for f in e.reads.fields
        }
        out["reads"] = reads
    if e.ends is not None:
        out["ends"] = asdict(e.ends)
    if e.limits:
        out["limits"] = [asdict(limit) for limit in e.limits]
    return _plain(out)  # type: ignore[return-value]


def _plain(value: object) -> object:
    """Tuples as lists, all the way down: the description is JSON-shaped."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value

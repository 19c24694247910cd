"""The example request of an action as it goes on the wire, computed from the spec's examples.

The reference docs show the HTTP request that the action's code sample sends. It is computed
here, in the generator, with the encoding rules of the generated SDK (``_model.Model.wire_data``
and ``_signing.flatten`` / ``wire_value`` / ``encode_query``), restated for IR values:

- unset fields are not sent; fields keep their declaration order;
- a ``json``-style field travels as compact JSON, non-ASCII kept (``{"name":"喂,你好"}``),
  struct fields that are themselves ``json``-style encoded first, as the SDK does;
- lists become ``Key.1``, ``Key.2`` … and mappings ``Key.Sub`` (``MenuKeyMap.1.Key``);
- booleans are ``true``/``false``, doubles ``repr(float)``;
- the query string is ``urlencode`` of the pairs (space is ``+``).

tests/test_docs.py proves the result equal to what the SDK sends for the same values. The V3
headers whose values depend on the moment or the secret are shown as ``<placeholders>``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, assert_never
from urllib.parse import urlencode

from generator.frontend import ir

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def sample_fields(action: ir.Action) -> tuple[ir.Field, ...]:
    """The parameters a code sample sets: every one with an example, deprecated ones left out."""
    return tuple(f for f in action.parameters if f.example is not None and not f.deprecated)


def plain(value: Any, t: ir.TypeRef, structs: Mapping[str, ir.Struct]) -> Any:
    """An example value as the SDK holds it before flattening (``Model.wire_data``)."""
    match t:
        case ir.Scalar(kind):
            return float(value) if kind is ir.Primitive.double else value
        case ir.ListOf(item):
            return [plain(v, item, structs) for v in value]
        case ir.MapOf(item):
            return {k: plain(v, item, structs) for k, v in value.items()}
        case ir.StructRef(name):
            return fields_data(structs[name].fields, value, structs)
        case _:
            assert_never(t)


def fields_data(
    fields: tuple[ir.Field, ...], values: Mapping[str, Any], structs: Mapping[str, ir.Struct]
) -> dict[str, Any]:
    """Wire name → value of the fields set in ``values``, in declaration order, JSON fields encoded."""
    data: dict[str, Any] = {}
    for f in fields:
        if values.get(f.wire_name) is None:
            continue
        value = plain(values[f.wire_name], f.type, structs)
        data[f.wire_name] = json_value(value) if f.style is ir.Style.json else value
    return data


def json_value(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def wire_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise TypeError(f"cannot send a value of type {type(value).__name__}")


def flatten(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``{"MenuKeyMap": [{"Key": "1"}]}`` → ``[("MenuKeyMap.1.Key", "1")]``."""
    out: list[tuple[str, str]] = []

    def walk(key: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for sub, item in value.items():
                walk(f"{key}.{sub}", item)
        elif isinstance(value, list):
            for index, item in enumerate(value, start=1):
                walk(f"{key}.{index}", item)
        elif value is not None:
            out.append((key, wire_value(value)))

    for key, value in data.items():
        walk(key, value)
    return out


def example_pairs(action: ir.Action) -> list[tuple[str, str]]:
    """The query pairs the action's code sample sends."""
    structs = {s.name: s for s in action.structs}
    values = {f.wire_name: f.example for f in sample_fields(action)}
    return flatten(fields_data(action.parameters, values, structs))


def v3_headers(product: ir.Product, action: ir.Action, user_agent: str) -> list[tuple[str, str]]:
    """The headers of a V3-signed call, in the SDK's order, with placeholders where values vary.

    ``user_agent`` is the SDK's, as its code target writes it (``Guide.user_agent``).

    All but ``content-length`` are signed (``_signing.v3_headers`` and ``sign_v3``).
    """
    headers = [
        ("host", product.endpoints.default),
        ("x-acs-version", product.api_version),
        ("x-acs-action", action.name),
        ("user-agent", user_agent),
        ("x-acs-date", "<UTC time, e.g. 2024-01-02T03:04:05Z>"),
        ("x-acs-signature-nonce", "<32 random hex digits>"),
        ("accept", "application/json"),
        ("x-acs-content-sha256", EMPTY_SHA256),
        ("x-acs-credentials-provider", "static_ak"),
    ]
    signed = ";".join(sorted(name for name, _ in headers))
    authorization = f"ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders={signed},Signature=<signature>"
    return [*headers, ("Authorization", authorization), ("content-length", "0")]


def http_request(product: ir.Product, action: ir.Action, user_agent: str) -> str:
    """The whole example request, request line and headers (the body is empty)."""
    query = urlencode(example_pairs(action))
    target = f"/?{query}" if query else "/"
    headers = v3_headers(product, action, user_agent)
    lines = [f"{product.method} {target} HTTP/1.1", *(f"{k}: {v}" for k, v in headers)]
    return "\n".join(lines)

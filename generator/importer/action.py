"""One vendor API → one ``imported/actions/<Action>.yaml`` mapping.

Dotted parameter names (``SystemDisk.Size``, ``Filter.1.Key``) become the struct or list they
flatten from (``SystemDisk: SystemDisk{Size}``, ``Filter: list<Filter{Key}>`` repeatList), which
travel as the same query keys; a parameter whose ``in`` is not ``query`` is left out (noted).
"""

from __future__ import annotations

import json
import re
from typing import Any

from generator.importer.examples import SUCCESS, response_examples
from generator.importer.paging import pagination
from generator.importer.schema import Converter, prose, text
from generator.importer.source import Problems
from generator.importer.synth import NOTE, made_example

READ_ONLY = ("read",), ("get", "list")  # operationType, systemTags.operationType


def _fold(params: list[tuple[int, dict[str, Any]]]) -> list[tuple[str, str, dict[str, Any], str | None]]:
    """(name, path, schema, style) per wire parameter, dotted names folded into structs/lists."""
    out: dict[str, tuple[str, str, dict[str, Any], str | None]] = {}
    for i, p in params:
        name, schema = p["name"], p.get("schema") or {}
        where, style = f"[{i}]", p.get("style")
        parts = name.split(".")
        if len(parts) == 1:
            if name in out and isinstance(schema.get("properties"), dict):
                merged = dict(
                    schema, properties={**schema["properties"], **out[name][2].get("properties", {})}
                )
                out[name] = (name, where, merged, style)
            else:
                out.setdefault(name, (name, where, schema, style))
            continue
        top = out.get(parts[0])
        node = dict(top[2]) if top else {"description": "", "type": "object"}
        out[parts[0]] = (
            parts[0],
            top[1] if top else where,
            _insert(node, parts[1:], schema),
            "repeatList" if parts[1].isdigit() else (top[3] if top else None),
        )
    return list(out.values())


def _insert(node: dict[str, Any], rest: list[str], leaf: dict[str, Any]) -> dict[str, Any]:
    if not rest:
        return leaf
    key, tail = rest[0], rest[1:]
    if key.isdigit():
        items = node.get("items") if node.get("type") == "array" else None
        index = int(key)
        made = dict(node, type="array", maxItems=max(index, int(node.get("maxItems") or 0)))
        made.pop("properties", None)
        made["items"] = _insert(dict(items or {"type": "object"}), tail, leaf) if tail else leaf
        return made
    props = dict(node.get("properties") or {})
    props[key] = _insert(dict(props.get(key) or {"type": "object"}), tail, leaf)
    return dict(node, type="object", properties=props)


def convert_action(
    name: str,
    api: dict[str, Any],
    group: str | None,
    components: dict[str, Any],
    problems: Problems,
    codes: list[str],
    notes: list[str],
    request_id_text: str | None = None,
) -> dict[str, Any]:
    """One action's spec. ``request_id_text``: how the document describes RequestId elsewhere,
    for an answer whose schema forgot it (every RPC answer carries one)."""
    where = f"$.apis.{name}"
    conv = Converter(problems, components)
    spec: dict[str, Any] = {"action": name}
    title, summary, description = (str(api.get(k) or "").strip() for k in ("title", "summary", "description"))
    if t := text(title or summary):
        spec["summary"] = t
    if d := text("\n\n".join(x for x in (summary, description) if x) or title):
        spec["description"] = d
    if group:
        spec["group"] = {"zh": group}
    kinds = api.get("operationType"), (api.get("systemTags") or {}).get("operationType")
    spec["idempotent"] = kinds[0] in READ_ONLY[0] or kinds[1] in READ_ONLY[1]
    if api.get("deprecated") is True:
        spec["deprecated"] = True
    query = []
    for i, p in enumerate(api.get("parameters") or []):
        if p.get("in", "query") != "query":
            notes.append(
                f"{where}.parameters[{i}]: {p['name']} is in {p.get('in')!r}, not the query: left out"
            )
        else:
            query.append((i, p))
    params: dict[str, Any] = {}
    for pname, pwhere, schema, style in _fold(query):
        made = conv.field(pname, schema, f"{where}.parameters{pwhere}.schema", style=style)
        if made is not None:
            params[pname] = made
    for field in params.values():
        if field.get("required") and field.get("example") is None:
            made = made_example(field, conv.structs)
            if made is not None:
                field["example"] = made
                field.setdefault("repaired", {})["example"] = NOTE
    spec["parameters"] = _one_per_name(params, f"{where}.parameters", conv.dropped)
    response_schema = ((api.get("responses") or {}).get("200") or {}).get("schema") or {}
    fields = conv.fields(
        response_schema.get("properties") or {}, f"{where}.responses.200.schema.properties", ""
    )
    fields = _one_per_name(fields, f"{where}.responses", conv.dropped)
    for struct_name, struct in conv.structs.items():
        struct["fields"] = _one_per_name(struct["fields"], f"{where}: struct {struct_name}", conv.dropped)
    if not any(n.lower() == "requestid" for n in fields):
        fields = {"RequestId": _request_id(request_id_text), **fields}
        notes.append(f"{where}.responses: RequestId added: every RPC answer carries it")
    demo = _demo(api.get("responseDemo"), f"{where}.responseDemo", notes)
    examples = response_examples(name, fields, conv.structs, demo, notes, f"{where}.responseDemo")
    code = fields.get("Code")
    if isinstance(code, dict) and code.get("example") not in (None, SUCCESS):
        code.setdefault("repaired", {})[
            "example"
        ] = f"the vendor's example {code['example']!r} is not the success code; {SUCCESS!r} is"
        code["example"] = SUCCESS
    if conv.structs:
        spec["structs"] = {k: conv.structs[k] for k in sorted(conv.structs)}
    spec["response"] = {"fields": fields, "examples": examples}
    spec["errors"] = codes
    paged = pagination(spec, where, notes)
    if paged is not None:
        spec = _before("parameters", "pagination", paged, spec)
    notes.extend(f"{w}: an array without 'items': taken as list<string>" for w in conv.untyped)
    notes.extend(f"{where}: {d}" for d in conv.dropped)
    return spec


def _before(key: str, new: str, value: Any, spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` with ``new: value`` just before ``key``, where the format lists it."""
    out: dict[str, Any] = {}
    for k, v in spec.items():
        if k == key:
            out[new] = value
        out[k] = v
    return out


def _one_per_name(fields: dict[str, Any], where: str, dropped: list[str]) -> dict[str, Any]:
    """``fields`` without the names that differ from another only in case or separators (the
    vendor's ``key`` beside ``Key``, ``requestId`` beside ``RequestId``): every SDK names a field
    in its own style, where the two would be one name. The one in the API's style (a capital
    first) is kept, else the first; each left out is reported."""
    kept: dict[str, str] = {}
    order = sorted(fields, key=lambda n: not n[:1].isupper())  # stable: the document's order within
    for name in order:
        folded = re.sub(r"[^a-z0-9]", "", name.lower())
        if folded in kept:
            dropped.append(f"{where}.{name}: the same name as {kept[folded]} but for case: left out")
        else:
            kept[folded] = name
    names = set(kept.values())
    return {n: f for n, f in fields.items() if n in names}


def _request_id(description: str | None) -> dict[str, Any]:
    field: dict[str, Any] = {"type": "string"}
    if description:
        field["description"] = {"zh": prose(description)}
    field["repaired"] = {
        "type": "the vendor's response schema lacks RequestId, which every RPC answer carries"
    }
    return field


def _demo(raw: Any, where: str, notes: list[str]) -> dict[str, str]:
    """The vendor's response examples by type (json, xml)."""
    if not raw:
        return {}
    try:
        entries = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        notes.append(f"{where}: not JSON: left out")
        return {}
    found: dict[str, str] = {}
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("example"), str) and entry["example"].strip():
            found.setdefault(str(entry.get("type")), entry["example"])
    return found

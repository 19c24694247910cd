"""Response examples: the vendor's JSON made consistent with the response model, and XML.

``sdkgen validate`` refuses an example with an undeclared key or a value of the wrong type: such
keys are dropped and convertible values converted (``"10"`` on an ``int32`` → ``10``), each
noted in the import report. Without a vendor JSON example, one is assembled from the fields'
examples; without a well-formed vendor XML example, the XML is generated from the JSON.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from generator.frontend.types import parse_type
from generator.importer.values import Structs, coerce, fits

_DROP = object()


def _clean(value: Any, type_text: str, structs: Structs, where: str, notes: list[str]) -> Any:
    t = parse_type(type_text)
    if t.name in structs and isinstance(value, dict):
        return _object(value, structs[t.name]["fields"], structs, where, notes)
    if t.name == "list" and isinstance(value, list):
        item = type_text[5:-1]
        cleaned = [_clean(v, item, structs, f"{where}[{i}]", notes) for i, v in enumerate(value)]
        return [v for v in cleaned if v is not _DROP]
    if value is None or fits(value, type_text, structs):
        return value
    fixed = coerce(value, type_text, structs)
    if fixed is not None and fits(fixed, type_text, structs):
        notes.append(f"{where}: {value!r} converted to {type_text}")
        return fixed
    notes.append(f"{where}: {value!r} is not a {type_text}: dropped")
    return _DROP


def _object(
    value: dict[str, Any], fields: dict[str, Any], structs: Structs, where: str, notes: list[str]
) -> dict[str, Any]:
    out = {}
    for key, item in value.items():
        if key not in fields:
            notes.append(f"{where}.{key}: not a declared field: dropped")
            continue
        cleaned = _clean(item, fields[key]["type"], structs, f"{where}.{key}", notes)
        if cleaned is not _DROP:
            out[key] = cleaned
    return out


def _xml(name: str, value: Any) -> ET.Element:
    element = ET.Element(name)
    if isinstance(value, dict):
        for key, item in value.items():
            for one in item if isinstance(item, list) else [item]:
                element.append(_xml(key, one))
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)
    return element


def _well_formed(text: str) -> bool:
    if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        return False
    try:
        ET.fromstring(text)
    except ET.ParseError:
        return False
    return True


SUCCESS = "OK"  # the Code of every successful RPC answer


def response_examples(
    action: str, fields: dict[str, Any], structs: Structs, demo: dict[str, str], notes: list[str], where: str
) -> dict[str, str]:
    body: dict[str, Any] | None = None
    if "json" in demo:
        try:
            parsed = json.loads(demo["json"])
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            body = _object(parsed, fields, structs, f"{where}.json", notes)
        else:
            notes.append(f"{where}.json: not a JSON object: assembled from the fields' examples")
    if body is None:
        body = {k: f["example"] for k, f in fields.items() if "example" in f}
    code = body.get("Code")
    if code is not None and code != SUCCESS:
        # The example is of a success (it has the action's data); its Code must be the protocol's
        # success code, or the SDK and the emulator would read it as an error.
        notes.append(
            f"{where}: Code {code!r} in the example answer replaced by {SUCCESS!r}, the success code"
        )
        body["Code"] = SUCCESS
        xml_text = demo.get("xml", "")
        demo = {**demo, "xml": xml_text.replace(f"<Code>{code}</Code>", f"<Code>{SUCCESS}</Code>")}
    xml = demo.get("xml", "").strip()
    if not xml or not _well_formed(xml):
        if xml:
            notes.append(f"{where}.xml: not well-formed XML: generated from the JSON example")
        root = _xml(f"{action}Response", body)
        ET.indent(root)
        xml = ET.tostring(root, encoding="unicode")
    return {"json": json.dumps(body, ensure_ascii=False, indent=2) + "\n", "xml": xml + "\n"}

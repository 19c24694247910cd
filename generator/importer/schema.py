"""Vendor schemas → spec fields, types and structs (one ``Converter`` per action).

Types: ``string``; ``integer`` by ``format`` (``int32``, ``int64``; no format → ``int64``, the
type that loses nothing); ``number`` → ``double``; ``boolean``; ``array`` → ``list<T>``; ``object``
with ``properties`` → a struct named after its field (CapWords; another shape under the same
name takes its parent's name as a prefix); ``additionalProperties`` → ``map<string, T>``; an
object with neither, and ``any``, → ``map<string, string>`` / ``string`` (noted under
``repaired``); ``$ref`` to ``components.schemas`` → a struct named after the schema.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from generator.frontend.diagnostics import Code
from generator.importer import mining, repair
from generator.importer.source import Problems
from generator.importer.values import INT_RANGE, coerce, fits

SCALARS = {"string": "string", "number": "double", "boolean": "boolean"}
_KNOWN = {"string", "integer", "number", "boolean", "array", "object", "any"}
_NUMERIC = ("int32", "int64", "double")
_APPLIES = {
    "min_length": ("string",),
    "max_length": ("string",),
    "pattern": ("string",),
    "minimum": _NUMERIC,
    "maximum": _NUMERIC,
    "exclusive_minimum": _NUMERIC,
    "exclusive_maximum": _NUMERIC,
    "min_items": ("list",),
    "max_items": ("list",),
}
_VENDOR = {
    "minLength": "min_length",
    "maxLength": "max_length",
    "pattern": "pattern",
    "minimum": "minimum",
    "maximum": "maximum",
    "minItems": "min_items",
    "maxItems": "max_items",
    "exclusiveMinimum": "exclusive_minimum",
    "exclusiveMaximum": "exclusive_maximum",
}
ORDER = (
    "type",
    "required",
    "style",
    "constraints",
    "format",
    "default",
    "example",
    "description",
    "deprecated",
    "unit",
    "mined",
    "repaired",
)
_BULLET = re.compile(r"^\s*[-*]\s*`?([^`：:\s][^`：:]*?)`?\s*[：:]\s*(.+?)\s*$", re.M)


def capwords(name: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", name)
    text = "".join(w[:1].upper() + w[1:] for w in words) or "Struct"
    return text if text[0].isalpha() else "S" + text


# The vendor's prose links its help centre as ``[text](~~172104~~)``: a document id, which the
# help centre serves at this address.
_DOC_LINK = re.compile(r"~~(\d+)~~")
HELP_DOCUMENT = "https://help.aliyun.com/document_detail/{}.html"


def prose(value: str) -> str:
    """The vendor's text with its help-centre document links made addresses."""
    return _DOC_LINK.sub(lambda m: HELP_DOCUMENT.format(m.group(1)), value.strip())


def text(value: Any) -> dict[str, str] | None:
    return {"zh": prose(value)} if isinstance(value, str) and value.strip() else None


@dataclass
class Converter:
    problems: Problems
    components: dict[str, Any]
    structs: dict[str, dict[str, Any]] = field(default_factory=dict)
    untyped: list[str] = field(default_factory=list)  # arrays without items, taken as strings
    dropped: list[str] = field(default_factory=list)  # vendor values left out, for the report
    _refs: dict[str, str] = field(default_factory=dict)

    # -- types ---------------------------------------------------------------------------------
    def type_of(self, name: str, schema: dict[str, Any], where: str, parent: str = "") -> str | None:
        ref = schema.get("$ref")
        if isinstance(ref, str):
            return self._ref(ref, where)
        kind = schema.get("type")
        if kind is None:
            kind = "object" if "properties" in schema else "string"
        if not isinstance(kind, str) or kind not in _KNOWN:
            self.problems.add(Code.import_unknown_type, f"{where}.type", f"unknown type {kind!r}")
            return None
        if kind == "integer":
            return "int32" if schema.get("format") == "int32" else "int64"
        if kind in SCALARS:
            return SCALARS[kind]
        if kind == "any":
            return "string"
        if kind == "array":
            items = schema.get("items")
            if items is None:  # the vendor left the item type out (Slb AclIds): strings, noted
                self.untyped.append(where)
                return "list<string>"
            if not isinstance(items, dict):
                self.problems.add(
                    Code.import_not_api_docs, f"{where}.items", "an array needs an 'items' object"
                )
                return None
            item = self.type_of(name, items, f"{where}.items", parent)
            return f"list<{item}>" if item else None
        properties = schema.get("properties")
        if isinstance(properties, dict) and properties:
            return self._struct(name, schema, where, parent)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            value = self.type_of(name, extra, f"{where}.additionalProperties", parent)
            return f"map<string, {value}>" if value else None
        return "map<string, string>"

    def _ref(self, ref: str, where: str) -> str | None:
        prefix = "#/components/schemas/"
        target = ref[len(prefix) :] if ref.startswith(prefix) else None
        if target is None or not isinstance(self.components.get(target), dict):
            self.problems.add(Code.import_unresolved_ref, f"{where}.$ref", f"{ref!r} does not resolve")
            return None
        if target not in self._refs:
            name = capwords(target)
            self._refs[target] = name
            self.structs.setdefault(name, {"fields": {}})  # a recursive reference stops here
            self.structs[name] = self._struct_body(
                self.components[target], f"$.components.schemas.{target}", name
            )
        return self._refs[target]

    def _struct(self, name: str, schema: dict[str, Any], where: str, parent: str) -> str:
        base = capwords(name)
        body = self._struct_body(schema, where, base)
        candidate, n = base, 1
        while candidate in self.structs and self.structs[candidate] != body:
            n += 1
            candidate = parent + base if n == 2 else f"{parent}{base}{n}"
        self.structs[candidate] = body
        return candidate

    def _struct_body(self, schema: dict[str, Any], where: str, name: str) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if description := text(schema.get("description") or schema.get("title")):
            body["description"] = description
        required = schema.get("required") if isinstance(schema.get("required"), list) else []
        body["fields"] = self.fields(schema.get("properties") or {}, f"{where}.properties", name, required)
        return body

    def fields(
        self, properties: dict[str, Any], where: str, parent: str, required: list[Any] | None = None
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, sub in properties.items():
            if not re.fullmatch(r"[A-Za-z0-9_]+", key):
                self.dropped.append(f"{where}.{key}: not a wire name: left out")
                continue
            if not isinstance(sub, dict):
                self.problems.add(Code.import_not_api_docs, f"{where}.{key}", "expected a schema object")
                continue
            made = self.field(key, sub, f"{where}.{key}", parent=parent)
            if made is not None:
                if key in (required or []):
                    made["required"] = True
                out[key] = made
        return out

    # -- fields --------------------------------------------------------------------------------
    def field(
        self, name: str, schema: dict[str, Any], where: str, *, style: str | None = None, parent: str = ""
    ) -> dict[str, Any] | None:
        type_name = self.type_of(name, schema, where, parent)
        if type_name is None:
            return None
        f: dict[str, Any] = {"type": type_name}
        if schema.get("required") is True:
            f["required"] = True
        description = str(schema.get("description") or schema.get("title") or "").strip()
        self._style(f, style, type_name)
        self._constraints(f, schema, type_name)
        for key in ("default", "example"):
            if key in schema and schema[key] not in (None, ""):
                raw = schema[key]
                if key == "example":
                    raw = repair.repair(f, name, type_name, description, raw)
                value = coerce(raw, f["type"], self.structs)
                if value is not None and fits(value, f["type"], self.structs, f.get("constraints")):
                    f[key] = value
                    if key == "example" and value != schema[key] and "example" not in f.get("repaired", {}):
                        f.setdefault("repaired", {})[key] = f"the vendor's example {schema[key]!r} converted"
                else:
                    self.dropped.append(
                        f"{where}: the vendor's {key} {schema[key]!r} does not fit the "
                        f"field's type or constraints: left out"
                    )
                    if key == "example":
                        f.pop("format", None)
        if (
            type_name in ("map<string, string>", "string")
            and schema.get("type") in ("object", "any")
            and not schema.get("additionalProperties")
        ):
            f.setdefault("repaired", {})["type"] = f"the vendor's type is a free-form {schema.get('type')}"
        if description:
            f["description"] = {"zh": prose(description)}
            mining.mine(f, description, type_name, lambda v, c: fits(v, type_name, self.structs, c))
        if schema.get("deprecated") is True:
            f["deprecated"] = True
        return {k: f[k] for k in ORDER if k in f}

    def _style(self, f: dict[str, Any], style: str | None, type_name: str) -> None:
        is_list = type_name.startswith("list<")
        scalar = type_name in ("string", "int32", "int64", "double", "boolean")
        if style in ("repeatList", "flat") and is_list:
            f["style"] = "repeatList"
        elif style == "json" and not scalar:
            f["style"] = "json"
        elif style == "simple" and is_list:
            f["type"] = "string"
            f.setdefault("repaired", {})[
                "type"
            ] = f"style simple: a comma-separated {type_name}, sent as one string"
        elif style not in (None, "flat", "repeatList") and style != "simple":
            self.dropped.append(f"the vendor's style {style!r} on {type_name}: sent plain")

    def _constraints(self, f: dict[str, Any], schema: dict[str, Any], type_name: str) -> None:
        c: dict[str, Any] = {}
        head = type_name.split("<")[0]
        for vendor, key in _VENDOR.items():
            if vendor not in schema:
                continue
            value = schema[vendor]
            if vendor.startswith("exclusive") and isinstance(value, bool):
                bound = "minimum" if vendor == "exclusiveMinimum" else "maximum"
                if value and bound in c:
                    c[key] = c.pop(bound)
                continue
            if key != "pattern":
                value = mining.scalar(str(value), "int64" if "length" in key or "items" in key else "double")
            limits = INT_RANGE.get(head)
            if value is None or head not in _APPLIES[key] or limits and not limits[0] <= value <= limits[1]:
                self.dropped.append(f"{vendor} {schema[vendor]!r} does not apply to {type_name}: left out")
                continue
            if key in ("minimum", "maximum") and head in ("int32", "int64") and isinstance(value, float):
                value = int(value)
            c[key] = value
        enum = schema.get("enum")
        if isinstance(enum, list) and enum and head in ("string", "int32", "int64", "double", "boolean"):
            c["enum"] = self._enum(f, enum, schema, type_name)
        if c:
            f["constraints"] = c

    def _enum(self, f: dict[str, Any], enum: list[Any], schema: dict[str, Any], type_name: str) -> list[Any]:
        vendor = schema.get("enumValueTitles")
        titles: dict[str, Any] = vendor if isinstance(vendor, dict) else {}
        bullets = {
            m.group(1).strip(): m.group(0).strip()
            for m in _BULLET.finditer(str(schema.get("description", "")))
        }
        out = []
        for raw in enum:
            value = coerce(raw, type_name, self.structs)
            if value is None:
                self.dropped.append(f"enum value {raw!r} is not a {type_name}: left out")
                continue
            line = bullets.get(str(raw))
            if line is not None:
                zh = _BULLET.match(line).group(2)  # type: ignore[union-attr]
                self.dropped.append(f"enum {raw!r}: description mined from {line!r}")
            elif str(titles.get(str(raw), "")).strip():
                zh = str(titles[str(raw)]).strip()
            else:
                zh = str(raw)
                self.dropped.append(f"enum {raw!r}: no vendor text, the value is its description")
            out.append({"value": value, "description": {"zh": zh}})
        return out

"""JSON Schema (draft 2020-12) of every action's request, response and structs, from the IR.

Two uses: the jsonschema target emits it under generated/schema/ for people and tools, and the
Python target feeds it to datamodel-code-generator, which turns it into the pydantic models.
Vendor extensions carry what JSON Schema has no word for, and reach the models through ``json_schema_extra``:
``x-style`` (wire serialization), ``x-required-when``, ``x-format``, ``x-invalid-error``,
``x-service-default`` (the value the service assumes; never sent by the SDK).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, assert_never

from generator.frontend import ir

EXTRA_KEYS = (
    "x-style",
    "x-required-when",
    "x-format",
    "x-invalid-error",
    "x-service-default",
    "x-deprecated",
)

_SCALARS: dict[ir.Primitive, dict[str, Any]] = {
    ir.Primitive.string: {"type": "string"},
    ir.Primitive.int32: {"type": "integer", "format": "int32"},
    ir.Primitive.int64: {"type": "integer", "format": "int64"},
    ir.Primitive.boolean: {"type": "boolean"},
    ir.Primitive.double: {"type": "number", "format": "double"},
}


NameOf = Callable[[str], str]


@dataclass(frozen=True)
class SchemaNames:
    """How a schema names its definitions (a target's class names) and, optionally, its fields."""

    request: Callable[[str], str] = "{}Request".format  # action name → request definition
    response: Callable[[str], str] = "{}Response".format
    struct: Callable[[str], str] = str  # struct name → definition
    member: NameOf | None = None  # wire name → the target's attribute name, for x-required-when


NEUTRAL = SchemaNames()


def type_schema(t: ir.TypeRef, struct: Callable[[str], str] = str) -> dict[str, Any]:
    match t:
        case ir.Scalar(kind):
            return dict(_SCALARS[kind])
        case ir.ListOf(item):
            return {"type": "array", "items": type_schema(item, struct)}
        case ir.MapOf(value):
            return {"type": "object", "additionalProperties": type_schema(value, struct)}
        case ir.StructRef(name):
            return {"$ref": f"#/$defs/{struct(name)}"}
        case _:
            assert_never(t)


def _description(text: ir.Text) -> str:
    return text.joined("\n\n")


def constraint_keywords(c: ir.Constraints) -> dict[str, Any]:
    """A field's constraints as JSON Schema keywords (``minLength``, ``pattern``, ``enum``...)."""
    out: dict[str, Any] = {}
    for key, value in (
        ("minLength", c.min_length),
        ("maxLength", c.max_length),
        ("minimum", c.minimum),
        ("maximum", c.maximum),
        ("exclusiveMinimum", c.exclusive_minimum),
        ("exclusiveMaximum", c.exclusive_maximum),
        ("pattern", c.pattern),
        ("minItems", c.min_items),
        ("maxItems", c.max_items),
    ):
        if value is not None:
            out[key] = value
    if c.enum:
        out["enum"] = [e.value for e in c.enum]
    return out


def field_schema(f: ir.Field, names: SchemaNames = NEUTRAL) -> dict[str, Any]:
    """The schema of one field, its structs named by ``names`` (a target's naming)."""
    name_of = names.member
    schema = type_schema(f.type, names.struct)
    schema.update(constraint_keywords(f.constraints))
    if "$ref" in schema and len(schema) > 1:
        schema = {"allOf": [{"$ref": schema.pop("$ref")}], **schema}
    schema["description"] = _description(f.description)
    if f.example is not None:
        schema["examples"] = [f.example]
    if f.style is not ir.Style.plain:
        schema["x-style"] = f.style.value
    if f.required_when is not None:
        w = f.required_when
        cond: dict[str, Any] = {"parameter": w.parameter, "enforced": w.enforced}
        if name_of is not None:
            cond["py_name"] = name_of(w.parameter)
        for key in ("present", "equals", "pattern"):
            if getattr(w, key) is not None:
                cond[key] = getattr(w, key)
        schema["x-required-when"] = cond
    if f.format is not None:
        schema["x-format"] = f.format
    if f.invalid_error is not None:
        schema["x-invalid-error"] = f.invalid_error
    if f.default is not None:
        schema["x-service-default"] = f.default
    if f.deprecated:
        schema["deprecated"] = True
        schema["x-deprecated"] = True
    return schema


def object_schema(
    title: str, description: str, fields: tuple[ir.Field, ...], *, closed: bool, names: SchemaNames = NEUTRAL
) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "title": title,
        "description": description,
        "properties": {f.wire_name: field_schema(f, names) for f in fields},
    }
    required = [f.wire_name for f in fields if f.required]
    if required:
        schema["required"] = required
    if closed:
        schema["additionalProperties"] = False
    return schema


def action_schema(action: ir.Action, names: SchemaNames = NEUTRAL) -> dict[str, Any]:
    """One document with the request, the response and the structs under ``$defs``."""
    request = names.request(action.name)
    response = names.response(action.name)
    defs: dict[str, Any] = {
        request: object_schema(request, _description(action.summary), action.parameters, closed=True,
                               names=names),  # fmt: skip
    }
    sent = request_structs(action)
    for struct in action.structs:
        cls = names.struct(struct.name)
        defs[cls] = object_schema(
            cls, _description(struct.description), struct.fields, closed=struct.name in sent, names=names
        )
    defs[response] = object_schema(
        response, f"The answer of {action.name}.", action.response.fields, closed=False, names=names
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{action.name}.json",
        "$ref": f"#/$defs/{request}",
        "$defs": defs,
    }


def request_structs(action: ir.Action) -> set[str]:
    """Names of the structs a request can carry: those reject unknown keys."""
    by_name = {s.name: s for s in action.structs}
    found: set[str] = set()

    def visit(t: ir.TypeRef) -> None:
        match t:
            case ir.Scalar():
                pass
            case ir.ListOf(item):
                visit(item)
            case ir.MapOf(value):
                visit(value)
            case ir.StructRef(name):
                if name not in found:
                    found.add(name)
                    for f in by_name[name].fields:
                        visit(f.type)
            case _:
                assert_never(t)

    for p in action.parameters:
        visit(p.type)
    return found

"""Build stage: checked ``*Spec`` objects in, the frozen IR (``ir.Api``) out.

Runs only after ``check`` found no error, so every reference resolves. Names come from
``naming``; nothing else decides a name. Order is kept as written in the specs (parameters) or
sorted (actions, error codes), so output is deterministic.
"""

from __future__ import annotations

from . import ir, naming
from .parse import ParsedSpecs
from .spec import ActionSpec, ConditionSpec, ConstraintsSpec, ErrorsSpec, FieldSpec, ProductSpec, TextSpec
from .types import PRIMITIVES, TypeExpr, parse_type


def build(parsed: ParsedSpecs) -> ir.Api:
    assert parsed.product is not None and parsed.errors is not None
    product = _product(parsed.product[0])
    errors = _errors(parsed.errors[0])
    actions = sorted((_action(spec, doc.path) for spec, doc in parsed.actions), key=lambda a: a.name)
    return ir.Api(product, tuple(actions), errors)


def _text(t: TextSpec) -> ir.Text:
    return ir.Text(zh=t.zh.strip(), en=t.en.strip())


def _product(p: ProductSpec) -> ir.Product:
    py = p.sdk.targets.python
    return ir.Product(
        code=p.product,
        api_version=p.api_version,
        title=_text(p.title),
        style=p.style,
        protocol=p.protocol,
        method=p.method,
        endpoints=ir.Endpoints(p.endpoints.default, p.endpoints.vpc, tuple(sorted(p.endpoints.regional.items()))),
        signing_default=p.signing.default,
        signing_schemes=tuple(p.signing.schemes),
        sdk_version=p.sdk.version,
        python=ir.PythonTarget(py.package, py.distribution, py.requires_python),
    )


def _errors(e: ErrorsSpec) -> tuple[ir.ErrorCode, ...]:
    return tuple(
        ir.ErrorCode(
            code=code,
            http_status=s.http_status,
            category=ir.Category(s.category.value),
            retryable=s.retryable,
            source=s.source,
            class_name=s.exception,
            pattern=s.pattern,
            message=s.message,
            description=_text(s.description),
        )
        for code, s in sorted(e.errors.items())
    )


def _action(a: ActionSpec, source: str) -> ir.Action:
    def fields(specs: dict[str, FieldSpec]) -> tuple[ir.Field, ...]:
        return tuple(_field(wire, f, specs) for wire, f in specs.items())

    return ir.Action(
        name=a.action,
        method_name=naming.method_name(a.action),
        module_name=naming.module_name(a.action),
        request_class=naming.request_class(a.action),
        summary=_text(a.summary),
        description=_text(a.description),
        group=_text(a.group),
        idempotent=a.idempotent,
        deprecated=a.deprecated,
        deprecation=_text(a.deprecation) if a.deprecation else None,
        qps_limit=a.qps_limit,
        role=a.role,
        parameters=fields(a.parameters),
        structs=tuple(
            ir.Struct(name, naming.class_name(name), _text(s.description), fields(s.fields))
            for name, s in a.structs.items()
        ),
        response=ir.Response(
            class_name=naming.response_class(a.action),
            fields=fields(a.response.fields),
            example_json=a.response.examples.json_,
            example_xml=a.response.examples.xml,
        ),
        errors=tuple(a.errors),
        source=source,
    )


def _field(wire: str, f: FieldSpec, siblings: dict[str, FieldSpec]) -> ir.Field:
    return ir.Field(
        wire_name=wire,
        py_name=naming.py_name(wire),
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
    )


def type_ref(expr: TypeExpr) -> ir.TypeRef:
    if expr.name in PRIMITIVES:
        return ir.Scalar(ir.Primitive(expr.name))
    if expr.name == "list":
        return ir.ListOf(type_ref(expr.args[0]))
    if expr.name == "map":
        return ir.MapOf(type_ref(expr.args[1]))
    return ir.StructRef(expr.name, naming.class_name(expr.name))


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
        py_name=naming.py_name(c.parameter),
        present=c.present,
        equals=c.equals,
        pattern=c.pattern,
        enforced=c.enforced,
        note=_text(c.note) if c.note else None,
    )

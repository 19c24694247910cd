"""The Python target: the IR → the files of the publishable ``dyvmsapi`` package.

- models: one module per action, by datamodel-code-generator from ``jsonschema.action_schema``
  (in-process, pinned), with our base class and the wire names as aliases;
- the rest from Jinja templates (templates/python/*.jinja) fed with ``PythonView`` objects, in
  which every annotation and docstring line is already decided;
- runtime modules (templates/python/runtime/*.py) copied as they are.

Returns ``{path relative to generated/: text}``, unformatted; the caller formats and writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import assert_never

import datamodel_code_generator as dmcg

from .. import ir
from ..render import Renderer
from . import jsonschema
from ._text import constraint_text

_ANNOTATIONS = {
    ir.Primitive.string: "str",
    ir.Primitive.int32: "int",
    ir.Primitive.int64: "int",
    ir.Primitive.boolean: "bool",
    ir.Primitive.double: "float",
}


def annotation(t: ir.TypeRef, module: str) -> str:
    """The Python annotation of a type, structs qualified by their module alias."""
    match t:
        case ir.Scalar(kind):
            return _ANNOTATIONS[kind]
        case ir.ListOf(item):
            return f"list[{annotation(item, module)}]"
        case ir.MapOf(value):
            return f"dict[str, {annotation(value, module)}]"
        case ir.StructRef(_, class_name):
            return f"{module}.{class_name}"
        case _:
            assert_never(t)


@dataclass(frozen=True)
class PyParam:
    name: str
    annotation: str
    required: bool
    doc: str


@dataclass(frozen=True)
class PyError:
    code: str
    class_name: str
    base: str
    http_status: int
    retryable: bool
    pattern: str | None
    doc: str


@dataclass(frozen=True)
class PyAction:
    action: ir.Action
    alias: str  # the module alias used in annotations: _m.<module>
    params: tuple[PyParam, ...]
    errors: tuple[PyError, ...]


@dataclass(frozen=True)
class PythonView:
    api: ir.Api
    package: str
    actions: tuple[PyAction, ...]
    errors: tuple[PyError, ...]
    exports: tuple[str, ...]
    model_exports: tuple[tuple[str, str], ...]  # (class name, module)


_BASES = {
    ir.Category.client: "ClientError",
    ir.Category.server: "ServerError",
    ir.Category.throttling: "ThrottlingError",
}


def _error(e: ir.ErrorCode) -> PyError:
    assert e.class_name is not None
    return PyError(e.code, e.class_name, _BASES[e.category], e.http_status, e.retryable, e.pattern,
                   f"{e.description.en} {e.description.zh}")


def _param(f: ir.Field, alias: str) -> PyParam:
    doc = f.description.en
    if f.deprecated:
        doc = "Deprecated." + (f" {f.deprecation.en}" if f.deprecation is not None else "") + " " + doc
    extra = constraint_text(f)
    if extra:
        doc += f" ({extra})"
    return PyParam(f.py_name, annotation(f.type, alias), f.required, doc)


def view(api: ir.Api) -> PythonView:
    errors = tuple(_error(e) for e in api.errors if e.class_name is not None)
    by_code = {e.code: e for e in errors}
    actions = []
    for a in api.actions:
        alias = f"_{a.module_name}"
        params = sorted((_param(f, alias) for f in a.parameters), key=lambda p: not p.required)
        actions.append(PyAction(a, alias, tuple(params), tuple(by_code[c] for c in a.errors if c in by_code)))
    names: dict[str, list[str]] = {}
    for a in api.actions:
        for cls in (a.request_class, a.response.class_name, *(s.class_name for s in a.structs)):
            names.setdefault(cls, []).append(a.module_name)
    model_exports = tuple(sorted((cls, mods[0]) for cls, mods in names.items() if len(mods) == 1))
    core = ["AsyncClient", "Client", "RetryPolicy", "Credentials", "DyvmsapiError", "ClientError",
            "ServerError", "ThrottlingError", "NetworkError", "ConnectionFailedError", "RequestTimeoutError",
            "InvalidResponseError", "CredentialsError", "error_class", "__version__"]
    exports = tuple(sorted({*core, *(e.class_name for e in errors)}))
    return PythonView(api, api.product.python.package, tuple(actions), errors, exports, model_exports)


def models_module(action: ir.Action, package: str, header: str) -> str:
    """datamodel-code-generator's pydantic v2 models of one action."""
    schema = jsonschema.action_schema(action)
    aliases = {}
    for fields in (action.parameters, action.response.fields, *(s.fields for s in action.structs)):
        for f in fields:
            aliases[f.wire_name] = f.py_name
    out = dmcg.generate(
        schema,
        input_file_type=dmcg.InputFileType.JsonSchema,
        output_model_type=dmcg.DataModelType.PydanticV2BaseModel,
        target_python_version=dmcg.PythonVersion.PY_311,
        class_name=action.request_class,
        base_class=f"{package}._model.Model",
        aliases=aliases,
        field_constraints=True,
        field_extra_keys=set(jsonschema.EXTRA_KEYS),
        use_annotated=True,
        use_field_description=True,
        use_schema_description=True,
        use_standard_collections=True,
        use_union_operator=True,
        use_double_quotes=True,
        enum_field_as_literal=dmcg.LiteralType.All,
        allow_population_by_field_name=True,
        disable_timestamp=True,
        formatters=[],
        custom_file_header=header,
    )
    assert isinstance(out, str)
    return out


def render_python(api: ir.Api, renderer: Renderer, runtime: Path) -> dict[str, str]:
    v = view(api)
    src = f"python/src/{v.package}"
    files: dict[str, str] = {}
    for action in api.actions:
        files[f"{src}/models/{action.module_name}.py"] = models_module(action, v.package, renderer.header("#"))
    for path in sorted(runtime.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        rel = path.relative_to(runtime).as_posix()
        files[f"{src}/{rel}"] = renderer.header("#") + "\n" + path.read_text(encoding="utf-8")
    for template, target in (
        ("python/_meta.py.jinja", f"{src}/_meta.py"),
        ("python/_errors.py.jinja", f"{src}/_errors.py"),
        ("python/_client.py.jinja", f"{src}/_client.py"),
        ("python/__init__.py.jinja", f"{src}/__init__.py"),
        ("python/models__init__.py.jinja", f"{src}/models/__init__.py"),
        ("python/testing_service.py.jinja", f"{src}/testing/_service.py"),
        ("python/pyproject.toml.jinja", "python/pyproject.toml"),
        ("python/README.md.jinja", "python/README.md"),
    ):
        files[target] = renderer.render(template, v=v, api=api, service=service_description(api))
    files[f"{src}/py.typed"] = ""
    for action in api.actions:
        files[f"schema/{action.name}.json"] = json.dumps(
            {"$comment": renderer.header_text, **jsonschema.action_schema(action)}, indent=2, ensure_ascii=False
        ) + "\n"
    files.update(changelog_file(api, renderer))
    return files


def changelog_file(api: ir.Api, renderer: Renderer) -> dict[str, str]:
    """``python/CHANGELOG.md``: the release notes of specs/.release/CHANGELOG.md, when there are any."""
    if api.changelog is None:
        return {}
    return {"python/CHANGELOG.md": renderer.header("<!--") + "\n\n" + api.changelog}




def service_description(api: ir.Api) -> dict[str, object]:
    """What the emulator needs to know of the service, as plain data (see testing/_service.py)."""
    return {
        "product": api.product.code,
        "version": api.product.api_version,
        "actions": {
            a.name: {
                "idempotent": a.idempotent,
                "role": a.role,
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

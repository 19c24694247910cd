"""The Python target's view of the IR: every Python name, annotation and docstring line decided.

Templates under templates/python/ read only these objects (and the IR's texts): they never change
case or compute a rule. Names come from ``naming``, the target's naming policy.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import assert_never

from generator.frontend import ir
from generator.targets.common.text import constraint_text
from generator.targets.python import naming

_ANNOTATIONS = {
    ir.Primitive.string: "str",
    ir.Primitive.int32: "int",
    ir.Primitive.int64: "int",
    ir.Primitive.boolean: "bool",
    ir.Primitive.double: "float",
}

# What the package exports besides the actions' error classes (the root error is added by name).
_CORE_EXPORTS = (
    "AsyncClient", "Client", "RetryPolicy", "Credentials", "ClientError", "ServerError",
    "ThrottlingError", "NetworkError", "ConnectionFailedError", "RequestTimeoutError",
    "InvalidResponseError", "CredentialsError", "InvalidArgumentError", "RawResponse", "error_class",
    "__version__",
)  # fmt: skip
LAZY_EXPORTS = (
    "AsyncClient",
    "Client",
    "Credentials",
    "RawResponse",
    "RetryPolicy",
    "__version__",
)  # not from _errors


def annotation(t: ir.TypeRef, module: str) -> str:
    """The Python annotation of a type, structs qualified by their module alias."""
    match t:
        case ir.Scalar(kind):
            return _ANNOTATIONS[kind]
        case ir.ListOf(item):
            return f"list[{annotation(item, module)}]"
        case ir.MapOf(value):
            return f"dict[str, {annotation(value, module)}]"
        case ir.StructRef(name):
            return f"{module}.{naming.class_name(name)}"
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
    method: str  # the client method: single_call_by_tts
    module: str  # the models module: single_call_by_tts
    alias: str  # the models module's alias in the method's module, for struct annotations
    request_class: str
    response_class: str
    params: tuple[PyParam, ...]
    response_fields: tuple[str, ...]  # the response model's attribute names
    errors: tuple[PyError, ...]
    paging: PyPaging | None = None  # the iterators of a paginated action

    @property
    def struct_annotations(self) -> bool:
        """Whether a parameter's or an item's annotation names one of the action's structs (via ``alias``)."""
        item = (self.paging.item_annotation,) if self.paging is not None else ()
        return any(f"{self.alias}." in text for text in (*(p.annotation for p in self.params), *item))


_ITERATOR_ARGUMENTS = (
    "It takes the arguments of ``{m}`` but ``{p}``: they are checked when it is called, and a page's "
    "errors are raised when the page is asked for."
)


@dataclass(frozen=True)
class PyPaging:
    """A paginated action's iterators, ``<method>_pages`` and ``<method>_items``, and the
    ``Paging`` (templates/python/runtime/_pagination.py) they walk the pages with."""

    pages_method: str
    items_method: str
    style: str  # page, token
    parameter: str  # the request attribute the iteration sets: not an argument of the iterators
    first_page: int
    items: tuple[str, ...]  # attribute path from the response to the page's list
    total: tuple[str, ...] | None
    next: tuple[str, ...] | None
    item_annotation: str
    item_doc: str  # the item's type as the docstrings name it
    params: tuple[PyParam, ...]  # the iterators' arguments: the action's but ``parameter``
    about: tuple[str, ...]  # how the pages are asked for and when it ends: the docstrings' lines

    @staticmethod
    def of(p: ir.Pagination, action: str, params: tuple[PyParam, ...], alias: str) -> PyPaging:
        method, parameter = naming.method(action), naming.attribute(p.parameter)
        items = tuple(map(naming.attribute, p.items))
        total = tuple(map(naming.attribute, p.total)) if p.total is not None else None
        first_page, next_path = 1, None
        ends = ["a page holds no items"]
        if total is not None:
            ends.append(f"the items reach ``{'.'.join(total)}``")
        match p.by:
            case ir.PageNumbers(first=first):
                style, first_page = "page", first
                walk = f"The iteration sets ``{parameter}``, from {first} up."
            case ir.Tokens(next=path):
                style, next_path = "token", tuple(map(naming.attribute, path))
                walk = (
                    f"The iteration sets ``{parameter}``: none for the first page, then the "
                    f"``{'.'.join(next_path)}`` of the page before."
                )
                ends.append("an answer gives no next token (or one it gave before)")
            case _:
                assert_never(p.by)
        stops = (
            f"It ends when {', '.join(ends[:-1])} or {ends[-1]}."
            if len(ends) > 1
            else f"It ends when {ends[0]}."
        )
        return PyPaging(
            pages_method=naming.pages_method(action),
            items_method=naming.items_method(action),
            style=style,
            parameter=parameter,
            first_page=first_page,
            items=items,
            total=total,
            next=next_path,
            item_annotation=annotation(p.item, alias),
            item_doc=annotation(p.item, alias).replace(f"{alias}.", ""),
            params=tuple(q for q in params if q.name != parameter),
            about=tuple(
                textwrap.wrap(f"{walk} {stops} {_ITERATOR_ARGUMENTS.format(m=method, p=parameter)}", 92)
            ),
        )


@dataclass(frozen=True)
class PythonView:
    api: ir.Api
    package: str
    distribution: str
    requires_python: str
    root_error: str  # <Product>Error
    env_endpoint: str  # <PRODUCT>_ENDPOINT
    actions: tuple[PyAction, ...]
    errors: tuple[PyError, ...]
    exports: tuple[str, ...]
    error_exports: tuple[str, ...]  # the exports that _errors defines
    model_exports: tuple[tuple[str, str], ...]  # (class name, module)


_BASES = {
    ir.Category.client: "ClientError",
    ir.Category.server: "ServerError",
    ir.Category.throttling: "ThrottlingError",
}


def _error(e: ir.ErrorCode) -> PyError:
    assert e.exception is not None
    return PyError(e.code, e.exception, _BASES[e.category], e.http_status, e.retryable, e.pattern,
                   e.description.joined(" "))  # fmt: skip


def _one_line(f: ir.Field, text: str) -> str:
    """``text`` then the field's constraints in words, on one line whatever the text's layout."""
    extra = constraint_text(f, naming.attribute)
    return " ".join((f"{text} ({extra})" if extra else text).split())


def _param(f: ir.Field, alias: str) -> PyParam:
    doc = f.description.short
    if f.deprecated:
        doc = "Deprecated." + (f" {f.deprecation.short}" if f.deprecation is not None else "") + " " + doc
    return PyParam(naming.attribute(f.wire_name), annotation(f.type, alias), f.required, _one_line(f, doc))


def py_errors(api: ir.Api) -> tuple[PyError, ...]:
    """The error codes that have a class of their own."""
    return tuple(_error(e) for e in api.errors if e.exception is not None)


def py_action(a: ir.Action, by_code: dict[str, PyError]) -> PyAction:
    module = naming.module(a.name)
    alias = "_models"
    params = sorted((_param(f, alias) for f in a.parameters), key=lambda p: not p.required)
    return PyAction(
        action=a,
        method=naming.method(a.name),
        module=module,
        alias=alias,
        request_class=naming.request_class(a.name),
        response_class=naming.response_class(a.name),
        params=tuple(params),
        response_fields=tuple(naming.attribute(f.wire_name) for f in a.response.fields),
        errors=tuple(by_code[c] for c in a.errors if c in by_code),
        paging=PyPaging.of(a.pagination, a.name, tuple(params), alias) if a.pagination is not None else None,
    )


def model_classes(a: ir.Action) -> tuple[str, ...]:
    """The classes an action's models module defines: request, response, structs."""
    return (
        naming.request_class(a.name),
        naming.response_class(a.name),
        *(naming.class_name(s.name) for s in a.structs),
    )


def view(api: ir.Api) -> PythonView:
    package = api.product.package("python")
    assert package is not None, "check() reports a product without sdk.targets.python"
    errors = py_errors(api)
    by_code = {e.code: e for e in errors}
    actions = tuple(py_action(a, by_code) for a in api.actions)
    modules: dict[str, list[str]] = {}
    for a in actions:
        for cls in model_classes(a.action):
            modules.setdefault(cls, []).append(a.module)
    model_exports = tuple(sorted((cls, mods[0]) for cls, mods in modules.items() if len(mods) == 1))
    root = naming.root_error(api.product.code)
    exports = tuple(sorted({*_CORE_EXPORTS, root, *(e.class_name for e in errors)}))
    return PythonView(
        api=api,
        package=package.package,
        distribution=package.distribution,
        requires_python=package.requires or ">=3.11",
        root_error=root,
        env_endpoint=naming.env_endpoint(api.product.code),
        actions=actions,
        errors=errors,
        exports=exports,
        error_exports=tuple(name for name in exports if name not in LAZY_EXPORTS),
        model_exports=model_exports,
    )


_READERS = {
    ir.Primitive.string: ("str", "as_str"),
    ir.Primitive.int32: ("int", "as_int"),
    ir.Primitive.int64: ("int", "as_int"),
    ir.Primitive.boolean: ("bool", "as_bool"),
    ir.Primitive.double: ("float", "as_float"),
}


@dataclass(frozen=True)
class PyReceiptField:
    name: str
    wire: str
    annotation: str
    reader: str  # the runtime function that reads the value tolerantly
    doc: str


def receipt_field(f: ir.Field) -> PyReceiptField:
    assert isinstance(f.type, ir.Scalar), "check() allows scalar receipt fields only"
    annotation, reader = _READERS[f.type.kind]
    doc = _one_line(f, f.description.joined(" "))
    return PyReceiptField(naming.attribute(f.wire_name), f.wire_name, annotation, reader, doc)

"""The Python target's name checks: what the specs would make collide or shadow in Python.

Each finding is a located diagnostic (``name-collision``) at the spec position of the name that
comes second, so ``sdkgen validate`` reports it like any spec error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from generator.frontend import ir
from generator.frontend.diagnostics import Code, Diagnostic
from generator.targets.python import naming


def _at(where: ir.Where, message: str, hint: str) -> Diagnostic:
    return Diagnostic(where.path, where.line, where.column, Code.name_collision, message, hint)


def check_names(api: ir.Api) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    if api.product.package("python") is None:
        return out  # the product publishes no Python package: nothing to name
    out += _unique(
        ((a.name, naming.method(a.name), a.where) for a in api.actions),
        lambda first, second, name: f"actions '{first}' and '{second}' both become the Python method "
        f"'{name}'",
        "rename one of the actions",
    )
    for a in api.actions:
        method = naming.method(a.name)
        if method in naming.RESERVED_CLIENT_MEMBERS:
            message = f"action '{a.name}' becomes the Python method '{method}', which the client already has"
            out.append(_at(a.where, message, "rename the action"))
        for fields in (a.parameters, a.response.fields, *(s.fields for s in a.structs)):
            out += _unique(
                ((f.wire_name, naming.attribute(f.wire_name), f.where) for f in fields),
                lambda first, second, name: f"'{first}' and '{second}' both become the Python name '{name}'",
                "rename one of them; Python names must be unique",
            )
        out += _struct_classes(a)
    out += _error_classes(api)
    return sorted(out)


def _unique(
    names: Iterable[tuple[str, str, ir.Where]], message: Callable[[str, str, str], str], hint: str
) -> list[Diagnostic]:
    seen: dict[str, str] = {}
    out = []
    for wire, name, where in names:
        if name in seen:
            out.append(_at(where, message(seen[name], wire, name), hint))
        seen.setdefault(name, wire)
    return out


def _struct_classes(a: ir.Action) -> list[Diagnostic]:
    taken = {naming.request_class(a.name): "the request", naming.response_class(a.name): "the response"}
    out = []
    for s in a.structs:
        cls = naming.class_name(s.name)
        if cls in taken:
            message = f"struct '{s.name}' becomes the class '{cls}', already used by {taken[cls]}"
            out.append(_at(s.where, message, "rename the struct"))
        taken.setdefault(cls, f"struct '{s.name}'")
    return out


def _error_classes(api: ir.Api) -> list[Diagnostic]:
    own = naming.RUNTIME_ERROR_CLASSES | {naming.root_error(api.product.code)}
    out = []
    for e in api.errors:
        if e.exception is None:
            continue
        if e.exception in naming.BUILTIN_NAMES or e.exception in own:
            what = "Python's builtin" if e.exception in naming.BUILTIN_NAMES else "the SDK's own class"
            out.append(_at(e.where, f"exception class '{e.exception}' would shadow {what} of that name",
                           f"choose another name, such as 'Service{e.exception}'"))  # fmt: skip
    return out

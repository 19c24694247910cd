"""The Python target's name checks: what the specs would make collide or shadow in Python.

Each finding is a located diagnostic (``name-collision``) at the spec position of the name that
comes second, so ``sdkgen validate`` reports it like any spec error.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Iterable

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from generator.frontend import ir
from generator.frontend.diagnostics import Code, Diagnostic
from generator.targets.common.product import receipt_collisions
from generator.targets.common.text import iterator_collisions
from generator.targets.python import naming


def _at(where: ir.Where, message: str, hint: str) -> Diagnostic:
    return Diagnostic(where.path, where.line, where.column, Code.name_collision, message, hint)


# PEP 508 / core metadata: what a distribution may be called on PyPI.
_DISTRIBUTION = re.compile(r"^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$")
_PACKAGE = re.compile(r"^[a-z_][a-z0-9_]*$")


def check_package(package: ir.Package) -> list[Diagnostic]:
    """The import name, distribution name and Python requirement of ``sdk.targets.python``."""
    out = []
    name = package.package
    if not _PACKAGE.fullmatch(name) or keyword.iskeyword(name) or keyword.issoftkeyword(name):
        out.append(
            Diagnostic(
                *_xyz(package.where("package")),
                Code.invalid_value,
                f"'{name}' cannot be a Python import name",
                f"use lowercase letters, digits and underscores, not starting with a digit and not a "
                f"keyword, e.g. '{_suggest(name)}'",
            )
        )
    if not _DISTRIBUTION.fullmatch(package.distribution):
        out.append(
            Diagnostic(
                *_xyz(package.where("distribution")),
                Code.invalid_value,
                f"'{package.distribution}' is not a valid distribution name for PyPI",
                "use letters, digits, '.', '-' and '_', starting and ending with a letter or digit",
            )
        )
    try:
        SpecifierSet(package.requires or "")
    except InvalidSpecifier:
        out.append(
            Diagnostic(
                *_xyz(package.where("requires_python")),
                Code.invalid_value,
                f"requires_python '{package.requires}' is not a version specifier",
                "write it as pip does, e.g. '>=3.11'",
            )
        )
    return out


def _xyz(where: ir.Where) -> tuple[str, int, int]:
    return where.path, where.line, where.column


def _suggest(name: str) -> str:
    cleaned = re.sub(r"[^a-z0-9_]", "_", name.lower()).strip("_") or "sdk"
    if cleaned[0].isdigit():
        cleaned = "n" + cleaned
    return cleaned + "_" if keyword.iskeyword(cleaned) else cleaned


def check_names(api: ir.Api) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    package = api.product.package("python")
    if package is None:
        return out  # the product publishes no Python package: nothing to name
    out += check_package(package)
    out += _unique(
        ((a.name, naming.method(a.name), a.where) for a in api.actions),
        lambda first, second, name: f"actions '{first}' and '{second}' both become the Python method "
        f"'{name}'",
        "rename one of the actions",
    )
    out += _iterators(api)
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
    out += _receipts(api)
    return sorted(out)


def _receipts(api: ir.Api) -> list[Diagnostic]:
    """Receipt models live in ``<package>.receipts`` beside the names it imports and exports; a
    receipt's attributes must be unique and leave ``raw`` to the message as it came."""
    taken = {name: "a name of the receipts module" for name in naming.RECEIPT_MODULE_NAMES}
    members = {"raw": "the message as it came (Receipt.raw)"}
    found = receipt_collisions(api, naming.class_name, naming.attribute, taken, members, "Python")
    return [_at(where, message, hint) for where, message, hint in found]


def _iterators(api: ir.Api) -> list[Diagnostic]:
    """A paginated action's iterators against every action's method and the client's own members."""
    found = iterator_collisions(
        api, naming.method, naming.pages_method, naming.items_method, naming.RESERVED_CLIENT_MEMBERS, "Python"
    )
    return [_at(where, message, hint) for where, message, hint in found]


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

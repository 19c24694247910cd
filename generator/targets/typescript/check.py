"""The TypeScript target's name checks: what the specs would make collide or shadow in TypeScript.

Each finding is a located diagnostic (``name-collision``, or ``invalid-value`` for the package
names) at the spec position of the name that comes second, so ``sdkgen validate`` reports it like
any spec error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from generator.frontend import ir
from generator.frontend.diagnostics import Code, Diagnostic
from generator.targets.common.product import receipt_collisions
from generator.targets.common.text import iterator_collisions
from generator.targets.typescript import naming

# What npm accepts as a package name: lowercase, an optional @scope/, URL-safe characters.
_NPM_NAME = re.compile(r"^(@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*$")


def _at(where: ir.Where, message: str, hint: str, code: Code = Code.name_collision) -> Diagnostic:
    return Diagnostic(where.path, where.line, where.column, code, message, hint)


def check_package(package: ir.Package) -> list[Diagnostic]:
    """The npm name of ``sdk.targets.typescript`` (``distribution``)."""
    name = package.distribution
    if _NPM_NAME.fullmatch(name) and len(name) <= 214:
        return []
    return [
        _at(
            package.where("distribution"),
            f"'{name}' is not a valid npm package name",
            "use lowercase letters, digits, '-', '.' and '_', with an optional '@scope/', e.g. '@acme/sdk'",
            Code.invalid_value,
        )
    ]


def _unique(
    names: Iterable[tuple[str, str, ir.Where]], message: Callable[[str, str, str], str], hint: str
) -> list[Diagnostic]:
    seen: dict[str, str] = {}
    out = []
    for source, name, where in names:
        if name in seen:
            out.append(_at(where, message(seen[name], source, name), hint))
        seen.setdefault(name, source)
    return out


def check_names(api: ir.Api) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    package = api.product.package("typescript")
    if package is None:
        return out  # the product publishes no npm package: nothing to name
    out += check_package(package)
    out += _unique(
        ((a.name, naming.method(a.name), a.where) for a in api.actions),
        lambda first, second, name: f"actions '{first}' and '{second}' both become the TypeScript method "
        f"'{name}'",
        "rename one of the actions",
    )
    for a in api.actions:
        method = naming.method(a.name)
        if method in naming.RESERVED_CLIENT_MEMBERS:
            message = (
                f"action '{a.name}' becomes the TypeScript method '{method}', which the client already has"
            )
            out.append(_at(a.where, message, "rename the action"))
        for fields in (a.parameters, a.response.fields, *(s.fields for s in a.structs)):
            out += _unique(
                ((f.wire_name, naming.member(f.wire_name), f.where) for f in fields),
                lambda first, second, name: f"'{first}' and '{second}' both become the TypeScript member "
                f"'{name}'",
                "rename one of them; TypeScript members must be unique",
            )
    out += _types(api)
    out += _error_classes(api)
    out += _iterators(api)
    out += _receipts(api)
    return sorted(out)


def _receipts(api: ir.Api) -> list[Diagnostic]:
    """Receipt types share src/index.ts's namespace with every other type and the receipts module's
    own names; a receipt's members must be unique and leave ``raw`` to the message as it came."""
    taken = {name: "the SDK's own type" for name in naming.RUNTIME_TYPES | naming.RECEIPT_NAMES}
    taken[naming.root_error(api.product.code)] = "the root error class"
    for a in api.actions:
        taken[naming.request_type(a.name)] = f"the request of '{a.name}'"
        taken[naming.response_type(a.name)] = f"the response of '{a.name}'"
        taken.update((naming.type_name(s.name), f"struct '{s.name}' of '{a.name}'") for s in a.structs)
    taken.update(
        (e.exception, f"the error class of '{e.code}'") for e in api.errors if e.exception is not None
    )
    members = {"raw": "the message as it came (Receipt.raw)"}
    found = receipt_collisions(api, naming.type_name, naming.member, taken, members, "TypeScript")
    return [_at(where, message, hint) for where, message, hint in found]


def _types(api: ir.Api) -> list[Diagnostic]:
    """Every exported type: requests, responses and structs share the package's one namespace
    (src/index.ts exports them all), with the runtime's own types and the error classes."""
    taken: dict[str, str] = {name: "the SDK's own type" for name in _own_types(api)}
    taken[naming.root_error(api.product.code)] = "the root error class"
    for e in api.errors:
        if e.exception is not None:
            taken.setdefault(e.exception, f"the error class of '{e.code}'")
    out = []
    for a in api.actions:
        for name, what, where in (
            (naming.request_type(a.name), f"the request of '{a.name}'", a.where),
            (naming.response_type(a.name), f"the response of '{a.name}'", a.where),
        ):
            if name in taken:
                out.append(
                    _at(
                        where, f"{what} becomes the type '{name}', already {taken[name]}", "rename the action"
                    )
                )
            taken.setdefault(name, what)
        for s in a.structs:
            name = naming.type_name(s.name)
            what = f"struct '{s.name}' of '{a.name}'"
            if name in taken and not taken[name].startswith("struct "):
                out.append(
                    _at(
                        s.where,
                        f"{what} becomes the type '{name}', already {taken[name]}",
                        "rename the struct",
                    )
                )
            taken.setdefault(name, what)
    return out


def _own_types(api: ir.Api) -> frozenset[str]:
    """What the package exports besides the specs' types: the receipts' names when it has receipts."""
    return naming.RUNTIME_TYPES | (naming.RECEIPT_NAMES if api.product.receipts is not None else frozenset())


def _error_classes(api: ir.Api) -> list[Diagnostic]:
    own = _own_types(api) | {naming.root_error(api.product.code)}
    out = []
    for e in api.errors:
        if e.exception is not None and e.exception in own:
            message = f"error class '{e.exception}' would shadow the SDK's own class of that name"
            out.append(_at(e.where, message, f"choose another name, such as 'Service{e.exception}'"))
    return out


def _iterators(api: ir.Api) -> list[Diagnostic]:
    """A paginated action's iterators against every action's method and the client's own members."""
    found = iterator_collisions(
        api,
        naming.method,
        naming.pages_method,
        naming.items_method,
        naming.RESERVED_CLIENT_MEMBERS,
        "TypeScript",
    )
    return [_at(where, message, hint) for where, message, hint in found]

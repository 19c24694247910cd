"""The runnable Python code samples: one sync and one async program per action.

Each sample calls its action with the spec's examples (``_wire.sample_fields``: the same values
the docs show on the wire), reads credentials and the endpoint from the environment through the
client's defaults, prints the response and handles the SDK's root error. Each sample makes one
request, so the docs can show exactly what it sends; a reader replaces the example values.

Pure: IR in, ``{path: text}`` out, unformatted (the engine formats them, and fills each page
that embeds a sample with its final bytes). Templates: templates/python/samples/.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, assert_never

from generator.frontend import ir
from generator.output.render import Renderer
from generator.targets.common import receipts as _receipts
from generator.targets.common import wire as _wire
from generator.targets.python import naming

SAMPLES_DIR = "samples/python"
ENVELOPE = ("RequestId", "Code", "Message")  # what every RPC answer carries
GUIDE = ("handle_errors", "retries", "with_emulator")  # the getting-started guide's programs


@dataclass(frozen=True)
class Sample:
    action: ir.Action
    method: str
    package: str
    file_name: str
    is_async: bool
    client: str
    root_error: str
    env_endpoint: str
    imports: tuple[str, ...]  # "from <package>.models.<module> import <Struct>"
    arguments: tuple[tuple[str, str], ...]  # (Python name, Python expression)

    @property
    def path(self) -> str:
        return f"{SAMPLES_DIR}/{self.file_name}"


def file_name(action: ir.Action, is_async: bool) -> str:
    module = naming.module(action.name)
    return f"{module}_async.py" if is_async else f"{module}.py"


def literal(value: Any, t: ir.TypeRef, structs: dict[str, ir.Struct], used: set[str]) -> str:
    """The Python expression of an example value; struct values become model constructors."""
    match t:
        case ir.Scalar(kind):
            return repr(float(value)) if kind is ir.Primitive.double else repr(value)
        case ir.ListOf(item):
            return "[" + ", ".join(literal(v, item, structs, used) for v in value) + "]"
        case ir.MapOf(item):
            return (
                "{" + ", ".join(f"{k!r}: {literal(v, item, structs, used)}" for k, v in value.items()) + "}"
            )
        case ir.StructRef(name):
            class_name = naming.class_name(name)
            used.add(class_name)
            args = (
                f"{naming.attribute(f.wire_name)}={literal(value[f.wire_name], f.type, structs, used)}"
                for f in structs[name].fields
                if value.get(f.wire_name) is not None
            )
            return f"{class_name}({', '.join(args)})"
        case _:
            assert_never(t)


def call_arguments(
    package: str, action: ir.Action, fields: tuple[ir.Field, ...]
) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """``(name, expression)`` of each field's example, and the imports of the models they build."""
    structs = {s.name: s for s in action.structs}
    used: set[str] = set()
    arguments = tuple(
        (naming.attribute(f.wire_name), literal(f.example, f.type, structs, used)) for f in fields
    )
    module = naming.module(action.name)
    imports = tuple(f"from {package}.models.{module} import {name}" for name in sorted(used))
    return arguments, imports


def package_of(api: ir.Api) -> str:
    found = api.product.package("python")
    assert found is not None
    return found.package


def sample(api: ir.Api, action: ir.Action, is_async: bool) -> Sample:
    package = package_of(api)
    fields = _wire.sample_fields(action)
    arguments, imports = call_arguments(package, action, fields)
    return Sample(
        action=action,
        method=naming.method(action.name),
        package=package,
        file_name=file_name(action, is_async),
        is_async=is_async,
        client="AsyncClient" if is_async else "Client",
        root_error=naming.root_error(api.product.code),
        env_endpoint=naming.env_endpoint(api.product.code),
        imports=imports,
        arguments=arguments,
    )


def samples(api: ir.Api) -> tuple[Sample, ...]:
    return tuple(sample(api, a, is_async) for a in api.actions for is_async in (False, True))


def render_sample(s: Sample, renderer: Renderer) -> str:
    return renderer.render("python/samples/sample.py.jinja", s=s)


def first_action(api: ir.Api) -> ir.Action:
    """The action the guide calls: ``sdk.guide`` when the product names one; else a
    non-idempotent one (what the guide's retry advice is about) with the fewest required
    parameters, not deprecated; ties broken by name."""
    named = next((a for a in api.actions if a.name == api.product.guide), None)
    if named is not None:
        return named
    return min(
        api.actions,
        key=lambda a: (a.deprecated, a.idempotent, sum(f.required for f in a.parameters), a.name),
    )


def guide_error(api: ir.Api, action: ir.Action) -> ir.ErrorCode | None:
    """The error the guide catches by name: one of the action's own, throttling ones first."""
    own = [api.error(c) for c in action.errors if api.error(c).exception is not None]
    return min(own, key=lambda e: e.category is not ir.Category.throttling, default=None)


def guide_paths() -> tuple[tuple[str, str], ...]:
    return tuple((name, f"{SAMPLES_DIR}/getting_started/{name}.py") for name in GUIDE)


@dataclass(frozen=True)
class GuideContext:
    """The guide's call, for the package README and the docs: ``client.<method>(<arguments>)``."""

    action: ir.Action
    method: str
    arguments: tuple[tuple[str, str], ...]  # the required parameters' examples
    imports: tuple[str, ...]
    root_error: str
    error: ir.ErrorCode | None  # the code the guide catches by name
    result: str  # the response attribute the quick start prints: the first the action itself adds

    @property
    def call(self) -> str:
        return f"client.{self.method}(" + ", ".join(f"{k}={v}" for k, v in self.arguments) + ")"


def guide_context(api: ir.Api) -> GuideContext:
    action = first_action(api)
    required = tuple(f for f in _wire.sample_fields(action) if f.required)
    arguments, imports = call_arguments(package_of(api), action, required)
    root = naming.root_error(api.product.code)
    own = [f.wire_name for f in action.response.fields if f.wire_name not in ENVELOPE]
    result = naming.attribute(own[0] if own else "RequestId")
    return GuideContext(
        action, naming.method(action.name), arguments, imports, root, guide_error(api, action), result
    )


def render_guide(api: ir.Api, renderer: Renderer) -> dict[str, str]:
    """The guide's programs (errors, retries, testing with the emulator).

    They call the guide's action (``first_action``) with its required parameters only.
    """
    action = first_action(api)
    package = package_of(api)
    required = tuple(f for f in _wire.sample_fields(action) if f.required)
    arguments, imports = call_arguments(package, action, required)
    error = guide_error(api, action)
    caught = [error.exception] if error is not None and error.exception is not None else []
    root = naming.root_error(api.product.code)
    names = sorted({"Client", "ClientError", "NetworkError", root, *caught})
    context = {"action": action, "method": naming.method(action.name), "package": package}
    context |= {
        "arguments": arguments,
        "imports": imports,
        "error": error,
        "names": names,
        "root_error": root,
    }
    return {
        path: renderer.render(f"python/samples/getting_started/{name}.py.jinja", **context)
        for name, path in guide_paths()
    }


RECEIPT_SAMPLES = ("pull", "push")  # the receipts page's programs


@dataclass(frozen=True)
class ReceiptDemo:
    """The receipts page's programs: a call of ``action``, then its receipt of type ``kind``."""

    kind: ir.ReceiptType
    action: ir.Action
    receipt_id: str  # the receipt's attribute that names the call
    shown: tuple[str, ...]  # the other attributes the handler prints: the type's required ones
    id_attribute: str  # the response's attribute that names the call


def receipt_demo(api: ir.Api) -> ReceiptDemo | None:
    """``common.receipts.receipt_demo`` for the guide's action, in Python's names."""
    demo = _receipts.receipt_demo(api, first_action(api))
    if demo is None:
        return None
    return ReceiptDemo(
        demo.kind,
        demo.action,
        naming.attribute(demo.receipt_id),
        tuple(naming.attribute(w) for w in demo.shown),
        naming.attribute(demo.response_id),
    )


def receipt_paths() -> tuple[tuple[str, str], ...]:
    return tuple((name, f"{SAMPLES_DIR}/receipts/{name}.py") for name in RECEIPT_SAMPLES)


def render_receipts(api: ir.Api, renderer: Renderer) -> dict[str, str]:
    """The receipts page's programs (pull and push), when the specs emulate receipts."""
    demo = receipt_demo(api)
    if demo is None:
        return {}
    package = package_of(api)
    required = tuple(f for f in _wire.sample_fields(demo.action) if f.required)
    arguments, imports = call_arguments(package, demo.action, required)
    context = {
        "package": package,
        "kind": demo.kind.name,
        "method": naming.method(demo.action.name),
        "arguments": arguments,
        "imports": imports,
        "receipt_id": demo.receipt_id,
        "shown": demo.shown,
        "id_attribute": demo.id_attribute,
    }
    return {
        path: renderer.render(f"python/samples/receipts/{name}.py.jinja", **context)
        for name, path in receipt_paths()
    }

"""The runnable Python code samples: one sync and one async program per action.

Each sample calls its action with the spec's examples (``_wire.sample_fields``: the same values
the docs show on the wire), reads credentials and the endpoint from the environment through the
client's defaults, prints the response and handles the SDK's root error. Each sample makes one
request, so the docs can show exactly what it sends; a reader replaces the example values.

Pure: IR in, ``{path: text}`` out, formatted with the pinned black here (not only by the
caller) because the reference pages embed each sample's final bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, assert_never

from .. import ir
from ..format import format_python
from ..render import Renderer
from . import _wire

ROOT_ERROR = "DyvmsapiError"  # the root class of templates/python/_errors.py.jinja
SAMPLES_DIR = "samples/python"
GUIDE = ("handle_errors", "retries", "with_emulator")  # the getting-started guide's programs


@dataclass(frozen=True)
class Sample:
    action: ir.Action
    package: str
    file_name: str
    is_async: bool
    client: str
    root_error: str
    env_endpoint: str
    imports: tuple[str, ...]  # "from dyvmsapi.models.ivr_call import MenuKeyMap"
    arguments: tuple[tuple[str, str], ...]  # (Python name, Python expression)

    @property
    def path(self) -> str:
        return f"{SAMPLES_DIR}/{self.file_name}"


def file_name(action: ir.Action, is_async: bool) -> str:
    return f"{action.module_name}_async.py" if is_async else f"{action.module_name}.py"


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
        case ir.StructRef(name, class_name):
            used.add(class_name)
            args = (
                f"{f.py_name}={literal(value[f.wire_name], f.type, structs, used)}"
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
    arguments = tuple((f.py_name, literal(f.example, f.type, structs, used)) for f in fields)
    imports = tuple(f"from {package}.models.{action.module_name} import {name}" for name in sorted(used))
    return arguments, imports


def sample(api: ir.Api, action: ir.Action, is_async: bool) -> Sample:
    package = api.product.python.package
    fields = _wire.sample_fields(action)
    arguments, imports = call_arguments(package, action, fields)
    return Sample(
        action=action,
        package=package,
        file_name=file_name(action, is_async),
        is_async=is_async,
        client="AsyncClient" if is_async else "Client",
        root_error=ROOT_ERROR,
        env_endpoint=f"{api.product.code.upper()}_ENDPOINT",
        imports=imports,
        arguments=arguments,
    )


def samples(api: ir.Api) -> tuple[Sample, ...]:
    return tuple(sample(api, a, is_async) for a in api.actions for is_async in (False, True))


def render_samples(api: ir.Api, renderer: Renderer) -> dict[str, str]:
    """``{samples/python/<module>.py: formatted source}`` for every sample."""
    return {s.path: format_python(renderer.render("docs/sample.py.jinja", s=s)) for s in samples(api)}


def first_action(api: ir.Api) -> ir.Action:
    """The action the guide calls: the simplest (fewest required parameters), call-placing first."""
    return min(
        api.actions, key=lambda a: (a.role != "places-call", sum(f.required for f in a.parameters), a.name)
    )


def guide_error(api: ir.Api, action: ir.Action) -> ir.ErrorCode | None:
    """The error the guide catches by name: one of the action's own, throttling ones first."""
    own = [api.error(c) for c in action.errors if api.error(c).class_name is not None]
    return min(own, key=lambda e: e.category is not ir.Category.throttling, default=None)


def guide_paths() -> tuple[tuple[str, str], ...]:
    return tuple((name, f"{SAMPLES_DIR}/getting_started/{name}.py") for name in GUIDE)


def render_guide(api: ir.Api, renderer: Renderer) -> dict[str, str]:
    """The guide's programs (errors, retries, testing with the emulator), formatted.

    They call the guide's action (``first_action``) with its required parameters only.
    """
    action = first_action(api)
    package = api.product.python.package
    required = tuple(f for f in _wire.sample_fields(action) if f.required)
    arguments, imports = call_arguments(package, action, required)
    error = guide_error(api, action)
    caught = [error.class_name] if error is not None and error.class_name is not None else []
    names = sorted({"Client", "ClientError", "NetworkError", ROOT_ERROR, *caught})
    context = {"action": action, "package": package, "arguments": arguments, "imports": imports}
    context |= {"error": error, "names": names, "root_error": ROOT_ERROR}
    return {
        path: format_python(renderer.render(f"docs/getting_started/{name}.py.jinja", **context))
        for name, path in guide_paths()
    }

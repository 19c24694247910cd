"""The runnable Python code samples: one sync and one async program per action.

Each sample calls its action with the spec's examples (``_wire.sample_fields``: the same values
the docs show on the wire), reads credentials and the endpoint from the environment through the
client's defaults, prints the response and handles the SDK's root error. An action that works on
an earlier call (``_wire.takes_call_id``) takes that call's ``CallId`` as its first argument.

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
    call_id: str | None  # the example CallId, when the sample takes one from its arguments

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
            return "{" + ", ".join(f"{k!r}: {literal(v, item, structs, used)}" for k, v in value.items()) + "}"
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


def sample(api: ir.Api, action: ir.Action, is_async: bool) -> Sample:
    structs = {s.name: s for s in action.structs}
    used: set[str] = set()
    call_id = None
    arguments = []
    for f in _wire.sample_fields(action):
        if f.wire_name == _wire.CALL_ID and _wire.takes_call_id(action):
            call_id = str(f.example)
            arguments.append((f.py_name, "call_id"))
        else:
            arguments.append((f.py_name, literal(f.example, f.type, structs, used)))
    package = api.product.python.package
    imports = tuple(f"from {package}.models.{action.module_name} import {name}" for name in sorted(used))
    return Sample(
        action=action,
        package=package,
        file_name=file_name(action, is_async),
        is_async=is_async,
        client="AsyncClient" if is_async else "Client",
        root_error=ROOT_ERROR,
        env_endpoint=f"{api.product.code.upper()}_ENDPOINT",
        imports=imports,
        arguments=tuple(arguments),
        call_id=call_id,
    )


def samples(api: ir.Api) -> tuple[Sample, ...]:
    return tuple(sample(api, a, is_async) for a in api.actions for is_async in (False, True))


def render_samples(api: ir.Api, renderer: Renderer) -> dict[str, str]:
    """``{samples/python/<module>.py: formatted source}`` for every sample."""
    return {s.path: format_python(renderer.render("docs/sample.py.jinja", s=s)) for s in samples(api)}

"""Read the official SDK's request and response models as plain data (test-only).

The official package (``alibabacloud-dyvmsapi20170525``) is the reference for the real API's
parameter names, Python types and required flags. This module turns one of its model classes
into ``{wire_name: Field}`` so tests can compare it with our specs. It imports nothing of ours.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from typing import Any

_SCALARS = {"str": "string", "int": "integer", "bool": "boolean", "float": "double"}
_REQUIRED = "This parameter is required."


@dataclass(frozen=True)
class Field:
    wire_name: str
    py_name: str
    kind: str  # string | integer | boolean | double | list | struct | map
    required: bool
    item: "dict[str, Field] | str | None" = None  # struct fields, or the scalar kind of list items


def _annotation_text(annotation: Any) -> str:
    """Old releases annotate with objects, new ones with strings: give the source text."""
    if isinstance(annotation, str):
        return annotation
    if isinstance(annotation, type):
        return annotation.__name__
    return re.sub(r"\btyping\.|\b[\w.]*models\.", "", str(annotation))


def _resolve(cls: type, name: str) -> type:
    module = inspect.getmodule(cls)
    assert module is not None
    namespace = dict(vars(module))
    if "main_models" in namespace:
        namespace.update(vars(namespace["main_models"]))
    return eval(name, namespace)  # noqa: S307 - annotations of a trusted test-only package


def _kind(cls: type, annotation: str) -> tuple[str, Any]:
    annotation = annotation.strip()
    if annotation in _SCALARS:
        return _SCALARS[annotation], None
    m = re.fullmatch(r"List\[(.+)\]", annotation)
    if m:
        inner, sub = _kind(cls, m.group(1))
        return "list", sub if inner == "struct" else inner
    if annotation.startswith("Dict["):
        return "map", None
    return "struct", describe(_resolve(cls, annotation.replace("main_models.", "")))


def _required_attrs(cls: type) -> set[str]:
    source = inspect.getsource(cls.__init__)
    required, comments = set(), []
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            comments.append(stripped)
            continue
        m = re.fullmatch(r"self\.(\w+) = \w+", stripped)
        if m:
            if any(_REQUIRED in c for c in comments):
                required.add(m.group(1))
        comments = []
    return required


def _dummy(cls: type, kind: str, annotation: str) -> Any:
    if kind == "list":  # one item, because unset lists still appear in to_map() as []
        inner = re.fullmatch(r"List\[(.+)\]", annotation)
        assert inner is not None
        item_kind, _ = _kind(cls, inner.group(1))
        return [_dummy(cls, item_kind, inner.group(1))]
    if kind == "map":
        return {}
    if kind == "struct":
        return _resolve(cls, annotation.replace("main_models.", ""))()
    return 1


def describe(cls: type) -> dict[str, Field]:
    """Map each wire name of model ``cls`` to its Field."""
    params = [p for p in inspect.signature(cls.__init__).parameters.values() if p.name != "self"]
    required = _required_attrs(cls)
    fields: dict[str, Field] = {}
    for p in params:
        annotation = _annotation_text(p.annotation)
        kind, item = _kind(cls, annotation)
        baseline = cls().to_map()
        instance = cls(**{p.name: _dummy(cls, kind, annotation)})
        changed = instance.to_map()
        (wire_name,) = [k for k, v in changed.items() if baseline.get(k) != v]
        fields[wire_name] = Field(wire_name, p.name, kind, p.name in required, item)
    return fields

"""Reading ``api-docs.json``: size and depth limits, the top-level shape, located diagnostics.

Every problem is a ``Diagnostic`` naming the file and, in its message, the JSON path of the value
(``$.apis.SingleCallByTts.parameters[3].schema.type``); JSON gives no cheap positions, so the line
and column are those of the syntax error for a file that is not JSON, and 1:1 otherwise.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.frontend.diagnostics import Code, Diagnostic, SpecError

MAX_BYTES = 64 * 1024 * 1024  # Ecs, the largest product, is 2.7 MB
MAX_DEPTH = 64  # nested JSON values; Ecs reaches 16


@dataclass
class Problems:
    """The diagnostics of one import, all against ``path``."""

    path: str
    found: list[Diagnostic] = field(default_factory=list)

    def add(self, code: Code, where: str, message: str, line: int = 1, column: int = 1) -> None:
        self.found.append(Diagnostic(self.path, line, column, code, f"{where}: {message}"))

    def raise_if_any(self) -> None:
        if self.found:
            raise SpecError(self.found)


def _depth(value: Any, limit: int) -> int:
    """The nesting depth of ``value`` (iteratively, so a hostile file cannot exhaust the stack)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def read(path: Path, problems: Problems) -> dict[str, Any]:
    """The parsed document, its top-level shape checked; raises ``SpecError`` otherwise."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            problems.add(Code.import_limit, "$", f"the file has {size} bytes, over the limit of {MAX_BYTES}")
            problems.raise_if_any()
        raw = path.read_bytes()
    except OSError as exc:
        problems.add(Code.import_not_json, "$", f"cannot read the file: {exc.strerror or exc}")
        raise SpecError(problems.found) from None
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except UnicodeDecodeError as exc:
        problems.add(Code.import_not_json, "$", f"not UTF-8 text (byte {exc.start})")
        raise SpecError(problems.found) from None
    except json.JSONDecodeError as exc:
        problems.add(Code.import_not_json, "$", f"not JSON: {exc.msg}", exc.lineno, exc.colno)
        raise SpecError(problems.found) from None
    except ValueError as exc:
        problems.add(Code.import_not_json, "$", f"not JSON: {exc}")
        raise SpecError(problems.found) from None
    except RecursionError:
        problems.add(Code.import_limit, "$", f"nested deeper than {MAX_DEPTH} levels")
        raise SpecError(problems.found) from None
    if _depth(data, MAX_DEPTH) > MAX_DEPTH:
        problems.add(Code.import_limit, "$", f"nested deeper than {MAX_DEPTH} levels")
        problems.raise_if_any()
    _shape(data, problems)
    problems.raise_if_any()
    return dict(data)


def _shape(data: Any, problems: Problems) -> None:
    bad = Code.import_not_api_docs
    if not isinstance(data, dict):
        problems.add(bad, "$", f"expected an object (api-docs.json), found {kind(data)}")
        return
    for key, want in (("info", dict), ("apis", dict)):
        if key not in data:
            problems.add(bad, "$", f"missing '{key}': this is not an api-docs.json file")
        elif not isinstance(data[key], want):
            problems.add(bad, f"$.{key}", f"expected an object, found {kind(data[key])}")
    info = data.get("info")
    if isinstance(info, dict):
        for key in ("product", "version"):
            if not isinstance(info.get(key), str) or not info.get(key):
                problems.add(bad, f"$.info.{key}", "expected a non-empty string")
        if info.get("style", "RPC") != "RPC":
            problems.add(bad, "$.info.style", f"only RPC APIs can be imported, not {info.get('style')!r}")
    for key, noun in (("directories", "a list"), ("endpoints", "a list"), ("components", "an object")):
        if key in data and not isinstance(data[key], list if noun == "a list" else dict):
            problems.add(bad, f"$.{key}", f"expected {noun}, found {kind(data[key])}")
    apis = data.get("apis")
    if isinstance(apis, dict):
        for name, api in apis.items():
            where = f"$.apis.{name}"
            if not isinstance(api, dict):
                problems.add(bad, where, f"expected an object, found {kind(api)}")
                continue
            if not isinstance(api.get("parameters", []), list):
                problems.add(bad, f"{where}.parameters", f"expected a list, found {kind(api['parameters'])}")
                continue
            for i, param in enumerate(api.get("parameters", [])):
                if not isinstance(param, dict) or not isinstance(param.get("name"), str):
                    problems.add(bad, f"{where}.parameters[{i}]", "expected an object with a 'name'")
                elif not isinstance(param.get("schema", {}), dict):
                    problems.add(bad, f"{where}.parameters[{i}].schema", "expected an object")
            if not isinstance(api.get("responses", {}), dict):
                problems.add(bad, f"{where}.responses", "expected an object")


def kind(value: Any) -> str:
    """The JSON kind of ``value``, for messages."""
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")

"""What the emulator knows of the service, as plain data generated from specs/ (``_data/``).

``_data/service.json`` holds the product, its version, the error table and the names of the
actions; ``_data/actions/<Action>.json`` each action's JSON Schema, declared behaviour, error
codes and example answer, read the first time the emulator meets the action. The emulator reads
only this.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import Any

_DATA = resources.files(__package__ or __name__.rpartition(".")[0]) / "_data"


def _read(*parts: str) -> Any:
    return json.loads(_DATA.joinpath(*parts).read_text(encoding="utf-8"))


class _Actions(Mapping[str, Any]):
    """Every action's description by name, each read from its file on first use."""

    def __init__(self, names: list[str]) -> None:
        self._names = tuple(names)
        self._known = frozenset(names)
        self._loaded: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._known:
            raise KeyError(name)
        found = self._loaded.get(name)
        if found is None:
            found = self._loaded[name] = _read("actions", f"{name}.json")
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def _service() -> dict[str, Any]:
    index: dict[str, Any] = _read("service.json")
    return {**index, "actions": _Actions(index["actions"])}


SERVICE: dict[str, Any] = _service()

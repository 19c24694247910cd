"""Faults on demand: errors, throttling, dropped connections and latency, for the next N requests."""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

__all__ = ["Fault", "FaultKind", "FaultQueue"]

FaultKind = Literal["error", "throttle", "drop", "delay"]
KINDS: tuple[str, ...] = ("error", "throttle", "drop", "delay")


@dataclass
class Fault:
    """A pending fault: ``remaining`` more requests (to ``action``, or any) will get it."""

    kind: FaultKind
    remaining: int
    action: str | None = None
    status: int = 503
    code: str = "ServiceUnavailable"
    retry_after_ms: int | None = None
    delay: float = 0.0
    business: bool = False  # answered after authentication and validation, like a business error


class FaultQueue:
    """Pending faults, first come first served, and the error table they draw codes from."""

    def __init__(self, errors: Mapping[str, Mapping[str, Any]]) -> None:
        self._table = errors
        self._families = [
            (re.compile(str(entry["pattern"])), entry) for entry in errors.values() if entry.get("pattern")
        ]
        self._pending: list[Fault] = []
        self._lock = threading.Lock()

    def entry(self, code: str) -> Mapping[str, Any] | None:
        """The error-table entry of a code, or of the family (``Missing<Param>``) it belongs to."""
        found = self._table.get(code)
        if found is not None:
            return found
        for pattern, entry in self._families:
            if pattern.search(code):
                return entry
        return None

    def _status_code(self, status: int) -> str:
        for code, entry in self._table.items():
            if entry.get("http_status") == status and entry.get("source") != "business":
                return code
        return "InternalError" if status >= 500 else "InvalidParameter"

    def add(
        self,
        kind: FaultKind,
        count: int,
        action: str | None,
        status: int | None,
        code: str | None,
        retry_after_ms: int | None,
        delay: float,
    ) -> Fault:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        if count < 1:
            raise ValueError("count must be at least 1")
        if delay < 0:
            raise ValueError("delay cannot be negative")
        if kind == "throttle":
            code = code or "Throttling.User"
        if code is None:
            code = self._status_code(status) if status is not None else "ServiceUnavailable"
        entry = self.entry(code)
        if status is None:
            status = int(entry["http_status"]) if entry else 503
        business = kind == "error" and status == 200
        fault = Fault(kind, count, action, status, code, retry_after_ms, delay, business)
        with self._lock:
            self._pending.append(fault)
        return fault

    def take(self, action: str | None, *, business: bool) -> Fault | None:
        """The first pending fault for this request and stage, counted as used (a copy)."""
        with self._lock:
            for fault in self._pending:
                if fault.business == business and fault.action in (None, action):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._pending.remove(fault)
                    return replace(fault)
        return None

    @property
    def pending(self) -> list[Fault]:
        with self._lock:
            return [replace(f) for f in self._pending]

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()

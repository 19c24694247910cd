"""What the emulated service remembers: its clock, the calls placed, and the per-number flow control.

The behaviour of each action comes from its ``role`` in the spec data:

* ``places-call``: the callee (``CalledNumber``) must be under its flow limits (by default 1 call
  per minute, 5 per hour, 20 per 24 hours, on :class:`Clock`); then a :class:`CallRecord` is
  kept and its ``CallId`` returned.
* ``reads-call``: the record as the ``Data`` JSON string, with the keys of the spec's example; an
  unknown ``CallId`` (or one outside the ``QueryDate`` day) answers ``OK`` with no ``Data``, as
  the real service does.
* ``cancels-call``: ``Status`` true when the call was placed by a cancellable action (ClickToDial)
  and is still in progress (or was already cancelled); false otherwise.

Any other action answers its spec example, with a fresh ``RequestId``.
"""

from __future__ import annotations

import copy
import json
import random
import re
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._gateway import Rejection

__all__ = ["CallRecord", "Clock", "DEFAULT_FLOW_LIMITS", "ServiceState"]

DEFAULT_FLOW_LIMITS: tuple[tuple[float, int], ...] = ((60.0, 1), (3600.0, 5), (86400.0, 20))
"""(window in seconds, calls allowed to one number within it): 1 a minute, 5 an hour, 20 a day."""

DEFAULT_CALL_SECONDS = 120
"""How long an emulated call lasts (cancellable) when it sets no ``SessionTimeout``."""

_CHINA = 8 * 3600  # the service reports times in China Standard Time (UTC+8)
_DATETIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


class Clock:
    """The service's clock: real time plus an offset that tests move with :meth:`advance`.

    It drives the flow-control windows and the times of the calls. The gateway's timestamp check
    uses the real time, so that clients keep signing with their own clock.
    """

    def __init__(self, start: float | None = None) -> None:
        self._offset = 0.0 if start is None else start - time.time()
        self._lock = threading.Lock()

    def now(self) -> float:
        """The emulated time, in epoch seconds."""
        with self._lock:
            return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the clock forward (or back, with a negative value)."""
        with self._lock:
            self._offset += seconds

    def set(self, epoch_seconds: float) -> None:
        """Jump to a given time, from which the clock keeps running."""
        with self._lock:
            self._offset = epoch_seconds - time.time()


@dataclass
class CallRecord:
    """A call the emulator placed. ``details`` overrides keys of the ``Data`` of a query."""

    call_id: str
    action: str
    params: dict[str, Any]
    access_key_id: str
    created_at: float
    ends_at: float
    cancellable: bool
    cancelled_at: float | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def called_number(self) -> str | None:
        value = self.params.get("CalledNumber")
        return str(value) if value is not None else None

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None


def china_time(epoch: float) -> str:
    """``yyyy-MM-dd HH:mm:ss`` in UTC+8, as the service writes times."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch + _CHINA))


class ServiceState:
    """Calls and flow counters, shared by the server's threads (every method is thread-safe)."""

    def __init__(
        self,
        clock: Clock,
        flow_limits: Sequence[tuple[float, int]],
        cancellable: Sequence[str],
        seed: int | None = None,
    ) -> None:
        self.clock = clock
        self.flow_limits = tuple(flow_limits)
        self.cancellable = frozenset(cancellable)
        self.calls: list[CallRecord] = []
        self._by_id: dict[str, CallRecord] = {}
        self._placed: dict[str, list[float]] = {}
        self._seq = 0
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self._by_id.clear()
            self._placed.clear()

    def find(self, call_id: str) -> CallRecord | None:
        with self._lock:
            return self._by_id.get(call_id)

    def answer(
        self, action: str, role: str | None, example: Mapping[str, Any], params: dict[str, Any], key_id: str
    ) -> dict[str, Any]:
        """The body of a successful answer (without ``RequestId``), or a business Rejection."""
        body = copy.deepcopy(dict(example))
        body.pop("RequestId", None)
        body.update(Code="OK", Message="OK")
        if role == "places-call":
            body["CallId"] = self._place(action, params, key_id).call_id
        elif role == "reads-call":
            data = self._details(example, params)
            body.pop("Data", None)
            if data is not None:
                body["Data"] = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        elif role == "cancels-call":
            body["Status"] = self._cancel(str(params.get("CallId", "")))
        return body

    def _place(self, action: str, params: dict[str, Any], key_id: str) -> CallRecord:
        number = str(params.get("CalledNumber", ""))
        with self._lock:
            now = self.clock.now()
            placed = self._placed.setdefault(number, [])
            longest = max((w for w, _ in self.flow_limits), default=0.0)
            placed[:] = [t for t in placed if now - t < longest]
            for window, allowed in self.flow_limits:
                if sum(1 for t in placed if now - t < window) >= allowed:
                    raise Rejection(
                        "isv.BUSINESS_LIMIT_CONTROL",
                        f"at most {allowed} call(s) per {window:g} s to a number",
                    )
            placed.append(now)
            self._seq += 1
            call_id = f"{116000000000 + self._seq:012d}^1028{self._random.randrange(10**7):07d}"
            seconds = params.get("SessionTimeout")
            length = seconds if isinstance(seconds, int) and seconds > 0 else DEFAULT_CALL_SECONDS
            record = CallRecord(
                call_id=call_id,
                action=action,
                params=dict(params),
                access_key_id=key_id,
                created_at=now,
                ends_at=now + length,
                cancellable=action in self.cancellable,
            )
            self.calls.append(record)
            self._by_id[call_id] = record
            return record

    def _cancel(self, call_id: str) -> bool:
        with self._lock:
            record = self._by_id.get(call_id)
            if record is None or not record.cancellable:
                return False
            if record.cancelled_at is not None:
                return True  # already cancelled: a retried CancelCall must not report failure
            now = self.clock.now()
            if now >= record.ends_at:
                return False  # the call is over
            record.cancelled_at = now
            return True

    def _details(self, example: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any] | None:
        record = self.find(str(params.get("CallId", "")))
        if record is None:
            return None
        query_date = params.get("QueryDate")
        if isinstance(query_date, int):
            start = query_date / 1000
            same_day = china_time(start)[:10] == china_time(record.created_at)[:10]
            if not same_day and not start <= record.created_at < start + 86400:
                return None
        template: dict[str, Any] = {}
        raw = example.get("Data")
        if isinstance(raw, str):
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = None
            template = parsed if isinstance(parsed, dict) else {}
        p = record.params
        derived: dict[str, Any] = {
            "caller": p.get("CallerNumber") or p.get("CalledShowNumber") or "",
            "callerShowNumber": p.get("CallerShowNumber") or p.get("CalledShowNumber") or "",
            "callee": p.get("CalledNumber") or "",
            "calleeShowNumber": p.get("CalledShowNumber") or "",
            "gmtCreate": china_time(record.created_at),
            "duration": 0,
        }
        data: dict[str, Any] = {}
        for key, value in template.items():
            if key in derived:
                data[key] = derived[key]
            elif isinstance(value, str) and (value == "" or _DATETIME.fullmatch(value)):
                data[key] = ""  # the emulator never connects a call: no start, ring or end times
            else:
                data[key] = value
        data.update(record.details)
        return data

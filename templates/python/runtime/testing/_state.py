"""What the emulated service remembers: its clock, the records its actions keep, and their limits.

Every action answers its spec example (with a fresh ``RequestId``, ``Code`` and ``Message`` OK);
what it does besides comes from its ``emulator`` declarations in the service description (the
specs' ``emulator:`` key, see the generator's specs/README.md):

* ``limits``: each limit counts the successful requests per value of a request parameter, in
  every window (seconds, most allowed); one over answers the limit's error. Actions that name
  the same ``counter`` share the counts. Limits run on :class:`Clock`.
* ``creates``: a :class:`Record` of a kind is kept, with a new id answered in the ``key`` field;
  it may end by itself after ``ends_after`` (a parameter in seconds, or a default).
* ``reads``: the record whose id is in parameter ``by`` fills the ``into`` field (a JSON string
  when the example's is one), with the keys of the example: declared ``fields`` come from the
  creating request, the record's time or id, or are constants; the others keep the example's
  value; ``Record.details`` overrides any. An unknown id answers ``missing_error``, or no ``into``.
* ``ends``: ``into`` true when the record is cancellable and still active (or already ended),
  false otherwise; ``removes`` forgets an ended record.
* ``pages``: a paginated action answers one page of a longer list (``_pages``).
"""

from __future__ import annotations

import copy
import json
import random
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._calls import Calls, Outcome, SentReceipt, local_time
from ._gateway import Rejection
from ._pages import Pages

__all__ = ["Clock", "Record", "ServiceState"]


class Clock:
    """The service's clock: real time plus an offset that tests move with :meth:`advance`.

    It drives the limit windows and the times of the records. The gateway's timestamp check uses
    the real time, so that clients keep signing with their own clock.
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


def _squash(name: str) -> str:
    return name.replace("_", "").lower()


@dataclass
class Record:
    """A record an action created. ``details`` overrides keys of what a read answers.

    Besides its fields, a record answers two kinds of attribute by their snake_case names: the
    response field that carried its id (the id), and the parameters of the creating request.
    """

    kind: str
    id: str
    key: str  # the response field that carried the id
    action: str
    params: dict[str, Any]
    access_key_id: str
    created_at: float
    ends_at: float | None  # None: active until ended
    cancellable: bool
    ended_at: float | None = None
    details: dict[str, Any] = field(default_factory=dict)
    outcome: Outcome | None = None  # a call's: how it goes (see ``Emulator.set_outcome``)
    receipt_details: dict[str, dict[str, Any]] = field(default_factory=dict)  # type → fields to override
    lifetime_end: float | None = field(default=None, repr=False)  # the declared end, before any outcome

    @property
    def ended(self) -> bool:
        return self.ended_at is not None

    @property
    def cancelled(self) -> bool:
        """Alias of :attr:`ended`."""
        return self.ended

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or "key" not in self.__dict__:
            raise AttributeError(name)
        wanted = _squash(name)
        if wanted == _squash(self.key):
            return self.id
        for parameter, value in self.params.items():
            if _squash(parameter) == wanted:
                return value
        raise AttributeError(f"{type(self).__name__!r} has no attribute or parameter {name!r}")


class ServiceState:
    """Records and limit counters, shared by the server's threads (every method is thread-safe).

    ``flow_limits`` (window seconds, most allowed), when given, replaces the windows of every
    declared limit; ``cancellable``, when given, names the actions whose records can be ended.
    """

    def __init__(
        self,
        clock: Clock,
        flow_limits: Sequence[tuple[float, int]] | None = None,
        cancellable: Sequence[str] | None = None,
        seed: int | None = None,
        receipts: Mapping[str, Any] | None = None,
    ) -> None:
        self.clock = clock
        self.calls = Calls(receipts)
        self.flow_limits = None if flow_limits is None else tuple(flow_limits)
        self.cancellable = None if cancellable is None else frozenset(cancellable)
        self.records: list[Record] = []
        self._by_id: dict[tuple[str, str], Record] = {}
        self._counts: dict[tuple[str, str], list[float]] = {}
        self._seq: dict[str, int] = {}
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self.pages = Pages()  # the paginated actions' lists

    def reset(self) -> None:
        with self._lock:
            self.records.clear()
            self._by_id.clear()
            self._counts.clear()
        self.calls.reset()

    def due(self) -> list[SentReceipt]:
        """Receipts the calls have produced since the last look (see ``_calls``)."""
        with self._lock:
            records = list(self.records)
        return self.calls.due(records, self.clock.now())

    def find(self, record_id: str, kind: str | None = None) -> Record | None:
        with self._lock:
            if kind is not None:
                return self._by_id.get((kind, record_id))
            return next((r for (_, i), r in self._by_id.items() if i == record_id), None)

    def answer(
        self,
        action: str,
        declared: Mapping[str, Any],
        example: Mapping[str, Any],
        params: dict[str, Any],
        key_id: str,
    ) -> dict[str, Any]:
        """The body of a successful answer (without ``RequestId``), or a business Rejection."""
        body = copy.deepcopy(dict(example))
        body.pop("RequestId", None)
        body.update(Code="OK", Message="OK")
        creates = declared.get("creates")
        with self._lock:
            counted = self._limit(declared.get("limits") or (), params)
            if creates is not None:
                record = self._create(action, creates, params, key_id)
                body[creates["key"]] = record.id
            for stamps in counted:
                stamps.append(self.clock.now())
        if "reads" in declared:
            self._read(declared["reads"], example, params, body)
        if "ends" in declared:
            self._end(declared["ends"], params, body)
        if "pages" in declared:
            self.pages.serve(action, declared["pages"], params, body)
        return body

    def _limit(self, limits: Sequence[Mapping[str, Any]], params: Mapping[str, Any]) -> list[list[float]]:
        """Raise the error of a limit the request would break; else the counts it will add to."""
        now = self.clock.now()
        counted = []
        for limit in limits:
            windows = [(float(w["seconds"]), int(w["max"])) for w in limit["windows"]]
            if self.flow_limits is not None:
                windows = list(self.flow_limits)
            if not windows:
                continue
            value = params.get(limit["key"])
            stamps = self._counts.setdefault((limit["counter"], json.dumps(value, default=str)), [])
            longest = max(seconds for seconds, _ in windows)
            stamps[:] = [t for t in stamps if now - t < longest]
            for seconds, allowed in windows:
                if sum(1 for t in stamps if now - t < seconds) >= allowed:
                    raise Rejection(
                        limit["error"], f"at most {allowed} per {seconds:g} s for one {limit['key']}"
                    )
            counted.append(stamps)
        return counted

    def _create(self, action: str, creates: Mapping[str, Any], params: dict[str, Any], key_id: str) -> Record:
        kind = str(creates["record"])
        spec = creates["id"]
        seq = self._seq[kind] = self._seq.get(kind, int(spec["seq_start"]) - 1) + 1
        random_part = self._random.randrange(int(spec["random_below"]))
        record_id = str(spec["format"]).format(
            seq=seq, random=random_part, uuid=uuid.UUID(int=self._random.getrandbits(128), version=4)
        )
        now = self.clock.now()
        seconds = params.get(creates["lifetime_parameter"]) if creates["lifetime_parameter"] else None
        if not (isinstance(seconds, (int, float)) and not isinstance(seconds, bool) and seconds > 0):
            seconds = creates["lifetime_seconds"]
        cancellable = bool(creates["cancellable"]) if self.cancellable is None else action in self.cancellable
        record = Record(
            kind=kind,
            id=record_id,
            key=str(creates["key"]),
            action=action,
            params=dict(params),
            access_key_id=key_id,
            created_at=now,
            ends_at=None if seconds is None else now + float(seconds),
            cancellable=cancellable,
        )
        self.calls.place(record)
        self.records.append(record)
        self._by_id[(kind, record_id)] = record
        return record

    def _missing(self, declared: Mapping[str, Any], record_id: str) -> None:
        if declared.get("missing_error"):
            raise Rejection(str(declared["missing_error"]), f"no {declared['record']} {record_id!r}")

    def _end(self, ends: Mapping[str, Any], params: Mapping[str, Any], body: dict[str, Any]) -> None:
        record_id = str(params.get(ends["by"], ""))
        with self._lock:
            record = self._by_id.get((ends["record"], record_id))
            if record is None:
                self._missing(ends, record_id)
                ended = False
            elif not record.cancellable:
                ended = False
            elif record.ended_at is not None:
                ended = True  # already ended: a retried request must not report failure
            else:
                now = self.clock.now()
                ended = record.ends_at is None or now < record.ends_at  # else it is over by itself
                if ended:
                    record.ended_at = now
                    if ends.get("removes"):
                        del self._by_id[(record.kind, record.id)]
        if ends.get("into"):
            body[ends["into"]] = ended

    def _read(
        self,
        reads: Mapping[str, Any],
        example: Mapping[str, Any],
        params: Mapping[str, Any],
        body: dict[str, Any],
    ) -> None:
        into = str(reads["into"])
        record_id = str(params.get(reads["by"], ""))
        record = self.find(record_id, str(reads["record"]))
        offset = int(reads["utc_offset_minutes"])
        day = reads.get("same_day_as")
        if record is not None and day and isinstance(params.get(day), int):
            start = params[day] / 1000
            same_day = local_time(start, offset, "%Y-%m-%d") == local_time(
                record.created_at, offset, "%Y-%m-%d"
            )
            if not same_day and not start <= record.created_at < start + 86400:
                record = None
        body.pop(into, None)
        if record is None:
            self._missing(reads, record_id)
            return
        raw = example.get(into)
        as_text = isinstance(raw, str)
        template: Any = raw
        if as_text:
            try:
                template = json.loads(str(raw))
            except ValueError:
                template = None
        template = dict(template) if isinstance(template, dict) else {}
        fields: Mapping[str, Mapping[str, Any]] = reads["fields"]
        data: dict[str, Any] = {}
        for key, value in template.items():
            source = fields.get(key)
            found = None if source is None else self._field(source, record, reads)
            data[key] = value if found is None else found  # an outcome not known yet: as the example
        data.update(record.details)
        body[into] = json.dumps(data, ensure_ascii=False, separators=(",", ":")) if as_text else data

    def _field(self, source: Mapping[str, Any], record: Record, reads: Mapping[str, Any]) -> Any:
        pattern, offset = str(reads["time_format"]), int(reads["utc_offset_minutes"])
        return self.calls.source_value(source, record, self.clock.now(), pattern=pattern, offset=offset)

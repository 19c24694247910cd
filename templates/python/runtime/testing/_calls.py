"""Emulated calls: how each one plays out on the service clock, and the receipts it produces.

The specs' ``receipts.emulator`` (in ``_data/service.json``) names the records that are calls,
the outcomes a call can have and the receipts sent at each of its moments: ``ringing``,
``answered`` and ``ended``. A call (a record of that kind placed by an action that produces
receipts) gets its outcome when it is placed: the one chosen for the call, else for its number
(the ``outcome_by`` parameter), else the default. Its moments follow from the outcome and the
time it was placed; cancelling it ends it early.

Receipts are produced lazily: :meth:`Calls.due` returns those whose moment the clock has passed
and that were not produced yet, so advancing ``emu.clock`` makes them due at once.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._state import Record

__all__ = ["Calls", "Outcome", "SentReceipt"]

MOMENTS = ("ringing", "answered", "ended")


@dataclass(frozen=True)
class Outcome:
    """How a call goes: whether the phone rings and is answered, and the seconds between moments.

    ``values`` are what the service reports about it: receipt fields of the same name (a status
    code, a message, who hung up) and what the call-detail action answers.
    """

    name: str
    rings: bool = True
    answered: bool = True
    ring_after: float = 1.0  # placed → ringing (or failed, when it does not ring)
    answer_after: float = 4.0  # ringing → answered
    talk_seconds: float = 10.0  # answered → ended
    ring_for: float = 30.0  # ringing → ended, when nobody answers
    values: Mapping[str, Any] = field(default_factory=dict)

    def moments(self, placed: float) -> dict[str, float]:
        """The epoch time of each moment the call reaches, ``ended`` always among them."""
        start = placed + self.ring_after
        if not self.rings:
            return {"ended": start}
        if not self.answered:
            return {"ringing": start, "ended": start + self.ring_for}
        answered = start + self.answer_after
        return {"ringing": start, "answered": answered, "ended": answered + self.talk_seconds}


@dataclass(frozen=True)
class SentReceipt:
    """A receipt the emulated service produced: its type, the call, the moment, the message."""

    type: str
    call_id: str
    moment: str  # ringing, answered, ended
    at: float  # epoch seconds on the service clock
    message: dict[str, str]  # as the service sends it: every value a string


def local_time(epoch: float, offset_minutes: int, pattern: str) -> str:
    """An epoch time written with ``pattern`` (strftime) in the zone ``offset_minutes`` east of UTC."""
    return time.strftime(pattern, time.gmtime(epoch + offset_minutes * 60))


class Calls:
    """Outcomes of calls and the receipts they produce (thread-safe)."""

    def __init__(self, receipts: Mapping[str, Any] | None) -> None:
        self._receipts = receipts or {}
        spec: Mapping[str, Any] = self._receipts.get("emulation") or {}
        self.record_kind: str | None = spec.get("record")
        self.outcome_by: str | None = spec.get("outcome_by")
        self.time_format = str(spec.get("time_format", "%Y-%m-%dT%H:%M:%SZ"))
        self.utc_offset_minutes = int(spec.get("utc_offset_minutes", 0))
        self.visibility_timeout = float(spec.get("visibility_timeout_seconds", 30))
        self._reports: Mapping[str, Any] = spec.get("reports") or {}
        self.outcomes: dict[str, Outcome] = {
            name: Outcome(
                name=name,
                rings=bool(o["rings"]),
                answered=bool(o["answered"]),
                ring_after=float(spec["ring_after_seconds"]),
                answer_after=float(spec["answer_after_seconds"]),
                talk_seconds=float(spec["talk_seconds"] if o["talk_seconds"] is None else o["talk_seconds"]),
                ring_for=float(spec["ring_for_seconds"]),
                values=dict(o["values"]),
            )
            for name, o in (spec.get("outcomes") or {}).items()
        }
        self._default_name: str | None = spec.get("default_outcome")
        self._default: Outcome | None = None
        self._by_number: dict[str, Outcome] = {}
        self._produced: set[tuple[str, str, str]] = set()
        self._sent: list[SentReceipt] = []
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.record_kind is not None and bool(self.outcomes)

    @property
    def types(self) -> Mapping[str, Any]:
        """Each receipt type by name: the actions that produce it, its fields and their examples."""
        types: Mapping[str, Any] = self._receipts.get("types") or {}
        return types

    # ------------------------------------------------------------------ outcomes

    def outcome(self, outcome: str | Outcome, **changes: Any) -> Outcome:
        """An outcome by name (or as given), with ``changes`` (field=value) applied."""
        if isinstance(outcome, str):
            found = self.outcomes.get(outcome)
            if found is None:
                raise ValueError(f"no outcome named {outcome!r}; the outcomes are {', '.join(self.outcomes)}")
            outcome = found
        if "values" in changes:
            changes["values"] = {**outcome.values, **changes["values"]}
        return dataclasses.replace(outcome, **changes)

    def default(self) -> Outcome | None:
        if self._default is not None:
            return self._default
        return self.outcomes.get(self._default_name) if self._default_name else None

    def set_default(self, outcome: Outcome | None) -> None:
        self._default = outcome

    def set_for_number(self, number: str, outcome: Outcome | None) -> None:
        with self._lock:
            if outcome is None:
                self._by_number.pop(number, None)
            else:
                self._by_number[number] = outcome

    def place(self, record: Record) -> None:
        """Give a new call its outcome, and its end: a call placed by an action that produces
        receipts; the others keep the lifetime their action declares."""
        if not self.enabled or record.kind != self.record_kind:
            return
        if not any(record.action in t.get("actions", ()) for t in self.types.values()):
            return
        number = record.params.get(self.outcome_by) if self.outcome_by else None
        with self._lock:
            outcome = self._by_number.get(str(number)) if number is not None else None
        self.assign(record, outcome or self.default())

    def assign(self, record: Record, outcome: Outcome | None) -> None:
        """Give a call its outcome; a record that ends by itself (its action declares a lifetime)
        now ends when the outcome does, one that lasts until ended keeps lasting."""
        if record.outcome is None:
            record.lifetime_end = record.ends_at
        record.outcome = outcome
        if record.lifetime_end is not None:
            record.ends_at = outcome.moments(record.created_at)["ended"] if outcome else record.lifetime_end

    # ------------------------------------------------------------------ moments

    def moments(self, record: Record) -> dict[str, float]:
        """The moments a call reaches, cut short when it was ended (cancelled) early."""
        outcome: Outcome | None = record.outcome
        if outcome is None:
            return {}
        moments = outcome.moments(record.created_at)
        if record.ended_at is not None and record.ended_at < moments["ended"]:
            moments = {k: t for k, t in moments.items() if t <= record.ended_at}
            moments["ended"] = record.ended_at
        return moments

    def talk_seconds(self, record: Record, now: float) -> int:
        moments = self.moments(record)
        if "answered" not in moments or moments["ended"] > now:
            return 0
        return int(round(moments["ended"] - moments["answered"]))

    def moment_text(self, record: Record, moment: str, now: float, pattern: str, offset: int) -> str:
        """A moment's time as text, or "" when the call has not reached it (yet)."""
        at = self.moments(record).get(moment)
        return "" if at is None or at > now else local_time(at, offset, pattern)

    def outcome_value(self, record: Record, key: str, now: float) -> Any:
        """A value of the call's outcome once the call is over; None before."""
        moments = self.moments(record)
        outcome: Outcome | None = record.outcome
        if outcome is None or moments["ended"] > now:
            return None
        return outcome.values.get(key)

    # ------------------------------------------------------------------ receipts

    def due(self, records: Iterable[Record], now: float) -> list[SentReceipt]:
        """The receipts whose moment has come and that were not produced yet, in time order."""
        if not self.enabled:
            return []
        fresh: list[SentReceipt] = []
        with self._lock:
            for record in records:
                if record.kind != self.record_kind or record.outcome is None:
                    continue
                moments = self.moments(record)
                for name, report in self._reports.items():
                    kind = self.types.get(name) or {}
                    if record.action not in kind.get("actions", ()):
                        continue
                    if report["answered_only"] and "answered" not in moments:
                        continue
                    for moment in report["at"]:
                        at = moments.get(moment)
                        key = (name, record.id, moment)
                        if at is None or at > now or key in self._produced:
                            continue
                        self._produced.add(key)
                        message = self._message(name, kind, report, record, moment, at, now)
                        fresh.append(SentReceipt(name, record.id, moment, at, message))
            fresh.sort(key=lambda s: s.at)
            self._sent.extend(fresh)
        return fresh

    @property
    def sent(self) -> list[SentReceipt]:
        with self._lock:
            return list(self._sent)

    def reset(self) -> None:
        with self._lock:
            self._produced.clear()
            self._sent.clear()

    def _message(
        self,
        name: str,
        kind: Mapping[str, Any],
        report: Mapping[str, Any],
        record: Record,
        moment: str,
        at: float,
        now: float,
    ) -> dict[str, str]:
        fields: list[str] = list(kind.get("fields", ()))
        examples: Mapping[str, str] = kind.get("examples", {})
        outcome = record.outcome
        assert outcome is not None
        sources: Mapping[str, Mapping[str, Any]] = report["fields"]
        message: dict[str, str] = {}
        for key in fields:
            source = sources.get(key)
            if source is not None:
                value = self.source_value(source, record, now, at)
            elif key in outcome.values:
                value = outcome.values[key]
            elif key in examples:
                value = examples[key]
            else:
                continue
            message[key] = "" if value is None else str(value)
        message.update(record.receipt_details.get(name, {}))
        return message

    def source_value(
        self,
        source: Mapping[str, Any],
        record: Record,
        now: float,
        at: float | None = None,
        *,
        pattern: str | None = None,
        offset: int | None = None,
    ) -> Any:
        """The value of one declared source for a call (see the specs' README: sources)."""
        pattern = self.time_format if pattern is None else pattern
        offset = self.utc_offset_minutes if offset is None else offset
        kind = source["source"]
        if kind == "value":
            return source["value"]
        if kind == "id":
            return record.id
        if kind == "action":
            return record.action
        if kind == "created":
            return local_time(record.created_at, offset, pattern)
        if kind == "at":
            return local_time(at if at is not None else now, offset, pattern)
        if kind in MOMENTS:
            return self.moment_text(record, kind, now, pattern, offset)
        if kind == "talk_seconds":
            return self.talk_seconds(record, now)
        if kind == "outcome":
            return self.outcome_value(record, str(source["value"]), now)
        for parameter in source["parameters"]:
            value = record.params.get(parameter)
            if value not in (None, ""):
                return value
        return ""

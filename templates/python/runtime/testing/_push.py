"""Pushed receipts: the emulated service POSTs each type's receipts to the URL configured for it.

As the service does: a JSON array per batch, a short timeout, success only for HTTP 200 with a
JSON reply whose ``code`` is a number; otherwise the batch is sent again after each delay of the
retry schedule (on the service clock), then dropped. Every attempt is kept as a :class:`PushAttempt`.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ._calls import SentReceipt

__all__ = ["PushAttempt", "Pusher"]


@dataclass(frozen=True)
class PushAttempt:
    """One POST of a batch: where, what, when (service clock), and how it went."""

    url: str
    type: str
    receipts: int
    attempt: int  # 1 for the first send, 2 for the first retry...
    at: float
    status: int  # HTTP status; 0 when no answer came (refused, timed out)
    delivered: bool
    error: str = ""


@dataclass
class _Batch:
    type: str
    messages: list[dict[str, str]]
    due: float
    attempt: int = 1


@dataclass
class Pusher:
    """Batches waiting to be pushed, by type, and the URL of each type."""

    timeout: float  # seconds the service waits for the answer
    retry_after: Sequence[float]  # seconds before each resend
    urls: dict[str, str] = field(default_factory=dict)
    attempts: list[PushAttempt] = field(default_factory=list)
    _waiting: list[_Batch] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, receipts: Sequence[SentReceipt], now: float) -> None:
        """Queue the receipts of the types that have a URL, one batch per type."""
        by_type: dict[str, list[dict[str, str]]] = {}
        for receipt in receipts:
            if receipt.type in self.urls:
                by_type.setdefault(receipt.type, []).append(receipt.message)
        with self._lock:
            self._waiting.extend(_Batch(t, messages, now) for t, messages in by_type.items())

    def pending(self) -> int:
        with self._lock:
            return len(self._waiting)

    def deliver(self, now: Callable[[], float]) -> list[PushAttempt]:
        """Send every batch that is due; schedule the failed ones again. The attempts made."""
        with self._lock:
            due = [b for b in self._waiting if b.due <= now()]
            self._waiting = [b for b in self._waiting if b.due > now()]
        made = []
        for batch in due:
            url = self.urls.get(batch.type)
            if url is None:
                continue
            status, error = _post(url, batch.messages, self.timeout)
            delivered = status == 200 and not error
            attempt = PushAttempt(
                url, batch.type, len(batch.messages), batch.attempt, now(), status, delivered, error
            )
            made.append(attempt)
            if not delivered and batch.attempt <= len(self.retry_after):
                batch.due = now() + float(self.retry_after[batch.attempt - 1])
                batch.attempt += 1
                with self._lock:
                    self._waiting.append(batch)
        with self._lock:
            self.attempts.extend(made)
        return made

    def clear(self) -> None:
        with self._lock:
            self._waiting.clear()
            self.attempts.clear()


def _post(url: str, messages: list[dict[str, str]], timeout: float) -> tuple[int, str]:
    """``(status, error)``: error is "" when the answer is HTTP 200 with a numeric ``code``."""
    body = json.dumps(messages, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json;charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 (a URL the test gave)
            status, reply = int(answer.status), answer.read(1 << 16)
    except urllib.error.HTTPError as exc:
        return int(exc.code), f"HTTP {exc.code}"
    except (OSError, ValueError) as exc:
        return 0, type(exc).__name__
    try:
        data = json.loads(reply)
    except ValueError:
        return status, "the reply is not JSON"
    if (
        not isinstance(data, Mapping)
        or isinstance(data.get("code"), bool)
        or not isinstance(data.get("code"), int)
    ):
        return status, "the reply has no numeric code"
    return status, ""

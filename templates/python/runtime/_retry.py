"""When to try a call again, and how long to wait first.

A retry must never ring someone's phone twice. So the rule depends on the action:

- every action is retried when the request provably never reached the service (the connection
  could not be made) or the service answered that it throttled the call (it did nothing);
- an idempotent action (a query, a cancellation) is retried also after a timeout, a dropped
  connection, a 5xx answer, or an error code the table marks retryable;
- a call-placing action is never retried after the request may have been processed.

Waits grow exponentially with full jitter (a random wait between 0 and the cap), and an
``x-acs-retry-after`` header (milliseconds) from the service is honoured.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import Enum


class Outcome(Enum):
    """What happened to one attempt, as far as retrying is concerned."""

    NOT_SENT = "not-sent"  # the connection failed: the service never saw the request
    THROTTLED = "throttled"  # the service refused the call without doing it
    MAYBE_PROCESSED = "maybe-processed"  # timeout, dropped connection, 5xx, retryable code
    FINAL = "final"  # success, or an error that a retry cannot change


@dataclass(frozen=True)
class RetryPolicy:
    """How many attempts a call gets and how the waits between them grow.

    >>> RetryPolicy(max_attempts=1)  # never retry
    RetryPolicy(max_attempts=1, base_delay=0.2, max_delay=10.0)
    """

    max_attempts: int = 3
    base_delay: float = 0.2
    max_delay: float = 10.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("RetryPolicy.max_attempts must be at least 1")
        if self.base_delay < 0 or self.max_delay < 0:
            raise ValueError("RetryPolicy delays cannot be negative")

    def should_retry(self, outcome: Outcome, *, attempt: int, idempotent: bool) -> bool:
        """Whether attempt number ``attempt`` (1-based), which ended with ``outcome``, gets another."""
        if attempt >= self.max_attempts:
            return False
        if outcome in (Outcome.NOT_SENT, Outcome.THROTTLED):
            return True
        return outcome is Outcome.MAYBE_PROCESSED and idempotent

    def delay(self, attempt: int, retry_after_ms: int | None = None) -> float:
        """Seconds to wait before attempt ``attempt + 1``."""
        if retry_after_ms is not None and retry_after_ms > 0:
            return min(retry_after_ms / 1000, self.max_delay)
        cap = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return random.uniform(0, cap)

"""What a receipts consumer works with, apart from its loop: where the receipts wait
(``ReceiptSource``), what it counts (``ConsumerStats``), the queue's errors (``QueueError``,
read from its answers), the token action's times and temporary credentials, and the checks of a
consumer's settings. Pure: no I/O, no state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from . import _mns
from ._errors import ConnectionFailedError, InvalidResponseError, RequestTimeoutError, RootError
from ._transport import Answer, SendError

AUTH_CODES = (
    "AccessDenied",
    "InvalidAccessKeyId",
    "InvalidSecurityToken",
    "SecurityTokenExpired",
    "SignatureDoesNotMatch",
    "TimeExpired",
)
"""Queue error codes (and their ``Code.Detail`` forms) that new credentials may cure."""


@dataclass(frozen=True, kw_only=True)
class ReceiptSource:
    """Where a product's receipts wait and how to get credentials for them (from the specs)."""

    token_product: str
    """The product of the token action, e.g. ``Dybaseapi``."""
    token_api_version: str
    token_endpoint: str
    token_action: str
    """The RPC action that hands out temporary queue credentials, e.g. ``QueryTokenForMnsQueue``."""
    refresh_before_seconds: int
    """Fetch new credentials this long before the current ones expire."""
    queue_endpoint: str
    protocol_version: str
    """The MNS protocol version, sent as ``x-mns-version``."""
    max_batch: int
    """Messages per receive or delete, at most."""
    max_wait_seconds: int
    """The longest long poll."""
    utc_offset_minutes: int
    """The zone of the token action's zone-less times (480: UTC+8)."""
    signing: str = "v3"
    """How the token action is signed: ``v3`` (ACS3-HMAC-SHA256) or ``v1`` (HMAC-SHA1)."""


@dataclass(frozen=True)
class ConsumerStats:
    """What a consumer has done since it was made."""

    handled: int = 0
    """Receipts the handler accepted."""
    duplicates: int = 0
    """Receipts not handed over because an identical one was handled before."""
    failed: int = 0
    """Receipts whose handler raised (their message stays in the queue)."""
    unreadable: int = 0
    """Messages whose body is not receipts of the type (left in the queue)."""
    deleted: int = 0
    """Messages deleted from the queue."""
    delete_failures: int = 0
    """Handled messages the queue did not delete (their redelivery is dropped as duplicates)."""
    token_refreshes: int = 0
    """Temporary credentials fetched to replace earlier ones (the first fetch is not one)."""
    errors: int = 0
    """Receives and deletes that failed: network, token action, queue or protocol errors."""


class QueueError(RootError):
    """The queue answered with an error; ``code`` is the MNS code, e.g. ``QueueNotExist``."""

    category = "server"


def parse_time(value: object, utc_offset_minutes: int) -> float:
    """Epoch seconds of a time the token action sends.

    ``2026-12-01 18:00:00`` (in the zone ``utc_offset_minutes`` east of UTC), ISO 8601 (a zone-less
    one in that zone too) or epoch milliseconds (``1796119200000``, in digits or as a number).
    """
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    if text.isdigit():
        return int(text) / 1000
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidResponseError(f"the token's expiry time {text[:40]!r} is not a time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone(timedelta(minutes=utc_offset_minutes)))
    return moment.timestamp()


@dataclass(frozen=True)
class Token:
    """Temporary queue credentials and when they expire (epoch seconds); never shows the secrets."""

    access_key_id: str
    access_key_secret: str = field(repr=False)
    security_token: str = field(repr=False)
    expires_at: float


def check_settings(
    source: ReceiptSource,
    queue_name: str,
    batch: int,
    wait: int,
    backoff: tuple[float, float],
    remember: int,
    timeout: float,
) -> None:
    if not queue_name:
        raise ValueError("queue_name is required")
    if not 1 <= batch <= source.max_batch:
        raise ValueError(f"batch must be between 1 and {source.max_batch}, not {batch}")
    if not 0 <= wait <= source.max_wait_seconds:
        raise ValueError(f"wait_seconds must be between 0 and {source.max_wait_seconds}, not {wait}")
    if len(backoff) != 2 or not 0 <= backoff[0] <= backoff[1]:
        raise ValueError(f"backoff must be (first, longest) with 0 <= first <= longest, not {backoff!r}")
    if remember < 0 or timeout <= 0:
        raise ValueError("remember cannot be negative, and timeout must be positive")
    if source.signing not in ("v3", "v1"):
        raise ValueError(f"source.signing must be 'v3' or 'v1', not {source.signing!r}")


def queue_error(answer: Answer) -> QueueError:
    try:
        code, message, request_id = _mns.parse_error(answer.body)
    except _mns.ProtocolError:
        code, message, request_id = "", "", ""
    error = QueueError(
        message or f"the queue answered HTTP {answer.status}",
        code=code or None,
        request_id=request_id or answer.headers.get("x-mns-request-id"),
        http_status=answer.status,
    )
    error.category = "server" if answer.status >= 500 else "client"
    return error


def delete_errors(answer: Answer) -> dict[str, tuple[str, str]]:
    try:
        return _mns.parse_delete_errors(answer.body)
    except _mns.ProtocolError:
        return {}


def auth_failure(answer: Answer) -> bool:
    if answer.status in (401, 403):
        return True
    if answer.status < 400:
        return False
    code = queue_error(answer).code or ""
    return any(code == c or code.startswith(c + ".") for c in AUTH_CODES)


def network_error(exc: SendError) -> RootError:
    return RequestTimeoutError(str(exc)) if exc.timeout else ConnectionFailedError(str(exc))

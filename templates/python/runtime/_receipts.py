"""Receipts: the messages the service sends about each call, typed, and a receiver for pushed ones.

A receipt is a JSON object whose values the service sends as strings, numbers included
(``"duration": "12"``). The generated receipt models (``<package>.receipts``) read them
tolerantly: a number in a string becomes the number, an empty one ``None``, a value that is
not what the spec says ``None`` too; nothing is lost, since ``raw`` keeps the message as it came.
Enumerated values (status codes, the Chinese words of the hang-up side) stay strings: a value the
spec does not list still arrives.

``PushReceiver`` is a WSGI application for one receipt type's push URL, ``PushReceiver.asgi`` the
same as an ASGI application, and ``PushReceiver.handle`` the same logic for any web framework: it
parses the body, calls the application's handler once per receipt and answers what the service
expects, HTTP 200 with the product's reply; 500 when the handler raised (the service sends the
batch again later), 400 for a body that is not receipts, 405 for another method, 413 for a body
over the limit. A receipt already handled is
not handed over again when it comes back (the last ``remember`` of them, in memory).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

log = logging.getLogger(__name__.rpartition(".")[0] + ".receipts")

MAX_BODY = 10 * 2**20  # bytes of one pushed batch the receiver reads
MAX_EXACT = 2**53 - 1  # the largest integer every SDK of the product holds exactly
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


class ReceiptError(ValueError):
    """A body or message that is not a receipt of the expected type."""


def as_int(value: Any) -> int | None:
    """An integer, or one in decimal text; ``None`` beyond 2**53 - 1 either way, where not every
    SDK could hold it exactly (``raw`` keeps it)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        value = int(value.strip())
    if isinstance(value, int) and -MAX_EXACT <= value <= MAX_EXACT:
        return value
    return None


def as_float(value: Any) -> float | None:
    """A finite number, or one in decimal text (``1.5``, ``-2``, ``1e3``; no ``inf``, ``0x10``, ``1_000``)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        number = float(value.strip())
    else:
        return None
    return number if math.isfinite(number) else None


def as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def as_str(value: Any) -> str | None:
    """Text as it came, and a number or boolean as text (an integral float without its ``.0``; an
    integer beyond 2**53 - 1, which not every SDK reads exactly, gives ``None``)."""
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not -MAX_EXACT <= value <= MAX_EXACT:
        return None
    return _number_text(value) if isinstance(value, float) else str(value)


def _number_text(value: float) -> str:
    """A float as JavaScript's ``String(x)`` writes it (the same shortest digits as ``repr``; plain
    notation from 1e-7 up to 1e21), so that the SDKs of every language give the same text."""
    if not math.isfinite(value) or value == 0:
        return "0" if value == 0 else repr(value)
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    text = "".join(map(str, digits))
    point = len(text) + int(exponent)  # digits before the decimal point (negative: zeros after it)
    if -6 < point <= 0:
        body = "0." + "0" * -point + text
    elif 0 < point <= 21:
        body = text + "0" * (point - len(text)) if point >= len(text) else f"{text[:point]}.{text[point:]}"
    else:
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        body = f"{mantissa}e{'+' if point > 0 else '-'}{abs(point - 1)}"
    return ("-" if sign else "") + body


class Receipt(BaseModel):
    """Base of every receipt model: frozen, tolerant, the message as it came in ``raw``."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    MESSAGE_TYPE: ClassVar[str] = ""
    raw: dict[str, Any] = Field(default_factory=dict, repr=False, exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _keep_raw(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise ReceiptError(
                f"a {cls.MESSAGE_TYPE or 'receipt'} is a JSON object, not {type(data).__name__}"
            )
        return {**data, "raw": dict(data)}


R = TypeVar("R", bound=Receipt)


def parse(kind: type[R], body: bytes | str) -> list[R]:
    """The receipts of one message or push body: a JSON array of objects, or one object."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise ReceiptError(f"the body is not JSON ({type(exc).__name__})") from None
    items = data if isinstance(data, list) else [data]
    try:
        return [kind.model_validate(item) for item in items]
    except ValidationError as exc:
        raise ReceiptError(f"not a {kind.MESSAGE_TYPE or 'receipt'}: {exc.errors()[0]['msg']}") from None


def identity(receipt: Receipt) -> bytes:
    """What makes two receipts the same: their type and their message, whatever its key order
    (a SHA-256, so that remembering many costs little)."""
    text = json.dumps(receipt.raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{receipt.MESSAGE_TYPE}\n{text}".encode()).digest()


class Seen:
    """The identities of the last ``capacity`` receipts handled (thread-safe; 0 remembers none)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._keys: OrderedDict[bytes, None] = OrderedDict()
        self._lock = threading.Lock()

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._keys

    def add(self, key: bytes) -> None:
        with self._lock:
            self._keys[key] = None
            self._keys.move_to_end(key)
            while len(self._keys) > self.capacity:
                self._keys.popitem(last=False)


class PushReceiver(Generic[R]):
    """The application's push URL for receipts of type ``kind``: see the module docstring."""

    def __init__(
        self,
        kind: type[R],
        handler: Callable[[R], object],
        *,
        reply: bytes,
        max_body: int = MAX_BODY,
        remember: int = 10_000,
    ) -> None:
        self.kind = kind
        self.handler = handler
        self.reply = reply
        self.max_body = max_body
        self.seen = Seen(remember)

    def __repr__(self) -> str:
        return f"PushReceiver({self.kind.__name__})"

    def handle(self, body: bytes) -> tuple[int, bytes]:
        """``(HTTP status, body)`` to answer a pushed body with."""
        if len(body) > self.max_body:
            return _TOO_LARGE
        try:
            receipts = parse(self.kind, body)
        except ReceiptError as exc:
            log.warning("a pushed %s body was refused: %s", self.kind.MESSAGE_TYPE, exc)
            return 400, b'{"code": 400, "msg": "not receipts"}'
        for receipt in receipts:
            key = identity(receipt)
            if key in self.seen:
                continue
            try:
                self.handler(receipt)
            except Exception:  # the handler's failure: the service sends the batch again later
                log.exception(
                    "the %s handler failed; the service will send the batch again", self.kind.MESSAGE_TYPE
                )
                return 500, b'{"code": 500, "msg": "handler failed"}'
            self.seen.add(key)
        return 200, self.reply

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD", "GET").upper() != "POST":
            status, body = _NOT_POST
        else:
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > self.max_body:
                status, body = _TOO_LARGE
            else:
                status, body = self.handle(environ["wsgi.input"].read(length) if length > 0 else b"")
        reasons = {200: "OK", 400: "Bad Request", 405: "Method Not Allowed", 413: "Payload Too Large",
                   500: "Internal Server Error"}  # fmt: skip
        headers = [("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(body)))]
        start_response(f"{status} {reasons[status]}", headers)
        return [body]

    async def asgi(
        self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]
    ) -> None:
        """The same receiver as an ASGI application, e.g. ``app.mount("/receipts", receiver.asgi)``.

        The handler runs in the event loop: keep it quick, or hand the receipt to a queue.
        """
        if scope.get("type") != "http":
            return
        status, body = _NOT_POST if scope.get("method", "GET").upper() != "POST" else (0, b"")
        chunks: list[bytes] = []
        size, more = 0, status == 0
        while more:
            message = await receive()
            if message.get("type") == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                status, body = _TOO_LARGE
                break
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        if status == 0:
            status, body = self.handle(b"".join(chunks))
        headers = [
            (b"content-type", b"application/json; charset=utf-8"),
            (b"content-length", b"%d" % len(body)),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


_NOT_POST = 405, b'{"code": 405, "msg": "POST only"}'
_TOO_LARGE = 413, b'{"code": 413, "msg": "too large"}'

"""The emulated receipt queues: the token action and the message-queue protocol (MNS 2015-06-06).

The token action (another product's RPC action, declared by the specs' ``receipts.token``) hands
out a temporary key pair and security token for one message type, valid ``lifetime`` seconds of
the service clock. With them, a client reads the queue of that type (named by the specs' pattern):

* ``GET /queues/<queue>/messages?numOfMessages=N&waitseconds=S`` answers up to N visible
  messages, hiding each for the visibility timeout under a new receipt handle, and waits up to S
  seconds (long polling) before a 404 ``MessageNotExist``;
* ``DELETE /queues/<queue>/messages`` with ``ReceiptHandles`` deletes them: 204, or the handles
  that failed in an ``Errors`` body (a handle is stale once its message was received again).

Every request is checked as the service checks it: ``x-mns-version``, the ``Date`` (15 minutes
either way of the real time), the key, its token (``security-token``) and its expiry on the
service clock, the queue it may read, and the signature.
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import hmac
import json
import secrets
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import _mns
from ._calls import SentReceipt, local_time
from ._gateway import MAX_SKEW, Incoming, Rejection

__all__ = ["QueueError", "Queues", "Token"]


class QueueError(Exception):
    """A refused queue request: HTTP status, MNS error code, message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(code)
        self.status, self.code, self.message = status, code, message


@dataclass
class Token:
    """Temporary credentials the token action handed out, for one message type's queue."""

    access_key_id: str
    access_key_secret: str = field(repr=False)
    security_token: str = field(repr=False)
    message_type: str
    expires_at: float  # service clock


@dataclass
class _Message:
    id: str
    body: str  # base64, as stored and sent
    enqueued_at: float
    visible_at: float
    handle: str | None = None
    dequeue_count: int = 0
    first_dequeued_at: float | None = None


def _ms(epoch: float) -> str:
    return str(int(epoch * 1000))


class Queues:
    """One queue per receipt type, the tokens handed out, and the protocol's answers."""

    def __init__(self, pattern: str, types: list[str], visibility_timeout: float, lifetime: float) -> None:
        self.pattern = pattern  # a queue's name, {type} standing for the message type
        self.types = list(types)
        self.visibility_timeout = visibility_timeout
        self.lifetime = lifetime
        self._queues: dict[str, list[_Message]] = {t: [] for t in types}
        self._tokens: dict[str, Token] = {}
        self._lock = threading.Lock()

    def name(self, message_type: str) -> str:
        return self.pattern.replace("{type}", message_type)

    def _type_of(self, queue: str) -> str | None:
        return next((t for t in self.types if self.name(t) == queue), None)

    # ------------------------------------------------------------------ tokens

    def issue(self, message_type: str, queue: str | None, now: float) -> Token:
        if message_type not in self.types:
            raise Rejection("InvalidParameter", f"no message type {message_type!r}", parameter="MessageType")
        if queue and self._type_of(queue) != message_type:
            raise Rejection(
                "InvalidParameter", f"no queue {queue!r} for {message_type}", parameter="QueueName"
            )
        token = Token(
            access_key_id="STS." + secrets.token_hex(12),
            access_key_secret=secrets.token_urlsafe(24),
            security_token=secrets.token_urlsafe(48),
            message_type=message_type,
            expires_at=now + self.lifetime,
        )
        with self._lock:
            self._tokens = {k: t for k, t in self._tokens.items() if t.expires_at > now - 86400}
            self._tokens[token.access_key_id] = token
        return token

    def expire_tokens(self) -> None:
        """Make every token handed out so far expired (a test of the client's refresh)."""
        with self._lock:
            for token in self._tokens.values():
                token.expires_at = float("-inf")

    # ------------------------------------------------------------------ messages

    def put(self, receipt: SentReceipt, now: float) -> None:
        body = json.dumps([receipt.message], ensure_ascii=False, separators=(",", ":"))
        encoded = base64.b64encode(body.encode("utf-8")).decode("ascii")
        with self._lock:
            queue = self._queues.setdefault(receipt.type, [])
            queue.append(_Message(secrets.token_hex(16).upper(), encoded, now, now))

    def messages(self, message_type: str) -> int:
        """How many messages the queue of this type holds (visible or not)."""
        with self._lock:
            return len(self._queues.get(message_type, []))

    def receive(self, message_type: str, count: int, now: float) -> bytes | None:
        """The ``Messages`` answer for up to ``count`` visible messages; None when there are none."""
        with self._lock:
            taken = [m for m in self._queues.get(message_type, []) if m.visible_at <= now][:count]
            for message in taken:
                message.handle = secrets.token_hex(20)
                message.visible_at = now + self.visibility_timeout
                message.dequeue_count += 1
                if message.first_dequeued_at is None:
                    message.first_dequeued_at = now
            if not taken:
                return None
            root = ET.Element("Messages", xmlns=_mns.NAMESPACE)
            for m in taken:
                element = ET.SubElement(root, "Message")
                md5 = hashlib.md5(m.body.encode("ascii")).hexdigest().upper()
                for name, value in (
                    ("MessageId", m.id),
                    ("ReceiptHandle", m.handle or ""),
                    ("MessageBodyMD5", md5),
                    ("MessageBody", m.body),
                    ("EnqueueTime", _ms(m.enqueued_at)),
                    ("NextVisibleTime", _ms(m.visible_at)),
                    ("FirstDequeueTime", _ms(m.first_dequeued_at or now)),
                    ("DequeueCount", str(m.dequeue_count)),
                    ("Priority", "8"),
                ):
                    ET.SubElement(element, name).text = value
        return _xml(root)

    def delete(self, message_type: str, handles: list[str], now: float) -> dict[str, tuple[str, str]]:
        """Delete the messages of these handles; the handles that failed, with code and message."""
        failed: dict[str, tuple[str, str]] = {}
        with self._lock:
            queue = self._queues.get(message_type, [])
            for handle in handles:
                found = next((m for m in queue if m.handle == handle), None)
                if found is None:
                    failed[handle] = ("ReceiptHandleError", "The receipt handle you provided is not valid.")
                elif found.visible_at <= now:
                    failed[handle] = (
                        "MessageNotExist",
                        "The message was received again with another handle.",
                    )
                else:
                    queue.remove(found)
        return failed

    def clear(self) -> None:
        with self._lock:
            for queue in self._queues.values():
                queue.clear()
            self._tokens.clear()

    # ------------------------------------------------------------------ the protocol

    def authenticate(self, request: Incoming, resource: str, now: float) -> Token:
        """The token a queue request was signed with; ``QueueError`` when the check fails."""
        if request.header("x-mns-version") != _mns.VERSION:
            raise QueueError(400, "InvalidArgument", f"x-mns-version must be {_mns.VERSION}.")
        date = request.header("date") or ""
        try:
            sent = email.utils.parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError):
            raise QueueError(
                400, "InvalidArgument", "The Date header is missing or not an HTTP date."
            ) from None
        if abs(sent - time.time()) > MAX_SKEW:
            raise QueueError(408, "TimeExpired", "The Date header is more than 15 minutes away.")
        scheme, _, credentials = (request.header("authorization") or "").partition(" ")
        key_id, _, signature = credentials.partition(":")
        if scheme != "MNS" or not key_id or not signature:
            raise QueueError(403, "AccessDenied", "The Authorization header is missing or malformed.")
        with self._lock:
            token = self._tokens.get(key_id)
        if token is None:
            raise QueueError(403, "InvalidAccessKeyId", "The access key id does not exist.")
        given = request.header("security-token") or ""
        if not hmac.compare_digest(given.encode(), token.security_token.encode()):
            raise QueueError(403, "AccessDenied", "The security token does not match the access key.")
        if now >= token.expires_at:
            raise QueueError(403, "SecurityTokenExpired", "The security token has expired.")
        headers = {k: v for k, v in request.headers}
        expected = _mns.authorization(request.method, resource, headers, key_id, token.access_key_secret)
        if not hmac.compare_digest(expected.encode(), f"MNS {key_id}:{signature}".encode()):
            raise QueueError(403, "SignatureDoesNotMatch", "The request signature does not match.")
        return token

    def answer(self, request: Incoming, now: float) -> tuple[int, bytes, tuple[str, int, int] | None]:
        """``(status, body, long poll)`` of one queue request; the long poll, when the receive found
        nothing and may wait, is ``(message type, count, seconds)``."""
        parts = request.path.strip("/").split("/")
        if len(parts) != 3 or parts[0] != "queues" or parts[2] != "messages":
            raise QueueError(404, "InvalidArgument", "Unknown resource.")
        message_type = self._type_of(parts[1])
        if message_type is None:
            raise QueueError(404, "QueueNotExist", "The queue does not exist.")
        resource = request.path + (f"?{request.raw_query}" if request.raw_query else "")
        token = self.authenticate(request, resource, now)
        if token.message_type != message_type:
            raise QueueError(403, "AccessDenied", "The token is for another queue.")
        if request.method == "GET":
            count = _int_param(request, "numOfMessages", 16, 1, 16)
            wait = _int_param(request, "waitseconds", 0, 0, 30)
            body = self.receive(message_type, count, now)
            if body is not None:
                return 200, body, None
            poll = (message_type, count, wait) if wait else None
            return 404, error_body("MessageNotExist", "Message not exist."), poll
        if request.method == "DELETE":
            try:
                root = ET.fromstring(request.body) if b"<!" not in request.body else None
            except ET.ParseError:
                root = None
            if root is None:
                raise QueueError(400, "InvalidArgument", "The body is not a ReceiptHandles document.")
            handles = [e.text or "" for e in root.iter() if e.tag.rpartition("}")[2] == "ReceiptHandle"]
            if not handles or len(handles) > 16:
                raise QueueError(400, "InvalidArgument", "Give 1 to 16 receipt handles.")
            failed = self.delete(message_type, handles, now)
            if not failed:
                return 204, b"", None
            errors = ET.Element("Errors", xmlns=_mns.NAMESPACE)
            for handle, (code, message) in failed.items():
                error = ET.SubElement(errors, "Error")
                ET.SubElement(error, "ErrorCode").text = code
                ET.SubElement(error, "ErrorMessage").text = message
                ET.SubElement(error, "ReceiptHandle").text = handle
            return 404, _xml(errors), None
        raise QueueError(405, "InvalidArgument", "Only GET and DELETE are served on messages.")


def _int_param(request: Incoming, name: str, default: int, low: int, high: int) -> int:
    raw = request.param(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9) or not low <= int(raw) <= high:
        raise QueueError(400, "InvalidArgument", f"The value of {name} should be between {low} and {high}.")
    return int(raw)


def _xml(root: ET.Element) -> bytes:
    text: str = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + text).encode("utf-8")


def error_body(code: str, message: str, request_id: str = "") -> bytes:
    root = ET.Element("Error", xmlns=_mns.NAMESPACE)
    for name, value in (("Code", code), ("Message", message), ("RequestId", request_id), ("HostId", "")):
        ET.SubElement(root, name).text = value
    return _xml(root)


def token_body(token: Token, now: float, offset_minutes: int) -> Mapping[str, Any]:
    """The token action's ``MessageTokenDTO``: times as ``YYYY-MM-DD HH:MM:SS`` in the product's zone."""

    pattern = "%Y-%m-%d %H:%M:%S"
    return {
        "AccessKeyId": token.access_key_id,
        "AccessKeySecret": token.access_key_secret,
        "SecurityToken": token.security_token,
        "CreateTime": local_time(now, offset_minutes, pattern),
        "ExpireTime": local_time(token.expires_at, offset_minutes, pattern),
    }

"""The message-queue protocol receipts are pulled with (MNS, version 2015-06-06), as pure functions.

Requests are signed like this: ``Authorization: MNS <AccessKeyId>:<signature>``, the signature being
base64 of HMAC-SHA1, keyed by the secret, over the lines

    VERB, Content-MD5, Content-Type, Date,
    then each ``x-mns-*`` header as ``name:value`` (names lower-case, sorted), then the resource
    (the path with its query, as sent),

with temporary credentials' token in a ``security-token`` header, which is not signed. A receive
is ``GET /queues/<queue>/messages?numOfMessages=N&waitseconds=S`` answered with ``Messages`` XML
(or a 404 ``MessageNotExist`` when the long poll found none); a delete is ``DELETE
/queues/<queue>/messages`` with a ``ReceiptHandles`` XML body, answered 204, or with ``Errors``
naming the handles that failed. A message's body is base64 of the receipts' JSON, and
``MessageBodyMD5`` the upper-case hex MD5 of the body as sent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from email.utils import formatdate
from urllib.parse import quote

VERSION = "2015-06-06"
NAMESPACE = "http://mns.aliyuncs.com/doc/v1/"
CONTENT_TYPE = "text/xml;charset=UTF-8"


def http_date(timestamp: float | None = None) -> str:
    """An RFC 1123 date in GMT, as the ``Date`` header wants it."""
    return formatdate(timestamp, usegmt=True)


def string_to_sign(method: str, resource: str, headers: dict[str, str]) -> str:
    lower = {k.lower(): v for k, v in headers.items()}
    mns = "".join(f"{k}:{lower[k]}\n" for k in sorted(lower) if k.startswith("x-mns-"))
    parts = (
        method.upper(),
        lower.get("content-md5", ""),
        lower.get("content-type", ""),
        lower.get("date", ""),
    )
    return "\n".join(parts) + "\n" + mns + resource


def authorization(method: str, resource: str, headers: dict[str, str], key_id: str, secret: str) -> str:
    text = string_to_sign(method, resource, headers)
    digest = hmac.new(secret.encode("utf-8"), text.encode("utf-8"), hashlib.sha1).digest()
    return f"MNS {key_id}:{base64.b64encode(digest).decode('ascii')}"


def receive_resource(queue: str, batch: int, wait_seconds: int) -> str:
    return f"/queues/{quote(queue, safe='')}/messages?numOfMessages={batch}&waitseconds={wait_seconds}"


def delete_resource(queue: str) -> str:
    return f"/queues/{quote(queue, safe='')}/messages"


def delete_body(handles: list[str]) -> bytes:
    root = ET.Element("ReceiptHandles", xmlns=NAMESPACE)
    for handle in handles:
        ET.SubElement(root, "ReceiptHandle").text = handle
    text: str = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>' + text).encode("utf-8")


@dataclass(frozen=True)
class Message:
    """One queued message: its id, its handle (to delete it) and its decoded body."""

    message_id: str
    receipt_handle: str = field(repr=False)
    body: bytes = field(repr=False)  # decoded from base64
    dequeue_count: int
    enqueue_time: int  # epoch milliseconds


class ProtocolError(ValueError):
    """An answer that is not what the protocol says (a body that does not match its MD5, say)."""


def _text(element: ET.Element, name: str) -> str:
    found = element.find(f"{{{NAMESPACE}}}{name}")
    if found is None:
        found = element.find(name)
    return (found.text or "") if found is not None else ""


def _children(root: ET.Element, name: str) -> list[ET.Element]:
    return [*root.findall(f"{{{NAMESPACE}}}{name}"), *root.findall(name)]


def _parse_xml(data: bytes) -> ET.Element:
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise ProtocolError("the answer declares a DTD or entities")
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise ProtocolError(f"the answer is not XML ({exc})") from None


def parse_messages(data: bytes) -> list[Message]:
    """The messages of a receive answer; ``ProtocolError`` for a body that fails its MD5."""
    out = []
    for element in _children(_parse_xml(data), "Message"):
        encoded = _text(element, "MessageBody")
        expected = _text(element, "MessageBodyMD5").upper()
        if expected and hashlib.md5(encoded.encode("utf-8")).hexdigest().upper() != expected:
            raise ProtocolError(f"message {_text(element, 'MessageId')}: the body does not match its MD5")
        try:
            body = base64.b64decode(encoded, validate=True)
        except ValueError:
            body = encoded.encode("utf-8")  # a queue may hold plain text
        out.append(
            Message(
                message_id=_text(element, "MessageId"),
                receipt_handle=_text(element, "ReceiptHandle"),
                body=body,
                dequeue_count=int(_text(element, "DequeueCount") or 0),
                enqueue_time=int(_text(element, "EnqueueTime") or 0),
            )
        )
    return out


def parse_error(data: bytes) -> tuple[str, str, str]:
    """``(code, message, request id)`` of an ``Error`` answer."""
    root = _parse_xml(data)
    return _text(root, "Code"), _text(root, "Message"), _text(root, "RequestId")


def parse_delete_errors(data: bytes) -> dict[str, tuple[str, str]]:
    """Receipt handle → ``(code, message)`` of each message a batch delete could not delete."""
    return {
        _text(e, "ReceiptHandle"): (_text(e, "ErrorCode"), _text(e, "ErrorMessage"))
        for e in _children(_parse_xml(data), "Error")
    }

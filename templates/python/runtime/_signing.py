"""Wire encoding and request signing for Alibaba Cloud RPC APIs (standard library only).

An RPC call is ``POST /?<query>`` with an empty body: every request field travels in the
query string. This module turns request values into query pairs and signs them, byte for
byte as the official Python SDK does:

* :func:`flatten` turns wire-named values into flat pairs (``MenuKeyMap.1.Key=...``) and
  :func:`wire_value` renders one scalar (booleans as ``true``/``false``).
* :func:`v3_headers` + :func:`sign_v3` give the default ACS3-HMAC-SHA256 signature (the
  ``Authorization`` header). Nothing but the business parameters goes in the query.
* :func:`sign_v1` gives the classic HMAC-SHA1 "SignatureVersion 1.0" query, with
  ``Signature`` as its last pair; :func:`v1_headers` are the headers sent with it.
* :func:`encode_query` writes the pairs on the wire (``quote_plus``: space is ``+``).
  The signatures use another encoding, :func:`percent_encode` (space is ``%20``), of
  the same *decoded* values, which is what the server re-computes.

Secrets are only ever used as HMAC keys: no value, let alone a secret, is put in an
exception message.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote, quote_plus

__all__ = [
    "EMPTY_SHA256",
    "V3_ALGORITHM",
    "encode_query",
    "flatten",
    "json_value",
    "new_nonce",
    "percent_encode",
    "sign_v1",
    "sign_v3",
    "utc_timestamp",
    "v1_headers",
    "v1_signature",
    "v3_headers",
    "wire_value",
]

V3_ALGORITHM = "ACS3-HMAC-SHA256"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
"""Hex SHA-256 of the empty body: the ``x-acs-content-sha256`` of every RPC call."""

Pairs = Sequence[tuple[str, str]]
_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*").fullmatch


def percent_encode(value: str) -> str:
    """RFC 3986 encoding used inside signatures.

    UTF-8 bytes outside ``A-Z a-z 0-9 - _ . ~`` become ``%XX`` (uppercase hex), so a
    space is ``%20``, ``*`` is ``%2A`` and ``/`` is ``%2F``; ``~`` stays as it is.
    """
    if _UNRESERVED(value):  # the common case (numbers, ids) needs no work
        return value
    return quote(value, safe="~", encoding="utf-8")


def encode_query(pairs: Pairs) -> str:
    """The query string as sent on the wire, like ``urllib.parse.urlencode``.

    This is ``quote_plus`` (space becomes ``+``): *not* the encoding that is signed.
    """
    return "&".join(f"{_plus(k)}={_plus(v)}" for k, v in pairs)


def _plus(value: str) -> str:
    return value if _UNRESERVED(value) else quote_plus(value, safe="~")


def wire_value(value: object) -> str:
    """Render one scalar as the server expects it.

    ``True``/``False`` become ``true``/``false`` (the official SDK sends Python's
    ``True``/``False``); ints are decimal; floats are ``str(float)`` (``0.5``,
    ``1e-05``), as the official SDK sends them; strings are sent as they are. Enum
    members of these types are sent by value (``str()`` of a ``str`` enum is not).
    """
    if isinstance(value, bool):  # before int: bool is a subclass of int
        return "true" if value else "false"
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return float.__repr__(value)  # the same as str(): shortest round-trip form
    raise TypeError(f"cannot send a value of type {type(value).__name__}")


def json_value(obj: Any) -> str:
    """Compact JSON for fields serialized as JSON, non-ASCII kept (``{"a":"张三"}``)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def flatten(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Flatten wire-named values into query pairs, in the mapping's order (repeatList).

    ``None`` is dropped, a list becomes ``Key.1``, ``Key.2``, ... (1-based; an empty
    list sends nothing) and a mapping ``Key.Sub``, nested to any depth::

        {"MenuKeyMap": [{"Key": "1", "Code": "c"}]}
        -> [("MenuKeyMap.1.Key", "1"), ("MenuKeyMap.1.Code", "c")]
    """
    out: list[tuple[str, str]] = []

    def walk(key: str, value: Any) -> None:
        if value is None:
            return
        if isinstance(value, Mapping):
            for sub, item in value.items():
                walk(f"{key}.{sub}", item)
        elif isinstance(value, (list, tuple)):
            for index, item in enumerate(value, start=1):
                walk(f"{key}.{index}", item)
        else:
            out.append((key, wire_value(value)))

    for key, value in params.items():
        walk(key, value)
    return out


def _canonical_query(pairs: Pairs) -> str:
    """Pairs sorted by name, ``name=value`` both percent-encoded, joined by ``&``.

    (Under V3 the official SDK leaves names raw: the same for ``A-Za-z0-9._-`` names.)
    """
    ordered = sorted(pairs, key=lambda pair: pair[0])
    return "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in ordered)


def new_nonce() -> str:
    """A fresh ``SignatureNonce``: 32 lowercase hex characters from :mod:`secrets`."""
    return secrets.token_hex(16)


def utc_timestamp(now: float | None = None) -> str:
    """UTC time as ``2024-01-02T03:04:05Z``; ``now`` in epoch seconds, default now."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))


def v3_headers(
    *,
    host: str,
    action: str,
    version: str,
    timestamp: str,
    nonce: str,
    user_agent: str,
    security_token: str | None = None,
    access_key_id: str | None = None,
) -> dict[str, str]:
    """The headers of a V3-signed RPC call, in the official SDK's order; all are signed.

    With an STS ``security_token`` the key id and token travel as ``x-acs-accesskey-id``
    and ``x-acs-security-token`` and the credentials provider is ``static_sts``.
    """
    headers = {
        "host": host,
        "x-acs-version": version,
        "x-acs-action": action,
        "user-agent": user_agent,
        "x-acs-date": timestamp,
        "x-acs-signature-nonce": nonce,
        "accept": "application/json",
        "x-acs-content-sha256": EMPTY_SHA256,
        "x-acs-credentials-provider": "static_sts" if security_token else "static_ak",
    }
    if security_token:
        if not access_key_id:
            raise ValueError("an STS security token needs its access key id")
        headers["x-acs-accesskey-id"] = access_key_id
        headers["x-acs-security-token"] = security_token
    return headers


def sign_v3(
    *,
    method: str,
    host: str,
    pathname: str,
    query: Pairs,
    headers: Mapping[str, str],
    access_key_id: str,
    access_key_secret: str,
    body: bytes = b"",
) -> str:
    """The ``Authorization`` header value of an ACS3-HMAC-SHA256 (V3) request.

    The canonical request is, one per line: the method, the path, the query sorted by
    name (``name=percent_encode(value)`` joined by ``&``), every header as
    ``name:value`` (lowercased name, stripped value, sorted by name; this block ends
    with its own newline), the signed header names joined by ``;``, and the hex SHA-256
    of the body. The string to sign is ``ACS3-HMAC-SHA256`` and the hex SHA-256 of the
    canonical request on two lines; the signature is its hex HMAC-SHA256 keyed by the
    secret (no ``&`` suffix). ``host`` is the ``host`` header (added if missing).
    """
    merged: dict[str, list[str]] = {}
    for name, value in headers.items():
        merged.setdefault(name.lower(), []).append(value.strip())
    if merged.setdefault("host", [host]) != [host]:
        raise ValueError("the host header disagrees with host")
    names = sorted(merged)
    canonical_headers = "".join(f"{n}:{','.join(sorted(merged[n]))}\n" for n in names)
    signed_headers = ";".join(names)
    canonical_request = "\n".join(
        [
            method,
            pathname or "/",
            _canonical_query(query),
            canonical_headers,
            signed_headers,
            hashlib.sha256(body).hexdigest(),
        ]
    )
    digest = hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()
    signature = hmac.new(
        access_key_secret.encode("utf-8"),
        f"{V3_ALGORITHM}\n{digest}".encode("utf-8"),
        hashlib.sha256,
    ).hexdigest()
    credential = f"Credential={access_key_id},SignedHeaders={signed_headers}"
    return f"{V3_ALGORITHM} {credential},Signature={signature}"


def v1_headers(
    *,
    host: str,
    action: str,
    version: str,
    user_agent: str,
    security_token: str | None = None,
) -> dict[str, str]:
    """The headers the official SDK sends with a V1-signed call (none are signed)."""
    return {
        "host": host,
        "x-acs-version": version,
        "x-acs-action": action,
        "user-agent": user_agent,
        "x-acs-credentials-provider": "static_sts" if security_token else "static_ak",
    }


def sign_v1(
    *,
    action: str,
    version: str,
    params: Pairs,
    timestamp: str,
    nonce: str,
    access_key_id: str,
    access_key_secret: str,
    security_token: str | None = None,
    method: str = "POST",
) -> list[tuple[str, str]]:
    """The whole query of an HMAC-SHA1 "SignatureVersion 1.0" (V1) call, in wire order.

    ``Action``, ``Format=json``, ``Version``, ``Timestamp``, ``SignatureNonce``, the
    business ``params``, ``SecurityToken`` (STS only), ``SignatureMethod``,
    ``SignatureVersion``, ``AccessKeyId`` and last ``Signature``. The string to sign
    is ``METHOD&%2F&`` + percent_encode(the pairs sorted by name, each
    ``percent_encode(name)=percent_encode(value)``, joined by ``&``); the signature is
    the Base64 HMAC-SHA1 of it keyed by ``secret + "&"``.
    """
    query: list[tuple[str, str]] = [
        ("Action", action),
        ("Format", "json"),
        ("Version", version),
        ("Timestamp", timestamp),
        ("SignatureNonce", nonce),
        *params,
    ]
    if security_token:
        query.append(("SecurityToken", security_token))
    query += [
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
        ("AccessKeyId", access_key_id),
    ]
    query.append(("Signature", v1_signature(query, access_key_secret=access_key_secret, method=method)))
    return query


def v1_signature(pairs: Pairs, *, access_key_secret: str, method: str = "POST") -> str:
    """The Base64 HMAC-SHA1 V1 signature of a query's pairs (``Signature`` itself left out).

    The string to sign is ``METHOD&%2F&`` + percent_encode(the pairs sorted by name, each
    ``percent_encode(name)=percent_encode(value)``, joined by ``&``); the key is
    ``secret + "&"``. :func:`sign_v1` uses it to sign; a server uses it to check a
    received query, whatever common parameters it carries.
    """
    canonical = _canonical_query([(k, v) for k, v in pairs if k != "Signature"])
    string_to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(
        f"{access_key_secret}&".encode("utf-8"),
        string_to_sign.encode("utf-8"),
        hashlib.sha1,
    ).digest()
    return base64.b64encode(digest).decode("ascii")

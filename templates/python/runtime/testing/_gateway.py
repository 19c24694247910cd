"""The emulated API gateway: which action a request names, and whether it is properly signed.

Both schemes of the real gateway are checked with the SDK's own signing functions: the default
ACS3-HMAC-SHA256 (V3: ``Authorization`` header, ``x-acs-*`` headers) and the classic HMAC-SHA1
"SignatureVersion 1.0" (V1: ``Action``, ``Signature`` ... in the query). A failed check raises
:class:`Rejection` with the gateway's error code.
"""

from __future__ import annotations

import calendar
import hmac
import re
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .. import _signing

__all__ = ["COMMON_PARAMETERS", "Identity", "Incoming", "KeyPair", "NonceBook", "Rejection", "authenticate"]

MAX_SKEW = 15 * 60
"""Seconds a request's timestamp may be away from the gateway's time."""

COMMON_PARAMETERS = frozenset(
    {
        "Action",
        "Version",
        "Format",
        "Timestamp",
        "SignatureNonce",
        "SignatureMethod",
        "SignatureVersion",
        "SignatureType",
        "AccessKeyId",
        "Signature",
        "SecurityToken",
        "RegionId",
    }
)
"""Query parameters of the RPC protocol itself, never passed on to an action."""

_TIMESTAMP = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d{1,9})?Z")
_AUTHORIZATION = re.compile(r"(?P<algorithm>\S+) (?P<rest>.*)")


class Rejection(Exception):
    """The gateway (or the service) refuses a request with ``code``; ``detail`` adds a hint."""

    def __init__(self, code: str, detail: str = "", *, parameter: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail
        self.parameter = parameter


@dataclass
class KeyPair:
    """An AccessKey the emulator accepts; with ``security_token``, a token it must match."""

    access_key_id: str
    access_key_secret: str = field(repr=False)
    security_token: str | None = field(default=None, repr=False)
    enabled: bool = True


@dataclass(frozen=True)
class Incoming:
    """A request as it arrived: method, path, decoded query pairs, headers, body."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    headers: tuple[tuple[str, str], ...]  # names lower-cased, in arrival order
    body: bytes = b""
    form: tuple[tuple[str, str], ...] = ()  # form-encoded body parameters, if any
    raw_query: str = ""  # the query as sent, undecoded

    def header(self, name: str) -> str | None:
        values = [v for k, v in self.headers if k == name]
        return ",".join(values) if values else None

    def param(self, name: str) -> str | None:
        for key, value in (*self.query, *self.form):
            if key == name:
                return value
        return None


@dataclass(frozen=True)
class Identity:
    """Who signed a request, and how."""

    access_key_id: str
    signature_version: str  # "v3" | "v1"
    security_token: str | None


class NonceBook:
    """Nonces seen in the last 15 minutes, per AccessKey id (thread-safe)."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()
        self._next_prune = 0.0

    def use(self, key_id: str, nonce: str, now: float) -> bool:
        """Record a nonce; ``False`` if it was already used."""
        with self._lock:
            if now >= self._next_prune:
                self._seen = {k: t for k, t in self._seen.items() if now - t <= MAX_SKEW}
                self._next_prune = now + 60
            if (key_id, nonce) in self._seen:
                return False
            self._seen[(key_id, nonce)] = now
            return True

    def clear(self) -> None:
        with self._lock:
            self._seen.clear()


def action_and_version(request: Incoming) -> tuple[str | None, str | None, str]:
    """The action, version and signature scheme (``v3``, ``v1`` or ``none``) a request names."""
    if request.header("authorization") is not None:
        return request.header("x-acs-action"), request.header("x-acs-version"), "v3"
    action, version = request.param("Action"), request.param("Version")
    if any(request.param(p) is not None for p in ("Signature", "AccessKeyId", "SignatureMethod")):
        return action, version, "v1"
    return action or request.header("x-acs-action"), version or request.header("x-acs-version"), "none"


def parse_timestamp(text: str | None, missing: str) -> float:
    """Epoch seconds of an ISO 8601 UTC timestamp (``2024-01-02T03:04:05Z``)."""
    if not text:
        raise Rejection(missing)
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        raise Rejection("InvalidTimeStamp.Format")
    try:
        return float(calendar.timegm(time.strptime(text[:19], "%Y-%m-%dT%H:%M:%S")))
    except ValueError:
        raise Rejection("InvalidTimeStamp.Format") from None


def authenticate(
    request: Incoming,
    scheme: str,
    keys: Mapping[str, KeyPair],
    nonces: NonceBook,
    now: float,
) -> Identity:
    """Check a request's signature, key, token, timestamp and nonce; return who sent it."""
    if scheme == "v3":
        return _check_v3(request, keys, nonces, now)
    if scheme == "v1":
        return _check_v1(request, keys, nonces, now)
    raise Rejection("MissingAccessKeyId")


def _key(keys: Mapping[str, KeyPair], key_id: str, token: str | None) -> KeyPair:
    pair = keys.get(key_id)
    if pair is None:
        raise Rejection("InvalidAccessKeyId.NotFound")
    if not pair.enabled:
        raise Rejection("InvalidAccessKeyId.Inactive")
    if token is None and key_id.startswith("STS."):
        raise Rejection("MissingSecurityToken")
    if token is not None and pair.security_token is not None:
        if not hmac.compare_digest(token.encode(), pair.security_token.encode()):
            raise Rejection("InvalidSecurityToken.MismatchWithAccessKey")
    return pair


def _check_time_and_nonce(
    timestamp: float, nonce: str | None, key_id: str, nonces: NonceBook, now: float, signed: bool
) -> None:
    if abs(timestamp - now) > MAX_SKEW:
        raise Rejection("InvalidTimeStamp.Expired")
    if not signed:
        raise Rejection("SignatureDoesNotMatch")
    if not nonce:
        raise Rejection("MissingSignatureNonce")
    if not nonces.use(key_id, nonce, now):
        raise Rejection("SignatureNonceUsed")


def _check_v3(request: Incoming, keys: Mapping[str, KeyPair], nonces: NonceBook, now: float) -> Identity:
    authorization = request.header("authorization") or ""
    match = _AUTHORIZATION.fullmatch(authorization.strip())
    if match is None or match["algorithm"] != _signing.V3_ALGORITHM:
        raise Rejection("IncompleteSignature", "only ACS3-HMAC-SHA256 is supported")
    fields: dict[str, str] = {}
    for part in match["rest"].split(","):
        name, sep, value = part.strip().partition("=")
        if not sep:
            raise Rejection("IncompleteSignature")
        fields[name] = value
    key_id, signed_headers, signature = (fields.get(k) for k in ("Credential", "SignedHeaders", "Signature"))
    if not key_id or not signed_headers or not signature:
        raise Rejection("IncompleteSignature")
    names = signed_headers.split(";")
    present = {name for name, _ in request.headers}
    must_sign = {"host"} | {n for n in present if n.startswith("x-acs-")}
    if set(names) - present or must_sign - set(names):
        raise Rejection("IncompleteSignature", "SignedHeaders must list host and every x-acs-* header")
    token = request.header("x-acs-security-token")
    pair = _key(keys, key_id, token)
    timestamp = parse_timestamp(request.header("x-acs-date"), "MissingTimestamp")
    headers = {name: request.header(name) or "" for name in names}
    expected = _signing.sign_v3(
        method=request.method,
        host=headers["host"],
        pathname=request.path,
        query=request.query,
        headers=headers,
        access_key_id=key_id,
        access_key_secret=pair.access_key_secret,
        body=request.body,
    )
    signed = hmac.compare_digest(expected.rpartition("Signature=")[2].encode(), signature.encode())
    nonce = request.header("x-acs-signature-nonce")
    _check_time_and_nonce(timestamp, nonce, key_id, nonces, now, signed)
    return Identity(key_id, "v3", token)


def _check_v1(request: Incoming, keys: Mapping[str, KeyPair], nonces: NonceBook, now: float) -> Identity:
    for name in ("AccessKeyId", "Signature", "SignatureMethod", "SignatureVersion"):
        if not request.param(name):
            raise Rejection(f"Missing{name}")
    if request.param("SignatureMethod") != "HMAC-SHA1" or request.param("SignatureVersion") != "1.0":
        raise Rejection("IncompleteSignature", "only HMAC-SHA1 SignatureVersion 1.0 is supported")
    key_id = request.param("AccessKeyId") or ""
    token = request.param("SecurityToken")
    pair = _key(keys, key_id, token)
    timestamp = parse_timestamp(request.param("Timestamp"), "MissingTimestamp")
    pairs: Sequence[tuple[str, str]] = (*request.query, *request.form)
    expected = _signing.v1_signature(pairs, access_key_secret=pair.access_key_secret, method=request.method)
    signed = hmac.compare_digest(expected.encode(), (request.param("Signature") or "").encode())
    _check_time_and_nonce(timestamp, request.param("SignatureNonce"), key_id, nonces, now, signed)
    return Identity(key_id, "v1", token)

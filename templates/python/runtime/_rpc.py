"""Signed RPC requests and the service's answers, shared by the clients and the receipts consumer:
credentials (given or from the environment, checked, never shown), the endpoint, a request signed
V3 or V1 (pure: a fresh nonce and timestamp unless given), and an answer turned into its body or
the error it carries, with what that error means for a retry.
"""

from __future__ import annotations

import json
import os
import platform
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from . import _signing
from ._errors import CredentialsError, InvalidArgumentError, InvalidResponseError, RootError, error_from_body
from ._meta import (
    DEFAULT_ENDPOINT,
    ENV_ACCESS_KEY_ID,
    ENV_ACCESS_KEY_SECRET,
    ENV_ENDPOINT,
    ENV_SECURITY_TOKEN,
    SDK_NAME,
    SDK_VERSION,
)
from ._retry import Outcome
from ._transport import Answer, Prepared

USER_AGENT = (
    f"{SDK_NAME}/{SDK_VERSION} ({platform.system()}; {platform.machine()}) Python/{platform.python_version()}"
)


_SAFE_HEADER_TEXT = re.compile(r"[\x21-\x7e]+")  # what a credential can be: printable ASCII, no spaces


def _check_credential(name: str, value: object) -> str:
    """``value`` if it can travel in a header; else a ``CredentialsError`` that does not show it."""
    if not isinstance(value, str):
        raise CredentialsError(f"{name} must be a string, not {type(value).__name__}")
    if not _SAFE_HEADER_TEXT.fullmatch(value):
        raise CredentialsError(
            f"{name} contains spaces, line breaks or characters other than printable ASCII:"
            " check how it was copied (its value is not shown)"
        )
    return value


@dataclass(frozen=True)
class Credentials:
    """An AccessKey pair, with an STS token when the pair is temporary. Never shows the secrets."""

    access_key_id: str
    access_key_secret: str = field(repr=False)
    security_token: str | None = field(default=None, repr=False)

    @classmethod
    def resolve(cls, key_id: str | None, secret: str | None, token: str | None) -> Credentials:
        """The given values, else the environment's; each checked (``CredentialsError``)."""
        key_id = key_id or os.environ.get(ENV_ACCESS_KEY_ID)
        secret = secret or os.environ.get(ENV_ACCESS_KEY_SECRET)
        token = token or os.environ.get(ENV_SECURITY_TOKEN) or None
        missing = [
            name
            for name, value in ((ENV_ACCESS_KEY_ID, key_id), (ENV_ACCESS_KEY_SECRET, secret))
            if not value
        ]
        if missing:
            raise CredentialsError(
                "no credentials: pass access_key_id and access_key_secret, or set " + " and ".join(missing)
            )
        return cls(
            _check_credential("access_key_id", key_id),
            _check_credential("access_key_secret", secret),
            None if token is None else _check_credential("security_token", token),
        )


def prepare_rpc(
    scheme: str,
    host: str,
    action: str,
    version: str,
    params: list[tuple[str, str]],
    creds: Credentials,
    signature_version: str,
    extra_headers: Mapping[str, str] | None = None,
) -> Prepared:
    """A signed RPC request (POST, parameters in the query) of any action of any product: V3
    (ACS3-HMAC-SHA256) or V1 (HMAC-SHA1); a fresh nonce and timestamp each time. Extra headers
    are added before signing (a V3 signature covers them)."""
    timestamp, nonce = _signing.utc_timestamp(), _signing.new_nonce()
    if signature_version == "v1":
        query = _signing.sign_v1(
            action=action,
            version=version,
            params=params,
            timestamp=timestamp,
            nonce=nonce,
            access_key_id=creds.access_key_id,
            access_key_secret=creds.access_key_secret,
            security_token=creds.security_token,
        )
        headers = _signing.v1_headers(
            host=host,
            action=action,
            version=version,
            user_agent=USER_AGENT,
            security_token=creds.security_token,
        )
        if extra_headers:
            headers.update(extra_headers)
    else:
        query = params
        headers = _signing.v3_headers(
            host=host,
            action=action,
            version=version,
            timestamp=timestamp,
            nonce=nonce,
            user_agent=USER_AGENT,
            access_key_id=creds.access_key_id,
            security_token=creds.security_token,
        )
        if extra_headers:
            headers.update(extra_headers)
        headers["Authorization"] = _signing.sign_v3(
            method="POST",
            host=host,
            pathname="/",
            query=query,
            headers=headers,
            access_key_id=creds.access_key_id,
            access_key_secret=creds.access_key_secret,
        )
    headers["content-length"] = "0"
    target = f"/?{_signing.encode_query(query)}" if query else "/"
    return Prepared(scheme, host, target, headers)


def parse_endpoint(endpoint: str | None, protocol: str) -> tuple[str, str]:
    """``(scheme, host[:port])`` from a host, host:port or URL; a URL's scheme wins.

    With no endpoint given, the environment variable named by ``ENV_ENDPOINT`` is used if set,
    else the product's default endpoint.
    """
    if endpoint is not None and not isinstance(endpoint, str):
        raise InvalidArgumentError(f"endpoint must be a string, not {type(endpoint).__name__}")
    if protocol not in ("http", "https"):
        raise InvalidArgumentError(f"protocol must be 'https' or 'http', not {protocol!r}")
    endpoint = (endpoint or os.environ.get(ENV_ENDPOINT) or DEFAULT_ENDPOINT).strip()
    if "://" in endpoint:
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InvalidArgumentError(f"endpoint {endpoint!r} is not an http(s) URL")
        return parts.scheme, parts.netloc
    if not endpoint or any(c in endpoint for c in " /?#@\r\n"):
        raise InvalidArgumentError(f"endpoint {endpoint!r} is not a host[:port] or an http(s) URL")
    return protocol, endpoint.rstrip("/")


def interpret(answer: Answer) -> tuple[dict[str, Any] | None, RootError | None]:
    """The body of a successful answer, or the error it carries."""
    request_id = answer.headers.get("x-acs-request-id")
    status = answer.status
    if 300 <= status < 400:
        location = urlsplit(answer.headers.get("location", ""))
        where = f" to {location.scheme}://{location.netloc}{location.path}" if location.netloc else ""
        return None, InvalidResponseError(
            f"the service answered HTTP {status}, a redirect{where}: check the endpoint",
            http_status=status,
            request_id=request_id,
            body=answer.body,
        )
    parsed = True
    try:
        body = json.loads(answer.body) if answer.body.strip() else None
    except (ValueError, RecursionError):
        body, parsed = None, False
    if not isinstance(body, dict):
        snippet = answer.body[:200].decode("utf-8", "replace").strip().replace("\n", " ")
        kind = "a JSON body that is not an object" if parsed else "a body that is not JSON"
        what = f"{kind}: {snippet!r}" if snippet else "an empty body"
        return None, InvalidResponseError(
            f"the service answered HTTP {status} with {what}",
            http_status=status,
            request_id=request_id,
            body=answer.body,
        )
    code = body.get("Code")
    if status >= 400 or (code is not None and code != "OK"):
        return None, error_from_body(body, http_status=status, request_id=request_id)
    if not body.get("RequestId"):
        return None, InvalidResponseError(
            f"the service answered HTTP {status} without a RequestId: not an answer of the service",
            http_status=status,
            request_id=request_id,
            body=answer.body,
        )
    return body, None


def outcome_of(error: RootError) -> Outcome:
    if error.category == "throttling" and error.retryable:
        return Outcome.THROTTLED
    if (error.http_status or 0) >= 500 or error.retryable:
        return Outcome.MAYBE_PROCESSED
    return Outcome.FINAL


def retry_after_ms(answer: Answer | None) -> int | None:
    value = answer.headers.get("x-acs-retry-after") if answer is not None else None
    try:
        return int(value) if value else None
    except ValueError:
        return None

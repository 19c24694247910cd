"""What ``Client`` and ``AsyncClient`` share: configuration, credentials, request building,
answer interpretation and the retry loop. The generated ``_client.py`` adds one method per action.

One attempt is: build the signed ``httpx.Request`` (pure), send it, and read the answer
(pure: a body dict, or a ``DyvmsapiError``). The sync and async loops differ only in how they
send and sleep.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import time
from dataclasses import dataclass, field
from typing import Any, Literal, Self, TypeVar
from urllib.parse import urlsplit

import httpx

from . import _signing
from ._errors import (
    ConnectionFailedError,
    CredentialsError,
    DyvmsapiError,
    InvalidResponseError,
    RequestTimeoutError,
    error_from_body,
)
from ._meta import API_VERSION, DEFAULT_ENDPOINT, ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, ENV_ENDPOINT
from ._meta import ENV_SECURITY_TOKEN
from ._meta import SDK_NAME, SDK_VERSION
from ._model import Model
from ._retry import Outcome, RetryPolicy

R = TypeVar("R", bound=Model)

USER_AGENT = (
    f"{SDK_NAME}/{SDK_VERSION} ({platform.system()}; {platform.machine()}) "
    f"Python/{platform.python_version()} httpx/{httpx.__version__}"
)


@dataclass(frozen=True)
class Credentials:
    """An AccessKey pair, with an STS token when the pair is temporary. Never shows the secrets."""

    access_key_id: str
    access_key_secret: str = field(repr=False)
    security_token: str | None = field(default=None, repr=False)

    @classmethod
    def resolve(cls, key_id: str | None, secret: str | None, token: str | None) -> Credentials:
        key_id = key_id or os.environ.get(ENV_ACCESS_KEY_ID)
        secret = secret or os.environ.get(ENV_ACCESS_KEY_SECRET)
        token = token or os.environ.get(ENV_SECURITY_TOKEN) or None
        missing = [name for name, value in ((ENV_ACCESS_KEY_ID, key_id), (ENV_ACCESS_KEY_SECRET, secret)) if not value]
        if missing:
            raise CredentialsError(
                "no credentials: pass access_key_id and access_key_secret, or set " + " and ".join(missing)
            )
        assert key_id is not None and secret is not None
        return cls(key_id, secret, token)


def parse_endpoint(endpoint: str | None, protocol: str) -> tuple[str, str]:
    """``(scheme, host[:port])`` from a host, host:port or URL; a URL's scheme wins.

    With no endpoint given, the environment variable named by ``ENV_ENDPOINT`` is used if set,
    else the product's default endpoint.
    """
    endpoint = (endpoint or os.environ.get(ENV_ENDPOINT) or DEFAULT_ENDPOINT).strip()
    if "://" in endpoint:
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"endpoint {endpoint!r} is not an http(s) URL")
        return parts.scheme, parts.netloc
    protocol = protocol.lower()
    if protocol not in ("http", "https"):
        raise ValueError(f"protocol must be 'https' or 'http', not {protocol!r}")
    return protocol, endpoint.rstrip("/")


class BaseClient:
    """Settings shared by ``Client`` and ``AsyncClient``; see ``Client`` for the arguments."""

    def __init__(
        self,
        access_key_id: str | None = None,
        access_key_secret: str | None = None,
        security_token: str | None = None,
        *,
        endpoint: str | None = None,
        protocol: Literal["https", "http"] = "https",
        signature_version: Literal["v3", "v1"] = "v3",
        timeout: float | httpx.Timeout = httpx.Timeout(10.0, connect=5.0),
        retry: RetryPolicy = RetryPolicy(),
    ) -> None:
        if signature_version not in ("v3", "v1"):
            raise ValueError(f"signature_version must be 'v3' or 'v1', not {signature_version!r}")
        self._credentials = Credentials.resolve(access_key_id, access_key_secret, security_token)
        self._scheme, self._host = parse_endpoint(endpoint, protocol)
        self._signature_version = signature_version
        self._timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self.retry = retry

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(endpoint='{self._scheme}://{self._host}', "
            f"access_key_id='{self._credentials.access_key_id}', signature_version='{self._signature_version}')"
        )

    @property
    def endpoint(self) -> str:
        return f"{self._scheme}://{self._host}"

    def _build(self, action: str, request: Model) -> httpx.Request:
        """The signed HTTP request of one attempt (a fresh nonce and timestamp each time)."""
        params = request.to_query()
        creds = self._credentials
        timestamp, nonce = _signing.utc_timestamp(), _signing.new_nonce()
        if self._signature_version == "v1":
            query = _signing.sign_v1(
                action=action,
                version=API_VERSION,
                params=params,
                timestamp=timestamp,
                nonce=nonce,
                access_key_id=creds.access_key_id,
                access_key_secret=creds.access_key_secret,
                security_token=creds.security_token,
            )
            headers = _signing.v1_headers(
                host=self._host,
                action=action,
                version=API_VERSION,
                user_agent=USER_AGENT,
                security_token=creds.security_token,
            )
        else:
            query = params
            headers = _signing.v3_headers(
                host=self._host,
                action=action,
                version=API_VERSION,
                timestamp=timestamp,
                nonce=nonce,
                user_agent=USER_AGENT,
                access_key_id=creds.access_key_id,
                security_token=creds.security_token,
            )
            headers["Authorization"] = _signing.sign_v3(
                method="POST",
                host=self._host,
                pathname="/",
                query=query,
                headers=headers,
                access_key_id=creds.access_key_id,
                access_key_secret=creds.access_key_secret,
            )
        url = f"{self._scheme}://{self._host}/?{_signing.encode_query(query)}" if query else f"{self._scheme}://{self._host}/"
        return httpx.Request("POST", url, headers=headers)


def interpret(response: httpx.Response) -> tuple[dict[str, Any] | None, DyvmsapiError | None]:
    """The body of a successful answer, or the error it carries."""
    request_id = response.headers.get("x-acs-request-id")
    try:
        body = json.loads(response.content) if response.content else {}
    except ValueError:
        body = None
    if not isinstance(body, dict):
        snippet = response.text[:200].strip().replace("\n", " ")
        return None, InvalidResponseError(
            f"the service answered HTTP {response.status_code} with a body that is not JSON: {snippet!r}",
            http_status=response.status_code,
            request_id=request_id,
        )
    code = body.get("Code")
    if response.status_code >= 400 or (code is not None and code != "OK"):
        return None, error_from_body(body, http_status=response.status_code, request_id=request_id)
    return body, None


def outcome_of(error: DyvmsapiError) -> Outcome:
    if error.category == "throttling" and error.retryable:
        return Outcome.THROTTLED
    if (error.http_status or 0) >= 500 or error.retryable:
        return Outcome.MAYBE_PROCESSED
    return Outcome.FINAL


def network_error(exc: httpx.TransportError, host: str) -> tuple[DyvmsapiError, Outcome]:
    """Our error for an httpx failure, and whether the request can have reached the service."""
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
        return ConnectionFailedError(f"could not connect to {host}: {exc}"), Outcome.NOT_SENT
    if isinstance(exc, httpx.TimeoutException):
        return RequestTimeoutError(f"no answer from {host} in time: {type(exc).__name__}"), Outcome.MAYBE_PROCESSED
    return ConnectionFailedError(f"the connection to {host} failed: {exc}"), Outcome.MAYBE_PROCESSED


def _retry_after(response: httpx.Response | None) -> int | None:
    value = response.headers.get("x-acs-retry-after") if response is not None else None
    try:
        return int(value) if value else None
    except ValueError:
        return None


class SyncBase(BaseClient):
    """The blocking half: an ``httpx.Client`` with keep-alive connection pooling."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._http = httpx.Client(timeout=self._timeout)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _invoke(self, action: str, request: Model, response_type: type[R], *, idempotent: bool) -> R:
        attempt = 0
        while True:
            attempt += 1
            http_response = None
            try:
                http_response = self._http.send(self._build(action, request))
                body, error = interpret(http_response)
            except httpx.TransportError as exc:
                error, outcome = network_error(exc, self._host)
                body = None
            else:
                outcome = outcome_of(error) if error is not None else Outcome.FINAL
            if error is None:
                assert body is not None
                return response_type.model_validate(body)
            if not self.retry.should_retry(outcome, attempt=attempt, idempotent=idempotent):
                raise error
            time.sleep(self.retry.delay(attempt, _retry_after(http_response)))


class AsyncBase(BaseClient):
    """The asyncio half: an ``httpx.AsyncClient`` with keep-alive connection pooling."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._http = httpx.AsyncClient(timeout=self._timeout)

    async def close(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _invoke(self, action: str, request: Model, response_type: type[R], *, idempotent: bool) -> R:
        attempt = 0
        while True:
            attempt += 1
            http_response = None
            try:
                http_response = await self._http.send(self._build(action, request))
                body, error = interpret(http_response)
            except httpx.TransportError as exc:
                error, outcome = network_error(exc, self._host)
                body = None
            else:
                outcome = outcome_of(error) if error is not None else Outcome.FINAL
            if error is None:
                assert body is not None
                return response_type.model_validate(body)
            if not self.retry.should_retry(outcome, attempt=attempt, idempotent=idempotent):
                raise error
            await asyncio.sleep(self.retry.delay(attempt, _retry_after(http_response)))


def make_request(cls: type[R], request: R | None, kwargs: dict[str, Any]) -> R:
    """The request model of a call made with a model or with keyword arguments (not both)."""
    if request is None:
        return cls(**kwargs)
    if kwargs:
        raise TypeError(f"pass either a {cls.__name__} or keyword arguments, not both")
    if not isinstance(request, cls):
        raise TypeError(f"expected a {cls.__name__}, got {type(request).__name__}")
    return request

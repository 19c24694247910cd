"""What ``Client`` and ``AsyncClient`` share: configuration, credentials, request building,
answer interpretation and the retry loop. Each action's method is in its own module,
``_methods/<method>.py``, loaded the first time the method is looked up (``_ActionMethods``), so
importing the package and building a client cost the same however many actions the API has;
type checkers see every method through ``_methods/_all.py``.

One attempt is: build the signed request (pure), send it (``_transport``), and read the answer
(pure: a body dict, or a ``RootError``). The sync and async loops differ only in how they
send and sleep; everything they decide is in ``_settle``.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import platform
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Self, TypeVar
from urllib.parse import urlsplit

from . import _signing
from ._errors import (
    ConnectionFailedError,
    CredentialsError,
    InvalidResponseError,
    RequestTimeoutError,
    RootError,
    error_from_body,
)
from ._meta import (
    API_VERSION,
    DEFAULT_ENDPOINT,
    ENV_ACCESS_KEY_ID,
    ENV_ACCESS_KEY_SECRET,
    ENV_ENDPOINT,
    ENV_SECURITY_TOKEN,
    SDK_NAME,
    SDK_VERSION,
)
from ._retry import Outcome, RetryPolicy
from ._transport import Answer, AsyncTransport, Prepared, SendError, SyncTransport, Timeouts

if TYPE_CHECKING:  # pydantic loads with the first action's models, not with the client
    from ._model import Model

R = TypeVar("R", bound="Model")

USER_AGENT = (
    f"{SDK_NAME}/{SDK_VERSION} ({platform.system()}; {platform.machine()}) Python/{platform.python_version()}"
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
        missing = [
            name
            for name, value in ((ENV_ACCESS_KEY_ID, key_id), (ENV_ACCESS_KEY_SECRET, secret))
            if not value
        ]
        if missing:
            raise CredentialsError(
                "no credentials: pass access_key_id and access_key_secret, or set " + " and ".join(missing)
            )
        assert key_id is not None and secret is not None
        return cls(key_id, secret, token)


def prepare_rpc(
    scheme: str,
    host: str,
    action: str,
    version: str,
    params: list[tuple[str, str]],
    creds: Credentials,
    signature_version: str,
) -> Prepared:
    """A signed RPC request (POST, parameters in the query) of any action of any product: V3
    (ACS3-HMAC-SHA256) or V1 (HMAC-SHA1); a fresh nonce and timestamp each time."""
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


DEFAULT_RETRY = RetryPolicy()
"""3 attempts, exponential backoff with full jitter (``RetryPolicy`` is frozen: one instance serves all)."""


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
        timeout: float | tuple[float, float] = (5.0, 10.0),
        retry: RetryPolicy = DEFAULT_RETRY,
    ) -> None:
        if signature_version not in ("v3", "v1"):
            raise ValueError(f"signature_version must be 'v3' or 'v1', not {signature_version!r}")
        self._credentials = Credentials.resolve(access_key_id, access_key_secret, security_token)
        self._scheme, self._host = parse_endpoint(endpoint, protocol)
        self._signature_version = signature_version
        self._timeouts = Timeouts.of(timeout)
        self.retry = retry

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(endpoint='{self._scheme}://{self._host}', "
            f"access_key_id='{self._credentials.access_key_id}', "
            f"signature_version='{self._signature_version}')"
        )

    @property
    def endpoint(self) -> str:
        return f"{self._scheme}://{self._host}"

    def _build(self, action: str, request: Model) -> Prepared:
        """The signed request of one attempt (a fresh nonce and timestamp each time)."""
        return prepare_rpc(
            self._scheme,
            self._host,
            action,
            API_VERSION,
            request.to_query(),
            self._credentials,
            self._signature_version,
        )

    def _next_step(
        self, attempt: int, answer: Answer | None, failure: SendError | None, *, idempotent: bool
    ) -> tuple[Any, float]:
        """After attempt ``attempt``: the success body, or raise, or how long to wait before retrying.

        Returns ``(body, 0.0)`` on success and ``(None, seconds)`` when the call is to be tried again.
        """
        body, error, outcome = self._settle(answer, failure)
        if error is None:
            return body, 0.0
        if not self.retry.should_retry(outcome, attempt=attempt, idempotent=idempotent):
            raise error
        return None, self.retry.delay(attempt, retry_after_ms(answer))

    def _settle(
        self, answer: Answer | None, failure: SendError | None
    ) -> tuple[Any, RootError | None, Outcome]:
        """The body of a success, or the error and what it means for a retry."""
        if failure is not None:
            if not failure.sent:
                return None, ConnectionFailedError(str(failure)), Outcome.NOT_SENT
            error: RootError = (
                RequestTimeoutError(str(failure)) if failure.timeout else ConnectionFailedError(str(failure))
            )
            return None, error, Outcome.MAYBE_PROCESSED
        assert answer is not None
        body, maybe_error = interpret(answer)
        if maybe_error is None:
            return body, None, Outcome.FINAL
        return None, maybe_error, outcome_of(maybe_error)


def interpret(answer: Answer) -> tuple[dict[str, Any] | None, RootError | None]:
    """The body of a successful answer, or the error it carries."""
    request_id = answer.headers.get("x-acs-request-id")
    try:
        body = json.loads(answer.body) if answer.body else {}
    except ValueError:
        body = None
    if not isinstance(body, dict):
        snippet = answer.body[:200].decode("utf-8", "replace").strip().replace("\n", " ")
        return None, InvalidResponseError(
            f"the service answered HTTP {answer.status} with a body that is not JSON: {snippet!r}",
            http_status=answer.status,
            request_id=request_id,
        )
    code = body.get("Code")
    if answer.status >= 400 or (code is not None and code != "OK"):
        return None, error_from_body(body, http_status=answer.status, request_id=request_id)
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


_METHODS = __name__.rpartition(".")[0] + "._methods"


def _action_method(cls: type, name: str, half: str) -> Any:
    """The function of ``cls``'s method ``name``, from ``_methods/<name>.py`` (class ``half``),
    set on ``cls`` so later lookups find it directly; AttributeError when there is no such action."""
    if not name.isidentifier() or name.startswith("_"):
        raise AttributeError(f"{cls.__name__!r} object has no attribute {name!r}")
    module_name = f"{_METHODS}.{name}"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        raise AttributeError(f"{cls.__name__!r} object has no attribute {name!r}") from None
    function = vars(getattr(module, half))[name]
    setattr(cls, name, function)
    return function


def _action_names() -> list[str]:
    package = importlib.import_module(_METHODS)
    return [m.name for m in pkgutil.iter_modules(package.__path__) if not m.name.startswith("_")]


class _FindsMethods(type):
    """Finds an action's method on the class the first time it is looked up (``Client.ivr_call``)."""

    if not TYPE_CHECKING:  # type checkers see every method through _methods/_all.py

        def __getattr__(cls, name: str) -> Any:
            return _action_method(cls, name, cls._HALF)


class _ActionMethods(metaclass=_FindsMethods):
    """Finds an action's method on first use, looked up on a client or on its class."""

    _HALF = "Sync"

    if not TYPE_CHECKING:

        def __getattr__(self, name: str) -> Any:
            return _action_method(type(self), name, self._HALF).__get__(self)

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *_action_names()})


class SyncBase(_ActionMethods, BaseClient):
    """The blocking half: keep-alive connections from ``_transport.SyncTransport``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._transport = SyncTransport(self._timeouts)

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _invoke(self, action: str, request: Model, response_type: type[R], *, idempotent: bool) -> R:
        attempt = 0
        while True:
            attempt += 1
            answer, failure = None, None
            try:
                answer = self._transport.send(self._build(action, request))
            except SendError as exc:
                failure = exc
            body, wait = self._next_step(attempt, answer, failure, idempotent=idempotent)
            if body is not None:
                return response_type.model_validate(body)
            time.sleep(wait)


class AsyncBase(_ActionMethods, BaseClient):
    """The asyncio half: ``_transport.AsyncTransport`` (httpx)."""

    _HALF = "Async"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._transport = AsyncTransport(self._timeouts)

    async def close(self) -> None:
        await self._transport.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _invoke(self, action: str, request: Model, response_type: type[R], *, idempotent: bool) -> R:
        import asyncio  # only the async client needs it; keeps the sync client's import light

        attempt = 0
        while True:
            attempt += 1
            answer, failure = None, None
            try:
                answer = await self._transport.send(self._build(action, request))
            except SendError as exc:
                failure = exc
            body, wait = self._next_step(attempt, answer, failure, idempotent=idempotent)
            if body is not None:
                return response_type.model_validate(body)
            await asyncio.sleep(wait)


def make_request(cls: type[R], request: R | None, kwargs: dict[str, Any]) -> R:
    """The request model of a call made with a model or with keyword arguments (not both)."""
    if request is None:
        return cls(**kwargs)
    if kwargs:
        raise TypeError(f"pass either a {cls.__name__} or keyword arguments, not both")
    if not isinstance(request, cls):
        raise TypeError(f"expected a {cls.__name__}, got {type(request).__name__}")
    return request

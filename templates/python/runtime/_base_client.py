"""What ``Client`` and ``AsyncClient`` share: configuration, the retry loop, deadlines, logging
and raw responses; credentials, signed requests and reading answers are ``_rpc``'s. Each action's
method is in its own module, ``_methods/<method>.py``, loaded the first time the method is looked
up (``_ActionMethods``), so importing the package and building a client cost the same however
many actions the API has; type checkers see every method through ``_methods/_all.py``.

One attempt is: build the signed request (pure), send it (``_transport``), and read the answer
(pure: a body dict, or a ``RootError``). The sync and async loops differ only in how they
send and sleep; everything they decide is in ``_settle``.
"""

from __future__ import annotations

import copy
import importlib
import logging
import pkgutil
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Self, TypeVar

from ._errors import (
    ConnectionFailedError,
    InvalidArgumentError,
    InvalidResponseError,
    RequestTimeoutError,
    RootError,
)
from ._meta import (
    API_VERSION,
)
from ._retry import Outcome, RetryPolicy
from ._rpc import Credentials, interpret, outcome_of, parse_endpoint, prepare_rpc, retry_after_ms
from ._transport import (
    MAX_BODY,
    Answer,
    Prepared,
    Proxy,
    ResponseTooLarge,
    SendError,
    SyncTransport,
    Timeouts,
)

if TYPE_CHECKING:  # pydantic loads with the first action's models, not with the client
    import ssl

    import httpx

    from ._model import Model

R = TypeVar("R", bound="Model")

log = logging.getLogger(__name__.rpartition(".")[0])
"""The package's logger: one DEBUG line per attempt (INFO when it is retried); never a secret."""

DEFAULT_RETRY = RetryPolicy()
"""3 attempts, exponential backoff with full jitter (``RetryPolicy`` is frozen: one instance serves all)."""

DEFAULT_TIMEOUT = (5.0, 10.0)
DEFAULT_ATTEMPT_TIMEOUT = 30.0
DEFAULT_DEADLINE = 60.0

_UNSET: Any = object()


@dataclass(frozen=True)
class RawResponse:
    """The HTTP answer a response was read from: ``response.raw_response``."""

    status: int
    headers: dict[str, str]  # names lower-cased
    body: bytes = field(repr=False)
    elapsed: float  # seconds, the successful attempt's
    attempts: int  # how many attempts the call took

    @property
    def request_id(self) -> str | None:
        return self.headers.get("x-acs-request-id")


def _seconds(name: str, value: object, *, optional: bool = False) -> float | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise InvalidArgumentError(f"{name} must be a number of seconds above 0, not {value!r}")
    return float(value)


def _timeouts(value: object) -> Timeouts:
    if isinstance(value, tuple) and len(value) == 2:
        connect, read = (_seconds("timeout", v) for v in value)
        assert connect is not None and read is not None
        return Timeouts(connect, read)
    seconds = _seconds("timeout", value)
    assert seconds is not None
    return Timeouts(seconds, seconds)


def _headers(value: object) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidArgumentError(
            f"headers must be a mapping of names to values, not {type(value).__name__}"
        )
    out = {}
    for name, text in value.items():
        if not isinstance(name, str) or not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", name):
            raise InvalidArgumentError(f"header name {name!r} is not a valid HTTP header name")
        if name.lower() in ("authorization", "host", "content-length") or name.lower().startswith(
            "x-acs-signature"
        ):
            raise InvalidArgumentError(f"header {name!r} is set by the client itself")
        if not isinstance(text, str) or not all(" " <= c <= "~" for c in text):
            raise InvalidArgumentError(f"the value of header {name!r} must be printable ASCII text")
        out[name] = text
    return out


class BaseClient:
    """Settings shared by ``Client`` and ``AsyncClient``; see ``Client`` for the arguments."""

    _transport: Any

    def _configure(
        self,
        access_key_id: str | None,
        access_key_secret: str | None,
        security_token: str | None,
        endpoint: str | None,
        protocol: str,
        signature_version: str,
        timeout: float | tuple[float, float],
        attempt_timeout: float | None,
        deadline: float | None,
        retry: RetryPolicy,
        headers: Mapping[str, str] | None,
        max_body: int,
        proxy: str | None,
        verify: bool | str | ssl.SSLContext,
    ) -> None:
        if signature_version not in ("v3", "v1"):
            raise InvalidArgumentError(f"signature_version must be 'v3' or 'v1', not {signature_version!r}")
        if not isinstance(retry, RetryPolicy):
            raise InvalidArgumentError(f"retry must be a RetryPolicy, not {type(retry).__name__}")
        if isinstance(max_body, bool) or not isinstance(max_body, int) or max_body < 1024:
            raise InvalidArgumentError(
                f"max_body must be a number of bytes of at least 1024, not {max_body!r}"
            )
        if proxy is not None and not isinstance(proxy, str):
            raise InvalidArgumentError(f"proxy must be a URL string, not {type(proxy).__name__}")
        if not isinstance(verify, (bool, str)) and type(verify).__name__ != "SSLContext":
            raise InvalidArgumentError("verify must be True, False, a CA bundle's path or an ssl.SSLContext")
        self._credentials = Credentials.resolve(access_key_id, access_key_secret, security_token)
        self._scheme, self._host = parse_endpoint(endpoint, protocol)
        self._signature_version = signature_version
        self._timeouts = _timeouts(timeout)
        self._attempt_timeout = _seconds("attempt_timeout", attempt_timeout, optional=True)
        self._deadline = _seconds("deadline", deadline, optional=True)
        self.retry = retry
        self._headers = _headers(headers)
        self._max_body = max_body
        try:
            self._proxy = Proxy.parse(proxy) if proxy else None
        except ValueError as exc:
            raise InvalidArgumentError(f"proxy: {exc}") from None
        self._verify = verify
        self._owns_transport = True

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(endpoint='{self._scheme}://{self._host}', "
            f"access_key_id='{self._credentials.access_key_id}', "
            f"signature_version='{self._signature_version}')"
        )

    @property
    def endpoint(self) -> str:
        return f"{self._scheme}://{self._host}"

    def with_options(
        self,
        *,
        timeout: float | tuple[float, float] = _UNSET,
        attempt_timeout: float | None = _UNSET,
        deadline: float | None = _UNSET,
        retry: RetryPolicy = _UNSET,
        headers: Mapping[str, str] | None = _UNSET,
    ) -> Self:
        """A client like this one with other settings, for some calls:
        ``client.with_options(deadline=5, retry=RetryPolicy(max_attempts=1)).ivr_call(...)``.

        It shares this client's connections (unless ``timeout`` changes, which needs others) and
        is closed with it; ``headers`` are added to this client's.
        """
        clone = copy.copy(self)
        if timeout is not _UNSET:
            clone._timeouts = _timeouts(timeout)
            clone._transport = clone._new_transport()
            clone._owns_transport = True
        else:
            clone._owns_transport = False
        if attempt_timeout is not _UNSET:
            clone._attempt_timeout = _seconds("attempt_timeout", attempt_timeout, optional=True)
        if deadline is not _UNSET:
            clone._deadline = _seconds("deadline", deadline, optional=True)
        if retry is not _UNSET:
            if not isinstance(retry, RetryPolicy):
                raise InvalidArgumentError(f"retry must be a RetryPolicy, not {type(retry).__name__}")
            clone.retry = retry
        if headers is not _UNSET:
            clone._headers = {**self._headers, **_headers(headers)}
        return clone

    def _new_transport(self) -> Any:
        """The transport of this client's half: ``SyncBase`` and ``AsyncBase`` each make their own."""
        raise NotImplementedError

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
            self._headers,
        )

    def _call_deadline(self) -> float | None:
        return time.monotonic() + self._deadline if self._deadline is not None else None

    def _attempt_deadline(self, call_deadline: float | None) -> float | None:
        if self._attempt_timeout is None:
            return call_deadline
        end = time.monotonic() + self._attempt_timeout
        return end if call_deadline is None else min(end, call_deadline)

    def _next_step(
        self,
        action: str,
        attempt: int,
        answer: Answer | None,
        failure: SendError | None,
        *,
        idempotent: bool,
        began: float,
        call_deadline: float | None,
    ) -> tuple[Any, float]:
        """After attempt ``attempt``: the success body, or raise, or how long to wait before retrying.

        Returns ``(body, 0.0)`` on success and ``(None, seconds)`` when the call is to be tried again.
        Logs the attempt on the package's logger (never a secret: no URL, query or header).
        """
        elapsed = time.monotonic() - began
        body, error, outcome = self._settle(answer, failure)
        status = answer.status if answer is not None else None
        request_id = error.request_id if error is not None else (body or {}).get("RequestId")
        if error is None:
            log.debug("%s attempt %d: HTTP %s, request id %s, %.1f ms", action, attempt, status, request_id,
                      elapsed * 1000)  # fmt: skip
            return body, 0.0
        error.action = action
        wait = self.retry.delay(attempt, retry_after_ms(answer))
        retry = self.retry.should_retry(outcome, attempt=attempt, idempotent=idempotent)
        if retry and call_deadline is not None and time.monotonic() + wait >= call_deadline:
            retry = False  # no time left for another attempt
        log.log(
            logging.INFO if retry else logging.DEBUG,
            "%s attempt %d: %s (HTTP %s, request id %s, %.1f ms)%s",
            action,
            attempt,
            error.code or type(error).__name__,
            status,
            error.request_id,
            elapsed * 1000,
            f"; retrying in {wait:.2f} s" if retry else "",
        )
        if not retry:
            raise error
        return None, wait

    def _settle(
        self, answer: Answer | None, failure: SendError | None
    ) -> tuple[Any, RootError | None, Outcome]:
        """The body of a success, or the error and what it means for a retry."""
        if isinstance(failure, ResponseTooLarge):
            error: RootError = InvalidResponseError(
                f"the answer is larger than {self._max_body} bytes (the client's max_body); it was not read",
                http_status=failure.status,
                request_id=failure.headers.get("x-acs-request-id"),
            )
            return None, error, Outcome.FINAL
        if failure is not None:
            if not failure.sent:
                return None, ConnectionFailedError(str(failure)), Outcome.NOT_SENT
            error = (
                RequestTimeoutError(str(failure)) if failure.timeout else ConnectionFailedError(str(failure))
            )
            return None, error, Outcome.MAYBE_PROCESSED
        assert answer is not None
        body, maybe_error = interpret(answer)
        if maybe_error is None:
            return body, None, Outcome.FINAL
        return None, maybe_error, outcome_of(maybe_error)

    def _parse(
        self,
        action: str,
        response_type: type[R],
        body: dict[str, Any],
        answer: Answer,
        began: float,
        attempts: int,
    ) -> R:
        """The typed response, or an ``InvalidResponseError`` keeping the body that did not fit."""
        try:
            response = response_type.model_validate(body)
        except (ValueError, RecursionError) as exc:  # pydantic's ValidationError is a ValueError
            raise InvalidResponseError(
                f"the answer does not match {response_type.__name__}: {_first_problem(exc)}",
                body=answer.body,
                http_status=answer.status,
                request_id=str(body.get("RequestId") or "") or None,
                action=action,
            ) from None
        raw = RawResponse(answer.status, answer.headers, answer.body, time.monotonic() - began, attempts)
        response._raw_response = raw
        return response


def _first_problem(exc: BaseException) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        try:
            first = errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ()))
            return f"{where}: {first.get('msg')}" if where else str(first.get("msg"))
        except (IndexError, TypeError, AttributeError):
            pass
    return type(exc).__name__


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

    def __init__(
        self,
        access_key_id: str | None = None,
        access_key_secret: str | None = None,
        security_token: str | None = None,
        *,
        endpoint: str | None = None,
        protocol: Literal["https", "http"] = "https",
        signature_version: Literal["v3", "v1"] = "v3",
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        attempt_timeout: float | None = DEFAULT_ATTEMPT_TIMEOUT,
        deadline: float | None = DEFAULT_DEADLINE,
        retry: RetryPolicy = DEFAULT_RETRY,
        headers: Mapping[str, str] | None = None,
        max_body: int = MAX_BODY,
        proxy: str | None = None,
        verify: bool | str | ssl.SSLContext = True,
    ) -> None:
        self._configure(
            access_key_id, access_key_secret, security_token, endpoint, protocol, signature_version, timeout,
            attempt_timeout, deadline, retry, headers, max_body, proxy, verify,
        )  # fmt: skip
        self._transport = self._new_transport()

    def _new_transport(self) -> SyncTransport:
        return SyncTransport(self._timeouts, max_body=self._max_body, proxy=self._proxy, verify=self._verify)

    def close(self) -> None:
        if self._owns_transport:
            self._transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _invoke(self, action: str, request: Model, response_type: type[R], *, idempotent: bool) -> R:
        call_deadline = self._call_deadline()
        attempt = 0
        while True:
            attempt += 1
            began = time.monotonic()
            answer, failure = None, None
            try:
                answer = self._transport.send(
                    self._build(action, request), self._attempt_deadline(call_deadline)
                )
            except SendError as exc:
                failure = exc
            body, wait = self._next_step(action, attempt, answer, failure, idempotent=idempotent, began=began,
                                         call_deadline=call_deadline)  # fmt: skip
            if body is not None:
                assert answer is not None
                return self._parse(action, response_type, body, answer, began, attempt)
            time.sleep(wait)


class AsyncBase(_ActionMethods, BaseClient):
    """The asyncio half: ``_async_transport.AsyncTransport`` (asyncio streams), or
    ``_httpx_transport.HttpxTransport`` over an httpx client the application gives."""

    _HALF = "Async"

    def __init__(
        self,
        access_key_id: str | None = None,
        access_key_secret: str | None = None,
        security_token: str | None = None,
        *,
        endpoint: str | None = None,
        protocol: Literal["https", "http"] = "https",
        signature_version: Literal["v3", "v1"] = "v3",
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        attempt_timeout: float | None = DEFAULT_ATTEMPT_TIMEOUT,
        deadline: float | None = DEFAULT_DEADLINE,
        retry: RetryPolicy = DEFAULT_RETRY,
        headers: Mapping[str, str] | None = None,
        max_body: int = MAX_BODY,
        proxy: str | None = None,
        verify: bool | str | ssl.SSLContext = True,
        max_connections: int = 64,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self._configure(
            access_key_id, access_key_secret, security_token, endpoint, protocol, signature_version, timeout,
            attempt_timeout, deadline, retry, headers, max_body, proxy, verify,
        )  # fmt: skip
        if isinstance(max_connections, bool) or not isinstance(max_connections, int) or max_connections < 1:
            raise InvalidArgumentError(
                f"max_connections must be a whole number above 0, not {max_connections!r}"
            )
        self._max_connections = max_connections
        self._http_client = http_client
        self._transport = self._new_transport()

    def _new_transport(self) -> Any:
        if self._http_client is not None:
            from ._httpx_transport import HttpxTransport

            return HttpxTransport(self._http_client, self._timeouts, max_body=self._max_body)
        from . import _async_transport

        return _async_transport.AsyncTransport(
            self._timeouts,
            max_body=self._max_body,
            proxy=self._proxy,
            verify=self._verify,
            max_connections=self._max_connections,
        )

    async def close(self) -> None:
        if self._owns_transport:
            await self._transport.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _invoke(self, action: str, request: Model, response_type: type[R], *, idempotent: bool) -> R:
        import asyncio  # only the async client needs it; keeps the sync client's import light

        call_deadline = self._call_deadline()
        attempt = 0
        while True:
            attempt += 1
            began = time.monotonic()
            answer, failure = None, None
            try:
                prepared = self._build(action, request)
                answer = await self._transport.send(prepared, self._attempt_deadline(call_deadline))
            except SendError as exc:
                failure = exc
            body, wait = self._next_step(action, attempt, answer, failure, idempotent=idempotent, began=began,
                                         call_deadline=call_deadline)  # fmt: skip
            if body is not None:
                assert answer is not None
                return self._parse(action, response_type, body, answer, began, attempt)
            await asyncio.sleep(wait)


def make_request(cls: type[R], request: R | None, kwargs: dict[str, Any]) -> R:
    """The request model of a call made with a model or with keyword arguments (not both), its
    formats checked: ``InvalidArgumentError`` for any mistake, before anything is sent."""
    if request is None:
        from pydantic import ValidationError

        try:
            made = cls(**kwargs)
        except ValidationError as exc:
            raise _argument_error(cls, exc, kwargs) from None
    elif kwargs:
        raise InvalidArgumentError(f"pass either a {cls.__name__} or keyword arguments, not both")
    elif not isinstance(request, cls):
        raise InvalidArgumentError(f"expected a {cls.__name__}, got {type(request).__name__}")
    else:
        made = request
    problem = made.format_problem()
    if problem is not None:
        raise InvalidArgumentError(problem)
    return made


def _argument_error(cls: type[Model], exc: Any, kwargs: dict[str, Any]) -> InvalidArgumentError:
    """pydantic's findings as an ``InvalidArgumentError``, with a did-you-mean for unknown keywords."""
    import difflib

    errors = exc.errors(include_url=False)
    known = list(cls.model_fields)
    hints = []
    for error in errors:
        if error.get("type") == "extra_forbidden" and error.get("loc"):
            name = str(error["loc"][0])
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hints.append(f"{name!r} is not an argument" + (f": did you mean {close[0]!r}?" if close else ""))
    message = re.sub(r"\n +For further information visit \S+", "", str(exc))
    if hints:
        message += "\n" + "\n".join(hints)
    return InvalidArgumentError(message, errors=[dict(e) for e in errors])

"""``Emulator``: the service on a loopback port, its state open to the tests, faults on demand."""

from __future__ import annotations

import threading
import time
import traceback
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Self

from ._faults import Fault, FaultKind, FaultQueue
from ._gateway import (
    COMMON_PARAMETERS,
    Identity,
    Incoming,
    KeyPair,
    NonceBook,
    Rejection,
    action_and_version,
    authenticate,
)
from ._http import Answer, Server
from ._schema import decode
from ._service import SERVICE
from ._state import DEFAULT_FLOW_LIMITS, CallRecord, Clock, ServiceState

if TYPE_CHECKING:
    from .._client import AsyncClient, Client

__all__ = ["Emulator", "RecordedRequest"]


@dataclass(frozen=True)
class RecordedRequest:
    """One request the emulator received, and what it answered."""

    request_id: str
    method: str
    path: str
    action: str | None
    version: str | None
    signature_version: str | None  # "v3", "v1", or None when unsigned
    access_key_id: str | None
    params: dict[str, Any]  # the action's parameters, decoded (JSON values parsed, lists rebuilt)
    query: tuple[tuple[str, str], ...]  # every query pair as received (URL-decoded)
    headers: dict[str, str]  # lower-cased names
    unknown_params: tuple[str, ...]
    status: int  # HTTP status answered (0: the connection was dropped)
    code: str | None  # the answer's Code ("OK", an error code, None when dropped)
    fault: str | None  # the injected fault that shaped the answer, if any
    received_at: float  # wall-clock epoch seconds


class Emulator:
    """The voice service on ``127.0.0.1``, for tests: ``with Emulator() as emu: ...``.

    It checks signatures (V3 and V1) against its key pairs, validates every parameter against
    the action's schema, keeps the calls it places, applies the per-number flow control on
    ``emu.clock``, and can be told to fail: :meth:`fail_next`, :meth:`throttle_next`,
    :meth:`drop_next`, :meth:`delay_next` (all shorthands of :meth:`inject`).

    Args:
        port: TCP port; 0 (default) picks a free one, kept across :meth:`stop`/:meth:`start`.
        host: address to listen on (default the loopback).
        access_key_id / access_key_secret: the default key pair ("testid" / "testsecret").
        security_token: the STS token of the default pair: optional in requests, but a request
            that carries a token must carry this one.
        clock: the service clock (flow control, call times); default a :class:`Clock` at real time.
        flow_limits: (window seconds, calls allowed) per called number; ``()`` turns it off.
        strict: answer ``InvalidParameter`` to parameters the action does not have (the real
            service ignores them; they are always listed in ``RecordedRequest.unknown_params``).
        cancellable: actions whose calls CancelCall can cancel.
        latency: seconds added before every answer.
        service: the service description (default: this package's, generated from the specs).
    """

    def __init__(
        self,
        *,
        port: int = 0,
        host: str = "127.0.0.1",
        access_key_id: str = "testid",
        access_key_secret: str = "testsecret",
        security_token: str = "testtoken",
        clock: Clock | None = None,
        flow_limits: Sequence[tuple[float, int]] = DEFAULT_FLOW_LIMITS,
        strict: bool = False,
        cancellable: Sequence[str] = ("ClickToDial",),
        latency: float = 0.0,
        service: Mapping[str, Any] | None = None,
        seed: int | None = None,
    ) -> None:
        self.service: Mapping[str, Any] = service if service is not None else SERVICE
        self.host_address = host
        self._port = port
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.security_token = security_token
        self._keys: dict[str, KeyPair] = {}
        self.add_key(access_key_id, access_key_secret, security_token)
        self.clock = clock or Clock()
        self.strict = strict
        self.latency = latency
        self._state = ServiceState(self.clock, flow_limits, cancellable, seed)
        self._faults = FaultQueue(self.service["errors"])
        self._nonces = NonceBook()
        self._requests: list[RecordedRequest] = []
        self._errors: list[str] = []
        self._lock = threading.Lock()
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        state = f"endpoint={self.endpoint!r}" if self._server else "stopped"
        return f"Emulator({state}, access_key_id={self.access_key_id!r})"

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Self:
        """Open the port and serve in a background thread (again on the same port after stop())."""
        if self._server is not None:
            return self
        server = Server((self.host_address, self._port), self._respond)
        self._port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.run, name="dyvmsapi-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close the port and every open connection; the state (calls, requests) is kept."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._server = self._thread = None
        server.stop()
        if thread is not None:
            thread.join(timeout=5)
        server.close()
        self._errors.extend(server.errors)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def port(self) -> int:
        return self._port

    @property
    def host(self) -> str:
        """``127.0.0.1:PORT``: what a client takes as its endpoint without a scheme."""
        return f"{self.host_address}:{self._port}"

    @property
    def endpoint(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{self.host}"

    # ------------------------------------------------------------------ credentials

    def add_key(
        self, access_key_id: str, access_key_secret: str, security_token: str | None = None, *, enabled: bool = True
    ) -> KeyPair:
        """Accept another key pair. Ids starting with ``STS.`` need their token in every request."""
        pair = KeyPair(access_key_id, access_key_secret, security_token, enabled)
        self._keys[access_key_id] = pair
        return pair

    def remove_key(self, access_key_id: str) -> None:
        self._keys.pop(access_key_id, None)

    # ------------------------------------------------------------------ what the tests look at

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, in the order they were answered (a copy)."""
        with self._lock:
            return list(self._requests)

    @property
    def calls(self) -> list[CallRecord]:
        """Every call placed so far, oldest first (a copy of the list; the records are live)."""
        with self._lock:
            return list(self._state.calls)

    def call(self, call_id: str) -> CallRecord | None:
        return self._state.find(call_id)

    @property
    def errors(self) -> list[str]:
        """Tracebacks of the emulator's own failures (answered as InternalError); empty if all went well."""
        with self._lock:
            server_errors = self._server.errors if self._server else []
            return [*self._errors, *server_errors]

    def count(self, action: str | None = None) -> int:
        """How many requests arrived (for one action, if given)."""
        return sum(1 for r in self.requests if action is None or r.action == action)

    def reset(self) -> None:
        """Forget requests, calls, flow counters, nonces and pending faults."""
        with self._lock:
            self._requests.clear()
            self._errors.clear()
        self._state.reset()
        self._nonces.clear()
        self._faults.clear()

    # ------------------------------------------------------------------ faults

    def inject(
        self,
        kind: FaultKind,
        count: int = 1,
        *,
        action: str | None = None,
        status: int | None = None,
        code: str | None = None,
        retry_after_ms: int | None = None,
        delay: float = 0.0,
    ) -> Fault:
        """Shape the next ``count`` answers (to ``action``, or to any request).

        ``"error"``: answer ``code`` (default ServiceUnavailable) with ``status`` (default the
        code's, 503 for ServiceUnavailable); a business code (HTTP 200) is answered after the
        request was authenticated and validated, anything else before. ``"throttle"``: answer
        ``code`` (default Throttling.User) with an ``x-acs-retry-after`` header when
        ``retry_after_ms`` is given. ``"drop"``: close the connection without answering.
        ``"delay"``: process the request, then wait ``delay`` seconds before answering. Any
        fault can add a ``delay``. Faulted requests other than delays are not processed.
        """
        return self._faults.add(kind, count, action, status, code, retry_after_ms, delay)

    def fail_next(
        self, count: int = 1, *, status: int | None = None, code: str | None = None, action: str | None = None
    ) -> Fault:
        """The next ``count`` requests get an error: by default HTTP 503 ServiceUnavailable."""
        return self.inject("error", count, action=action, status=status, code=code)

    def throttle_next(
        self,
        count: int = 1,
        *,
        retry_after_ms: int | None = 1000,
        code: str = "Throttling.User",
        action: str | None = None,
    ) -> Fault:
        """The next ``count`` requests are throttled, with ``x-acs-retry-after`` (milliseconds)."""
        return self.inject("throttle", count, action=action, code=code, retry_after_ms=retry_after_ms)

    def drop_next(self, count: int = 1, *, action: str | None = None) -> Fault:
        """The next ``count`` connections are closed without an answer (the request is not processed)."""
        return self.inject("drop", count, action=action)

    def delay_next(self, delay: float, count: int = 1, *, action: str | None = None) -> Fault:
        """The next ``count`` requests are processed, then answered ``delay`` seconds late."""
        return self.inject("delay", count, action=action, delay=delay)

    @property
    def pending_faults(self) -> list[Fault]:
        """Faults injected and not used up yet (copies)."""
        return self._faults.pending

    def clear_faults(self) -> None:
        self._faults.clear()

    # ------------------------------------------------------------------ clients

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments that point a ``Client``/``AsyncClient`` at this emulator."""
        return {
            "endpoint": self.endpoint,
            "access_key_id": self.access_key_id,
            "access_key_secret": self.access_key_secret,
        }

    def client(self, **options: Any) -> Client:
        """A ``Client`` of this emulator (``options`` override or add to :meth:`client_options`)."""
        from .._client import Client

        return Client(**{**self.client_options(), **options})

    def async_client(self, **options: Any) -> AsyncClient:
        """An ``AsyncClient`` of this emulator."""
        from .._client import AsyncClient

        return AsyncClient(**{**self.client_options(), **options})

    # ------------------------------------------------------------------ answering

    def _respond(self, request: Incoming) -> Answer:
        request_id = str(uuid.uuid4()).upper()
        action, version, scheme = action_and_version(request)
        trace: dict[str, Any] = {"params": {}, "unknown": (), "identity": None, "fault": None}
        try:
            answer = self._answer(request, request_id, action, version, scheme, trace)
        except Exception:
            with self._lock:
                self._errors.append(traceback.format_exc())
            answer = self._error(Rejection("InternalError"), request_id)
        identity: Identity | None = trace["identity"]
        record = RecordedRequest(
            request_id=request_id,
            method=request.method,
            path=request.path,
            action=action,
            version=version,
            signature_version=identity.signature_version if identity else (None if scheme == "none" else scheme),
            access_key_id=identity.access_key_id if identity else None,
            params=trace["params"],
            query=request.query,
            headers=dict(request.headers),
            unknown_params=tuple(trace["unknown"]),
            status=0 if answer.drop else answer.status,
            code=None if answer.drop else answer.body.get("Code"),
            fault=trace["fault"],
            received_at=time.time(),
        )
        with self._lock:
            self._requests.append(record)
        return answer

    def _answer(
        self,
        request: Incoming,
        request_id: str,
        action: str | None,
        version: str | None,
        scheme: str,
        trace: dict[str, Any],
    ) -> Answer:
        fault = self._faults.take(action, business=False)
        delay = self.latency + (fault.delay if fault else 0.0)
        if fault is not None:
            trace["fault"] = fault.kind
            if fault.kind == "drop":
                return Answer(drop=True, delay=delay)
            if fault.kind in ("error", "throttle"):
                return replace(self._fault_answer(fault, request_id), delay=delay)
        try:
            actions: Mapping[str, Any] = self.service["actions"]
            spec = self._route(request, action, version)
            identity = authenticate(request, scheme, self._keys, self._nonces, time.time())
            trace["identity"] = identity
            pairs = [(k, v) for k, v in (*request.query, *request.form) if k not in COMMON_PARAMETERS]
            decoded = decode(spec["schema"], pairs)
            trace["params"], trace["unknown"] = decoded.params, decoded.unknown
            if self.strict and decoded.unknown:
                raise Rejection("InvalidParameter", "no such parameter", parameter=decoded.unknown[0])
            problems = sorted(decoded.problems, key=lambda p: self._status_of(p.code) == 200)
            if problems:
                raise Rejection(problems[0].code, problems[0].detail, parameter=problems[0].parameter)
            assert action is not None
            business = self._faults.take(action, business=True)
            if business is not None:
                trace["fault"] = business.kind
                return replace(self._fault_answer(business, request_id), delay=delay)
            body = self._state.answer(
                action, actions[action].get("role"), actions[action]["example"], decoded.params, identity.access_key_id
            )
            return Answer(200, {"RequestId": request_id, **body}, {"x-acs-request-id": request_id}, delay)
        except Rejection as rejection:
            return replace(self._error(rejection, request_id), delay=delay)

    def _route(self, request: Incoming, action: str | None, version: str | None) -> Mapping[str, Any]:
        if request.method not in ("GET", "POST"):
            raise Rejection("UnsupportedHTTPMethod")
        if not action:
            raise Rejection("MissingAction")
        if not version:
            raise Rejection("MissingVersion")
        if version != self.service["version"]:
            raise Rejection("InvalidVersion")
        spec: Mapping[str, Any] | None = self.service["actions"].get(action)
        if spec is None:
            raise Rejection("InvalidApi.NotFound")
        return spec

    def _entry(self, code: str) -> Mapping[str, Any] | None:
        return self._faults.entry(code)

    def _status_of(self, code: str) -> int:
        entry = self._entry(code)
        return int(entry["http_status"]) if entry else 400

    def _error(self, rejection: Rejection, request_id: str, status: int | None = None) -> Answer:
        """The answer to a refused request, shaped as the gateway or the service shapes it."""
        entry = self._entry(rejection.code)
        message = str(entry["message"]) if entry else "The request is not valid."
        if "{ParameterName}" in message:
            name = rejection.parameter or rejection.code[len("Missing") :]
            message = message.replace("{ParameterName}", name)
        elif rejection.parameter:
            message = f"{message} Parameter: {rejection.parameter}."
        if rejection.detail:
            message = f"{message} ({rejection.detail})"
        status = status if status is not None else (int(entry["http_status"]) if entry else 400)
        body: dict[str, Any] = {"RequestId": request_id, "Code": rejection.code, "Message": message}
        if status != 200:  # the gateway's errors also carry HostId and Recommend
            product = str(self.service["product"])
            body["HostId"] = f"{product.lower()}.aliyuncs.com"
            body["Recommend"] = (
                f"https://api.aliyun.com/troubleshoot?q={rejection.code}&product={product}&requestId={request_id}"
            )
        return Answer(status, body, {"x-acs-request-id": request_id})

    def _fault_answer(self, fault: Fault, request_id: str) -> Answer:
        answer = self._error(Rejection(fault.code, "injected fault"), request_id, status=fault.status)
        if fault.retry_after_ms is not None:
            answer.headers["x-acs-retry-after"] = str(fault.retry_after_ms)
        return answer

"""``Emulator``: the service on a loopback port, its state open to the tests, faults on demand."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from ._answer import RecordedRequest, Responder
from ._faults import Fault, FaultKind, FaultQueue
from ._gateway import KeyPair, NonceBook
from ._http import Server
from ._service import SERVICE
from ._state import Clock, Record, ServiceState

if TYPE_CHECKING:
    from .._client import AsyncClient, Client

__all__ = ["Emulator", "RecordedRequest"]


class Emulator(Responder):
    """The service on ``127.0.0.1``, for tests: ``with Emulator() as emu: ...``.

    It checks signatures (V3 and V1) against its key pairs, validates every parameter against
    the action's schema, answers each action's example, keeps the records the actions declare
    (created, read, ended), applies the declared limits on ``emu.clock``, and can be told to
    fail: :meth:`fail_next`, :meth:`throttle_next`, :meth:`drop_next`, :meth:`delay_next` (all
    shorthands of :meth:`inject`).

    Args:
        port: TCP port; 0 (default) picks a free one, kept across :meth:`stop`/:meth:`start`.
        host: address to listen on (default the loopback).
        access_key_id / access_key_secret: the default key pair ("testid" / "testsecret").
        security_token: the STS token of the default pair: optional in requests, but a request
            that carries a token must carry this one.
        clock: the service clock (limits, record times); default a :class:`Clock` at real time.
        flow_limits: (window seconds, requests allowed) pairs that replace the windows of every
            limit the specs declare; ``()`` turns the limits off; None (default) keeps them.
        strict: answer ``InvalidParameter`` to parameters the action does not have (the real
            service ignores them; they are always listed in ``RecordedRequest.unknown_params``).
        cancellable: actions whose records an ending action can end; None (default): as declared.
        latency: seconds added before every answer.
        service: the service description (default: this package's, generated from the specs).
        seed: seeds the random parts of record ids, for reproducible ids.

    What tests look at: ``endpoint`` (``http://127.0.0.1:PORT``), ``requests`` (every request as a
    :class:`RecordedRequest`), ``records`` (every :class:`Record`), ``clock``, ``errors`` (the
    emulator's own failures: should stay empty). :meth:`client` and :meth:`async_client` give
    SDK clients already pointed at it.
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
        flow_limits: Sequence[tuple[float, int]] | None = None,
        strict: bool = False,
        cancellable: Sequence[str] | None = None,
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

    def __repr__(self) -> str:
        state = f"endpoint={self.endpoint!r}" if self._server else "stopped"
        return f"Emulator({state}, access_key_id={self.access_key_id!r})"

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Self:
        """Open the port and serve in a background thread (again on the same port after stop())."""
        if self._server is not None:
            return self
        server = Server((self.host_address, self._port), self._respond)
        server.start()
        self._port = server.port
        self._server = server
        return self

    def stop(self) -> None:
        """Close the port and every open connection; the state (records, requests) is kept."""
        server, self._server = self._server, None
        if server is not None:
            server.stop()
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
        self,
        access_key_id: str,
        access_key_secret: str,
        security_token: str | None = None,
        *,
        enabled: bool = True,
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
    def records(self) -> list[Record]:
        """Every record created so far, oldest first (a copy of the list; the records are live)."""
        with self._lock:
            return list(self._state.records)

    def record(self, record_id: str, kind: str | None = None) -> Record | None:
        """The record with this id (of this kind), while it exists."""
        return self._state.find(record_id, kind)

    @property
    def calls(self) -> list[Record]:
        """Alias of :attr:`records`."""
        return self.records

    def call(self, record_id: str) -> Record | None:
        """Alias of :meth:`record`."""
        return self.record(record_id)

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
        """Forget requests, records, limit counters, nonces and pending faults."""
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

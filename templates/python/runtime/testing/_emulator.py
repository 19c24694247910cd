"""``Emulator``: the service on a loopback port, its state open to the tests, faults on demand."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

from ._answer import RecordedRequest, Responder
from ._calls import Outcome, SentReceipt
from ._faults import Fault, FaultKind, FaultQueue
from ._gateway import KeyPair, NonceBook
from ._http import IDLE_SECONDS, MAX_CONNECTIONS, REQUEST_SECONDS, Server
from ._push import PushAttempt, Pusher
from ._queue import Queues
from ._service import SERVICE
from ._state import Clock, Record, ServiceState

if TYPE_CHECKING:
    from .._client import AsyncClient, Client
    from .._consumer import AsyncConsumer, Consumer, ReceiptSource
    from .._receipts import Receipt

    R = TypeVar("R", bound=Receipt)

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
        account_id: the account in the receipt queues' names (the specs' pattern's ``{account}``).
        token_lifetime: seconds (service clock) a token of the receipt queues stays valid.
        push_urls: receipt type → URL the emulator POSTs that type's receipts to (see :meth:`push_to`).
        idle_timeout: seconds a keep-alive connection may stay idle between requests.
        request_timeout: seconds a request may take to arrive whole from its first byte (a slower
            client gets a 408, then the connection is closed); also what a new connection may wait
            before its first request, and a client to take an answer.
        max_connections: connections open at once; a new one beyond them is answered 503 and closed.

    Calls and their receipts: a call-placing action's call plays out on ``clock`` (ringing,
    answered or not, ended) with an outcome a test chooses (:meth:`set_outcome`, per number or per
    call; the default: answered and listened to the end). Its receipts go to the emulated receipt
    queues (served on the same port with the token action: :meth:`consumer`) and, for the types
    given a URL, are pushed there with the service's retry schedule. :meth:`receipts` lists every
    receipt produced so far.

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
        account_id: str = "1000000000000000",
        token_lifetime: float = 3600.0,
        push_urls: Mapping[str, str] | None = None,
        idle_timeout: float = IDLE_SECONDS,
        request_timeout: float = REQUEST_SECONDS,
        max_connections: int = MAX_CONNECTIONS,
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
        receipts: Mapping[str, Any] | None = self.service.get("receipts")
        self._state = ServiceState(self.clock, flow_limits, cancellable, seed, receipts)
        calls = self._state.calls
        self._queues = (
            Queues(
                str(receipts["queue"]["name"]).replace("{account}", account_id),
                list(calls.types),
                calls.visibility_timeout,
                token_lifetime,
            )
            if receipts
            else None
        )
        push = (receipts or {}).get("push") or {}
        self._pusher = Pusher(
            float(push.get("timeout_ms", 700)) / 1000, list(push.get("retry_after_seconds", ()))
        )
        self._pump_lock = threading.Lock()
        self._push_stop = threading.Event()
        self._push_thread: threading.Thread | None = None
        for message_type, url in (push_urls or {}).items():
            self.push_to(url, message_type)
        self._faults = FaultQueue(self.service["errors"])
        self._nonces = NonceBook()
        self._requests: list[RecordedRequest] = []
        self._errors: list[str] = []
        self._lock = threading.Lock()
        self._server: Server | None = None
        self._timeouts = (idle_timeout, request_timeout)
        self._max_connections = max_connections

    def __repr__(self) -> str:
        state = f"endpoint={self.endpoint!r}" if self._server else "stopped"
        return f"Emulator({state}, access_key_id={self.access_key_id!r})"

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Self:
        """Open the port and serve in a background thread (again on the same port after stop())."""
        if self._server is not None:
            return self
        idle, request = self._timeouts
        server = Server(
            (self.host_address, self._port),
            self._respond,
            idle_timeout=idle,
            request_timeout=request,
            max_connections=self._max_connections,
        )
        server.start()
        self._port = server.port
        self._server = server
        if self._pusher.urls:
            self._start_pushing()
        return self

    def stop(self) -> None:
        """Close the port and every open connection; the state (records, requests) is kept."""
        self._push_stop.set()
        thread, self._push_thread = self._push_thread, None
        if thread is not None:
            thread.join(timeout=5)
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
        if self._queues is not None:
            self._queues.clear()
        self._pusher.clear()

    # ------------------------------------------------------------------ calls and receipts

    @property
    def outcomes(self) -> dict[str, Outcome]:
        """The outcomes the specs declare for a call, by name."""
        return dict(self._state.calls.outcomes)

    def outcome(self, outcome: str | Outcome, **changes: Any) -> Outcome:
        """A declared outcome with changes, e.g. ``emu.outcome("listened", talk_seconds=3)``."""
        return self._state.calls.outcome(outcome, **changes)

    def set_outcome(
        self, outcome: str | Outcome | None, *, number: str | None = None, call_id: str | None = None
    ) -> None:
        """How calls go: to ``number``, for the call ``call_id`` (placed already), or by default.

        ``outcome`` is a declared outcome's name or an :class:`Outcome`; None forgets the number's
        outcome, or restores the declared default.
        """
        calls = self._state.calls
        chosen = None if outcome is None else calls.outcome(outcome)
        if call_id is not None:
            record = self._state.find(call_id, calls.record_kind)
            if record is None:
                raise KeyError(f"no call {call_id!r}")
            calls.assign(record, chosen or calls.default())
        elif number is not None:
            calls.set_for_number(number, chosen)
        else:
            calls.set_default(chosen)

    def receipts(self, message_type: str | None = None) -> list[SentReceipt]:
        """Every receipt the service has produced so far (of one type), oldest first."""
        self._pump()
        return [r for r in self._state.calls.sent if message_type is None or r.type == message_type]

    def queue_name(self, message_type: str) -> str:
        """The name of the receipt queue of a message type."""
        if self._queues is None or message_type not in self._queues.types:
            raise KeyError(f"no receipt type {message_type!r}")
        return self._queues.name(message_type)

    def queued(self, message_type: str) -> int:
        """How many messages wait in the queue of a type (received but not deleted ones too)."""
        self._pump()
        return self._queues.messages(message_type) if self._queues is not None else 0

    def expire_tokens(self) -> None:
        """Expire every receipt-queue token handed out so far: clients must get a new one."""
        if self._queues is not None:
            self._queues.expire_tokens()

    def push_to(self, url: str, *message_types: str) -> None:
        """POST receipts of these types (default: every type) to ``url``, as the service does."""
        for message_type in message_types or tuple(self._state.calls.types):
            if message_type not in self._state.calls.types:
                known = ", ".join(self._state.calls.types) or "none"
                raise KeyError(f"no receipt type {message_type!r} (the service sends: {known})")
            self._pusher.urls[message_type] = url
        if self._server is not None:
            self._start_pushing()

    def deliver_receipts(self) -> list[PushAttempt]:
        """Push what is due now, in this thread; the attempts made (the background thread does it too)."""
        self._pump()
        return self._pusher.deliver(self.clock.now)

    @property
    def receipt_types(self) -> list[str]:
        """The receipt types the service sends (none when the specs declare no receipts)."""
        return list(self._queues.types) if self._queues is not None else []

    @property
    def push_urls(self) -> dict[str, str]:
        """Receipt type → the URL its receipts are POSTed to."""
        return dict(self._pusher.urls)

    @property
    def pushes(self) -> list[PushAttempt]:
        """Every push attempt so far."""
        return list(self._pusher.attempts)

    def receipt_options(self, message_type: str) -> dict[str, Any]:
        """Keyword arguments that point a receipt consumer of this type at this emulator."""
        return {
            "queue_name": self.queue_name(message_type),
            "token_endpoint": self.endpoint,
            "queue_endpoint": self.endpoint,
            "access_key_id": self.access_key_id,
            "access_key_secret": self.access_key_secret,
            "clock": self.clock.now,
        }

    def consumer(self, kind: type[R], handler: Callable[[R], object], **options: Any) -> Consumer[R]:
        """A receipt ``Consumer`` of this emulator's queue of ``kind``."""
        from .._consumer import Consumer

        settings = {**self.receipt_options(kind.MESSAGE_TYPE), **options}
        return Consumer(kind, handler, source=self._receipt_source(), **settings)

    def async_consumer(
        self, kind: type[R], handler: Callable[[R], object], **options: Any
    ) -> AsyncConsumer[R]:
        """An ``AsyncConsumer`` of this emulator's queue of ``kind``."""
        from .._consumer import AsyncConsumer

        settings = {**self.receipt_options(kind.MESSAGE_TYPE), **options}
        return AsyncConsumer(kind, handler, source=self._receipt_source(), **settings)

    def _receipt_source(self) -> ReceiptSource:
        """The product's receipt settings, as the package's ``receipts.SOURCE`` has them."""
        from .._consumer import ReceiptSource

        receipts: Mapping[str, Any] | None = self.service.get("receipts")
        if receipts is None:
            raise KeyError("the service sends no receipts")
        token, queue = receipts["token"], receipts["queue"]
        return ReceiptSource(
            token_product=token["product"],
            token_api_version=token["version"],
            token_endpoint=token["endpoint"],
            token_action=token["action"],
            refresh_before_seconds=int(token["refresh_before_seconds"]),
            queue_endpoint=queue["endpoint"],
            protocol_version=queue["protocol_version"],
            max_batch=int(receipts["max_batch"]),
            max_wait_seconds=int(receipts["max_wait_seconds"]),
            utc_offset_minutes=int(token["utc_offset_minutes"]),
        )

    def _pump(self) -> None:
        """Move the receipts that became due to the queues and the push batches."""
        with self._pump_lock:
            fresh = self._state.due()
            if fresh:
                now = self.clock.now()
                if self._queues is not None:
                    for receipt in fresh:
                        self._queues.put(receipt, now)
                self._pusher.add(fresh, now)

    def _start_pushing(self) -> None:
        if self._push_thread is not None:
            return
        self._push_stop.clear()
        thread = threading.Thread(target=self._push_loop, name="sdk-emulator-push", daemon=True)
        self._push_thread = thread
        thread.start()

    def _push_loop(self) -> None:
        while not self._push_stop.wait(0.02):
            try:
                self.deliver_receipts()
            except Exception:  # the emulator's own failure: kept for the tests to see
                with self._lock:
                    self._errors.append(traceback.format_exc())

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

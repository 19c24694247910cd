"""Pulling receipts from the product's message queue: ``Consumer`` (blocking) and ``AsyncConsumer``.

    def on_receipt(receipt: SomeReport) -> None:  # a receipt model of <package>.receipts
        save(receipt)

    with Consumer(SomeReport, on_receipt, source=SOURCE, queue_name="<the queue's name>") as c:
        c.run()  # until c.stop() from another thread (or run(max_receipts=…, timeout=…))

``SOURCE`` is the product's ``ReceiptSource``, which the generated ``<package>.receipts`` fills
from the specs; the credentials come from the arguments or the environment, as the client's.

One ``poll`` is: temporary queue credentials from the token action (fetched before the first
receive and again ``refresh_before_seconds`` before they expire, judged on ``clock``; and once more
when the queue refuses them), one long poll of up to ``batch`` messages, the handler called once
per receipt in message order, then a batch delete of the messages whose receipts were all handled.
A message whose handler raised stays in the queue and comes back after its visibility timeout.
Delivery is at least once; receipts handled recently (``remember`` of them, by type and content)
are not handed over again when the queue redelivers them.

``poll`` raises the SDK's errors (``NetworkError``, ``QueueError``, the token action's typed errors,
``InvalidResponseError``); ``run`` logs them at WARNING on the ``<package>.receipts`` logger and
waits (exponential backoff with jitter) before polling again. An empty long poll is no error. No
repr, log line or error message holds a secret: the AccessKey secret, the temporary secret and
token and the Authorization headers are only used to sign and sent.

A poll is written once, as a generator of steps (``_polling``): it yields each HTTP exchange and
each receipt to hand over, and the blocking and asyncio halves only carry them out. The token
action and the queue protocol are pure functions (``_signing``, ``_mns``); no global state.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import math
import random
import threading
import time
from collections.abc import Callable, Generator, Sequence
from dataclasses import fields
from typing import Generic, Self, TypeVar

from . import _mns
from ._async_transport import AsyncTransport
from ._errors import InvalidResponseError, RootError
from ._pull import (
    ConsumerStats,
    QueueError,
    ReceiptSource,
    Token,
    auth_failure,
    check_settings,
    delete_errors,
    network_error,
    parse_time,
    queue_error,
)
from ._receipts import R, ReceiptError, Seen, identity, parse
from ._rpc import USER_AGENT, Credentials, interpret, parse_endpoint, prepare_rpc
from ._transport import Answer, Prepared, SendError, SyncTransport, Timeouts

__all__ = [
    "AsyncConsumer",
    "Consumer",
    "ConsumerStats",
    "QueueError",
    "ReceiptSource",
    "parse_time",
]

log = logging.getLogger(__name__.rpartition(".")[0] + ".receipts")

T = TypeVar("T")


Steps = Generator[Prepared | R, object, T]
"""A poll's steps: each ``Prepared`` is answered with its ``Answer`` (or a ``RootError`` thrown in),
each receipt with None once the handler returned (or the handler's exception thrown in)."""


class _BaseConsumer(Generic[R]):
    """Settings, credentials, the poll as steps, statistics and backoff: all but the I/O."""

    def __init__(
        self,
        kind: type[R],
        handler: Callable[[R], object],
        *,
        source: ReceiptSource,
        queue_name: str,
        access_key_id: str | None = None,
        access_key_secret: str | None = None,
        security_token: str | None = None,
        token_endpoint: str | None = None,
        queue_endpoint: str | None = None,
        batch: int | None = None,
        wait_seconds: int | None = None,
        backoff: tuple[float, float] = (1.0, 60.0),
        remember: int = 10_000,
        clock: Callable[[], float] = time.time,
        timeout: float = 10.0,
    ) -> None:
        self._batch = source.max_batch if batch is None else batch
        self._wait = source.max_wait_seconds if wait_seconds is None else wait_seconds
        check_settings(source, queue_name, self._batch, self._wait, backoff, remember, timeout)
        self.kind, self.handler, self.queue_name = kind, handler, queue_name
        self._source, self._backoff, self._clock = source, backoff, clock
        self._credentials = Credentials.resolve(access_key_id, access_key_secret, security_token)
        self._token_at = parse_endpoint(token_endpoint or source.token_endpoint, "https")
        self._queue_at = parse_endpoint(queue_endpoint or source.queue_endpoint, "https")
        self._timeouts = Timeouts(connect=timeout, read=timeout + self._wait)  # a long poll is slow
        self._token: Token | None = None
        self._seen = Seen(remember)
        self._tally = {f.name: 0 for f in fields(ConsumerStats)}
        self._failures = 0  # consecutive failed polls, for the backoff
        self._random = random.Random()
        self._stopping = threading.Event()
        self._closed = False
        self._open()

    def _open(self) -> None:
        """Make the transport: each half has its own."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}[{self.kind.__name__}](queue={self.queue_name!r})"

    @property
    def stats(self) -> ConsumerStats:
        return ConsumerStats(**self._tally)

    def stop(self) -> None:
        """Make ``run`` return after the poll in progress; safe from any thread. (Called while no
        ``run`` is going, it makes the next one return at once.)"""
        self._stopping.set()

    # -- one poll, as steps ----------------------------------------------------------------------

    def _polling(self, batch: int, wait: int) -> Steps[R, int]:
        if self._closed:
            raise RuntimeError(f"{self!r} is closed")
        try:
            messages = self._messages((yield from self._exchange(self._receive_call(batch, wait))))
        except RootError:
            self._tally["errors"] += 1
            raise
        handled, done = 0, []
        for message in messages:
            receipts = self._receipts(message)
            complete = receipts is not None
            for receipt in receipts or []:
                if self._duplicate(receipt):
                    continue
                try:
                    yield receipt
                except Exception:
                    self._handler_failed(message)
                    complete = False
                else:
                    self._seen.add(identity(receipt))
                    self._tally["handled"] += 1
                    handled += 1
            if complete:
                done.append(message)
        for start in range(0, len(done), self._source.max_batch):
            yield from self._deleting(done[start : start + self._source.max_batch])
        return handled

    def _exchange(self, call: Callable[[Token], Prepared]) -> Steps[R, Answer]:
        """The queue's answer to ``call`` signed with valid credentials, and once more with new ones
        when the queue refuses them (its clock may be ahead of ours)."""
        token = self._token
        if token is None or self._clock() >= token.expires_at - self._source.refresh_before_seconds:
            token = yield from self._refreshing()
        answer = yield from _send(call(token))
        if auth_failure(answer):
            answer = yield from _send(call((yield from self._refreshing())))
        return answer

    def _refreshing(self) -> Steps[R, Token]:
        """New temporary credentials from the token action (an error answer is raised, typed)."""
        answer = yield from _send(self._token_call())
        body, error = interpret(answer)
        if error is not None:
            raise error
        if answer.status != 200:
            raise InvalidResponseError(
                f"the token action answered HTTP {answer.status}", http_status=answer.status
            )
        dto = (body or {}).get("MessageTokenDTO")
        names = ("AccessKeyId", "AccessKeySecret", "SecurityToken", "ExpireTime")
        missing = [n for n in names if not isinstance(dto, dict) or not dto.get(n)]
        if missing or not isinstance(dto, dict):
            raise InvalidResponseError(f"the token answer has no MessageTokenDTO.{', '.join(missing)}")
        expires_at = parse_time(dto["ExpireTime"], self._source.utc_offset_minutes)
        if self._token is not None:
            self._tally["token_refreshes"] += 1
        secret, token = str(dto["AccessKeySecret"]), str(dto["SecurityToken"])
        self._token = Token(str(dto["AccessKeyId"]), secret, token, expires_at)
        return self._token

    def _deleting(self, batch: Sequence[_mns.Message]) -> Steps[R, None]:
        """Deletes ``batch``; a failure is logged and counted, not raised (its receipts are remembered)."""
        try:
            answer = yield from self._exchange(self._delete_call(batch))
        except RootError as exc:
            return self._not_deleted(batch, batch, str(exc))
        if 200 <= answer.status < 300:
            self._tally["deleted"] += len(batch)
            return None
        failed = delete_errors(answer)  # handle → (code, message) of a partial failure
        left = [m for m in batch if m.receipt_handle in failed]
        if not left:
            return self._not_deleted(batch, batch, str(queue_error(answer)))
        return self._not_deleted(batch, left, ", ".join(sorted({code for code, _ in failed.values()})))

    def _not_deleted(self, batch: Sequence[_mns.Message], left: Sequence[_mns.Message], reason: str) -> None:
        """Logs and counts the handled messages of ``batch`` that the queue kept (``left``)."""
        if len(left) == len(batch):  # nothing deleted: the delete failed
            self._tally["errors"] += 1
        self._tally["delete_failures"] += len(left)
        self._tally["deleted"] += len(batch) - len(left)
        log.warning(
            "queue %r: %d of %d handled messages were not deleted (%s): %s; their receipts are remembered",
            self.queue_name,
            len(left),
            len(batch),
            reason,
            ", ".join(m.message_id for m in left),
        )

    # -- the requests ----------------------------------------------------------------------------

    def _token_call(self) -> Prepared:
        """The token action, signed with the application's AccessKey as the client signs its calls."""
        src, creds = self._source, self._credentials
        scheme, host = self._token_at
        action, version = src.token_action, src.token_api_version
        params = [("MessageType", self.kind.MESSAGE_TYPE), ("QueueName", self.queue_name)]
        return prepare_rpc(scheme, host, action, version, params, creds, src.signing)

    def _queue_call(self, method: str, resource: str, token: Token, body: bytes = b"") -> Prepared:
        headers = {"x-mns-version": self._source.protocol_version, "Date": _mns.http_date()}
        if body:
            headers["Content-Type"] = _mns.CONTENT_TYPE
        key = (token.access_key_id, token.access_key_secret)
        headers["Authorization"] = _mns.authorization(method, resource, headers, *key)
        headers["security-token"] = token.security_token
        headers["user-agent"] = USER_AGENT
        scheme, host = self._queue_at
        return Prepared(scheme, host, resource, headers, method, body)

    def _receive_call(self, batch: int, wait: int) -> Callable[[Token], Prepared]:
        resource = _mns.receive_resource(self.queue_name, batch, wait)
        return lambda token: self._queue_call("GET", resource, token)

    def _delete_call(self, messages: Sequence[_mns.Message]) -> Callable[[Token], Prepared]:
        body = _mns.delete_body([m.receipt_handle for m in messages])
        resource = _mns.delete_resource(self.queue_name)
        return lambda token: self._queue_call("DELETE", resource, token, body)

    # -- the answers and the receipts ------------------------------------------------------------

    def _messages(self, answer: Answer) -> list[_mns.Message]:
        if answer.status == 200:
            try:
                return _mns.parse_messages(answer.body)
            except ValueError as exc:  # _mns.ProtocolError, or a count that is no number
                raise InvalidResponseError(f"queue {self.queue_name!r}: {exc}", http_status=200) from None
        error = queue_error(answer)
        if error.code == "MessageNotExist":
            return []
        raise error

    def _receipts(self, message: _mns.Message) -> list[R] | None:
        try:
            return parse(self.kind, message.body)
        except ReceiptError as exc:
            self._tally["unreadable"] += 1
            log.error(
                "queue %r: message %s is not %s receipts; it is left in the queue: %s",
                self.queue_name,
                message.message_id,
                self.kind.MESSAGE_TYPE,
                exc,
            )
            return None

    def _duplicate(self, receipt: R) -> bool:
        if identity(receipt) in self._seen:
            self._tally["duplicates"] += 1
            return True
        return False

    def _handler_failed(self, message: _mns.Message) -> None:
        self._tally["failed"] += 1
        log.exception(
            "the %s handler raised on message %s; the message stays in the queue",
            self.kind.MESSAGE_TYPE,
            message.message_id,
        )

    # -- the loop of run() -----------------------------------------------------------------------

    def _next(self, deadline: float | None, max_receipts: int | None, handled: int) -> tuple[int, int] | None:
        """``(batch, wait seconds)`` of ``run``'s next poll, or None when ``run`` is done."""
        remaining = None if deadline is None else deadline - time.monotonic()
        if self._stopping.is_set() or self._closed or (remaining is not None and remaining <= 0):
            return None
        if max_receipts is not None and handled >= max_receipts:
            return None
        batch = self._batch if max_receipts is None else min(self._batch, max_receipts - handled)
        return batch, self._wait if remaining is None else min(self._wait, math.ceil(remaining))

    def _backoff_after(self, exc: RootError, deadline: float | None) -> float:
        """Seconds to wait after the failed poll ``exc`` (logged), at most until ``deadline``."""
        self._failures += 1
        first, longest = self._backoff
        cap = min(longest, first * 2.0 ** min(self._failures - 1, 64))
        delay = self._random.uniform(cap / 2, cap)
        log.warning(
            "polling queue %r failed (%s: %s); next poll in %.2f s",
            self.queue_name,
            type(exc).__name__,
            exc,
            delay,
        )
        return delay if deadline is None else max(0.0, min(delay, deadline - time.monotonic()))


def _send(call: Prepared) -> Generator[Prepared, object, Answer]:
    answer = yield call
    assert isinstance(answer, Answer)
    return answer


class Consumer(_BaseConsumer[R]):
    """Pulls receipts of type ``kind`` from ``queue_name`` and calls ``handler`` with each one.

    ``source`` is the product's ``ReceiptSource``; the credentials default to the environment, as
    the client's; ``token_endpoint`` and ``queue_endpoint`` override the source's (a host, or a
    URL such as ``http://127.0.0.1:8080``); ``batch`` and ``wait_seconds`` are each receive's
    (default, and at most, the source's); ``backoff`` is the first and the longest pause after a
    failed poll, in seconds; ``remember`` how many handled receipts are kept to drop redeliveries;
    ``clock`` gives the epoch seconds the token's expiry is judged on; ``timeout`` is in seconds,
    for connecting and reading (on top of the long poll).
    """

    def _open(self) -> None:
        self._transport = SyncTransport(self._timeouts)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._closed = True
        self._transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def poll(self) -> int:
        """One receive, the handler on each receipt, the deletes: the number of receipts handled."""
        return self._drive(self._polling(self._batch, self._wait))

    def run(self, *, max_receipts: int | None = None, timeout: float | None = None) -> None:
        """Poll until ``stop()``, ``max_receipts`` receipts handled, or ``timeout`` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        handled = 0
        try:
            while (batch_wait := self._next(deadline, max_receipts, handled)) is not None:
                try:
                    handled += self._drive(self._polling(*batch_wait))
                    self._failures = 0
                except RootError as exc:
                    self._stopping.wait(self._backoff_after(exc, deadline))
        finally:
            self._stopping.clear()

    def _drive(self, steps: Steps[R, T]) -> T:
        with self._lock:
            reply: object = None
            failure: BaseException | None = None
            try:
                while True:
                    try:
                        step = steps.throw(failure) if failure is not None else steps.send(reply)
                    except StopIteration as done:
                        result: T = done.value
                        return result
                    reply, failure = None, None
                    try:
                        if isinstance(step, Prepared):
                            reply = self._transport.send(step)
                        else:
                            self.handler(step)
                    except SendError as exc:
                        failure = network_error(exc)
                    except Exception as exc:  # the handler's: the steps log it
                        failure = exc
            finally:
                steps.close()


class AsyncConsumer(_BaseConsumer[R]):
    """``Consumer`` for asyncio: ``poll``, ``run``, ``close`` and ``aclose`` are coroutines, ``stop``
    is not (it is safe from any thread). ``handler`` may be a coroutine function (it is awaited) or
    a plain one (called on the event loop: keep it quick). Cancelling ``run`` cancels the poll in
    progress; the messages of that poll not yet deleted come back after the visibility timeout."""

    def _open(self) -> None:
        self._transport = AsyncTransport(self._timeouts)
        self._wake: tuple[asyncio.AbstractEventLoop, asyncio.Event] | None = None

    def stop(self) -> None:
        super().stop()
        if (wake := self._wake) is not None:
            loop, event = wake
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # the loop is closed: run() is over
                pass

    async def close(self) -> None:
        self._closed = True
        await self._transport.close()

    async def aclose(self) -> None:
        await self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def poll(self) -> int:
        """One receive, the handler on each receipt, the deletes: the number of receipts handled."""
        return await self._drive(self._polling(self._batch, self._wait))

    async def run(self, *, max_receipts: int | None = None, timeout: float | None = None) -> None:
        """Poll until ``stop()``, ``max_receipts`` receipts handled, or ``timeout`` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        handled, event = 0, asyncio.Event()
        self._wake = (asyncio.get_running_loop(), event)
        try:
            while (batch_wait := self._next(deadline, max_receipts, handled)) is not None:
                try:
                    handled += await self._drive(self._polling(*batch_wait))
                    self._failures = 0
                except RootError as exc:
                    try:
                        await asyncio.wait_for(event.wait(), self._backoff_after(exc, deadline))
                    except TimeoutError:
                        pass
        finally:
            self._wake = None
            self._stopping.clear()

    async def _drive(self, steps: Steps[R, T]) -> T:
        reply: object = None
        failure: BaseException | None = None
        try:
            while True:
                try:
                    step = steps.throw(failure) if failure is not None else steps.send(reply)
                except StopIteration as done:
                    result: T = done.value
                    return result
                reply, failure = None, None
                try:
                    if isinstance(step, Prepared):
                        reply = await self._transport.send(step)
                    elif inspect.isawaitable(outcome := self.handler(step)):
                        await outcome
                except SendError as exc:
                    failure = network_error(exc)
                except Exception as exc:  # the handler's: the steps log it
                    failure = exc
        finally:
            steps.close()

"""How the emulator answers one request: gateway checks, validation, faults, then the service.

``Responder`` is the half of ``Emulator`` that runs on the server's threads. The order is the
real one: injected gateway faults; method, action and version; the signature (key, token,
timestamp, nonce); the parameters (gateway errors, HTTP 400, before business ones, HTTP 200);
injected business faults; and last what the action declares for the emulator (its limits, and
the records it creates, reads or ends: ``_state``). Every request, whatever happened to it, is
recorded as a ``RecordedRequest``.
"""

from __future__ import annotations

import threading
import time
import traceback
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from ._faults import Fault, FaultQueue
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
from ._http import Answer
from ._pages import ListLengths
from ._queue import QueueError, Queues, error_body, token_body
from ._schema import decode
from ._state import Clock, ServiceState

__all__ = ["RecordedRequest", "Responder"]


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


class Responder(ListLengths):
    """Answers requests; ``Emulator`` sets these attributes up and adds the public API (with
    ``ListLengths``: how many items each paginated list action serves)."""

    service: Mapping[str, Any]
    strict: bool
    latency: float
    _keys: dict[str, KeyPair]
    _nonces: NonceBook
    _faults: FaultQueue
    _state: ServiceState
    _requests: list[RecordedRequest]
    _errors: list[str]
    _lock: threading.Lock
    clock: Clock
    _queues: Queues | None

    def _pump(self) -> None:
        """Move the receipts that became due to the queues and pushes: ``Emulator`` does it, as it
        owns them."""
        raise NotImplementedError

    def _respond(self, request: Incoming) -> Answer:
        request_id = str(uuid.uuid4()).upper()
        queue = self._queues is not None and request.path.startswith("/queues/")
        action, version, scheme = (None, None, "none") if queue else action_and_version(request)
        trace: dict[str, Any] = {"params": {}, "unknown": (), "identity": None, "fault": None}
        try:
            if queue:
                answer = self._queue_answer(request, request_id)
            else:
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
            signature_version=(
                identity.signature_version if identity else (None if scheme == "none" else scheme)
            ),
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
            token = (self.service.get("receipts") or {}).get("token")
            if token is not None and self._queues is not None and action == token["action"]:
                return replace(
                    self._token_answer(request, request_id, version, scheme, token, trace), delay=delay
                )
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
                action,
                actions[action].get("emulator") or {},
                actions[action]["example"],
                decoded.params,
                identity.access_key_id,
            )
            return Answer(200, {"RequestId": request_id, **body}, {"x-acs-request-id": request_id}, delay)
        except Rejection as rejection:
            return replace(self._error(rejection, request_id), delay=delay)

    def _token_answer(
        self,
        request: Incoming,
        request_id: str,
        version: str | None,
        scheme: str,
        token: Mapping[str, Any],
        trace: dict[str, Any],
    ) -> Answer:
        """The receipts' token action (another product's, served here too): a temporary key pair."""
        assert self._queues is not None
        if request.method not in ("GET", "POST"):
            raise Rejection("UnsupportedHTTPMethod")
        if version != token["version"]:
            raise Rejection("InvalidVersion")
        identity = authenticate(request, scheme, self._keys, self._nonces, time.time())
        trace["identity"] = identity
        params = {k: v for k, v in (*request.query, *request.form) if k not in COMMON_PARAMETERS}
        trace["params"] = params
        message_type = params.get("MessageType")
        if not message_type:
            raise Rejection("MissingMessageType", parameter="MessageType")
        now = self.clock.now()
        issued = self._queues.issue(message_type, params.get("QueueName"), now)
        dto = token_body(issued, now, int(token["utc_offset_minutes"]))
        body = {"RequestId": request_id, "Code": "OK", "Message": "OK", "MessageTokenDTO": dto}
        return Answer(200, body, {"x-acs-request-id": request_id})

    def _queue_answer(self, request: Incoming, request_id: str) -> Answer:
        """A request to a receipt queue (the MNS protocol, XML answers)."""
        assert self._queues is not None
        queues = self._queues
        self._pump()
        headers = {"Content-Type": "text/xml;charset=utf-8", "x-mns-request-id": request_id}
        try:
            status, raw, poll = queues.answer(request, self.clock.now())
            code = "OK" if status < 300 else "MessageNotExist" if request.method == "GET" else "Errors"
        except QueueError as error:
            status, raw, poll, code = (
                error.status,
                error_body(error.code, error.message, request_id),
                None,
                error.code,
            )
        answer = Answer(status, {"Code": code}, headers, raw=raw)
        if poll is not None:
            message_type, count, seconds = poll

            def look() -> Answer | None:
                self._pump()
                found = queues.receive(message_type, count, self.clock.now())
                return None if found is None else Answer(200, {"Code": "OK"}, headers, raw=found)

            answer.poll, answer.poll_for = look, float(seconds)
        return answer

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

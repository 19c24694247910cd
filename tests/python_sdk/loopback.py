"""A loopback HTTP server for the SDK's tests: scripted answers, a request count, and signature
checks written here from signing.md independently of the SDK's own ``_signing`` module.

    with Loopback() as server:
        server.script(Answer(status=503, body={"Code": "ServiceUnavailable"}))
        ...
        assert server.count == 1
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

SECRETS = {"testid": "testsecret"}


@dataclass
class Answer:
    status: int = 200
    body: Any = None  # dict → JSON; str → sent as is
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False  # close the connection without answering


@dataclass
class Received:
    action: str | None
    query: list[tuple[str, str]]
    headers: dict[str, str]
    scheme: str  # "v3" | "v1" | "none"
    signature_ok: bool


def _pct(s: str) -> str:
    return quote(s, safe="~")


def verify_v3(method: str, query: list[tuple[str, str]], headers: dict[str, str]) -> bool:
    auth = headers.get("authorization", "")
    if not auth.startswith("ACS3-HMAC-SHA256 "):
        return False
    parts = dict(p.split("=", 1) for p in auth[len("ACS3-HMAC-SHA256 ") :].split(","))
    secret = SECRETS.get(parts.get("Credential", ""))
    if secret is None:
        return False
    signed = parts["SignedHeaders"].split(";")
    canonical_query = "&".join(f"{_pct(k)}={_pct(v)}" for k, v in sorted(query))
    canonical_headers = "".join(f"{name}:{headers[name].strip()}\n" for name in signed)
    payload = hashlib.sha256(b"").hexdigest()
    request = "\n".join([method, "/", canonical_query, canonical_headers, ";".join(signed), payload])
    to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(request.encode()).hexdigest()
    expected = hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("Signature", "")) and headers.get(
        "x-acs-content-sha256"
    ) == payload


def verify_v1(method: str, query: list[tuple[str, str]]) -> bool:
    params = dict(query)
    secret = SECRETS.get(params.get("AccessKeyId", ""))
    signature = params.pop("Signature", None)
    if secret is None or signature is None:
        return False
    canonical = "&".join(f"{_pct(k)}={_pct(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{_pct('/')}&{_pct(canonical)}"
    digest = hmac.new((secret + "&").encode(), to_sign.encode(), hashlib.sha1).digest()
    return hmac.compare_digest(base64.b64encode(digest).decode(), signature)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        owner = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        query = parse_qsl(urlsplit(self.path).query, keep_blank_values=True)
        headers = {k.lower(): v for k, v in self.headers.items()}
        if "authorization" in headers:
            scheme, ok = "v3", verify_v3("POST", query, headers)
            action = headers.get("x-acs-action")
        elif any(k == "Signature" for k, _ in query):
            scheme, ok = "v1", verify_v1("POST", query)
            action = dict(query).get("Action")
        else:
            scheme, ok, action = "none", False, None
        answer = owner._record(Received(action, query, headers, scheme, ok))
        if answer.delay:
            time.sleep(answer.delay)
        if answer.drop:
            self.close_connection = True
            self.connection.shutdown(2)
            return
        body = answer.body if answer.body is not None else {
            "RequestId": f"req-{owner.count}", "Code": "OK", "Message": "OK", "CallId": f"call-{owner.count}"
        }  # fmt: skip
        raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json" if not isinstance(body, str) else "text/html")
        self.send_header("Content-Length", str(len(raw)))
        self.send_header("x-acs-request-id", f"hdr-req-{owner.count}")
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: Loopback


class Loopback:
    def __init__(self) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self._lock = threading.Lock()
        self._script: deque[Answer] = deque()
        self.received: list[Received] = []

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    @property
    def count(self) -> int:
        return len(self.received)

    def script(self, *answers: Answer) -> None:
        """Answers for the next requests, in order; after them every request gets a success."""
        with self._lock:
            self._script.extend(answers)

    def _record(self, received: Received) -> Answer:
        with self._lock:
            self.received.append(received)
            return self._script.popleft() if self._script else Answer()

    def __enter__(self) -> Loopback:
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

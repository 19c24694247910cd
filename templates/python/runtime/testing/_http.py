"""The emulator's HTTP side (standard library only): a threading HTTP/1.1 server with keep-alive.

The handler turns the raw request into an :class:`Incoming`, asks the emulator for an
:class:`Answer` and writes it; it can also wait before answering, or close the connection
without answering. Stopping the server closes the port *and* every open connection, so that a
client's pooled keep-alive connection cannot reach a stopped emulator.
"""

from __future__ import annotations

import json
import selectors
import socket
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from ._gateway import Incoming

__all__ = ["Answer", "Server"]

MAX_BODY = 1 << 20


@dataclass
class Answer:
    """What to send back: status, JSON body, extra headers; or, with ``drop``, nothing at all."""

    status: int = 200
    body: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False


class Server(ThreadingHTTPServer):
    """A ThreadingHTTPServer that knows its open connections and can be stopped at once."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    timeout = 0  # handle_request() never waits: run() calls it only when a client is waiting

    def __init__(self, address: tuple[str, int], respond: Callable[[Incoming], Answer]) -> None:
        self.respond = respond
        self.stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._guard = threading.Lock()
        self._wake_reader, self._wake_writer = socket.socketpair()
        self.errors: list[str] = []
        super().__init__(address, _Handler)

    def run(self) -> None:
        """Accept connections until :meth:`stop` (serve_forever would poll; this wakes at once)."""
        with selectors.DefaultSelector() as selector:
            selector.register(self.socket, selectors.EVENT_READ)
            selector.register(self._wake_reader, selectors.EVENT_READ)
            while not self.stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is self.socket and not self.stopping.is_set():
                        self.handle_request()

    def stop(self) -> None:
        """Stop accepting, close the port, and cut every open connection; delayed answers are dropped."""
        self.stopping.set()
        try:
            self._wake_writer.send(b"x")
        except OSError:
            pass

    def close(self) -> None:
        self.server_close()
        self._wake_reader.close()
        self._wake_writer.close()
        self.close_connections()

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = super().get_request()
        with self._guard:
            self._connections.add(connection)
        return connection, address

    def shutdown_request(self, request: Any) -> None:
        with self._guard:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Keep quiet about clients that vanished mid-request; keep anything else for the tests."""
        if not isinstance(sys.exc_info()[1], OSError):
            self.errors.append(traceback.format_exc())

    def close_connections(self) -> None:
        """Cut every open connection (a handler blocked reading one sees it end)."""
        with self._guard:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Tengine"
    sys_version = ""
    # Unparsable requests get a status line and an HTML 400 page, as the real front end answers.
    default_request_version = "HTTP/1.0"
    timeout = 120  # an idle keep-alive connection is closed after two minutes
    disable_nagle_algorithm = True  # headers and body leave at once (no 40 ms delayed-ACK stall)
    server: Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
        pass  # the emulator keeps quiet; everything is in Emulator.requests

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def _serve(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            self.send_error(400, "Bad Content-Length")
            return
        body = self.rfile.read(length) if length else b""
        path, _, query = self.path.partition("?")
        form: list[tuple[str, str]] = []
        if (self.headers.get("Content-Type") or "").startswith("application/x-www-form-urlencoded"):
            form = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        incoming = Incoming(
            method=self.command,
            path=path or "/",
            query=tuple(parse_qsl(query, keep_blank_values=True)),
            headers=tuple((k.lower(), v) for k, v in self.headers.items()),
            body=body,
            form=tuple(form),
        )
        answer = self.server.respond(incoming)
        if answer.delay > 0 and self.server.stopping.wait(answer.delay):
            answer = Answer(drop=True)  # stopped while waiting: no answer
        if answer.drop:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        payload = json.dumps(answer.body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json;charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
            self.wfile.flush()
        except OSError:  # the client gave up (a timeout) and closed its end
            self.close_connection = True

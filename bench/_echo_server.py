"""A minimal keep-alive HTTP/1.1 server for benchmarks: every POST gets the same success body.

Run as a separate process so that its CPU time is not charged to the client being measured.
Prints its port on the first line of stdout. ``GET /stats`` answers the connections it accepted
and the most it had open at once, as JSON (``GET /stats?reset`` also starts both counts afresh);
the stats request's own connection is left out of both.
"""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BODY = json.dumps({"RequestId": "bench-1", "Code": "OK", "Message": "OK", "CallId": "116012854210^102814"}).encode()


class Connections:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.open = self.accepted = self.peak = 0

    def opened(self) -> None:
        with self.lock:
            self.open += 1
            self.accepted += 1
            self.peak = max(self.peak, self.open)

    def closed(self) -> None:
        with self.lock:
            self.open -= 1

    def report(self, reset: bool) -> bytes:
        with self.lock:
            stats = {"accepted": self.accepted - 1, "peak": self.peak, "open": self.open - 1}
            if reset:
                self.accepted, self.peak = 0, self.open - 1
        return json.dumps(stats).encode()


CONNECTIONS = Connections()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wbufsize = -1  # headers and body leave in one write: no small-packet / delayed-ACK stalls

    def setup(self) -> None:
        super().setup()
        CONNECTIONS.opened()

    def finish(self) -> None:
        CONNECTIONS.closed()
        super().finish()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.answer(BODY)

    def do_GET(self) -> None:
        self.answer(CONNECTIONS.report(reset=self.path.endswith("?reset")))

    def answer(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class Server(ThreadingHTTPServer):
    request_queue_size = 1024  # the default listen backlog of 5 drops the SYNs of many clients at once


if __name__ == "__main__":
    server = Server(("127.0.0.1", 0), Handler)
    print(server.server_port, flush=True)
    sys.stdout.close()
    server.serve_forever()

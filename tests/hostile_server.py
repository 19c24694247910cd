"""A server that answers whatever a test scripts, byte by byte and at its own pace, and the table
of hostile answers both SDKs must turn into typed errors (by error class name, HTTP status)."""

from __future__ import annotations

import json
import socket
import threading
from collections import deque

Chunks = list[tuple[float, bytes]]  # (seconds to wait first, bytes to send)


def head(status: int = 200, headers: dict[str, str] | None = None, length: int | None = None) -> bytes:
    lines = [f"HTTP/1.1 {status} X", "Connection: close", "x-acs-request-id: req-42"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def json_answer(body: object, status: int = 200) -> Chunks:
    data = json.dumps(body).encode()
    return [(0.0, head(status, {"Content-Type": "application/json"}, len(data)) + data)]


class RawServer:
    """Reads each request's head and answers with the next scripted chunks, then closes."""

    def __init__(self) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self.answers: deque[Chunks] = deque()
        self.count = 0
        self.requests: list[bytes] = []
        self._stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            received = b""
            while b"\r\n\r\n" not in received:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                received += chunk
            self.count += 1
            self.requests.append(received)
            chunks = self.answers.popleft() if self.answers else json_answer({"RequestId": "r", "Code": "OK"})
            try:
                for delay, data in chunks:
                    if self._stop.wait(delay):
                        return
                    conn.sendall(data)
            except OSError:
                return

    def close(self) -> None:
        self._stop.set()
        self._sock.close()


TRICKLE: Chunks = [(0.0, head(200, {"Content-Type": "application/json"}, 200))] + [(0.25, b" ")] * 200
HOSTILE_ANSWERS: dict[str, tuple[Chunks, str, int | None]] = {
    "wrong type": (json_answer({"RequestId": "r-1", "Code": "OK", "CallId": {"nested": 1}}),
                   "InvalidResponseError", 200),
    "wrong list type": (json_answer({"RequestId": "r-1", "Code": "OK", "CallId": [1, 2]}),
                        "InvalidResponseError", 200),
    "empty 200": ([(0.0, head(200, length=0))], "InvalidResponseError", 200),
    "empty object": (json_answer({}), "InvalidResponseError", 200),
    "JSON array": (json_answer([1, 2]), "InvalidResponseError", 200),
    "not JSON": ([(0.0, head(200, length=5) + b"<html")], "InvalidResponseError", 200),
    "redirect": ([(0.0, head(302, {"Location": "https://elsewhere.example/x?SecurityToken=t"}, 0))],
                 "InvalidResponseError", 302),
    "recursion": ([(0.0, head(200, length=200_000) + b"[" * 200_000)], "InvalidResponseError", 200),
    "huge by length": ([(0.0, head(200, length=100 * 2**20))], "InvalidResponseError", 200),
    "huge chunked": ([(0.0, head(200, {"Transfer-Encoding": "chunked"}))]
                     + [(0.0, b"100000\r\n" + b"x" * 0x100000 + b"\r\n")] * 10, "InvalidResponseError", 200),
    "truncated": ([(0.0, head(200, length=100) + b'{"RequestId"')], "NetworkError", None),
    "trickle": (TRICKLE, "RequestTimeoutError", None),
    "trickled head": ([(0.25, bytes([b])) for b in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"s" * 20],
                      "RequestTimeoutError", None),
}  # fmt: skip

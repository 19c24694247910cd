"""Run the official Dyvmsapi SDK against a loopback server and capture its raw requests.

Test-only. The official client (``alibabacloud-dyvmsapi20170525``, whichever release is first
on ``sys.path``) is pointed at ``http://127.0.0.1:<ephemeral port>`` with its timestamp and
nonce pinned; the server records each request exactly as it arrived (method, raw path with
the query string, headers in order and case) and answers ``{"Code": "OK"}``.

Used two ways:

* in-process (release 5.3.0, installed in the venv): ``with CaptureServer() as server:
  capture(spec, server)``;
* as a script (release 2.1.3, which has the same import name, so it runs in a subprocess
  with its unpacked wheel first on ``PYTHONPATH``): a JSON list of specs on stdin, a JSON
  list of captures on stdout.

A spec is a dict: ``action``, ``params`` (wire names, as ``<Action>Request.from_map`` takes
them), ``algorithm`` (``"v3"``, the default ACS3-HMAC-SHA256, or ``"v1"``, which the official
SDK selects with ``signature_algorithm='v2'``), ``access_key_id``, ``access_key_secret``,
``security_token`` (or None), ``timestamp`` and ``nonce``.
"""

from __future__ import annotations

import importlib
import json
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

_OK_BODY = json.dumps({"RequestId": "req-1", "Code": "OK", "Message": "OK"}).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.requests.append(
            {
                "method": self.command,
                "path": self.path,
                "headers": [[k, v] for k, v in self.headers.items()],
                "body": body.decode("utf-8", "replace"),
            }
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(_OK_BODY)))
        self.end_headers()
        self.wfile.write(_OK_BODY)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # keep the test output clean


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    requests: list[dict[str, Any]]


class CaptureServer:
    """A loopback HTTP server recording every request; a context manager."""

    def __init__(self) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.requests = []
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self._server.server_address[1]}"

    def take(self) -> list[dict[str, Any]]:
        """The requests recorded since the last call."""
        taken = list(self._server.requests)
        self._server.requests.clear()
        return taken

    def __enter__(self) -> CaptureServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()


def _snake(action: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", action).lower()


def capture(spec: dict[str, Any], server: CaptureServer) -> dict[str, Any]:
    """Send one call with the official client; return the request the server received.

    The timestamp and nonce are pinned by replacing the two static methods the official
    runtime (``alibabacloud_tea_openapi`` 0.4.x) calls for them, ``Utils.get_timestamp``
    and ``Utils.get_nonce``, for the duration of the call.
    """
    from alibabacloud_tea_openapi import models as openapi_models
    from alibabacloud_tea_openapi.utils import Utils

    sdk = importlib.import_module("alibabacloud_dyvmsapi20170525.client")
    models = importlib.import_module("alibabacloud_dyvmsapi20170525.models")
    config = openapi_models.Config(
        access_key_id=spec["access_key_id"],
        access_key_secret=spec["access_key_secret"],
        security_token=spec.get("security_token"),
        endpoint=server.host,
        protocol="http",
    )
    if spec.get("algorithm", "v3") == "v1":
        config.signature_algorithm = "v2"
    client = sdk.Client(config)
    request = getattr(models, spec["action"] + "Request")().from_map(spec["params"])

    saved = Utils.__dict__["get_timestamp"], Utils.__dict__["get_nonce"]
    timestamp, nonce = spec["timestamp"], spec["nonce"]
    Utils.get_timestamp = staticmethod(lambda: timestamp)
    Utils.get_nonce = staticmethod(lambda: nonce)
    try:
        server.take()
        getattr(client, _snake(spec["action"]))(request)
    finally:
        Utils.get_timestamp, Utils.get_nonce = saved
    (received,) = server.take()
    received["sdk_file"] = sdk.__file__
    return received


def main() -> None:
    specs = json.load(sys.stdin)
    with CaptureServer() as server:
        captures = [capture(spec, server) for spec in specs]
    json.dump(captures, sys.stdout)


if __name__ == "__main__":
    main()

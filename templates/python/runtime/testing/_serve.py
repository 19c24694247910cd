"""Running the emulator on its own: ``python -m <package>.testing`` and ``sdkgen serve``."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any, TextIO

from .._meta import ENV_ENDPOINT, PRODUCT
from ._emulator import Emulator

__all__ = ["main", "serve"]


def serve(
    port: int,
    host: str = "127.0.0.1",
    *,
    access_key_id: str = "testid",
    access_key_secret: str = "testsecret",
    out: TextIO | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Run an emulator until interrupted (Ctrl-C or SIGTERM), or until ``stop`` is set.

    Prints the endpoint and the test credentials to ``out`` (default stdout) first. The secret
    is printed only when it is the built-in test secret.
    """
    out = out or sys.stdout
    stop = stop or threading.Event()
    emulator = Emulator(
        port=port, host=host, access_key_id=access_key_id, access_key_secret=access_key_secret
    )
    shown_secret = access_key_secret if access_key_secret == "testsecret" else "<as given>"
    previous: Any = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        with emulator:
            out.write(
                f"{PRODUCT} emulator listening on {emulator.endpoint}\n"
                f"  point a client at it: {ENV_ENDPOINT}={emulator.endpoint}\n"
                f"  access key id:     {emulator.access_key_id}\n"
                f"  access key secret: {shown_secret}\n"
                f"  security token:    {emulator.security_token} (optional)\n"
                f"  export ALIBABA_CLOUD_ACCESS_KEY_ID={emulator.access_key_id}"
                f" ALIBABA_CLOUD_ACCESS_KEY_SECRET={shown_secret}\n"
                "Press Ctrl-C to stop.\n"
            )
            out.flush()
            try:
                while not stop.wait(0.5):
                    pass
            except KeyboardInterrupt:
                pass
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=f"python -m {__package__}", description=f"Run the emulator of {PRODUCT}."
    )
    parser.add_argument("--port", type=int, default=8080, help="TCP port (default 8080; 0 picks a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--access-key-id", default="testid")
    parser.add_argument("--access-key-secret", default="testsecret")
    args = parser.parse_args(argv)
    try:
        serve(
            args.port, args.host, access_key_id=args.access_key_id, access_key_secret=args.access_key_secret
        )
    except OSError as error:
        print(f"cannot listen on {args.host}:{args.port}: {error.strerror or error}", file=sys.stderr)
        return 1
    return 0

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
    push: Sequence[str] = (),
) -> None:
    """Run an emulator until interrupted (Ctrl-C or SIGTERM), or until ``stop`` is set.

    Prints the endpoint and the test credentials to ``out`` (default stdout) first, and, when the
    service sends receipts, where to read them. The secret is printed only when it is the built-in
    test secret. ``push`` entries, ``URL`` or ``TYPE=URL``, are where receipts (of every type, or
    of one) are POSTed.
    """
    out = out or sys.stdout
    stop = stop or threading.Event()
    emulator = Emulator(
        port=port, host=host, access_key_id=access_key_id, access_key_secret=access_key_secret
    )
    for entry in push:
        kind, sep, url = entry.partition("=")
        if sep and not kind.startswith(("http:", "https:")):
            emulator.push_to(url, kind)
        else:
            emulator.push_to(entry)
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
                + _receipts_banner(emulator)
                + "Press Ctrl-C to stop.\n"
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


def _receipts_banner(emulator: Emulator) -> str:
    """Where the receipts of the emulated calls can be read, if the service sends any."""
    types = list(emulator.receipt_types)
    if not types:
        return ""
    package = __package__.rpartition(".")[0] if __package__ else "the package"
    lines = [
        "  receipts: each call plays out in real time and its receipts wait in these queues:",
        *(f"    {emulator.queue_name(t)}" for t in types),
        f"  read them with {package}.receipts.consumer(<Type>, handler, queue_name=<queue>,",
        f"    token_endpoint={emulator.endpoint!r}, queue_endpoint={emulator.endpoint!r})",
    ]
    pushed = emulator.push_urls
    if pushed:
        lines += [f"  pushing {t} to {url}" for t, url in sorted(pushed.items())]
    else:
        lines.append("  or have them POSTed to your URL: --push URL (or --push TYPE=URL)")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=f"python -m {__package__}", description=f"Run the emulator of {PRODUCT}."
    )
    parser.add_argument("--port", type=int, default=8080, help="TCP port (default 8080; 0 picks a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--access-key-id", default="testid")
    parser.add_argument("--access-key-secret", default="testsecret")
    parser.add_argument(
        "--push", action="append", default=[], metavar="[TYPE=]URL", help="POST receipts (of one type) to URL"
    )
    args = parser.parse_args(argv)
    try:
        serve(
            args.port,
            args.host,
            access_key_id=args.access_key_id,
            access_key_secret=args.access_key_secret,
            push=args.push,
        )
    except OSError as error:
        print(f"cannot listen on {args.host}:{args.port}: {error.strerror or error}", file=sys.stderr)
        return 1
    return 0

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

__all__ = ["main", "parser", "serve"]


def serve(
    port: int,
    host: str = "127.0.0.1",
    *,
    access_key_id: str = "testid",
    access_key_secret: str = "testsecret",
    out: TextIO | None = None,
    stop: threading.Event | None = None,
    push: Sequence[str] = (),
    **settings: Any,
) -> None:
    """Run an emulator until interrupted (Ctrl-C or SIGTERM), or until ``stop`` is set.

    Prints the endpoint and the test credentials to ``out`` (default stdout) first, and, when the
    service sends receipts, where to read them. The secret is printed only when it is the built-in
    test secret. ``push`` entries, ``URL`` or ``TYPE=URL``, are where receipts (of every type, or
    of one) are POSTed. ``settings`` go to :class:`Emulator` (``latency``, ``seed``, ``strict``,
    ``flow_limits``, ``idle_timeout``, ``request_timeout``, ``max_connections``...).
    """
    out = out or sys.stdout
    stop = stop or threading.Event()
    emulator = Emulator(
        port=port, host=host, access_key_id=access_key_id, access_key_secret=access_key_secret, **settings
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


def _positive(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds above 0")
    return value


def _count(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number above 0")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds (0 or more)")
    return value


def parser(prog: str | None = None) -> argparse.ArgumentParser:
    """The emulator's command line (``python -m <package>.testing``; ``sdkgen serve`` forwards to it)."""
    p = argparse.ArgumentParser(
        prog=prog or f"python -m {__package__}", description=f"Run the emulator of {PRODUCT}."
    )
    p.add_argument("--port", type=int, default=8080, help="TCP port (default 8080; 0 picks a free one)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--access-key-id", default="testid")
    p.add_argument("--access-key-secret", default="testsecret")
    p.add_argument(
        "--push", action="append", default=[], metavar="[TYPE=]URL", help="POST receipts (of one type) to URL"
    )
    p.add_argument(
        "--latency", type=_seconds, default=0.0, metavar="SECONDS", help="added before every answer"
    )
    p.add_argument("--seed", type=int, help="seeds the random parts of record ids, for reproducible ids")
    p.add_argument(
        "--strict", action="store_true", help="answer InvalidParameter to parameters an action does not have"
    )
    p.add_argument("--no-flow-limits", action="store_true", help="turn off the flow limits the specs declare")
    p.add_argument(
        "--idle-timeout", type=_positive, metavar="SECONDS", help="how long a keep-alive connection may idle"
    )
    p.add_argument("--request-timeout", type=_positive, metavar="SECONDS",
                   help="how long a request may take to arrive whole (then 408)")  # fmt: skip
    p.add_argument(
        "--max-connections", type=_count, metavar="N", help="connections served at once (then 503)"
    )
    return p


def main(argv: Sequence[str] | None = None, prog: str | None = None) -> int:
    args = parser(prog).parse_args(argv)
    settings: dict[str, Any] = {"latency": args.latency, "seed": args.seed, "strict": args.strict}
    if args.no_flow_limits:
        settings["flow_limits"] = ()
    for name in ("idle_timeout", "request_timeout", "max_connections"):
        if getattr(args, name) is not None:
            settings[name] = getattr(args, name)
    try:
        serve(
            args.port,
            args.host,
            access_key_id=args.access_key_id,
            access_key_secret=args.access_key_secret,
            push=args.push,
            **settings,
        )
    except OSError as error:
        print(f"cannot listen on {args.host}:{args.port}: {error.strerror or error}", file=sys.stderr)
        return 1
    except KeyError as error:  # a --push naming a type the service does not send
        print(f"--push: {error.args[0]}", file=sys.stderr)
        return 2
    return 0

"""What the TypeScript tests share: where the package and the pinned toolchain are, the compiler
run the same way everywhere, and the base of the small HTTP servers through which the Node tests
steer the Python emulator."""

from __future__ import annotations

import json
import shutil
import subprocess
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PACKAGE = ROOT / "generated" / "typescript"
NODE_MODULES = ROOT / "tests" / "node" / "node_modules"
TSC = NODE_MODULES / ".bin" / "tsc"
NODE = shutil.which("node")
TOOLCHAIN = NODE is not None and TSC.exists() and PACKAGE.exists()
"""Node, ``npm ci --prefix tests/node`` and generated/typescript are there."""


def tsc(*args: str) -> subprocess.CompletedProcess[str]:
    """The pinned compiler on the package (``--typeRoots``: the toolchain's @types/node)."""
    return subprocess.run(
        [str(TSC), "-p", str(PACKAGE), "--typeRoots", str(NODE_MODULES / "@types"), *args],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
    )


def compile_package(out: Path) -> Path:
    """The package compiled into ``out`` as an ES module folder; its index.js."""
    built = tsc("--outDir", str(out))
    assert built.returncode == 0, built.stdout + built.stderr
    (out / "package.json").write_text('{"type": "module"}\n')
    return out / "index.js"


class Control(BaseHTTPRequestHandler):
    """Base of a test's control server: ``emulator`` is set by the test; ``query`` and ``answer``."""

    emulator: Any = None

    def log_message(self, *args: object) -> None:
        pass

    def query(self) -> tuple[str, dict[str, str]]:
        url = urlsplit(self.path)
        return url.path, {k: v[0] for k, v in parse_qs(url.query).items()}

    def answer(self, value: object) -> None:
        body = json.dumps(value).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

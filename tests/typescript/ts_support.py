"""What the TypeScript tests share: where the package and the pinned toolchain are, the compiler
run the same way everywhere, and the base of the small HTTP servers through which the Node tests
steer the Python emulator."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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


def tsc(*args: str, package: Path = PACKAGE) -> subprocess.CompletedProcess[str]:
    """The pinned compiler on ``package`` (``--typeRoots``: the toolchain's @types/node)."""
    return subprocess.run(
        [str(TSC), "-p", str(package), "--typeRoots", str(NODE_MODULES / "@types"), *args],
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


def run_script(script: str, payload: object, dist: Path, env: dict[str, str] | None = None) -> Any:
    """What ``node <script> <payload as JSON>`` in this folder prints, read as JSON; the compiled
    package's index.js is in ``SDK_DIST``."""
    assert NODE is not None
    result = subprocess.run([NODE, str(HERE / script), json.dumps(payload)], capture_output=True, text=True,
                            timeout=60, env={**os.environ, "SDK_DIST": str(dist), **(env or {})})  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


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


def install_package(root: Path, sources: Path, package: Path = PACKAGE) -> Path:
    """Programs that import the package as a reader's would: the package built into
    ``root/node_modules/<its name>``, and the ``.ts`` files of ``sources`` compiled beside it with
    strict settings into ``root/out`` (returned)."""
    manifest = json.loads((package / "package.json").read_text())
    installed = root / "node_modules" / manifest["name"]
    installed.mkdir(parents=True)
    shutil.copy(package / "package.json", installed / "package.json")
    built = tsc("--outDir", str(installed / "dist"), package=package)
    assert built.returncode == 0, built.stdout + built.stderr
    (root / "package.json").write_text('{"type": "module"}\n')
    shutil.copytree(sources, root / "src")
    config = {
        "compilerOptions": {"target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext",
                            "strict": True, "types": ["node"], "typeRoots": [str(NODE_MODULES / "@types")],
                            "rootDir": "src", "outDir": "out", "skipLibCheck": True},
        "include": ["src/**/*.ts"],
    }  # fmt: skip
    (root / "tsconfig.json").write_text(json.dumps(config))
    checked = subprocess.run(
        [str(TSC), "-p", str(root)], capture_output=True, text=True, timeout=180, cwd=root
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    return root / "out"


@contextmanager
def emulator_with_control(control: type[Control]) -> Iterator[tuple[Any, str]]:
    """A strict emulator, and the URL of a ``control`` server (a ``Control`` subclass) that steers
    it from a Node test; both stopped on leaving."""
    from dyvmsapi.testing import Emulator

    emu = Emulator(flow_limits=(), strict=True, idle_timeout=1.0).start()
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("Control", (control,), {"emulator": emu}))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield emu, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        emu.stop()

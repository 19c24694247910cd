"""``sdkgen build --target typescript``: the npm tarball of generated/typescript, its metadata checked.

Copies the package to a temporary folder (generated/ stays as it is), compiles it with the pinned
TypeScript compiler (tests/node, installed by ``npm ci --prefix tests/node``) into dist/ with
declarations, packs it with ``npm pack`` (scripts off: it is already compiled) and opens the
tarball to check that its package.json says what the specs say and that what it points at is there.
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from generator.frontend import ir
from generator.release.package import BuildError

TSC_ENV = "SDKGEN_TSC"  # a tsc to use instead of the project's pinned one
PINNED_TSC = Path("tests/node/node_modules/.bin/tsc")
SETUP = "npm ci --prefix tests/node"
REQUIRED_FILES = ("dist/index.js", "dist/index.d.ts")
TEST_PARTS = {"test", "tests", "__tests__"}
TEST_NAMES = ("*.test.*", "*.spec.*")


class MissingTool(Exception):
    """A tool the build needs is not installed: one line for the user."""


@dataclass(frozen=True)
class NpmBuildResult:
    tarball: Path
    problems: tuple[str, ...]


def typescript_package(api: ir.Api) -> ir.Package:
    package = api.product.package("typescript")
    if package is None:
        raise BuildError("specs/product.yaml names no npm package (sdk.targets.typescript)")
    return package


def tarball_name(distribution: str, version: str) -> str:
    """What ``npm pack`` calls the tarball: ``@scope/name`` becomes ``scope-name``."""
    return f"{distribution.removeprefix('@').replace('/', '-')}-{version}.tgz"


def find_tsc(root: Path) -> Path:
    """$SDKGEN_TSC, else the pinned compiler under ``root``; ``MissingTool`` when it is not there."""
    chosen = os.environ.get(TSC_ENV)
    tsc = Path(chosen) if chosen else root / PINNED_TSC
    if not tsc.is_file():
        raise MissingTool(f"the TypeScript compiler {tsc} is not installed: run '{SETUP}' in {root}")
    return tsc


def find_npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        raise MissingTool("npm is not on PATH: install Node.js 20 (with npm) to build the npm package")
    return npm


def build_npm_package(api: ir.Api, package_dir: Path, dist: Path, tsc: Path) -> NpmBuildResult:
    """Compile and pack ``package_dir`` into ``dist``; ``BuildError`` when tsc or npm fails."""
    npm = find_npm()
    distribution = typescript_package(api).distribution
    name = tarball_name(distribution, api.product.sdk_version)
    dist = dist.resolve()
    dist.mkdir(parents=True, exist_ok=True)
    for old in dist.glob(f"{tarball_name(distribution, '')[:-4]}[0-9]*.tgz"):
        old.unlink()
    with tempfile.TemporaryDirectory(prefix="sdkgen-npm-") as tmp:
        work = Path(tmp) / "package"
        shutil.copytree(package_dir, work, ignore=shutil.ignore_patterns("dist", "node_modules"))
        command = [str(tsc), "-p", str(work), "--declaration", "--outDir", str(work / "dist")]
        types = tsc.absolute().parent.parent / "@types"  # node_modules/.bin/tsc → node_modules/@types
        if types.is_dir():
            command += ["--typeRoots", str(types)]
        _run(command, work, "tsc")
        env = {**os.environ, "npm_config_update_notifier": "false", "npm_config_fund": "false"}
        _run([npm, "pack", "--ignore-scripts", "--pack-destination", str(dist)], work, "npm pack", env)
    tarball = dist / name
    if not tarball.is_file():
        made = sorted(p.name for p in dist.glob("*.tgz"))
        return NpmBuildResult(tarball, (f"{name} was not built (found: {', '.join(made) or 'nothing'})",))
    return NpmBuildResult(tarball, tuple(check_tarball(api, tarball)))


def _run(command: list[str], cwd: Path, what: str, env: dict[str, str] | None = None) -> None:
    try:
        result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, timeout=600)
    except OSError as exc:
        raise BuildError(f"{what} could not run: {exc}") from None
    except subprocess.TimeoutExpired:
        raise BuildError(f"{what} took more than 600 s") from None
    if result.returncode != 0:
        output = result.stdout[-3000:] + result.stderr[-3000:]
        raise BuildError(f"{what} exited with {result.returncode}:\n{output}")


def _targets(value: object) -> list[str]:
    """Every path an ``exports`` value points at (its string leaves)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _targets(v)]
    if isinstance(value, list):
        return [t for v in value for t in _targets(v)]
    return []


def _present(target: str, files: set[str]) -> bool:
    path = str(PurePosixPath(target.removeprefix("./")))
    if "*" in path:
        return any(fnmatch.fnmatchcase(f, path) for f in files)
    return path in files


def check_tarball(api: ir.Api, tarball: Path) -> list[str]:
    """What is wrong with the packed package, compared with the specs; empty when nothing is."""
    try:
        with tarfile.open(tarball, "r:gz") as tf:
            members = [m for m in tf.getmembers() if m.isfile()]
            raw = next((tf.extractfile(m) for m in members if m.name == "package/package.json"), None)
            text = raw.read().decode("utf-8") if raw is not None else None
    except (tarfile.TarError, OSError, UnicodeDecodeError) as exc:
        return [f"{tarball.name} cannot be read: {exc}"]
    files = {m.name.removeprefix("package/") for m in members}
    if text is None:
        return [f"{tarball.name} has no package/package.json"]
    try:
        meta = json.loads(text)
    except json.JSONDecodeError as exc:
        return [f"package.json is not JSON: {exc}"]
    if not isinstance(meta, dict):
        return ["package.json is not a JSON object"]
    problems = []
    expected = {
        "name": typescript_package(api).distribution,
        "version": api.product.sdk_version,
        "type": "module",
    }
    for key, value in expected.items():
        if meta.get(key) != value:
            problems.append(f"package.json {key} is {meta.get(key)!r}, expected {value!r}")
    types = meta.get("types")
    if not isinstance(types, str) or not types:
        problems.append("package.json has no types")
    elif not _present(types, files):
        problems.append(f"package.json types points at {types}, which the tarball lacks")
    exports = _targets(meta.get("exports"))
    if not exports:
        problems.append("package.json has no exports")
    for target in exports:
        if not _present(target, files):
            problems.append(f"package.json exports {target}, which the tarball lacks")
    entry = meta.get("main")
    if isinstance(entry, str) and not _present(entry, files):
        problems.append(f"package.json main points at {entry}, which the tarball lacks")
    for key in ("dependencies", "peerDependencies", "optionalDependencies", "bundleDependencies"):
        declared = meta.get(key)
        if declared:
            names = sorted(map(str, declared)) if isinstance(declared, (dict, list)) else [str(declared)]
            problems.append(f"package.json has {key} ({', '.join(names)}), expected none")
    engines = meta.get("engines")
    node = engines.get("node") if isinstance(engines, dict) else None
    if not isinstance(node, str) or not node.strip():
        problems.append("package.json does not set engines.node")
    for required in REQUIRED_FILES:
        if required not in files:
            problems.append(f"the tarball lacks {required}")
    for path in sorted(files):
        parts = PurePosixPath(path).parts
        if "node_modules" in parts:
            problems.append(f"the tarball contains {path} (node_modules)")
        elif TEST_PARTS & set(parts) or any(fnmatch.fnmatchcase(parts[-1], p) for p in TEST_NAMES):
            problems.append(f"the tarball contains the test file {path}")
    return problems

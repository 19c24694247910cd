"""``sdkgen build --target typescript``: generated/typescript compiled with the pinned tsc and packed
by npm into ``<scope>-<name>-<version>.tgz``, whose package.json is checked against product.yaml."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from generator.frontend.pipeline import load_api
from generator.release.npm import check_tarball, tarball_name

ROOT = Path(__file__).resolve().parents[1]
TSC = ROOT / "tests/node/node_modules/.bin/tsc"

pytestmark = pytest.mark.skipif(
    not TSC.is_file() or shutil.which("npm") is None, reason="needs 'npm ci --prefix tests/node'"
)


def sdkgen(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args], cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
    )  # fmt: skip


@pytest.fixture(scope="module")
def tarball(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    result = sdkgen("build", "--target", "typescript", "--dist", str(dist), "--allow-unreleased")
    assert result.returncode == 0, result.stdout + result.stderr
    api = load_api(ROOT / "specs")
    package = api.product.package("typescript")
    assert package is not None
    name = tarball_name(package.distribution, api.product.sdk_version)
    assert name == f"{package.distribution.lstrip('@').replace('/', '-')}-{api.product.sdk_version}.tgz"
    assert result.stdout.splitlines()[-2:] == [f"built {dist / name}", "metadata: OK"]
    assert sorted(p.name for p in dist.iterdir()) == [name], "only the tarball is written"
    return dist / name


def _read(path: Path) -> tuple[dict[str, object], set[str]]:
    with tarfile.open(path, "r:gz") as tf:
        raw = tf.extractfile("package/package.json")
        assert raw is not None
        return json.loads(raw.read()), set(tf.getnames())


def test_the_tarball_carries_the_specs_metadata_and_the_compiled_code(tarball: Path) -> None:
    meta, names = _read(tarball)
    api = load_api(ROOT / "specs")
    package = api.product.package("typescript")
    assert package is not None
    expected = (package.distribution, api.product.sdk_version, "module")
    assert (meta["name"], meta["version"], meta["type"]) == expected
    assert meta["types"] == "./dist/index.d.ts" and not meta.get("dependencies")
    assert isinstance(meta["engines"], dict) and meta["engines"]["node"]
    assert {"package/dist/index.js", "package/dist/index.d.ts", "package/package.json"} <= names
    assert not [n for n in names if "node_modules" in n or "/test" in n]
    assert check_tarball(api, tarball) == []


def test_a_wrong_package_json_is_listed(tarball: Path, tmp_path: Path) -> None:
    meta, _ = _read(tarball)
    meta.update(version="0.0.1", type="commonjs", dependencies={"left-pad": "1"}, types="./dist/gone.d.ts")
    del meta["engines"]
    broken = tmp_path / tarball.name
    with tarfile.open(tarball, "r:gz") as src, tarfile.open(broken, "w:gz") as dst:
        for member in src.getmembers():
            if member.name == "package/dist/index.js":
                continue
            data = src.extractfile(member)
            if member.name == "package/package.json":
                body = json.dumps(meta).encode()
                member.size = len(body)
                data = io.BytesIO(body)
            dst.addfile(member, data)
        extra = tarfile.TarInfo("package/node_modules/x/index.js")
        dst.addfile(extra, io.BytesIO(b""))
    problems = check_tarball(load_api(ROOT / "specs"), broken)
    text = "\n".join(problems)
    for expected in ("version is '0.0.1'", "type is 'commonjs'", "dependencies (left-pad)",
                     "types points at ./dist/gone.d.ts", "engines.node", "exports ./dist/index.js",
                     "lacks dist/index.js", "node_modules/x/index.js"):  # fmt: skip
        assert expected in text, text


def test_a_missing_compiler_is_one_line_exit_2(tmp_path: Path) -> None:
    missing = str(tmp_path / "tsc")
    result = sdkgen("build", "--target", "typescript", "--dist", str(tmp_path), SDKGEN_TSC=missing)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and "npm ci --prefix tests/node" in result.stderr
    assert not list(tmp_path.iterdir())


def test_a_failing_compiler_fails_the_build(tmp_path: Path) -> None:
    result = sdkgen("build", "--target", "typescript", "--dist", str(tmp_path / "dist"), "--allow-unreleased",
                    SDKGEN_TSC=shutil.which("false") or "/bin/false")  # fmt: skip
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("the build failed:\ntsc exited with 1")
    assert not list((tmp_path / "dist").glob("*.tgz"))

"""``sdkgen build``: the wheel and sdist of generated/python, with their metadata checked.

Builds with the ``build`` front end in the current environment (no isolation: the pinned tools
are already installed, and the build works offline), then opens both archives and checks that
name, version, Python requirement, dependencies and README match what the specs say.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from email.parser import Parser
from pathlib import Path

from generator.frontend import ir

ALLOWED_DEPENDENCIES = {"httpx", "pydantic"}


@dataclass(frozen=True)
class BuildResult:
    wheel: Path
    sdist: Path
    problems: tuple[str, ...]


def python_package(api: ir.Api) -> ir.Package:
    package = api.product.package("python")
    if package is None:
        raise BuildError("specs/product.yaml names no Python package (sdk.targets.python)")
    return package


def build_package(api: ir.Api, package_dir: Path, dist: Path) -> BuildResult:
    dist.mkdir(parents=True, exist_ok=True)
    distribution = python_package(api).distribution
    stem = distribution.replace("-", "_")
    for old in [*dist.glob(f"{stem}-*.whl"), *dist.glob(f"{stem}-*.tar.gz")]:  # not the npm tarball
        old.unlink()
    result = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(package_dir)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BuildError(result.stdout[-3000:] + result.stderr[-3000:])
    version = api.product.sdk_version
    wheel = dist / f"{distribution.replace('-', '_')}-{version}-py3-none-any.whl"
    sdist = dist / f"{distribution.replace('-', '_')}-{version}.tar.gz"
    problems = check_metadata(api, wheel, sdist)
    return BuildResult(wheel, sdist, tuple(problems))


class BuildError(Exception):
    pass


def check_metadata(api: ir.Api, wheel: Path, sdist: Path) -> list[str]:
    problems = []
    for archive in (wheel, sdist):
        if not archive.is_file():
            return [f"{archive.name} was not built"]
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        meta = Parser().parsestr(zf.read(meta_name).decode("utf-8"))
    target = python_package(api)
    package = target.package
    expected = {
        "Name": target.distribution,
        "Version": api.product.sdk_version,
        "Requires-Python": target.requires or ">=3.11",
        "Description-Content-Type": "text/markdown",
    }
    for key, value in expected.items():
        if meta.get(key) != value:
            problems.append(f"wheel metadata {key} is {meta.get(key)!r}, expected {value!r}")
    publisher = api.product.publisher
    if publisher.license is not None and meta.get("License") != publisher.license:
        problems.append(f"wheel metadata License is {meta.get('License')!r}, expected {publisher.license!r}")
    for name, _ in publisher.authors:
        if name not in (meta.get("Author") or "") + (meta.get("Author-email") or ""):
            problems.append(f"wheel metadata lacks the author {name!r}")
    urls = meta.get_all("Project-URL") or []
    for label, url in publisher.urls:
        if f"{label}, {url}" not in urls:
            problems.append(f"wheel metadata lacks the project URL {label}: {url}")
    requires = {
        r.split(">")[0].split("<")[0].split("=")[0].split("[")[0].strip()
        for r in meta.get_all("Requires-Dist") or []
    }
    if requires != ALLOWED_DEPENDENCIES:
        problems.append(
            f"run-time dependencies are {sorted(requires)}, expected {sorted(ALLOWED_DEPENDENCIES)}"
        )
    payload = meta.get_payload()
    if not (payload if isinstance(payload, str) else "").strip():
        problems.append("the wheel has no long description (README)")
    for required in (f"{package}/__init__.py", f"{package}/py.typed", f"{package}/_client.py"):
        if required not in names:
            problems.append(f"the wheel lacks {required}")
    with tarfile.open(sdist) as tf:
        if not any(n.endswith("/PKG-INFO") for n in tf.getnames()):
            problems.append("the sdist lacks PKG-INFO")
    return problems

"""Fixtures shared by the tests that use the official SDK as an oracle."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest

# Release 2.1.3 is the last to have ClickToDial; it needs two helper packages of its time.
SDK213 = [
    "alibabacloud-dyvmsapi20170525==2.1.3",
    "alibabacloud-openapi-util==0.2.4",
    "alibabacloud-endpoint-util==0.0.4",
]


@pytest.fixture(scope="session")
def sdk213_site(request: pytest.FixtureRequest, tmp_path_factory: Any) -> Path:
    """Release 2.1.3 and its two helper packages, downloaded once and unpacked (cached)."""
    cache = getattr(request.config, "cache", None)
    root = (
        Path(cache.mkdir("official-sdk-2.1.3"))
        if cache is not None
        else tmp_path_factory.mktemp("official-sdk-2.1.3")
    )
    site = root / "site"
    if (site / "COMPLETE").exists():
        return site
    shutil.rmtree(site, ignore_errors=True)
    downloads = root / "downloads"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
         "--disable-pip-version-check", "-d", str(downloads), *SDK213],
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    if result.returncode != 0:
        pytest.fail(f"pip download {SDK213} failed:\n{result.stderr[-2000:]}")
    site.mkdir(parents=True)
    for archive in sorted(downloads.iterdir()):
        if archive.suffix == ".whl":
            with zipfile.ZipFile(archive) as wheel:
                wheel.extractall(site)
        elif archive.name.endswith(".tar.gz"):  # an sdist: keep its package folder
            with tarfile.open(archive) as sdist:
                sdist.extractall(root / "sdist", filter="data")
            top = root / "sdist" / archive.name[: -len(".tar.gz")]
            package = archive.name.split("-")[0]
            shutil.copytree(top / package, site / package)
    (site / "COMPLETE").write_text("\n".join(SDK213) + "\n")
    return site

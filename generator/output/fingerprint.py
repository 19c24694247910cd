"""Fingerprints: what generated files depend on, as one SHA-256 each.

``toolchain`` covers everything besides the specs: sdkgen's own code and templates, the
formatter and its options, and the versions of the libraries whose output we write. The render
cache (``engine``) and the no-change record (``stamp``) are keyed by it, so any change to the
toolchain misses both. ``write_cache_file`` is how both write their files.
"""

from __future__ import annotations

import hashlib
import os
import sys
from functools import cache
from importlib import metadata
from pathlib import Path

from generator.output.format import identity

_GENERATOR = Path(__file__).resolve().parent.parent  # generator/
_LIBRARIES = ("datamodel-code-generator", "jinja2", "pydantic")  # their output is ours
_VERSION = "1"  # of the cache and record formats


def _hash_tree(h: hashlib._Hash, root: Path, suffixes: tuple[str, ...] | None) -> None:
    for path in sorted(root.rglob("*")):
        if "__pycache__" in path.parts or not path.is_file():
            continue
        if suffixes is not None and path.suffix not in suffixes:
            continue
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())


@cache
def _generator_digest() -> bytes:
    h = hashlib.sha256()
    _hash_tree(h, _GENERATOR, (".py", ".jinja", ".json"))
    return h.digest()


def toolchain(templates: Path) -> str:
    """The fingerprint of everything besides the specs that generated files depend on."""
    h = hashlib.sha256(_VERSION.encode())
    h.update(_generator_digest())
    _hash_tree(h, templates, None)
    h.update(identity().encode())
    for name in _LIBRARIES:
        h.update(f"{name}=={metadata.version(name)}".encode())
    h.update(f"python {sys.version_info[0]}.{sys.version_info[1]}".encode())
    return h.hexdigest()


def write_cache_file(path: Path, text: str) -> bool:
    """Write a cache file whole (a temporary file renamed over it); False when it cannot be
    written, which callers take as no cache: the cache is an optimisation only."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        return False
    return True

"""The YAML emitter of the imported layer: block style, keys in insertion order, Unicode kept.

Every string that a YAML 1.1 or 1.2 reader could take for something else (``yes``, ``null``,
``010``, ``1e3``, ``2024-01-01``, ``.inf``) is double-quoted, keys included, so the loader's
YAML 1.2 rules and any other reader agree on the value.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

_WORDS = {
    "y",
    "n",
    "yes",
    "no",
    "on",
    "off",
    "true",
    "false",
    "null",
    "~",
    "",
}
_LOOKS_TYPED = re.compile(
    r"[-+.]?[0-9].*|[-+]?\.(inf|nan)|[<=!&*?|>'\"%@`#,\[\]{}:-].*", re.IGNORECASE | re.S
)


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:  # the emitter falls back to quotes where a block cannot hold the text
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    if value.lower() in _WORDS or _LOOKS_TYPED.fullmatch(value) or value != value.strip():
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def dump(header: str, data: Any) -> str:
    """``data`` as YAML after a comment line ``# header``."""
    body = yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10**9, default_flow_style=False
    )
    return f"# {header}\n{body}"

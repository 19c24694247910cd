"""Spec patterns, matched by the engine the models use: pydantic-core's Rust regex.

Linear time (no backtracking), search semantics unless the pattern is anchored. ``sdkgen
validate`` refuses any pattern this engine cannot compile, so with a valid spec ``search`` never
meets one; if it did, the pattern matches nothing.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic_core import SchemaError, SchemaValidator, ValidationError, core_schema


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> SchemaValidator | None:
    try:
        return SchemaValidator(core_schema.str_schema(pattern=pattern, regex_engine="rust-regex"))
    except SchemaError:
        return None


def search(pattern: str, value: str) -> bool:
    """Whether ``value`` contains a match of ``pattern``."""
    validator = _compiled(pattern)
    if validator is None:
        return False
    try:
        validator.validate_python(value)
    except ValidationError:
        return False
    return True

"""The one regular-expression dialect of the specs: Rust ``regex`` syntax, as pydantic-core enforces it.

The generated SDK checks ``pattern`` constraints through pydantic, whose default engine is
pydantic-core's Rust ``regex`` crate: linear time in the input (no catastrophic backtracking), no
backreferences, no lookaround, search semantics unless the pattern is anchored. The check stage
compiles and matches every spec pattern with that same engine, so a pattern that validates here
behaves the same in the SDK and the emulator, and a hostile pattern such as ``^(a+)+$`` cannot
stall ``sdkgen validate``. Compiled validators are cached per pattern.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

from pydantic_core import SchemaError, SchemaValidator, ValidationError, core_schema

ENGINE: Final = "rust-regex"
MAX_PATTERN = 4096  # characters; longer patterns are refused before they reach the engine


@lru_cache(maxsize=1024)
def _validator(pattern: str) -> SchemaValidator | str:
    """A validator of strings that match ``pattern``, or the engine's reason for refusing it."""
    if len(pattern) > MAX_PATTERN:
        return f"the pattern is longer than {MAX_PATTERN} characters"
    try:
        return SchemaValidator(core_schema.str_schema(pattern=pattern, regex_engine=ENGINE))
    except SchemaError as exc:
        return _reason(str(exc))


def _reason(text: str) -> str:
    """The engine's one-line reason, out of pydantic-core's multi-line report."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        if line.startswith("error:"):
            return line.removeprefix("error:").strip()
    last = lines[-1] if lines else text
    return last.removeprefix("SchemaError:").strip()


def pattern_error(pattern: str) -> str | None:
    """Why the Rust engine rejects ``pattern`` (invalid syntax, backreference, lookaround), or None."""
    found = _validator(pattern)
    return found if isinstance(found, str) else None


def matches(pattern: str, value: str) -> bool:
    """Whether ``value`` contains a match of ``pattern`` (search semantics), as the SDK decides it.

    A pattern the engine rejects matches nothing; ``pattern_error`` reports it.
    """
    found = _validator(pattern)
    if isinstance(found, str):
        return False
    try:
        found.validate_python(value)
    except ValidationError:
        return False
    return True

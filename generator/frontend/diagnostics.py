"""Diagnostics are data: every problem of a run, with file, line, column and a stable code.

Stages append ``Diagnostic`` values to a list and carry on, so one run reports every problem at
once; only the CLI prints them (``render``) and decides the exit code. Codes are a ``StrEnum`` so
tests and users can rely on them; the English message around a code may improve over time.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Code(StrEnum):
    # reading files
    not_utf8 = "not-utf8"
    empty_file = "empty-file"
    yaml_syntax = "yaml-syntax"
    missing_file = "missing-file"
    # hostile input (generator/frontend/load.py; tests/test_load_hostile.py)
    not_a_regular_file = "not-a-regular-file"
    broken_symlink = "broken-symlink"
    outside_specs = "outside-specs"
    unreadable_file = "unreadable-file"
    file_too_large = "file-too-large"
    control_character = "control-character"
    yaml_tag = "yaml-tag"
    yaml_merge_key = "yaml-merge-key"
    yaml_recursive_alias = "yaml-recursive-alias"
    yaml_limit = "yaml-limit"
    number_too_long = "number-too-long"
    # the shape of one file
    unknown_key = "unknown-key"
    missing_key = "missing-key"
    wrong_type = "wrong-type"
    invalid_value = "invalid-value"
    duplicate_key = "duplicate-key"
    duplicate_parameter = "duplicate-parameter"
    duplicate_field = "duplicate-field"
    duplicate_struct = "duplicate-struct"
    duplicate_error_code = "duplicate-error-code"
    # rules across values and files
    unknown_type = "unknown-type"
    undefined_struct = "undefined-struct"
    undefined_error_code = "undefined-error-code"
    undefined_parameter = "undefined-parameter"
    duplicate_action = "duplicate-action"
    action_name_mismatch = "action-name-mismatch"
    name_collision = "name-collision"
    invalid_range = "invalid-range"
    invalid_pattern = "invalid-pattern"
    invalid_style = "invalid-style"
    constraint_not_applicable = "constraint-not-applicable"
    example_violates_constraints = "example-violates-constraints"
    duplicate_exception = "duplicate-exception"
    recursive_struct = "recursive-struct"
    # meaning: accepted by the format, yet wrong, unsafe or impossible to generate
    invalid_bound = "invalid-bound"
    enum_violates_constraints = "enum-violates-constraints"
    example_violates_format = "example-violates-format"
    invalid_response_example = "invalid-response-example"
    invalid_signing = "invalid-signing"
    inconsistent_error = "inconsistent-error"
    unsafe_idempotent = "unsafe-idempotent"
    invalid_wire_name = "invalid-wire-name"
    no_actions = "no-actions"
    missing_example = "missing-example"
    # import (sdkgen import: generator/importer/; tests/test_import.py)
    import_not_json = "import-not-json"
    import_not_api_docs = "import-not-api-docs"
    import_unknown_type = "import-unknown-type"
    import_unresolved_ref = "import-unresolved-ref"
    import_limit = "import-limit"


class Severity(StrEnum):
    error = "error"
    warning = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int
    column: int
    code: Code
    message: str
    hint: str | None = None
    severity: Severity = Severity.error

    def render(self) -> str:
        text = f"{self.path}:{self.line}:{self.column}: {self.severity}[{self.code}] {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


class SpecError(Exception):
    """Raised by a stage that cannot go on; carries every diagnostic found so far."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(f"{len(diagnostics)} problem(s) in the specs")
        self.diagnostics = sorted(diagnostics)


def render(diagnostics: list[Diagnostic]) -> str:
    """The compiler-style report: one block per problem, then a count."""
    ordered = sorted(diagnostics)
    errors = sum(d.severity is Severity.error for d in ordered)
    files = len({d.path for d in ordered})
    lines = [d.render() for d in ordered]
    noun = "error" if errors == 1 else "errors"
    lines.append(f"{errors} {noun} in {files} file{'s' if files != 1 else ''}")
    return "\n".join(lines)


def did_you_mean(word: str, choices: list[str] | set[str] | tuple[str, ...]) -> str | None:
    """A hint naming the closest choice, if one is close enough."""
    import difflib

    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in choices}
        if word.lower() in lowered:
            close = [lowered[word.lower()]]
    return f"did you mean '{close[0]}'?" if close else None

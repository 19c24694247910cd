"""What ``diff`` finds: classified changes between two IRs, and the verdict on a version.

Every change has a stable ``ChangeCode`` (tests and CI rely on it; the English message may improve)
and each code has exactly one ``Kind``, fixed in ``KINDS``: the classification table, with the
reasons in diff.py's docstring. A ``Report`` is the sorted change list plus the two versions; it
decides the suggested bump and whether NEW's ``sdk.version`` honours it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

from generator.release.semver import Bump, Version

Plain = str | int | float | bool | None | list[str]


class Kind(StrEnum):
    """Strongest first: the order of the report."""

    breaking = "breaking"
    feature = "feature"
    patch = "patch"

    @property
    def bump(self) -> Bump:
        return {Kind.breaking: Bump.major, Kind.feature: Bump.minor, Kind.patch: Bump.patch}[self]


class ChangeCode(StrEnum):
    # the product
    product_renamed = "product-renamed"
    api_version_changed = "api-version-changed"
    protocol_changed = "protocol-changed"
    default_endpoint_changed = "default-endpoint-changed"
    endpoint_removed = "endpoint-removed"
    endpoint_changed = "endpoint-changed"
    endpoint_added = "endpoint-added"
    signing_default_changed = "signing-default-changed"
    signing_scheme_removed = "signing-scheme-removed"
    signing_scheme_added = "signing-scheme-added"
    package_renamed = "package-renamed"
    requires_python_changed = "requires-python-changed"
    title_changed = "title-changed"
    # the error table
    error_removed = "error-removed"
    error_added = "error-added"
    error_class_changed = "error-class-changed"
    error_category_changed = "error-category-changed"
    error_pattern_changed = "error-pattern-changed"
    error_pattern_added = "error-pattern-added"
    error_behaviour_changed = "error-behaviour-changed"
    error_docs_changed = "error-docs-changed"
    # actions
    action_removed = "action-removed"
    action_added = "action-added"
    action_non_idempotent = "action-non-idempotent"
    action_idempotent = "action-idempotent"
    action_deprecated = "action-deprecated"
    action_undeprecated = "action-undeprecated"
    action_docs_changed = "action-docs-changed"
    struct_removed = "struct-removed"
    struct_added = "struct-added"
    struct_docs_changed = "struct-docs-changed"
    # an action's pages (pagination:), i.e. its iterators
    pagination_added = "pagination-added"
    pagination_removed = "pagination-removed"
    pagination_changed = "pagination-changed"  # style, cursor parameter or list
    pagination_adjusted = "pagination-adjusted"  # page size, total, token path, first page
    # request parameters (and the fields of the structs they carry)
    parameter_removed = "parameter-removed"
    parameter_added = "parameter-added"
    parameter_added_required = "parameter-added-required"
    parameter_required = "parameter-required"
    parameter_optional = "parameter-optional"
    # response fields (and the fields of the structs they carry)
    response_field_removed = "response-field-removed"
    response_field_added = "response-field-added"
    response_field_optional = "response-field-optional"
    response_field_required = "response-field-required"
    # any field
    type_changed = "type-changed"
    style_changed = "style-changed"
    constraint_tightened = "constraint-tightened"
    constraint_relaxed = "constraint-relaxed"
    # a bound added, changed or removed that the field's enum makes moot: same values accepted
    constraint_restated = "constraint-restated"
    enum_value_removed = "enum-value-removed"
    enum_value_added = "enum-value-added"
    condition_added = "condition-added"
    condition_changed = "condition-changed"
    condition_removed = "condition-removed"
    default_changed = "default-changed"
    field_deprecated = "field-deprecated"
    field_undeprecated = "field-undeprecated"
    field_docs_changed = "field-docs-changed"
    # receipts (product.yaml receipts:)
    receipt_added = "receipt-added"
    receipt_removed = "receipt-removed"
    receipt_field_added = "receipt-field-added"
    receipt_field_removed = "receipt-field-removed"
    receipt_field_changed = "receipt-field-changed"
    receipts_docs_changed = "receipts-docs-changed"  # texts, producing actions, delivery settings


_BREAKING = {
    "product-renamed", "api-version-changed", "protocol-changed", "default-endpoint-changed",
    "endpoint-removed", "endpoint-changed", "signing-default-changed", "signing-scheme-removed",
    "package-renamed", "requires-python-changed", "error-removed", "error-class-changed",
    "error-category-changed", "error-pattern-changed", "action-removed", "action-non-idempotent",
    "struct-removed", "parameter-removed", "parameter-added-required", "parameter-required",
    "response-field-removed", "response-field-optional", "type-changed", "style-changed",
    "constraint-tightened", "enum-value-removed", "condition-added", "condition-changed",
    "default-changed", "receipt-removed", "receipt-field-removed", "receipt-field-changed",
    "pagination-removed", "pagination-changed",
}  # fmt: skip
_FEATURE = {
    "endpoint-added", "signing-scheme-added", "error-added", "error-pattern-added",
    "action-added", "action-idempotent", "action-deprecated", "struct-added", "parameter-added",
    "parameter-optional", "response-field-added", "response-field-required", "constraint-relaxed",
    "enum-value-added", "condition-removed", "field-deprecated", "receipt-added", "receipt-field-added",
    "pagination-added",
}  # fmt: skip

KINDS: dict[ChangeCode, Kind] = {
    code: Kind.breaking if code in _BREAKING else Kind.feature if code in _FEATURE else Kind.patch
    for code in ChangeCode
}


@dataclass(frozen=True)
class Change:
    """One difference. ``path`` locates it (``PlayTts.Keys[].Key``, ``errors.OK``, ``product.method``)."""

    code: ChangeCode
    path: str
    message: str
    action: str | None = None
    old: Plain = None
    new: Plain = None
    note: str | None = None

    @property
    def kind(self) -> Kind:
        return KINDS[self.code]

    def sort_key(self) -> tuple[int, str, str, str]:
        return (list(Kind).index(self.kind), self.path, self.code.value, self.message)


@dataclass(frozen=True)
class Side:
    """One of the two compared trees: how to name it, and the SDK version it declares."""

    label: str
    version: str


@dataclass(frozen=True)
class Report:
    old: Side
    new: Side
    changes: tuple[Change, ...]

    @classmethod
    def of(cls, old: Side, new: Side, changes: list[Change]) -> Report:
        return cls(old, new, tuple(sorted(changes, key=Change.sort_key)))

    @property
    def bump(self) -> Bump:
        return max((c.kind.bump for c in self.changes), key=lambda b: b.rank, default=Bump.none)

    def counts(self) -> dict[Kind, int]:
        found = Counter(c.kind for c in self.changes)
        return {kind: found[kind] for kind in Kind}

    @property
    def suggested_version(self) -> str:
        return str(Version.parse(self.old.version).bump(self.bump))

    @property
    def version_ok(self) -> bool:
        """False when a breaking change is not matched by a major bump of NEW's sdk.version."""
        if self.bump is not Bump.major:
            return True
        return Version.parse(self.new.version).major > Version.parse(self.old.version).major

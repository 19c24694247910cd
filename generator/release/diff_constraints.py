"""Diff stage, constraints: bounds, patterns and enums of one field, tightened or relaxed.

Tightened (a caller's value that passed before may now be refused) is breaking; relaxed is a
feature. A bound added counts as tightened, a bound removed as relaxed; a changed pattern is
tightened, since which values it still admits cannot be known in general. A bound of a field
whose values an unchanged enum lists, when every one of them passes the bound before and after,
changes nothing a caller can send: restated, a patch (a vendor's range 0..100 over a curated
enum 0, 1).
"""

from __future__ import annotations

from dataclasses import replace

from generator.frontend import ir
from generator.release.changes import Change, ChangeCode
from generator.release.diff_scope import Scope, show

C = ChangeCode

_LOWER_BOUNDS = ("min_length", "minimum", "exclusive_minimum", "min_items")
_UPPER_BOUNDS = ("max_length", "maximum", "exclusive_maximum", "max_items")
BOUNDS = (*_LOWER_BOUNDS, *_UPPER_BOUNDS)


def diff_constraints(scope: Scope, rel: str, old: ir.Constraints, new: ir.Constraints) -> list[Change]:
    changes = []
    for key in BOUNDS:
        before, after = getattr(old, key), getattr(new, key)
        if before != after:
            change = _bound(scope, rel, key, before, after)
            if _moot(old, new, key, before, after):
                change = replace(change, code=C.constraint_restated)
            changes.append(change)
    if old.pattern != new.pattern:
        code = C.constraint_relaxed if new.pattern is None else C.constraint_tightened
        text = (f"pattern {new.pattern} added" if old.pattern is None
                else f"pattern {old.pattern} removed" if new.pattern is None
                else f"pattern changed from {old.pattern} to {new.pattern}")  # fmt: skip
        changes.append(scope.change(code, rel, f"{scope.noun(rel)}: {text}", old.pattern, new.pattern))
    return changes + _enum(scope, rel, old.enum, new.enum)


def _bound(scope: Scope, rel: str, key: str, old: int | float | None, new: int | float | None) -> Change:
    lower = key in _LOWER_BOUNDS
    if old is None or new is None:
        tighter, text = old is None, f"{key} {new} added" if old is None else f"{key} {old} removed"
    else:
        tighter = new > old if lower else new < old
        text = f"{key} {'raised' if new > old else 'lowered'} from {old} to {new}"
    code = C.constraint_tightened if tighter else C.constraint_relaxed
    return scope.change(code, rel, f"{scope.noun(rel)}: {text}", old, new)


def _passes(value: object, key: str, bound: int | float | None) -> bool:
    """Whether an enum value satisfies one bound (lengths of strings, limits of numbers)."""
    if bound is None:
        return True
    if isinstance(value, str) and key in ("min_length", "max_length"):
        return len(value) >= bound if key == "min_length" else len(value) <= bound
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {
            "minimum": value >= bound,
            "maximum": value <= bound,
            "exclusive_minimum": value > bound,
            "exclusive_maximum": value < bound,
        }.get(key, False)
    return False


def _moot(
    old: ir.Constraints, new: ir.Constraints, key: str, before: int | float | None, after: int | float | None
) -> bool:
    """Whether the same enum bounds the field on both sides, every value passing both bounds."""
    values = [e.value for e in old.enum]
    if not values or {_enum_key(v) for v in values} != {_enum_key(e.value) for e in new.enum}:
        return False
    return all(_passes(v, key, before) and _passes(v, key, after) for v in values)


def _enum_key(value: str | int | float | bool) -> tuple[str, str]:
    return type(value).__name__, show(value)


def _enum(
    scope: Scope, rel: str, old: tuple[ir.EnumValue, ...], new: tuple[ir.EnumValue, ...]
) -> list[Change]:
    if not old and not new:
        return []
    noun, values = scope.noun(rel), [show(e.value) for e in new or old]
    if not old:
        return [
            scope.change(
                C.constraint_tightened, rel, f"{noun}: enum added ({', '.join(values)})", None, values
            )
        ]
    if not new:
        return [scope.change(C.constraint_relaxed, rel, f"{noun}: enum removed", values, None)]
    old_by = {_enum_key(e.value): e for e in old}
    new_by = {_enum_key(e.value): e for e in new}
    changes = []
    for _, value in sorted(old_by.keys() - new_by.keys()):
        changes.append(
            scope.change(C.enum_value_removed, rel, f"{noun}: enum value {value} removed", value, None)
        )
    for _, value in sorted(new_by.keys() - old_by.keys()):
        changes.append(
            scope.change(C.enum_value_added, rel, f"{noun}: enum value {value} added", None, value)
        )
    for key in sorted(old_by.keys() & new_by.keys()):
        if old_by[key].description != new_by[key].description:
            message = f"{noun}: the description of enum value {key[1]} changed"
            changes.append(scope.change(C.field_docs_changed, rel, message))
    return changes

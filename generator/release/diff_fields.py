"""Diff stage, fields: two versions of a request's parameters or a response's fields, compared.

Pure: IR fields in, ``Change`` values out. Fields match by wire name, so order never matters.
Requests and responses differ in one rule, which way ``required`` may move: a parameter that
becomes required breaks callers, a response field that becomes optional breaks readers. Fields of
structs are compared where they are used (``PlayTts.Keys[].Key``), so a struct used in a request
follows the request's rules. A removed and an added field with the same type and description are
reported as a likely rename — still a breaking removal, with a note.
"""

from __future__ import annotations

from generator.frontend import ir
from generator.release.changes import Change, ChangeCode
from generator.release.diff_constraints import diff_constraints
from generator.release.diff_scope import Part, Scope, show, struct_leaf, type_text

C = ChangeCode

# Every ir.Field attribute is either compared below or derived from one that is (tests pin this).
FIELD_ATTRIBUTES = {
    "wire_name", "type", "required", "style", "constraints", "required_when", "format", "invalid_error",
    "default", "example", "description", "deprecated", "deprecation", "unit",
}  # fmt: skip
FIELD_DERIVED = {"words", "where"}


def diff_fields(
    scope: Scope, prefix: str, old: tuple[ir.Field, ...], new: tuple[ir.Field, ...]
) -> list[Change]:
    old_by = {f.wire_name: f for f in old}
    new_by = {f.wire_name: f for f in new}
    removed = sorted(old_by.keys() - new_by.keys())
    added = sorted(new_by.keys() - old_by.keys())
    renames = _likely_renames([old_by[n] for n in removed], [new_by[n] for n in added])
    renamed_from = {to: frm for frm, to in renames.items()}
    changes = [_removed(scope, prefix + n, old_by[n], renames.get(n)) for n in removed]
    changes += [_added(scope, prefix + n, new_by[n], renamed_from.get(n)) for n in added]
    for name in sorted(old_by.keys() & new_by.keys()):
        changes += diff_field(scope, prefix + name, old_by[name], new_by[name])
    return changes


def _likely_renames(removed: list[ir.Field], added: list[ir.Field]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for gone in removed:
        for candidate in added:
            same = (
                type_text(gone.type) == type_text(candidate.type)
                and gone.description == candidate.description
            )
            if same and candidate.wire_name not in pairs.values():
                pairs[gone.wire_name] = candidate.wire_name
                break
    return pairs


def _removed(scope: Scope, rel: str, f: ir.Field, renamed_to: str | None) -> Change:
    code = C.parameter_removed if scope.part is Part.request else C.response_field_removed
    note = f"likely renamed to {renamed_to}: same type and description" if renamed_to else None
    return scope.change(code, rel, f"{scope.noun(rel)} was removed", type_text(f.type), None, note)


def _added(scope: Scope, rel: str, f: ir.Field, renamed_from: str | None) -> Change:
    if scope.part is Part.response:
        code, adjective = C.response_field_added, ""
    else:
        code = C.parameter_added_required if f.required else C.parameter_added
        adjective = "required " if f.required else "optional "
    note = f"likely renamed from {renamed_from}: same type and description" if renamed_from else None
    return scope.change(code, rel, f"{adjective}{scope.noun(rel)} was added", None, type_text(f.type), note)


def diff_field(scope: Scope, rel: str, old: ir.Field, new: ir.Field) -> list[Change]:
    return [
        *_type(scope, rel, old.type, new.type),
        *_required(scope, rel, old.required, new.required),
        *_style(scope, rel, old.style, new.style),
        *diff_constraints(scope, rel, old.constraints, new.constraints),
        *_condition(scope, rel, old.required_when, new.required_when),
        *_default(scope, rel, old.default, new.default),
        *_deprecation(scope, rel, old, new),
        *_docs(scope, rel, old, new),
    ]


def _type(scope: Scope, rel: str, old: ir.TypeRef, new: ir.TypeRef) -> list[Change]:
    before, after = type_text(old), type_text(new)
    if before != after:
        text = f"the type of {scope.noun(rel)} changed from {before} to {after}"
        return [scope.change(C.type_changed, rel, text, before, after)]
    leaf = struct_leaf(old)
    if leaf is None or leaf[1] in scope.visiting:
        return []
    suffix, name = leaf
    inner = Scope(scope.action, scope.part, scope.old_structs, scope.new_structs, scope.visiting | {name})
    return diff_fields(
        inner, f"{rel}{suffix}.", scope.old_structs[name].fields, scope.new_structs[name].fields
    )


def _required(scope: Scope, rel: str, old: bool, new: bool) -> list[Change]:
    if old == new:
        return []
    if scope.part is Part.request:
        code = C.parameter_required if new else C.parameter_optional
    else:
        code = C.response_field_required if new else C.response_field_optional
    return [
        scope.change(code, rel, f"{scope.noun(rel)} became {'required' if new else 'optional'}", old, new)
    ]


def _style(scope: Scope, rel: str, old: ir.Style, new: ir.Style) -> list[Change]:
    if old == new:
        return []
    message = f"the wire style of {scope.noun(rel)} changed from {old.value} to {new.value}"
    return [scope.change(C.style_changed, rel, message, old.value, new.value)]


def condition_text(c: ir.Condition | None) -> str | None:
    if c is None:
        return None
    test = (
        f"matches {c.pattern}"
        if c.pattern is not None
        else f"is {show(c.equals)}" if c.equals is not None else "is set"
    )
    return f"required when {c.parameter} {test}" + ("" if c.enforced else " (not enforced)")


def _condition(scope: Scope, rel: str, old: ir.Condition | None, new: ir.Condition | None) -> list[Change]:
    if old == new:
        return []
    before, after = condition_text(old), condition_text(new)
    old_rule = old is not None and old.enforced
    new_rule = new is not None and new.enforced
    if old_rule and new_rule and before == after:
        code, text = C.field_docs_changed, "the note of its condition changed"
    elif old_rule and new_rule:
        code, text = C.condition_changed, f"condition changed from '{before}' to '{after}'"
    elif new_rule:
        code, text = C.condition_added, f"now {after}"
    elif old_rule:
        code, text = C.condition_removed, f"no longer {before}"
    else:
        code, text = C.field_docs_changed, f"documented condition changed from '{before}' to '{after}'"
    return [scope.change(code, rel, f"{scope.noun(rel)}: {text}", before, after)]


def _default(scope: Scope, rel: str, old: object, new: object) -> list[Change]:
    if old == new and type(old) is type(new):
        return []
    if old is not None and new is not None:
        text, code = f"the service default changed from {show(old)} to {show(new)}", C.default_changed
    else:
        text, code = (
            f"service default {'documented' if old is None else 'no longer documented'}",
            C.field_docs_changed,
        )
    return [scope.change(code, rel, f"{scope.noun(rel)}: {text}", show(old), show(new))]


def _deprecation(scope: Scope, rel: str, old: ir.Field, new: ir.Field) -> list[Change]:
    if old.deprecated != new.deprecated:
        code = C.field_deprecated if new.deprecated else C.field_undeprecated
        text = "deprecated" if new.deprecated else "no longer deprecated"
        note = new.deprecation.short if new.deprecated and new.deprecation else None
        return [scope.change(code, rel, f"{scope.noun(rel)} is {text}", old.deprecated, new.deprecated, note)]
    if old.deprecation != new.deprecation:
        return [scope.change(C.field_docs_changed, rel, f"{scope.noun(rel)}: the deprecation note changed")]
    return []


def _docs(scope: Scope, rel: str, old: ir.Field, new: ir.Field) -> list[Change]:
    changes = []
    for attribute in ("description", "example", "format", "invalid_error", "unit"):
        before, after = getattr(old, attribute), getattr(new, attribute)
        if show(before) != show(after):
            message = f"{scope.noun(rel)}: {attribute.replace('_', ' ')} changed"
            plain = attribute in ("format", "invalid_error", "unit")
            changes.append(scope.change(C.field_docs_changed, rel, message, before if plain else None,
                                        after if plain else None))  # fmt: skip
    return changes

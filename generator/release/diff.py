"""Diff stage: two IRs in, every difference out, each classified breaking / feature / patch.

    diff_apis(old, new) = product + error table + actions (each action: itself, structs,
                          request parameters, response fields — see diff_fields.py)

Pure: compares ``ir.Api`` values, never YAML text, so formatting, comments, key order and file
order cannot show up as changes. The rules, and why each code has its kind:

- removing or narrowing anything a caller sends or reads is breaking (a removed action, parameter,
  response field, error code or signing scheme; a tightened constraint; a changed type, wire style,
  endpoint, protocol or API version);
- adding or widening is a feature, and so is newly marking something deprecated (semver: a
  deprecation needs a minor release);
- an action that is paginated gains iterators over its pages (a feature); losing them, or a
  change of what they take or yield, is breaking (diff_pagination.py);
- an action that stops being idempotent is breaking: callers that retried it as documented may
  now cause a side effect twice (ring a phone twice); one that becomes idempotent is a feature;
- texts, examples, groups, QPS notes, the emulator's declarations and which error codes an action lists
  are documentation: patch.

``sdk.version`` is not a change: ``Report.version_ok`` judges it against the classification.
"""

from __future__ import annotations

from dataclasses import asdict, replace

from generator.frontend import ir
from generator.release.changes import Change, ChangeCode, Plain, Report, Side
from generator.release.diff_fields import diff_fields
from generator.release.diff_pagination import diff_pagination
from generator.release.diff_scope import Part, Scope, show, type_text

C = ChangeCode

# Attributes compared here, or derived from one that is / deliberately left out (tests pin this).
ACTION_ATTRIBUTES = {
    "name", "summary", "description", "group", "idempotent", "deprecated", "deprecation", "qps_limit",
    "emulator", "parameters", "structs", "response", "errors", "pagination",
}  # fmt: skip
ACTION_DERIVED = {"words", "source", "where"}
ERROR_ATTRIBUTES = {
    "code", "http_status", "category", "retryable", "source", "exception", "pattern", "message",
    "description",
}  # fmt: skip
PRODUCT_ATTRIBUTES = {
    "code", "api_version", "title", "style", "protocol", "method", "endpoints", "signing_default",
    "signing_schemes", "packages", "receipts",
}  # fmt: skip
# publisher: registry metadata, not the API; guide: which action the docs call, not the API
PRODUCT_DERIVED = {"sdk_version", "words", "publisher", "guide"}
ERROR_DERIVED = {"where"}


def diff_report(old: ir.Api, new: ir.Api, old_label: str, new_label: str) -> Report:
    return Report.of(
        Side(old_label, old.product.sdk_version),
        Side(new_label, new.product.sdk_version),
        diff_apis(old, new),
    )


def diff_apis(old: ir.Api, new: ir.Api) -> list[Change]:
    return [
        *diff_product(old.product, new.product),
        *diff_errors(old.errors, new.errors),
        *diff_actions(old.actions, new.actions),
    ]


def _change(code: ChangeCode, path: str, message: str, old: Plain = None, new: Plain = None) -> Change:
    return Change(code, path, message, None, old, new)


def diff_product(old: ir.Product, new: ir.Product) -> list[Change]:
    changes = []
    for attribute, path, what, code in (
        ("code", "product.product", "the product code", C.product_renamed),
        ("api_version", "product.api_version", "the API version", C.api_version_changed),
        ("style", "product.style", "the API style", C.protocol_changed),
        ("protocol", "product.protocol", "the protocol", C.protocol_changed),
        ("method", "product.method", "the HTTP method", C.protocol_changed),
        (
            "signing_default",
            "product.signing.default",
            "the default signing scheme",
            C.signing_default_changed,
        ),
    ):
        before, after = getattr(old, attribute), getattr(new, attribute)
        if before != after:
            changes.append(_change(code, path, f"{what} changed from {before} to {after}", before, after))
    if old.title != new.title:
        changes.append(_change(C.title_changed, "product.title", "the product title changed"))
    for scheme in sorted(set(old.signing_schemes) - set(new.signing_schemes)):
        changes.append(_change(C.signing_scheme_removed, "product.signing.schemes",
                               f"signing scheme {scheme} was removed", scheme, None))  # fmt: skip
    for scheme in sorted(set(new.signing_schemes) - set(old.signing_schemes)):
        changes.append(_change(C.signing_scheme_added, "product.signing.schemes",
                               f"signing scheme {scheme} was added", None, scheme))  # fmt: skip
    return (
        changes
        + _endpoints(old.endpoints, new.endpoints)
        + _packages(old.packages, new.packages)
        + _receipts(old.receipts, new.receipts)
    )


def _receipts(old: ir.Receipts | None, new: ir.Receipts | None) -> list[Change]:
    """Receipt types and their fields: what an application's handler reads. A type or field
    removed, or a field retyped, breaks it; one added is a feature; the rest (texts, which
    actions produce a type, how receipts are delivered) is documentation of the service."""
    before = {t.name: t for t in old.types} if old is not None else {}
    after = {t.name: t for t in new.types} if new is not None else {}
    changes = []
    for name in sorted(before.keys() - after.keys()):
        changes.append(
            _change(C.receipt_removed, f"receipts.{name}", f"receipt type {name} was removed", name)
        )
    for name in sorted(after.keys() - before.keys()):
        changes.append(
            _change(C.receipt_added, f"receipts.{name}", f"receipt type {name} was added", None, name)
        )
    for name in sorted(before.keys() & after.keys()):
        was, now = before[name], after[name]
        fields_before = {f.wire_name: f for f in was.fields}
        fields_after = {f.wire_name: f for f in now.fields}
        for wire in sorted(fields_before.keys() - fields_after.keys()):
            changes.append(_change(C.receipt_field_removed, f"receipts.{name}.{wire}",
                                   f"field {wire} of receipt {name} was removed", wire))  # fmt: skip
        for wire in sorted(fields_after.keys() - fields_before.keys()):
            changes.append(_change(C.receipt_field_added, f"receipts.{name}.{wire}",
                                   f"field {wire} of receipt {name} was added", None, wire))  # fmt: skip
        for wire in sorted(fields_before.keys() & fields_after.keys()):
            a, b = fields_before[wire], fields_after[wire]
            if a.type != b.type:
                changes.append(_change(C.receipt_field_changed, f"receipts.{name}.{wire}",
                                       f"field {wire} of receipt {name} changed type", type_text(a.type),
                                       type_text(b.type)))  # fmt: skip
            elif a != b:
                text = f"the description of field {wire} of receipt {name} changed"
                changes.append(_change(C.receipts_docs_changed, f"receipts.{name}.{wire}", text))
        if (was.description, was.actions) != (now.description, now.actions):
            text = f"the description or producing actions of receipt {name} changed"
            changes.append(_change(C.receipts_docs_changed, f"receipts.{name}", text))
    # the emulator's play-out of calls is not the service's contract: not compared
    if (
        old is not None
        and new is not None
        and replace(old, types=(), emulation=None) != replace(new, types=(), emulation=None)
    ):
        changes.append(_change(C.receipts_docs_changed, "receipts", "how receipts are delivered changed"))
    return changes


def _endpoints(old: ir.Endpoints, new: ir.Endpoints) -> list[Change]:
    changes = []
    if old.default != new.default:
        text = f"the default endpoint changed from {old.default} to {new.default}"
        changes.append(
            _change(C.default_endpoint_changed, "product.endpoints.default", text, old.default, new.default)
        )
    before = {"vpc": old.vpc, **{f"regional.{r}": host for r, host in old.regional}}
    after = {"vpc": new.vpc, **{f"regional.{r}": host for r, host in new.regional}}
    for key in sorted(before.keys() | after.keys()):
        was, now = before.get(key), after.get(key)
        if was == now:
            continue
        if was is None:
            code, text = C.endpoint_added, f"endpoint {key} ({now}) was added"
        elif now is None:
            code, text = C.endpoint_removed, f"endpoint {key} ({was}) was removed"
        else:
            code, text = C.endpoint_changed, f"endpoint {key} changed from {was} to {now}"
        changes.append(_change(code, f"product.endpoints.{key}", text, was, now))
    return changes


def _packages(old: tuple[ir.Package, ...], new: tuple[ir.Package, ...]) -> list[Change]:
    """Renamed packages and changed language requirements, per target both sides publish."""
    changes = []
    after_by = {p.target: p for p in new}
    for before in old:
        after = after_by.get(before.target)
        if after is None:
            continue
        for attribute, key, what, code in (
            ("package", "package", "the {} import name", C.package_renamed),
            ("distribution", "distribution", "the {} distribution name", C.package_renamed),
            ("requires", f"requires_{before.target}", "the required {} version", C.requires_python_changed),
        ):
            was, now = getattr(before, attribute), getattr(after, attribute)
            if was != now:
                text = f"{what.format(before.target.capitalize())} changed from {was} to {now}"
                changes.append(_change(code, f"product.sdk.targets.{before.target}.{key}", text, was, now))
    return changes


def diff_errors(old: tuple[ir.ErrorCode, ...], new: tuple[ir.ErrorCode, ...]) -> list[Change]:
    old_by, new_by = {e.code: e for e in old}, {e.code: e for e in new}
    changes = [
        _change(C.error_removed, f"errors.{code}", f"error code {code} was removed", code, None)
        for code in sorted(old_by.keys() - new_by.keys())
    ]
    changes += [
        _change(C.error_added, f"errors.{code}", f"error code {code} was added", None, code)
        for code in sorted(new_by.keys() - old_by.keys())
    ]
    for code in sorted(old_by.keys() & new_by.keys()):
        changes += _error(old_by[code], new_by[code])
    return changes


def _error(old: ir.ErrorCode, new: ir.ErrorCode) -> list[Change]:
    path, changes = f"errors.{old.code}", []
    if old.exception != new.exception:
        text = f"the exception of error code {old.code} changed from {old.exception} to {new.exception}"
        changes.append(_change(C.error_class_changed, path, text, old.exception, new.exception))
    if old.category != new.category:
        text = f"error code {old.code} moved from category {old.category.value} to {new.category.value}"
        changes.append(_change(C.error_category_changed, path, text, old.category.value, new.category.value))
    if old.pattern != new.pattern:
        if old.pattern is None:
            code, text = (
                C.error_pattern_added,
                f"error code {old.code} now also matches codes by pattern {new.pattern}",
            )
        elif new.pattern is None:
            code, text = (
                C.error_pattern_changed,
                f"error code {old.code} no longer matches codes by pattern {old.pattern}",
            )
        else:
            code, text = (
                C.error_pattern_changed,
                f"the pattern of error code {old.code} changed from {old.pattern} to {new.pattern}",
            )
        changes.append(_change(code, path, text, old.pattern, new.pattern))
    for attribute in ("http_status", "retryable", "source"):
        before, after = getattr(old, attribute), getattr(new, attribute)
        if before != after:
            text = f"error code {old.code}: {attribute.replace('_', ' ')} changed from {before} to {after}"
            changes.append(_change(C.error_behaviour_changed, path, text, before, after))
    for attribute in ("message", "description"):
        if getattr(old, attribute) != getattr(new, attribute):
            changes.append(_change(C.error_docs_changed, path, f"error code {old.code}: {attribute} changed"))
    return changes


def diff_actions(old: tuple[ir.Action, ...], new: tuple[ir.Action, ...]) -> list[Change]:
    old_by, new_by = {a.name: a for a in old}, {a.name: a for a in new}
    changes = [
        Change(C.action_removed, name, f"action {name} was removed", name)
        for name in sorted(old_by.keys() - new_by.keys())
    ]
    changes += [
        Change(C.action_added, name, f"action {name} was added", name)
        for name in sorted(new_by.keys() - old_by.keys())
    ]
    for name in sorted(old_by.keys() & new_by.keys()):
        changes += diff_action(old_by[name], new_by[name])
    return changes


def diff_action(old: ir.Action, new: ir.Action) -> list[Change]:
    old_structs = {s.name: s for s in old.structs}
    new_structs = {s.name: s for s in new.structs}
    request = Scope(old.name, Part.request, old_structs, new_structs)
    response = Scope(old.name, Part.response, old_structs, new_structs)
    return [
        *_action_flags(old, new),
        *_action_docs(old, new),
        *_structs(old.name, old_structs, new_structs),
        *diff_fields(request, "", old.parameters, new.parameters),
        *diff_fields(response, "", old.response.fields, new.response.fields),
        *diff_pagination(old.name, old.pagination, new.pagination),
    ]


def _action_flags(old: ir.Action, new: ir.Action) -> list[Change]:
    name, changes = old.name, []
    if old.idempotent != new.idempotent:
        code = C.action_idempotent if new.idempotent else C.action_non_idempotent
        text = f"action {name} is {'now' if new.idempotent else 'no longer'} idempotent"
        changes.append(Change(code, name, text, name, old.idempotent, new.idempotent))
    if old.deprecated != new.deprecated:
        code = C.action_deprecated if new.deprecated else C.action_undeprecated
        text = f"action {name} is {'deprecated' if new.deprecated else 'no longer deprecated'}"
        note = new.deprecation.short if new.deprecated and new.deprecation else None
        changes.append(Change(code, name, text, name, old.deprecated, new.deprecated, note))
    return changes


def _action_docs(old: ir.Action, new: ir.Action) -> list[Change]:
    name, changes = old.name, []
    texts: tuple[str, ...] = ("summary", "description", "group", "qps_limit", "emulator")
    # A newly (un)deprecated action brings its note along: that is one change, not two.
    texts += ("deprecation",) if old.deprecated == new.deprecated else ()
    pairs: list[tuple[str, object, object]] = [
        (attribute, getattr(old, attribute), getattr(new, attribute)) for attribute in texts
    ]
    pairs.append(("response examples", (old.response.example_json, old.response.example_xml),
                  (new.response.example_json, new.response.example_xml)))  # fmt: skip
    for what, before, after in pairs:
        if before != after:
            if what == "emulator":  # the emulator's declarations, as plain data
                before, after = asdict(before), asdict(after)  # type: ignore[call-overload]
            values = (show(before), show(after)) if what in ("qps_limit", "emulator") else (None, None)
            text = f"action {name}: {what.replace('_', ' ')} changed"
            changes.append(Change(C.action_docs_changed, name, text, name, *values))
    for code in sorted(set(old.errors) ^ set(new.errors)):
        verb = "now lists" if code in new.errors else "no longer lists"
        changes.append(Change(C.action_docs_changed, name, f"action {name} {verb} error code {code}", name))
    return changes


def _structs(action: str, old: dict[str, ir.Struct], new: dict[str, ir.Struct]) -> list[Change]:
    changes = []
    for name in sorted(old.keys() - new.keys()):
        changes.append(Change(C.struct_removed, f"{action}.structs.{name}",
                              f"struct {name} of {action} was removed", action, name, None))  # fmt: skip
    for name in sorted(new.keys() - old.keys()):
        changes.append(Change(C.struct_added, f"{action}.structs.{name}",
                              f"struct {name} of {action} was added", action, None, name))  # fmt: skip
    for name in sorted(old.keys() & new.keys()):
        if old[name].description != new[name].description:
            changes.append(Change(C.struct_docs_changed, f"{action}.structs.{name}",
                                  f"struct {name} of {action}: description changed", action))  # fmt: skip
    return changes

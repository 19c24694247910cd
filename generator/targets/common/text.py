"""Human wording of a field's rules, shared by every target that documents fields.

Pure functions of the IR: ``constraint_text`` is what a Python docstring says after a parameter
(``1 ≤ value ≤ 3; service default 1``); the reference docs put the same words in their tables,
split into the value's constraints (``value_constraints``) and the condition that makes a field
required (``condition_text``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from generator.frontend import ir


def _plain(text: str) -> str:
    return text


def value_constraints(c: ir.Constraints, *, quote: Callable[[str], str] = _plain) -> list[str]:
    """The constraints on the value itself, one phrase each: ``length 1..15``, ``one of 1 (…)``.

    ``quote`` marks up literal values (patterns, enum values), e.g. as Markdown code spans.
    """
    parts = []
    if c.minimum is not None and c.maximum is not None:
        parts.append(f"{c.minimum} ≤ value ≤ {c.maximum}")
    elif c.minimum is not None:
        parts.append(f"value ≥ {c.minimum}")
    elif c.maximum is not None:
        parts.append(f"value ≤ {c.maximum}")
    if c.exclusive_minimum is not None:
        parts.append(f"value > {c.exclusive_minimum}")
    if c.exclusive_maximum is not None:
        parts.append(f"value < {c.exclusive_maximum}")
    if c.min_length is not None or c.max_length is not None:
        parts.append(f"length {c.min_length or 0}..{c.max_length if c.max_length is not None else '∞'}")
    if c.pattern is not None:
        parts.append(f"matches {quote(c.pattern)}")
    if c.min_items is not None or c.max_items is not None:
        parts.append(f"{c.min_items or 0}..{c.max_items if c.max_items is not None else '∞'} items")
    if c.enum:
        parts.append("one of " + ", ".join(f"{quote(repr(e.value))} ({e.description.short})" for e in c.enum))
    return parts


def condition_text(w: ir.Condition, name: str, *, quote: Callable[[str], str] = _plain) -> str:
    """``required when start_code matches ^TTS_ (not checked by the SDK)``; ``name`` names the other field."""
    cond = (
        f"matches {quote(w.pattern)}"
        if w.pattern is not None
        else f"is {quote(repr(w.equals))}" if w.equals is not None else "is set"
    )
    return f"required when {name} {cond}" + ("" if w.enforced else " (not checked by the SDK)")


def constraint_text(f: ir.Field, name_of: Callable[[str], str]) -> str:
    """A short, human reading of a field's constraints: ``1 ≤ value ≤ 3``.

    ``name_of`` turns a wire name into the target's name of that parameter.
    """
    parts = value_constraints(f.constraints)
    if f.style is ir.Style.json:
        parts.append("sent as a JSON string")
    if f.required_when is not None:
        parts.append(condition_text(f.required_when, name_of(f.required_when.parameter)))
    if f.default is not None:
        parts.append(f"service default {f.default!r}")
    return "; ".join(parts)


def iterator_collisions(
    api: ir.Api,
    method: Callable[[str], str],
    pages: Callable[[str], str],
    items: Callable[[str], str],
    reserved: Iterable[str],
    language: str,
) -> list[tuple[ir.Where, str, str]]:
    """``(where, message, hint)`` for each paginated action's iterator whose name, in a language's
    naming, is another action's method or a member of the client."""
    methods = {method(a.name): a.name for a in api.actions}
    taken_by_client = set(reserved)
    out = []
    for a in api.actions:
        if a.pagination is None:
            continue
        for kind, name in (("pages", pages(a.name)), ("items", items(a.name))):
            taken = f"the method of action '{methods[name]}'" if name in methods else None
            if name in taken_by_client:
                taken = "a member of the client"
            if taken is not None:
                message = f"the {kind} iterator of action '{a.name}' becomes the {language} method '{name}'"
                message += f", {taken}"
                out.append((a.pagination.where, message, "rename the action, or leave 'pagination' out"))
    return out

"""Names every target's package shares because users meet them in both languages: the root error
class (the same in Python and TypeScript, so an error reads alike in logs and docs) and the
environment variable that overrides the endpoint (one variable serves every SDK of a product); and
the rule by which a target finds its receipt names colliding."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from generator.frontend import ir
from generator.frontend.words import words


def root_error(product: str) -> str:
    """The package's root error class: ``Ecs`` → ``EcsError``, ``KvStore`` → ``KvStoreError``."""
    name = "".join(p[:1].upper() + p[1:] for p in words(product)) or "Sdk"
    return ("N" + name if name[0].isdigit() else name) + "Error"


def env_endpoint(product: str) -> str:
    """The environment variable that overrides the endpoint: ``Ecs`` → ``ECS_ENDPOINT``."""
    return "_".join(w.lower() for w in words(product)).upper() + "_ENDPOINT"


def receipt_collisions(
    api: ir.Api,
    type_name: Callable[[str], str],
    member: Callable[[str], str],
    taken_types: Mapping[str, str],
    taken_members: Mapping[str, str],
    language: str,
) -> list[tuple[ir.Where, str, str]]:
    """What the receipt types would make collide in one target: a type name already used
    (``taken_types``: name → what has it) or made twice, and a field whose member name another
    field of the type has, or that the receipt base already has (``taken_members``, e.g. ``raw``).
    Each finding is ``(where, message, hint)``, at the name that comes second."""
    receipts = api.product.receipts
    if receipts is None:
        return []
    out = []
    types = dict(taken_types)
    for t in receipts.types:
        name = type_name(t.name)
        if name in types:
            message = f"receipt type '{t.name}' becomes the {language} type '{name}', already {types[name]}"
            out.append((t.where, message, "rename the receipt type"))
        types.setdefault(name, f"the receipt type '{t.name}'")
        members = dict(taken_members)
        for f in t.fields:
            name = member(f.wire_name)
            if name in members:
                message = (
                    f"receipt field '{f.wire_name}' of '{t.name}' becomes the {language} name '{name}', "
                    f"already {members[name]}"
                )
                out.append((f.where, message, "rename the field; the message's own name stays in 'raw'"))
            members.setdefault(name, f"the name of field '{f.wire_name}'")
    return out

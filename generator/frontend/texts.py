"""Which texts of the specs lack a language: the vendor's metadata is Chinese only, so an
imported spec starts without English. ``sdkgen validate`` counts them (and lists them on request)
so a team sees how much is left to translate; nothing is ever invented to fill the gap."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from generator.frontend import ir


@dataclass(frozen=True, order=True)
class MissingText:
    where: ir.Where
    what: str  # e.g. "SingleCallByTts.parameters.CalledNumber.description"
    missing: str  # "en" or "zh"


def _texts(api: ir.Api) -> Iterator[tuple[ir.Where, str, ir.Text]]:
    product = api.product
    yield ir.NOWHERE, "product.title", product.title
    for e in api.errors:
        yield e.where, f"errors.{e.code}.description", e.description
    for a in api.actions:
        yield a.where, f"{a.name}.summary", a.summary
        yield a.where, f"{a.name}.description", a.description
        yield a.where, f"{a.name}.group", a.group
        if a.deprecation is not None:
            yield a.where, f"{a.name}.deprecation", a.deprecation
        groups = [("parameters", a.parameters), ("response", a.response.fields)]
        groups += [(f"structs.{s.name}", s.fields) for s in a.structs]
        for s in a.structs:
            yield s.where, f"{a.name}.structs.{s.name}.description", s.description
        for base, fields in groups:
            for f in fields:
                name = f"{a.name}.{base}.{f.wire_name}"
                yield f.where, f"{name}.description", f.description
                if f.deprecation is not None:
                    yield f.where, f"{name}.deprecation", f.deprecation
                if f.required_when is not None and f.required_when.note is not None:
                    yield f.where, f"{name}.required_when.note", f.required_when.note
                for v in f.constraints.enum:
                    yield f.where, f"{name}.enum.{v.value}", v.description


def missing_languages(api: ir.Api) -> list[MissingText]:
    """Every text without English or without Chinese, in file order."""
    found = []
    for where, what, text in _texts(api):
        for language in ("en", "zh"):
            if not getattr(text, language):
                found.append(MissingText(where, what, language))
    return sorted(found)

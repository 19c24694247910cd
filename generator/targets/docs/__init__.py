"""The docs target: the IR → the Markdown reference under docs/.

- ``docs/index.md``: every action by capability (its ``group``), with both summaries;
- ``docs/actions/<Action>.md``: one page per action, its tables, its request on the wire, its
  answer, its errors and a sample in every language;
- ``docs/errors.md``: the whole error table; ``docs/getting-started.md``: the guide.

Languages come from the code targets (``generator.targets.code_targets``): each gives its names
for the tables, its samples for the pages (embedded byte for byte: what a reader copies is what
the tests run; the code target writes the files under samples/<language>/) and its guide. A new
language adds a column and a tab, not a docs target. Every row, path and example is computed here
(``tables``, ``common.wire``); the templates under templates/docs/ only lay the pages out.
Pure: IR in, ``{path: text}`` out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import partial
from typing import assert_never

from generator.frontend import ir
from generator.frontend.diagnostics import Diagnostic
from generator.targets import Context, Guide, Unit, action_key, api_key, code_targets
from generator.targets.common import wire as _wire
from generator.targets.docs import tables


@dataclass(frozen=True)
class SampleBlock:
    title: str
    name: str
    link: str  # relative to the action's page
    language: str  # the code fence's
    source: str


@dataclass(frozen=True)
class Entry:
    """An action as the index and the guide list it."""

    action: ir.Action
    path: str
    summary: str  # both languages, for tables
    summary_en: str
    calls: tuple[tuple[str, str], ...]  # (language, how the SDK calls the action)


@dataclass(frozen=True)
class ActionPage:
    action: ir.Action
    path: str
    summary_en: str
    summary_zh: str
    deprecation: str | None
    calls: tuple[tuple[str, str], ...]  # (language, how the SDK calls the action)
    description_en: str
    description_zh: str
    group: str
    parameters: tuple[tables.FieldRow, ...]
    response: tuple[tables.FieldRow, ...]
    http_request: str
    query: tuple[tuple[str, str], ...]  # decoded pairs, as Markdown code spans
    example_json: str
    example_xml: str
    errors: tuple[tables.ErrorRow, ...]
    retried_gateway: tuple[str, ...]  # the gateway codes retried for this action, as code spans
    samples: tuple[SampleBlock, ...]
    receipts: tuple[str, ...]  # the receipt types the service sends after this action
    pages: str | None = None  # how a paginated action hands out its results (None: not paginated)
    iterators: tuple[tuple[str, str], ...] = ()  # (language, the SDK's iterators over the pages)


@dataclass(frozen=True)
class Group:
    title: str
    actions: tuple[Entry, ...]


@dataclass(frozen=True)
class ReceiptSection:
    type: ir.ReceiptType
    anchor: str  # of its heading on the page
    summary: str  # one line, for the table of types
    description: str
    rows: tuple[tables.FieldRow, ...]


@dataclass(frozen=True)
class ReceiptsView:
    receipts: ir.Receipts
    types: tuple[ReceiptSection, ...]

    @property
    def retry_schedule(self) -> str:
        return ", ".join(
            f"{s // 60} min" if s % 60 == 0 else f"{s} s" for s in self.receipts.push_retry_after_seconds
        )


def receipts_view(receipts: ir.Receipts) -> ReceiptsView:
    sections = tuple(
        ReceiptSection(
            type=t,
            anchor=t.name.lower(),
            summary=bilingual_line(t.description),
            description=tables.md(t.description.joined("\n\n"), br="\n"),
            rows=tuple(tables.field_rows(t.fields, {}, (), in_query=False)),
        )
        for t in receipts.types
    )
    return ReceiptsView(receipts, sections)


@dataclass(frozen=True)
class PageView:
    """What an action's page shares with the others."""

    languages: tuple[str, ...]


@dataclass(frozen=True)
class DocsView:
    api: ir.Api
    languages: tuple[str, ...]  # one names column per code target
    root_error: str  # the guide language's root error class (the error table names it)
    other_endpoints: tuple[tuple[str, str], ...]  # (host, where it serves)
    groups: tuple[Group, ...]
    business: tuple[tables.ErrorRow, ...]
    gateway: tuple[tables.ErrorRow, ...]
    guides: tuple[Guide, ...]  # one section of the getting-started page per language


def _pretty_json(text: str) -> str:
    """The spec's JSON example, indented by two (it is stored as written)."""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text.strip()


def _sample_blocks(api: ir.Api, action: ir.Action, ctx: Context) -> tuple[SampleBlock, ...]:
    return tuple(
        SampleBlock(s.title, s.path.rsplit("/", 1)[-1], f"../../{s.path}", s.language, s.source)
        for target in code_targets(api)
        for s in target.samples(api, action, ctx)
    )


def _deprecation(action: ir.Action) -> str | None:
    if not action.deprecated:
        return None
    return bilingual_line(action.deprecation) if action.deprecation is not None else "Avoid it in new code."


def bilingual_line(t: ir.Text) -> str:
    return " · ".join(tables.md(x) for x in (t.en, t.zh) if x)


def _calls(api: ir.Api, action: ir.Action) -> tuple[tuple[str, str], ...]:
    return tuple((t.language, t.method_of(api, action)) for t in code_targets(api))


def _page_path(action: ir.Action) -> str:
    return f"actions/{action.name}.md"


def entry(api: ir.Api, action: ir.Action) -> Entry:
    return Entry(
        action=action,
        path=_page_path(action),
        summary=tables.bilingual(action.summary),
        summary_en=tables.md(action.summary.short),
        calls=_calls(api, action),
    )


def action_page(api: ir.Api, action: ir.Action, ctx: Context) -> ActionPage:
    structs = {s.name: s for s in action.structs}
    namers = tuple(t.member_of for t in code_targets(api))
    gateway = [e for e in api.errors if e.source == "gateway" and tables.retried(e, action.idempotent)]
    user_agent = code_targets(api)[0].user_agent(api)
    return ActionPage(
        action=action,
        path=_page_path(action),
        summary_en=tables.md(action.summary.short),
        summary_zh=tables.md(action.summary.other),
        deprecation=_deprecation(action),
        calls=_calls(api, action),
        description_en=tables.md(action.description.short, br="\n"),
        description_zh=tables.md(action.description.other, br="\n"),
        group=bilingual_line(action.group),
        parameters=tuple(tables.field_rows(action.parameters, structs, namers, in_query=True)),
        response=tuple(tables.field_rows(action.response.fields, structs, namers, in_query=False)),
        http_request=_wire.http_request(api.product, action, user_agent),
        query=tuple((tables.code(k), tables.code(v)) for k, v in _wire.example_pairs(action)),
        example_json=_pretty_json(action.response.example_json),
        example_xml=action.response.example_xml.strip(),
        errors=tuple(tables.error_row(api.error(c), action.idempotent) for c in action.errors),
        retried_gateway=tuple(tables.code(e.code) for e in gateway),
        samples=_sample_blocks(api, action, ctx),
        receipts=_receipt_types(api.product.receipts, action),
        pages=_pages(action.pagination) if action.pagination is not None else None,
        iterators=tuple(
            (t.language, found)
            for t in code_targets(api)
            if (found := t.iterators_of(api, action)) is not None
        ),
    )


def _pages(p: ir.Pagination) -> str:
    """How the results come a page at a time, in the wire's names."""

    def path(names: tuple[str, ...]) -> str:
        return tables.code(".".join(names))

    size = f"; {tables.code(p.size)} sets their size" if p.size is not None else ""
    match p.by:
        case ir.PageNumbers(parameter=parameter, first=first):
            walk = f"{tables.code(parameter)} numbers the pages from {first}{size}"
        case ir.Tokens(parameter=parameter, next=following):
            walk = (
                f"the first request carries no {tables.code(parameter)}, each next one the "
                f"{path(following)} of the answer before, which is empty after the last page{size}"
            )
        case _:
            assert_never(p.by)
    total = f", and {path(p.total)} counts the items of all pages" if p.total is not None else ""
    return f"The results come a page at a time: {walk}. A page's items are in {path(p.items)}{total}."


def _receipt_types(receipts: ir.Receipts | None, action: ir.Action) -> tuple[str, ...]:
    return tuple(t.name for t in receipts.types if action.name in t.actions) if receipts is not None else ()


def _other_endpoints(e: ir.Endpoints) -> tuple[tuple[str, str], ...]:
    vpc = ((e.vpc, "from a VPC"),) if e.vpc is not None else ()
    return vpc + tuple((host, f"region `{region}`") for region, host in e.regional)


def view(api: ir.Api, ctx: Context) -> DocsView:
    guides = tuple(t.guide(api, ctx) for t in code_targets(api))
    titles: dict[str, list[Entry]] = {}
    for a in api.actions:
        titles.setdefault(bilingual_line(a.group), []).append(entry(api, a))
    return DocsView(
        api=api,
        languages=tuple(g.language for g in guides),
        root_error=guides[0].root_error,
        other_endpoints=_other_endpoints(api.product.endpoints),
        groups=tuple(Group(title, tuple(group)) for title, group in titles.items()),
        business=tuple(tables.error_row(e) for e in api.errors if e.source == "business"),
        gateway=tuple(tables.error_row(e) for e in api.errors if e.source == "gateway"),
        guides=guides,
    )


class DocsTarget:
    name = "docs"
    owns = ("docs",)

    def applies(self, api: ir.Api) -> bool:
        return bool(code_targets(api))  # the docs show SDKs: with no language there is nothing to show

    def check(self, api: ir.Api) -> list[Diagnostic]:
        return []  # the docs use the code targets' names, which those targets check

    def units(self, api: ir.Api, ctx: Context) -> list[Unit]:
        """The index, error and guide pages as one unit; each action's page as its own. The
        pages embed each code target's samples."""
        pages = [Unit(action_key(api, a), partial(self.page, api, a, ctx)) for a in api.actions]
        return [Unit(api_key(api), partial(self.shared, api, ctx)), *pages]

    def shared(self, api: ir.Api, ctx: Context) -> dict[str, str]:
        renderer = ctx.renderer
        v = view(api, ctx)
        files = {
            "docs/index.md": renderer.render("docs/index.md.jinja", v=v),
            "docs/errors.md": renderer.render("docs/errors.md.jinja", v=v),
            "docs/getting-started.md": renderer.render("docs/getting-started.md.jinja", v=v),
        }
        if api.product.receipts is not None:
            files["docs/receipts.md"] = renderer.render(
                "docs/receipts.md.jinja", v=receipts_view(api.product.receipts), guides=v.guides
            )
        return files

    def page(self, api: ir.Api, action: ir.Action, ctx: Context) -> dict[str, str]:
        page = action_page(api, action, ctx)
        v = PageView(tuple(t.language for t in code_targets(api)))
        return {f"docs/{page.path}": ctx.renderer.render("docs/action.md.jinja", v=v, page=page)}


TARGET = DocsTarget()

"""The docs target: the IR → the Markdown reference under docs/.

- ``docs/index.md``: every action by capability (its ``group``), with both summaries;
- ``docs/actions/<Action>.md``: one page per action, its tables, its request on the wire, its
  answer, its errors and a sample in every language;
- ``docs/errors.md``: the whole error table; ``docs/getting-started.md``: the guide;
  ``docs/receipts.md``: the receipts, when the specs describe them;
- ``mkdocs.yml``, beside ``docs/``: the same pages as a documentation site (MkDocs with the
  Material theme: navigation by group, search, one content tab per sample), built into ``site/``
  by ``mkdocs build`` in the output folder.

Every page reads as it is on a code forge and builds strictly into the site: links stay inside
docs/ (a sample is named by its path, its text is in the page; a code target's guide linking one
of its samples is pointed at the action page embedding it), and the samples are tab blocks
(``/// tab | <title>`` around a fence left byte for byte as the file, which a forge shows as a
label line and the highlighted program).

Languages come from the code targets (``generator.targets.code_targets``): each gives its names
for the tables, its samples for the pages (embedded byte for byte: what a reader copies is what
the tests run; the code target writes the files under samples/<language>/) and its guide. A new
language adds a column and a tab, not a docs target. Every row, path and example is computed here
(``tables``, ``common.wire``); the templates under templates/docs/ only lay the pages out.
Pure: IR in, ``{path: text}`` out.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import partial
from typing import assert_never

from generator.frontend import ir
from generator.frontend.diagnostics import Diagnostic
from generator.targets import Context, Guide, Unit, action_key, api_key, code_targets
from generator.targets.common import wire as _wire
from generator.targets.docs import tables


@dataclass(frozen=True)
class SampleBlock:
    title: str  # its tab's label
    path: str  # relative to the output root, e.g. samples/python/ivr_call.py
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
        SampleBlock(s.title, s.path, s.language, s.source)
        for target in code_targets(api)
        for s in target.samples(api, action, ctx)
    )


_CODE_OR_LINK = re.compile(
    r"^(?P<fence>`{3,}|~{3,}).*?(?:^|\x00)(?P=fence)[ \t]*$"  # a fenced block (it may end an embed)
    r"|(?<!!)\[(?P<text>[^\]\n]*)\]\((?P<target>[^()\s]+)\)"  # a link (its text may hold code)
    r"|`[^`\n]*`",  # a code span
    re.S | re.M,
)


def site_links(markdown: str, page: str, embedded: Mapping[str, str]) -> str:
    """``markdown`` of the page ``page`` (under docs/) with its links kept inside docs/: a link to a
    file out of docs/ that an action page embeds (``embedded``: the file's path under the output
    root → that page's) leads to that page; any other link out of docs/ becomes its text. Links in
    code are left alone. What a code target writes for the docs passes through here, so the site,
    whose pages are docs/ alone, builds without a dangling link."""
    folder = posixpath.dirname(f"docs/{page}")

    def fix(m: re.Match[str]) -> str:
        text, target = m.group("text"), m.group("target")
        if target is None or re.match(r"[a-z][a-z0-9+.-]*:|#|/", target):
            return m.group(0)  # code; or absolute, an anchor on the page, from the root: not ours
        path = posixpath.normpath(posixpath.join(folder, target.split("#", 1)[0]))
        if path == "docs" or path.startswith("docs/"):
            return m.group(0)
        if path in embedded:
            return f"[{text}]({posixpath.relpath(f'docs/{embedded[path]}', folder)})"
        return str(text)

    return _CODE_OR_LINK.sub(fix, markdown)


def _embedded(api: ir.Api, ctx: Context) -> dict[str, str]:
    """Every sample an action page embeds: its path under the output root → the page's under docs/."""
    return {
        s.path: _page_path(a) for a in api.actions for t in code_targets(api) for s in t.samples(api, a, ctx)
    }


def _site_guide(g: Guide, embedded: Mapping[str, str]) -> Guide:
    receipts = site_links(g.receipts, "receipts.md", embedded) if g.receipts is not None else None
    return replace(g, section=site_links(g.section, "getting-started.md", embedded), receipts=receipts)


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
    embedded = _embedded(api, ctx)
    guides = tuple(_site_guide(t.guide(api, ctx), embedded) for t in code_targets(api))
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


def _yaml(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is YAML's)."""
    return json.dumps(text, ensure_ascii=False)


@dataclass(frozen=True)
class SiteGroup:
    title: str  # a YAML scalar
    pages: tuple[tuple[str, str], ...]  # (title, path under docs/), YAML scalars


@dataclass(frozen=True)
class SiteView:
    """What mkdocs.yml says, every text already a YAML scalar."""

    name: str
    description: str
    pages: tuple[tuple[str, str], ...]  # the pages before the groups: (title, path under docs/)
    groups: tuple[SiteGroup, ...]


def site_view(v: DocsView) -> SiteView:
    product = v.api.product
    pages = [("Home", "index.md"), ("Getting started", "getting-started.md"), ("Error codes", "errors.md")]
    if product.receipts is not None:
        pages.append(("Receipts", "receipts.md"))
    return SiteView(
        name=_yaml(product.title.joined(" · ")),
        description=_yaml(
            f"The API {product.code} {product.api_version} and its SDKs: {', '.join(v.languages)}"
        ),
        pages=tuple((_yaml(title), _yaml(path)) for title, path in pages),
        groups=tuple(
            SiteGroup(_yaml(g.title), tuple((_yaml(e.action.name), _yaml(e.path)) for e in g.actions))
            for g in v.groups
        ),
    )


class DocsTarget:
    name = "docs"
    owns = ("docs", "mkdocs.yml")

    def applies(self, api: ir.Api) -> bool:
        return bool(code_targets(api))  # the docs show SDKs: with no language there is nothing to show

    def check(self, api: ir.Api) -> list[Diagnostic]:
        return []  # the docs use the code targets' names, which those targets check

    def units(self, api: ir.Api, ctx: Context) -> list[Unit]:
        """The index, error, guide and receipts pages and the site's configuration as one unit; each
        action's page as its own. The pages embed each code target's samples."""
        pages = [Unit(action_key(api, a), partial(self.page, api, a, ctx)) for a in api.actions]
        return [Unit(api_key(api), partial(self.shared, api, ctx)), *pages]

    def shared(self, api: ir.Api, ctx: Context) -> dict[str, str]:
        renderer = ctx.renderer
        v = view(api, ctx)
        files = {
            "docs/index.md": renderer.render("docs/index.md.jinja", v=v),
            "docs/errors.md": renderer.render("docs/errors.md.jinja", v=v),
            "docs/getting-started.md": renderer.render("docs/getting-started.md.jinja", v=v),
            "mkdocs.yml": renderer.render("docs/mkdocs.yml.jinja", site=site_view(v)),
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

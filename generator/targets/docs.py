"""The docs target: the IR → the Markdown reference under docs/ and the code samples under samples/.

- ``docs/index.md``: every action by capability (its ``group``), with both summaries;
- ``docs/actions/<Action>.md``: one page per action, its tables, its request on the wire, its
  answer, its errors and its Python samples;
- ``docs/errors.md``: the whole error table; ``docs/getting-started.md``: the guide;
- ``samples/python/``: a sync and an async program per action and the guide's programs, which
  the pages embed byte for byte: what a reader copies is what the tests run.

Every row, path and example is computed here (``_docs_tables``, ``_wire``, ``_samples``); the
templates under templates/docs/ only lay the pages out. Pure: IR in, ``{path: text}`` out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .. import ir
from ..render import Renderer
from . import _docs_tables as tables
from . import _samples, _wire


@dataclass(frozen=True)
class SampleBlock:
    title: str
    name: str
    link: str  # relative to the action's page
    source: str


@dataclass(frozen=True)
class ActionPage:
    action: ir.Action
    path: str
    summary: str  # both languages, for tables
    summary_en: str
    summary_zh: str
    deprecation: str | None
    places_call: bool
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


@dataclass(frozen=True)
class Group:
    title: str
    actions: tuple[ActionPage, ...]


@dataclass(frozen=True)
class GuideSample:
    name: str
    path: str  # relative to the output root
    source: str

    @property
    def file_name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def link(self) -> str:  # from docs/
        return f"../{self.path}"


@dataclass(frozen=True)
class DocsView:
    api: ir.Api
    package: str
    env_endpoint: str
    root_error: str
    other_endpoints: tuple[tuple[str, str], ...]  # (host, where it serves)
    groups: tuple[Group, ...]
    business: tuple[tables.ErrorRow, ...]
    gateway: tuple[tables.ErrorRow, ...]
    first: ActionPage  # the action of the guide's examples
    first_call: GuideSample  # its sync sample
    error: ir.ErrorCode | None  # the code the guide catches by name
    guide: tuple[GuideSample, ...]

    def guide_sample(self, name: str) -> GuideSample:
        return next(g for g in self.guide if g.name == name)


def _pretty_json(text: str) -> str:
    """The spec's JSON example, indented by two (it is stored as written)."""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text.strip()


def _sample_blocks(api: ir.Api, action: ir.Action, sources: dict[str, str]) -> tuple[SampleBlock, ...]:
    blocks = []
    for is_async, title in ((False, "Sync"), (True, "Async (asyncio)")):
        s = _samples.sample(api, action, is_async)
        blocks.append(SampleBlock(title, s.file_name, f"../../{s.path}", sources[s.path]))
    return tuple(blocks)


def _deprecation(action: ir.Action) -> str | None:
    if not action.deprecated:
        return None
    return bilingual_line(action.deprecation) if action.deprecation is not None else "Avoid it in new code."


def bilingual_line(t: ir.Text) -> str:
    return f"{tables.md(t.en)} · {tables.md(t.zh)}"


def action_page(api: ir.Api, action: ir.Action, sources: dict[str, str]) -> ActionPage:
    structs = {s.name: s for s in action.structs}
    gateway = [e for e in api.errors if e.source == "gateway" and tables.retried(e, action.idempotent)]
    return ActionPage(
        action=action,
        path=f"actions/{action.name}.md",
        summary=tables.bilingual(action.summary),
        summary_en=tables.md(action.summary.en),
        summary_zh=tables.md(action.summary.zh),
        deprecation=_deprecation(action),
        places_call=action.role == "places-call",
        description_en=tables.md(action.description.en, br="\n"),
        description_zh=tables.md(action.description.zh, br="\n"),
        group=bilingual_line(action.group),
        parameters=tuple(tables.field_rows(action.parameters, structs, in_query=True)),
        response=tuple(tables.field_rows(action.response.fields, structs, in_query=False)),
        http_request=_wire.http_request(api.product, action),
        query=tuple((tables.code(k), tables.code(v)) for k, v in _wire.example_pairs(action)),
        example_json=_pretty_json(action.response.example_json),
        example_xml=action.response.example_xml.strip(),
        errors=tuple(tables.error_row(api.error(c), action.idempotent) for c in action.errors),
        retried_gateway=tuple(tables.code(e.code) for e in gateway),
        samples=_sample_blocks(api, action, sources),
    )


def _other_endpoints(e: ir.Endpoints) -> tuple[tuple[str, str], ...]:
    vpc = ((e.vpc, "from a VPC"),) if e.vpc is not None else ()
    return vpc + tuple((host, f"region `{region}`") for region, host in e.regional)


def view(api: ir.Api, sources: dict[str, str]) -> DocsView:
    pages = {a.name: action_page(api, a, sources) for a in api.actions}
    titles: dict[str, list[ActionPage]] = {}
    for a in api.actions:
        titles.setdefault(bilingual_line(a.group), []).append(pages[a.name])
    first = _samples.first_action(api)
    path = _samples.sample(api, first, False).path
    return DocsView(
        api=api,
        package=api.product.python.package,
        env_endpoint=f"{api.product.code.upper()}_ENDPOINT",
        root_error=_samples.ROOT_ERROR,
        other_endpoints=_other_endpoints(api.product.endpoints),
        groups=tuple(Group(title, tuple(group)) for title, group in titles.items()),
        business=tuple(tables.error_row(e) for e in api.errors if e.source == "business"),
        gateway=tuple(tables.error_row(e) for e in api.errors if e.source == "gateway"),
        first=pages[first.name],
        first_call=GuideSample("first_call", path, sources[path]),
        error=_samples.guide_error(api, first),
        guide=tuple(GuideSample(name, p, sources[p]) for name, p in _samples.guide_paths()),
    )


def render_docs(api: ir.Api, renderer: Renderer) -> dict[str, str]:
    """``{docs/…md, samples/python/…py: text}``; the pages embed the samples, formatted first."""
    files = _samples.render_samples(api, renderer) | _samples.render_guide(api, renderer)
    v = view(api, files)
    files["docs/index.md"] = renderer.render("docs/index.md.jinja", v=v)
    files["docs/errors.md"] = renderer.render("docs/errors.md.jinja", v=v)
    files["docs/getting-started.md"] = renderer.render("docs/getting-started.md.jinja", v=v)
    for group in v.groups:
        for page in group.actions:
            files[f"docs/{page.path}"] = renderer.render("docs/action.md.jinja", v=v, page=page)
    return files

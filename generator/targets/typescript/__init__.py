"""The TypeScript target: the IR → an npm package under typescript/ and its samples.

Per action (one unit each, see ``generator.targets.Unit``):
- ``src/actions/<method>.ts``: the request, response and struct interfaces, TSDoc from the specs,
  and the action's descriptor (members ↔ wire names, types, constraints, JSON style) that the
  runtime checks, encodes and decodes with;
- samples/typescript/<method>.ts: a program calling the action with the specs' examples.

Shared by all actions (one unit; the runtime modules under templates/typescript/runtime/, copied
as they are under the generated header, are another): ``src/client.ts`` (one async method per
action), ``src/errors.ts`` (a class per error code), ``src/meta.ts``, ``src/index.ts``,
``package.json``, ``tsconfig.json`` and the README; with receipts, ``src/receipts.ts`` and the
receipts page's programs and section (``receipts``). Templates under templates/typescript/ read the
target's view of the IR (``view``), in which every name, type and comment line is decided
(``naming``).

Pure: IR in, ``{path relative to generated/: text}`` out (no formatter runs on TypeScript).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from generator.frontend import ir
from generator.frontend.diagnostics import Diagnostic
from generator.output.render import HEADER_TEXT, Renderer
from generator.targets import Context, Guide, SampleFile, Unit, action_key, api_key
from generator.targets.typescript import naming
from generator.targets.typescript import receipts as _receipts
from generator.targets.typescript.check import check_names
from generator.targets.typescript.view import (
    package_of,
    sample_arguments,
    ts_action,
    ts_errors,
    ts_receipts,
    view,
)

RUNTIME = Path("typescript") / "runtime"  # under templates/
SAMPLES_DIR = "samples/typescript"
ROOT = "typescript"
_SOURCES = (
    ("typescript/meta.ts.jinja", "meta.ts"),
    ("typescript/errors.ts.jinja", "errors.ts"),
    ("typescript/client.ts.jinja", "client.ts"),
    ("typescript/index.ts.jinja", "index.ts"),
)


def runtime_files(templates: Path) -> dict[str, Path]:
    """``{generated path: source}`` of every runtime module the package copies verbatim."""
    runtime = templates / RUNTIME
    return {
        f"{ROOT}/src/runtime/{p.relative_to(runtime).as_posix()}": p for p in sorted(runtime.rglob("*.ts"))
    }


def runtime_text(renderer: Renderer, source: Path) -> str:
    return renderer.header("//") + "\n" + source.read_text(encoding="utf-8")


@dataclass(frozen=True)
class _Sample:
    """What templates/typescript/samples/sample.ts.jinja reads."""

    action: ir.Action
    summary: str
    method: str
    distribution: str
    python_package: str
    root_error: str
    env_endpoint: str
    arguments: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class _GuideFacts:
    distribution: str
    env_endpoint: str
    root_error: str
    error_class: str | None
    error_code: str | None


def sample_path(action: ir.Action) -> str:
    return f"{SAMPLES_DIR}/{naming.module(action.name)}.ts"


def _guide_action(api: ir.Api) -> ir.Action:
    if api.product.guide is not None:
        return next(a for a in api.actions if a.name == api.product.guide)
    return api.actions[0]


def package_json(api: ir.Api) -> str:
    """package.json: name and version from product.yaml, ESM with types, Node 18+, no dependencies."""
    package = package_of(api)
    publisher = api.product.publisher
    title = api.product.title.short
    data: dict[str, object] = {
        "$comment": HEADER_TEXT,
        "name": package.distribution,
        "version": api.product.sdk_version,
        "description": f"{title} ({api.product.code} {api.product.api_version}) SDK for Node.js",
        "type": "module",
        "main": "./dist/index.js",
        "types": "./dist/index.d.ts",
        "exports": {".": {"types": "./dist/index.d.ts", "import": "./dist/index.js"}},
        "files": ["dist", "src", "README.md"],
        "engines": {"node": ">=18"},
        "sideEffects": False,
    }
    if publisher.license:
        data["license"] = publisher.license
    if publisher.authors:
        name, email = publisher.authors[0]
        data["author"] = f"{name} <{email}>" if email else name
    if publisher.urls:
        data["homepage"] = publisher.urls[0][1]
    data["scripts"] = {"build": "tsc -p .", "prepack": "tsc -p ."}
    data["dependencies"] = {}
    data["devDependencies"] = {"@types/node": "^18.19.0", "typescript": "^5.9.0"}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def user_agent(api: ir.Api) -> str:
    """The User-Agent the package sends (runtime/base.ts), with placeholders where it varies."""
    return f"{package_of(api).distribution}/{api.product.sdk_version} (<os>; <arch>) Node.js/<version>"


class TypeScriptTarget:
    name = "typescript"
    language = "TypeScript"
    owns = (ROOT, SAMPLES_DIR)

    def applies(self, api: ir.Api) -> bool:
        return api.product.package("typescript") is not None

    def check(self, api: ir.Api) -> list[Diagnostic]:
        return check_names(api)

    def units(self, api: ir.Api, ctx: Context) -> list[Unit]:
        if not self.applies(api):
            return []
        runtime = Unit("runtime of the typescript package", partial(self.runtime, ctx))
        shared = Unit(f"typescript\0{api_key(api)}", partial(self.shared, api, ctx))
        actions = [
            Unit(f"typescript\0{action_key(api, a)}", partial(self.action, api, a, ctx)) for a in api.actions
        ]
        return [runtime, shared, *actions]

    def runtime(self, ctx: Context) -> dict[str, str]:
        return {
            path: runtime_text(ctx.renderer, source) for path, source in runtime_files(ctx.templates).items()
        }

    def shared(self, api: ir.Api, ctx: Context) -> dict[str, str]:
        v = view(api)
        renderer = ctx.renderer
        files = {f"{ROOT}/src/{target}": renderer.render(t, v=v, api=api) for t, target in _SOURCES}
        files[f"{ROOT}/package.json"] = package_json(api)
        files |= self.receipts(api, ctx)
        files[f"{ROOT}/tsconfig.json"] = renderer.render(
            "typescript/tsconfig.json.jinja", header_text=HEADER_TEXT
        )
        first = self.samples(api, _guide_action(api), ctx)[0]
        files[f"{ROOT}/README.md"] = renderer.render(
            "typescript/README.md.jinja", v=v, api=api, first_call=first
        )
        return files

    def receipts(self, api: ir.Api, ctx: Context) -> dict[str, str]:
        """src/receipts.ts: the receipt types of the specs, their consumer and push receiver; and the
        receipts page's programs (no receipts: no file)."""
        r = ts_receipts(api)
        if r is None:
            return {}
        samples = _receipts.render_samples(api, _guide_action(api), ctx.renderer)
        return {f"{ROOT}/src/receipts.ts": ctx.renderer.render("typescript/receipts.ts.jinja", r=r)} | samples

    def action(self, api: ir.Api, action: ir.Action, ctx: Context) -> dict[str, str]:
        renderer = ctx.renderer
        a = ts_action(action, {e.code: e for e in ts_errors(api)})
        python = api.product.package("python")
        s = _Sample(
            action=action,
            summary=" ".join(action.summary.short.split()).replace("*/", "*\\/"),
            method=a.method,
            distribution=package_of(api).distribution,
            python_package=python.package if python is not None else package_of(api).package,
            root_error=naming.root_error(api.product.code),
            env_endpoint=naming.env_endpoint(api.product.code),
            arguments=sample_arguments(action),
        )
        return {
            f"{ROOT}/src/actions/{a.module}.ts": renderer.render("typescript/action.ts.jinja", a=a),
            sample_path(action): renderer.render("typescript/samples/sample.ts.jinja", s=s),
        }

    def samples(self, api: ir.Api, action: ir.Action, ctx: Context) -> tuple[SampleFile, ...]:
        return (SampleFile(sample_path(action), "TypeScript", "typescript"),)

    def method_of(self, api: ir.Api, action: ir.Action) -> str:
        return f"`Client.{naming.method(action.name)}`"

    def member_of(self, field: ir.Field) -> str:
        return naming.member(field.wire_name)

    def iterators_of(self, api: ir.Api, action: ir.Action) -> str | None:
        if action.pagination is None:
            return None
        pages, items = naming.pages_method(action.name), naming.items_method(action.name)
        return (
            f"`Client.{pages}(…)` yields every page's response and `Client.{items}(…)` every item, "
            f"with the request of `{naming.method(action.name)}` but "
            f"`{naming.member(action.pagination.parameter)}`, which they set; both are async "
            "iterators (`for await`)"
        )

    def user_agent(self, api: ir.Api) -> str:
        return user_agent(api)

    def guide(self, api: ir.Api, ctx: Context) -> Guide:
        action = _guide_action(api)
        first = self.samples(api, action, ctx)[0]
        root = naming.root_error(api.product.code)
        error = next((e for e in api.errors if e.exception is not None and e.code in action.errors), None)
        facts = _GuideFacts(
            distribution=package_of(api).distribution,
            env_endpoint=naming.env_endpoint(api.product.code),
            root_error=root,
            error_class=error.exception if error is not None else None,
            error_code=error.code if error is not None else None,
        )
        section = ctx.renderer.render(
            "typescript/guide.md.jinja",
            g=facts,
            api=api,
            action=action,
            first_call=first,
            first_name=first.path.rsplit("/", 1)[-1],
            first_link=f"../{first.path}",
            samples_link=f"../{SAMPLES_DIR}/",
        )
        receipts = _receipts.section(api, action, ctx.renderer)
        return Guide(self.language, root, section, receipts)


TARGET = TypeScriptTarget()

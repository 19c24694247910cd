"""The Python target: the IR → the publishable package under python/ and its samples.

Per action (one unit each, see ``generator.targets.Unit``):
- ``_methods/<method>.py``: its ``Client`` and ``AsyncClient`` method, loaded on first use, and
  for a paginated action its iterators ``<method>_pages`` and ``<method>_items``, each name also
  a module that re-exports them (a client finds a method by its module's name);
- ``testing/_data/actions/<Action>.json``: what the emulator knows of it (``emulator``);
- samples/python/: a sync and an async program (``samples``), which the docs target embeds.

Per batch of actions (``models.bucket``: a stable hash of the name): ``models/<module>.py``, each
action's models, by datamodel-code-generator in one call per batch (``models``).

Shared by all actions (one unit; the runtime modules, copied as they are under the generated
header, are another): the client classes, errors, package root, ``models``/``_methods`` indexes,
``_methods/_all.py`` (every method, for type checkers), the emulator's service table, the
pyproject, README, changelog and the guide's programs. Templates under templates/python/ are fed
with the target's view of the IR (``view``), in which every name, annotation and docstring line
is already decided (``naming``).

Pure: IR in, ``{path relative to generated/: text}`` out, unformatted (the engine formats).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

from generator.frontend import ir
from generator.frontend.diagnostics import Diagnostic
from generator.output.render import Renderer
from generator.targets import Context, Guide, SampleFile, Unit, action_key, api_key
from generator.targets.python import naming, samples
from generator.targets.python.check import check_names
from generator.targets.python.emulator import action_file, service_file
from generator.targets.python.models import bucket, models_modules
from generator.targets.python.view import py_action, py_errors, receipt_field, view

RUNTIME = Path("python") / "runtime"  # under templates/
_TEMPLATES = (
    ("python/_meta.py.jinja", "_meta.py"),
    ("python/_errors.py.jinja", "_errors.py"),
    ("python/_client.py.jinja", "_client.py"),
    ("python/__init__.py.jinja", "__init__.py"),
    ("python/models__init__.py.jinja", "models/__init__.py"),
    ("python/methods__init__.py.jinja", "_methods/__init__.py"),
    ("python/methods_all.py.jinja", "_methods/_all.py"),
)


def runtime_files(templates: Path, package: str) -> dict[str, Path]:
    """``{generated path: source}`` of every runtime module the package copies verbatim."""
    runtime = templates / RUNTIME
    return {
        f"python/src/{package}/{path.relative_to(runtime).as_posix()}": path
        for path in sorted(runtime.rglob("*.py"))
        if "__pycache__" not in path.parts
    }


def runtime_text(renderer: Renderer, source: Path) -> str:
    """A runtime module as the package holds it: the generated header, then the file as written."""
    return renderer.header("#") + "\n" + source.read_text(encoding="utf-8")


@dataclass(frozen=True)
class _GuideFacts:
    """What templates/python/guide.md.jinja reads to write the Python section of the guide."""

    package: str
    install: str
    requires: str
    env_endpoint: str
    root_error: str
    error: ir.ErrorCode | None
    first_call: SampleFile
    programs: tuple[tuple[str, SampleFile], ...]

    @property
    def error_class(self) -> str | None:
        return self.error.exception if self.error is not None else None

    def program(self, name: str) -> SampleFile:
        return next(p for n, p in self.programs if n == name)


def _package(api: ir.Api) -> str:
    found = api.product.package("python")
    assert found is not None, "check() reports a product without sdk.targets.python"
    return found.package


def user_agent(api: ir.Api) -> str:
    """The User-Agent the package sends (``_rpc``), with placeholders where it varies."""
    found = api.product.package("python")
    assert found is not None, "check() reports a product without sdk.targets.python"
    return f"{found.distribution}/{api.product.sdk_version} (<os>; <arch>) Python/<version>"


class PythonTarget:
    name = "python"
    language = "Python"
    owns = ("python", "samples/python")

    def applies(self, api: ir.Api) -> bool:
        return api.product.package("python") is not None

    def check(self, api: ir.Api) -> list[Diagnostic]:
        return check_names(api)

    def units(self, api: ir.Api, ctx: Context) -> list[Unit]:
        package = _package(api)
        runtime = Unit(f"runtime of {package}", partial(self.runtime, package, ctx))
        shared = Unit(api_key(api), partial(self.shared, api, ctx))
        actions = [Unit(action_key(api, a), partial(self.action, api, a, ctx)) for a in api.actions]
        buckets: dict[int, list[ir.Action]] = {}
        for a in api.actions:
            buckets.setdefault(bucket(a), []).append(a)
        models = [
            Unit(
                "\0".join(["models", *(action_key(api, a) for a in group)]),
                partial(self.models, api, tuple(group), ctx),
            )
            for _, group in sorted(buckets.items())
        ]
        return [runtime, shared, *models, *actions]

    def models(self, api: ir.Api, actions: tuple[ir.Action, ...], ctx: Context) -> dict[str, str]:
        package = _package(api)
        sources = models_modules(actions, package, ctx.renderer.header("#"))
        return {f"python/src/{package}/models/{naming.module(a.name)}.py": sources[a.name] for a in actions}

    def runtime(self, package: str, ctx: Context) -> dict[str, str]:
        return {
            path: runtime_text(ctx.renderer, source)
            for path, source in runtime_files(ctx.templates, package).items()
        }

    def shared(self, api: ir.Api, ctx: Context) -> dict[str, str]:
        v = view(api)
        renderer = ctx.renderer
        src = f"python/src/{v.package}"
        guide = samples.guide_context(api)
        files: dict[str, str] = {}
        for template, target in _TEMPLATES:
            files[f"{src}/{target}"] = renderer.render(template, v=v, api=api, guide=guide)
        for template, target in (
            ("python/pyproject.toml.jinja", "pyproject.toml"),
            ("python/README.md.jinja", "README.md"),
        ):
            files[f"python/{target}"] = renderer.render(template, v=v, api=api, guide=guide)
        files[f"{src}/py.typed"] = ""
        path, text = service_file(api)
        files[f"{src}/{path}"] = text
        receipts = api.product.receipts
        if receipts is not None:
            types = tuple((t, tuple(receipt_field(f) for f in t.fields)) for t in receipts.types)
            files[f"{src}/receipts.py"] = renderer.render(
                "python/receipts.py.jinja", api=api, receipts=receipts, types=types
            )
        if api.changelog is not None:
            files["python/CHANGELOG.md"] = renderer.header("<!--") + "\n\n" + api.changelog
        return files | samples.render_guide(api, renderer) | samples.render_receipts(api, renderer)

    def action(self, api: ir.Api, action: ir.Action, ctx: Context) -> dict[str, str]:
        renderer = ctx.renderer
        package = _package(api)
        a = py_action(action, {e.code: e for e in py_errors(api)})
        src = f"python/src/{package}"
        path, text = action_file(action)
        files = {
            f"{src}/_methods/{a.method}.py": renderer.render(
                "python/action_methods.py.jinja", a=a, root_error=naming.root_error(api.product.code)
            ),
            f"{src}/{path}": text,
        }
        if a.paging is not None:  # each iterator's name is a module too: a client looks methods up by it
            for name in (a.paging.pages_method, a.paging.items_method):
                files[f"{src}/_methods/{name}.py"] = renderer.render(
                    "python/action_iterator.py.jinja", a=a, name=name
                )
        for is_async in (False, True):
            s = samples.sample(api, action, is_async)
            files[s.path] = samples.render_sample(s, renderer)
        return files

    def samples(self, api: ir.Api, action: ir.Action, ctx: Context) -> tuple[SampleFile, ...]:
        out = []
        for is_async, title in ((False, "Python"), (True, "Python (asyncio)")):
            path = f"{samples.SAMPLES_DIR}/{samples.file_name(action, is_async)}"
            out.append(SampleFile(path, title, "python"))
        return tuple(out)

    def method_of(self, api: ir.Api, action: ir.Action) -> str:
        method = naming.method(action.name)
        return f"`Client.{method}`, `AsyncClient.{method}`"

    def member_of(self, field: ir.Field) -> str:
        return naming.attribute(field.wire_name)

    def iterators_of(self, api: ir.Api, action: ir.Action) -> str | None:
        if action.pagination is None:
            return None
        pages, items = naming.pages_method(action.name), naming.items_method(action.name)
        return (
            f"`Client.{pages}(…)` yields every page's response and `Client.{items}(…)` every item, "
            f"with the arguments of `{naming.method(action.name)}` but "
            f"`{naming.attribute(action.pagination.parameter)}`, which they set; "
            "`AsyncClient`'s are async iterators (`async for`)"
        )

    def guide(self, api: ir.Api, ctx: Context) -> Guide:
        v = view(api)
        context = samples.guide_context(api)
        first = self.samples(api, context.action, ctx)[0]
        programs = tuple((name, SampleFile(path, name, "python")) for name, path in samples.guide_paths())
        facts = _GuideFacts(
            package=v.package,
            install=f"pip install {v.distribution}",
            requires=f"Python `{v.requires_python}`",
            env_endpoint=v.env_endpoint,
            root_error=v.root_error,
            error=context.error,
            first_call=first,
            programs=programs,
        )
        section = ctx.renderer.render(
            "python/guide.md.jinja",
            g=facts,
            api=api,
            action=context.action,
            first_name=first.path.rsplit("/", 1)[-1],
            first_link=f"../{first.path}",
            samples_link=f"../{samples.SAMPLES_DIR}/",
        )
        return Guide(self.language, v.root_error, section, self._receipts_section(api, ctx))

    def _receipts_section(self, api: ir.Api, ctx: Context) -> str | None:
        """This language's part of the receipts page: the package's models, consumer and receiver."""
        receipts = api.product.receipts
        if receipts is None or samples.receipt_demo(api) is None:
            return None
        assert receipts.emulation is not None
        pull, push = (SampleFile(path, name, "python") for name, path in samples.receipt_paths())
        reads = [
            a.name
            for a in api.actions
            if a.emulator.reads is not None and a.emulator.reads.record == receipts.emulation.record
        ]
        return ctx.renderer.render(
            "python/receipts.md.jinja",
            package=_package(api),
            r=receipts,
            pull=pull,
            push=push,
            outcomes=[o.name for o in receipts.emulation.outcomes],
            default_outcome=receipts.emulation.default_outcome,
            reads=", ".join(f"[{n}](actions/{n}.md)" for n in reads),
        )

    def user_agent(self, api: ir.Api) -> str:
        return user_agent(api)


TARGET = PythonTarget()

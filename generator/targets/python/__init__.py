"""The Python target: the IR → the publishable package under python/ and its samples.

- models: one module per action, by datamodel-code-generator (``models``);
- the rest from templates/python/*.jinja, fed with the target's view of the IR (``view``), in
  which every name, annotation and docstring line is already decided (``naming``);
- runtime modules (templates/python/runtime/) copied as they are, under the generated header;
- samples/python/: a sync and an async program per action and the guide's programs (``samples``),
  which the docs target embeds;
- the emulator's description of the service (``emulator``).

Pure: IR in, ``{path relative to generated/: text}`` out, formatted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.frontend import ir
from generator.frontend.diagnostics import Diagnostic
from generator.output.format import format_tree
from generator.output.render import Renderer
from generator.targets import Context, Guide, SampleFile
from generator.targets.python import naming, samples
from generator.targets.python.check import check_names
from generator.targets.python.emulator import service_description
from generator.targets.python.models import models_module
from generator.targets.python.view import view

RUNTIME = Path("python") / "runtime"  # under templates/
_TEMPLATES = (
    ("python/_meta.py.jinja", "_meta.py"),
    ("python/_errors.py.jinja", "_errors.py"),
    ("python/_client.py.jinja", "_client.py"),
    ("python/__init__.py.jinja", "__init__.py"),
    ("python/models__init__.py.jinja", "models/__init__.py"),
    ("python/testing_service.py.jinja", "testing/_service.py"),
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


def user_agent(api: ir.Api) -> str:
    """The User-Agent the package sends (``_base_client``), with placeholders where it varies."""
    return f"{view(api).distribution}/{api.product.sdk_version} (<os>; <arch>) Python/<version>"


class PythonTarget:
    name = "python"
    language = "Python"
    owns = ("python", "samples/python")

    def applies(self, api: ir.Api) -> bool:
        return api.product.package("python") is not None

    def check(self, api: ir.Api) -> list[Diagnostic]:
        return check_names(api)

    def render(self, api: ir.Api, ctx: Context) -> dict[str, str]:
        v = view(api)
        renderer = ctx.renderer
        src = f"python/src/{v.package}"
        files: dict[str, str] = {}
        for a in v.actions:
            files[f"{src}/models/{a.module}.py"] = models_module(a.action, v.package, renderer.header("#"))
        for path, source in runtime_files(ctx.templates, v.package).items():
            files[path] = runtime_text(renderer, source)
        service = service_description(api)
        guide = samples.guide_context(api)
        for template, target in _TEMPLATES:
            files[f"{src}/{target}"] = renderer.render(template, v=v, api=api, service=service, guide=guide)
        for template, target in (
            ("python/pyproject.toml.jinja", "pyproject.toml"),
            ("python/README.md.jinja", "README.md"),
        ):
            files[f"python/{target}"] = renderer.render(template, v=v, api=api, guide=guide)
        files[f"{src}/py.typed"] = ""
        if api.changelog is not None:
            files["python/CHANGELOG.md"] = renderer.header("<!--") + "\n\n" + api.changelog
        files = format_tree(files)
        files |= samples.render_samples(api, renderer) | samples.render_guide(api, renderer)
        return files

    def samples(self, api: ir.Api, action: ir.Action, ctx: Context) -> tuple[SampleFile, ...]:
        out = []
        for is_async, title in ((False, "Python"), (True, "Python (asyncio)")):
            s = samples.sample(api, action, is_async)
            source = samples.render_sample(s, ctx.renderer)
            out.append(SampleFile(s.path, title, "python", source))
        return tuple(out)

    def method_of(self, api: ir.Api, action: ir.Action) -> str:
        method = naming.method(action.name)
        return f"`Client.{method}`, `AsyncClient.{method}`"

    def member_of(self, field: ir.Field) -> str:
        return naming.attribute(field.wire_name)

    def guide(self, api: ir.Api, ctx: Context) -> Guide:
        v = view(api)
        context = samples.guide_context(api)
        first = self.samples(api, context.action, ctx)[0]
        programs = tuple(
            (name, SampleFile(path, name, "python", source))
            for (name, path), source in zip(
                samples.guide_paths(), samples.render_guide(api, ctx.renderer).values(), strict=True
            )
        )
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
        return Guide(self.language, v.root_error, user_agent(api), section)


TARGET = PythonTarget()

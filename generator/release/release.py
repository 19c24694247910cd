"""``sdkgen release``: classify the changes since the last release, bump, record, regenerate, build.

The record of releases lives inside the specs, so it is committed with them and reviewed in the
same pull request::

    specs/.release/baseline/    the spec files as last released: product.yaml (with its version),
                                errors.yaml, actions/*.yaml, byte for byte
    specs/.release/CHANGELOG.md the release notes, newest first; the pipeline reads it into the IR
                                and the Python target emits it as generated/python/CHANGELOG.md

The loader reads only ``product.yaml``, ``errors.yaml`` and ``actions/*.yaml`` directly under the
specs directory (plus the changelog), so the baseline never counts as part of the current API.
A baseline of spec files (not a serialized IR) stays readable whatever the IR becomes: both sides
are always loaded by the same, current loader, which is what makes the diff honest.

Three steps, so that a refusal or a failure leaves nothing half-written:
``plan_release`` computes every new byte in memory; ``stage_release`` proves it in a temporary
folder (load, render, build the wheel and sdist, check their metadata); only then ``commit_release``
writes specs/ and the archives, and the CLI regenerates generated/ as ``sdkgen generate`` does.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from generator.frontend import ir
from generator.frontend.layers import IMPORTED
from generator.frontend.load import CHANGELOG
from generator.frontend.pipeline import load_api
from generator.output.generate import generate_plan
from generator.output.writer import Plan, apply, plan
from generator.release.changes import Kind, Report
from generator.release.diff import diff_report
from generator.release.diff_format import changelog_lines
from generator.release.package import BuildResult, build_package
from generator.release.semver import Bump, Version

BASELINE = ".release/baseline"
TITLE = (
    "# Changelog\n\nRelease notes of the SDK, newest first. `sdkgen release` writes each entry from the "
    "classified spec changes; edit the wording freely before committing.\n"
)


class ReleaseRefused(Exception):
    """The release cannot go ahead as asked (exit 1); nothing was written."""


def spec_sources(specs: Path) -> dict[str, str]:
    """The files the loader reads, by path relative to ``specs``: what a baseline records."""
    paths = []
    for layer in (specs, specs / IMPORTED):  # the curated files, and the imported layer under them
        paths += [layer / "product.yaml", layer / "errors.yaml"]
        paths += sorted([*(layer / "actions").glob("*.yaml"), *(layer / "actions").glob("*.yml")])
    return {p.relative_to(specs).as_posix(): p.read_bytes().decode("utf-8") for p in paths if p.is_file()}


@dataclass(frozen=True)
class ReleasePlan:
    previous: str | None  # the last released version; None for the first release
    version: str
    bump: Bump
    report: Report | None
    entry: str  # the changelog entry
    spec_files: dict[str, str]  # specs-relative path → new text
    stale: tuple[str, ...]  # baseline files that the new baseline no longer has


def plan_release(specs: Path, choice: Bump | None, *, display_root: Path | None = None) -> ReleasePlan:
    """Everything the release will write, decided in memory. ``choice`` None means automatic."""
    api = load_api(specs, display_root=display_root)
    baseline = specs / BASELINE
    report = None
    if (baseline / "product.yaml").is_file():
        old = load_api(baseline, display_root=display_root)
        report = diff_report(old, api, f"{specs.name}/{BASELINE}", specs.name)
        previous: str | None = old.product.sdk_version
        level = _level(choice, report)
    else:
        previous, level = None, choice or Bump.none
    version = str(Version.parse(previous or api.product.sdk_version).bump(level))
    if api.product.sdk_version not in {previous, version} and previous is not None:
        raise ReleaseRefused(
            f"specs/product.yaml says sdk.version {api.product.sdk_version}, but the last release is "
            f"{previous} and this one would be {version}: set it back to {previous}, or pass --bump"
        )
    sources = spec_sources(specs)
    sources["product.yaml"] = set_version(sources["product.yaml"], version)
    entry = changelog_entry(version, level, previous, report, api)
    changelog = add_entry(api.changelog, entry, version)
    files = {"product.yaml": sources["product.yaml"], CHANGELOG: changelog}
    files.update({f"{BASELINE}/{path}": text for path, text in sources.items()})
    recorded = set(spec_sources(baseline)) if baseline.is_dir() else set()
    stale = tuple(sorted(f"{BASELINE}/{p}" for p in recorded - sources.keys()))
    return ReleasePlan(previous, version, level, report, entry, files, stale)


def unreleased_changes(specs: Path, api: ir.Api) -> str | None:
    """What changed since the last recorded release, in words ("2 features"); None when nothing did.

    None too when no release is recorded yet: there is nothing to be behind.
    """
    baseline = specs / BASELINE
    if not (baseline / "product.yaml").is_file():
        return None
    report = diff_report(load_api(baseline), api, f"{specs.name}/{BASELINE}", specs.name)
    if not report.changes:
        return None
    return ", ".join(_count(n, kind) for kind, n in report.counts().items() if n)


def _level(choice: Bump | None, report: Report) -> Bump:
    required = report.bump
    if choice is None:
        if required is Bump.none:
            raise ReleaseRefused(
                f"nothing to release: the API has not changed since {report.old.version} "
                "(pass --bump patch to release generator or template changes)"
            )
        return required
    if choice.rank < required.rank:
        raise ReleaseRefused(
            f"--bump {choice.value} is not enough: the changes since {report.old.version} need a "
            f"{required.value} release ({report.counts()[Kind.breaking]} breaking, "
            f"{report.counts()[Kind.feature]} feature)"
        )
    return choice


def set_version(product_yaml: str, version: str) -> str:
    """product.yaml with ``sdk.version`` replaced in place: comments, quoting and layout kept."""
    bom = "\ufeff" if product_yaml.startswith("\ufeff") else ""
    text = product_yaml.removeprefix(bom)
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    for key in ("sdk", "version"):
        assert isinstance(node, yaml.MappingNode), "product.yaml was validated before"
        node = next(value for k, value in node.value if k.value == key)
    assert isinstance(node, yaml.ScalarNode), "sdk.version is a string"
    quote = node.style if node.style in ("'", '"') else ""
    start, end = node.start_mark.index, node.end_mark.index
    return bom + text[:start] + f"{quote}{version}{quote}" + text[end:]


def changelog_entry(
    version: str, level: Bump, previous: str | None, report: Report | None, api: ir.Api
) -> str:
    lines = [f"## {version}", ""]
    if previous is None or report is None:
        lines += [f"First recorded release: {len(api.actions)} actions, {len(api.errors)} error codes.", ""]
    elif not report.changes:
        lines += [f"{level.value.capitalize()} release: no change to the API since {previous} "
                  "(generator or template changes).", ""]  # fmt: skip
    else:
        summary = ", ".join(_count(n, kind) for kind, n in report.counts().items() if n)
        lines += [f"{level.value.capitalize()} release: {summary} since {previous}.", ""]
        lines += changelog_lines(report)
    return "\n".join(lines).rstrip("\n") + "\n"


def _count(n: int, kind: Kind) -> str:
    singular, plural = {
        Kind.breaking: ("breaking change", "breaking changes"),
        Kind.feature: ("feature", "features"),
        Kind.patch: ("fix or documentation change", "fixes or documentation changes"),
    }[kind]
    return f"{n} {singular if n == 1 else plural}"


def add_entry(changelog: str | None, entry: str, version: str) -> str:
    """The changelog with ``entry`` on top of the older entries (below the title)."""
    text = changelog if changelog is not None else TITLE
    lines = text.splitlines(keepends=True)
    if any(line.rstrip() == f"## {version}" for line in lines):
        raise ReleaseRefused(f"{CHANGELOG} already has an entry for {version}")
    at = next((i for i, line in enumerate(lines) if line.startswith("## ")), len(lines))
    head = "".join(lines[:at]).rstrip("\n") + "\n\n"
    rest = "".join(lines[at:])
    return head + entry + ("\n" + rest if rest else "")


def stage_release(release: ReleasePlan, specs: Path, templates: Path, work: Path) -> BuildResult:
    """The release rehearsed in ``work``: the specs as they will be, rendered, built, metadata checked."""
    files = {
        p: text
        for p, text in {**spec_sources(specs), **release.spec_files}.items()
        if not p.startswith(BASELINE)
    }
    apply(plan(work / "specs", files, tuple(sorted({p.split("/", 1)[0] for p in files}))))
    api = load_api(work / "specs")
    apply(generate_plan(work / "specs", templates, work / "generated", targets=("python",)))
    result = build_package(api, work / "generated" / "python", work / "dist")
    if result.problems:
        raise ReleaseRefused("the built package has problems:\n" + "\n".join(result.problems))
    return result


def commit_release(release: ReleasePlan, built: BuildResult, specs: Path, dist: Path) -> list[Path]:
    """Write specs/ (version, changelog, baseline) and move the archives to ``dist``; return them.

    generated/ is the caller's to refresh, with exactly what ``sdkgen generate`` runs."""
    changed = tuple(sorted(p for p, text in release.spec_files.items() if _read(specs / p) != text))
    added = tuple(p for p in changed if not (specs / p).exists())
    apply(Plan(specs, release.spec_files, added, tuple(p for p in changed if p not in added), release.stale))
    dist.mkdir(parents=True, exist_ok=True)
    for old in dist.glob(built.wheel.name.split("-")[0] + "-*"):
        old.unlink()
    return [Path(shutil.move(archive, dist / archive.name)) for archive in (built.wheel, built.sdist)]


def _read(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return None

"""A diff ``Report`` as text: plain (the terminal), Markdown (a pull-request comment) or JSON.

Pure functions from a report to a string; the CLI prints them. All three list the changes in the
report's order (breaking, feature, patch; then by path), so the output is deterministic.

The JSON document is a stable interface (``"schema": "sdkgen-diff/1"``); fields are only ever added::

    {"schema": "sdkgen-diff/1",
     "old": {"label": "origin/main:specs", "version": "1.0.0"}, "new": {...},
     "bump": "major", "suggested_version": "2.0.0", "version_ok": false,
     "counts": {"breaking": 1, "feature": 0, "patch": 0},
     "changes": [{"kind": "breaking", "code": "action-removed", "path": "ClickToDial",
                  "action": "ClickToDial", "message": "action ClickToDial was removed",
                  "old": "ClickToDial", "new": null, "note": null}]}
"""

from __future__ import annotations

import json

from generator.release.changes import Change, Kind, Report
from generator.release.semver import Bump

JSON_SCHEMA = "sdkgen-diff/1"


def _counts(report: Report) -> str:
    counts = report.counts()
    return ", ".join(f"{counts[kind]} {kind.value}" for kind in Kind)


def verdict(report: Report) -> str | None:
    """The complaint about NEW's sdk.version, if it does not honour a breaking change."""
    if report.version_ok:
        return None
    return (
        f"a breaking change needs a major version bump: sdk.version is {report.new.version}, "
        f"expected {report.suggested_version} or higher"
    )


def text(report: Report) -> str:
    old, new = report.old, report.new
    lines = [f"{old.label} ({old.version}) → {new.label} ({new.version}): {_counts(report)}"]
    for change in report.changes:
        lines.append(f"{change.kind.value}[{change.code.value}] {change.path}: {change.message}")
        if change.note:
            lines.append(f"    note: {change.note}")
    lines.append(_bump_line(report))
    return "\n".join(lines) + "\n"


def _bump_line(report: Report) -> str:
    if report.bump is Bump.none:
        return "suggested bump: none (no change)"
    return f"suggested bump: {report.bump.value} ({report.old.version} → {report.suggested_version})"


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def markdown(report: Report) -> str:
    counts = report.counts()
    lines = [
        f"### sdkgen diff: suggested bump **{report.bump.value}**",
        "",
        f"`{report.old.label}` ({report.old.version}) → `{report.new.label}` ({report.new.version}): "
        f"{_counts(report)}.",
    ]
    complaint = verdict(report)
    if complaint is not None:
        lines += ["", f"> **Error:** {complaint}."]
    if not report.changes:
        lines += ["", "No change to the API."]
    for kind in Kind:
        rows = [c for c in report.changes if c.kind is kind]
        if not rows:
            continue
        lines += ["", f"#### {kind.value.capitalize()} ({counts[kind]})", "", "| Change | Where | Code |",
                  "| --- | --- | --- |"]  # fmt: skip
        lines += [_row(c) for c in rows]
    return "\n".join(lines) + "\n"


def _row(change: Change) -> str:
    message = change.message + (f" ({change.note})" if change.note else "")
    return f"| {_cell(message)} | `{_cell(change.path)}` | `{change.code.value}` |"


def json_document(report: Report) -> str:
    document = {
        "schema": JSON_SCHEMA,
        "old": {"label": report.old.label, "version": report.old.version},
        "new": {"label": report.new.label, "version": report.new.version},
        "bump": report.bump.value,
        "suggested_version": report.suggested_version,
        "version_ok": report.version_ok,
        "counts": {kind.value: n for kind, n in report.counts().items()},
        "changes": [
            {
                "kind": c.kind.value,
                "code": c.code.value,
                "path": c.path,
                "action": c.action,
                "message": c.message,
                "old": c.old,
                "new": c.new,
                "note": c.note,
            }
            for c in report.changes
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def changelog_lines(report: Report) -> list[str]:
    """The changes as Markdown bullets for a changelog entry, grouped by kind."""
    lines: list[str] = []
    for kind in Kind:
        rows = [c for c in report.changes if c.kind is kind]
        if rows:
            lines += [f"### {_HEADINGS[kind]}", ""]
            lines += [f"- {c.message}" + (f" ({c.note})" if c.note else "") for c in rows]
            lines.append("")
    return lines


_HEADINGS = {
    Kind.breaking: "Breaking changes",
    Kind.feature: "Features",
    Kind.patch: "Fixes and documentation",
}

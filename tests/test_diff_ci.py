"""The CI integration users copy: .pre-commit-hooks.yaml and templates/ci/github-workflow.yml.

Neither can run here (no pre-commit, no GitHub), so these tests hold them to what they promise:
every sdkgen command they run exists with those flags, and the workflow runs each step the
project's CI needs.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / "templates/ci/github-workflow.yml"


def sdkgen_commands(script: str) -> list[list[str]]:
    """The argument lists of every ``sdkgen`` call in a shell script, variables filled in."""
    calls = []
    for line in script.replace("$BASE", "main").splitlines():
        words = shlex.split(line, comments=True)
        for i, word in enumerate(words):
            if word.endswith("sdkgen") and not word.startswith("-"):
                calls.append(
                    words[i + 1 : next((j for j in range(i + 1, len(words)) if words[j] == ">"), len(words))]
                )
    return calls


def assert_runs(args: list[str]) -> None:
    try:
        build_parser().parse_args(args)
    except SystemExit as exc:  # argparse: an unknown command or flag
        pytest.fail(f"sdkgen {' '.join(args)} is not a valid command line ({exc})")


def test_pre_commit_hooks() -> None:
    hooks = {
        h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    }
    assert set(hooks) == {"sdkgen-validate", "sdkgen-check"}
    for hook in hooks.values():
        assert hook["language"] == "python" and hook["pass_filenames"] is False
        assert hook["entry"].split()[0] == "sdkgen"
        assert_runs(hook["entry"].split()[1:])
        assert re.search(hook["files"], "specs/actions/ClickToDial.yaml")
    assert re.search(hooks["sdkgen-check"]["files"], "templates/python/_client.py.jinja")
    assert not re.search(hooks["sdkgen-validate"]["files"], "tests/test_diff.py")


def workflow() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return data


def test_workflow_runs_every_step() -> None:
    jobs = workflow()["jobs"]
    scripts = [step.get("run", "") for step in jobs["verify"]["steps"]]
    calls = [c for script in scripts for c in sdkgen_commands(script)]
    for args in calls:
        assert_runs(args)
    assert ["validate"] in calls and ["check"] in calls and ["diff"] in calls
    assert ["build", "--target", "python", "--target", "typescript"] in calls
    assert ["diff", "--base", "origin/main", "--format", "markdown"] in calls
    assert any("python -m pytest" in s for s in scripts)
    assert any("gh pr comment" in s and "sdkgen-diff.md" in s for s in scripts)


def test_workflow_publishes_only_tags() -> None:
    data = workflow()
    triggers = data.get("on", data.get(True))  # YAML 1.1 reads the key `on` as true
    assert triggers["push"]["tags"] == ["v*"] and "pull_request" in triggers
    publish = data["jobs"]["publish"]
    assert publish["if"] == "startsWith(github.ref, 'refs/tags/v')" and publish["needs"] == "verify"
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["steps"][-1]["uses"].startswith("pypa/gh-action-pypi-publish@")

"""The reference is also a documentation site: ``mkdocs.yml`` beside ``docs/`` builds with
MkDocs in strict mode, with no warning at all (every link, anchor and nav entry resolves inside
docs/), its navigation lists every page by the index's groups, and the search index is written.

The committed tree generated/ and the golden trees of the fixture spec sets are each built into a
temporary folder, with the pinned mkdocs, mkdocs-material and pymdown-extensions of the [test]
extras.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from mkdocs.config import load_config

Built = Callable[[str], tuple[Path, str]]  # a tree's name → its built site and mkdocs' output
ROOT = Path(__file__).resolve().parent.parent
TREES = {
    "specs": ROOT / "generated",
    **{p.name: p for p in sorted((ROOT / "tests/fixtures/golden").iterdir()) if (p / "mkdocs.yml").is_file()},
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The site of a tree, built once: (its folder, what mkdocs printed)."""
    done: dict[str, tuple[Path, str]] = {}

    def site(name: str) -> tuple[Path, str]:
        if name not in done:
            into = tmp_path_factory.mktemp(name) / "site"
            result = build(TREES[name], into)
            output = result.stdout + result.stderr
            assert result.returncode == 0, output
            done[name] = (into, output)
        return done[name]

    return site


def build(tree: Path, into: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    # mkdocs-material prints an end-of-life notice for itself on every run of the mkdocs command (not
    # a warning about the site); this variable is its documented switch.
    env["NO_MKDOCS_2_WARNING"] = "1"
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(tree / "mkdocs.yml")]
    return subprocess.run(
        [*command, "--site-dir", str(into)], capture_output=True, text=True, env=env, timeout=120, cwd=tree
    )


def nav_pages(nav: list[Any]) -> list[tuple[tuple[str, ...], str]]:
    """(section titles, page) of every page the navigation lists, in order."""
    found: list[tuple[tuple[str, ...], str]] = []

    def walk(items: list[Any], sections: tuple[str, ...]) -> None:
        for item in items:
            ((title, value),) = item.items()
            if isinstance(value, list):
                walk(value, (*sections, title))
            else:
                found.append((sections, value))

    walk(nav, ())
    return found


@pytest.mark.parametrize("name", TREES)
def test_the_site_builds_strictly_with_every_page_in_the_nav_and_a_search_index(
    name: str, built: Built
) -> None:
    tree = TREES[name]
    site, output = built(name)
    assert not re.search(r"warn|error", output, re.I), output
    assert "Documentation built" in output

    config = load_config(str(tree / "mkdocs.yml"))
    assert Path(config["docs_dir"]) == tree / "docs"
    pages = nav_pages(config["nav"])
    docs = sorted(p.relative_to(tree / "docs").as_posix() for p in (tree / "docs").rglob("*.md"))
    assert sorted(page for _, page in pages) == docs, "every page once in the nav, and nothing else"

    # The actions by group, as the index page lists them: its ## headings in order, each group's
    # actions in its table's order.
    index = (tree / "docs/index.md").read_text(encoding="utf-8")
    groups = [
        (heading, re.findall(r"^\| \[\w+\]\((actions/\w+\.md)\)", body, re.M))
        for heading, body in re.findall(r"^## ([^\n]+)\n(.*?)(?=^## |\Z)", index, re.S | re.M)
    ]
    by_group: dict[str, list[str]] = {}
    for sections, page in pages:
        if page.startswith("actions/"):
            assert len(sections) == 1, page
            by_group.setdefault(sections[0], []).append(page)
    assert list(by_group.items()) == groups
    assert sum(len(actions) for _, actions in groups) == len(list((tree / "docs/actions").glob("*.md")))

    search = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))
    located = {d["location"].split("#", 1)[0] for d in search["docs"]}
    for page in docs:
        url = "" if page == "index.md" else page.removesuffix("index.md").removesuffix(".md") + "/"
        assert url in located, f"{page} is not in the search index"
        assert (site / url / "index.html").is_file(), page


@pytest.mark.parametrize("name", TREES)
def test_every_sample_is_a_tab_of_its_action_page(name: str, built: Built) -> None:
    """Each action page shows its samples as one tab set, a tab per sample, in the site."""
    tree = TREES[name]
    site, _ = built(name)
    for page in sorted((tree / "docs/actions").glob("*.md")):
        source = page.read_text(encoding="utf-8")
        titles = re.findall(r"^/// tab \| (.+)$", source, re.M)
        assert titles, page.name
        html = (site / "actions" / page.stem / "index.html").read_text(encoding="utf-8")
        assert html.count('<div class="tabbed-set tabbed-alternate"') == 1, page.name
        labels = re.findall(r'<label for="__tabbed_1_\d+">([^<]*)</label>', html)
        assert labels == [t.replace("&", "&amp;") for t in titles], page.name

"""Markdown helpers every target's documentation uses: literal text and code spans that survive
inside table cells."""

from __future__ import annotations

_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*<>[]|"})


def md(text: str, *, br: str = "<br>") -> str:
    """Free text made literal in Markdown, its line breaks written ``br`` (``<br>`` fits a table cell)."""
    return br.join(line.translate(_MARKDOWN) for line in text.strip().splitlines())


def code(text: str) -> str:
    """A code span that survives inside a table cell."""
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    escaped = text.replace("|", "\\|")
    return f"{fence}{pad}{escaped}{pad}{fence}"

"""Our pages and the embedded map's markup need no 'unsafe-inline' (docs/embed.md).

A shop's Content-Security-Policy without 'unsafe-inline' refuses inline
scripts, inline event handlers and style attributes in the markup the
embedded map draws, and our own pages should be able to run under the same
policy. Data blocks (`<script type="application/json">`) are allowed: they
are never executed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(
    path
    for path in ROOT.glob("*/templates/**/*.html")
    if ".venv" not in path.parts and "admin" not in path.parts
)
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)
SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def inline_scripts(text: str) -> list[str]:
    return [
        attrs
        for attrs in SCRIPT.findall(text)
        if "src=" not in attrs and "application/json" not in attrs
    ]


def test_there_are_templates_to_check():
    names = {path.name for path in TEMPLATES}
    assert {"seat_map.html", "seatmap_layout.html", "ticket.html"} <= names


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_inline_script_handler_or_style(path):
    text = path.read_text()
    assert not HANDLER.search(text), "inline event handler"
    assert not STYLE_ATTRIBUTE.search(text), "style attribute"
    assert inline_scripts(text) == [], "inline script"


def test_the_checks_find_what_they_forbid():
    assert HANDLER.search('<button type="button" onclick="window.print()">')
    assert STYLE_ATTRIBUTE.search('<p class="x" style="color: red">')
    assert inline_scripts("<script>alert(1)</script>") == [""]
    assert inline_scripts('<script type="application/json" id="c">{}</script>') == []

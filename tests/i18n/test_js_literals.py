"""No English text reaches people from the public pages' JavaScript but through the
djangojs catalogue: a string literal that reads like prose must be an argument of
gettext, ngettext or pgettext (common/i18n.js)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.i18n.jsliterals import literals

STATIC = Path(settings.BASE_DIR) / "frontend" / "static" / "frontend"
IN_SCOPE = ["common", "seatmap", "waiting", "embed"]
EXCLUDED = {
    # Staff's box office: it stays in English.
    "seatmap/boxoffice.js",
}
TRANSLATING = {"gettext", "ngettext", "pgettext"}
# Calls whose text is for developers, not people: the console, errors.
FOR_DEVELOPERS = {"warn", "error", "log", "info", "debug", "Error"}
# Literals that read like words but are not texts: HTTP and key names, and the month
# names of the site's fixed date format (common/dates.js: staff type dates in it).
NOT_TEXTS = {
    "Accept",  # an HTTP header
    "Enter",  # a key
    *"Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(),
}
# Lower-case words, one at least hyphenated: a list of CSS classes ("row-label left").
CLASS_NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]*)*")

# Two words of two or more letters with only spaces between: prose. A capitalised word
# of three or more letters, maybe with its full stop or ellipsis: a label or a title.
PROSE = re.compile(r"[A-Za-z]{2,} +[A-Za-z]{2,}")
LABEL = re.compile(r"^[A-Z][a-z]{2,}[.!?…]?$")


def is_class_list(text: str) -> bool:
    words = text.split()
    return all(CLASS_NAME.fullmatch(w) for w in words) and any("-" in w for w in words)


def looks_like_a_text(text: str) -> bool:
    if text in NOT_TEXTS or is_class_list(text):
        return False
    return bool(PROSE.search(text) or LABEL.match(text.strip()))


def untranslated(source: str) -> list[str]:
    """The prose literals of `source` that no gettext call wraps, as "line: text"."""
    found = []
    for literal in literals(source):
        if literal.call in TRANSLATING:
            # xgettext reads plain literals only: a text built with ${...} is lost.
            if literal.has_expressions:
                found.append(f"{literal.line}: `{literal.text}` built inside gettext")
            continue
        if literal.call in FOR_DEVELOPERS:
            continue
        if looks_like_a_text(literal.text):
            found.append(f"{literal.line}: {literal.text!r}")
    return found


def sources() -> list[Path]:
    files = [path for folder in IN_SCOPE for path in (STATIC / folder).glob("*.js")]
    return sorted(p for p in files if p.relative_to(STATIC).as_posix() not in EXCLUDED)


def test_the_scope_is_the_public_pages_scripts():
    names = {path.relative_to(STATIC).as_posix() for path in sources()}
    assert {"common/texts.js", "seatmap/panel.js", "waiting/main.js"} <= names
    assert not any(name.startswith(("editor/", "dashboard/")) for name in names)


@pytest.mark.parametrize(
    "path", sources(), ids=lambda p: p.relative_to(STATIC).as_posix()
)
def test_every_text_goes_through_the_catalogue(path):
    assert untranslated(path.read_text(encoding="utf-8")) == []


def test_the_detector_sees_unwrapped_texts_and_only_those():
    source = """
      // A comment with words in it is no text.
      const a = gettext('Whole hall');
      const b = 'Whole hall';
      const c = `Release seat ${label}`;
      const d = interpolate(ngettext('%(n)s seat', '%(n)s seats', n), { n }, true);
      const e = el('button', 'link-button', 'Release');
      const f = document.querySelector('input, select, textarea');
      const classes = `area area-${shape} swatch table-swatch`;
      const status = 'held by you';
      const g = /^(?:[a-z]{3},?\\s+)?'x'/i.test(value) ? "Sold out" : '';
      console.warn('Ignoring a frame that is not JSON');
      throw new Error('not connected');
      const h = gettext(`Hold seat ${n}`);
      const i = pgettext('mark on a companion seat', 'C');
    """
    assert untranslated(source) == [
        "4: 'Whole hall'",
        "5: 'Release seat  '",
        "7: 'Release'",
        "10: 'held by you'",
        "11: 'Sold out'",
        "14: `Hold seat  ` built inside gettext",
    ]

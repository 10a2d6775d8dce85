"""The djangojs catalogues: complete in every language, compiled, up to date with the
JavaScript sources, and served to the embeddable seat map and our own pages."""

from __future__ import annotations

import gettext
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import Client
from django.utils import translation

from frontend.catalogue import catalogue
from tests.i18n.pofile import Entry, read_po

ROOT = Path(settings.BASE_DIR)
LANGUAGES = ["de", "fr", "es", "nl"]
# What docs/languages.md says to run; the sources in scope are the public pages' JS.
MAKEMESSAGES = [
    "makemessages",
    "-d",
    "djangojs",
    *[arg for lang in LANGUAGES for arg in ("-l", lang)],
    "--no-location",
    "--ignore=.venv",
    "--ignore=node_modules",
    "--ignore=tests",
    "--ignore=bench",
    "--ignore=frontend/static/frontend/editor/*",
    "--ignore=frontend/static/frontend/dashboard/*",
    "--ignore=*/boxoffice.js",
]
PLACEHOLDER = re.compile(r"%\(\w+\)s|%s")
# Entries whose translation is rightly the English text.
SAME_AS_ENGLISH = {("de", "Live"), ("nl", "Live")}


def po_path(lang: str, root: Path = ROOT) -> Path:
    return root / "locale" / lang / "LC_MESSAGES" / "djangojs.po"


def messages(lang: str, root: Path = ROOT) -> list[Entry]:
    """The file's entries but the header and obsolete ones."""
    return [e for e in read_po(po_path(lang, root)) if e.msgid and not e.obsolete]


def key(entry: Entry) -> str:
    return f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_entry_is_translated_with_the_same_placeholders(lang):
    entries = messages(lang)
    assert len(entries) > 50, "the catalogue lost its texts"
    header = read_po(po_path(lang))[0]
    assert header.msgid == "" and "fuzzy" not in header.flags
    assert f"Language: {lang}\\n" in json.dumps(header.msgstr[0])
    for entry in entries:
        assert "fuzzy" not in entry.flags, entry.msgid
        forms = 2 if entry.msgid_plural is not None else 1
        assert sorted(entry.msgstr) == list(range(forms)), entry.msgid
        for index, text in entry.msgstr.items():
            assert text.strip(), f"{lang}: {entry.msgid!r} form {index} is empty"
            source = entry.msgid if index == 0 else entry.msgid_plural
            assert placeholders(text) == placeholders(source), (lang, entry.msgid)
            if (lang, entry.msgid) not in SAME_AS_ENGLISH and len(source) > 3:
                assert text != source, f"{lang}: {entry.msgid!r} left in English"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_compiled_catalogue_matches_the_po_file(lang):
    path = po_path(lang)
    with path.with_suffix(".mo").open("rb") as compiled:
        mo = gettext.GNUTranslations(compiled)
    for entry in messages(lang):
        msgid = key(entry)
        if entry.msgid_plural is None:
            assert mo.gettext(msgid) == entry.msgstr[0], msgid
        else:
            # 1 and 5 pick form 0 and 1 in all four languages (French: n > 1).
            assert mo.ngettext(msgid, entry.msgid_plural, 1) == entry.msgstr[0]
            assert mo.ngettext(msgid, entry.msgid_plural, 5) == entry.msgstr[1]
    in_mo = {k if isinstance(k, str) else k[0] for k in mo._catalog if k}
    assert in_mo == {key(entry) for entry in messages(lang)}


def test_makemessages_finds_no_text_the_catalogues_lack(tmp_path):
    """Run on a copy of the sources: a wrapped text without an entry fails here."""
    copy = tmp_path / "project"
    copy.mkdir()
    ignore = shutil.ignore_patterns(".venv", "node_modules", ".git", "var", "*.pyc")
    for name in ["manage.py", "config", "frontend", "locale"]:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=ignore)
        else:
            shutil.copy2(source, copy / name)
    run = subprocess.run(
        [sys.executable, "manage.py", *MAKEMESSAGES],
        cwd=copy,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    for lang in LANGUAGES:
        fresh = {key(e) for e in messages(lang, copy)}
        committed = {key(e) for e in messages(lang)}
        assert fresh - committed == set(), f"{lang}: texts without a translation"
        assert committed - fresh == set(), f"{lang}: entries no source uses"


def test_the_embed_view_serves_a_language_to_any_origin():
    response = Client().get("/embed/v1/messages/de.json")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == "public, max-age=3600"
    document = response.json()
    assert set(document) == {"catalog", "formats", "plural"}
    assert document["catalog"]["Whole hall"] == "Ganzer Saal"
    assert document["catalog"]["Seat %(seats)s"] == [
        "Platz %(seats)s",
        "Plätze %(seats)s",
    ]
    assert document["catalog"]["mark on a companion seat\x04C"] == "B"
    assert document["plural"] == "(n != 1)"
    # Only our texts: not the admin's JavaScript catalogue.
    assert "Choose all" not in document["catalog"]


def test_the_embed_view_knows_only_the_sites_languages():
    assert Client().get("/embed/v1/messages/it.json").status_code == 404
    assert Client().get("/embed/v1/messages/xx.json").status_code == 404
    french = Client().get("/embed/v1/messages/fr.json").json()
    assert french["plural"] == "(n > 1)"


def test_the_data_block_carries_the_active_language_escaped():
    template = Template("{% load js_catalogue %}{% js_catalogue %}")
    with translation.override("nl"):
        html = template.render(Context())
    match = re.fullmatch(
        r'<script id="js-catalogue" type="application/json">(.*)</script>', html
    )
    assert match, html
    document = json.loads(match[1])
    assert document["lang"] == "nl"
    assert document["catalog"]["Whole hall"] == "Hele zaal"
    with translation.override("en"):
        english = json.loads(
            re.sub(
                r"^<[^>]*>|</script>$",
                "",
                Template("{% load js_catalogue %}{% js_catalogue %}").render(Context()),
            )
        )
    assert english["lang"] == "en" and english["catalog"] == {}


def test_the_data_block_cannot_close_its_script_element(monkeypatch):
    catalogue.cache_clear()
    hostile = {"catalog": {"x": "</script><script>alert(1)</script>"}, "plural": None}
    monkeypatch.setattr("frontend.catalogue.catalogue", lambda language: hostile)
    html = Template("{% load js_catalogue %}{% js_catalogue %}").render(Context())
    assert html.count("</script>") == 1
    assert "\\u003C/script\\u003E" in html


@pytest.mark.django_db
def test_every_public_page_carries_the_block(event):
    page = Client().get(f"/events/{event.id}/").content.decode()
    assert page.count('id="js-catalogue"') == 1
    assert page.index('id="js-catalogue"') < page.index("seatmap/main.js")

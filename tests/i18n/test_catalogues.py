"""The django catalogues: complete, placeholders kept, compiled, up to date."""

from __future__ import annotations

import pytest

from tests.i18n import po
from tests.i18n.catalogues import (
    LANGUAGES,
    compiled,
    makemessages_copy,
    mo_catalogue,
    placeholders,
    po_path,
)


def test_the_four_languages_besides_english_are_the_ones_served():
    assert LANGUAGES == ["de", "fr", "es", "nl"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_in_every_plural_form_and_none_is_fuzzy(
    language,
):
    assert "#~" not in po_path(language).read_text(), "obsolete entries left"
    entries = po.read(po_path(language))
    header, messages = entries[0], entries[1:]
    assert header.msgid == "" and "fuzzy" not in header.flags
    forms = int(header.msgstr[0].split("nplurals=")[1].split(";")[0])
    assert len(messages) > 50
    for entry in messages:
        assert "fuzzy" not in entry.flags, entry.key
        expected = forms if entry.msgid_plural is not None else 1
        assert sorted(entry.msgstr) == list(range(expected)), entry.key
        assert all(text.strip() for text in entry.msgstr.values()), entry.key


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_translation_has_the_placeholders_of_its_msgid(language):
    for entry in po.messages(po_path(language)).values():
        wanted = placeholders(entry.msgid)
        if entry.msgid_plural is not None:
            wanted |= placeholders(entry.msgid_plural)
        for index, text in entry.msgstr.items():
            assert placeholders(text) == wanted, (entry.key, index, text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_committed_mo_is_the_po_compiled(language, tmp_path):
    source = po_path(language)
    assert mo_catalogue(source.with_suffix(".mo")) == compiled(source, tmp_path)


def test_makemessages_finds_no_text_the_catalogues_lack(tmp_path):
    """A newly wrapped text without a translation fails here; so does an
    entry kept for a text that is gone."""
    copy = makemessages_copy(tmp_path)
    for language in LANGUAGES:
        committed = po.messages(po_path(language))
        fresh = po.messages(po_path(language, copy))
        assert sorted(set(fresh) - set(committed), key=str) == [], language
        assert sorted(set(committed) - set(fresh), key=str) == [], language

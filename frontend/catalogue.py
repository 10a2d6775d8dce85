"""The JavaScript texts' translations (gettext domain ``djangojs``), one per language.

Both deliveries give the same document, Django's ``JSONCatalog`` answer
(``{"catalog", "formats", "plural"}``): the embeddable seat map fetches it from
``/embed/v1/messages/<lang>.json`` (any origin may read it), and our own pages carry
the active language's in a ``<script type="application/json" id="js-catalogue">``
data block (``{% js_catalogue %}``), which a Content Security Policy allows where
inline code is not.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, JsonResponse
from django.utils import translation
from django.utils.translation.trans_real import DjangoTranslation
from django.views.decorators.http import require_GET
from django.views.i18n import JSONCatalog

DOMAIN = "djangojs"
# Only our own texts: LOCALE_PATHS is always read, and naming a package keeps the
# admin's JavaScript texts (calendars, filters) out of what every visitor downloads.
PACKAGES = ["frontend"]
MAX_AGE_SECONDS = 3600


def supported_language(code: str) -> str | None:
    """The code as LANGUAGES lists it, or None when the site does not speak it."""
    return code if code in dict(settings.LANGUAGES) else None


def language_for(asked: str | None) -> str:
    """The language to speak to someone who asked for `asked`: it if the site
    speaks it, else its base language (`de-AT`: `de`), else LANGUAGE_CODE."""
    wanted = (asked or "").strip().lower()[:20]
    for candidate in (wanted, wanted.split("-")[0]):
        if candidate and supported_language(candidate):
            return candidate
    return settings.LANGUAGE_CODE


@cache
def catalogue(language: str) -> dict[str, Any]:
    """JSONCatalog's document for `language` (a LANGUAGES code); read once a process."""
    view = JSONCatalog()
    view.translation = DjangoTranslation(
        language, domain=DOMAIN, localedirs=view.get_paths(PACKAGES)
    )
    with translation.override(language):
        return view.get_context_data()


def page_catalogue() -> dict[str, Any]:
    """The active language's catalogue and code (`lang`), for a page's data block."""
    language = language_for(translation.get_language())
    return {**catalogue(language), "lang": language}


@require_GET
def messages(request: HttpRequest, lang: str) -> JsonResponse:
    """The catalogue of `lang` for the embeddable seat map, readable from any origin."""
    language = supported_language(lang)
    if language is None:
        raise Http404("No such language")
    response = JsonResponse(catalogue(language))
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = f"public, max-age={MAX_AGE_SECONDS}"
    return response

"""`{% js_catalogue %}`: the active language's JavaScript texts as a JSON data block.

common/i18n.js installs it on import; a ``type="application/json"`` block is data, not
code, so a Content Security Policy without unsafe-inline still lets the page read it.
"""

from __future__ import annotations

from django import template
from django.utils.html import json_script
from django.utils.safestring import SafeString

from frontend.catalogue import page_catalogue

register = template.Library()


@register.simple_tag
def js_catalogue() -> SafeString:
    return json_script(page_catalogue(), "js-catalogue")

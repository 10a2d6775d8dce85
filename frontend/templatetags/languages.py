"""The language picker's choices (base.html)."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def language_choices() -> list[tuple[str, str]]:
    """settings.LANGUAGES as written: each language named in its own, never
    in the page's (Django's get_available_languages translates the names)."""
    return list(settings.LANGUAGES)

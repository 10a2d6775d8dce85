"""`{% if user|is_staff %}`: the pages ask access.is_staff, the one decision."""

from __future__ import annotations

from typing import Any

from django import template

import access

register = template.Library()


@register.filter(name="is_staff")
def is_staff(user: Any) -> bool:
    # A page rendered without the auth context processor has no `user` (""):
    # nobody is staff there.
    return hasattr(user, "is_authenticated") and access.is_staff(user)

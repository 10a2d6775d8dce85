"""`{% module_script "frontend/seatmap/main.js" %}`: a page's ES module, with a
`modulepreload` link before it for every module it imports, however deep.

Unbundled modules load in waves: the browser learns of `app.js` only once
`main.js` has arrived, of `dom.js` only once `app.js` has. On a phone each
wave is a round trip (the seat map's 34 modules come in four). Listed up
front, they are all fetched at once. The graph is read from the static
files themselves (static `import ... from` and `export ... from` of relative
paths; the pages use no other kind), once per process, or on every page
with DEBUG so that edits show.

Before them comes `boot.js`, a classic script that reloads the page when one
of its modules cannot be fetched (a page whose graph fails runs none of its
code), and the notice it shows when reloading did not help.
"""

from __future__ import annotations

import functools
import posixpath
import re

from django import template
from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

register = template.Library()

# `import x from './a.js'`, `import { a,\n b } from "../b.js"`, `import './c.js'`,
# `export { d } from './d.js'`: the relative specifier of each.
IMPORTED = re.compile(
    r"""^\s*(?:import\s*|(?:import|export)\b[^'";]*?\bfrom\s*)(['"])(\.\.?/[^'"]+)\1""",
    re.MULTILINE,
)


BOOT_SCRIPT = "frontend/boot.js"


@register.simple_tag(takes_context=True)
def module_script(context: template.Context, path: str) -> SafeString:
    """The boot script and its notice, then the links and the
    `<script type="module">` of the static module `path`."""
    request = context.get("request")
    # Reloading the answer to a POST would send the form again: there the
    # notice is shown at once (its link asks with GET).
    may_reload = request is None or request.method in ("GET", "HEAD")
    preloads = format_html_join(
        "\n",
        '<link rel="modulepreload" href="{}">',
        ((static(module),) for module in imported_modules(path)),
    )
    script = format_html('<script type="module" src="{}"></script>', static(path))
    parts = (boot(may_reload), preloads, script)
    return format_html_join("\n", "{}", ((part,) for part in parts if part))


def boot(may_reload: bool = True) -> SafeString:
    """`boot.js` and the notice it shows when reloading did not help, or
    at once where it `may_reload` not (the link loads the page again
    without any script)."""
    return format_html(
        '<p id="boot-failed" class="boot-failed" role="alert"{} hidden>{} '
        '<a href="">{}</a></p>\n<script src="{}"></script>',
        "" if may_reload else SafeString(' data-reload="off"'),
        gettext("This page could not load completely."),
        gettext("Reload"),
        static(BOOT_SCRIPT),
    )


def imported_modules(path: str) -> tuple[str, ...]:
    """Every static module `path` imports, directly or not, in the order
    first met (breadth first); `path` itself left out."""
    if settings.DEBUG:
        return _walk(path)
    return _cached_walk(path)


def _walk(entry: str) -> tuple[str, ...]:
    seen = {entry}
    found: list[str] = []
    queue = [entry]
    while queue:
        module = queue.pop(0)
        for specifier in _specifiers(module):
            target = posixpath.normpath(
                posixpath.join(posixpath.dirname(module), specifier)
            )
            if target not in seen:
                seen.add(target)
                found.append(target)
                queue.append(target)
    return tuple(found)


_cached_walk = functools.lru_cache(maxsize=None)(_walk)


def _specifiers(module: str) -> list[str]:
    location = finders.find(module)
    if not location:
        return []  # missing: the browser reports it, the page must not fail
    with open(location, encoding="utf-8") as source:
        return [match.group(2) for match in IMPORTED.finditer(source.read())]

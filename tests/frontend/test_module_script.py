"""`{% module_script %}`: the static import graph it preloads, read from the files."""

from __future__ import annotations

import re

import pytest
from django.template import Context
from django.templatetags.static import static
from django.test import RequestFactory

from frontend.templatetags.modules import (
    BOOT_SCRIPT,
    IMPORTED,
    boot,
    imported_modules,
    module_script,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("import x from './a.js';", ["./a.js"]),
        ('import {\n  a,\n  b,\n} from "../b.js";', ["../b.js"]),
        ("import './c.js';", ["./c.js"]),
        ("export { d } from './d.js';", ["./d.js"]),
        ("export * as e from '../e.js';", ["../e.js"]),
        # Strings that merely look like paths are no imports.
        ("export const URL = './f.js';", []),
        ("const text = 'import x from ./g.js';", []),
        ("import json from 'https://example.com/h.js';", []),
    ],
)
def test_what_counts_as_a_static_import(source, found):
    assert [m.group(2) for m in IMPORTED.finditer(source)] == found


def test_the_seat_maps_graph_reaches_modules_two_imports_deep_once_each():
    modules = imported_modules("frontend/seatmap/main.js")
    assert modules[0] == "frontend/seatmap/app.js"  # what main.js imports
    assert "frontend/common/dom.js" in modules  # imported by app.js's imports
    assert "frontend/seatmap/main.js" not in modules
    assert len(modules) == len(set(modules))


def test_the_page_lists_each_module_before_the_entry_script(client, event):
    page = client.get(f"/events/{event.id}/").content.decode()
    links = re.findall(r'<link rel="modulepreload" href="([^"]+)">', page)
    assert links == [static(m) for m in imported_modules("frontend/seatmap/main.js")]
    script = f'<script type="module" src="{static("frontend/seatmap/main.js")}">'
    assert page.index(script) > page.index(links[-1])


def test_a_module_without_imports_gets_its_script_after_the_boot_script():
    assert module_script(Context(), "frontend/common/print.js") == (
        f"{boot()}\n"
        f'<script type="module" src="{static("frontend/common/print.js")}"></script>'
    )


def test_the_boot_script_comes_before_any_module_it_watches(client, event):
    """It must be listening before the first module fetch can fail."""
    page = client.get(f"/events/{event.id}/").content.decode()
    boot_script = f'<script src="{static(BOOT_SCRIPT)}"></script>'
    assert page.count(boot_script) == 1
    assert page.index(boot_script) < page.index('<link rel="modulepreload"')
    assert '<p id="boot-failed" class="boot-failed" role="alert" hidden>' in page


@pytest.mark.parametrize(("method", "reloads"), [("get", True), ("post", False)])
def test_only_a_page_asked_for_with_get_may_reload_itself(method, reloads):
    """Reloading the answer to a form would send the form again."""
    request = getattr(RequestFactory(), method)("/events/1/")
    html = module_script(Context({"request": request}), "frontend/common/print.js")
    assert html.startswith(boot(reloads))
    assert ('data-reload="off"' in html) is not reloads

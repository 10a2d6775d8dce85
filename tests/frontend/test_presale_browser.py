"""A presale in Chromium: staff keep row A for it on the channels page; a
visitor with the code holds A5, while a visitor without sees A5 not on
sale, and cannot take it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from devtools.processes import LiveServer, live_server
from tests.frontend.pages import FAST, log_in, open_map, seat, seat_layout

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_server_proc(tmp_path_factory) -> Iterator[LiveServer]:
    """Holds of the usual length: the test looks at a hold after a reload."""
    with live_server(
        tmp_path_factory.mktemp("presale"),
        seeds=[("--rows", "4", "--seats-per-row", "8", "--allow-single-seats")],
    ) as server:
        yield server


def test_staff_keep_row_a_for_a_presale_and_only_a_visitor_with_the_code_holds_a5(
    browser, live_server_proc
):
    layout = seat_layout(live_server_proc)
    by_label = {s["label"]: i for i, s in layout.items()}
    a5 = by_label["A5"]
    public = open_map(browser, live_server_proc)
    member = open_map(browser, live_server_proc)
    expect(member.locator("#presale-form")).to_have_count(0)  # nothing kept yet

    # Staff: open the channel, then keep row A for it.
    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    dashboard = log_in(staff, live_server_proc, "admin", "staff-password-1")
    expect(dashboard).to_have_url(re.compile("/dashboard/$"))
    dashboard.click("text=Channels of")
    expect(dashboard.locator("h1")).to_contain_text("Sales channels")
    dashboard.fill("#channel-name", "Members presale")
    dashboard.fill("#channel-code-input", "members-2026")
    dashboard.click("#open-channel button[type=submit]")
    expect(dashboard.locator("#channel-code")).to_have_text("members-2026")
    dashboard.select_option("#keep-channel", label="Members presale")
    dashboard.fill("#keep-rows", "A")
    dashboard.click("#keep-seats button[type=submit]")
    expect(dashboard.locator("#channels-done")).to_have_text(
        "8 seat(s) now kept for the channel."
    )

    # Open maps reload on the layout change: A5 is not on sale to the public.
    expect(seat(public, a5)).to_have_attribute("data-status", "blocked", timeout=FAST)
    expect(seat(public, a5)).to_have_attribute(
        "aria-label", re.compile("kept for Members presale, not on sale")
    )
    expect(seat(public, a5).locator("title.kept")).to_have_text(
        "Kept for Members presale: not on sale"
    )
    seat(public, a5).click()
    expect(public.locator("#message")).to_have_text("Seat A5 is not on sale.")

    # The member enters the code (a wrong one first) and the page comes back with it.
    member.reload()
    expect(member.locator("#presale-form")).to_be_visible()
    member.fill("#presale-code", "guess-1234")
    member.click("#presale-form button[type=submit]")
    expect(member.locator(".presale-result")).to_have_text(
        "That code does not open anything for this event."
    )
    member.fill("#presale-code", "Members-2026")
    member.click("#presale-form button[type=submit]")
    expect(member.locator("#legend-unlocked")).to_be_visible(timeout=20_000)
    expect(member.locator("#connection-status")).to_have_attribute(
        "data-state", "open", timeout=20_000
    )
    expect(member.locator("#legend-unlocked")).to_contain_text(
        "Members presale: on sale to you"
    )
    expect(seat(member, a5)).to_have_attribute("data-status", "available")
    expect(seat(member, a5)).to_have_class(re.compile("is-unlocked"))
    seat(member, a5).click()
    expect(seat(member, a5)).to_have_attribute(
        "data-status", "held-by-me", timeout=FAST
    )
    # The public map sees it held by someone; still not theirs to take.
    expect(seat(public, a5)).to_have_attribute("data-status", "held", timeout=FAST)

    # Staff see the code's use.
    dashboard.reload()
    expect(dashboard.locator("#attempts")).to_contain_text("Unlocked")
    expect(dashboard.locator("#attempts")).to_contain_text("wrong code")
    expect(dashboard.locator("#channel-table")).to_contain_text("Members presale")
    staff.close()
    public.context.close()
    member.context.close()

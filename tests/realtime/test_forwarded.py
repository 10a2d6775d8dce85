"""The client's address behind trusted proxies: the right-most untrusted hop."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from realtime.forwarded import (
    LOOPBACK,
    ForwardedClient,
    TrustedProxies,
    networks,
    parse_hop,
)
from realtime.serving import behind_proxies

PROXIES = TrustedProxies(networks(["10.0.0.0/8", "192.0.2.7"]))


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        # Not a proxy of ours: its headers count for nothing.
        ("198.51.100.9", ["127.0.0.1"], "198.51.100.9"),
        ("198.51.100.9", [], "198.51.100.9"),
        # Our proxy appended the address it saw; the client's own values
        # to its left are ignored, including a forged loopback.
        ("192.0.2.7", ["127.0.0.1, 203.0.113.5"], "203.0.113.5"),
        ("192.0.2.7", ["1.2.3.4", "203.0.113.5"], "203.0.113.5"),
        # Two of our proxies in a row are both skipped.
        ("10.1.1.1", ["8.8.8.8, 203.0.113.5, 192.0.2.7"], "203.0.113.5"),
        # Ports and brackets as some proxies write them.
        ("192.0.2.7", ["203.0.113.5:4711"], "203.0.113.5"),
        ("192.0.2.7", ["[2001:db8::5]:443"], "2001:db8::5"),
        ("192.0.2.7", ["::ffff:203.0.113.5"], "203.0.113.5"),
        # An unreadable hop ends the walk: the nearest readable one counts.
        ("192.0.2.7", ["203.0.113.5, unknown, 10.0.0.3"], "10.0.0.3"),
        # Every hop ours: the left-most one.
        ("192.0.2.7", ["10.0.0.3"], "10.0.0.3"),
        # A trusted proxy that sent no header: the proxy itself.
        ("192.0.2.7", [], "192.0.2.7"),
    ],
)
def test_the_client_is_the_right_most_untrusted_hop(peer, forwarded, client):
    assert PROXIES.client(peer, forwarded) == client


def test_a_bad_network_is_named():
    with pytest.raises(ValueError, match="'10.0.0.300'"):
        networks(["10.0.0.0/8", "10.0.0.300"])


def test_hops_parse_or_are_none():
    assert str(parse_hop(" 192.0.2.1 ")) == "192.0.2.1"
    assert parse_hop("[2001:db8::1") is None
    assert parse_hop("") is None
    assert parse_hop("example.org") is None


def scope(peer, headers, kind="websocket"):
    return {"type": kind, "client": (peer, 5555), "headers": headers}


async def seen_by(app_scope):
    seen = {}

    async def app(scope, receive, send):
        seen.update(scope)

    await ForwardedClient(app, TrustedProxies(networks(LOOPBACK)))(
        app_scope, None, None
    )
    return seen


async def test_a_trusted_proxy_sets_the_client_and_the_scheme():
    headers = [
        (b"x-forwarded-for", b"127.0.0.1, 203.0.113.5"),
        (b"x-forwarded-proto", b"https"),
    ]
    seen = await seen_by(scope("127.0.0.1", headers))
    assert seen["client"] == ("203.0.113.5", 0)
    assert seen["scheme"] == "wss"
    seen = await seen_by(scope("127.0.0.1", headers, kind="http"))
    assert (seen["client"][0], seen["scheme"]) == ("203.0.113.5", "https")


async def test_an_untrusted_peer_is_left_as_it_is():
    headers = [(b"x-forwarded-for", b"127.0.0.1"), (b"x-forwarded-proto", b"https")]
    original = scope("203.0.113.5", headers)
    seen = await seen_by(original)
    assert seen["client"] == ("203.0.113.5", 5555)
    assert "scheme" not in seen


async def test_other_scopes_and_odd_protos_pass_through():
    seen = await seen_by({"type": "lifespan"})
    assert seen == {"type": "lifespan"}
    headers = [(b"x-forwarded-proto", b"gopher")]
    seen = await seen_by(scope("::1", headers, kind="http"))
    assert "scheme" not in seen and seen["client"] == ("::1", 0)


def test_serve_refuses_a_bad_proxy_setting(settings):
    settings.SEAT_TRUSTED_PROXIES = ["10.0.0.0/8", "proxy.internal"]
    with pytest.raises(CommandError, match="SEAT_TRUSTED_PROXIES.*proxy.internal"):
        call_command("serve", "--port", "1")


def test_proxies_are_trusted_only_when_configured(settings):
    app = object()
    settings.SEAT_TRUSTED_PROXIES = []
    assert behind_proxies(app, proxy_headers=False) is app
    wrapped = behind_proxies(app, proxy_headers=True)
    assert wrapped.proxies.trusts(parse_hop("127.0.0.1"))
    assert not wrapped.proxies.trusts(parse_hop("192.0.2.7"))
    settings.SEAT_TRUSTED_PROXIES = ["192.0.2.0/24"]
    wrapped = behind_proxies(app, proxy_headers=True)
    assert wrapped.proxies.trusts(parse_hop("192.0.2.7"))
    assert not wrapped.proxies.trusts(parse_hop("127.0.0.1"))

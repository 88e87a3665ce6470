"""Forwarded headers are believed only when the operator says a proxy stands in front."""

from __future__ import annotations

import pytest
from flask import request, url_for

from app import create_app
from app.config import DEFAULT_LIMITS, forwarded_networks
from app.rooms.codes import ALPHABET
from tests.helpers import open_room

FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "score.example.org", "X-Forwarded-For": "203.0.113.9"}


@pytest.fixture
def make_app(database_url, tmp_path):
    apps = []

    def make(proxies: int, **config):
        app = create_app(
            {"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path), "PROXY_COUNT": proxies, **config}
        )
        # What the rooms' join links and QR codes will be built from.
        app.add_url_rule("/_probe/link", "probe_link", lambda: url_for("pages.index", _external=True))
        # The address the rate limits key on.
        app.add_url_rule("/_probe/address", "probe_address", lambda: request.remote_addr or "")
        apps.append(app)
        return app.test_client()

    yield make
    for app in apps:
        app.extensions["database"].engine.dispose()


def test_without_a_configured_proxy_forwarded_headers_are_ignored(make_app):
    client = make_app(0)
    assert client.get("/_probe/link", headers=FORWARDED).get_data(as_text=True) == "http://localhost/"


def test_behind_one_proxy_links_use_its_scheme_and_host(make_app):
    client = make_app(1)
    assert client.get("/_probe/link", headers=FORWARDED).get_data(as_text=True) == "https://score.example.org/"


def test_a_forged_chain_is_believed_only_one_hop_deep(make_app):
    client = make_app(1)
    forged = {"X-Forwarded-Host": "evil.example, score.example.org", "X-Forwarded-Proto": "http, https"}
    assert client.get("/_probe/link", headers=forged).get_data(as_text=True) == "https://score.example.org/"


# The compose file's proxy: the one address whose X-Forwarded-* the apps believe.
PROXY = "172.30.0.10"


@pytest.fixture
def behind_the_proxy(make_app, app):
    """PROXY_COUNT=1 with FORWARDED_ALLOW_IPS naming the proxy, as docker-compose.yml runs it
    (the `app` fixture migrated the database)."""
    return make_app(1, FORWARDED_NETWORKS=forwarded_networks(PROXY))


def test_the_proxy_in_front_names_the_client(behind_the_proxy):
    via_proxy = {"REMOTE_ADDR": PROXY}
    seen = behind_the_proxy.get("/_probe/address", headers=FORWARDED, environ_base=via_proxy)
    assert seen.get_data(as_text=True) == "203.0.113.9"
    assert behind_the_proxy.get("/_probe/link", headers=FORWARDED, environ_base=via_proxy).get_data(as_text=True) == (
        "https://score.example.org/"
    )


def test_a_direct_peer_is_known_by_its_own_address_whatever_it_forwards(behind_the_proxy):
    direct = {"REMOTE_ADDR": "198.51.100.66"}
    assert behind_the_proxy.get("/_probe/address", headers=FORWARDED, environ_base=direct).get_data(as_text=True) == (
        "198.51.100.66"
    )
    assert behind_the_proxy.get("/_probe/link", headers=FORWARDED, environ_base=direct).get_data(as_text=True) == (
        "http://localhost/"
    )


def test_a_direct_peer_rotating_x_forwarded_for_is_throttled_at_the_documented_number(behind_the_proxy):
    """A guesser who reaches the app's port directly cannot buy a fresh limit per request."""
    code, _link, _page = open_room(behind_the_proxy)
    allowed = int(DEFAULT_LIMITS["RATE_LIMIT_JOIN_MISSES"].split()[0])  # "60 per 10 minutes;..."
    direct = {"REMOTE_ADDR": "198.51.100.66"}
    answers = [
        behind_the_proxy.get(
            f"/r/ZZZZ{ALPHABET[n // 31]}{ALPHABET[n % 31]}",
            headers={"X-Forwarded-For": f"203.0.{n // 250}.{n % 250 + 1}"},
            environ_base=direct,
        ).status_code
        for n in range(allowed + 1)
    ]
    assert answers == [404] * allowed + [429]
    # Even the right code says nothing to this guesser now; a visitor via the proxy joins as usual.
    assert behind_the_proxy.get(f"/r/{code}", environ_base=direct).status_code == 429
    via_proxy = {"REMOTE_ADDR": PROXY}
    assert behind_the_proxy.get(f"/r/{code}", headers=FORWARDED, environ_base=via_proxy).status_code == 200

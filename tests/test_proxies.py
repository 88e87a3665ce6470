"""Forwarded headers are believed only when the operator says a proxy stands in front."""

from __future__ import annotations

import pytest
from flask import url_for

from app import create_app

FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "score.example.org", "X-Forwarded-For": "203.0.113.9"}


@pytest.fixture
def make_app(database_url, tmp_path):
    apps = []

    def make(proxies: int):
        app = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path), "PROXY_COUNT": proxies})
        # What the rooms' join links and QR codes will be built from.
        app.add_url_rule("/_probe/link", "probe_link", lambda: url_for("pages.index", _external=True))
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

"""Security headers on every page, from the first one."""

from __future__ import annotations

import pytest

from app.web.security import CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("path", ["/", "/quiz/", "/privacy", "/stats", "/no-such-page", "/static/style.css"])
def test_security_headers_on_every_response(client, path):
    h = client.get(path).headers
    csp = h["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert h["Referrer-Policy"] == "no-referrer"
    assert h["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in h["Permissions-Policy"] and "geolocation=()" in h["Permissions-Policy"]
    assert "Strict-Transport-Security" not in h  # only behind https


def test_csp_allows_only_our_own_origin():
    for directive, sources in CONTENT_SECURITY_POLICY.items():
        for source in sources:
            assert source in ("'self'", "'none'"), (directive, source)


def test_html_is_never_cached_by_shared_caches(client):
    assert client.get("/quiz/").headers["Cache-Control"] == "no-store"


def test_hsts_behind_https(database_url, tmp_path):
    from app import create_app
    from app.store.schema import upgrade

    upgrade(database_url)
    app = create_app({"DATABASE_URL": database_url, "BEHIND_HTTPS": True, "INSTANCE_PATH": str(tmp_path)})
    assert "max-age=" in app.test_client().get("/").headers["Strict-Transport-Security"]
    app.extensions["database"].engine.dispose()

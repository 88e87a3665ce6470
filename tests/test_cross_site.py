"""Forms work over https under our no-referrer policy, and a form posted from another site is refused."""

from __future__ import annotations

import pytest

from app import create_app
from app.config import settings_from_env
from tests.helpers import csrf_token, questionnaire_form


@pytest.fixture
def https_app(database_url, tmp_path):
    """As an operator runs it behind a TLS proxy: BEHIND_HTTPS, and the proxy's https scheme believed."""
    from app.store.schema import upgrade

    upgrade(database_url)
    settings = settings_from_env({"APP_ENV": "testing", "BEHIND_HTTPS": "true"})
    app = create_app({**settings, "DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path)})
    yield app
    app.extensions["database"].engine.dispose()


def first_answer(app, client, base: str = "", **headers: str):
    """Send the questionnaire (its one POST) with these headers."""
    page = client.get(base + "/quiz/", follow_redirects=True)  # once finished, the result's forms carry the token
    token = csrf_token(page.get_data(as_text=True))
    return client.post(base + "/quiz/", data=questionnaire_form(app.extensions["bank"], token), headers=headers)


# What Debian's Chromium sends with our own form under Referrer-Policy: no-referrer, over
# https (tests/browser/test_https.py watches it do so): no Referer, Origin null.
BROWSER_OVER_HTTPS = {"Origin": "null", "Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate"}


def test_the_first_answer_over_https_without_a_referer_is_accepted(https_app):
    client = https_app.test_client()
    response = first_answer(https_app, client, "https://localhost", **BROWSER_OVER_HTTPS)
    assert response.status_code == 303, response.get_data(as_text=True)[:300]


def test_an_older_browser_over_https_without_fetch_metadata_is_accepted(https_app):
    client = https_app.test_client()
    assert first_answer(https_app, client, "https://localhost", Origin="null").status_code == 303
    assert first_answer(https_app, client, "https://localhost", Origin="https://localhost").status_code == 303


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "cross-site", "Origin": "null"},
        {"Sec-Fetch-Site": "same-site", "Origin": "https://evil.localhost"},
        {"Origin": "https://evil.example"},
        {"Origin": "http://localhost"},  # the same host over plain http is another origin
        {"Origin": "https://localhost:8443"},
        {"Origin": "https://localhost.evil.example"},
        {"Origin": "not a url at all"},
    ],
)
def test_a_form_posted_from_another_site_is_refused(https_app, store, headers):
    client = https_app.test_client()
    response = first_answer(https_app, client, "https://localhost", **headers)
    assert response.status_code == 403
    body = response.get_data(as_text=True)
    assert "sent from another site" in body and 'class="site-header"' in body
    assert client.get("https://localhost/quiz/result").status_code == 400  # the answers were not kept
    assert store.total() == 0


def test_plain_http_forms_still_work(app, client):
    assert first_answer(app, client, **{"Origin": "null"}).status_code == 303
    assert first_answer(app, client, **{"Origin": "http://localhost"}).status_code == 303


def test_the_token_is_still_required_over_https(https_app):
    client = https_app.test_client()
    client.get("https://localhost/quiz/")
    form = questionnaire_form(https_app.extensions["bank"], "")
    del form["csrf_token"]
    response = client.post("https://localhost/quiz/", data=form, headers=BROWSER_OVER_HTTPS)
    assert response.status_code == 400
    assert client.get("https://localhost/quiz/result").status_code == 400  # nothing was kept

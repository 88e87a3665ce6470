"""Response headers graded the way a strict HTTP observatory (e.g. Mozilla's) grades a site.

Every check is a rule such a scanner applies; each page must pass all of them, including
error pages, the projector's JSON and the debrief CSV.
"""

from __future__ import annotations

import re

import pytest

from app import create_app
from app.config import settings_from_env
from tests.helpers import csrf_token, grade


@pytest.fixture(params=[False, True], ids=["http", "https"])
def site(request, database_url, tmp_path, app):
    https = request.param
    # As the operator sets it: BEHIND_HTTPS in the environment decides HSTS and the cookie's Secure flag.
    settings = settings_from_env({"APP_ENV": "testing", "BEHIND_HTTPS": "true" if https else "false"})
    served = create_app({**settings, "DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path)})
    yield served, https
    served.extensions["database"].engine.dispose()


def _responses(app):
    """One response of each kind a visitor or a presenter can get, errors included."""
    client = app.test_client()
    base = "https://localhost" if app.config["BEHIND_HTTPS"] else "http://localhost"
    form = client.get(base + "/rooms/new")
    yield "rooms/new (sets the cookie)", form
    created = client.post(
        base + "/rooms/new",
        data={"csrf_token": csrf_token(form.get_data(as_text=True)), "title": "t"},
        headers={"Referer": base + "/rooms/new"},  # Flask-WTF checks it over https
    )
    assert created.status_code == 200
    yield "room created", created
    presenter = re.search(r"data-presenter-link>([^<]+)<", created.get_data(as_text=True)).group(1)
    presenter = presenter.removeprefix("http://localhost").removeprefix("https://localhost")
    first = client.get(base + "/quiz/")
    token = csrf_token(first.get_data(as_text=True))
    yield (
        "answer",
        client.post(
            base + "/quiz/", data={"csrf_token": token, "answer": "forged"}, headers={"Referer": base + "/quiz/"}
        ),
    )
    for path in ["/", "/privacy", "/stats", "/rooms/new", "/static/style.css", "/favicon.ico", "/nope", "/quiz/result"]:
        yield path, client.get(base + path)
    yield "405", client.put(base + "/")
    yield "413", client.post(base + "/quiz/", data={"answer": "x" * 100_000})
    yield "tampered cookie", app.test_client().get(base + "/", headers={"Cookie": "session=forged"})
    yield "projector", client.get(base + presenter)
    yield "poll", client.get(base + presenter + "/poll")
    yield "csv", client.get(base + presenter + "/debrief.csv")
    yield "forget", client.post(base + "/forget")


def test_every_response_passes_a_strict_observatory(site):
    app, https = site
    report = {name: grade(response.headers, https=https) for name, response in _responses(app)}
    assert {name: failures for name, failures in report.items() if failures} == {}


def test_the_session_cookie_is_strict_and_ends_with_the_browser(site):
    app, https = site
    cookie = app.test_client().get("/quiz/").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert ("Secure" in cookie) is https
    assert "Expires" not in cookie and "Max-Age" not in cookie


def test_a_request_with_an_invalid_host_gets_a_400_page_not_a_500(client, store):
    response = client.get("/", headers={"Host": "."})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert 'class="site-header"' in body and "invalid-host" not in body
    assert store.total() == 0

"""Response headers graded the way a strict HTTP observatory (e.g. Mozilla's) grades a site.

Every check is a rule such a scanner applies; each page must pass all of them, including
error pages, the projector's JSON and the debrief CSV.
"""

from __future__ import annotations

import re

import pytest

from app import create_app
from app.config import settings_from_env
from tests.conftest import csrf_token

SIX_MONTHS = 15_552_000


def _csp(headers) -> dict[str, list[str]]:
    policy: dict[str, list[str]] = {}
    for part in headers.get("Content-Security-Policy", "").split(";"):
        words = part.split()
        if words:
            policy[words[0]] = words[1:]
    return policy


def grade(headers, *, https: bool) -> list[str]:
    """The observatory's failures for one response; an empty list is a pass."""
    failures: list[str] = []
    csp = _csp(headers)
    if not csp:
        failures.append("no Content-Security-Policy")
    script = csp.get("script-src", csp.get("default-src", []))
    if any(s in script for s in ("'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:", "data:")):
        failures.append("script-src allows inline, eval or any origin")
    style = csp.get("style-src", csp.get("default-src", []))
    if "'unsafe-inline'" in style:
        failures.append("style-src allows inline")
    if csp.get("default-src") not in (["'none'"], ["'self'"]):
        failures.append("default-src is not 'none' or 'self'")
    for directive in ("object-src", "base-uri", "frame-ancestors"):
        if csp.get(directive) not in (["'none'"], ["'self'"]):
            failures.append(f"{directive} not restricted")
    if "form-action" not in csp:
        failures.append("form-action not restricted")
    if headers.get("X-Content-Type-Options") != "nosniff":
        failures.append("X-Content-Type-Options")
    if headers.get("X-Frame-Options") not in ("DENY", "SAMEORIGIN"):
        failures.append("X-Frame-Options")
    if headers.get("Referrer-Policy") not in ("no-referrer", "same-origin", "strict-origin"):
        failures.append("Referrer-Policy leaks the address")
    if headers.get("Access-Control-Allow-Origin"):
        failures.append("CORS open")
    for banner in ("X-Powered-By", "X-AspNet-Version"):
        if banner in headers:
            failures.append(f"{banner} banner")
    # A bare product name ("nginx", "gunicorn") is tolerated; a version helps an attacker pick an exploit.
    if re.search(r"\d", headers.get("Server", "")):
        failures.append("Server banner names a version")
    hsts = headers.get("Strict-Transport-Security")
    if https:
        match = re.search(r"max-age=(\d+)", hsts or "")
        if not match or int(match.group(1)) < SIX_MONTHS:
            failures.append("HSTS missing or shorter than six months")
    elif hsts:
        failures.append("HSTS sent over plain http (browsers ignore it; it shows a misconfiguration)")
    for cookie in headers.getlist("Set-Cookie"):
        flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
        if "httponly" not in flags or "samesite" not in flags or (https and "secure" not in flags):
            failures.append(f"cookie flags: {cookie.split('=')[0]} has {sorted(flags)}")
        deleting = "01 jan 1970" in cookie.lower() or "max-age=0" in cookie.lower()
        if ("expires" in flags or "max-age" in flags) and not deleting:
            failures.append("a persistent cookie (the session must end with the browser)")
    return failures


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
    first = client.get(base + "/quiz/1")
    token = csrf_token(first.get_data(as_text=True))
    yield (
        "answer",
        client.post(
            base + "/quiz/1", data={"csrf_token": token, "answer": "forged"}, headers={"Referer": base + "/quiz/1"}
        ),
    )
    for path in ["/", "/privacy", "/stats", "/rooms/new", "/static/style.css", "/favicon.ico", "/nope", "/quiz/result"]:
        yield path, client.get(base + path)
    yield "405", client.put(base + "/")
    yield "413", client.post(base + "/quiz/1", data={"answer": "x" * 100_000})
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
    cookie = app.test_client().get("/quiz/1").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert ("Secure" in cookie) is https
    assert "Expires" not in cookie and "Max-Age" not in cookie


def test_a_request_with_an_invalid_host_gets_a_400_page_not_a_500(client, store):
    response = client.get("/", headers={"Host": "."})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert 'class="site-header"' in body and "invalid-host" not in body
    assert store.total() == 0

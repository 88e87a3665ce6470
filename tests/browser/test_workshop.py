"""The facilitator's journey and the projector theme, in Chromium."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.helpers import CSRF_RE

from .conftest import (
    MIN_PROJECTOR_CONTRAST,
    MIN_PROJECTOR_PX,
    PROJECTOR_PAGE_TYPES,
    RADIO,
    TEXT_METRICS,
    PageType,
    take_quiz,
)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("page_type", PROJECTOR_PAGE_TYPES, ids=[p.name for p in PROJECTOR_PAGE_TYPES])
def test_projector_is_readable_from_the_back_of_the_room(visit, page_type: PageType):
    w, _ = visit(page_type, "projector")
    if w.page.locator("[data-slide][data-hidden]").count():
        w.page.wait_for_load_state("load")
        w.page.keyboard.press("r")  # the figures, held back on arrival, are what must read from the back
    texts = w.page.evaluate(TEXT_METRICS)
    assert len(texts) > 10
    small = [t for t in texts if t["px"] < MIN_PROJECTOR_PX]
    faint = [t for t in texts if t["contrast"] < MIN_PROJECTOR_CONTRAST]
    assert small == [], f"text under {MIN_PROJECTOR_PX} px at 1920x1080: {small}"
    assert faint == [], f"text under {MIN_PROJECTOR_CONTRAST}:1 contrast: {faint}"
    # The projector theme holds whatever the viewer's own colour preference is.
    w.page.emulate_media(color_scheme="dark")
    assert w.page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(0, 0, 0)"


FINISHED = re.compile(r"^\d+$")


def _phone_finishes_quiz_in_room(open_page, code: str, n: int, *, by_hand: bool) -> None:
    """A phone joins by typing the code; it answers by tapping, or (to save time) through its own cookie."""
    phone = open_page("phone")
    phone.goto("/")
    phone.page.get_by_label("Room code").fill(code.lower().replace("-", " "))  # typed loosely, as people do
    phone.page.get_by_role("button", name="Join", exact=True).click()
    assert phone.page.locator(f'[data-room-code="{code}"]').is_visible()
    phone.page.get_by_role("button", name="Join and start the quiz").click()
    assert phone.page.locator(f'[data-joined-room="{code}"]').is_visible()
    if by_hand:
        take_quiz(phone.page, lambda step, count: n % count)
    else:
        # The browser's own cookie jar, without drawing every question: the journeys tap through them.
        html = phone.context.request.get(phone.base_url + "/quiz/").text()
        offered: dict[str, list[str]] = {}
        for name, value in RADIO.findall(html):
            offered.setdefault(name, []).append(value)
        token = CSRF_RE.search(html)
        assert token and offered
        form = {"csrf_token": token.group(1), **{name: values[n % len(values)] for name, values in offered.items()}}
        sent = phone.context.request.post(phone.base_url + "/quiz/", form=form, max_redirects=0)
        assert sent.status == 303, sent.status
        phone.goto(urlsplit(sent.headers["location"]).path)
    assert phone.page.url.endswith("/quiz/result")
    assert phone.page.locator("[data-counted-in-room]").is_visible()
    phone.assert_clean()
    phone.context.close()


def test_facilitator_opens_a_room_and_the_projector_waits_for_five_phones(open_page):
    projector = open_page("projector")
    page = projector.page
    code = projector.open_a_room("Thursday workshop")
    assert code and re.fullmatch(r"[A-Z0-9]{6}", code)
    assert page.locator("[data-qr] svg").is_visible()
    assert page.get_by_role("button", name="Copy the link").is_visible()  # shown once the script runs
    projector.screenshot("workshop-created-projector")
    from axe_playwright_python.sync_playwright import Axe

    created = Axe().run(page)  # this page answers a POST only, so the page-type checks cannot reach it
    assert created.violations_count == 0, created.generate_snapshot()
    page.locator("[data-presenter-link]").click()
    assert page.locator(f'.lobby-code[data-room-code="{code}"]').is_visible()
    page.wait_for_load_state("load")

    for n in range(1, 6):
        _phone_finishes_quiz_in_room(open_page, code, n, by_hand=n == 1)
        if n == 1:
            # The lobby polls, and reloads itself when someone joined or finished.
            expect(page.locator("[data-finished]")).to_have_text("1", timeout=15_000)
            expect(page.locator("[data-joined]")).to_have_text("1")
            projector.screenshot("workshop-waiting-projector")
    expect(page.locator("[data-finished]")).to_have_text("5", timeout=15_000)

    # From the fifth finished quiz the room shows its estimates, from the first question on.
    page.keyboard.press("ArrowRight")
    page.locator("[data-slide='1']").wait_for()
    page.keyboard.press("ArrowRight")
    page.locator("[data-slide='2']").wait_for()
    page.wait_for_load_state("load")
    assert page.locator("[data-room-figures] [data-estimate]").count() > 0
    assert page.locator("[data-count]").count() == 0  # estimates with ranges, never a count of people
    page.keyboard.press("r")  # hidden on arrival, so the room guesses first
    expect(page.locator("[data-room-figures] [data-estimate]").first).to_be_visible()
    projector.screenshot("workshop-shown-projector")
    page.keyboard.press("ArrowLeft")
    page.locator("[data-slide='1']").wait_for()
    page.wait_for_load_state("load")
    page.keyboard.press("r")
    expect(page.locator("[data-average]")).to_be_visible()
    projector.assert_clean()


def test_projector_without_javascript_steps_by_links(open_page, workshop_room):
    w = open_page("projector", js=False)
    w.goto(workshop_room.presenter_path)
    assert w.page.locator("[data-qr] svg").is_visible()
    w.page.get_by_role("link", name="Next").click()  # without the keyboard script, links step
    w.page.get_by_role("link", name="Next").click()
    assert w.page.locator("[data-slide='2'] [data-room-figures]").is_visible()  # the room of five is shown
    assert w.page.locator("[data-slide='2'][data-hidden]").count() == 1  # ... its figures held back on arrival
    assert w.page.locator("[data-held-back]").is_visible() and not w.page.locator("[data-estimate]").first.is_visible()
    w.page.get_by_role("link", name="Show figures").click()
    assert w.page.locator("[data-estimate]").first.is_visible()
    w.page.get_by_role("link", name="Next").click()
    assert w.page.locator("[data-slide='3'][data-hidden]").count() == 1  # the next one is held back again
    w.assert_clean()

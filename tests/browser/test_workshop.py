"""The facilitator's journey and the projector theme, in Chromium."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.helpers import CSRF_RE

from .conftest import PROJECTOR_PAGE_TYPES, PageType, tap_answer

pytestmark = pytest.mark.browser

MIN_PROJECTOR_PX = 28
MIN_PROJECTOR_CONTRAST = 7.0

# For every visible piece of text: its rendered size in CSS px and its contrast with what is behind it.
TEXT_METRICS = """() => {
  const rgba = (s) => {
    const m = s && s.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return { rgb: p.slice(0, 3), a: p.length > 3 ? p[3] : 1 };
  };
  const lum = (rgb) => {
    const [r, g, b] = rgb.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const behind = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) return c.rgb;
    }
    return [255, 255, 255];
  };
  const out = [];
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!node.textContent.trim() || seen.has(el)) continue;
    seen.add(el);
    const box = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    const hidden = s.visibility === 'hidden' || el.closest('.visually-hidden, .skip, title');
    if (!box.width || !box.height || hidden) continue;
    let size = parseFloat(s.fontSize);
    let colour = s.color;
    if (el instanceof SVGElement) {
      const svg = el.ownerSVGElement;
      size *= svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;  // user units to px
      colour = s.fill;
    }
    const fg = rgba(colour).rgb, bg = behind(el);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    out.push({ text: node.textContent.trim().slice(0, 50), cls: el.getAttribute('class') || el.tagName,
               px: Math.round(size * 10) / 10, contrast: Math.round((hi + 0.05) / (lo + 0.05) * 100) / 100 });
  }
  return out;
}"""


@pytest.mark.parametrize("page_type", PROJECTOR_PAGE_TYPES, ids=[p.name for p in PROJECTOR_PAGE_TYPES])
def test_projector_is_readable_from_the_back_of_the_room(visit, page_type: PageType):
    w, _ = visit(page_type, "projector")
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
        while re.search(r"/quiz/(\d+|closing)$", phone.page.url):
            tap_answer(phone.page, n % phone.page.get_by_role("radio").count())
    else:
        # The browser's own cookie jar, without drawing every question: the journeys tap through them.
        path = urlsplit(phone.page.url).path
        while re.search(r"/quiz/(\d+|closing)$", path):
            html = phone.context.request.get(phone.base_url + path).text()
            options = re.findall(r'name="answer" value="([^"]+)"', html)
            token = CSRF_RE.search(html)
            assert token and options
            sent = phone.context.request.post(
                phone.base_url + path,
                form={"csrf_token": token.group(1), "answer": options[n % len(options)]},
                max_redirects=0,
            )
            assert sent.status == 303, sent.status
            path = urlsplit(sent.headers["location"]).path
        phone.goto(path)
    assert phone.page.url.endswith("/quiz/result")
    assert phone.page.locator("[data-counted-in-room]").is_visible()
    phone.assert_clean()
    phone.context.close()


def test_facilitator_opens_a_room_and_the_projector_waits_for_five_phones(open_page):
    projector = open_page("projector")
    page = projector.page
    projector.goto("/")
    page.get_by_role("link", name="Run a workshop").click()
    page.get_by_label("Room title").fill("Thursday workshop")
    page.get_by_role("button", name="Open a room").click()
    assert page.get_by_role("heading", name=re.compile("Your room is open")).is_visible()
    code = page.locator("[data-room-code]").first.get_attribute("data-room-code")
    assert code and re.fullmatch(r"[A-Z0-9]{6}", code)
    assert page.locator("[data-qr] svg").is_visible()
    projector.screenshot("workshop-created-projector")
    from axe_playwright_python.sync_playwright import Axe

    created = Axe().run(page)  # this page answers a POST only, so the page-type checks cannot reach it
    assert created.violations_count == 0, created.generate_snapshot()
    page.locator("[data-presenter-link]").click()
    assert page.get_by_role("heading", name="How this room answered").is_visible()
    # With JavaScript the projector keeps itself up to date, so its Refresh button is hidden.
    assert page.get_by_role("button", name="Refresh").is_hidden()

    for n in range(1, 6):
        assert page.locator("[data-figures]").count() == 0, f"the room was shown after only {n - 1}"
        assert page.locator("[data-waiting]").is_visible()
        _phone_finishes_quiz_in_room(open_page, code, n, by_hand=n == 1)
        if n == 1:
            # The projector polls, and reloads itself when someone finished.
            expect(page.locator("[data-finished]")).to_have_text("1", timeout=15_000)
            expect(page.locator("[data-status]")).to_contain_text("Waiting for 4 more")
            projector.screenshot("workshop-waiting-projector")
        elif n < 5:
            page.reload()  # what the server shows now, without waiting for the next poll
            assert page.locator("[data-finished]").inner_text().strip() == str(n)
            assert page.locator("[data-waiting]").get_attribute("data-waiting") == str(5 - n)

    # From the fifth finished quiz the room shows its estimates: the projector reloads itself with them.
    page.locator("[data-figures]").wait_for(timeout=20_000)
    assert page.locator("[data-finished]").inner_text().strip() == "5"
    assert page.locator("[data-average]").is_visible() and page.locator("[data-estimate]").count() > 0
    assert page.locator("[data-count]").count() == 0  # estimates with ranges, never a count of people
    projector.screenshot("workshop-shown-projector")

    # The walkthrough steps by arrow key.
    page.get_by_role("link", name="Walkthrough").click()
    assert page.locator("[data-walk-step='1']").is_visible()
    page.keyboard.press("ArrowRight")
    page.locator("[data-walk-step='2']").wait_for()
    page.keyboard.press("ArrowLeft")
    page.locator("[data-walk-step='1']").wait_for()
    projector.assert_clean()


def test_projector_without_javascript_offers_a_refresh_button(open_page, workshop_room):
    w = open_page("projector", js=False)
    w.goto(workshop_room.presenter_path)
    refresh = w.page.get_by_role("button", name="Refresh")
    assert refresh.is_visible()
    refresh.click()
    assert urlsplit(w.page.url).path == workshop_room.presenter_path
    assert w.page.locator("[data-figures]").is_visible()  # the room of five is shown
    w.page.get_by_role("link", name="Walkthrough").click()
    w.page.get_by_role("link", name="Next").click()  # without the arrow-key script, links step
    assert w.page.locator("[data-walk-step='2']").is_visible()
    w.assert_clean()

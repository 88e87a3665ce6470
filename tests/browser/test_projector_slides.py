"""The projector as a facilitator checks it: rooms of 5, 20 and 60 phones, at 1920x1080 and
1280x720; every slide on one screen, large enough for the back of the room; the lobby's
counts, stepping, holding figures back and closing the room, in Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import MIN_PROJECTOR_PX, QUESTIONS, TEXT_METRICS, HttpVisitor, LiveServer, Workshop, open_room

pytestmark = pytest.mark.browser

SIZES = {"1920x1080": {"width": 1920, "height": 1080}, "1280x720": {"width": 1280, "height": 720}}
LAST_SLIDE = QUESTIONS + 7  # lobby 0, scores, questions, closing, coin, two myth slides, summary, takeaway
COIN, SUMMARY = QUESTIONS + 3, QUESTIONS + 6
MIN_BAR_PX = 40
MIN_CODE_PX = 120
MIN_QR_PX = 500

_rooms: dict[int, Workshop] = {}


def room_of(server: LiveServer, phones: int) -> Workshop:
    """A room that `phones` phones joined (over HTTP, to keep it quick); all finish the quiz
    and half play the myth round, except in the room of 5, where one only joined: it stays
    below the minimum and shows what a small room shows."""
    if phones not in _rooms:
        room = open_room(server, f"Room of {phones}")
        for i in range(phones):
            phone = HttpVisitor(server)
            phone.join_room(room.code)
            if phones == 5 and i == 4:
                continue
            phone.complete_quiz(lambda step, options, i=i: options[(step * i + i) % len(options)])
            if i % 2 == 0:
                statements = re.findall(r'name="([\w-]+)" value="real"', phone.get("/myths/").text)
                phone.post_form("/myths/", {s: ("real", "myth")[(k + i) % 2] for k, s in enumerate(statements)})
        _rooms[phones] = room
    return _rooms[phones]


MEASURE = """() => {
  const box = (sel) => [...document.querySelectorAll(sel)].map((e) => e.getBoundingClientRect());
  const code = document.querySelector('.lobby-code');
  const floor = document.querySelector('main').getBoundingClientRect().bottom;  // the slide bar starts here
  return {
    scrollHeight: document.documentElement.scrollHeight, scrollWidth: document.documentElement.scrollWidth,
    bars: box('.share-bar').map((b) => b.height),
    qr: box('.lobby-qr svg').map((b) => Math.min(b.width, b.height)),
    code: code ? parseFloat(getComputedStyle(code).fontSize) : null,
    overflowing: [...document.querySelectorAll('.slide *')].filter((e) => {
      const b = e.getBoundingClientRect();
      return b.width && (b.bottom > floor + 1 || b.right > innerWidth + 1);
    }).map((e) => e.className.baseVal ?? e.className).slice(0, 5),
  };
}"""


def _longest_costly_habits() -> list[list[str]]:
    """The three costly habits whose words run longest, as the scores slide writes them: which
    habits a room ranks depends on its draw, so the layout must hold for the longest."""
    from app.scoring.bank import load_bank

    habits = [(o.text, q.text) for q in load_bank().questions for o in q.options if o.points < 50]
    return [list(h) for h in sorted(habits, key=lambda h: -len(h[0] + h[1]))[:3]]


LONGEST_COSTLY = """(habits) => {
  const items = [...document.querySelectorAll('.costly li')];
  items.forEach((li, i) => {
    const [option, question] = habits[i % habits.length];
    li.querySelector('strong').textContent = option;
    li.querySelector('.costly-question').textContent = question;
  });
  return items.length;
}"""


# The widest code the alphabet can make (app/rooms/codes.py), spoken in two halves.
WIDEST_CODE = "WMW-MWM"
CODE_BESIDE_QR = """(widest) => {
  // The layout must hold for any code, not only this room's.
  const halves = document.querySelectorAll('.lobby-code span');
  [halves[0].textContent, halves[1].textContent] = [widest.slice(0, 4), widest.slice(4)];
  const right = Math.max(...[...halves].map((h) => h.getBoundingClientRect().right));
  const lines = [...document.querySelectorAll('.lobby-text > *')];
  const bottom = Math.max(...lines.map((e) => e.getBoundingClientRect().bottom));
  return {text: right, qr: document.querySelector('.lobby-qr').getBoundingClientRect().left, bottom,
          floor: document.querySelector('main').getBoundingClientRect().bottom};
}"""


@pytest.mark.parametrize("phones", [5, 20, 60])
@pytest.mark.parametrize("size", list(SIZES))
def test_every_slide_fits_one_screen_and_reads_from_the_back(browser, live_server, phones, size):
    room = room_of(live_server, phones)
    context = browser.new_context(viewport=SIZES[size], java_script_enabled=False)  # the server's page, unmoving
    page = context.new_page()
    viewport = SIZES[size]
    try:
        # Each slide as it arrives (a question's figures held back) and, where it has some, revealed.
        for number, shown in [(n, s) for n in range(LAST_SLIDE + 1) for s in (False, True)]:
            path = room.presenter_path + (f"/slide/{number}" if number else "") + ("?shown=1" if shown else "")
            assert page.goto(live_server.url + path).status == 200, path
            if shown and page.locator("[data-toggle-figures]").count() == 0:
                continue  # nothing to reveal here
            page.screenshot(path=f"{_shots()}/slides-{phones}-{size}-{number:02d}{'-shown' if shown else ''}.png")
            m = page.evaluate(MEASURE)
            assert m["scrollHeight"] <= viewport["height"], (number, m)
            assert m["scrollWidth"] <= viewport["width"], (number, m)
            assert m["overflowing"] == [], (number, m)
            small = [t for t in page.evaluate(TEXT_METRICS) if t["px"] < MIN_PROJECTOR_PX]
            assert small == [], (number, small)
            assert all(h >= MIN_BAR_PX for h in m["bars"]), (number, m["bars"])
            if page.evaluate(LONGEST_COSTLY, _longest_costly_habits()):
                page.screenshot(path=f"{_shots()}/slides-{phones}-{size}-{number:02d}-longest-habits.png")
                longest = page.evaluate(MEASURE)["overflowing"]
                assert longest == [], f"slide {number}: the longest costly habits run under the slide bar: {longest}"
            if number == 0:
                assert m["code"] >= MIN_CODE_PX and m["qr"] and m["qr"][0] >= MIN_QR_PX, m
                edges = page.evaluate(CODE_BESIDE_QR, WIDEST_CODE)
                assert edges["text"] <= edges["qr"], f"the code runs under the QR code: {edges}"
                assert edges["bottom"] <= edges["floor"] + 1, f"the lobby runs under the slide bar: {edges}"
            elif phones >= 20 and 2 <= number <= QUESTIONS + 2:
                assert m["bars"], f"slide {number} of a room of {phones} shows its estimates"
                assert page.locator("[data-held-back]").is_visible() != shown, (number, shown)
            elif phones >= 20 and number == COIN:
                changed = int(page.locator("[data-coin-changed]").get_attribute("data-coin-changed"))
                assert 0 < changed < phones * (QUESTIONS + 1) and page.locator("[data-coin-average]").is_visible()
            elif phones >= 20 and number == SUMMARY:
                for part in ("average", "watched", "costliest", "myth"):
                    assert page.locator(f"[data-summary-{part}]").is_visible(), part
        # a small room says something, and never a figure of its own
        if phones == 5:
            first_question = page.goto(live_server.url + room.presenter_path + "/slide/2")
            assert first_question and page.locator("[data-small-room='4']").is_visible()
            assert page.locator("[data-room-figures]").count() == 0
    finally:
        context.close()


def _shots() -> str:
    from .conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return str(SCREENSHOTS)


def _phone_joins_in_a_browser(open_page, code: str) -> None:
    phone = open_page("phone")
    phone.goto(f"/r/{code}")
    with phone.page.expect_navigation():
        phone.page.get_by_role("button", name="Join and start the quiz").click()
    phone.assert_clean()


def test_the_lobby_counts_joins_before_anyone_finishes_then_steps_reveals_and_closes(
    open_page, live_server: LiveServer
):
    room = open_room(live_server, "Live room")
    wall = open_page("projector")
    page = wall.page
    wall.goto(room.presenter_path)
    page.wait_for_load_state("load")
    expect(page.locator("[data-joined]")).to_have_text("0")
    for joined in (1, 2):
        _phone_joins_in_a_browser(open_page, room.code)
        expect(page.locator("[data-joined]")).to_have_text(str(joined), timeout=10_000)  # polled, no one finished
        expect(page.locator("[data-finished]")).to_have_text("0")
    for i in range(5):
        phone = HttpVisitor(live_server)
        phone.join_room(room.code)
        phone.complete_quiz(lambda step, options, i=i: options[(step + i) % len(options)])
    expect(page.locator("[data-finished]")).to_have_text("5", timeout=10_000)
    expect(page.locator("[data-joined]")).to_have_text("7")
    wall.screenshot("slides-live-lobby")

    # Keyboard and clicks step; each slide's figures are held back on arrival, and revealed by a
    # click on the slide or R (H too); the next click steps on.
    page.keyboard.press("ArrowRight")
    page.locator("[data-slide='1'][data-hidden]").wait_for()
    page.wait_for_load_state("load")
    page.locator(".slide-title").click()  # the first click reveals the room's score
    expect(page.locator("[data-slide='1'][data-revealed]")).to_have_count(1)
    page.locator(".slide-title").click()  # the next one steps forward
    page.locator("[data-slide='2']").wait_for()
    page.wait_for_load_state("load")
    estimate = page.locator("[data-room-figures] [data-estimate]").first
    expect(estimate).to_be_hidden()
    assert page.locator("[data-held-back]").is_visible()
    page.keyboard.press("r")
    expect(estimate).to_be_visible()
    assert "shown=1" in page.url and not page.locator("[data-held-back]").is_visible()
    page.keyboard.press("h")
    expect(estimate).to_be_hidden()
    page.keyboard.press("r")
    page.keyboard.press("ArrowRight")  # the next question is held back again: the room guesses first
    page.locator("[data-slide='3'][data-hidden]").wait_for()
    page.wait_for_load_state("load")
    page.keyboard.press("r")
    expect(page.locator("[data-room-figures] [data-estimate]").first).to_be_visible()
    page.keyboard.press("ArrowLeft")
    page.locator("[data-slide='2'][data-hidden]").wait_for()

    # The facilitator closes the room from the controls (never on the wall): the wall says so.
    with page.expect_navigation():
        page.keyboard.press("c")
    page.locator("[data-close-room]").click()
    page.wait_for_url(re.compile(r"/controls$"))
    assert page.get_by_role("button", name="Open to new answers again").is_visible()
    wall.goto(room.presenter_path)
    assert page.locator("[data-closed]").is_visible()
    late = HttpVisitor(live_server)
    assert late.get(f"/r/{room.code}").status == 409
    wall.assert_clean()


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def test_the_debrief_prints_on_two_a4_pages_and_the_handout_on_one(browser, live_server):
    """Chromium's own print to PDF, as a facilitator's Print button would make it."""
    room = room_of(live_server, 60)
    context = browser.new_context(viewport=SIZES["1280x720"])
    page = context.new_page()
    try:
        for name, most in (("debrief", 2), ("handout", 1)):
            assert page.goto(f"{live_server.url}{room.presenter_path}/{name}").status == 200
            pdf = page.pdf(format="A4", print_background=False)
            (_shots_path() / f"{name}-60.pdf").write_bytes(pdf)
            assert 1 <= _pdf_pages(pdf) <= most, (name, _pdf_pages(pdf))
    finally:
        context.close()


def _shots_path():
    from pathlib import Path

    return Path(_shots())

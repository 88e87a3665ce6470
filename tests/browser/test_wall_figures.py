"""The wall's figures as the back of the room reads them, with the site's own minimums (10
finished at ln 4): rooms of 5, 12, 25 and 60 at each level, at 1920x1080 and 1280x720. Equal
shares are bars of equal length, a question's shares add to 100, every slide of figures says
how many they rest on, and a room below its level's minimum shows none (an ln 2 room of 20)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.scoring import load_bank, load_myths

from .conftest import SCREENSHOTS, LiveServer, Workshop, open_room, serve

pytestmark = pytest.mark.browser

BANK = load_bank()
MYTHS = load_myths()
QUESTIONS = len(BANK.questions)
# the scores, each question, the closing question, then (after the coin's slide) two myth slides
FIGURE_SLIDES = [*range(1, QUESTIONS + 3), QUESTIONS + 4, QUESTIONS + 5]
SHOWN = "?shown=1"  # figure slides open hidden (the room guesses first): these read them revealed
SIZES = {"1920x1080": {"width": 1920, "height": 1080}, "1280x720": {"width": 1280, "height": 720}}
ROOMS = [(n, odds) for odds in (2, 4, 9) for n in (5, 12, 25, 60)] + [(20, 2)]
SHOWN_FROM = {2: 50, 4: 10, 9: 10}  # app/disclosure/minimums.py at MIN_FINISHED's default
SITE = 100  # the site's own finished quizzes (at its level, ln 4): a small room shows the site's


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[LiveServer, Path]]:
    home = tmp_path_factory.mktemp("wall")
    # MIN_FINISHED left at its default; one address opens every room here
    for running in serve(home, {"RATE_LIMIT_ROOMS": "100 per hour"}):
        fill(home / "browser.sqlite3", "global", SITE)
        yield running, home / "browser.sqlite3"


def spread(n: int, values: list[str]) -> dict[str, int]:
    """n counts spread as evenly as they go: equal counts make equal shares to draw."""
    base, extra = divmod(n, len(values))
    return {v: base + (i < extra) for i, v in enumerate(values)}


def fill(database: Path, scope: str, n: int) -> None:
    """A scope's counters as n finished quizzes (and n/2 myth rounds) would leave them: fast."""
    with sqlite3.connect(database) as db:
        rows = [("completions", "", n), ("myth_rounds", "", n // 2)]
        for q in BANK.questions:
            rows += [("answer:" + q.id, v, c) for v, c in spread(n, [o.id for o in q.options]).items()]
        rows += [("chilling", v, c) for v, c in spread(n, ["no", "considered", "changed"]).items()]
        for s in MYTHS.statements:
            rows += [("myth:" + s.id, v, c) for v, c in spread(n // 2, ["right", "wrong"]).items()]
        for metric, value, count in rows:
            updated = db.execute(
                "UPDATE counter SET count = ? WHERE scope = ? AND metric = ? AND value = ?",
                (count, scope, metric, value),
            )
            assert updated.rowcount == 1, (metric, value)


_rooms: dict[tuple[int, int], Workshop] = {}


def room_of(server: tuple[LiveServer, Path], n: int, odds: int) -> Workshop:
    if (n, odds) not in _rooms:
        room = open_room(server[0], f"{n} at ln {odds}", odds=odds)
        with sqlite3.connect(server[1]) as db:
            (room_id,) = db.execute("SELECT id FROM room WHERE code = ?", (room.code,)).fetchone()
        fill(server[1], "room:" + room_id, n)
        _rooms[n, odds] = room
    return _rooms[n, odds]


READ = """() => {
  const px = (e) => e.getBoundingClientRect();
  const lists = [...document.querySelectorAll('.share-rows, .myth-rows')].map((list) => ({
    kind: list.matches('[data-room-figures], [data-chilling]') ? 'room'
      : list.matches('[data-site-figures]') ? 'site' : 'other',
    rows: [...list.querySelectorAll('.share-bar')].map((bar) => ({
      percent: +bar.dataset.shareBar,
      printed: +bar.parentElement.querySelector('[data-estimate]').dataset.estimate,
      fill: bar.querySelector('.share-fill') ? px(bar.querySelector('.share-fill')).width : 0,
      track: px(bar).width,
    })),
  }));
  const from = document.querySelector('[data-figures-from]');
  const title = [...document.querySelectorAll('.slide-title, .slide-subtitle')].map((t) => t.textContent).join(' ');
  const small = document.querySelector('[data-small-room], [data-myths-waiting]');
  return {lists, from: from && from.checkVisibility() ? +from.dataset.figuresFrom : null,
          small: small && small.checkVisibility() ? small.textContent : null, title,
          siteNote: !!document.querySelector('[data-site-figures-note]'),
          scroll: document.documentElement.scrollHeight > innerHeight};
}"""


def check_slide(m: dict, n: int, odds: int, number: int) -> None:
    counted = n // 2 if number >= QUESTIONS + 3 else n  # the myth slides rest on the rounds played
    bars = [r for lst in m["lists"] for r in lst["rows"]]
    if counted < SHOWN_FROM[odds]:
        room_bars = [r for lst in m["lists"] if lst["kind"] == "room" for r in lst["rows"]]
        assert room_bars == [], f"a room of {n} at ln {odds} shows figures of its own on slide {number}"
        assert m["small"] and str(counted) in m["small"], f"slide {number} does not say how many finished"
        if bars:  # the site's figures instead, said to be the site's, with what they rest on
            assert m["siteNote"] and m["from"] == (SITE // 2 if number >= QUESTIONS + 4 else SITE), number
            assert "room" not in m["title"].lower(), f"slide {number} titles the site's figures as the room's"
    else:
        assert m["from"] == counted, f"slide {number} does not say what its figures rest on"
    for lst in m["lists"]:
        rows = lst["rows"]
        if lst["kind"] in ("room", "site"):
            assert sum(r["printed"] for r in rows) == 100, (number, rows)
        assert len({round(r["track"]) for r in rows}) <= 1, f"tracks of different widths on slide {number}: {rows}"
        for a in rows:
            for b in rows:
                if a["percent"] == b["percent"]:
                    assert abs(a["fill"] - b["fill"]) <= 1, f"equal shares drawn apart on slide {number}: {rows}"


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize(("n", "odds"), ROOMS)
def test_the_wall_draws_honest_figures_that_read_at_a_glance(browser, server, size, n, odds):
    room = room_of(server, n, odds)
    context = browser.new_context(viewport=SIZES[size], java_script_enabled=False)
    page = context.new_page()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        for number in FIGURE_SLIDES:
            assert page.goto(server[0].url + room.presenter_path + f"/slide/{number}{SHOWN}").status == 200
            page.screenshot(path=str(SCREENSHOTS / f"wall-{n}-ln{odds}-{size}-{number:02d}.png"))
            m = page.evaluate(READ)
            assert not m["scroll"], f"slide {number} scrolls"
            check_slide(m, n, odds, number)
    finally:
        context.close()


def test_an_ln2_room_of_20_shows_no_share_and_says_why(browser, server):
    room = room_of(server, 20, 2)
    context = browser.new_context(viewport=SIZES["1920x1080"], java_script_enabled=False)
    page = context.new_page()
    try:
        for number in FIGURE_SLIDES:
            page.goto(server[0].url + room.presenter_path + f"/slide/{number}{SHOWN}")
            # none of the room's own: its shares, its closing answers, its average (the site's may show, as the site's)
            assert page.locator("[data-room-figures], [data-chilling], [data-average]").count() == 0, number
            titles = " ".join(page.locator(".slide-title, .slide-subtitle").all_inner_texts()).lower()
            assert "room" not in titles, number
        page.goto(server[0].url + room.presenter_path + "/slide/2")
        assert "50" in page.locator("[data-small-room]").inner_text()
    finally:
        context.close()


@pytest.mark.parametrize(("n", "odds"), [(12, 4), (60, 2)])
def test_figure_slides_on_a_phone(browser, server, n, odds):
    """A facilitator checking the deck on a phone: stacked, scrolled, still drawn alike."""
    room = room_of(server, n, odds)
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    try:
        for number in (1, 2, QUESTIONS + 2, QUESTIONS + 4):
            page.goto(server[0].url + room.presenter_path + f"/slide/{number}{SHOWN}")
            page.screenshot(path=str(SCREENSHOTS / f"wall-{n}-ln{odds}-phone-{number:02d}.png"), full_page=True)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1280, "height": 800}])
def test_the_new_room_form_puts_each_level_beside_its_words(browser, server, viewport):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    try:
        page.goto(server[0].url + "/rooms/new")
        page.screenshot(path=str(SCREENSHOTS / f"new-room-{viewport['width']}.png"), full_page=True)
        boxes = page.evaluate(
            """() => [...document.querySelectorAll('.levels .option')].map((o) => {
                const r = o.querySelector('input').getBoundingClientRect();
                const t = o.querySelector('span').getBoundingClientRect();
                return {radio: [r.left, r.right, r.top, r.width], text: [t.left, t.top], height: o.offsetHeight};
            })"""
        )
        assert len(boxes) >= 3
        for b in boxes:
            assert b["radio"][1] <= b["text"][0], b  # the radio to the left of its words
            assert abs(b["radio"][2] - b["text"][1]) < 12, b  # on the words' first line
            assert b["radio"][3] < 40 and b["height"] < 220, b  # a radio's size, the option no taller than its words
    finally:
        context.close()

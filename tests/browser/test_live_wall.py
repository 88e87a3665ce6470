"""The wall as a workshop runs it, in Chromium at 1920x1080 and 1280x720: updates arrive in
place (no reload: full screen and the reveal survive), the poll answers 304 while nothing
changed, the controls jump to any slide, the phone shows where it stands against the room,
and the CSV opens in a spreadsheet."""

from __future__ import annotations

import csv
import io
import re
import urllib.parse
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import QUESTIONS, SCREENSHOTS, HttpVisitor, LiveServer, Watched, open_room, take_quiz

pytestmark = pytest.mark.browser

SIZES = {"1920x1080": {"width": 1920, "height": 1080}, "1280x720": {"width": 1280, "height": 720}}
MIN_FINISHED = 5  # the live server's (tests/browser/conftest.py)


def _finish(server: LiveServer, code: str, i: int) -> None:
    phone = HttpVisitor(server)
    phone.join_room(code)
    phone.complete_quiz(lambda step, options: options[(step + i) % len(options)])


def _wall(open_page, size: str, **options) -> Watched:
    wall = open_page("projector", **options)
    wall.page.set_viewport_size(SIZES[size])
    return wall


@pytest.mark.parametrize("size", list(SIZES))
def test_an_update_arrives_in_place_and_full_screen_and_the_reveal_survive(open_page, live_server, size):
    room = open_room(live_server, f"Live {size}")
    for i in range(MIN_FINISHED - 1):
        _finish(live_server, room.code, i)
    wall = _wall(open_page, size)
    page = wall.page
    polls: list[int] = []
    page.on("response", lambda r: "/poll" in r.url and polls.append(r.status))

    wall.goto(room.presenter_path + "/slide/2")  # the first question
    page.wait_for_load_state("load")
    assert page.locator("[data-slide='2'][data-hidden]").count() == 1  # held back on arrival
    page.evaluate("() => { window.wallMarker = 'still here'; }")
    page.keyboard.press("f")
    page.wait_for_function("() => document.fullscreenElement !== null")
    page.keyboard.press("r")
    expect(page.locator("[data-slide='2'][data-revealed]")).to_have_count(1)
    page.wait_for_function(
        "() => performance.getEntriesByType('resource').filter((e) => e.name.includes('/poll')).length >= 2"
    )
    assert 304 in polls  # nothing changed yet: the poll said so in a header

    _finish(live_server, room.code, MIN_FINISHED)  # the room reaches its minimum: its own figures appear
    expect(page.locator("[data-room-figures] [data-estimate]").first).to_be_visible(timeout=15_000)
    still = page.evaluate("() => [window.wallMarker, document.fullscreenElement !== null]")
    assert still == ["still here", True]  # the same document: no reload, still full screen
    assert page.locator("[data-slide='2'][data-hidden]").count() == 0  # and still revealed
    wall.screenshot(f"live-first-question-{size}")

    before = page.locator("[data-room-figures] [data-estimate]").evaluate_all("(e) => e.map((x) => x.dataset.estimate)")
    for i in range(3):
        _finish(live_server, room.code, 20 + i)  # the same answer each, so the shares move
    page.wait_for_function(
        "(before) => JSON.stringify([...document.querySelectorAll('[data-room-figures] [data-estimate]')]"
        ".map((x) => x.dataset.estimate)) !== JSON.stringify(before)",
        arg=before,
        timeout=15_000,
    )
    assert page.evaluate("() => [window.wallMarker, document.fullscreenElement !== null]") == ["still here", True]
    assert polls.count(200) >= 2 and all(s in (200, 304) for s in polls)
    wall.assert_clean()


@pytest.mark.parametrize("size", list(SIZES))
def test_the_lobby_s_counts_tick_in_place(open_page, live_server, size):
    room = open_room(live_server, f"Lobby {size}")
    wall = _wall(open_page, size)
    wall.goto(room.presenter_path)
    wall.page.wait_for_load_state("load")
    wall.page.evaluate("() => { window.wallMarker = 1; }")
    _finish(live_server, room.code, 0)
    expect(wall.page.locator("[data-finished]")).to_have_text("1", timeout=15_000)
    expect(wall.page.locator("[data-joined]")).to_have_text("1")
    assert wall.page.evaluate("() => window.wallMarker") == 1
    wall.assert_clean()


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_bars_grow_when_revealed_and_move_when_updated_except_under_reduced_motion(open_page, live_server, motion):
    room = open_room(live_server, f"Motion {motion}")
    for i in range(MIN_FINISHED):
        _finish(live_server, room.code, i)
    wall = _wall(open_page, "1920x1080", reduced_motion=motion)
    wall.goto(room.presenter_path + "/slide/2")
    wall.page.wait_for_load_state("load")
    wall.page.keyboard.press("r")
    style = wall.page.locator("[data-room-figures] svg.figure").first.evaluate(
        "(svg) => [getComputedStyle(svg).animationName, getComputedStyle(svg.querySelector('rect')).transitionDuration]"
    )
    durations = set(style[1].split(", "))  # one a property: x and width
    assert (style[0], durations) == (("grow", {"0.6s"}) if motion == "no-preference" else ("none", {"0s"}))


@pytest.mark.parametrize("size", list(SIZES))
def test_the_controls_jump_to_any_slide_and_offer_a_short_deck(open_page, live_server, size):
    room = open_room(live_server, f"Jump {size}")
    wall = _wall(open_page, size)
    wall.goto(room.presenter_path + "/controls")
    page = wall.page
    assert page.locator("[data-jump]").count() == QUESTIONS + 8
    wall.screenshot(f"controls-overview-{size}")
    page.locator(f"[data-jump='{QUESTIONS + 2}']").click()  # the closing question, without stepping through 17
    page.locator("[data-slide-kind='closing']").wait_for()
    page.keyboard.press("c")
    page.locator("[data-deck='short']").click()
    short = page.locator("[data-jump]").count()
    assert short == 8
    page.locator("[data-open-projector]").click()
    page.wait_for_load_state("load")
    for _ in range(short - 1):
        with page.expect_navigation(wait_until="load"):
            page.keyboard.press("ArrowRight")
    page.locator("[data-slide-kind='takeaway']").wait_for()
    wall.assert_clean()


def test_the_phone_shows_where_it_stands_against_the_room(open_page, live_server):
    room = open_room(live_server, "Phones and wall")
    for i in range(MIN_FINISHED):
        _finish(live_server, room.code, i)
    phone = open_page("phone")
    phone.goto(f"/r/{room.code}")
    with phone.page.expect_navigation():
        phone.page.get_by_role("button", name="Join and start the quiz").click()
    take_quiz(phone.page)
    standing = phone.page.locator("[data-room-standing]")
    expect(standing).to_contain_text("You against this room:")
    wall = HttpVisitor(live_server).get(room.presenter_path + "/slide/1").text
    average = re.search(r'<li data-average="(\d+)"', wall)
    assert average and f"an estimated {average.group(1)} on average" in standing.inner_text()
    expect(phone.page.locator("[data-standing]")).to_contain_text("You against everyone:")  # beside the site
    standing.scroll_into_view_if_needed()
    shot = phone.screenshot("phone-result-against-room-390")  # the whole page
    phone.page.screenshot(path=str(shot.with_name("phone-result-against-room-390-view.png")))  # where it stands
    phone.assert_clean()


def test_the_csv_opens_in_a_spreadsheet_with_every_row_as_long_as_the_header(open_page, live_server):
    room = open_room(live_server, "Spreadsheet")
    for i in range(MIN_FINISHED):
        _finish(live_server, room.code, i)
    facilitator = open_page("desktop")
    facilitator.goto(room.presenter_path + "/controls")
    with facilitator.page.expect_download() as download:
        facilitator.page.locator("[data-debrief-csv]").click()
    body = Path(download.value.path()).read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) > QUESTIONS and {len(r) for r in rows} == {len(rows[0])}
    header = rows[0]
    score = next(r for r in rows if r[0] == "score")
    assert score[header.index("score")] and not score[header.index("percent")]
    facilitator.assert_clean()


OVERFLOWING = """() => {
  const floor = document.querySelector('main').getBoundingClientRect().bottom;
  return [...document.querySelectorAll('.slide *')].filter((e) => {
    const b = e.getBoundingClientRect();
    return b.width && (b.bottom > floor + 1 || b.right > innerWidth + 1);
  }).map((e) => e.className.baseVal ?? e.className).slice(0, 5);
}"""


@pytest.mark.parametrize("language", ["de", "zh"])
def test_the_coin_summary_and_takeaway_fit_1280x720_in_the_longer_languages(browser, live_server, language):
    created = HttpVisitor(live_server).post_form("/rooms/new", {"title": f"Raum {language}", "language": language})
    room_path = urllib.parse.urlsplit(re.search(r'href="([^"]+)" data-presenter-link', created.text).group(1)).path
    code = re.search(r'data-room-code="([^"]+)"', created.text).group(1)
    for i in range(MIN_FINISHED + 3):
        phone = HttpVisitor(live_server)
        phone.join_room(code)
        phone.complete_quiz(lambda step, options, i=i: options[(step * i + i) % len(options)])
        statements = re.findall(r'name="([\w-]+)" value="real"', phone.get("/myths/").text)
        phone.post_form("/myths/", {s: ("real", "myth")[(k + i) % 2] for k, s in enumerate(statements)})
    context = browser.new_context(viewport=SIZES["1280x720"], java_script_enabled=False)
    page = context.new_page()
    try:
        for number in (QUESTIONS + 3, QUESTIONS + 6, QUESTIONS + 7):  # the coin, the summary, the takeaway
            assert page.goto(f"{live_server.url}{room_path}/slide/{number}").status == 200
            page.screenshot(path=str(SCREENSHOTS / f"slides-{language}-1280x720-{number:02d}.png"))
            assert page.evaluate("document.documentElement.scrollHeight") <= 720, number
            assert page.evaluate(OVERFLOWING) == [], number
    finally:
        context.close()

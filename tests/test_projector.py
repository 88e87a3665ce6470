"""The facilitator's projector: the joined count, the way back to it, and what the slides show."""

from __future__ import annotations

import ast
import csv
import io
from pathlib import Path

from app.content import closing_question as chilling
from app.counting.items import CHILLING_IDS
from tests.helpers import QuizDriver, csrf_token, open_room

ROOT = Path(__file__).resolve().parents[1]


def join(app, code: str):
    browser = app.test_client()
    page = browser.get(f"/r/{code}").get_data(as_text=True)
    assert browser.post(f"/r/{code}", data={"csrf_token": csrf_token(page)}).status_code == 303
    return browser


def test_the_joined_count_moves_at_each_join_before_anyone_finishes(app, client):
    code, link, _ = open_room(client)
    etag = client.get(f"{link}/poll").headers["ETag"]
    browsers = [join(app, code) for _ in range(3)]
    poll = client.get(f"{link}/poll", headers={"If-None-Match": etag})
    assert poll.status_code == 200 and poll.get_json()["joined"] == 3 and poll.get_json()["finished"] == 0
    # joining again from the same cookie counts nothing more
    again = browsers[0].get(f"/r/{code}").get_data(as_text=True)
    browsers[0].post(f"/r/{code}", data={"csrf_token": csrf_token(again)})
    lobby = client.get(link).get_data(as_text=True)
    assert "data-joined>3<" in lobby and "data-finished>0<" in lobby


def test_a_small_room_shows_counts_and_the_site_s_figures_never_its_own(app, client, bank):
    for _ in range(app.config["MIN_FINISHED"]):
        QuizDriver(app.test_client(), bank).complete()  # the site has enough to show
    code, link, _ = open_room(client)
    QuizDriver(join(app, code), bank).complete()
    page = client.get(f"{link}/slide/2").get_data(as_text=True)
    assert 'data-small-room="1"' in page and "data-site-figures" in page and "data-room-figures" not in page
    assert "100%" not in page.split("data-site-figures")[0]  # nothing of the room's own before the site's
    scores = client.get(f"{link}/slide/1").get_data(as_text=True)
    assert "data-site-average" in scores and 'data-average="' not in scores
    assert "habits that cost everyone most" in scores  # ranked or, from few people, "likely among"


def test_the_browser_that_opened_a_room_can_go_back_to_its_projector(app, client):
    page = client.get("/rooms/new").get_data(as_text=True)
    created = client.post("/rooms/new", data={"csrf_token": csrf_token(page), "title": "Back again"})
    (cookie,) = [c for c in created.headers.getlist("Set-Cookie") if c.startswith("presenter-")]
    assert "HttpOnly" in cookie and "Path=/rooms/" in cookie and "SameSite=Strict" in cookie
    assert "Expires=" not in cookie and "Max-Age" not in cookie  # it ends with the browser, like the session
    code = cookie.split("=", 1)[0].removeprefix("presenter-")
    offered = client.get("/rooms/new").get_data(as_text=True)
    assert f'data-back-to="{code}"' in offered and "Back to the projector of Back again" in offered
    back = client.get(f"/rooms/{code}/present")
    assert back.status_code == 303 and back.headers["Location"].startswith(f"/rooms/{code}/present/")
    secret = back.headers["Location"].rsplit("/", 1)[1]
    assert secret not in offered  # the page offers the way back without carrying the secret
    # another browser, or a forged cookie, gets nowhere
    assert app.test_client().get(f"/rooms/{code}/present").status_code == 404
    forged = app.test_client()
    forged.set_cookie(f"presenter-{code}", "x" * 32, path="/rooms/")
    assert forged.get(f"/rooms/{code}/present").status_code == 404
    assert "data-back-to" not in forged.get("/rooms/new").get_data(as_text=True)


def test_the_wall_shows_no_expiry_date_and_no_close_button(app, client):
    _code, link, _ = open_room(client)
    for path in (link, f"{link}/slide/1", f"{link}/slide/2"):
        page = client.get(path).get_data(as_text=True)
        assert "deleted on" not in page and "data-close-room" not in page and "data-presenter-link" not in page
    controls = client.get(f"{link}/controls").get_data(as_text=True)
    assert "data-close-room" in controls and "data-expiry" in controls and 'data-copy="presenter-link"' in controls


def test_the_csv_holds_the_room_s_and_the_site_s_estimates_with_ranges(app, client, bank):
    code, link, _ = open_room(client)
    for _ in range(app.config["MIN_FINISHED"]):
        QuizDriver(join(app, code), bank).complete()
    rows = list(csv.DictReader(io.StringIO(client.get(f"{link}/debrief.csv").get_data().decode("utf-8-sig"))))
    assert next(r for r in rows if r["item"] == "joined")["count"] == str(app.config["MIN_FINISHED"])
    answers = [r for r in rows if r["section"] == "answer"]
    assert answers and all(r["site_percent"] and r["site_percent_low"] and r["site_percent_high"] for r in answers)
    assert all(int(r["site_percent_low"]) <= int(r["site_percent"]) <= int(r["site_percent_high"]) for r in answers)


def test_the_csv_opens_in_a_spreadsheet_with_a_column_per_kind_of_figure(app, client, bank):
    code, link, _ = open_room(client)
    for _ in range(app.config["MIN_FINISHED"]):
        QuizDriver(join(app, code), bank).complete()
    body = client.get(f"{link}/debrief.csv").get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs to read UTF-8
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len({len(row) for row in rows}) == 1 and len(rows) > 20  # every row has every column
    table = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    score = next(r for r in table if r["section"] == "score")
    assert 350 <= int(score["score"]) <= 950 and score["percent"] == ""  # a score is never in a percent column
    answers = [r for r in table if r["section"] == "answer"]
    assert all(r["score"] == "" and 0 <= int(r["percent"]) <= 100 for r in answers)


def test_the_handout_holds_the_prompts_even_for_a_small_room(client):
    _code, link, _ = open_room(client)
    handout = client.get(f"{link}/handout").get_data(as_text=True)
    assert handout.count("data-prompt=") == 3 and 'class="ask"' in handout


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            found.update(f"{'.' * node.level}{node.module or ''}:{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_the_room_store_and_what_it_imports_hold_no_translated_text():
    """store -> tally -> disclosure.counting: none of them imports gettext or the worded chilling question."""
    for module in (
        "app/rooms/store.py",
        "app/store/counters.py",
        "app/counting/items.py",
        "app/counting/start_token.py",
    ):
        imported = _imports(ROOT / module)
        assert not any("babel" in i or "chilling:" in i or i.endswith(":chilling") for i in imported), module
    assert tuple(chilling.OPTIONS) == CHILLING_IDS  # every counted closing answer has its wording


def test_the_lobby_says_go_to_the_site_and_enter_the_code_once(client):
    _code, link, _ = open_room(client)
    lobby = client.get(link).get_data(as_text=True)
    shown = lobby[lobby.index('class="lobby-url"') :]
    assert shown[shown.index(">") + 1 : shown.index("</p>")] == "localhost"  # the code is not in the address


def test_the_poll_carries_the_slide_drawn_again_and_still_answers_304_while_nothing_changed(app, client, bank):
    code, link, _ = open_room(client)
    first = client.get(f"{link}/poll?slide=2")
    etag = first.headers["ETag"]
    assert 'data-walk-question="' in first.get_json()["slide"] and "data-live-bar" in first.get_json()["bar"]
    assert client.get(f"{link}/poll?slide=2", headers={"If-None-Match": etag}).status_code == 304
    for _ in range(app.config["MIN_FINISHED"]):
        QuizDriver(join(app, code), bank).complete()
    changed = client.get(f"{link}/poll?slide=2", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "data-room-figures" in changed.get_json()["slide"]
    # the fragment is the very markup the page holds, so the projector can swap it in place
    page = client.get(f"{link}/slide/2").get_data(as_text=True)
    assert changed.get_json()["slide"] in page
    assert client.get(f"{link}/poll?slide=999").status_code == 404


def test_the_coin_slide_counts_what_the_coin_changed_in_the_room_from_its_level_and_size(app, client, bank):
    code, link, _ = open_room(client)
    n = app.config["MIN_FINISHED"]
    for _ in range(n):
        QuizDriver(join(app, code), bank).complete()
    coin = client.get(f"{link}/slide/{len(bank.questions) + 3}").get_data(as_text=True)
    sizes = [len(q.options) for q in bank.questions] + [len(CHILLING_IDS)]
    expected = round(n * sum((m - 1) / (4 + m - 1) for m in sizes))  # ε = ln 4: kept with odds 4 to 1 each
    assert f'data-coin-changed="{expected}"' in coin and f"Of this room's {n * len(sizes)} answers" in coin
    assert "data-coin-average" in coin and "80%" in coin  # the room's average still holds; a guess is right at most 80%


def test_the_summary_slide_shows_the_room_beside_the_site_and_ranks_no_one(app, client, bank):
    for _ in range(app.config["MIN_FINISHED"]):
        QuizDriver(app.test_client(), bank).complete()  # the site has figures too
    code, link, _ = open_room(client)
    last = len(bank.questions) + 6
    assert "data-small-room" in client.get(f"{link}/slide/{last}").get_data(as_text=True)  # nothing before the minimum
    for _ in range(app.config["MIN_FINISHED"]):
        QuizDriver(join(app, code), bank).complete()
    summary = client.get(f"{link}/slide/{last}").get_data(as_text=True)
    assert 'data-slide-kind="summary"' in summary
    for part in ("data-summary-average", "data-summary-watched", "data-summary-costliest", "data-summary-myth"):
        assert part in summary
    assert "Everyone on this site:" in summary and "data-hidden" not in summary


def test_the_controls_list_every_slide_to_jump_to_and_offer_a_shorter_deck(client, bank):
    _code, link, _ = open_room(client)
    full = client.get(f"{link}/controls").get_data(as_text=True)
    jumps = full.count("data-jump=")
    assert jumps == len(bank.questions) + 8 and f'href="{link}/slide/{len(bank.questions) + 2}" data-jump' in full
    short = client.get(f"{link}/controls?deck=short").get_data(as_text=True)
    assert short.count("data-jump=") == jumps - len(bank.questions)
    assert f'href="{link}?deck=short" data-open-projector' in short
    closing = client.get(f"{link}/slide/2?deck=short").get_data(as_text=True)
    assert 'data-slide-kind="closing"' in closing and f'href="{link}/slide/3?deck=short"' in closing

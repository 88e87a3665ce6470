"""Property: every figure any page shows is computed from the randomized counters alone.

For any set of visitors (their true answers, closing answers, myth rounds, in a room or
not), the pages that publish figures (/stats, a visitor's result and myth result, the
projector's lobby and every slide of the deck, its poll, the controls, the debrief, the
handout and the CSV) answer 200 and are byte for byte the same when rendered from a
database that holds nothing but those counters (and the room's row), copied in by hand:
no true answer, token or anything else the visitors' requests left behind can reach a page.
And the counters hold only the randomized values: each is the sum of the receipts.
"""

from __future__ import annotations

from collections import Counter as Multiset

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select

from app.content.closing_question import OPTION_IDS as CHILLING_IDS
from app.extensions import cache
from app.rooms.slides import deck
from app.scoring import load_bank, load_myths
from app.store import hygiene as storage
from app.store.models import Counter, Room, SpentToken
from tests.helpers import QuizDriver, csrf_token, open_room, without_csrf_token
from tests.receipts import counted

pytestmark = pytest.mark.slow  # make test runs it; make check leaves it out

BANK = load_bank()
MYTHS = load_myths()

visitor = st.fixed_dictionaries(
    {
        "answers": st.tuples(*(st.sampled_from([o.id for o in q.options]) for q in BANK.questions)),
        "chilling": st.sampled_from(CHILLING_IDS),
        "in_room": st.booleans(),
        "myths": st.none() | st.tuples(*(st.sampled_from(["real", "myth"]) for _ in MYTHS.statements)),
    }
)


def figure_paths(link: str) -> list[str]:
    """Every page and export that shows a figure: /stats, and for the room the projector's lobby,
    every slide of its deck, the poll, the controls, the debrief, the handout and the CSV."""
    slides = [f"{link}/slide/{n}" for n in range(1, len(deck(BANK, MYTHS)))]
    after = ["poll", "controls", "debrief", "handout", "debrief.csv"]
    return ["/stats", link, *slides, *(f"{link}/{page}" for page in after)]


def figure_pages(client, link: str, viewers) -> dict[str, str]:
    """Each page as shown, and each must be shown: anything but a 200 fails, so a page that
    moved cannot pass as a 404 compared with a 404."""
    fetched = {path: client.get(path) for path in figure_paths(link)}
    for name, (viewer, path) in viewers.items():
        fetched[name] = viewer.get(path)  # a visitor's own page, beside the figures it shows
    for path, response in fetched.items():
        assert response.status_code == 200, (path, response.status_code)
    return {path: without_csrf_token(response.get_data(as_text=True)) for path, response in fetched.items()}


def wipe(app) -> None:
    with app.extensions["database"].sessions() as s:
        for table in (Counter, SpentToken, Room):
            s.execute(delete(table))
        s.commit()
    storage.create_site_counters(app)
    with app.app_context():
        cache.clear()  # figures are kept a few seconds under the counters' totals: rendered afresh here


@given(st.lists(visitor, min_size=1, max_size=7), st.sampled_from(["2", "4", "9"]))
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_published_figures_depend_on_the_counters_alone(app, visitors, odds):
    wipe(app)
    facilitator = app.test_client()
    code, link, _ = open_room(facilitator, odds=odds)
    receipts: Multiset = Multiset()
    viewers = {}
    for v in visitors:
        browser = app.test_client()
        if v["in_room"]:
            page = browser.get(f"/r/{code}").get_data(as_text=True)
            browser.post(f"/r/{code}", data={"csrf_token": csrf_token(page)})
        answers = {q.id: a for q, a in zip(BANK.questions, v["answers"], strict=True)}
        QuizDriver(browser, BANK).complete(answers, v["chilling"])
        viewers["/quiz/result"] = (browser, "/quiz/result")  # "you against everyone"
        receipts.update(counted(browser.get("/quiz/result").get_data(as_text=True)))
        if v["myths"] is not None:
            page = browser.get("/myths/").get_data(as_text=True)
            guesses = {s.id: g for s, g in zip(MYTHS.statements, v["myths"], strict=True)}
            browser.post("/myths/", data={"csrf_token": csrf_token(page), **guesses})
            receipts.update(counted(browser.get("/myths/result").get_data(as_text=True)))
            viewers["/myths/result"] = (browser, "/myths/result")

    with app.extensions["database"].sessions() as s:
        rows = [dict(r._mapping) for r in s.execute(select(Counter.__table__))]
        room_rows = [dict(r._mapping) for r in s.execute(select(Room.__table__))]
    # the counters are exactly what the receipts say was counted: randomized values, nothing else
    assert Multiset({(r["scope"], r["metric"], r["value"]): r["count"] for r in rows if r["count"]}) == receipts
    with app.app_context():
        cache.clear()  # the result page may hold the site's figures a few seconds: both renderings afresh
    before = figure_pages(facilitator, link, viewers)

    # a database holding only those rows, written by hand
    wipe(app)
    with app.extensions["database"].sessions() as s:
        s.execute(delete(Counter))
        s.execute(insert(Room.__table__), room_rows)
        s.execute(insert(Counter.__table__), rows)
        s.commit()
    after = figure_pages(facilitator, link, viewers)
    for path, page in before.items():
        assert after[path] == page, path

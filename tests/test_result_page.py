"""The result page's parts as a visitor reads them: the reveal, you against everyone, the share link."""

from __future__ import annotations

import re

import pytest

from app.disclosure.figures import Figures, ScoreFigure, standing
from app.disclosure.published import site_figures
from app.scoring import START, best_answers, load_bank, worst_answers
from tests.helpers import TEST_MIN_FINISHED, QuizDriver, open_room, participant
from tests.receipts import receipt_lines

BANK = load_bank()


def test_the_dial_marks_the_start_and_the_needle_turns_from_it(quiz, client, bank):
    quiz.complete(best_answers(bank))
    page = client.get("/quiz/result").get_data(as_text=True)
    assert f'data-start="{START}">{START}</text>' in page
    # Drawn at 350 and turned to the start (60 degrees), then by the sweep to 950 (120 more).
    assert 'rotate(60.0)">' in page and 'class="needle-turn" transform="rotate(120.0)"' in page


def test_no_average_is_shown_until_enough_quizzes_finished(app, quiz, client, bank):
    for _ in range(TEST_MIN_FINISHED - 2):  # with this visitor, one short of the minimum
        QuizDriver(app.test_client(), bank).complete(worst_answers(bank))
    quiz.complete(best_answers(bank))
    page = client.get("/quiz/result").get_data(as_text=True)
    assert "data-standing" not in page and "tick-average" not in page

    QuizDriver(app.test_client(), bank).complete(worst_answers(bank))  # one more: the minimum is reached
    page = client.get("/quiz/result").get_data(as_text=True)
    with app.test_request_context():
        average = site_figures().average
    assert average is not None
    assert f'data-average="{average.estimate}"' in page
    assert f"score an estimated {average.estimate} on average (likely between {average.low} and {average.high})" in page
    assert 'data-standing="above"' in page or average.high >= 950


@pytest.mark.parametrize(("score", "relation"), [(700, "above"), (500, "below"), (600, "within"), (650, "within")])
def test_a_score_stands_above_below_or_within_the_average_s_range(score, relation):
    figures = Figures(4, 5, 20, 0, average=ScoreFigure(610, 580, 650))
    assert standing(score, figures).relation == relation
    assert standing(score, Figures(4, 5, 4, 0)) is None  # too few finished: nothing to stand against


def test_the_takeaway_says_which_perks_the_score_would_open(quiz, client, bank):
    quiz.complete(worst_answers(bank))
    page = client.get("/quiz/result").get_data(as_text=True)
    assert (
        "none of the 11 perks partners offered in 2015–2018, some in one city only,"
        " would have opened: the first needed 600."
    ) in page
    lowest = min(p.threshold for p in bank.perks)
    assert f"Nothing: every perk needs at least {lowest}." in page  # from the bank, not written in


def test_a_room_member_reads_look_up_with_the_room_code_and_one_receipt(app, client, bank):
    code, _presenter, _html = open_room(client)
    member = participant(app, bank, code)
    page = member.get("/quiz/result").get_data(as_text=True)
    look_up = re.search(r'<p class="look-up" data-look-up="(\w+)">(.*?)</p>', page, re.S)
    assert look_up and look_up.group(1) == code
    assert "Look up at the screen." in look_up.group(2)
    assert page.index("data-look-up") < page.index('class="score-card')
    assert page.count('<table class="data receipt-table"') == 1
    scopes = {scope for scope, _m, _v, _c in receipt_lines(page)}
    assert len(scopes) == 2  # the site's and the room's, side by side in the one table
    assert page.count("Your data receipt") == 1


def test_a_solo_result_has_no_look_up(quiz, client):
    quiz.complete()
    assert "data-look-up" not in client.get("/quiz/result").get_data(as_text=True)


def test_the_result_offers_a_link_to_share_its_score(quiz, client, bank):
    quiz.complete(best_answers(bank))
    page = client.get("/quiz/result").get_data(as_text=True)
    assert 'value="http://localhost/shared/950"' in page
    assert 'href="/shared/extremely_good"' in page


def test_a_shared_score_shows_score_band_and_line_and_stores_nothing(client, store):
    before = store.rows()
    response = client.get("/shared/612")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-score="612"' in page and 'data-tier="good"' in page
    assert "3 of the 11 perks partners offered in 2015–2018, some in one city only, would have opened;" in page
    assert "the next needed 650." in page
    assert "Anyone can type any score into a link like this" in page
    assert '<meta name="robots" content="noindex">' in page
    assert not [o.text for q in BANK.questions for o in q.options if o.text in page], "never an answer"
    assert "Set-Cookie" not in response.headers
    assert store.rows() == before


def test_a_shared_band_shows_only_the_band(client):
    page = client.get("/shared/fair").get_data(as_text=True)
    assert 'data-tier="fair"' in page and "data-score" not in page
    assert "A score from 550 to 599" in page


@pytest.mark.parametrize("bad", ["349", "951", "0600", "600.0", "-600", "6e2", "abc", "Good", "x" * 300])
def test_a_share_link_holding_anything_else_is_a_404_page_that_writes_nothing(client, store, bad):
    before = store.rows()
    response = client.get(f"/shared/{bad}")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert 'class="site-header"' in body and "holds neither" in body
    assert store.rows() == before


def test_you_against_everyone_may_be_a_few_seconds_old_once_shown(app, quiz, client, bank, monkeypatch):
    from app.disclosure import published
    from app.extensions import cache

    monkeypatch.setattr(published, "HOLD_SECONDS", 600)  # "a few seconds", stretched for the test
    for _ in range(TEST_MIN_FINISHED - 1):
        QuizDriver(app.test_client(), bank).complete(best_answers(bank))
    quiz.complete(best_answers(bank))
    held = re.search(r'data-average="(\d+)"', client.get("/quiz/result").get_data(as_text=True)).group(1)
    for _ in range(3 * TEST_MIN_FINISHED):  # many low scores: the estimated average drops
        QuizDriver(app.test_client(), bank).complete(worst_answers(bank))
    with app.test_request_context():
        now = site_figures().average.estimate
    assert int(held) > now
    assert f'data-average="{held}"' in client.get("/quiz/result").get_data(as_text=True)  # held
    with app.app_context():
        cache.clear()
    assert f'data-average="{now}"' in client.get("/quiz/result").get_data(as_text=True)


def test_a_room_member_sees_where_they_stand_against_the_room_once_it_shows_figures(app, client, bank):
    code, link, _ = open_room(client)
    first = participant(app, bank, code, best_answers(bank))
    assert "data-room-standing" not in first.get("/quiz/result").get_data(as_text=True)  # the room shows nothing yet
    for _ in range(TEST_MIN_FINISHED - 1):
        participant(app, bank, code, worst_answers(bank))
    page = first.get("/quiz/result").get_data(as_text=True)
    wall = client.get(f"{link}/slide/1").get_data(as_text=True)
    room_average = re.search(r'<li data-average="(\d+)"', wall).group(1)  # the wall's own estimate
    standing = re.search(r'data-room-standing="(\w+)"><strong>You against this room:</strong> ([^<]+)', page)
    assert standing.group(1) in ("above", "within")  # the best answers, among the worst
    assert f"your workshop room score an estimated {room_average} on average" in standing.group(2)
    assert "You against everyone:" in page  # beside the site's
    alone = QuizDriver(app.test_client(), bank)
    alone.complete()
    assert "data-room-standing" not in alone.client.get("/quiz/result").get_data(as_text=True)

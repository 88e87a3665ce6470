"""The chilling-effect question: asked last, not scored, counted like any other answer."""

from __future__ import annotations

import re

import pytest

from app.content.closing_question import OPTION_IDS as CHILLING_IDS
from app.scoring import score_answers, worst_answers
from tests.receipts import counted_value


def test_the_closing_question_comes_last_in_the_one_form(quiz, client, bank, store):
    quiz.answer_scored()
    assert store.total() == 0  # nothing is counted before the form is sent with the closing answer
    page = client.get("/quiz/").get_data(as_text=True)
    last = page.index('name="closing-question"')
    assert all(page.index(f'name="{q.id}"') < last for q in bank.questions)
    assert "Did you change any answer because the score or the room might see it?" in page
    assert "not scored" in page
    assert client.get("/quiz/result").status_code == 400


def test_closing_answer_is_counted_with_the_quiz_and_does_not_move_the_score(quiz, client, bank, store):
    answers = worst_answers(bank)
    response = quiz.complete(answers, chilling="changed")
    assert response.headers["Location"] == "/quiz/result"
    page = client.get("/quiz/result").get_data(as_text=True)
    counted = counted_value(page, "chilling")  # "changed", or what the coin put instead
    assert counted in CHILLING_IDS
    assert store.count("chilling", counted) == 1 and sum(store.count("chilling", c) for c in CHILLING_IDS) == 1
    assert store.count("completions") == 1
    assert f'data-score="{score_answers(bank, answers).score}"' in page


@pytest.mark.parametrize("answer", ["", "yes", "changed ", "changed", "x" * 300])
def test_a_missing_or_forged_closing_answer_is_a_400_and_counts_nothing(quiz, client, store, answer):
    quiz.answer_scored()
    response = client.post("/quiz/", data={**quiz.form("no"), "closing-question": answer})
    assert response.status_code == 400
    assert "One last question" in response.get_data(as_text=True)
    assert store.total() == 0


def test_the_closing_answer_alone_counts_nothing(quiz, client, bank, store):
    quiz.answer_scored()
    only_closing = {k: v for k, v in quiz.form("no").items() if k in ("csrf_token", "closing-question")}
    response = client.post("/quiz/", data=only_closing)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert body.count('class="error" id="error-') == len(bank.questions)  # each question marked
    assert store.total() == 0


def test_statistics_show_the_chilling_answers_as_estimates_once_enough_finished(app, quiz, client, store):
    n = app.config["MIN_FINISHED"]
    for i in range(n):
        client.delete_cookie("session")
        quiz.complete(chilling="changed" if i == 0 else "no")
    page = client.get("/stats").get_data(as_text=True)
    assert "Did being watched change answers?" in page
    table = page[page.index("data-chilling") :]
    table = table[: table.index("</table>")]
    assert "Yes, at least one answer" in table
    # each share is the de-biased estimate of the randomized counts, with its range; no count of people
    # (projected to add up inside their ranges, as every question's: app/disclosure/simplex.py)
    from app.disclosure.estimates import shares
    from app.disclosure.simplex import project

    counts = {c: store.count("chilling", c) for c in CHILLING_IDS}
    estimated = [shares(counts, CHILLING_IDS, app.config["EPSILON_ODDS"])[c] for c in CHILLING_IDS]
    expected = project([s.unclipped for s in estimated], [s.low for s in estimated], [s.high for s in estimated])
    assert re.findall(r'data-estimate="([0-9.]+)"', table) == [str(round(v, 3)) for v in expected]
    assert "fewer than" not in table and "<td>1</td>" not in table

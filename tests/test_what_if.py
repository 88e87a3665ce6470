"""What-if and the cheapest way up: the engine's own answer, as a page or JSON, never counted."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.quiz.forms import change_value
from app.scoring import AnswerError, best_answers, cheapest_way_up, load_bank, score_answers, what_if, worst_answers
from tests.helpers import csrf_token

BANK = load_bank()


def answer_sets() -> st.SearchStrategy[dict[str, str]]:
    return st.fixed_dictionaries({q.id: st.sampled_from([o.id for o in q.options]) for q in BANK.questions})


# ------------------------------------------------------------------ the engine


@settings(max_examples=200, deadline=None)
@given(answer_sets(), st.data())
def test_what_if_is_the_engine_on_the_changed_answers(answers, data):
    q = data.draw(st.sampled_from(BANK.questions))
    o = data.draw(st.sampled_from(q.options))
    change = what_if(BANK, answers, q.id, o.id)
    expected = score_answers(BANK, {**answers, q.id: o.id})
    assert change.report == expected
    assert change.gain == expected.score - score_answers(BANK, answers).score
    assert change.before.id == answers[q.id] and change.after.id == o.id


@settings(max_examples=100, deadline=None)
@given(answer_sets())
def test_cheapest_way_up_is_the_best_single_change(answers):
    base = score_answers(BANK, answers).score
    gains = [score_answers(BANK, {**answers, q.id: o.id}).score - base for q in BANK.questions for o in q.options]
    found = cheapest_way_up(BANK, answers)
    if max(gains) <= 0:
        assert found is None
    else:
        assert found is not None and found.gain == max(gains) > 0
        assert found.report.score == base + found.gain


def test_no_way_up_from_the_top_and_a_big_one_from_the_bottom():
    assert cheapest_way_up(BANK, best_answers(BANK)) is None
    up = cheapest_way_up(BANK, worst_answers(BANK))
    assert up is not None and up.gain > 0
    assert up.after == up.question.best


@pytest.mark.parametrize(("question", "option"), [("nope", "always"), ("bills_on_time", "nope"), ("", "")])
def test_what_if_refuses_what_is_not_in_the_bank(question, option):
    with pytest.raises(AnswerError):
        what_if(BANK, worst_answers(BANK), question, option)


# ------------------------------------------------------------------ the web


def _result(client) -> str:
    page = client.get("/quiz/result")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_result_page_offers_every_answer_and_the_cheapest_way_up(quiz, client, bank):
    quiz.complete(worst_answers(bank))
    page = _result(client)
    for q in bank.questions:
        for o in q.options:
            assert f'value="{change_value(q, o.id)}"' in page
    up = cheapest_way_up(bank, worst_answers(bank))
    assert "The cheapest way up" in page
    assert f"rises by {up.gain} points to {up.report.score}" in page
    assert "rewards conformity" in page and "game it" in page
    assert re.search(r'src="/assets/\w+/js/what-if.js"', page)


def test_at_the_top_there_is_no_way_up(quiz, client, bank):
    quiz.complete(best_answers(bank))
    assert "No single change would raise your score" in _result(client)


def test_what_if_form_post_redraws_the_page_and_counts_nothing(quiz, client, bank, store):
    answers = worst_answers(bank)
    quiz.complete(answers)
    page = _result(client)
    rows_before = store.rows()
    response = client.post("/quiz/what-if", data={"csrf_token": csrf_token(page), "change": "court_judgment:no"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    expected = score_answers(bank, {**answers, "court_judgment": "no"})
    assert f'data-score="{expected.score}"' in body
    assert "not stored and not counted" in body
    assert "would not put you on it" in body  # the court panel moved too
    assert f'value="{change_value(BANK.question("court_judgment"), "no")}" selected' in body
    assert store.rows() == rows_before
    # the real result is untouched
    assert f'data-score="{score_answers(bank, answers).score}"' in _result(client)


def test_what_if_json_returns_the_engine_s_report_and_redrawn_parts(quiz, client, bank, store):
    answers = worst_answers(bank)
    quiz.complete(answers)
    token = csrf_token(_result(client))
    rows_before = store.rows()
    response = client.post(
        "/quiz/what-if.json",
        data={"csrf_token": token, "change": "bills_on_time:always"},
        headers={"X-CSRFToken": token, "Accept": "application/json"},
    )
    assert response.status_code == 200 and response.is_json
    data = response.get_json()
    expected = score_answers(bank, {**answers, "bills_on_time": "always"})
    assert data["score"] == expected.score and data["band"] == expected.band
    assert data["gain"] == expected.score - score_answers(bank, answers).score > 0
    assert set(data["parts"]) == {"result-score", "result-reasons", "result-dimensions", "result-perks", "result-court"}
    assert f'data-score="{expected.score}"' in data["parts"]["result-score"]
    assert "points higher than your real score" in data["parts"]["result-score"]
    assert store.rows() == rows_before


def test_what_if_json_with_only_the_header_token(quiz, client, bank):
    quiz.complete()
    token = csrf_token(_result(client))
    response = client.post(
        "/quiz/what-if.json", data={"change": "bills_on_time:mostly"}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200


@pytest.mark.parametrize("change", ["", "bills_on_time", "bills_on_time:forged", "nope:always", "x" * 300])
def test_a_forged_change_is_a_400_and_writes_nothing(quiz, client, store, change):
    quiz.complete()
    token = csrf_token(_result(client))
    rows = store.rows()
    page = client.post("/quiz/what-if", data={"csrf_token": token, "change": change})
    assert page.status_code == 400
    assert "not one of this quiz's answers" in page.get_data(as_text=True)
    as_json = client.post("/quiz/what-if.json", data={"csrf_token": token, "change": change})
    assert as_json.status_code == 400 and "error" in as_json.get_json()
    assert store.rows() == rows


def test_what_if_needs_a_finished_quiz_and_a_token(quiz, client, bank):
    page = client.get("/quiz/").get_data(as_text=True)
    token = csrf_token(page)
    assert client.post("/quiz/what-if", data={"csrf_token": token, "change": "bills_on_time:always"}).status_code == 400
    assert client.post("/quiz/what-if.json", data={"csrf_token": token, "change": "x:y"}).status_code == 400
    quiz.complete()
    response = client.post("/quiz/what-if", data={"change": "bills_on_time:always"})
    assert response.status_code == 400 and "security token" in response.get_data(as_text=True)


def test_every_what_if_of_a_question_is_sent_at_one_length(quiz, client, bank):
    """Which option a what-if tries would tell the answer it replaces (court: "yes" tried, so "no"
    given): every option of a question goes out padded to one length, and still works."""
    quiz.complete({q.id: q.options[0].id for q in bank.questions})
    page = client.get("/quiz/result").get_data(as_text=True)
    values = re.findall(r'<option value="([^"]+)"', page)
    by_question: dict[str, set[int]] = {}
    for value in values:
        by_question.setdefault(value.partition(":")[0], set()).add(len(value))
    assert set(by_question) == {q.id for q in bank.questions}
    assert all(len(lengths) == 1 for lengths in by_question.values()), by_question
    court = next(v for v in values if v.startswith("court_judgment:") and "yes" in v)
    tried = client.post("/quiz/what-if", data={"csrf_token": csrf_token(page), "change": court})
    assert tried.status_code == 200

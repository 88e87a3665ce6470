"""The visitor's journey through Flask's test client: landing, questions, result, forget."""

from __future__ import annotations

import re

from markupsafe import escape

from app.scoring import best_answers, score_answers, worst_answers
from tests.helpers import csrf_token


def test_landing_says_what_is_kept_and_starts_the_quiz(client, bank):
    page = client.get("/").get_data(as_text=True)
    assert "What would your score be?" in page
    assert f"Answer {len(bank.questions)} questions" in page
    assert "Never kept" in page
    assert 'href="/quiz/"' in page


def test_the_quiz_is_one_form_of_every_question_then_the_closing_one(client, bank):
    response = client.get("/quiz/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count("<form") == 2  # the questionnaire, and "Forget my answers"
    assert 'action="/quiz/"' in page and page.count('type="submit"') == 2
    assert f"Question 1 of {len(bank.questions)}" in page and "One last question, not scored" in page
    # Every question in the bank's order, then the closing one; every option of each.
    at = [page.index(f'name="{q.id}"') for q in bank.questions] + [page.index('name="closing-question"')]
    assert at == sorted(at)
    for q in bank.questions:
        assert str(escape(q.text)) in page
        assert re.findall(rf'name="{q.id}" value="(\w+)\.*"', page) == [o.id for o in q.options]
    assert "See my score" in page


def test_answers_in_progress_are_never_in_the_cookie(quiz, client, app, bank, store):
    quiz.answer_scored({q.id: q.options[-1].id for q in bank.questions})
    with client.session_transaction() as session:
        assert set(session.get("quiz", {})) == {"start"}  # the token that makes it count once, nothing else
    assert store.total() == 0 and client.get("/quiz/result").status_code == 400


def test_whole_journey_ends_on_an_explained_result(quiz, client, bank):
    answers = worst_answers(bank)
    last = quiz.complete(answers)
    assert last.headers["Location"] == "/quiz/result"
    page = client.get("/quiz/result").get_data(as_text=True)
    expected = score_answers(bank, answers)
    assert f'data-score="{expected.score}"' in page
    assert f'data-tier="{expected.band}"' in page
    assert "Cost you most" in page
    assert expected.lowered[0].question.text in page
    assert "<svg" in page and 'role="img"' in page
    # the court panel is triggered by the court answer, with its sources
    assert "would put you on this list" in page
    assert "Supreme People" in page
    assert "FICO" in page  # the Western mirror


def test_best_answers_unlock_perks_with_sources(quiz, client, bank):
    quiz.complete(best_answers(bank))
    page = client.get("/quiz/result").get_data(as_text=True)
    assert 'data-score="950"' in page
    assert "Hellobike" in page and "2018" in page
    assert "documented" in page
    assert "would not put you on it" in page


def test_result_refresh_does_not_count_again(quiz, client, store):
    quiz.complete()
    for _ in range(3):
        assert client.get("/quiz/result").status_code == 200
    assert store.count("completions") == 1


def test_reposting_the_last_answer_does_not_count_again(quiz, store, bank):
    quiz.complete()
    last = len(bank.questions)
    again = quiz.answer(last, bank.questions[-1].options[1].id)
    assert again.status_code == 303
    assert store.count("completions") == 1


def test_take_it_again_starts_a_new_counted_run(quiz, client, store):
    quiz.complete()
    page = client.get("/quiz/result").get_data(as_text=True)
    response = client.post("/quiz/restart", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303 and response.headers["Location"] == "/quiz/"
    assert client.get("/quiz/result").status_code == 400
    quiz.complete()
    assert store.count("completions") == 2


def test_forget_clears_the_cookie_at_once(quiz, client):
    quiz.complete()
    page = client.get("/quiz/result").get_data(as_text=True)
    response = client.post("/forget", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303
    assert response.headers["Location"] == "/forgotten"
    cookie = response.headers.get("Set-Cookie", "")
    assert cookie.startswith("session=;") and "Expires=Thu, 01 Jan 1970" in cookie
    assert client.get_cookie("session") is None
    assert client.get("/quiz/result").status_code == 400
    assert "Your answers are gone" in client.get("/forgotten").get_data(as_text=True)


def test_privacy_page_states_what_is_stored(client):
    page = client.get("/privacy").get_data(as_text=True)
    for phrase in ("Stored: anonymous counters", "Never stored or logged", "IP address", "The one cookie"):
        assert phrase in page


def test_statistics_wait_for_the_minimum_then_show_estimates(quiz, client, app):
    n = app.config["MIN_FINISHED"]
    for _ in range(n - 1):
        client.delete_cookie("session")
        quiz.complete()
    page = client.get("/stats").get_data(as_text=True)
    assert f"once {n} people have finished" in page and "data-estimate" not in page
    client.delete_cookie("session")
    quiz.complete()
    page = client.get("/stats").get_data(as_text=True)
    assert f"{n} people have finished" in page
    assert "The average score" in page and "data-average" in page and "95% range" in page


def test_favicon_and_404_page(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    missing = client.get("/no/such/page")
    assert missing.status_code == 404
    assert "Page not found" in missing.get_data(as_text=True)
    assert 'class="site-header"' in missing.get_data(as_text=True)


def test_a_bad_form_sent_after_finishing_leaves_the_result_alone(quiz, client, bank, store):
    quiz.complete()
    form = quiz.form("no")
    del form[bank.questions[0].id]
    assert client.post("/quiz/", data=form).status_code == 400
    assert client.get("/quiz/result").status_code == 200  # the finished quiz is still there
    assert store.count("completions") == 1

"""Bad input gets a clear 4xx page in the site's layout and changes no counter."""

from __future__ import annotations

import pytest

from tests.helpers import csrf_token


def _assert_error_page(response, status: int, phrase: str) -> None:
    assert response.status_code == status
    body = response.get_data(as_text=True)
    assert phrase in body
    assert 'class="site-header"' in body  # the site's layout
    assert "Traceback" not in body


@pytest.mark.parametrize("answer", ["forged", "", "always' OR 1=1", "x" * 500, "ALWAYS"])
def test_unknown_or_empty_option_is_refused(client, store, answer):
    page = client.get("/quiz/1").get_data(as_text=True)
    response = client.post("/quiz/1", data={"csrf_token": csrf_token(page), "answer": answer})
    _assert_error_page(response, 400, "Question 1 of")
    assert store.total() == 0


def test_missing_answer_explains_itself(client):
    page = client.get("/quiz/1").get_data(as_text=True)
    response = client.post("/quiz/1", data={"csrf_token": csrf_token(page)})
    _assert_error_page(response, 400, "Please choose one answer.")


def test_an_answer_to_another_question_is_refused(client, store, bank):
    page = client.get("/quiz/1").get_data(as_text=True)
    other = bank.questions[5].options[0].id
    assert bank.questions[0].option(other) is None
    response = client.post("/quiz/1", data={"csrf_token": csrf_token(page), "answer": other})
    assert response.status_code == 400


@pytest.mark.parametrize("step", [3, 15])
def test_skipping_questions_by_url_is_refused(quiz, client, bank, step):
    quiz.answer(1, bank.questions[0].options[0].id)
    response = client.get(f"/quiz/{step}")
    _assert_error_page(response, 400, "answer the questions in order")
    assert 'href="/quiz/2"' in response.get_data(as_text=True)


def test_posting_to_a_skipped_question_writes_nothing(client, store, bank):
    page = client.get("/quiz/1").get_data(as_text=True)
    last = len(bank.questions)
    response = client.post(f"/quiz/{last}", data={"csrf_token": csrf_token(page), "answer": "no"})
    assert response.status_code == 400
    assert store.total() == 0


@pytest.mark.parametrize("step", [0, 99, 100000])
def test_question_out_of_range_is_404(client, step):
    _assert_error_page(client.get(f"/quiz/{step}"), 404, "Page not found")


@pytest.mark.parametrize("token", [None, "", "not-a-token", "IjEyMyI.abc.def"])
def test_missing_or_wrong_csrf_token_is_refused(client, store, bank, token):
    client.get("/quiz/1")
    data = {"answer": bank.questions[0].options[0].id}
    if token is not None:
        data["csrf_token"] = token
    _assert_error_page(client.post("/quiz/1", data=data), 400, "security token")
    assert store.total() == 0


def test_a_token_from_another_browser_is_refused(app, client, bank):
    other = app.test_client()
    token = csrf_token(other.get("/quiz/1").get_data(as_text=True))
    client.get("/quiz/1")
    response = client.post("/quiz/1", data={"csrf_token": token, "answer": bank.questions[0].options[0].id})
    assert response.status_code == 400


def test_completing_with_a_missing_csrf_token_counts_nothing(quiz, client, store, bank):
    quiz.answer_scored()
    response = client.post("/quiz/closing", data={"answer": "no"})
    assert response.status_code == 400
    assert store.total() == 0


def test_oversized_body_is_refused(client, store):
    response = client.post("/quiz/1", data={"answer": "x" * 100_000})
    _assert_error_page(response, 413, "too much")
    assert store.total() == 0


@pytest.mark.parametrize(
    "cookie",
    ["garbage", "eyJxdWl6Ijp7fX0.Zm9v.YmFy", ".eJyrVkrOz0vOTCxJTVGyUoJR", "a" * 3000],
)
def test_tampered_cookie_is_cleared_with_a_400(client, store, cookie):
    client.set_cookie("session", cookie)
    response = client.get("/quiz/result")
    _assert_error_page(response, 400, "did not sign")
    assert "session=;" in response.headers.get("Set-Cookie", "")
    assert store.total() == 0


def test_a_tampered_cookie_on_the_last_step_counts_nothing(quiz, client, store, bank):
    quiz.answer_scored()
    page = client.get("/quiz/closing").get_data(as_text=True)
    real = client.get_cookie("session").value
    client.set_cookie("session", real[:-3] + ("AAA" if not real.endswith("AAA") else "BBB"))
    response = client.post("/quiz/closing", data={"csrf_token": csrf_token(page), "answer": "no"})
    assert response.status_code == 400
    assert store.total() == 0


def test_result_without_a_finished_quiz_is_a_clear_400(client):
    _assert_error_page(client.get("/quiz/result"), 400, "no finished quiz")


@pytest.mark.parametrize(
    ("method", "path"), [("PUT", "/quiz/1"), ("DELETE", "/"), ("GET", "/forget"), ("GET", "/quiz/restart")]
)
def test_wrong_methods_get_a_405_page(client, method, path):
    _assert_error_page(client.open(path, method=method), 405, "does not accept")

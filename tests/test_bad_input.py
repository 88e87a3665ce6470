"""Bad input gets a clear 4xx page in the site's layout and changes no counter."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from app.quiz.forms import questionnaire
from tests.helpers import csrf_token


def _assert_error_page(response, status: int, phrase: str) -> None:
    assert response.status_code == status
    body = response.get_data(as_text=True)
    assert phrase in body
    assert 'class="site-header"' in body  # the site's layout
    assert "Traceback" not in body


def _sent_back(response, status: int = 400) -> str:
    """The questionnaire shown again: in the site's layout, the form whole, nothing counted."""
    assert response.status_code == status
    body = response.get_data(as_text=True)
    assert 'class="site-header"' in body and 'action="/quiz/"' in body and "Traceback" not in body
    return body


@pytest.mark.parametrize("answer", ["forged", "", "always' OR 1=1", "x" * 500, "ALWAYS", "always"])
def test_unknown_or_empty_option_is_refused(quiz, client, store, bank, answer):
    quiz.answer_scored()
    form = quiz.form("no")
    form[bank.questions[0].id] = answer  # "always" unpadded is not what the page sends either
    body = _sent_back(client.post("/quiz/", data=form))
    assert "Question 1 of" in body and 'id="error-bills_on_time"' in body
    assert store.total() == 0


def test_missing_answer_explains_itself(quiz, client, bank, store):
    quiz.answer_scored()
    form = quiz.form("no")
    del form[bank.questions[3].id]
    body = _sent_back(client.post("/quiz/", data=form))
    assert "Please choose one answer." in body
    assert f'href="#q-{bank.questions[3].id}"' in body  # the summary links to the question
    assert store.total() == 0


def test_an_answer_to_another_question_is_refused(quiz, client, store, bank):
    other = bank.questions[5].options[0].id
    assert bank.questions[0].option(other) is None
    quiz.answer_scored()
    form = quiz.form("no")
    form[bank.questions[0].id] = questionnaire(bank)[5].value_for(other)
    _sent_back(client.post("/quiz/", data=form))
    assert store.total() == 0


def test_a_repeated_answer_is_refused_not_cut_to_its_first(quiz, client, store, bank):
    quiz.answer_scored()
    form = list(quiz.form("no").items())
    item = questionnaire(bank)[2]
    form.append((item.name, item.choices[-1].value))  # the same question twice
    body = _sent_back(client.post("/quiz/", data=MultiDict(form)))
    assert "Only one answer can be sent" in body
    assert store.total() == 0


def test_a_field_that_is_no_question_is_refused(quiz, client, store):
    quiz.answer_scored()
    body = _sent_back(client.post("/quiz/", data={**quiz.form("no"), "score": "950"}))
    assert "none of the questions asks" in body
    assert store.total() == 0


@pytest.mark.parametrize("path", ["/quiz/1", "/quiz/0", "/quiz/15", "/quiz/closing"])
def test_the_old_one_question_pages_are_gone(client, path):
    _assert_error_page(client.get(path), 404, "Page not found")


@pytest.mark.parametrize("token", [None, "", "not-a-token", "IjEyMyI.abc.def"])
def test_missing_or_wrong_csrf_token_counts_nothing_and_keeps_the_answers(quiz, client, store, bank, token):
    answers = {q.id: q.options[-1].id for q in bank.questions}
    quiz.answer_scored(answers)
    form = quiz.form("changed")
    del form["csrf_token"]
    if token is not None:
        form["csrf_token"] = token
    body = _sent_back(client.post("/quiz/", data=form))
    assert "That form had expired" in body
    for item in questionnaire(bank):
        chosen = answers.get(item.name, "changed")
        assert f'name="{item.name}" value="{item.value_for(chosen)}" checked' in body
    assert store.total() == 0


def test_a_token_from_another_browser_is_refused(app, quiz, client, bank, store):
    other = app.test_client()
    token = csrf_token(other.get("/quiz/").get_data(as_text=True))
    quiz.answer_scored()
    response = client.post("/quiz/", data={**quiz.form("no"), "csrf_token": token})
    assert response.status_code == 400
    assert store.total() == 0


def test_oversized_body_is_refused(client, store):
    response = client.post("/quiz/", data={"bills_on_time": "x" * 100_000})
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
    form = quiz.form("no")
    real = client.get_cookie("session").value
    client.set_cookie("session", real[:-3] + ("AAA" if not real.endswith("AAA") else "BBB"))
    response = client.post("/quiz/", data=form)
    assert response.status_code == 400
    assert store.total() == 0


def test_result_without_a_finished_quiz_is_a_clear_400(client):
    _assert_error_page(client.get("/quiz/result"), 400, "no finished quiz")


@pytest.mark.parametrize(
    ("method", "path"), [("PUT", "/quiz/"), ("DELETE", "/"), ("GET", "/forget"), ("GET", "/quiz/restart")]
)
def test_wrong_methods_get_a_405_page(client, method, path):
    _assert_error_page(client.open(path, method=method), 405, "does not accept")


# --- control characters in typed text: the form comes back, nothing is written -----------

CONTROLS = ["\x00", "\x1b[2J", "\x07", "\x7f", "\x85", "\x9b", "line\nbreak"]


def _rooms(app) -> int:
    from sqlalchemy import func, select

    from app.store.models import Room

    with app.extensions["database"].sessions() as s:
        return s.scalar(select(func.count()).select_from(Room))


def _form_back(response, field: str) -> str:
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert 'class="site-header"' in body and "Traceback" not in body
    assert "invisible control characters" in body
    assert f'id="{field}"' in body  # the form itself, to correct and send again
    return body


@pytest.mark.parametrize("control", CONTROLS)
def test_control_characters_in_a_room_title_give_the_form_back(app, client, store, control):
    page = client.get("/rooms/new").get_data(as_text=True)
    sent = client.post("/rooms/new", data={"csrf_token": csrf_token(page), "title": f"Tues{control}day"})
    body = _form_back(sent, "title")
    assert 'aria-invalid="true"' in body
    assert _rooms(app) == 0 and store.total() == 0
    # The title comes back without them: sending it again opens the room.
    assert "\x00" not in body and "\x1b" not in body
    again = client.post("/rooms/new", data={"csrf_token": csrf_token(body), "title": "Tuesday"})
    assert again.status_code == 200 and _rooms(app) == 1


def test_a_tab_in_a_room_title_is_ordinary_whitespace(app, client):
    page = client.get("/rooms/new").get_data(as_text=True)
    assert client.post("/rooms/new", data={"csrf_token": csrf_token(page), "title": "Tues\tday"}).status_code == 200
    assert _rooms(app) == 1


def test_control_characters_in_the_facilitator_passphrase_give_the_form_back(app, client):
    app.config["FACILITATOR_PASSPHRASE"] = "open sesame"
    page = client.get("/rooms/new").get_data(as_text=True)
    sent = client.post(
        "/rooms/new", data={"csrf_token": csrf_token(page), "title": "t", "passphrase": "open\x00sesame"}
    )
    _form_back(sent, "passphrase")
    assert _rooms(app) == 0


def test_control_characters_in_a_typed_room_code_give_the_form_back(client):
    body = _form_back(client.get("/rooms/join", query_string={"code": "ABC\x00DEF"}), "room-code")
    assert "\x00" not in body


def test_the_control_character_rule_is_applied_to_every_text_field_of_the_app():
    """Every form holding a text field is one of ours, whose validate() gives each the rule."""
    import importlib
    import pkgutil

    import wtforms
    from wtforms.fields.core import UnboundField

    import app as package
    from app.web.forms import Form

    modules = [importlib.import_module(m.name) for m in pkgutil.walk_packages(package.__path__, "app.")]
    forms = {v for m in modules for v in vars(m).values() if isinstance(v, type) and issubclass(v, wtforms.Form)}
    texts = [
        form
        for form in forms
        for value in vars(form).values()
        if isinstance(value, UnboundField) and issubclass(value.field_class, wtforms.StringField)
    ]
    assert texts, "no text field found"
    assert all(issubclass(form, Form) for form in texts)

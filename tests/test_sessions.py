"""The session cookie: it expires, its CSRF tokens expire with it, and nobody but this site can read it."""

from __future__ import annotations

import base64
import binascii
import contextlib
import time
import zlib

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from app import create_app
from app.scoring import worst_answers
from tests.helpers import csrf_token, questionnaire_form

DAY = 24 * 3600


def session_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None, "no session cookie"
    return cookie.value


def aged_cookie(app, state: dict, age_seconds: int) -> str:
    """The cookie this app would have set `age_seconds` ago for this state."""
    box = app.session_interface.box(app)
    plain = box.fernet.decrypt(box.seal(state))
    return box.fernet.encrypt_at_time(plain, int(time.time()) - age_seconds).decode()


def mid_quiz_state(bank) -> dict:
    """A finished quiz's state (answers reach the cookie only when the quiz is sent)."""
    answers = {q.id: q.options[0].id for q in bank.questions}
    return {"quiz": {"answers": answers, "chilling": "no"}, "csrf_token": "0" * 40}


def test_a_cookie_within_its_lifetime_is_kept(app, client, bank):
    client.set_cookie("session", aged_cookie(app, mid_quiz_state(bank), DAY - 600))
    assert client.get("/quiz/result").status_code == 200  # the answers are still there


def test_an_expired_cookie_is_no_session_and_the_visitor_starts_again(app, client, bank):
    client.set_cookie("session", aged_cookie(app, mid_quiz_state(bank), DAY + 600))
    stale = session_cookie(client)
    response = client.get("/quiz/")
    assert response.status_code == 200
    assert 'name="csrf_token"' in response.get_data(as_text=True)
    assert session_cookie(client) != stale  # a fresh session replaced it
    assert client.get("/quiz/result").status_code == 400  # with none of the old answers


def test_posting_with_an_expired_cookie_keeps_the_answers_in_the_page_and_counts_nothing(app, client, bank, store):
    client.set_cookie("session", aged_cookie(app, mid_quiz_state(bank), DAY + 600))
    form = questionnaire_form(bank, "whatever-the-page-had", {q.id: q.options[-1].id for q in bank.questions})
    response = client.post("/quiz/", data=form)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "That form had expired" in body and 'class="site-header"' in body
    assert body.count(" checked") == len(bank.questions) + 1  # every answer still ticked, to send again
    assert store.count("completions") == 0
    resent = client.post("/quiz/", data={**form, "csrf_token": csrf_token(body)})
    assert resent.status_code == 303 and store.count("completions") == 1


def test_an_expired_cookie_reaching_the_result_says_why(app, client, bank):
    client.set_cookie("session", aged_cookie(app, mid_quiz_state(bank), DAY + 600))
    response = client.get("/quiz/result")
    assert response.status_code == 400
    assert "that time has passed" in response.get_data(as_text=True)


def test_the_lifetime_is_a_setting(database_url, tmp_path, bank):
    from app.config import settings_from_env
    from app.store.schema import upgrade

    upgrade(database_url)
    settings = settings_from_env({"APP_ENV": "testing", "SESSION_LIFETIME_HOURS": "2"})
    short = create_app({**settings, "DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path)})
    client = short.test_client()
    client.set_cookie("session", aged_cookie(short, mid_quiz_state(bank), 3 * 3600))
    assert client.get("/quiz/result").status_code == 400
    client.set_cookie("session", aged_cookie(short, mid_quiz_state(bank), 3600))
    assert client.get("/quiz/result").status_code == 200
    short.extensions["database"].engine.dispose()


def test_a_form_token_older_than_the_lifetime_is_refused(app, client, bank, store):
    page = client.get("/quiz/")
    assert page.status_code == 200
    with client.session_transaction() as session:
        raw = session["csrf_token"]

    class DayOld(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - DAY - 600

    old = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token", signer=DayOld).dumps(raw)
    assert client.post("/quiz/", data=questionnaire_form(bank, old)).status_code == 400
    assert store.count("completions") == 0
    fresh = csrf_token(client.get("/quiz/").get_data(as_text=True))
    assert client.post("/quiz/", data=questionnaire_form(bank, fresh)).status_code == 303


def readings(cookie: str) -> list[bytes]:
    """Everything someone who sees the cookie can decode from it without the key."""
    found = [cookie.encode()]
    for part in cookie.lstrip(".").split("."):
        try:
            decoded = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        except (binascii.Error, ValueError):
            continue
        found.append(decoded)
        with contextlib.suppress(zlib.error):
            found.append(zlib.decompress(decoded))
    return found


def test_the_cookie_of_a_finished_quiz_reveals_no_answer(quiz, client, bank):
    answers = worst_answers(bank)
    quiz.complete(answers, chilling="changed")
    assert client.get("/quiz/result").status_code == 200
    cookie = session_cookie(client)
    for reading in readings(cookie):
        # As the session would serialize them (quoted): a bare two-letter answer such as "no"
        # turns up by chance in 1,800 characters of random base64 about one time in three.
        for secret in [*answers.values(), *answers.keys(), "answers", "completions", "changed"]:
            assert f'"{secret}"'.encode() not in reading, secret


def test_the_cookie_length_does_not_tell_answers_apart(app, bank):
    lengths = set()
    for option in range(2):
        client = app.test_client()
        from tests.helpers import QuizDriver

        QuizDriver(client, bank).answer_scored({q.id: q.options[option % len(q.options)].id for q in bank.questions})
        lengths.add(len(session_cookie(client)))
    assert len(lengths) == 1


def test_a_cookie_made_with_a_retired_secret_still_opens(database_url, tmp_path, bank):
    from app.store.schema import upgrade

    upgrade(database_url)
    old = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "old-" * 8})
    rotated = create_app(
        {
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(tmp_path),
            "SECRET_KEY": "new-" * 8,
            "SECRET_KEY_FALLBACKS": ["old-" * 8],
        }
    )
    client = rotated.test_client()
    client.set_cookie("session", aged_cookie(old, mid_quiz_state(bank), 60))
    assert client.get("/quiz/result").status_code == 200
    stranger = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "new-" * 8})
    refused = stranger.test_client()
    refused.set_cookie("session", aged_cookie(old, mid_quiz_state(bank), 60))
    assert refused.get("/quiz/result").status_code == 400
    for made in (old, rotated, stranger):
        made.extensions["database"].engine.dispose()


@pytest.mark.parametrize(
    "payload", [b"[1, 2]", b"not json", zlib.compress(b"[1, 2]"), zlib.compress(b'"text"'), zlib.compress(b"{")[:-2]]
)
def test_a_well_encrypted_cookie_that_is_not_a_session_is_refused(app, client, payload):
    box = app.session_interface.box(app)
    client.set_cookie("session", box.fernet.encrypt(payload).decode())
    response = client.get("/quiz/")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "did not sign" in body and 'class="site-header"' in body


def test_the_largest_cookie_fits_in_a_browser_and_a_proxys_buffer(app, client, bank):
    """A room member with a counted quiz and a counted myth round: the fullest cookie there is."""
    import re

    from tests.helpers import open_room

    code, _link, _page = open_room(app.test_client())
    page = client.get(f"/r/{code}").get_data(as_text=True)
    assert client.post(f"/r/{code}", data={"csrf_token": csrf_token(page)}).status_code == 303
    from tests.helpers import QuizDriver

    QuizDriver(client, bank).complete({q.id: q.options[-1].id for q in bank.questions}, chilling="changed")
    myths = client.get("/myths/").get_data(as_text=True)
    guesses = dict.fromkeys(re.findall(r'name="([\w-]+)" value="real"', myths), "real")
    assert client.post("/myths/", data={"csrf_token": csrf_token(myths), **guesses}).status_code == 303
    # Browsers keep at most 4096 bytes a cookie; nginx's default buffer for all headers is 4 KB.
    assert len(session_cookie(client)) < 2048

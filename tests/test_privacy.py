"""The privacy invariants: counters only, nothing per visitor, nothing about the client."""

from __future__ import annotations

import logging

from app.chilling import OPTION_IDS as CHILLING_IDS
from app.scoring import best_answers, worst_answers

CLIENT_ADDR = "203.0.113.77"
CLIENT_UA = "Mozilla/5.0 (PrivacyProbe; like Gecko) UniqueAgent/42"
REFERRER = "https://example.org/secret-referrer"


def test_repeating_the_same_answers_adds_no_rows(app, quiz, client, store, bank):
    k = app.config["MIN_GROUP_SIZE"]
    for _ in range(k):  # enough for the published copy to exist too
        client.delete_cookie("session")
        quiz.complete(best_answers(bank))
    rows_before = store.row_count()
    for _ in range(50):
        client.delete_cookie("session")
        quiz.complete(best_answers(bank))
    assert store.row_count() == rows_before
    assert store.count("completions") == k + 50


def test_rows_are_bounded_by_distinct_keys_not_by_visitors(quiz, client, store, bank):
    for i in range(20):
        client.delete_cookie("session")
        quiz.complete(best_answers(bank) if i % 2 else worst_answers(bank))
    live = [r for r in store.rows() if not r[0].startswith("shown:")]
    possible = sum(len(q.options) for q in bank.questions) + 5 + 12 + 1 + len(CHILLING_IDS)
    assert len(live) <= possible
    # each row is a counter: a label and a number, never a person
    assert all(r[0] == "global" for r in live)


def test_no_stored_value_or_log_line_holds_the_client(app, quiz, client, store, bank, caplog):
    client.environ_base.update(
        {"REMOTE_ADDR": CLIENT_ADDR, "HTTP_USER_AGENT": CLIENT_UA, "HTTP_REFERER": REFERRER,
         "HTTP_X_FORWARDED_FOR": CLIENT_ADDR}
    )  # fmt: skip
    with caplog.at_level(logging.DEBUG):
        quiz.complete(worst_answers(bank))
        client.get("/quiz/result")
    stored = " ".join(str(v) for row in store.rows() for v in row)
    for secret in (CLIENT_ADDR, "UniqueAgent", "secret-referrer"):
        assert secret not in stored
        assert secret not in caplog.text


def test_no_table_links_two_answers_of_one_person(app):
    from app.models import Base

    room_columns = {"id", "code", "title", "presenter_hash", "expires_on", "language"}
    for table in Base.metadata.tables.values():
        if table.name == "room":
            # one row per facilitator's room, holding nothing about who joined it
            assert {c.name for c in table.columns} == room_columns
            continue
        assert {c.name for c in table.columns} == {"scope", "metric", "value", "count"}, table.name


def test_session_cookie_is_strictly_necessary_and_short_lived(client, quiz):
    response = quiz.answer(1, "always")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Expires" not in cookie and "Max-Age" not in cookie  # gone when the browser closes
    assert "Secure" not in cookie  # plain http in tests; see the https test
    assert len(response.headers.getlist("Set-Cookie")) == 1


def test_session_cookie_is_secure_behind_https(database_url, tmp_path, bank):
    from app import create_app
    from app.migrate import upgrade

    upgrade(database_url)
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SESSION_COOKIE_SECURE": True,
            "BEHIND_HTTPS": True,
            "INSTANCE_PATH": str(tmp_path),
        }
    )
    client = app.test_client()
    response = client.get("/quiz/1", base_url="https://localhost")
    assert "Secure" in response.headers["Set-Cookie"]
    app.extensions["database"].engine.dispose()


def test_pages_reference_nothing_from_another_origin(quiz, client, bank):
    quiz.complete()
    for path in ("/", "/quiz/1", "/quiz/result", "/privacy", "/stats", "/forgotten", "/nope"):
        body = client.get(path).get_data(as_text=True)
        for attr in ('src="http', 'src="//', 'href="//'):
            assert attr not in body, (path, attr)
        assert "<script>" not in body and " style=" not in body and " onclick" not in body

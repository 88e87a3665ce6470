"""The privacy invariants: counters only, nothing per visitor, nothing about the client."""

from __future__ import annotations

import logging

import pytest

from app.content.closing_question import OPTION_IDS as CHILLING_IDS
from app.scoring import best_answers, worst_answers

CLIENT_ADDR = "203.0.113.77"
CLIENT_UA = "Mozilla/5.0 (PrivacyProbe; like Gecko) UniqueAgent/42"
REFERRER = "https://example.org/secret-referrer"


@pytest.mark.slow
def test_finishing_adds_no_row_at_all(app, quiz, client, store, bank):
    """Every counter of the site exists, at zero, before anyone finishes: a finish only adds 1s,
    so neither the number nor the order of rows says which answer came first."""
    rows_before = store.rows()
    assert rows_before and all(n == 0 for *_key, n in rows_before)
    for _ in range(20):
        client.delete_cookie("session")
        quiz.complete(best_answers(bank))
    assert [r[:3] for r in store.rows()] == [r[:3] for r in rows_before]
    assert store.count("completions") == 20


@pytest.mark.slow
def test_rows_are_bounded_by_distinct_keys_not_by_visitors(app, quiz, client, store, bank):
    for i in range(20):
        client.delete_cookie("session")
        quiz.complete(best_answers(bank) if i % 2 else worst_answers(bank))
    myths = app.extensions["myths"]
    possible = sum(len(q.options) for q in bank.questions) + len(CHILLING_IDS) + 2 + 2 * len(myths.statements)
    assert store.row_count() == possible
    # each row is a counter: a label and a number, never a person
    assert all(r[0] == "global" for r in store.rows())


def test_sqlite_files_and_folder_are_closed_to_other_accounts(app, quiz, bank, database_url):
    """The instance folder is 0700 and the database, its WAL and shared memory 0600, and
    SQLite overwrites deleted rows (secure_delete)."""
    import stat
    from pathlib import Path

    if not database_url.startswith("sqlite"):
        pytest.skip("files exist only with SQLite: PostgreSQL's files belong to the database server")
    quiz.complete()
    path = Path(database_url.split("///", 1)[1])
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        assert name.exists() and stat.S_IMODE(name.stat().st_mode) == 0o600, name
    with app.extensions["database"].engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1


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
    from app.store.models import Base

    # "joined" is a count of joins, added to at each join: it links to no one and to no answer
    room_columns = {"id", "code", "title", "presenter_hash", "expires_on", "language", "odds", "closed", "joined"}
    for table in Base.metadata.tables.values():
        if table.name == "room":
            # one row per facilitator's room, holding nothing about who joined it
            assert {c.name for c in table.columns} == room_columns
            continue
        if table.name == "spent_token":
            # what "counted once" needs: a hash and a day, no answer, no scope, no time
            assert {c.name for c in table.columns} == {"token_hash", "expires_on"}
            continue
        # a counter row: where, at which privacy level, what, how many; nothing about anyone
        assert {c.name for c in table.columns} == {"scope", "odds", "metric", "value", "count"}, table.name


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
    from app.store.schema import upgrade

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
    response = client.get("/quiz/", base_url="https://localhost")
    assert "Secure" in response.headers["Set-Cookie"]
    app.extensions["database"].engine.dispose()


def test_pages_reference_nothing_from_another_origin(quiz, client, bank):
    quiz.complete()
    for path in ("/", "/quiz/", "/quiz/result", "/privacy", "/stats", "/forgotten", "/nope"):
        body = client.get(path).get_data(as_text=True)
        for attr in ('src="http', 'src="//', 'href="//'):
            assert attr not in body, (path, attr)
        assert "<script>" not in body and " style=" not in body and " onclick" not in body


def test_a_shared_folder_holding_the_database_is_never_changed(tmp_path):
    """A database in a shared folder (sticky, like /tmp) gets its own file 0600, and the
    folder keeps its mode: closing /tmp would lock every other account out of it."""
    import stat

    from app.store.hygiene import private_folder, private_sqlite_file

    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    private_sqlite_file(shared / "db.sqlite3")
    private_folder(shared)
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert stat.S_IMODE((shared / "db.sqlite3").stat().st_mode) == 0o600
    own = tmp_path / "instance"
    private_folder(own)
    assert stat.S_IMODE(own.stat().st_mode) == 0o700

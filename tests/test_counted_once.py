"""Counted once: a replayed cookie counts nothing more, across workers; tokens expire; the WAL empties.

The gunicorn tests run on the suite's database, SQLite in the first pass of `make test`,
PostgreSQL in the second.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.counting import start_token as counted_once
from app.scoring import load_myths
from app.store import counters as tally
from app.store.hygiene import purge_expired
from app.store.models import Counter, Room, SpentToken
from bench.loadgen import CSRF_RE, Server, forge_cookie, request, running, session_cookie
from tests.helpers import csrf_token, open_room, questionnaire_form

REPLAYS = 50


def total(app, metric: str, scope: str = tally.GLOBAL) -> int:
    with app.extensions["database"].sessions() as s:
        return s.scalar(select(Counter.count).where(Counter.scope == scope, Counter.metric == metric)) or 0


def replay(server: Server, path: str, cookie: str, form: dict[str, str]) -> list[int]:
    """The same request, sent `REPLAYS` times at once."""
    statuses: list[int] = []
    lock = threading.Lock()
    go = threading.Event()

    def send() -> None:
        go.wait()
        status = request(server.base, "POST", path, cookie=cookie, form=form).status
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=send) for _ in range(REPLAYS)]
    for t in threads:
        t.start()
    go.set()
    for t in threads:
        t.join()
    return statuses


@pytest.mark.load
def test_the_last_step_replayed_50_times_at_once_on_two_workers_counts_once(app, database_url, bank, tmp_path):
    server = Server(database_url, workers=2)
    with running(server, tmp_path):
        code, _link, _page = open_room(app.test_client())  # on the database the server uses
        with app.extensions["database"].sessions() as s:
            room_id = s.scalar(select(Room.id).where(Room.code == code))
        # The questionnaire, in a room, with the start token the page gave it, answered to the end.
        state = {"room": room_id}
        page = request(server.base, "GET", "/quiz/", cookie=forge_cookie(state))
        cookie = session_cookie(page, forge_cookie(state))
        form = questionnaire_form(bank, CSRF_RE.search(page.body).group(1))
        assert replay(server, "/quiz/", cookie, form) == [303] * REPLAYS

        round_page = request(server.base, "GET", "/myths/", cookie=cookie)
        myth_cookie = session_cookie(round_page, cookie)
        guesses = {s.id: s.verdict for s in load_myths().statements}
        assert replay(server, "/myths/", myth_cookie, {"csrf_token": form["csrf_token"], **guesses}) == [303] * REPLAYS
        assert "Traceback" not in server.log()

    assert total(app, "completions") == 1 and total(app, "completions", f"room:{room_id}") == 1
    assert total(app, "myth_rounds") == 1 and total(app, "myth_rounds", f"room:{room_id}") == 1
    with app.extensions["database"].sessions() as s:
        assert len(s.scalars(select(SpentToken)).all()) == 2  # a hash and a day each, nothing else


def test_a_token_past_its_day_is_refused_and_its_hash_deleted(app, quiz, client, bank, store):
    quiz.answer_scored()
    with client.session_transaction() as session:
        quiz_state = session["quiz"]
        quiz_state["start"]["until"] = (counted_once.today() - timedelta(days=1)).isoformat()
        session["quiz"] = quiz_state
    quiz.close()
    assert store.total() == 0
    assert "started two or more days ago (UTC)" in client.get("/quiz/result").get_data(as_text=True)
    # a spent hash past its day goes at the next purge
    with app.extensions["database"].sessions() as s:
        s.add(SpentToken(token_hash="0" * 64, expires_on=counted_once.today() - timedelta(days=1)))
        s.add(SpentToken(token_hash="1" * 64, expires_on=counted_once.today()))
        s.commit()
    assert purge_expired(app.extensions["database"].sessions).spent_tokens == 1
    with app.extensions["database"].sessions() as s:
        assert [t.token_hash for t in s.scalars(select(SpentToken))] == ["1" * 64]


def test_taking_the_quiz_again_counts_again_with_a_new_token(quiz, client, bank, store):
    quiz.complete()
    page = client.get("/quiz/result").get_data(as_text=True)
    client.post("/quiz/restart", data={"csrf_token": csrf_token(page)})
    quiz.complete()
    assert store.count("completions") == 2


def test_a_replayed_closing_answer_through_the_test_client_counts_once(quiz, client, bank, store):
    quiz.answer_scored()
    form = quiz.form("no")
    with client.session_transaction() as session:
        saved = dict(session)
    for _ in range(5):
        with client.session_transaction() as session:
            session.clear()
            session.update(saved)
        assert client.post("/quiz/", data=form).status_code == 303
    assert store.count("completions") == 1
    assert "already counted once" in client.get("/quiz/result").get_data(as_text=True)


@pytest.mark.load
def test_a_worker_empties_the_sqlite_wal_on_its_schedule(app, database_url, bank, tmp_path):
    if not database_url.startswith("sqlite"):
        pytest.skip("a WAL file is SQLite's: PostgreSQL manages its own")
    wal = Path(f"{database_url.split('///', 1)[1]}-wal")
    server = Server(database_url, workers=2, env={"WAL_CHECKPOINT_SECONDS": "1"})
    with running(server, tmp_path):
        page = request(server.base, "GET", "/quiz/")
        cookie = session_cookie(page, None)
        sent = request(server.base, "POST", "/quiz/", cookie=cookie,
                       form=questionnaire_form(bank, CSRF_RE.search(page.body).group(1)))  # fmt: skip
        assert sent.status == 303 and total(app, "completions") == 1
        # the finished quiz's transaction is in the WAL until the next tick of the worker's timer,
        # which runs from the worker's start: on a busy machine it may have come already
        deadline = time.monotonic() + 15
        while wal.stat().st_size and time.monotonic() < deadline:
            request(server.base, "GET", "/healthz")  # any request starts a worker's timer
            time.sleep(0.5)
        assert wal.stat().st_size == 0, "the WAL was not truncated"

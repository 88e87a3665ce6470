"""Closing a room refuses every finish that commits after the close, even one already in flight."""

from __future__ import annotations

from sqlalchemy import select, update

from app.counting import finish
from app.counting import items as counting
from app.store.models import Room
from tests.helpers import QuizDriver, csrf_token, open_room


def _join(app, code: str):
    browser = app.test_client()
    page = browser.get(f"/r/{code}").get_data(as_text=True)
    assert browser.post(f"/r/{code}", data={"csrf_token": csrf_token(page)}).status_code == 303
    return browser


def _room(store) -> Room:
    with store._session() as s:
        return s.scalars(select(Room)).one()


def _close_while_counting(app, monkeypatch):
    """Close the room (committed, from another connection) after the finish has read the room
    as open and before its counting transaction begins: the race a real close can hit."""
    randomize = counting.randomize_for

    def close_then_randomize(items, scopes, *args):
        with app.extensions["database"].sessions() as s:
            s.execute(update(Room).values(closed=True))
            s.commit()
        return randomize(items, scopes, *args)

    monkeypatch.setattr(finish, "randomize_for", close_then_randomize)


def test_a_quiz_finishing_while_its_room_closes_is_not_counted_in_the_room(app, client, bank, store, monkeypatch):
    code, _link, _ = open_room(client)
    browser = _join(app, code)
    driver = QuizDriver(browser, bank)
    driver.answer_scored()
    _close_while_counting(app, monkeypatch)
    assert driver.close().status_code == 303
    room = _room(store)
    assert room.closed
    assert store.count("completions", scope=room.scope) == 0  # refused inside the transaction
    assert sum(r[3] for r in store.rows() if r[0] == room.scope) == 0  # nothing at all in the room
    assert store.count("completions") == 1  # the site still counts it, at the room's level
    result = browser.get("/quiz/result").get_data(as_text=True)
    assert "counted only in the overall statistics" in result


def test_a_myth_round_finishing_while_its_room_closes_is_not_counted_in_the_room(app, client, store, monkeypatch):
    code, _link, _ = open_room(client)
    browser = _join(app, code)
    page = browser.get("/myths/").get_data(as_text=True)
    myths = app.extensions["myths"]
    _close_while_counting(app, monkeypatch)
    played = browser.post("/myths/", data={"csrf_token": csrf_token(page), **{s.id: "real" for s in myths.statements}})
    assert played.status_code == 303
    room = _room(store)
    assert store.count("myth_rounds", scope=room.scope) == 0
    assert store.count("myth_rounds") == 1


def test_a_finish_before_the_close_is_counted(app, client, bank, store):
    """The check refuses only what comes after the close: an open room counts as before."""
    code, _link, _ = open_room(client)
    QuizDriver(_join(app, code), bank).complete()
    assert store.count("completions", scope=_room(store).scope) == 1


def test_a_close_cannot_commit_while_a_count_is_checking_the_room(app, client, bank, store):
    """The room check holds the room until the count commits (a share lock on PostgreSQL, the
    one write lock on SQLite): a close tried meanwhile would have to wait for the count, so it
    commits after it, never between. The close is tried without waiting: it is refused."""
    from sqlalchemy import event, text
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import sessionmaker

    from app.counting.finish import write
    from app.counting.start_token import new_token, spendable
    from app.store import counters as tally

    open_room(client)
    room = _room(store)
    items = counting.quiz_items(bank, {q.id: q.options[0].id for q in bank.questions}, "no")
    counted = counting.randomize_for(items, [counting.Scope(room.scope, room.odds)])
    engine = app.extensions["database"].engine
    counting_sessions = sessionmaker(engine, expire_on_commit=False)
    tried = []

    @event.listens_for(counting_sessions, "before_commit")
    def try_to_close(_session):
        """The room is checked and the count not committed: close now, from elsewhere, without waiting."""
        with engine.connect() as connection:
            try:
                with connection.begin():
                    if engine.dialect.name == "sqlite":
                        connection.execute(text("PRAGMA busy_timeout=0"))
                    else:
                        connection.execute(text("SET LOCAL lock_timeout = '1ms'"))
                    connection.execute(update(Room).where(Room.id == room.id).values(closed=True))
            except OperationalError:
                tried.append("would wait for the count")
            else:
                tried.append("closed between")

    write(counting_sessions, counted, {room.scope: room.odds}, spendable(new_token()), tally.COMPLETIONS, room=room)
    assert tried == ["would wait for the count"]
    assert store.count("completions", scope=room.scope) == 1 and not _room(store).closed
    # Once the count committed, the same close goes through at once.
    with engine.begin() as connection:
        connection.execute(update(Room).where(Room.id == room.id).values(closed=True))
    assert _room(store).closed

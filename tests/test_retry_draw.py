"""A finish into a room that is full or closes meanwhile: the site's values counted alone are
those of the same draw, derived from the room's values through the site's channel; the coin
is never tossed again. The aborted attempt's room values can stay in the database's own log
(PostgreSQL's WAL, old row versions), so a fresh draw would release the room's level and the
site's on top of it; reusing the draw releases exactly the room's level."""

from __future__ import annotations

import secrets
from collections import Counter as Multiset

import pytest
from flask import Flask
from sqlalchemy import select

from app import create_app
from app.counting import finish
from app.counting.items import completion_keys, randomize_for
from app.rooms import store as room_store
from app.store.models import Room
from tests.helpers import QuizDriver, csrf_token, open_room

SITE_ODDS, ROOM_ODDS = 4, 9  # a weaker room: its members count in the site's figures too


@pytest.fixture
def capped(database_url: str, tmp_path, app) -> Flask:
    """Rooms that count one finished quiz (the `app` fixture migrated the database)."""
    capped = create_app(
        {
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(tmp_path),
            "ROOM_MAX_PARTICIPANTS": 1,
            "EPSILON_ODDS": SITE_ODDS,
        }
    )
    yield capped
    capped.extensions["database"].engine.dispose()


@pytest.fixture
def draws(monkeypatch):
    """Every draw of the coin during counting, by call of randomize_for: the scopes it drew for,
    how many random numbers it took, and the values it gave."""
    calls: list[dict] = []

    def counted_draws(items, scopes, draw=secrets.randbelow):
        taken: list[int] = []

        def counting(n: int) -> int:
            taken.append(n)
            return draw(n)

        values = randomize_for(items, scopes, counting)
        calls.append({"scopes": [s.name for s in scopes], "taken": taken, "values": values})
        return values

    monkeypatch.setattr(finish, "randomize_for", counted_draws)
    return calls


def member(app: Flask, code: str):
    client = app.test_client()
    page = client.get(f"/r/{code}").get_data(as_text=True)
    assert client.post(f"/r/{code}", data={"csrf_token": csrf_token(page)}).status_code == 303
    return client


def increments(before: list, after: list) -> Multiset:
    """The counters each write added 1 to: (scope, metric, value) -> how many times."""
    was = {(s, m, v): c for s, m, v, c in before}
    return Multiset({(s, m, v): c - was.get((s, m, v), 0) for s, m, v, c in after if c != was.get((s, m, v), 0)})


def _finish_and_look(app: Flask, store, client, draws) -> tuple[Multiset, dict]:
    before = store.rows()
    QuizDriver(client, app.extensions["bank"]).complete()
    after = store.rows()
    assert len(draws) == 1, "the coin was tossed again"
    return increments(before, after), draws[0]


def _expected_site_only(draw: dict) -> Multiset:
    site = {"global": draw["values"]["global"]}
    return Multiset((k.scope, k.metric, k.value) for k in completion_keys(site, "completions"))


def test_a_finish_into_a_full_room_counts_the_same_draws_site_values(capped, store, draws):
    code, _, _ = open_room(capped.test_client(), odds=str(ROOM_ODDS))
    first, late = member(capped, code), member(capped, code)  # both joined while it had room
    QuizDriver(first, capped.extensions["bank"]).complete()  # the room's one place is taken
    draws.clear()

    written, draw = _finish_and_look(capped, store, late, draws)

    room = next(s for s in draw["scopes"] if s.startswith("room:"))
    assert draw["scopes"] == [room, "global"]  # one draw for both: the room's, then the site's from it
    assert written == _expected_site_only(draw)  # exactly the site's values of that draw, nothing in the room
    result = late.get("/quiz/result").get_data(as_text=True)
    assert "counted only in the overall statistics" in result


def test_a_finish_into_a_room_closed_meanwhile_counts_the_same_draws_site_values(capped, store, draws, monkeypatch):
    code, _, _ = open_room(capped.test_client(), odds=str(ROOM_ODDS))
    client = member(capped, code)
    drawn = finish.randomize_for

    def closed_while_counting(items, scopes, draw=secrets.randbelow):
        """The facilitator closes the room after the draw, before the count commits."""
        values = drawn(items, scopes, draw)
        with capped.extensions["database"].sessions.begin() as s:
            room = s.scalars(select(Room).where(Room.code == code)).one()
            room_store.set_closed(s, room, True)
        return values

    monkeypatch.setattr(finish, "randomize_for", closed_while_counting)
    written, draw = _finish_and_look(capped, store, client, draws)

    assert len(draw["scopes"]) == 2 and draw["scopes"][1] == "global"
    assert written == _expected_site_only(draw)

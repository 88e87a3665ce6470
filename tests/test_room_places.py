"""A room's places: a browser joins a room once, one address cannot fill a room meant for
others in seconds, and a venue of 300 behind one address still gets in (app/rooms/limits.py)."""

from __future__ import annotations

import time

import pytest
from flask import Flask
from sqlalchemy import select

from app import create_app
from app.store.models import Room
from tests.helpers import QuizDriver, csrf_token, open_room

VENUE = "198.51.100.80"  # one wifi address for everyone in the room


@pytest.fixture
def make_app(database_url: str, tmp_path, app):
    """The app with a room cap of its own (the `app` fixture migrated the database)."""
    made: list[Flask] = []

    def make(places: int) -> Flask:
        made.append(
            create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path), "ROOM_MAX_PARTICIPANTS": places})
        )
        return made[-1]

    yield make
    for each in made:
        each.extensions["database"].engine.dispose()


@pytest.fixture
def clock(monkeypatch):
    """The wall clock, moved on by hand: the limits' windows pass without waiting."""
    now = [time.time()]
    monkeypatch.setattr(time, "time", lambda: now[0])

    def wait(seconds: float) -> None:
        now[0] += seconds

    return wait


def browser(app: Flask, address: str = VENUE):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def join(client, code: str) -> int:
    page = client.get(f"/r/{code}").get_data(as_text=True)
    return client.post(f"/r/{code}", data={"csrf_token": csrf_token(page)}).status_code


def joined(app: Flask, code: str) -> int:
    with app.extensions["database"].sessions() as s:
        return s.scalar(select(Room.joined).where(Room.code == code))


def test_a_browser_counts_as_joined_once_per_room(app, client):
    first, _, _ = open_room(app.test_client())
    second, _, _ = open_room(app.test_client())
    for code in (first, second, first, second, first):  # switching back and forth
        assert join(client, code) == 303
    assert (
        client.post(
            "/rooms/leave", data={"csrf_token": csrf_token(client.get(f"/r/{first}").get_data(as_text=True))}
        ).status_code
        == 303
    )
    assert join(client, first) == 303  # leaving and coming back
    assert (joined(app, first), joined(app, second)) == (1, 1)


def test_fresh_cookies_from_one_address_cannot_fill_a_room_in_seconds(make_app, store):
    room_app = make_app(8)  # a quarter of 8 places a minute: 2
    bank = room_app.extensions["bank"]
    code, _, _ = open_room(room_app.test_client())
    answers = [join(browser(room_app), code) for _ in range(6)]
    assert answers == [303, 303, 429, 429, 429, 429]
    assert joined(room_app, code) == 2
    # Someone at another address joins as usual.
    assert join(browser(room_app, "203.0.113.5"), code) == 303

    # Nor can one cookie fill it by finishing again and again (each retake counts anew).
    finisher = browser(room_app, "192.0.2.44")
    assert join(finisher, code) == 303
    runs = []
    for _ in range(4):
        driver = QuizDriver(finisher, bank)
        driver.answer_scored()
        runs.append(driver.close().status_code)
        if runs[-1] == 303:  # a retake: the result page's "take it again"
            page = finisher.get("/quiz/result").get_data(as_text=True)
            finisher.post("/quiz/restart", data={"csrf_token": csrf_token(page)})
    assert runs == [303, 303, 429, 429]
    room_scope = next(s for s, m, _v, _c in store.rows() if s.startswith("room:") and m == "completions")
    assert store.count("completions", scope=room_scope) == 2


@pytest.mark.slow  # 300 people's joins and quizzes
def test_a_venue_of_300_behind_one_address_joins_and_finishes_within_minutes(make_app, clock, store):
    """Everyone arrives at once; whoever is asked to wait a minute tries again a minute later."""
    venue_app = make_app(500)  # the default cap
    bank = venue_app.extensions["bank"]
    code, _, _ = open_room(venue_app.test_client())
    people = [browser(venue_app) for _ in range(300)]

    waiting, minutes = people, 0
    while waiting and minutes < 10:
        waiting = [person for person in waiting if join(person, code) == 429]
        if waiting:
            clock(61)
            minutes += 1
    assert not waiting and minutes <= 3
    assert joined(venue_app, code) == 300

    drivers = [QuizDriver(person, bank) for person in people]
    for driver in drivers:
        driver.answer_scored()
    waiting, minutes = drivers, 0
    while waiting and minutes < 10:
        waiting = [driver for driver in waiting if driver.close().status_code == 429]
        if waiting:
            clock(61)
            minutes += 1
    assert not waiting and minutes <= 3
    room_scope = next(s for s, m, _v, _c in store.rows() if s.startswith("room:") and m == "completions")
    assert store.count("completions", scope=room_scope) == 300

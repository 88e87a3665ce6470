"""Deletion on the date promised: the one timer deletes a room with its counts, and spent
tokens, within the hour of the day the pages state, with the clock moved rather than waited for."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from app.store import days, hygiene
from app.store.models import Counter, Room, SpentToken
from tests.helpers import csrf_token, open_room


@pytest.fixture
def clock(monkeypatch):
    """Set the one clock the store reads its days from (app/store/days.py)."""

    def set_to(moment: datetime) -> None:
        monkeypatch.setattr(days, "now", lambda: moment)

    return set_to


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def rows(app) -> tuple[int, int, int]:
    """Rooms, room counters and spent tokens in the database."""
    with app.extensions["database"].sessions() as s:
        return (
            s.scalar(select(func.count()).select_from(Room)),
            s.scalar(select(func.count()).select_from(Counter).where(Counter.scope.like("room:%"))),
            s.scalar(select(func.count()).select_from(SpentToken)),
        )


@pytest.mark.parametrize("setting", [0, 60, 86_400])
def test_the_timer_runs_at_least_hourly_whatever_the_wal_setting(app, setting):
    """WAL_CHECKPOINT_SECONDS=0 stops the checkpoints, not the deletion; a day-long setting
    still deletes within the hour."""
    database = app.extensions["database"]
    maintenance = hygiene.Maintenance(database.engine, database.sessions, setting)
    assert 0 < maintenance.every <= 3600
    assert maintenance.checkpoints == (setting > 0)


def test_a_room_and_its_counts_are_deleted_within_the_hour_of_the_stated_day(app, client, quiz, bank, clock):
    start = datetime(2026, 12, 7, 15, 30, tzinfo=UTC)
    clock(start)
    code, link, _ = open_room(client)
    stated = date.fromisoformat(
        re.search(r'data-deletes-on="([\d-]+)"', client.get(f"{link}/controls").get_data(as_text=True)).group(1)
    )
    assert stated == start.date() + timedelta(days=app.config["ROOM_TTL_DAYS"])
    page = quiz.client.get(f"/r/{code}").get_data(as_text=True)
    quiz.client.post(f"/r/{code}", data={"csrf_token": csrf_token(page)})
    quiz.complete()
    rooms, room_counters, tokens = rows(app)
    assert rooms == 1 and room_counters > 0 and tokens == 1

    maintenance = app.extensions["storage_maintenance"]
    clock(midnight(stated) - timedelta(seconds=1))
    maintenance.run_once()
    assert rows(app)[:2] == (rooms, room_counters)  # not before the day the pages state

    # the timer's next run after midnight comes at most one interval later: within the hour
    clock(midnight(stated) + timedelta(seconds=maintenance.every))
    maintenance.run_once()
    assert rows(app) == (0, 0, 0)


def test_a_spent_token_is_deleted_in_the_hour_the_privacy_page_states(app, client, quiz, clock):
    start = datetime(2026, 12, 7, 0, 0, 1, tzinfo=UTC)  # the longest a token is kept
    clock(start)
    assert "the first hour of the second day (UTC) after the quiz or round was started" in client.get(
        "/privacy"
    ).get_data(as_text=True)
    quiz.complete()
    assert rows(app)[2] == 1
    maintenance = app.extensions["storage_maintenance"]
    last_moment = midnight(start.date() + timedelta(days=2))
    clock(last_moment - timedelta(seconds=1))
    maintenance.run_once()
    assert rows(app)[2] == 1
    clock(last_moment + timedelta(seconds=maintenance.every))
    maintenance.run_once()
    assert rows(app)[2] == 0

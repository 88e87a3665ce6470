"""Counts made at one privacy level are never mixed with counts made at another: a change of
EPSILON_ODDS starts new counts, the old ones kept and not read; the upgrade that brings the
level into the counters gives a room's rows the room's level."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import create_engine, select, text

from app import create_app
from app.disclosure import published
from app.store.counters import COMPLETIONS, GLOBAL
from app.store.models import Counter
from app.store.schema import alembic_config, upgrade
from tests.helpers import TEST_MIN_FINISHED, QuizDriver


def app_at(url: str, tmp_path, odds: int):
    return create_app(
        {"DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path), "MIN_FINISHED": TEST_MIN_FINISHED, "EPSILON_ODDS": odds}
    )


def site_finished(app) -> int:
    with app.test_request_context():
        return published.site_figures().finished


def completions(app) -> dict[int, int]:
    with app.extensions["database"].sessions() as s:
        rows = s.execute(
            select(Counter.odds, Counter.count).where(Counter.scope == GLOBAL, Counter.metric == COMPLETIONS)
        )
        return {odds: count for odds, count in rows}


def test_a_new_level_starts_new_counts_and_keeps_the_old_ones_apart(migrated_url, tmp_path):
    at4 = app_at(migrated_url, tmp_path, 4)
    try:
        for _ in range(TEST_MIN_FINISHED):
            QuizDriver(at4.test_client(), at4.extensions["bank"]).complete()
        assert site_finished(at4) == TEST_MIN_FINISHED
        assert published_estimates_visible(at4)
    finally:
        at4.extensions["database"].engine.dispose()

    at9 = app_at(migrated_url, tmp_path, 9)  # the operator changes EPSILON_ODDS
    try:
        assert site_finished(at9) == 0 and not published_estimates_visible(at9)  # nothing read at the wrong level
        QuizDriver(at9.test_client(), at9.extensions["bank"]).complete()
        assert site_finished(at9) == 1
        assert completions(at9) == {4: TEST_MIN_FINISHED, 9: 1}  # both kept, side by side
        page = at9.test_client().get("/stats").get_data(as_text=True)
        assert 'data-finished="1"' in page or "data-waiting" in page
    finally:
        at9.extensions["database"].engine.dispose()

    back = app_at(migrated_url, tmp_path, 4)
    try:
        assert site_finished(back) == TEST_MIN_FINISHED  # the ln 4 counts, untouched by the ln 9 one
    finally:
        back.extensions["database"].engine.dispose()


def published_estimates_visible(app) -> bool:
    with app.test_request_context():
        return published.site_figures().visible


@pytest.mark.parametrize("site_odds", ["4", "2"])
def test_the_upgrade_gives_each_room_its_own_level_and_the_site_the_one_it_runs_at(
    database_url, monkeypatch, site_odds
):
    monkeypatch.setenv("EPSILON_ODDS", site_odds)
    engine = create_engine(database_url)
    try:
        command.upgrade(alembic_config(database_url), "0004")
        with engine.begin() as db:
            db.execute(text("INSERT INTO room VALUES ('r9', 'ABCDEF', '', 'h', '2999-01-01', NULL, 9, false, 3)"))
            for scope in ("global", "room:r9", "room:gone"):
                db.execute(text("INSERT INTO counter VALUES (:scope, 'completions', '', 3)"), {"scope": scope})
        upgrade(database_url)
        with engine.connect() as db:
            levels = dict(db.execute(text("SELECT scope, odds FROM counter")).all())
            assert levels == {"global": int(site_odds), "room:r9": 9, "room:gone": int(site_odds)}
            # the same key at another level is a row of its own
            db.execute(
                text(
                    "INSERT INTO counter (scope, odds, metric, value, count) VALUES ('global', 9, 'completions', '', 1)"
                )
            )
            assert db.execute(text("SELECT count(*) FROM counter WHERE scope = 'global'")).scalar() == 2
    finally:
        engine.dispose()

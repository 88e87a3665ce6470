"""Counters keep the privacy level their values were randomized at.

De-biasing a count needs the level it was made at; until now a site whose EPSILON_ODDS
changed added new counts to the old ones and read them all at the new level (ln 4 counts
read at ln 9 shrink every estimate towards 1/m by about 16%). From here each row carries
its level (e^ε) in its key, and every read names one: a change of level starts new counts,
the old ones kept and not mixed in.

Existing rows: a room's were made at the room's level (fixed when it opened); the site's at
the level the site runs at now (EPSILON_ODDS, 4 by default) — counts mixed before this
revision cannot be told apart, so they stay together at that level.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

import os
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MIN_ODDS, MAX_ODDS, DEFAULT_ODDS = 2, 9, 4  # app/config.py's bounds, as they were at this revision


def _site_odds() -> int:
    try:
        odds = int(os.environ.get("EPSILON_ODDS", "").strip() or DEFAULT_ODDS)
    except ValueError:
        return DEFAULT_ODDS  # the app refuses such a setting at start; the rows take the default
    return odds if MIN_ODDS <= odds <= MAX_ODDS else DEFAULT_ODDS


def upgrade() -> None:
    site = _site_odds()
    with op.batch_alter_table("counter") as counter:
        counter.add_column(sa.Column("odds", sa.Integer(), nullable=False, server_default=str(site)))
    # A room's rows take the room's level; the site's (and a deleted room's leftovers) the site's.
    op.execute(
        sa.text(
            "UPDATE counter SET odds = (SELECT room.odds FROM room WHERE 'room:' || room.id = counter.scope) "
            "WHERE EXISTS (SELECT 1 FROM room WHERE 'room:' || room.id = counter.scope)"
        )
    )
    with op.batch_alter_table("counter", recreate="always") as counter:
        counter.drop_constraint("pk_counter", type_="primary")
        counter.create_primary_key("pk_counter", ["scope", "odds", "metric", "value"])
        counter.alter_column("odds", server_default=None, existing_type=sa.Integer(), existing_nullable=False)


def downgrade() -> None:
    # Only one level per scope and key can go back: the rows of the site's present level.
    site = _site_odds()
    op.execute(sa.text("DELETE FROM counter WHERE scope = 'global' AND odds <> :odds").bindparams(odds=site))
    with op.batch_alter_table("counter", recreate="always") as counter:
        counter.drop_constraint("pk_counter", type_="primary")
        counter.create_primary_key("pk_counter", ["scope", "metric", "value"])
        counter.drop_column("odds")

"""Deniable counting: no published copy, rooms with a privacy level and a close switch,
spent tokens, and the counters collected before randomized response deleted.

The counters written before this revision hold true answers (not randomized) and the
band and score range of each quiz: exactly what the attacks of issue 12 read. They can
neither be protected after the fact nor be mixed with randomized counts (the estimates
would be wrong), so they are deleted, and every room starts again from zero.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM counter")
    op.drop_table("shown_counter")
    with op.batch_alter_table("room") as room:
        room.add_column(sa.Column("odds", sa.Integer(), nullable=False, server_default="4"))
        room.add_column(sa.Column("closed", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "spent_token",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_spent_token"),
    )
    op.create_index("ix_spent_token_expires_on", "spent_token", ["expires_on"])


def downgrade() -> None:
    op.drop_index("ix_spent_token_expires_on", table_name="spent_token")
    op.drop_table("spent_token")
    with op.batch_alter_table("room") as room:
        room.drop_column("closed")
        room.drop_column("odds")
    op.create_table(
        "shown_counter",
        sa.Column("scope", sa.String(40), nullable=False),
        sa.Column("metric", sa.String(60), nullable=False),
        sa.Column("value", sa.String(40), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "metric", "value", name="pk_shown_counter"),
    )

"""Rooms count who joined: one number per room, added to when a visitor first joins it.

It is a count of joins, linked to nothing (no answer, no time), so the projector's lobby
can show "N joined" before anyone finishes. Existing rooms start at zero.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("room") as room:
        room.add_column(sa.Column("joined", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("room") as room:
        room.drop_column("joined")

"""Workshop rooms: join code, presenter secret's hash, expiry day.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "room",
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("code", sa.String(8), nullable=False),
        sa.Column("title", sa.String(80), nullable=False),
        sa.Column("presenter_hash", sa.String(64), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("language", sa.String(16), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_room"),
        sa.UniqueConstraint("code", name="uq_room_code"),
    )
    op.create_index("ix_room_expires_on", "room", ["expires_on"])


def downgrade() -> None:
    op.drop_index("ix_room_expires_on", table_name="room")
    op.drop_table("room")

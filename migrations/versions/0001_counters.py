"""Aggregate counters and their published copy.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _counter_table(name: str) -> None:
    op.create_table(
        name,
        sa.Column("scope", sa.String(40), nullable=False),
        sa.Column("metric", sa.String(60), nullable=False),
        sa.Column("value", sa.String(40), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "metric", "value", name=f"pk_{name}"),
    )


def upgrade() -> None:
    _counter_table("counter")
    _counter_table("shown_counter")


def downgrade() -> None:
    op.drop_table("shown_counter")
    op.drop_table("counter")

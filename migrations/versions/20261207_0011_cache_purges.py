"""The cache purge outbox.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 23:00:00

One row per committed write and cache endpoint, naming the purge keys the write made
stale; the purge worker sends them and deletes the row (api.domain.purges).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "cache_purges",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("target", sa.String(length=2048), nullable=False),
        sa.Column("keys", JSON, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cache_purges")),
    )
    op.create_index(
        "ix_cache_purges_status_next_attempt_at",
        "cache_purges",
        ["status", "next_attempt_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_cache_purges_status_next_attempt_at", table_name="cache_purges")
    op.drop_table("cache_purges")

"""Webhook subscriptions belong to the API key that made them.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 09:00:00

``owner_key_id`` is the maker's ``key_id``; a key sees and manages only its own, an admin
key all of them. Subscriptions already stored keep NULL, which admin keys alone may reach:
who made them was never recorded. A plain column, not a foreign key: adding one on SQLite
rebuilds the table, and dropping the old table would cascade to the delivery log.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Added in place on both databases (no batch rebuild): the rows and deliveries stay.
    op.add_column(
        "webhook_subscriptions", sa.Column("owner_key_id", sa.String(length=16), nullable=True)
    )
    op.create_index(
        op.f("ix_webhook_subscriptions_owner_key_id"),
        "webhook_subscriptions",
        ["owner_key_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_webhook_subscriptions_owner_key_id"), table_name="webhook_subscriptions")
    op.drop_column("webhook_subscriptions", "owner_key_id")

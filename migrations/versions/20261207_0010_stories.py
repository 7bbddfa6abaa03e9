"""Stories: articles telling one event, grouped at write time, and the clustering's own lookups.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 23:00:00

New tables only; articles already stored get their stories when they are next written:
re-ingesting them (even unchanged) clusters every article that has no story yet. ``story_signatures`` and ``story_entity_keys`` are
the clustering's working data and are rebuilt from the articles at will.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _now() -> sa.TextClause:
    return sa.text("CURRENT_TIMESTAMP")


def upgrade() -> None:
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=36), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("source_count", sa.Integer(), nullable=False),
        sa.Column("headline_article_id", sa.Integer(), nullable=True),
        sa.Column("first_published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["headline_article_id"],
            ["articles.id"],
            name=op.f("fk_stories_headline_article_id_articles"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stories")),
        sa.UniqueConstraint("public_id", name=op.f("uq_stories_public_id")),
    )
    op.create_index("ix_stories_updated_at_id", "stories", ["updated_at", "id"], unique=False)
    op.create_index("ix_stories_size", "stories", ["size"], unique=False)

    op.create_table(
        "story_members",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("explanation", _JSON, nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_story_members_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["stories.id"],
            name=op.f("fk_story_members_story_id_stories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_story_members")),
    )
    op.create_index(op.f("ix_story_members_story_id"), "story_members", ["story_id"], unique=False)

    op.create_table(
        "story_signatures",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("terms", _JSON, nullable=False),
        sa.Column("entities", _JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_story_signatures_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_story_signatures")),
    )

    op.create_table(
        "story_entity_keys",
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("term", sa.String(length=64), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_story_entity_keys_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["entities.id"],
            name=op.f("fk_story_entity_keys_entity_id_entities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "entity_id",
            "term",
            "published_at",
            "article_id",
            name=op.f("pk_story_entity_keys"),
        ),
    )
    op.create_index(
        "ix_story_entity_keys_article_id", "story_entity_keys", ["article_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_story_entity_keys_article_id", table_name="story_entity_keys")
    op.drop_table("story_entity_keys")
    op.drop_table("story_signatures")
    op.drop_index(op.f("ix_story_members_story_id"), table_name="story_members")
    op.drop_table("story_members")
    op.drop_index("ix_stories_size", table_name="stories")
    op.drop_index("ix_stories_updated_at_id", table_name="stories")
    op.drop_table("stories")

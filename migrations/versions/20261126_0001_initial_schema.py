"""Initial schema: sources, categories, entities, articles, mentions, links.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 17:38:50.278716
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("icon", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_categories")),
        sa.UniqueConstraint("slug", name=op.f("uq_categories_slug")),
    )
    op.create_table(
        "entities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "type",
            sa.Enum(
                "company",
                "person",
                "organization",
                "country",
                "cryptocurrency",
                "product",
                "topic",
                name="entity_type",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "aliases", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("ticker", sa.String(length=20), nullable=True),
        sa.Column("wikidata_id", sa.String(length=20), nullable=True),
        sa.Column("homepage_url", sa.String(length=2048), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entities")),
        sa.UniqueConstraint("slug", name=op.f("uq_entities_slug")),
    )
    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.create_index("ix_entities_type_name", ["type", "name"], unique=False)

    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("homepage_url", sa.String(length=2048), nullable=False),
        sa.Column("feed_url", sa.String(length=2048), nullable=True),
        sa.Column("logo_url", sa.String(length=2048), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
        sa.UniqueConstraint("slug", name=op.f("uq_sources_slug")),
    )
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=36), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("image_url", sa.String(length=2048), nullable=True),
        sa.Column("image_credit", sa.String(length=300), nullable=True),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column(
            "sentiment",
            sa.Enum(
                "bullish",
                "bearish",
                "neutral",
                name="sentiment",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("sentiment_score", sa.Float(), nullable=True),
        sa.Column("importance", sa.SmallInteger(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column(
            "analysis", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column(
            "key_takeaways",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.Column("language", sa.String(length=16), server_default="en", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "importance BETWEEN 1 AND 10", name=op.f("ck_articles_importance_range")
        ),
        sa.CheckConstraint(
            "sentiment_score IS NULL OR (sentiment_score >= -1 AND sentiment_score <= 1)",
            name=op.f("ck_articles_sentiment_score_range"),
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_articles_category_id_categories"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_articles_source_id_sources"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_articles")),
        sa.UniqueConstraint("public_id", name=op.f("uq_articles_public_id")),
        sa.UniqueConstraint("slug", name=op.f("uq_articles_slug")),
        sa.UniqueConstraint("url", name=op.f("uq_articles_url")),
    )
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.create_index(
            "ix_articles_category_id_published_at_id",
            ["category_id", "published_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_articles_importance_published_at_id",
            ["importance", "published_at", "id"],
            unique=False,
        )
        batch_op.create_index("ix_articles_published_at_id", ["published_at", "id"], unique=False)
        batch_op.create_index(
            "ix_articles_source_id_published_at_id",
            ["source_id", "published_at", "id"],
            unique=False,
        )

    op.create_table(
        "article_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_article_id", sa.Integer(), nullable=False),
        sa.Column("to_article_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "same_story",
                "follow_up",
                "background",
                "analysis",
                "opinion",
                name="link_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("score", sa.Float(), nullable=True),
        sa.CheckConstraint(
            "from_article_id <> to_article_id", name=op.f("ck_article_links_no_self_link")
        ),
        sa.CheckConstraint(
            "score IS NULL OR (score >= 0 AND score <= 1)",
            name=op.f("ck_article_links_score_range"),
        ),
        sa.ForeignKeyConstraint(
            ["from_article_id"],
            ["articles.id"],
            name=op.f("fk_article_links_from_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["to_article_id"],
            ["articles.id"],
            name=op.f("fk_article_links_to_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_links")),
        sa.UniqueConstraint(
            "from_article_id",
            "to_article_id",
            "kind",
            name=op.f("uq_article_links_from_article_id_to_article_id_kind"),
        ),
    )
    with op.batch_alter_table("article_links", schema=None) as batch_op:
        batch_op.create_index("ix_article_links_to_article_id", ["to_article_id"], unique=False)

    op.create_table(
        "mentions",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("salience", sa.Float(), nullable=False),
        sa.Column(
            "sentiment",
            sa.Enum(
                "bullish",
                "bearish",
                "neutral",
                name="mention_sentiment",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.CheckConstraint(
            "salience >= 0 AND salience <= 1", name=op.f("ck_mentions_salience_range")
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_mentions_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["entities.id"],
            name=op.f("fk_mentions_entity_id_entities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "entity_id", name=op.f("pk_mentions")),
    )
    with op.batch_alter_table("mentions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_mentions_entity_id_article_id", ["entity_id", "article_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("mentions", schema=None) as batch_op:
        batch_op.drop_index("ix_mentions_entity_id_article_id")

    op.drop_table("mentions")
    with op.batch_alter_table("article_links", schema=None) as batch_op:
        batch_op.drop_index("ix_article_links_to_article_id")

    op.drop_table("article_links")
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_index("ix_articles_source_id_published_at_id")
        batch_op.drop_index("ix_articles_published_at_id")
        batch_op.drop_index("ix_articles_importance_published_at_id")
        batch_op.drop_index("ix_articles_category_id_published_at_id")

    op.drop_table("articles")
    op.drop_table("sources")
    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.drop_index("ix_entities_type_name")

    op.drop_table("entities")
    op.drop_table("categories")

"""One article written as JSON by the database equals the REST view of its records.

``article_documents.article_document`` serves ``GET /v1/articles/{key}`` and write
replies; the reference is the page as it was built before, from ``articles.get_article``'s
records by the views below (the REST views of their parts). Every article of a demo
corpus with awkward values (floats, fractional seconds, no category, no mentions,
unscored links, odd strings) must come out the same, with the same version and time for
its ETag and Last-Modified, by id and by slug.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import text

from api.domain.articles import documents as article_documents
from api.domain.shared import article_rows as articles
from api.domain.shared.records import ArticleRecord, LinkRecord, StoryRecord
from api.domain.stories import stories_by_article
from api.rest.core.views import (
    article_document_view,
    article_ref_view,
    category_view,
    entity_groups,
    mention_view,
    source_view,
)
from tests.domain.conftest import Store, numbers_as_text


def _link_view(link: LinkRecord) -> dict[str, Any]:
    return {"kind": link.kind, "score": link.score, "article": article_ref_view(link.article)}


def _story_view(story: StoryRecord | None) -> dict[str, Any] | None:
    """The article's story as the reads' records give it (Python), against the SQL JSON."""
    if story is None:
        return None
    return {
        "id": story.id,
        "size": story.size,
        "first_published_at": story.first_published_at,
        "sources": [{"slug": s.slug, "name": s.name} for s in story.sources],
    }


def _article_view(article: ArticleRecord, story: StoryRecord | None) -> dict[str, Any]:
    entities = [mention_view(m) for m in article.mentions or ()]
    return {
        "id": article.id,
        "slug": article.slug,
        "title": article.title,
        "url": article.url,
        "source": source_view(article.source),
        "author": article.author,
        "published_at": article.published_at,
        "created_at": article.created_at,
        "updated_at": article.updated_at,
        "image_url": article.image_url,
        "image_credit": article.image_credit,
        "category": category_view(article.category),
        "sentiment": article.sentiment,
        "sentiment_score": article.sentiment_score,
        "importance": article.importance,
        "summary": article.summary,
        "analysis": article.analysis or [],
        "key_takeaways": article.key_takeaways or [],
        "language": article.language,
        "version": article.version,
        "entities": entities,
        "entity_groups": entity_groups(entities),
        "related_links": [_link_view(link) for link in article.links or ()],
        "story": _story_view(story),
    }


async def _compare_all(store: Store) -> int:
    async with store.database.session() as session:
        keys = (await session.execute(text("SELECT public_id, slug FROM articles"))).all()
        for public_id, slug in keys:
            expected = await articles.get_article(session, public_id)
            assert expected is not None
            story = (await stories_by_article(session, [expected.pk])).get(expected.pk)
            want = orjson.loads(orjson.dumps(_article_view(expected, story)))
            for key in (public_id, slug):
                found = await article_documents.article_document(session, key)
                assert found is not None
                got = article_document_view(orjson.loads(found.document))
                assert got == want
                assert numbers_as_text(got) == numbers_as_text(want)
                assert (found.version, found.updated_at) == (expected.version, expected.updated_at)
    return len(keys)


def test_every_article_equals_its_rest_view(store: Store) -> None:
    assert store.run(_compare_all(store)) >= 100


def test_the_corpus_has_what_the_comparison_needs(store: Store) -> None:
    async def counts() -> tuple[int, ...]:
        async with store.database.session() as session:
            row = await session.execute(
                text(
                    "SELECT (SELECT count(*) FROM article_links WHERE score IS NULL), "
                    "(SELECT count(*) FROM article_links WHERE score IS NOT NULL), "
                    "(SELECT count(*) FROM articles WHERE category_id IS NULL), "
                    "(SELECT count(*) FROM articles a WHERE NOT EXISTS "
                    "(SELECT 1 FROM mentions m WHERE m.article_id = a.id)), "
                    "(SELECT count(*) FROM stories WHERE size > 1), "
                    "(SELECT count(*) FROM stories WHERE size = 1)"
                )
            )
            return tuple(row.one())

    assert all(count > 0 for count in store.run(counts()))


def test_a_missing_key_is_none(store: Store) -> None:
    async def lookup() -> object:
        async with store.database.session() as session:
            return await article_documents.article_document(session, "no-such-article")

    assert store.run(lookup()) is None

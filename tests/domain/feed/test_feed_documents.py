"""Feed items written as JSON by the database equal the REST view of the same records.

``feed_documents.article_page_documents`` serves the REST feed; ``feed.article_page`` plus
``feed_item_view`` is the reference (it still serves search hits). For generated filters,
orders, page sizes, field sets and scopes, paging through both must give the same JSON
(values compared exactly: a float off by one bit or a timestamp written another way
fails) and the same cursors. The corpus is the demo's, plus rows with awkward values.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.domain.catalog import reads as catalog
from api.domain.feed import documents as feed_documents
from api.domain.feed import query as feed
from api.domain.shared.filters import ArticleFilter, ArticleOrder, EntityMode
from api.rest.core.views import feed_item_view
from tests.domain.conftest import Store, numbers_as_text


def _filters(store: Store) -> st.SearchStrategy[ArticleFilter]:
    some = st.none() | st.sampled_from([*store.categories, "no-such-category"])
    entity_slugs = st.lists(st.sampled_from(store.entities), max_size=2).map(tuple)
    moment = st.datetimes(
        min_value=dt.datetime(2025, 6, 1),
        max_value=dt.datetime(2027, 1, 1),
        timezones=st.just(dt.UTC),
    )
    return st.builds(
        ArticleFilter,
        category=some,
        sentiment=st.none() | st.sampled_from(["bullish", "bearish", "neutral"]),
        importance_min=st.none() | st.integers(1, 10),
        importance_max=st.none() | st.integers(1, 10),
        source=st.none() | st.sampled_from(store.sources),
        entities=entity_slugs,
        entity_mode=st.sampled_from(EntityMode),
        exclude_entities=entity_slugs,
        published_after=st.none() | moment,
        published_before=st.none() | moment,
        language=st.none() | st.sampled_from(["en", "de"]),
    )


FIELDS = st.frozensets(st.sampled_from([*feed_documents.FEED_ITEM_FIELDS, "id"]))


async def _both_pages(
    store: Store,
    article_filter: ArticleFilter,
    fields: frozenset[str],
    order: ArticleOrder,
    limit: int,
    scope_entity: str | None,
) -> None:
    cursor: str | None = None
    for _ in range(3):  # a first page and up to two more through the cursors
        async with store.database.session() as session:
            scope = None
            if scope_entity is not None:
                scope = await catalog.entity_scope(session, scope_entity)
            expected = await feed.article_page(
                session,
                article_filter,
                order=order,
                limit=limit,
                cursor=cursor,
                with_body=bool(fields & {"analysis", "key_takeaways"}),
                with_mentions="entities" in fields,
                with_stories="story" in fields,
                scope=scope,
            )
            got = await feed_documents.article_page_documents(
                session,
                article_filter,
                fields=fields,
                order=order,
                limit=limit,
                cursor=cursor,
                scope=scope,
            )
        want: list[Any] = orjson.loads(
            orjson.dumps([feed_item_view(article, fields) for article in expected.items])
        )
        assert orjson.loads(got.items) == want
        assert numbers_as_text(orjson.loads(got.items)) == numbers_as_text(want)
        assert got.next_cursor == expected.next_cursor
        if got.next_cursor is None:
            return
        cursor = got.next_cursor


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(data=st.data())
def test_documents_equal_the_rest_view(store: Store, data: st.DataObject) -> None:
    article_filter = data.draw(_filters(store) | st.just(ArticleFilter()))
    fields = data.draw(FIELDS)
    order = data.draw(st.sampled_from(ArticleOrder))
    limit = data.draw(st.integers(1, 30))
    scope_entity = data.draw(st.none() | st.sampled_from(store.entities))
    store.run(_both_pages(store, article_filter, fields, order, limit, scope_entity))


def test_every_awkward_value_is_served(store: Store) -> None:
    """The unfiltered feed with every field walks past each awkward row."""
    fields = frozenset(feed_documents.FEED_ITEM_FIELDS)
    store.run(_both_pages(store, ArticleFilter(), fields, ArticleOrder.NEWEST, 100, None))


def test_unknown_fields_are_refused(store: Store) -> None:
    async def call() -> None:
        async with store.database.session() as session:
            await feed_documents.article_page_documents(
                session, ArticleFilter(), fields={"title", "password"}
            )

    with pytest.raises(ValueError, match="unknown feed fields"):
        store.run(call())

"""The root ``Query``, composed from the features' fields (in the order the SDL shows them).

Each feature declares its fields (resolver, type, description) beside its types; only
``node``, which reaches every feature's objects by global id, is resolved here.
"""

from __future__ import annotations

import strawberry

from api.domain.catalog import get_category, get_source
from api.domain.shared import ArticleRecord, CategoryRecord, EntityRecord, SourceRecord
from api.domain.shared.records import StoryRecord
from api.domain.stories import get_story
from api.graphql.articles.queries import ARTICLE, ARTICLES
from api.graphql.catalog.entity_graph import TRENDING_ENTITIES
from api.graphql.catalog.queries import CATEGORIES, ENTITIES, ENTITY, SOURCE, SOURCES
from api.graphql.core import inputs
from api.graphql.core.context import Info
from api.graphql.core.ids import Node, from_global_id
from api.graphql.search import SEARCH
from api.graphql.stories.queries import STORIES, STORY, story_key
from api.graphql.sync.changes import CHANGES
from api.graphql.webhooks.queries import WEBHOOK, WEBHOOKS


async def _node(
    info: Info, id: strawberry.ID
) -> ArticleRecord | EntityRecord | SourceRecord | CategoryRecord | StoryRecord | None:
    decoded = from_global_id(id)
    if decoded is None:
        return None
    node_type, key = decoded
    if len(key) > inputs.MAX_KEY_LENGTH:
        return None
    ctx = info.context
    if node_type == "Article":
        return await ctx.loaders.article_by_id.load(key)
    if node_type == "Entity":
        return await ctx.loaders.entity_by_slug.load(key)
    if node_type == "Source":
        return await ctx.run(get_source, key)
    if node_type == "Story":
        found = await ctx.run(get_story, story_key(key))
        return None if found is None else found[0]
    return await ctx.run(get_category, key)


@strawberry.type
class Query:
    article = ARTICLE
    articles = ARTICLES
    search = SEARCH
    entity = ENTITY
    entities = ENTITIES
    trending_entities = TRENDING_ENTITIES
    source = SOURCE
    sources = SOURCES
    categories = CATEGORIES
    stories = STORIES
    story = STORY
    changes = CHANGES
    # --- Webhooks (need a write key) ---
    webhooks = WEBHOOKS
    webhook = WEBHOOK
    node = strawberry.field(
        resolver=_node,
        graphql_type=Node | None,
        description="Any object by its global id; null for unknown or malformed ids.",
    )

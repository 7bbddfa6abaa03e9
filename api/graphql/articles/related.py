"""``Article.related``: the rows behind RelatedItem and its resolver (types in types.py).

Scores, order and explanations are ``api.domain.related.service``'s, the same as REST's. Calls are
batched per argument set by ``RelatedByArticleLoader``: a feed page asking ``related`` of
every article costs four statements, plus one for the targets as full articles.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from api.domain.related import MAX_RELATED
from api.domain.shared import ArticleRecord, MentionRecord
from api.graphql.core import inputs
from api.graphql.core.context import Context
from api.graphql.core.loaders import RelatedKey
from api.models import EntityType

DEFAULT_RELATED = 10


@dataclass(slots=True)
class SharedEntityRow:
    # A mention-shaped record: Entity resolves the rest through its batched loader.
    entity: MentionRecord
    contribution: float


@dataclass(slots=True)
class ExplanationRow:
    kind: str  # a link kind, or "shared_entities"
    link_kind: str | None
    shared_entities: list[SharedEntityRow]


@dataclass(slots=True)
class RelatedItemRow:
    article: ArticleRecord
    score: float | None
    explanation: ExplanationRow


async def related_items(
    ctx: Context,
    article: ArticleRecord,
    first: int | None,
    entity_type: EntityType | None,
    published_after: dt.datetime | None,
) -> list[RelatedItemRow]:
    limit = inputs.page_size(first, default=DEFAULT_RELATED, maximum=MAX_RELATED)
    after = inputs.instant("publishedAfter", published_after)
    key = RelatedKey(article.pk, limit, entity_type, after)
    items = await ctx.loaders.related_by_article.load(key)
    targets = await ctx.loaders.article_by_id.load_many([item.article.id for item in items])
    rows = []
    for item, target in zip(items, targets, strict=True):
        if target is None:  # deleted between two statements of this request
            continue
        shared = [
            SharedEntityRow(MentionRecord(s.slug, s.name, s.type, 0.0, None), s.contribution)
            for s in item.shared_entities or ()
        ]
        kind = item.link_kind or "shared_entities"
        rows.append(
            RelatedItemRow(target, item.score, ExplanationRow(kind, item.link_kind, shared))
        )
    return rows

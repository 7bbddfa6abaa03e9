"""What the article fields do: check arguments, make one domain (or loader) call, shape rows.

Nothing here runs SQL or knows strawberry types; results are the domain's records or the
small row objects below, which the GraphQL types read by plain attribute access.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.domain.articles import article_by_slug, raise_if_deleted
from api.domain.shared import ArticleRecord, MentionRecord
from api.errors import InvalidInput, InvalidParam, NotFound
from api.graphql.core import inputs
from api.graphql.core.context import Context
from api.graphql.core.ids import from_global_id


@dataclass(slots=True)
class RelatedLinkRow:
    kind: str
    score: float | None
    article: ArticleRecord


def article_key(id: str) -> str:
    """A public id, slug or Relay global id, as the key the domain looks articles up by."""
    key = inputs.lookup_key("id", id)
    decoded = from_global_id(key)
    if decoded is None:
        return key
    node_type, key = decoded
    if node_type != "Article":
        raise NotFound(detail=f"{id!r} is the id of a {node_type}, not of an article")
    return key


async def find_article(ctx: Context, id: str | None, slug: str | None) -> ArticleRecord | None:
    if (id is None) == (slug is None):
        reason = "give exactly one of `id` and `slug`"
        raise InvalidInput(
            detail=f"id, slug: {reason}",
            invalid_params=[InvalidParam("id", reason), InvalidParam("slug", reason)],
        )
    if slug is not None:
        key = inputs.lookup_key("slug", slug)
        found = await ctx.run(article_by_slug, key)
    else:
        assert id is not None
        key = inputs.lookup_key("id", id)
        decoded = from_global_id(key)
        if decoded is not None:
            node_type, key = decoded
            if node_type != "Article":
                return None
        found = await ctx.loaders.article_by_id.load(key)
    # REST answers a deleted article's id or slug with 410: here, null and a GONE error.
    if found is None:
        await ctx.run(raise_if_deleted, key)
    return found


async def mentions_of(ctx: Context, article: ArticleRecord) -> list[MentionRecord]:
    if article.mentions is not None:
        return article.mentions
    return await ctx.loaders.mentions_by_article.load(article.pk)


async def related_links(ctx: Context, article: ArticleRecord) -> list[RelatedLinkRow]:
    """Stored links, strongest first, with their targets as full articles (batched)."""
    links = article.links
    if links is None:
        links = await ctx.loaders.links_by_article.load(article.pk)
    targets = await ctx.loaders.article_by_id.load_many([link.article.id for link in links])
    return [
        RelatedLinkRow(link.kind, link.score, target)
        for link, target in zip(links, targets, strict=True)
        if target is not None  # deleted between two statements of this request
    ]

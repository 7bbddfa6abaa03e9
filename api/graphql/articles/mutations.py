"""Article mutations: create, replace, update, delete, and the batch upsert.

Each runs one domain write (the functions REST's handlers call) inside a SAVEPOINT, then
re-reads the article so the answer is what a later read would return.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from api.domain import articles
from api.domain import articles as article_writes
from api.domain import articles as batch
from api.domain.articles import ArticleCreate, ArticleUpdate
from api.domain.shared import ArticleRecord
from api.errors import NotFound
from api.graphql.articles.inputs import ArticleInput, ArticleUpdateInput, plain, validated
from api.graphql.core import inputs
from api.graphql.core.context import Context, Info
from api.graphql.core.ids import from_global_id
from api.graphql.core.mutation_guard import attempt, under
from api.graphql.core.mutation_results import (
    ArticleResult,
    DeleteResult,
    DeleteSuccess,
    UpsertArticlesResult,
    article_success,
    batch_success,
)


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


async def _reread(ctx: Context, public_id: str) -> ArticleRecord:
    ctx.forget_loaded()  # the write may have changed what the loaders hold
    article = await ctx.run(articles.get_article, public_id)
    if article is None:  # written in this very transaction: cannot be missing
        raise NotFound(detail=f"article {public_id} vanished during the write")
    return article


async def create_article(info: Info, input: ArticleInput) -> ArticleResult:
    async def action() -> ArticleResult:
        item = validated(ArticleCreate, input, "input")
        with under("input."):
            result = await info.context.run.savepoint(article_writes.create_article, item)
        return article_success(await _reread(info.context, result.public_id))

    return await attempt(info, action)


async def _change(
    info: Info, id: str, expected_version: int, change: ArticleCreate | ArticleUpdate
) -> ArticleResult:
    key = article_key(id)
    with under("input."):
        result = await info.context.run.savepoint(
            article_writes.change_article, key, change, expected_version=expected_version
        )
    return article_success(await _reread(info.context, result.public_id))


async def replace_article(
    info: Info, id: str, expected_version: int, input: ArticleInput
) -> ArticleResult:
    async def action() -> ArticleResult:
        return await _change(info, id, expected_version, validated(ArticleCreate, input, "input"))

    return await attempt(info, action)


async def update_article(
    info: Info, id: str, expected_version: int, input: ArticleUpdateInput
) -> ArticleResult:
    async def action() -> ArticleResult:
        return await _change(info, id, expected_version, validated(ArticleUpdate, input, "input"))

    return await attempt(info, action)


async def _delete(session: AsyncSession, key: str, expected_version: int | None) -> str:
    # Named by slug, the article is still answered with its public id (as the log names it).
    found = await articles.find_article(session, key)
    await article_writes.delete_article(session, key, expected_version=expected_version)
    return key if found is None else found[1]


async def delete_article(info: Info, id: str, expected_version: int | None = None) -> DeleteResult:
    async def action() -> DeleteResult:
        key = article_key(id)
        public_id = await info.context.run.savepoint(_delete, key, expected_version)
        info.context.forget_loaded()
        return DeleteSuccess(id=public_id)

    return await attempt(info, action)


async def upsert_articles(
    info: Info, items: list[ArticleInput], atomic: bool = False
) -> UpsertArticlesResult:
    async def action() -> UpsertArticlesResult:
        raw = [plain(item) for item in items]
        with under(""):  # the batch already names items[i].field
            results = await info.context.run.savepoint(batch.upsert_batch, raw, atomic=atomic)
        info.context.forget_loaded()
        return batch_success(results)

    return await attempt(info, action)

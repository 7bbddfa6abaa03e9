"""Article mutations: create, replace, update, delete, and the batch upsert.

Each runs one domain write (the functions REST's handlers call) through ``core.mutation``,
then re-reads the article so the answer is what a later read would return.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from api.domain import articles
from api.domain.articles import ArticleCreate, ArticleUpdate
from api.domain.shared import reread_after_write
from api.graphql.articles.inputs import ArticleInput, ArticleUpdateInput
from api.graphql.articles.resolvers import article_key
from api.graphql.articles.results import (
    ArticleMutationSuccess,
    ArticleResult,
    UpsertArticlesResult,
    UpsertArticlesSuccess,
    article_success,
    batch_success,
)
from api.graphql.core.context import Context, Info
from api.graphql.core.mutation import EXPECTED_VERSION, UNCONDITIONAL_DELETE, mutation, write
from api.graphql.core.results import DeleteResult, DeleteSuccess
from api.graphql.core.validation import plain, validated

_ID = "`id` is the article's public id, its slug, or its global id."


async def _stored(ctx: Context, public_id: str) -> ArticleMutationSuccess:
    article = await ctx.run(reread_after_write, articles.get_article, public_id, "article")
    return article_success(article)


async def _change(
    info: Info, id: str, expected_version: int, change: ArticleCreate | ArticleUpdate
) -> ArticleMutationSuccess:
    key = article_key(id)
    result = await write(
        info, "input.", articles.change_article, key, change, expected_version=expected_version
    )
    return await _stored(info.context, result.public_id)


async def _delete(session: AsyncSession, key: str, expected_version: int | None) -> str:
    # Named by slug, the article is still answered with its public id (as the log names it).
    found = await articles.find_article(session, key)
    await articles.delete_article(session, key, expected_version=expected_version)
    return key if found is None else found[1]


@mutation(ArticleResult, "Create an article (REST: POST /v1/articles); its URL must be new.")
async def create_article(info: Info, input: ArticleInput) -> ArticleMutationSuccess:
    item = validated(ArticleCreate, input, "input")
    result = await write(info, "input.", articles.create_article, item)
    return await _stored(info.context, result.public_id)


@mutation(ArticleResult, f"Replace a whole article (REST: PUT). {_ID} {EXPECTED_VERSION}")
async def replace_article(
    info: Info, id: str, expected_version: int, input: ArticleInput
) -> ArticleMutationSuccess:
    return await _change(info, id, expected_version, validated(ArticleCreate, input, "input"))


@mutation(ArticleResult, f"Change the fields given (REST: PATCH). {_ID} {EXPECTED_VERSION}")
async def update_article(
    info: Info, id: str, expected_version: int, input: ArticleUpdateInput
) -> ArticleMutationSuccess:
    return await _change(info, id, expected_version, validated(ArticleUpdate, input, "input"))


@mutation(
    DeleteResult,
    f"Delete an article (REST: DELETE), leaving a tombstone: `article(id:)` then answers "
    f"null with a GONE error, and writes to it GONE. {_ID} {UNCONDITIONAL_DELETE}",
)
async def delete_article(info: Info, id: str, expected_version: int | None = None) -> DeleteSuccess:
    public_id = await write(info, None, _delete, article_key(id), expected_version)
    return DeleteSuccess(id=public_id)


@mutation(
    UpsertArticlesResult,
    "Create or update 1-1000 articles by canonical URL (REST: POST /v1/articles:batch) "
    "with a result per item; `atomic`: one bad item and nothing is written (BAD_USER_INPUT).",
)
async def upsert_articles(
    info: Info, items: list[ArticleInput], atomic: bool = False
) -> UpsertArticlesSuccess:
    raw = [plain(item) for item in items]
    # The batch already names its problems `items[i].field`.
    results = await write(info, "", articles.upsert_batch, raw, atomic=atomic)
    return batch_success(results)

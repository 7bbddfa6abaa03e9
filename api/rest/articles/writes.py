"""Article write handlers: one domain write, then the article as a read would show it."""

from __future__ import annotations

from collections import Counter

import orjson

from api.domain import articles as article_documents
from api.domain import articles as article_writes
from api.domain import articles as batch
from api.domain.shared import reread_after_write
from api.rest.articles.schemas import ArticleBatch
from api.rest.core.operations import Call, Reply
from api.rest.core.preconditions import expected_version, version_prefix
from api.rest.core.views import article_document_view


async def _article_reply(call: Call, public_id: str, *, created: bool = False) -> Reply:
    # Written as GET /v1/articles/{id} writes it: the same bytes, so the same ETag.
    found = await reread_after_write(
        call.session, article_documents.article_document, public_id, "article"
    )
    return Reply(
        article_document_view(orjson.loads(found.document)),
        etag_prefix=version_prefix(found.version),
        location=f"/v1/articles/{public_id}" if created else None,
    )


async def create_article(call: Call) -> Reply:
    result = await article_writes.create_article(call.session, call.body)
    return await _article_reply(call, result.public_id, created=True)


async def change_article(call: Call) -> Reply:
    """PUT (the body is a whole article) and PATCH (the fields present)."""
    expected = expected_version(call.request, required=True)
    result = await article_writes.change_article(
        call.session, call.path["key"], call.body, expected_version=expected
    )
    return await _article_reply(call, result.public_id)


async def delete_article(call: Call) -> Reply:
    expected = expected_version(call.request, required=False)
    await article_writes.delete_article(call.session, call.path["key"], expected_version=expected)
    return Reply(None)


async def upsert_batch(call: Call) -> Reply:
    body: ArticleBatch = call.body
    results = await batch.upsert_batch(call.session, body.items, atomic=body.atomic)
    counts = Counter(r.status for r in results)
    items = [
        {
            "index": r.index,
            "status": r.status,
            "id": r.id,
            "version": r.version,
            "invalid_params": [{"name": p.name, "reason": p.reason} for p in r.problems],
        }
        for r in results
    ]
    return Reply(
        {
            "items": items,
            "created": counts["created"],
            "updated": counts["updated"],
            "unchanged": counts["unchanged"],
            "errors": counts["error"],
        }
    )

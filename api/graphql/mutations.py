"""The root mutation type: REST's write operations, one field each, every one keyed.

Every field needs an API key with the write scope (UNAUTHENTICATED / FORBIDDEN members
otherwise) and answers a ``Success | MutationError`` union. Fields run one after another;
each writes inside its own SAVEPOINT and the request's transaction commits once at the
end, so a refused mutation leaves nothing and the ones before it stay.
"""

from __future__ import annotations

import strawberry

from api.graphql.articles import mutations as articles
from api.graphql.catalog import mutations as catalog
from api.graphql.core.mutation_results import (
    ArticleResult,
    DeleteResult,
    EntityResult,
    SourceResult,
    UpsertArticlesResult,
)
from api.graphql.webhooks import mutations as hooks

_ID = "`id` is the article's public id, its slug, or its global id."
_EXPECTED = "`expectedVersion` is the version you last saw; stale: PRECONDITION_FAILED."
_DELETE = "Without `expectedVersion` the delete is unconditional."


@strawberry.type(description="Writes; each needs an API key with the write scope.")
class Mutation:
    create_article = strawberry.field(
        resolver=articles.create_article,
        graphql_type=ArticleResult,
        description="Create an article (REST: POST /v1/articles); its URL must be new.",
    )
    replace_article = strawberry.field(
        resolver=articles.replace_article,
        graphql_type=ArticleResult,
        description=f"Replace a whole article (REST: PUT). {_ID} {_EXPECTED}",
    )
    update_article = strawberry.field(
        resolver=articles.update_article,
        graphql_type=ArticleResult,
        description=f"Change the fields given (REST: PATCH). {_ID} {_EXPECTED}",
    )
    delete_article = strawberry.field(
        resolver=articles.delete_article,
        graphql_type=DeleteResult,
        description=(
            f"Delete an article (REST: DELETE), leaving a tombstone: `article(id:)` then "
            f"answers null with a GONE error, and writes to it GONE. {_ID} {_DELETE}"
        ),
    )
    upsert_articles = strawberry.field(
        resolver=articles.upsert_articles,
        graphql_type=UpsertArticlesResult,
        description=(
            "Create or update 1-1000 articles by canonical URL (REST: POST /v1/articles:batch) "
            "with a result per item; `atomic`: one bad item and nothing is written "
            "(BAD_USER_INPUT)."
        ),
    )
    create_source = strawberry.field(
        resolver=catalog.create_source,
        graphql_type=SourceResult,
        description="Create a source; its slug must be new.",
    )
    replace_source = strawberry.field(
        resolver=catalog.replace_source,
        graphql_type=SourceResult,
        description=f"Replace a source; `input.slug` must equal `slug`. {_EXPECTED}",
    )
    update_source = strawberry.field(
        resolver=catalog.update_source,
        graphql_type=SourceResult,
        description=f"Change the fields given of a source. {_EXPECTED}",
    )
    delete_source = strawberry.field(
        resolver=catalog.delete_source,
        graphql_type=DeleteResult,
        description=f"Delete a source no article cites (else CONFLICT). {_DELETE}",
    )
    create_entity = strawberry.field(
        resolver=catalog.create_entity,
        graphql_type=EntityResult,
        description="Create an entity; its slug must be new.",
    )
    replace_entity = strawberry.field(
        resolver=catalog.replace_entity,
        graphql_type=EntityResult,
        description=f"Replace an entity; `input.slug` must equal `slug`. {_EXPECTED}",
    )
    update_entity = strawberry.field(
        resolver=catalog.update_entity,
        graphql_type=EntityResult,
        description=f"Change the fields given of an entity. {_EXPECTED}",
    )
    delete_entity = strawberry.field(
        resolver=catalog.delete_entity,
        graphql_type=DeleteResult,
        description=f"Delete an entity and its mentions. {_DELETE}",
    )
    # --- Webhooks ---
    create_webhook = strawberry.field(
        resolver=hooks.create_webhook,
        graphql_type=hooks.CreateWebhookResult,
        description="Subscribe a URL to article events; the answer holds the secret, once.",
    )
    update_webhook = strawberry.field(
        resolver=hooks.update_webhook,
        graphql_type=hooks.WebhookResult,
        description=f"Change a webhook subscription. {_EXPECTED}",
    )
    delete_webhook = strawberry.field(
        resolver=hooks.delete_webhook,
        graphql_type=DeleteResult,
        description=f"Delete a webhook subscription and its delivery log. {_DELETE}",
    )
    redeliver_webhook = strawberry.field(
        resolver=hooks.redeliver_webhook,
        graphql_type=hooks.RedeliverWebhookResult,
        description="Send a delivery again now (same webhook-id, fresh attempts).",
    )

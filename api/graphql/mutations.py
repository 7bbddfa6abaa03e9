"""The root mutation type: REST's write operations, one field each, every one keyed.

Every field is made by ``core.mutation.mutation``: it needs an API key with the write scope
(UNAUTHENTICATED / FORBIDDEN members otherwise) and answers a ``Success | MutationError``
union. Fields run one after another; each writes inside its own SAVEPOINT and the request's
transaction commits once at the end, so a refused mutation leaves nothing and the ones
before it stay. The fields, with their descriptions, are the features'.
"""

from __future__ import annotations

import strawberry

from api.graphql.articles import mutations as articles
from api.graphql.catalog import mutations as catalog
from api.graphql.webhooks import mutations as hooks


@strawberry.type(description="Writes; each needs an API key with the write scope.")
class Mutation:
    create_article = articles.create_article
    replace_article = articles.replace_article
    update_article = articles.update_article
    delete_article = articles.delete_article
    upsert_articles = articles.upsert_articles
    create_source = catalog.create_source
    replace_source = catalog.replace_source
    update_source = catalog.update_source
    delete_source = catalog.delete_source
    create_entity = catalog.create_entity
    replace_entity = catalog.replace_entity
    update_entity = catalog.update_entity
    delete_entity = catalog.delete_entity
    # --- Webhooks ---
    create_webhook = hooks.create_webhook
    update_webhook = hooks.update_webhook
    delete_webhook = hooks.delete_webhook
    redeliver_webhook = hooks.redeliver_webhook

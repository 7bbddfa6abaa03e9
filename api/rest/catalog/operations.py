"""The catalog tags (sources, categories, entities): reads, the entity graph and writes.

``api.rest.routes`` lists the reads with the other reads and the writes after the
articles' writes and the changes log: the contract's order.
"""

from __future__ import annotations

from pydantic import BaseModel

from api.domain.catalog import EntityCreate, EntityUpdate, SourceCreate, SourceUpdate
from api.http.caching import CacheClass
from api.models import KeyScope
from api.rest.catalog import entity_graph, reads, writes
from api.rest.core import responses as schemas
from api.rest.core.operations import Handler, Operation, PathParam
from api.rest.core.params import (
    EntityListQuery,
    FeedQuery,
    RelatedEntitiesQuery,
    TrendingQuery,
)

ENTITY_SLUG = PathParam("slug", "The entity's slug.", max_length=120)
SOURCE_SLUG = PathParam("slug", "The source's slug.", max_length=100, example="crypto-briefing")
CHANGE_STATUSES = (404, 412, 413, 415, 422, 428)

READS: tuple[Operation, ...] = (
    Operation(
        path="/v1/sources",
        operation_id="listSources",
        summary="Every source (publisher), by name",
        tag="sources",
        response=schemas.SourceList,
        handler=reads.list_sources,
        cache_class=CacheClass.CATALOG,
    ),
    Operation(
        path="/v1/sources/{slug}",
        operation_id="getSource",
        summary="One source",
        tag="sources",
        response=schemas.Source,
        handler=reads.get_source,
        path_params=(SOURCE_SLUG,),
        statuses=(404,),
        cache_class=CacheClass.CATALOG,
        purge_keys=(),  # the reply names the source
    ),
    Operation(
        path="/v1/sources/{slug}/articles",
        operation_id="listSourceArticles",
        summary="A source's articles, with the feed's filters and paging",
        tag="sources",
        response=schemas.FeedPage,
        handler=reads.source_articles,
        query=FeedQuery,
        path_params=(SOURCE_SLUG,),
        statuses=(404,),
    ),
    Operation(
        path="/v1/categories",
        operation_id="listCategories",
        summary="Every category, by name",
        tag="categories",
        response=schemas.CategoryList,
        handler=reads.list_categories,
        cache_class=CacheClass.CATALOG,
    ),
    Operation(
        path="/v1/entities",
        operation_id="listEntities",
        summary="Entities (companies, people, tokens, countries...) by name",
        tag="entities",
        response=schemas.EntityPage,
        handler=reads.list_entities,
        query=EntityListQuery,
    ),
    # Before /v1/entities/{slug}, which would otherwise take "trending" for a slug.
    Operation(
        path="/v1/entities/trending",
        operation_id="listTrendingEntities",
        summary="Entities by mention growth: this window against the one before",
        tag="entities",
        response=schemas.TrendingPage,
        handler=entity_graph.trending_entities,
        description=(
            "Growth is `(current - previous) / sqrt(previous + 1)`, so a jump from 200 to "
            "400 mentions outranks one from 1 to 3. The window ends at `until`, or at the "
            "newest article's publication time. Only entities mentioned in the window."
        ),
        query=TrendingQuery,
        offload=True,
    ),
    Operation(
        path="/v1/entities/{slug}",
        operation_id="getEntity",
        summary="One entity, with how many articles mention it",
        tag="entities",
        response=schemas.Entity,
        handler=reads.get_entity,
        path_params=(ENTITY_SLUG,),
        statuses=(404,),
        # The entity and "feed" (the default): its mention count moves with article writes.
        cache_class=CacheClass.CATALOG,
    ),
    Operation(
        path="/v1/entities/{slug}/related",
        operation_id="listRelatedEntities",
        summary="Entities mentioned in the same articles as this one, most often first",
        tag="entities",
        response=schemas.RelatedEntityList,
        handler=entity_graph.related_entities,
        query=RelatedEntitiesQuery,
        path_params=(ENTITY_SLUG,),
        statuses=(404,),
        offload=True,
    ),
    Operation(
        path="/v1/entities/{slug}/articles",
        operation_id="listEntityArticles",
        summary="Articles mentioning an entity, with the feed's filters and paging",
        tag="entities",
        response=schemas.FeedPage,
        handler=reads.entity_articles,
        query=FeedQuery,
        path_params=(ENTITY_SLUG,),
        statuses=(404,),
    ),
)


def _crud(
    collection: str,
    item: PathParam,
    noun: str,
    response: type[BaseModel],
    bodies: tuple[type[BaseModel], type[BaseModel]],
    create: Handler,
    change: Handler,
    delete: Handler,
) -> tuple[Operation, ...]:
    """Create, replace, update and delete of one kind, all alike."""
    tag = collection.rsplit("/", 1)[-1]
    title = noun.capitalize()
    item_path = f"{collection}/{{{item.name}}}"
    write = KeyScope.WRITE
    return (
        Operation(
            path=collection,
            operation_id=f"create{title}",
            summary=f"Create a {noun}",
            tag=tag,
            response=response,
            handler=create,
            method="POST",
            body=bodies[0],
            success=201,
            statuses=(409, 413, 415, 422),
            scope=write,
        ),
        Operation(
            path=item_path,
            operation_id=f"replace{title}",
            summary=f"Replace a {noun} (the slug stays)",
            tag=tag,
            response=response,
            handler=change,
            path_params=(item,),
            method="PUT",
            body=bodies[0],
            requires_if_match=True,
            statuses=CHANGE_STATUSES,
            scope=write,
        ),
        Operation(
            path=item_path,
            operation_id=f"update{title}",
            summary=f"Change some fields of a {noun}",
            tag=tag,
            response=response,
            handler=change,
            path_params=(item,),
            method="PATCH",
            body=bodies[1],
            requires_if_match=True,
            statuses=CHANGE_STATUSES,
            scope=write,
        ),
        Operation(
            path=item_path,
            operation_id=f"delete{title}",
            summary=f"Delete a {noun}",
            tag=tag,
            response=response,
            handler=delete,
            path_params=(item,),
            method="DELETE",
            success=204,
            statuses=(404, 409, 412),
            scope=write,
        ),
    )


WRITES: tuple[Operation, ...] = (
    *_crud(
        collection="/v1/sources",
        item=SOURCE_SLUG,
        noun="source",
        response=schemas.Source,
        bodies=(SourceCreate, SourceUpdate),
        create=writes.create_source,
        change=writes.change_source,
        delete=writes.delete_source,
    ),
    *_crud(
        collection="/v1/entities",
        item=ENTITY_SLUG,
        noun="entity",
        response=schemas.Entity,
        bodies=(EntityCreate, EntityUpdate),
        create=writes.create_entity,
        change=writes.change_entity,
        delete=writes.delete_entity,
    ),
)

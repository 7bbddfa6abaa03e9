"""The story fields of ``Query``: ``stories`` (a page, newest updated first) and ``story``.

A page is one domain call (the function REST's ``/v1/stories`` calls), filtered by the
feed's filter input; the connection is ``core.connections``' with the stories' cursors.
"""

from __future__ import annotations

import strawberry

from api.domain.shared.records import StoryRecord
from api.domain.stories import get_story, story_cursor, story_page
from api.errors import NotFound
from api.graphql.core import inputs
from api.graphql.core.connections import Connection, PageInfo, itself
from api.graphql.core.context import Info
from api.graphql.core.errors import argument_names, bad_argument
from api.graphql.core.ids import from_global_id
from api.graphql.core.inputs import ArticleFilterInput
from api.graphql.stories.types import Story

StoryConnectionRow = Connection[StoryRecord, StoryRecord]
MAX_MIN_SIZE = 1000


@strawberry.type
class StoryEdge:
    cursor: str
    node: Story


@strawberry.type(description="A page of stories, newest updated first.")
class StoryConnection:
    edges: list[StoryEdge]
    nodes: list[Story] = strawberry.field(description="The edges' nodes, for convenience.")
    page_info: PageInfo


async def _stories(
    info: Info,
    filter: ArticleFilterInput | None = None,
    min_size: int | None = 2,
    first: int | None = 20,
    after: str | None = None,
) -> StoryConnectionRow:
    article_filter = inputs.to_article_filter(filter)
    limit = inputs.page_size(first)
    size = 2 if min_size is None else min_size
    if not 1 <= size <= MAX_MIN_SIZE:
        raise bad_argument("minSize", f"must be between 1 and {MAX_MIN_SIZE}, got {size}")
    cursor = inputs.cursor(after)
    with argument_names(cursor="after"):
        page = await info.context.run(
            story_page, article_filter, limit=limit, cursor=cursor, min_size=size
        )
    return Connection(page.items, page.next_cursor, story_cursor, itself)


def story_key(id: str) -> str:
    """A story's public id or Relay global id, as its public id."""
    key = inputs.lookup_key("id", id)
    decoded = from_global_id(key)
    if decoded is None:
        return key
    node_type, key = decoded
    if node_type != "Story":
        raise NotFound(detail=f"{id!r} is the id of a {node_type}, not of a story")
    return key


async def _story(info: Info, id: strawberry.ID) -> StoryRecord | None:
    found = await info.context.run(get_story, story_key(id))
    return None if found is None else found[0]


STORIES = strawberry.field(
    resolver=_stories,
    graphql_type=StoryConnection,
    description=(
        "Stories (one event told by several sources), newest updated first, with an article "
        "the filter keeps; `minSize` (default 2) leaves out stories of fewer articles."
    ),
)
STORY = strawberry.field(
    resolver=_story,
    graphql_type=Story | None,
    description="A story by `id`: its global id or its public `storyId`. Null when unknown.",
)

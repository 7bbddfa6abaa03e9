"""The stories tag: a page of stories and one story with its articles."""

from __future__ import annotations

from api.rest.core.operations import Operation, PathParam
from api.rest.core.params import StoryListQuery
from api.rest.stories import reads
from api.rest.stories.schemas import StoryDetail, StoryPage

TAG = "stories"
STORY_ID = PathParam(
    "id",
    "The story's public id.",
    pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
    max_length=36,
    example="0196f0c2-7a3e-7d21-9c4b-2f1e8a6b5c3d",
    response_field="id",
)

OPERATIONS: tuple[Operation, ...] = (
    Operation(
        path="/v1/stories",
        operation_id="listStories",
        summary="Stories: one event told by several sources, newest updated first",
        tag=TAG,
        response=StoryPage,
        handler=reads.list_stories,
        description=(
            "Stories with at least one article the feed's filters keep, each with its "
            "headline article, size, distinct sources, top entities and first and last "
            "publication. Stories of one article are listed only with `min_size=1`."
        ),
        query=StoryListQuery,
    ),
    Operation(
        path="/v1/stories/{id}",
        operation_id="getStory",
        summary="A story with its articles, each with why it belongs",
        tag=TAG,
        response=StoryDetail,
        handler=reads.get_story,
        path_params=(STORY_ID,),
        statuses=(404,),
    ),
)

"""Stories: articles telling the same event, grouped at write time (the clustering's
modules), and read as story pages, an article's story and a feed collapsed by story
(``reads``)."""

from api.domain.shared.records import StoryEntityRecord, StoryMemberRecord, StoryRecord
from api.domain.stories.article_stories import collapsed_scope, story_refs_by_article
from api.domain.stories.reads import (
    MAX_PAGE_SIZE,
    get_story,
    members_by_story,
    stories_by_article,
    story_cursor,
    story_page,
)
from api.domain.stories.records import StoryPageRecord

__all__ = [
    "MAX_PAGE_SIZE",
    "StoryEntityRecord",
    "StoryMemberRecord",
    "StoryPageRecord",
    "StoryRecord",
    "collapsed_scope",
    "get_story",
    "members_by_story",
    "stories_by_article",
    "story_cursor",
    "story_page",
    "story_refs_by_article",
]

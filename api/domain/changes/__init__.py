"""The changes log sync clients page through, and the post-write step that appends to it."""

from api.domain.changes.commit import bump_articles, finish_write, written_position
from api.domain.changes.log import MAX_CHANGES_PAGE, ChangeEntry, ChangeRecord, list_changes

__all__ = [
    "MAX_CHANGES_PAGE",
    "ChangeEntry",
    "ChangeRecord",
    "bump_articles",
    "finish_write",
    "list_changes",
    "written_position",
]

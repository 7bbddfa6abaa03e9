"""What every feature shares: records, cursors, the feed filter, SQL-built JSON, idempotency."""

from api.domain.shared.filters import ArticleFilter, ArticleOrder, EntityMode
from api.domain.shared.idempotency import (
    StoredResponse,
    claim,
    complete,
    peek,
    release,
    still_running,
)
from api.domain.shared.records import (
    ArticleRecord,
    ArticleRefRecord,
    CategoryRecord,
    EntityRecord,
    LinkRecord,
    MentionRecord,
    RelatedEntityRecord,
    RelatedRecord,
    SearchHit,
    SourceRecord,
    TrendingPageRecord,
    TrendingRecord,
)

__all__ = [
    "ArticleFilter",
    "ArticleOrder",
    "ArticleRecord",
    "ArticleRefRecord",
    "CategoryRecord",
    "EntityMode",
    "EntityRecord",
    "LinkRecord",
    "MentionRecord",
    "RelatedEntityRecord",
    "RelatedRecord",
    "SearchHit",
    "SourceRecord",
    "StoredResponse",
    "TrendingPageRecord",
    "TrendingRecord",
    "claim",
    "complete",
    "peek",
    "release",
    "still_running",
]

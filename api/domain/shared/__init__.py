"""What every feature shares: records, cursors, the feed filter, SQL-built JSON, idempotency."""

from api.domain.shared.after_write import reread_after_write
from api.domain.shared.filters import (
    MAX_FILTER_ENTITIES,
    ArticleFilter,
    ArticleFilterRules,
    ArticleOrder,
    EntityMode,
    FilterSlug,
    FilterSlugs,
    ImportanceBound,
    Moment,
)
from api.domain.shared.idempotency import (
    StoredResponse,
    claim,
    complete,
    peek,
    release,
    still_running,
)
from api.domain.shared.inputs import Language
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
    "MAX_FILTER_ENTITIES",
    "ArticleFilter",
    "ArticleFilterRules",
    "ArticleOrder",
    "ArticleRecord",
    "ArticleRefRecord",
    "CategoryRecord",
    "EntityMode",
    "EntityRecord",
    "FilterSlug",
    "FilterSlugs",
    "ImportanceBound",
    "Language",
    "LinkRecord",
    "MentionRecord",
    "Moment",
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
    "reread_after_write",
    "still_running",
]

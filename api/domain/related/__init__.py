"""Related articles: stored links first, then articles ranked by shared entities."""

from api.domain.related.service import MAX_RELATED, related_by_article, related_page

__all__ = ["MAX_RELATED", "related_by_article", "related_page"]

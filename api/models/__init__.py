"""SQLAlchemy tables. Imports nothing of the app beyond this package."""

from api.models.api_key import ApiKey
from api.models.article import Article, ArticleLink
from api.models.base import Base
from api.models.change import ArticleTombstone, Change
from api.models.entity import Entity, Mention
from api.models.enums import EntityType, KeyScope, LinkKind, Sentiment
from api.models.idempotency import IdempotentRequest
from api.models.purges import CachePurge
from api.models.search import SearchPending
from api.models.source import Category, Source
from api.models.story import Story, StoryEntityKey, StoryMember, StorySignature
from api.models.webhooks import WebhookDelivery, WebhookSubscription

__all__ = [
    "ApiKey",
    "Article",
    "ArticleLink",
    "ArticleTombstone",
    "Base",
    "CachePurge",
    "Category",
    "Change",
    "Entity",
    "EntityType",
    "IdempotentRequest",
    "KeyScope",
    "LinkKind",
    "Mention",
    "SearchPending",
    "Sentiment",
    "Source",
    "Story",
    "StoryEntityKey",
    "StoryMember",
    "StorySignature",
    "WebhookDelivery",
    "WebhookSubscription",
]

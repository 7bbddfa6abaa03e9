"""Closed vocabularies of the domain, shared by the models and both API doors."""

from __future__ import annotations

import enum


class Sentiment(enum.StrEnum):
    BULLISH = "bullish"
    BEARISH = "bearish"
    NEUTRAL = "neutral"


class EntityType(enum.StrEnum):
    COMPANY = "company"
    PERSON = "person"
    ORGANIZATION = "organization"
    COUNTRY = "country"
    CRYPTOCURRENCY = "cryptocurrency"
    PRODUCT = "product"
    TOPIC = "topic"


class LinkKind(enum.StrEnum):
    SAME_STORY = "same_story"
    FOLLOW_UP = "follow_up"
    BACKGROUND = "background"
    ANALYSIS = "analysis"
    OPINION = "opinion"


class KeyScope(enum.StrEnum):
    """What an API key may do; each scope includes the ones before it."""

    READ = "read"
    WRITE = "write"
    ADMIN = "admin"

    def allows(self, required: KeyScope) -> bool:
        order = list(KeyScope)
        return order.index(self) >= order.index(required)

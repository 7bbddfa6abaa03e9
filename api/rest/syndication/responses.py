"""Response models of the syndication feeds and the live stream (OpenAPI only).

RSS and Atom are XML and the stream is text/event-stream: the contract can only call
them strings. JSON Feed is described properly, extension ``_broadsheet`` included.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, RootModel

from api.models.enums import Sentiment


class RssDocument(RootModel[str]):
    """An RSS 2.0 document (application/rss+xml)."""


class AtomDocument(RootModel[str]):
    """An Atom 1.0 feed document (application/atom+xml)."""


class EventStream(RootModel[str]):
    """Server-Sent Events: `article.created`, `article.updated`, `article.deleted`."""


class JsonFeedAuthor(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str


class JsonFeedSource(BaseModel):
    model_config = ConfigDict(extra="forbid")
    slug: str
    name: str


class JsonFeedExtension(BaseModel):
    """What JSON Feed has no field for: Broadsheet's own facts about the article."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(description="The article's public id.")
    source: JsonFeedSource
    category: str | None
    entities: list[str] = Field(description="Slugs of the entities the article mentions.")
    sentiment: Sentiment
    importance: int = Field(ge=1, le=10)


class JsonFeedItem(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    id: str
    url: str = Field(description="The original article.")
    title: str
    summary: str
    content_text: str
    date_published: str = Field(description="RFC 3339.")
    date_modified: str = Field(description="RFC 3339.")
    tags: list[str] = Field(description="The category's and the mentioned entities' names.")
    language: str
    image: str | None = None
    authors: list[JsonFeedAuthor] | None = None
    broadsheet: JsonFeedExtension = Field(alias="_broadsheet")


class JsonFeed(BaseModel):
    """A JSON Feed 1.1 document (application/feed+json)."""

    model_config = ConfigDict(extra="forbid")
    version: str = Field(pattern=r"^https://jsonfeed\.org/version/1\.1$")
    title: str
    home_page_url: str
    feed_url: str
    description: str
    authors: list[JsonFeedAuthor]
    items: list[JsonFeedItem]

"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 renderings of a filtered feed.

XML is built with ElementTree (it escapes every value); characters XML 1.0 cannot carry
at all are dropped first. Stored text is plain text everywhere: RSS's ``<description>`` is
HTML, so the summary is HTML-escaped before XML escapes it again; Atom's text constructs
say ``type="text"`` and JSON Feed carries ``content_text``, never ``content_html``. Each
rendering is a pure function of the articles, so the same feed always yields the same
bytes and the same strong ETag.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from email.utils import format_datetime
from typing import Any

import orjson

from api.domain.shared import ArticleRecord
from api.domain.syndication import Syndication

RSS_MEDIA_TYPE = "application/rss+xml"
ATOM_MEDIA_TYPE = "application/atom+xml"
JSON_FEED_MEDIA_TYPE = "application/feed+json"
FEED_MEDIA_TYPES = {"rss": RSS_MEDIA_TYPE, "atom": ATOM_MEDIA_TYPE, "json": JSON_FEED_MEDIA_TYPE}
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
ATOM_NS = "http://www.w3.org/2005/Atom"
MEDIA_NS = "http://search.yahoo.com/mrss/"
DC_NS = "http://purl.org/dc/elements/1.1/"
ET.register_namespace("atom", ATOM_NS)
ET.register_namespace("media", MEDIA_NS)
ET.register_namespace("dc", DC_NS)
_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True, slots=True)
class FeedLinks:
    """Absolute URLs of one feed: itself, the JSON page it mirrors, the API's base."""

    base: str
    self_url: str
    alternate: str
    title: str

    def article_url(self, article: ArticleRecord) -> str:
        return f"{self.base}/v1/articles/{article.id}"


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = _text(text)
    return element


def _xml(root: ET.Element) -> bytes:
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def _rfc3339(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _rfc822(moment: dt.datetime) -> str:
    return format_datetime(moment.astimezone(dt.UTC), usegmt=True)


def render_rss(feed: Syndication, links: FeedLinks) -> bytes:
    rss = ET.Element("rss", {"version": "2.0"})
    channel = _sub(rss, "channel")
    _sub(channel, "title", links.title)
    _sub(channel, "link", links.alternate)
    _sub(channel, "description", html.escape(f"{links.title}: the newest articles", quote=False))
    _sub(channel, f"{{{ATOM_NS}}}link", href=links.self_url, rel="self", type=RSS_MEDIA_TYPE)
    _sub(channel, "lastBuildDate", _rfc822(feed.updated))
    _sub(channel, "generator", "Broadsheet")
    for article in feed.items:
        item = _sub(channel, "item")
        _sub(item, "title", article.title)
        _sub(item, "link", article.url)
        _sub(item, "guid", links.article_url(article), isPermaLink="false")
        # Readers render a description as HTML: the summary must arrive as text, not markup.
        _sub(item, "description", html.escape(article.summary, quote=False))
        _sub(item, "pubDate", _rfc822(article.published_at))
        if article.author:
            _sub(item, f"{{{DC_NS}}}creator", article.author)
        source = article.source
        _sub(item, "source", source.name, url=source.feed_url or source.homepage_url)
        if article.category is not None:
            _sub(item, "category", article.category.name, domain=f"{links.base}/v1/categories")
        for mention in article.mentions or ():
            _sub(item, "category", mention.name, domain=f"{links.base}/v1/entities")
        if article.image_url:
            media = _sub(item, f"{{{MEDIA_NS}}}content", url=article.image_url, medium="image")
            if article.image_credit:
                _sub(media, f"{{{MEDIA_NS}}}credit", article.image_credit)
    return _xml(rss)


def render_atom(feed: Syndication, links: FeedLinks) -> bytes:
    root = ET.Element(f"{{{ATOM_NS}}}feed")

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        return _sub(parent, f"{{{ATOM_NS}}}{tag}", text, **attrs)

    sub(root, "id", links.self_url)
    sub(root, "title", links.title)
    sub(root, "updated", _rfc3339(feed.updated))
    sub(root, "link", href=links.self_url, rel="self", type=ATOM_MEDIA_TYPE)
    sub(root, "link", href=links.alternate, rel="alternate", type="application/json")
    # Atom needs an author per entry or for the feed: the feed's covers entries without one.
    sub(sub(root, "author"), "name", "Broadsheet")
    sub(root, "generator", "Broadsheet")
    for article in feed.items:
        entry = sub(root, "entry")
        sub(entry, "id", links.article_url(article))
        sub(entry, "title", article.title, type="text")
        sub(entry, "link", href=article.url, rel="alternate")
        sub(entry, "published", _rfc3339(article.published_at))
        sub(entry, "updated", _rfc3339(article.updated_at))
        sub(entry, "summary", article.summary, type="text")
        if article.author:
            sub(sub(entry, "author"), "name", article.author)
        if article.category is not None:
            scheme = f"{links.base}/v1/categories"
            sub(entry, "category", term=article.category.slug, label=article.category.name,
                scheme=scheme)  # fmt: skip
        for mention in article.mentions or ():
            sub(entry, "category", term=mention.slug, label=mention.name,
                scheme=f"{links.base}/v1/entities")  # fmt: skip
        if article.image_url:
            sub(entry, "link", href=article.image_url, rel="enclosure", type="image/*")
        source = sub(entry, "source")
        sub(source, "id", article.source.homepage_url)
        sub(source, "title", article.source.name)
        sub(source, "link", href=article.source.homepage_url, rel="alternate")
    return _xml(root)


def _json_item(article: ArticleRecord, links: FeedLinks) -> dict[str, Any]:
    tags = [article.category.name] if article.category is not None else []
    tags += [mention.name for mention in article.mentions or ()]
    item: dict[str, Any] = {
        "id": links.article_url(article),
        "url": article.url,
        "title": article.title,
        "summary": article.summary,
        "content_text": article.summary,
        "date_published": _rfc3339(article.published_at),
        "date_modified": _rfc3339(article.updated_at),
        "tags": list(dict.fromkeys(tags)),
        "language": article.language,
        "_broadsheet": {
            "id": article.id,
            "source": {"slug": article.source.slug, "name": article.source.name},
            "category": article.category.slug if article.category else None,
            "entities": [mention.slug for mention in article.mentions or ()],
            "sentiment": article.sentiment,
            "importance": article.importance,
        },
    }
    if article.image_url:
        item["image"] = article.image_url
    if article.author:
        item["authors"] = [{"name": article.author}]
    return item


def json_feed_document(feed: Syndication, links: FeedLinks) -> dict[str, Any]:
    return {
        "version": JSON_FEED_VERSION,
        "title": links.title,
        "home_page_url": links.alternate,
        "feed_url": links.self_url,
        "description": f"{links.title}: the newest articles",
        "authors": [{"name": "Broadsheet"}],
        "items": [_json_item(article, links) for article in feed.items],
    }


def render_json_feed(feed: Syndication, links: FeedLinks) -> bytes:
    return orjson.dumps(json_feed_document(feed, links))


RENDERERS = {"rss": render_rss, "atom": render_atom, "json": render_json_feed}

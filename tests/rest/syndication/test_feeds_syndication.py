"""RSS, Atom and JSON Feed: they parse, carry the article's facts, honour filters and ETags."""

from __future__ import annotations

import calendar
import datetime as dt
import html
import json
from pathlib import Path
from typing import Any

import feedparser
import httpx
import jsonschema
import pytest

from api.db.database import Database
from tests.fixtures.writes import create, key_headers, payload

pytestmark = pytest.mark.anyio
SCHEMA = json.loads(
    (Path(__file__).parent / "feed_fixtures" / "jsonfeed-1.1.schema.json").read_text("utf-8")
)
AI = {"slug": "ai", "name": "AI", "icon": "x"}
OTHER_SOURCE = {"slug": "other", "name": "Other Desk", "homepage_url": "https://other.example"}


@pytest.fixture
async def writer(database: Database) -> dict[str, str]:
    return await key_headers(database)


async def _seed(client: httpx.AsyncClient, writer: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Three articles: one in AI with an image, one elsewhere, one from another source."""
    ai = await create(
        client,
        writer,
        url="https://news.example/ai",
        title="Labs & <regulators> agree",
        category=AI,
        image_url="https://img.example/ai.jpg",
        published_at="2026-05-03T10:00:00Z",
    )
    plain = await create(
        client, writer, url="https://news.example/plain", published_at="2026-05-02T10:00:00Z"
    )
    other = await create(
        client,
        writer,
        url="https://news.example/other",
        title="Another desk reports",
        source=OTHER_SOURCE,
        mentions=[],
        published_at="2026-05-01T10:00:00Z",
    )
    return {"ai": ai.json(), "plain": plain.json(), "other": other.json()}


def _parse(response: httpx.Response) -> Any:
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


@pytest.mark.parametrize(
    ("kind", "media_type"), [("rss", "application/rss+xml"), ("atom", "application/atom+xml")]
)
async def test_xml_feeds_parse_with_the_articles_facts(
    client: httpx.AsyncClient, writer: dict[str, str], kind: str, media_type: str
) -> None:
    seeded = await _seed(client, writer)
    response = await client.get(f"/v1/feeds/{kind}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    parsed = _parse(response)
    assert parsed.version == ("rss20" if kind == "rss" else "atom10")
    entries = parsed.entries
    assert [e.title for e in entries] == [
        seeded["ai"]["title"],
        seeded["plain"]["title"],
        seeded["other"]["title"],
    ]
    first = entries[0]
    assert first.title == "Labs & <regulators> agree"  # escaped, not broken
    assert first.link == "https://news.example/ai"
    assert first.summary == seeded["ai"]["summary"]
    published = dt.datetime.fromtimestamp(calendar.timegm(first.published_parsed), dt.UTC)
    assert published == dt.datetime(2026, 5, 3, 10, tzinfo=dt.UTC)
    terms = {tag.get("label") or tag.term for tag in first.tags}
    assert {"AI", "Acme Corp"} <= terms
    images = [m["url"] for m in first.get("media_content", [])] + [
        e.href for e in first.get("enclosures", [])
    ]
    assert images == ["https://img.example/ai.jpg"]
    assert "Other Desk" in json.dumps(entries[2].get("source", {}))
    self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
    assert self_links == [f"http://127.0.0.1:8000/v1/feeds/{kind}"]


MARKUP = '<script>alert(1)</script> <img src=x onerror="alert(2)"> R&D & <b>co</b>'


@pytest.mark.parametrize("kind", ["rss", "atom", "json"])
async def test_stored_markup_reaches_readers_as_text(
    client: httpx.AsyncClient, writer: dict[str, str], kind: str
) -> None:
    """RSS readers render a description as HTML: stored markup must arrive escaped for
    HTML (XML's own escaping is undone by the parser). Atom and JSON Feed say plain text."""
    await create(client, writer, summary=MARKUP, title="<i>Tilted</i> & co")
    response = await client.get(f"/v1/feeds/{kind}")
    assert response.status_code == 200
    if kind == "json":
        (item,) = response.json()["items"]
        assert item["content_text"] == item["summary"] == MARKUP
        assert "content_html" not in item
        return
    (entry,) = feedparser.parse(response.content, sanitize_html=False).entries
    summary = entry.summary_detail
    if kind == "rss":
        assert summary.type == "text/html"
        assert "<" not in summary.value  # as HTML it shows the markup, it does not run it
        assert html.unescape(summary.value) == MARKUP
    else:
        assert summary.type == "text/plain"
        assert summary.value == MARKUP
        assert entry.title_detail.type == "text/plain"
    assert entry.title == "<i>Tilted</i> & co"


async def test_json_feed_validates_against_the_1_1_schema(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    seeded = await _seed(client, writer)
    response = await client.get("/v1/feeds/json", params={"limit": 2})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/feed+json")
    document = response.json()
    jsonschema.validate(document, SCHEMA, format_checker=jsonschema.FormatChecker())
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert len(document["items"]) == 2
    first = document["items"][0]
    assert first["url"] == "https://news.example/ai"
    assert first["image"] == "https://img.example/ai.jpg"
    assert first["date_published"] == "2026-05-03T10:00:00Z"
    assert first["tags"] == ["AI", "Acme Corp"]
    assert first["_broadsheet"]["id"] == seeded["ai"]["id"]


async def test_the_schema_refuses_a_broken_feed() -> None:
    """The fixture schema can fail: an item without content, a feed without a version."""
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"title": "x", "items": []}, SCHEMA)
    broken = {"version": "https://jsonfeed.org/version/1.1", "title": "x", "items": [{"id": "1"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMA)


@pytest.mark.parametrize("kind", ["rss", "atom", "json"])
async def test_filters_select_what_the_feed_selects(
    client: httpx.AsyncClient, writer: dict[str, str], kind: str
) -> None:
    await _seed(client, writer)
    for params, expected in [
        ({"category": "ai"}, ["Labs & <regulators> agree"]),
        ({"source": "other"}, ["Another desk reports"]),
        ({"entity": "acme", "published_before": "2026-05-03T00:00:00Z"}, [payload()["title"]]),
    ]:
        response = await client.get(f"/v1/feeds/{kind}", params=params)
        assert response.status_code == 200
        if kind == "json":
            titles = [item["title"] for item in response.json()["items"]]
        else:
            titles = [entry.title for entry in _parse(response).entries]
        assert titles == expected, params
        page = await client.get("/v1/articles", params=params | {"fields": "title"})
        assert [item["title"] for item in page.json()["items"]] == expected


@pytest.mark.parametrize("kind", ["rss", "atom", "json"])
async def test_etag_and_conditional_get(
    client: httpx.AsyncClient, writer: dict[str, str], kind: str
) -> None:
    await _seed(client, writer)
    first = await client.get(f"/v1/feeds/{kind}")
    etag = first.headers["etag"]
    assert etag.startswith('"')  # strong
    again = await client.get(f"/v1/feeds/{kind}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    await create(client, writer, url="https://news.example/new", published_at="2026-05-04T00:00Z")
    changed = await client.get(f"/v1/feeds/{kind}", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag


@pytest.mark.parametrize(
    "params",
    [{"category": "Not A Slug"}, {"importance_min": "11"}, {"limit": "0"}, {"cursor": "x"}],
)
async def test_bad_filters_are_400_problems(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    for kind in ("rss", "atom", "json"):
        response = await client.get(f"/v1/feeds/{kind}", params=params)
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["invalid_params"][0]["name"] == next(iter(params))


async def test_the_feed_page_links_its_syndication_feeds(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/v1/articles", params={"category": "ai", "limit": 5, "entity": ["a", "b"]}
    )
    link = response.headers["link"]
    assert '</v1/feeds/atom?category=ai&entity=a&entity=b>; rel="alternate"' in link
    assert 'type="application/rss+xml"' in link
    assert 'type="application/feed+json"' in link
    assert "limit" not in link


async def test_an_empty_feed_is_still_valid(client: httpx.AsyncClient) -> None:
    for kind in ("rss", "atom"):
        parsed = _parse(await client.get(f"/v1/feeds/{kind}"))
        assert parsed.entries == []
    document = (await client.get("/v1/feeds/json")).json()
    jsonschema.validate(document, SCHEMA, format_checker=jsonschema.FormatChecker())


async def test_the_docs_page_advertises_the_feeds(client: httpx.AsyncClient) -> None:
    page = (await client.get("/docs")).text
    for kind, media in [("rss", "rss+xml"), ("atom", "atom+xml"), ("json", "feed+json")]:
        assert f'type="application/{media}" title="Broadsheet" href="/v1/feeds/{kind}"' in page

"""Stories on the reference frontend, in headless Chromium: a feed card's "N sources"
leads to the story page (coverage by source, with times), and an article page lists the
other sources as "Also covered by"; each checked against the API's own answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from api.db.database import create_sync_db_engine
from api.demo import generate_demo
from api.settings import Settings
from tests.fixtures.story_rows import Written, corpus_articles, write_stories
from tests.fixtures.threaded_server import served
from tests.web.test_site_browser import shot

STORY_QUERY = """query($id: ID!) { story(id: $id) { sourceCount headline { title }
  articles { article { slug title publishedAt source { name } } } } }"""


@pytest.fixture
def told(database_url: str) -> Iterator[tuple[str, list[Written]]]:
    """A live server over demo data whose newest articles include a story of three."""
    engine = create_sync_db_engine(Settings(database_url=database_url), url=database_url)
    try:
        generate_demo(engine, articles=60, seed=7, if_empty=False, progress=False)
        ids = corpus_articles(engine)
        written = write_stories(engine, [[ids[-1], ids[-3], ids[20]], ids[30:32]])
    finally:
        engine.dispose()
    with served(Settings(database_url=database_url)) as base:
        yield base, written


@pytest.fixture
def page(browser: Browser, told: tuple[str, list[Written]]) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=told[0])
    context.set_default_timeout(15_000)
    context.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(told[0]) else route.abort(),
    )
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert errors == [], errors


def _graphql(base: str, query: str, **variables: Any) -> dict[str, Any]:
    body: dict[str, Any] = httpx.post(
        f"{base}/graphql", json={"query": query, "variables": variables}
    ).json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def test_story_journey(page: Page, told: tuple[str, list[Written]], database_url: str) -> None:
    base, written = told
    backend = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    story = _graphql(base, STORY_QUERY, id=written[0].id)["story"]
    page.goto("/")
    link = page.locator(".card .story-link").first
    expect(link).to_have_text(f"{story['sourceCount']} sources")
    link.click()
    expect(page).to_have_url(f"{base}/stories/{written[0].id}")
    expect(page.locator("h1")).to_have_text(story["headline"]["title"])
    rows = page.locator(".coverage-list > li")
    expect(rows).to_have_count(len(story["articles"]))
    for row, member in zip(rows.all(), story["articles"], strict=True):
        article = member["article"]
        expect(row.locator(".source")).to_have_text(article["source"]["name"])
        expect(row.locator("time")).to_have_attribute("datetime", article["publishedAt"])
        expect(row.locator("a.title")).to_have_attribute("href", f"/articles/{article['slug']}")
    shot(page, f"{backend}-story", full_page=True)
    # From the story to one of its articles: the others are "Also covered by".
    first = story["articles"][0]["article"]
    rows.first.locator("a.title").click()
    expect(page.locator("h1")).to_have_text(first["title"])
    coverage = page.locator("section[aria-labelledby=coverage-title]")
    expect(coverage.locator("h2")).to_have_text("Also covered by")
    others = [m["article"] for m in story["articles"][1:]]
    expect(coverage.locator("li a.title")).to_have_text([o["title"] for o in others])
    # Its own list: the site's "Related coverage" list holds related articles only.
    expect(coverage.locator(".related-list")).to_have_count(0)
    shot(page, f"{backend}-article-coverage")


def test_unknown_story_is_a_message(page: Page) -> None:
    page.goto("/stories/0196f0c3-0a1b-7c2d-8e3f-4a5b6c7d8e9f")
    expect(page.get_by_role("alert")).to_contain_text("No story has this address")

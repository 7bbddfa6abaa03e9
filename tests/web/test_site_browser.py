"""The reference frontend in a real headless Chromium, against a live server and demo data.

One journey per backend: the feed, a sentiment filter, the second page by scrolling, an
article page (every section checked against the API's own answer), an entity, a search,
and errors shown as messages. Screenshots land in test-artifacts/screenshots/.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from api.db.database import create_sync_db_engine
from api.demo import generate_demo
from api.settings import Settings
from tests.fixtures.threaded_server import served

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
# BROADSHEET_DOCS_SCREENSHOTS=1 refreshes the README's picture from the SQLite run.
DOCS_SCREENSHOT = ROOT / "docs" / "screenshots" / "article.png"
ARTICLES = 120
TYPE_GROUPS = {
    "COMPANY": "Companies",
    "PERSON": "People",
    "ORGANIZATION": "Organizations",
    "COUNTRY": "Countries",
    "CRYPTOCURRENCY": "Cryptocurrencies",
    "PRODUCT": "Products",
    "TOPIC": "Topics",
}
ARTICLE_QUERY = """query($slug: String!) { article(slug: $slug) {
  title url author imageUrl imageCredit summary analysis keyTakeaways importance
  sentiment source { name } category { name }
  mentions { entity { slug name type } } related(first: 6) { article { slug } } } }"""


@pytest.fixture
def site(database_url: str) -> Iterator[str]:
    """A real uvicorn server on a free port, over a demo corpus in the test's database."""
    engine = create_sync_db_engine(Settings(database_url=database_url), url=database_url)
    try:
        generate_demo(engine, articles=ARTICLES, seed=7, if_empty=False, progress=False)
    finally:
        engine.dispose()
    with served(Settings(database_url=database_url)) as base:
        yield base


# Cumulative layout shift of the current document (Chromium's layout-shift entries).
LAYOUT_SHIFT = """() => new Promise((resolve) => {
  let total = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
  }).observe({ type: "layout-shift", buffered: true });
  requestAnimationFrame(() => setTimeout(() => resolve(total), 50));
})"""


def graphql(base: str, query: str, **variables: Any) -> dict[str, Any]:
    response = httpx.post(f"{base}/graphql", json={"query": query, "variables": variables})
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


@pytest.fixture
def page(browser: Browser, site: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=site)
    context.set_default_timeout(15_000)
    external: list[str] = []

    def gate(route: Any) -> None:
        # Nothing may leave the server but publishers' images (blocked here: no network).
        if route.request.url.startswith(site):
            route.continue_()
        else:
            external.append(f"{route.request.resource_type} {route.request.url}")
            route.abort()

    context.route("**/*", gate)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert errors == [], errors
    assert all(request.startswith("image ") for request in external), external


def shot(page: Page, name: str, *, full_page: bool = False) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def test_reader_journey(page: Page, site: str, database_url: str) -> None:
    backend = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    # Each page is one GraphQL GET by hash, plus one POST the first time the server meets
    # a query (the persisted-query protocol registers it).
    calls: list[str] = []
    page.on(
        "request",
        lambda r: calls.append(r.method) if r.url.split("?")[0].endswith("/graphql") else None,
    )

    # The feed: newest first, one page of cards, chips on each.
    page.goto("/")
    cards = page.locator("#feed > li")
    expect(cards).to_have_count(20)
    expect(page.locator("#feed .card").first.locator(".chip-category")).to_be_visible()
    expect(page.locator("#feed .card").first.locator(".chip-importance")).to_have_text(
        re.compile(r"^\d+/10$")
    )
    assert calls.count("GET") == 1 and calls.count("POST") <= 1
    assert page.evaluate(LAYOUT_SHIFT) < 0.05
    shot(page, f"{backend}-feed")

    # Filter by sentiment: a shareable URL, only bearish cards.
    total = graphql(site, "{ articles(filter: {sentiment: BEARISH}) { totalCount } }")
    bearish = total["articles"]["totalCount"]
    assert bearish > 20, "the demo corpus must give the filter a second page"
    page.focus("#filter-sentiment")  # as a keyboard user would: focus stays on the control
    page.select_option("#filter-sentiment", "bearish")
    expect(page).to_have_url(re.compile(r"/\?sentiment=bearish$"))
    expect(page.locator("h1")).to_have_text("Filtered news")
    expect(page.locator("#filter-sentiment")).to_be_focused()
    expect(cards).to_have_count(20)

    # Scroll to the bottom: the next page arrives by cursor.
    page.locator(".more").scroll_into_view_if_needed()
    expect(cards).to_have_count(min(bearish, 40))
    expect(page.locator("#feed .chip-bearish")).to_have_count(min(bearish, 40))
    assert calls.count("GET") == 3 and calls.count("POST") <= 1  # the feed's query, by hash

    # Open an article with related coverage (not every demo article has some): every
    # section of the page, checked against the API.
    listed = graphql(
        site,
        "{ articles(first: 40, filter: {sentiment: BEARISH}) "
        "{ edges { node { related(first: 1) { article { slug } } } } } }",
    )["articles"]["edges"]
    shown = next(i for i, edge in enumerate(listed) if edge["node"]["related"])
    link = page.locator("#feed .card h2 a").nth(shown)
    title = link.inner_text()
    link.click()
    expect(page).to_have_url(re.compile(r"/articles/[a-z0-9-]+$"))
    slug = page.url.rsplit("/", 1)[1]
    data = graphql(site, ARTICLE_QUERY, slug=slug)["article"]
    check_article_page(page, data, title)
    assert calls.count("GET") == 4 and calls.count("POST") <= 2
    shot(page, f"{backend}-article", full_page=True)
    if backend == "sqlite" and os.environ.get("BROADSHEET_DOCS_SCREENSHOTS"):
        page.set_viewport_size({"width": 1280, "height": 1100})
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(DOCS_SCREENSHOT))
        page.set_viewport_size({"width": 1280, "height": 900})

    # Shareable: a reload renders the same page from its URL.
    page.reload()
    expect(page.locator("#story-title")).to_have_text(data["title"])
    assert page.evaluate(LAYOUT_SHIFT) < 0.05
    expect(page.get_by_role("link", name="Back to feed")).to_have_attribute("href", "/")

    # Follow an entity from "Mentioned in this story".
    entity = data["mentions"][0]["entity"]
    page.locator(".mentions").get_by_role("link", name=entity["name"], exact=True).click()
    expect(page).to_have_url(re.compile(f"/entities/{entity['slug']}$"))
    expect(page.locator("h1")).to_have_text(entity["name"])
    expect(page.locator(".trend")).to_be_visible()
    expect(page.locator("#entity-articles > li").first).to_be_visible()
    expect(page.get_by_role("heading", name="Often mentioned with")).to_be_visible()
    shot(page, f"{backend}-entity", full_page=True)

    # Search from the masthead: results with highlighted snippets.
    word = max(re.findall(r"[A-Za-z]{5,}", data["title"]), key=len)
    page.fill("#site-search-q", word)
    page.press("#site-search-q", "Enter")
    expect(page).to_have_url(re.compile(r"/search\?q="))
    expect(page.locator("#results > li").first).to_be_visible()
    expect(page.locator("#results .snippet mark").first).to_be_visible()
    shot(page, f"{backend}-search")

    # Back through history re-renders the entity page.
    page.go_back()
    expect(page.locator("h1")).to_have_text(entity["name"])


def check_article_page(page: Page, data: dict[str, Any], title: str) -> None:
    story = page.locator("article.story")
    expect(page.locator("#story-title")).to_have_text(title)
    assert data["title"] == title
    expect(page.get_by_role("link", name="Back to feed")).to_have_attribute(
        "href", "/?sentiment=bearish"
    )
    expect(story.locator(".chip-category")).to_contain_text(data["category"]["name"])
    expect(story.locator(".chip-bearish")).to_have_text("Bearish")
    expect(story.locator(".chip-importance")).to_have_text(f"{data['importance']}/10")
    byline = story.locator(".byline")
    expect(byline).to_contain_text(data["source"]["name"])
    if data["author"]:
        expect(byline).to_contain_text(data["author"])
    hero = story.locator("figure.hero")
    expect(hero).to_be_visible()
    if data["imageCredit"]:
        expect(hero.locator("figcaption")).to_have_text(data["imageCredit"])
    expect(story.locator(".ai-summary p")).to_have_text(data["summary"])
    expect(story.locator(".analysis p")).to_have_text(data["analysis"])
    expect(story.locator(".takeaways li")).to_have_text(data["keyTakeaways"])
    original = story.get_by_role("link", name=re.compile("^Read original on"))
    expect(original).to_have_attribute("href", data["url"])
    expect(original).to_contain_text(data["source"]["name"])

    groups = [
        TYPE_GROUPS[t] for t in TYPE_GROUPS if t in {m["entity"]["type"] for m in data["mentions"]}
    ]
    expect(page.locator(".mentions dt")).to_have_text(groups)
    links = page.locator(".mentions a")
    expect(links).to_have_count(len(data["mentions"]))
    hrefs = {links.nth(i).get_attribute("href") for i in range(len(data["mentions"]))}
    assert hrefs == {f"/entities/{m['entity']['slug']}" for m in data["mentions"]}

    related = page.locator(".related-list > li")
    expect(related).to_have_count(len(data["related"]))
    assert data["related"], "a demo article with related coverage"
    for i, item in enumerate(data["related"]):
        row = related.nth(i)
        expect(row.locator("a.title")).to_have_attribute(
            "href", f"/articles/{item['article']['slug']}"
        )
        expect(row.locator(".reason")).to_have_text(
            re.compile(r"^(Also mentions .+|.+ · linked by the editors)$")
        )


def test_errors_are_messages_not_blank_pages(page: Page) -> None:
    page.goto("/articles/no-such-story")
    expect(page.get_by_role("alert")).to_contain_text("No article has this address")
    expect(page.locator("h1")).to_have_text("Not found")

    # The API failing: the page says so.
    page.route(
        "**/graphql",
        lambda route: route.fulfill(
            status=503,
            content_type="application/problem+json",
            body='{"title": "Unavailable", "detail": "database is down", "status": 503}',
        ),
    )
    page.goto("/entities/anything")
    expect(page.get_by_role("alert")).to_contain_text("database is down")
    expect(page.get_by_role("link", name="Back to the latest news")).to_be_visible()


def test_phone_layout_and_keyboard(page: Page, site: str, database_url: str) -> None:
    backend = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    expect(page.locator("#feed > li")).to_have_count(20)
    # No sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # The first Tab reaches the skip link, which moves focus to the content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))
    expect(page.locator("main")).to_be_focused()
    page.locator("#feed .card h2 a").first.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#story-title")).to_be_focused()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, f"{backend}-article-phone")


def test_snippets_render_marks_and_everything_else_as_text(page: Page) -> None:
    page.goto("/")
    rendered = page.evaluate(
        """async () => {
          const { highlighted } = await import("/static/js/dom.js");
          const box = document.createElement("p");
          box.append(...highlighted(
            "AT&amp;T &lt;img src=x onerror=alert(1)&gt; <mark>chips</mark> &#x27;ban&#39;"
          ));
          return {
            text: box.textContent,
            marks: [...box.querySelectorAll("mark")].map((m) => m.textContent),
            elements: box.querySelectorAll("*").length,
          };
        }"""
    )
    assert rendered == {
        "text": "AT&T <img src=x onerror=alert(1)> chips 'ban'",
        "marks": ["chips"],
        "elements": 1,
    }

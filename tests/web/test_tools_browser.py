"""GraphiQL (``/graphql``) and Swagger UI (``/docs``) in a real headless Chromium with no
way out: every request to another origin is refused, as on a machine without internet.
Each must render from the app's own files, under its Content-Security-Policy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from api.settings import Settings
from tests.fixtures.threaded_server import served

SECRET = "Bearer not-a-real-key-but-secret"


@pytest.fixture
def base(database_url: str) -> Iterator[str]:
    with served(Settings(database_url=database_url)) as url:
        yield url


class Offline:
    """A browser context that reaches only ``base``, recording what else was tried and
    every script error or policy violation."""

    def __init__(self, browser: Browser, base: str) -> None:
        self.base = base
        self.external: list[str] = []
        self.problems: list[str] = []
        self.context: BrowserContext = browser.new_context(base_url=base)
        self.context.set_default_timeout(20_000)
        self.context.route("**/*", self._gate)

    def _gate(self, route: Any) -> None:
        url: str = route.request.url
        if url.startswith(self.base) or url.startswith("data:"):
            route.continue_()
        else:
            self.external.append(url)
            route.abort()

    def page(self) -> Page:
        tab = self.context.new_page()
        tab.on("pageerror", lambda error: self.problems.append(f"error: {error}"))
        tab.on(
            "console",
            lambda message: (
                self.problems.append(f"console: {message.text}")
                if message.type == "error"
                else None
            ),
        )
        return tab


@pytest.fixture
def offline(browser: Browser, base: str) -> Iterator[Offline]:
    context = Offline(browser, base)
    yield context
    context.context.close()


def test_graphiql_renders_offline_and_runs_a_query(offline: Offline) -> None:
    page = offline.page()
    # A link may not plant a query in the editor.
    page.goto("/graphql?q=query%20Planted%20%7B%20__typename%20%7D")
    editor = page.locator(".graphiql-query-editor")
    expect(editor).to_contain_text("articles(first: 5)")
    expect(editor).not_to_contain_text("Planted")
    page.locator(".graphiql-execute-button").click()
    expect(page.locator(".graphiql-response")).to_contain_text('"articles"')
    assert offline.external == []
    assert offline.problems == []


def test_graphiql_keeps_no_headers_in_the_browser(offline: Offline) -> None:
    page = offline.page()
    page.goto("/graphql")
    expect(page.locator(".graphiql-query-editor")).to_contain_text("articles(first: 5)")
    page.get_by_role("button", name="Headers").click()
    headers = page.locator(".graphiql-editor-tool .graphiql-editor").last
    headers.click()
    page.keyboard.type(f'{{"Authorization": "{SECRET}"}}')
    expect(headers).to_contain_text("not-a-real-key")
    page.wait_for_timeout(1_500)  # past GraphiQL's debounce of storage writes
    stored: dict[str, str] = page.evaluate("() => ({...window.localStorage})")
    assert stored, "GraphiQL stores its tabs; nothing at all means the check saw nothing"
    assert not any("not-a-real-key" in value for value in stored.values()), stored
    assert offline.external == []
    assert offline.problems == []


def test_swagger_ui_renders_offline_under_its_policy(offline: Offline) -> None:
    page = offline.page()
    response = page.goto("/docs")
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Broadsheet")
    expect(page.locator(".opblock").first).to_be_visible()
    assert offline.external == []
    assert offline.problems == []

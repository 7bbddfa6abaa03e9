"""The /docs and GraphiQL pages over HTTP: the site's security headers, and only files of
their own (the browser half is tests/web/test_tools_browser.py)."""

from __future__ import annotations

import re

import httpx
import pytest

from api.graphql.graphiql import STATIC as GRAPHIQL_STATIC

PAGES = [("/docs", {}), ("/graphql", {"Accept": "text/html"})]


@pytest.mark.parametrize(("path", "headers"), PAGES, ids=["docs", "graphiql"])
async def test_tool_pages_send_the_security_headers(
    client: httpx.AsyncClient, path: str, headers: dict[str, str]
) -> None:
    response = await client.get(path, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-eval" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"
    # Every file the page names is this app's own, and is served.
    assets = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert assets and not [a for a in assets if a.startswith(("http:", "https:", "//"))]
    for asset in (a for a in assets if a.startswith("/") and "/feeds/" not in a):
        served = await client.get(asset)
        assert served.status_code == 200, asset
        assert served.headers["x-content-type-options"] == "nosniff", asset


async def test_graphiql_is_no_longer_strawberrys_cdn_page(client: httpx.AsyncClient) -> None:
    page = (await client.get("/graphql", headers={"Accept": "text/html"})).text
    assert "unpkg.com" not in page and "<script>" not in page  # no CDN, no inline script


def test_the_graphiql_script_reads_no_url_and_stores_no_headers() -> None:
    script = (GRAPHIQL_STATIC / "graphiql-page.js").read_text(encoding="utf-8")
    assert "shouldPersistHeaders: false" in script
    assert "location.search" not in script and "URLSearchParams" not in script


def test_every_vendored_graphiql_file_has_its_license() -> None:
    vendored = GRAPHIQL_STATIC / "graphiql"
    names = {path.name for path in vendored.iterdir()}
    for package in ("graphiql", "react", "react-dom", "plugin-explorer"):
        assert f"LICENSE.{package}" in names
    assert "VERSION" in names

"""The reference frontend's HTTP surface: the app shell, its static files, and no API drift."""

from __future__ import annotations

import re

import httpx
import pytest

from api.web.routes import STATIC

SHELL_PATHS = (
    "/",
    "/search?q=chips",
    "/articles/some-slug",
    "/entities/acme-chips",
    "/stories/0196f0c3-0a1b-7c2d-8e3f-4a5b6c7d8e9f",
)


@pytest.mark.parametrize("path", SHELL_PATHS)
async def test_page_urls_answer_the_app_shell(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert '<main id="main"' in response.text
    assert '<script type="module" src="/static/js/app.js">' in response.text


async def test_static_files_are_served_with_types_and_revalidation(
    client: httpx.AsyncClient,
) -> None:
    script = await client.get("/static/js/app.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert script.headers["cache-control"] == "public, max-age=300, must-revalidate"
    css = await client.get("/static/site.css")
    assert css.headers["content-type"].startswith("text/css")
    again = await client.get("/static/js/app.js", headers={"If-None-Match": script.headers["etag"]})
    assert again.status_code == 304
    assert again.headers["cache-control"] == "public, max-age=300, must-revalidate"


@pytest.mark.parametrize(
    "path", ["/static/missing.js", "/static/../routes.py", "/articles/a/b", "/entities/"]
)
async def test_unknown_paths_are_404(client: httpx.AsyncClient, path: str) -> None:
    assert (await client.get(path)).status_code == 404


async def test_pages_only_answer_get(client: httpx.AsyncClient) -> None:
    assert (await client.post("/articles/some-slug")).status_code == 405


async def test_the_api_is_untouched_and_the_pages_are_not_api(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    feed = await client.get("/v1/articles")
    assert feed.headers["content-type"].startswith("application/json")
    assert (await client.get("/docs")).status_code == 200
    paths = (await client.get("/openapi.json")).json()["paths"]
    site = {"/", "/search", "/articles/{slug}", "/entities/{slug}", "/stories/{id}"}
    assert not site & set(paths)
    assert not any(path.startswith("/static") for path in paths)
    query = {"query": "{ categories { slug } }"}
    assert (await client.post("/graphql", json=query)).status_code == 200


def _assets() -> list[tuple[str, str]]:
    return [
        (str(path.relative_to(STATIC)), path.read_text(encoding="utf-8"))
        for path in sorted(STATIC.rglob("*"))
        if path.suffix in {".html", ".js", ".css"}
    ]


def test_the_site_loads_nothing_from_elsewhere_and_never_parses_api_text_as_html() -> None:
    assets = _assets()
    assert {"index.html", "site.css", "js/app.js"} <= {name for name, _ in assets}
    for name, text in assets:
        # The SVG namespace is an identifier, not a download.
        text = text.replace("http://www.w3.org/2000/svg", "")
        assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", text), name
        assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", text), name
        assert "@import" not in text and "url(http" not in text, name


def test_every_module_import_resolves() -> None:
    for name, text in _assets():
        if not name.endswith(".js"):
            continue
        base = (STATIC / name).parent
        for target in re.findall(r'from "(\.{1,2}/[^"]+)"', text):
            assert (base / target).resolve().is_file(), f"{name} imports missing {target}"

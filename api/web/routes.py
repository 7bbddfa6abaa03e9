"""The reference frontend's routes: the app shell for every page URL, and its static files.

The site is plain HTML, CSS and JavaScript modules rendered in the browser from the public
GraphQL API, so the server only hands out the same shell for every shareable path (the
client-side router reads the URL) and the files it loads. None of this is API: the routes
stay out of the OpenAPI document.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from api.edge.security_headers import NOSNIFF, SITE_CSP, page_headers

STATIC = Path(__file__).parent / "static"
SHELL = STATIC / "index.html"
# File names carry no content hash, so caches keep them briefly and revalidate by ETag.
STATIC_CACHE = "public, max-age=300, must-revalidate"
SHELL_CACHE = "no-cache"
# Everything is served from here: the page may only talk to its own origin.
SECURITY_HEADERS = page_headers(SITE_CSP)


class SiteFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = STATIC_CACHE
            response.headers.update(NOSNIFF)
        return response


async def shell(_request: Request) -> Response:
    return FileResponse(
        SHELL,
        media_type="text/html; charset=utf-8",
        headers={"Cache-Control": SHELL_CACHE, **SECURITY_HEADERS},
    )


def web_routes() -> list[BaseRoute]:
    """``/``, ``/search``, ``/articles/{slug}``, ``/entities/{slug}``, ``/stories/{id}`` and
    ``/static/...``."""
    pages = ("/", "/search", "/articles/{slug}", "/entities/{slug}", "/stories/{id}")
    return [
        *(Route(path, shell, methods=["GET"], include_in_schema=False) for path in pages),
        Mount("/static", SiteFiles(directory=STATIC), name="site-static"),
    ]

"""The contract and its docs page, served by the app itself (no CDN)."""

from __future__ import annotations

from pathlib import Path

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from api.edge.security_headers import DOCS_CSP, page_headers
from api.http.problems import NOSNIFF
from api.rest.contract.openapi import openapi_document

STATIC = Path(__file__).parent / "static"

DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Broadsheet API</title>
  <link rel="icon" href="/docs/static/swagger-ui/favicon-32x32.png">
  <link rel="stylesheet" href="/docs/static/swagger-ui/swagger-ui.css">
  <link rel="alternate" type="application/rss+xml" title="Broadsheet" href="/v1/feeds/rss">
  <link rel="alternate" type="application/atom+xml" title="Broadsheet" href="/v1/feeds/atom">
  <link rel="alternate" type="application/feed+json" title="Broadsheet" href="/v1/feeds/json">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/static/swagger-ui/swagger-ui-bundle.js"></script>
  <script src="/docs/static/docs.js"></script>
</body>
</html>
"""


class DocsFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update(NOSNIFF)
        return response


async def openapi_json(_request: Request) -> Response:
    return Response(
        orjson.dumps(openapi_document()), media_type="application/json", headers=NOSNIFF
    )


async def docs_page(_request: Request) -> HTMLResponse:
    return HTMLResponse(DOCS_PAGE, headers=page_headers(DOCS_CSP))  # nosniff included


def docs_routes() -> list[BaseRoute]:
    return [
        Route("/openapi.json", openapi_json, methods=["GET"], include_in_schema=False),
        Route("/docs", docs_page, methods=["GET"], include_in_schema=False),
        Mount("/docs/static", DocsFiles(directory=STATIC), name="docs-static"),
    ]

"""GraphiQL, the in-browser IDE that ``GET /graphql`` answers to a browser.

Served from this app like the /docs page's Swagger UI: the vendored files under
``static/graphiql`` (see its VERSION) and a page script, never a CDN, so it works offline
and under a Content-Security-Policy that allows scripts from this origin only. Strawberry's
own page loads seven files from a CDN, reads the query from ``?q=`` and keeps the
headers editor's contents (API keys) in the browser's storage; this one does none of that.
"""

from __future__ import annotations

from pathlib import Path

from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Mount

from api.edge.security_headers import GRAPHIQL_CSP, NoSniffFiles, page_headers

STATIC = Path(__file__).parent / "static"
STATIC_PATH = "/graphql/static"

PAGE = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Broadsheet GraphQL</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="{STATIC_PATH}/graphiql/graphiql.min.css">
  <link rel="stylesheet" href="{STATIC_PATH}/graphiql/plugin-explorer.css">
  <link rel="stylesheet" href="{STATIC_PATH}/graphiql-page.css">
</head>
<body>
  <div id="graphiql">Loading…</div>
  <script src="{STATIC_PATH}/graphiql/react.production.min.js"></script>
  <script src="{STATIC_PATH}/graphiql/react-dom.production.min.js"></script>
  <script src="{STATIC_PATH}/graphiql/graphiql.min.js"></script>
  <script src="{STATIC_PATH}/graphiql/plugin-explorer.umd.js"></script>
  <script src="{STATIC_PATH}/graphiql-page.js"></script>
</body>
</html>
"""


def graphiql_page() -> HTMLResponse:
    # no-cache: the page names its files without a content hash; they change with the app.
    headers = {"Cache-Control": "no-cache", **page_headers(GRAPHIQL_CSP)}
    return HTMLResponse(PAGE, headers=headers)


def graphiql_routes() -> list[BaseRoute]:
    """The page's files (the page itself is the endpoint's answer to a browser's GET)."""
    return [Mount(STATIC_PATH, NoSniffFiles(directory=STATIC), name="graphiql-static")]

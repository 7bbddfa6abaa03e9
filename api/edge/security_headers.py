"""The security headers of the HTML pages this service serves: the site, /docs and GraphiQL.

Each page runs only scripts and styles from this origin (no inline script, so injected
markup cannot run code), talks only to this origin, may not be framed (clickjacking), sends
no Referer beyond this origin, and is never content-sniffed. Their files get ``nosniff`` too.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

NOSNIFF = {"X-Content-Type-Options": "nosniff"}
_ALWAYS = "base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"

# The reference frontend: its own modules and stylesheet; publishers' images from anywhere.
SITE_CSP = (
    "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; "
    f"connect-src 'self'; {_ALWAYS}"
)
# Swagger UI and GraphiQL set style attributes from their scripts, and their icons and
# fonts are data: URLs; scripts still come only from here.
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; font-src 'self' data:; "
    f"style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; {_ALWAYS}"
)
# GraphiQL's subscriptions are a WebSocket to this same host ('self' covers ws: and wss:).
GRAPHIQL_CSP = DOCS_CSP


def page_headers(csp: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": csp,
        **NOSNIFF,
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",  # frame-ancestors, for browsers that predate it
    }


class NoSniffFiles(StaticFiles):
    """Static files that are never sniffed into another type."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update(NOSNIFF)
        return response

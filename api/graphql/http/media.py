"""Content negotiation for GraphQL over HTTP: which media type an answer is sent as."""

from __future__ import annotations

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


def negotiate(accept: str | None) -> str:
    """The response media type for an Accept header: the one the client prefers, by q."""
    if not accept:
        return JSON
    best, best_q = JSON, -1.0
    for part in accept.split(","):
        media, _, params = part.strip().partition(";")
        media = media.strip().lower()
        if media not in (GRAPHQL_RESPONSE, JSON, "application/*", "*/*"):
            continue
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        # An explicit graphql-response+json beats a wildcard or json at the same q.
        candidate = GRAPHQL_RESPONSE if media == GRAPHQL_RESPONSE else JSON
        if q > best_q or (q == best_q and candidate == GRAPHQL_RESPONSE):
            best, best_q = candidate, q
    return best if best_q > 0 else JSON

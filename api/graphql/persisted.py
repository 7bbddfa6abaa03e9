"""Persisted queries: Apollo's automatic protocol, and an optional trusted-documents list.

A client sends ``extensions.persistedQuery = {version: 1, sha256Hash}``. With the query
beside it, the hash is checked and the query remembered; without it, the remembered query
runs, or the answer is ``PERSISTED_QUERY_NOT_FOUND`` and the client sends it again in full.
Queries then travel as a hash, so a GET fits in a URL and caches (CDNs, browsers).

With ``BROADSHEET_GRAPHQL_TRUSTED_DOCUMENTS`` (a JSON manifest: hash -> document, or a
list of documents) only those documents run, by hash or in full; anything else is refused
with ``PERSISTED_QUERY_NOT_IN_LIST``. That is how a production frontend locks the API down
to the queries it ships.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
NOT_IN_LIST = "PERSISTED_QUERY_NOT_IN_LIST"
BAD_REQUEST = "BAD_REQUEST"
MAX_REMEMBERED = 4096
_HASH = re.compile(r"[0-9a-f]{64}")


class PersistedQueryError(Exception):
    """A request the persisted-query rules refuse, with its GraphQL error code and status."""

    def __init__(self, message: str, code: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status

    def body(self) -> bytes:
        return orjson.dumps(
            {"errors": [{"message": self.message, "extensions": {"code": self.code}}]}
        )


def document_hash(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def load_manifest(path: Path) -> dict[str, str]:
    """A trusted-documents manifest: ``{hash: document}``, or a list of documents."""
    data = orjson.loads(path.read_bytes())
    if isinstance(data, list):
        return {document_hash(str(query)): str(query) for query in data}
    if isinstance(data, dict):
        documents = data.get("documents", data)
        manifest = {str(h): str(q) for h, q in documents.items()}
        wrong = [h for h, q in manifest.items() if document_hash(q) != h]
        if wrong:
            raise ValueError(f"{path}: hashes that do not match their documents: {wrong[:3]}")
        return manifest
    raise ValueError(f"{path}: expected a JSON object or list of documents")


class PersistedQueries:
    """The documents this process knows by hash (bounded), and the trusted list, if any."""

    def __init__(self, trusted: Mapping[str, str] | None = None) -> None:
        self.trusted = dict(trusted) if trusted is not None else None
        self._remembered: OrderedDict[str, str] = OrderedDict()

    def resolve(self, params: dict[str, Any]) -> dict[str, Any]:
        """The request's parameters with its query filled in from its hash, or
        PersistedQueryError."""
        extensions = params.get("extensions")
        persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        query = params.get("query")
        if persisted is None:
            trusted = self.trusted
            if (
                trusted is not None
                and isinstance(query, str)
                and document_hash(query) not in trusted
            ):
                raise PersistedQueryError(
                    "Only trusted documents run here; send a known document's hash.",
                    NOT_IN_LIST,
                    400,
                )
            return params
        sha = self._checked_hash(persisted)
        if isinstance(query, str):
            if document_hash(query) != sha:
                raise PersistedQueryError("provided sha does not match query", BAD_REQUEST, 400)
            if self.trusted is not None and sha not in self.trusted:
                raise PersistedQueryError(
                    "This document is not in the trusted list.", NOT_IN_LIST, 400
                )
            self._remember(sha, query)
            return params
        known = self._lookup(sha)
        if known is None:
            # 200, as Apollo's servers answer it: the client's cue to send the document.
            raise PersistedQueryError("PersistedQueryNotFound", NOT_FOUND, 200)
        return {**params, "query": known}

    def _checked_hash(self, persisted: Any) -> str:
        if not isinstance(persisted, dict) or persisted.get("version") != 1:
            raise PersistedQueryError(
                "Unsupported persisted query version; send version 1", BAD_REQUEST, 400
            )
        sha = persisted.get("sha256Hash")
        if not isinstance(sha, str) or not _HASH.fullmatch(sha):
            raise PersistedQueryError(
                "sha256Hash must be 64 lowercase hexadecimal digits", BAD_REQUEST, 400
            )
        return sha

    def _lookup(self, sha: str) -> str | None:
        if self.trusted is not None:
            return self.trusted.get(sha)
        query = self._remembered.get(sha)
        if query is not None:
            self._remembered.move_to_end(sha)
        return query

    def _remember(self, sha: str, query: str) -> None:
        if self.trusted is not None:
            return  # the list is fixed
        self._remembered[sha] = query
        self._remembered.move_to_end(sha)
        if len(self._remembered) > MAX_REMEMBERED:
            self._remembered.popitem(last=False)

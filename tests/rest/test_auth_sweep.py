"""Every route in the table is guarded as declared: a new write route cannot slip through.

Built from ``api.rest.routes.OPERATIONS``, not from a list kept by hand: every operation
with a scope refuses a missing key (401) and a too-small one (403); every operation without
one must be a read; with ``require_key_for_reads`` every read but the probes and the docs
refuses a missing key.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from api.db.database import Database
from api.models import KeyScope
from api.rest.core.operations import Operation
from api.rest.routes import OPERATIONS
from api.settings import Settings
from tests.fixtures.serving import serving
from tests.fixtures.writes import key_headers

pytestmark = pytest.mark.anyio
GUARDED = [op for op in OPERATIONS if op.scope is not None]
PUBLIC = [op for op in OPERATIONS if op.scope is None]
# Readable without a key even when reads need one: orchestrator probes and the API's docs.
ALWAYS_OPEN = re.compile(r"^/(healthz|readyz)$|^/docs|^/openapi\.")


def _url(operation: Operation) -> str:
    path = operation.path
    for param in operation.path_params:
        path = path.replace(f"{{{param.name}}}", param.example)
    return path


def _request(operation: Operation) -> dict[str, object]:
    """A plausible request: the checks under test come before body or precondition checks."""
    headers = {"If-Match": '"v1.0"'} if operation.requires_if_match else {}
    kwargs: dict[str, object] = {"headers": headers}
    if operation.body is not None:
        kwargs["json"] = {}
    return kwargs


def test_the_sweep_sees_the_write_routes() -> None:
    # Guards the guard: a refactor that dropped scopes would leave the sweep with nothing.
    assert {op.method for op in GUARDED} == {"GET", "POST", "PUT", "PATCH", "DELETE"}
    assert len(GUARDED) >= 13


@pytest.mark.parametrize("operation", PUBLIC, ids=lambda op: op.operation_id)
def test_an_operation_without_a_scope_is_a_read(operation: Operation) -> None:
    assert operation.method == "GET", f"{operation.operation_id} writes without a key scope"


@pytest.mark.parametrize("operation", GUARDED, ids=lambda op: op.operation_id)
async def test_guarded_operations_need_a_key_with_the_scope(
    client: httpx.AsyncClient, database: Database, operation: Operation
) -> None:
    url = _url(operation)
    kwargs = _request(operation)
    anonymous = await client.request(operation.method, url, **kwargs)  # type: ignore[arg-type]
    assert anonymous.status_code == 401, anonymous.text
    assert anonymous.headers["content-type"] == "application/problem+json"
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert anonymous.json()["status"] == 401

    assert operation.scope is not None
    smaller = [s for s in KeyScope if not s.allows(operation.scope)]
    assert smaller, f"no scope is too small for {operation.scope}"
    for scope in smaller:
        headers = {**kwargs["headers"], **await key_headers(database, scope)}  # type: ignore[dict-item]
        refused = await client.request(
            operation.method,
            url,
            **{**kwargs, "headers": headers},  # type: ignore[arg-type]
        )
        assert refused.status_code == 403, (scope, refused.text)
        assert refused.headers["content-type"] == "application/problem+json"


@pytest.fixture
async def gated(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(settings.model_copy(update={"require_key_for_reads": True})) as http:
        yield http


@pytest.mark.parametrize("operation", PUBLIC, ids=lambda op: op.operation_id)
async def test_reads_need_a_key_when_configured(
    gated: httpx.AsyncClient, operation: Operation
) -> None:
    response = await gated.get(_url(operation))
    if ALWAYS_OPEN.match(operation.path):
        assert response.status_code in (200, 503), response.text
        return
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("path", ["/openapi.json", "/docs"])
async def test_the_docs_stay_open_when_reads_need_a_key(
    gated: httpx.AsyncClient, path: str
) -> None:
    assert (await gated.get(path)).status_code == 200

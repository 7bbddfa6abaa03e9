"""``/metrics`` behind a key when ``metrics_require_key`` is set; open otherwise."""

from __future__ import annotations

import pytest

from api.db.database import Database
from api.models import KeyScope
from api.settings import Settings
from tests.fixtures.serving import serving
from tests.fixtures.writes import key_headers

pytestmark = pytest.mark.anyio


async def test_metrics_need_a_key_when_asked_to(settings: Settings, database: Database) -> None:
    reader = await key_headers(database, KeyScope.READ)
    locked = settings.model_copy(update={"metrics_require_key": True})
    async with serving(locked) as http:
        anonymous = await http.get("/metrics")
        wrong = await http.get("/metrics", headers={"X-API-Key": "bsk_nope"})
        keyed = await http.get("/metrics", headers=reader)
        reads = await http.get("/v1/sources")  # the rest of the API stays public
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert anonymous.headers["content-type"] == "application/problem+json"
    assert "broadsheet_http_requests" not in anonymous.text
    assert wrong.status_code == 401
    assert keyed.status_code == 200
    assert "broadsheet_http_requests_total" in keyed.text
    assert reads.status_code == 200


async def test_metrics_are_open_by_default(settings: Settings) -> None:
    async with serving(settings) as http:
        assert (await http.get("/metrics")).status_code == 200

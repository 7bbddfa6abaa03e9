"""API keys: only a hash is stored; wrong, unknown and revoked keys authenticate as nobody."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from api.db.database import Database
from api.domain.access.keys import authenticate, create_key, list_keys, revoke_key
from api.errors import InvalidInput, NotFound
from api.models import ApiKey, KeyScope

pytestmark = pytest.mark.anyio


async def test_key_roundtrip_stores_only_a_hash(database: Database) -> None:
    async with database.session(write=True) as session:
        record, token = await create_key(session, "  reader app ", KeyScope.WRITE)
    assert token.startswith(f"bsk_{record.key_id}_")
    assert record.name == "reader app"
    async with database.session() as session:
        stored = (await session.scalars(select(ApiKey))).one()
        assert token not in {stored.secret_hash, stored.key_id, stored.name}
        secret = token.removeprefix(f"bsk_{record.key_id}_")
        assert len(secret) == 43
        assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
        found = await authenticate(session, token)
    assert found is not None
    assert (found.key_id, found.scope) == (record.key_id, KeyScope.WRITE)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # wrong secret
        lambda t: t.replace("bsk_", "bsk_x", 1),  # malformed
        lambda t: "bsk_" + "a" * 12 + "_" + t[17:],  # unknown key id
        lambda t: "",
        lambda t: t + " ",
    ],
)
async def test_wrong_tokens_authenticate_as_nobody(database: Database, mangle: object) -> None:
    async with database.session(write=True) as session:
        _, token = await create_key(session, "app", KeyScope.READ)
    async with database.session() as session:
        assert callable(mangle)
        assert await authenticate(session, mangle(token)) is None


async def test_revoked_key_stops_working_and_stays_listed(database: Database) -> None:
    async with database.session(write=True) as session:
        record, token = await create_key(session, "app", KeyScope.ADMIN)
    async with database.session(write=True) as session:
        revoked = await revoke_key(session, record.key_id)
    assert revoked.revoked_at is not None
    async with database.session() as session:
        assert await authenticate(session, token) is None
        listed = await list_keys(session)
    assert [(k.key_id, k.revoked_at is not None) for k in listed] == [(record.key_id, True)]
    async with database.session(write=True) as session:
        with pytest.raises(NotFound):
            await revoke_key(session, record.key_id)


async def test_key_name_is_required(database: Database) -> None:
    async with database.session(write=True) as session:
        with pytest.raises(InvalidInput):
            await create_key(session, "   ", KeyScope.READ)


def test_scopes_include_the_ones_before() -> None:
    assert KeyScope.ADMIN.allows(KeyScope.WRITE)
    assert KeyScope.WRITE.allows(KeyScope.READ)
    assert not KeyScope.READ.allows(KeyScope.WRITE)
    assert not KeyScope.WRITE.allows(KeyScope.ADMIN)

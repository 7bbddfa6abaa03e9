"""API keys: issue, list, revoke, and check a presented key.

A key reads ``bsk_<key_id>_<secret>``. ``key_id`` finds the row; only SHA-256 of the
secret is stored and compared in constant time, so a leaked database leaks no usable key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import InvalidInput, NotFound
from api.models import ApiKey, KeyScope
from api.models.base import utcnow

KEY_PREFIX = "bsk_"
_KEY_SHAPE = re.compile(r"bsk_([a-z2-7]{12})_([A-Za-z0-9_-]{43})")
# Compared against when the key id is unknown, so a miss costs the same as a wrong secret.
_DUMMY_HASH = hashlib.sha256(b"no such key").hexdigest()


@dataclass(frozen=True, slots=True)
class KeyRecord:
    key_id: str
    name: str
    scope: KeyScope
    created_at: dt.datetime
    revoked_at: dt.datetime | None


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _record(key: ApiKey) -> KeyRecord:
    return KeyRecord(key.key_id, key.name, key.scope, key.created_at, key.revoked_at)


def _new_key_id() -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    return "".join(secrets.choice(alphabet) for _ in range(12))


async def create_key(session: AsyncSession, name: str, scope: KeyScope) -> tuple[KeyRecord, str]:
    """A new key and its token; the token is not stored and cannot be shown again."""
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise InvalidInput.for_param("name", "must be 1 to 100 characters")
    key_id, secret = _new_key_id(), secrets.token_urlsafe(32)
    key = ApiKey(key_id=key_id, name=name, scope=scope, secret_hash=_hash(secret))
    session.add(key)
    await session.flush()
    return _record(key), f"{KEY_PREFIX}{key_id}_{secret}"


async def list_keys(session: AsyncSession) -> list[KeyRecord]:
    keys = await session.scalars(select(ApiKey).order_by(ApiKey.created_at, ApiKey.id))
    return [_record(key) for key in keys]


async def revoke_key(session: AsyncSession, key_id: str) -> KeyRecord:
    stmt = (
        update(ApiKey)
        .where(ApiKey.key_id == key_id, ApiKey.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .returning(ApiKey)
    )
    key = (await session.scalars(stmt)).one_or_none()
    if key is None:
        raise NotFound(detail=f"no active key with id {key_id!r}")
    return _record(key)


async def authenticate(session: AsyncSession, token: str) -> KeyRecord | None:
    """The active key this token belongs to, or None; never says which part was wrong."""
    match = _KEY_SHAPE.fullmatch(token)
    if match is None:
        return None
    key_id, secret = match.groups()
    key = await session.scalar(select(ApiKey).where(ApiKey.key_id == key_id))
    stored = key.secret_hash if key is not None else _DUMMY_HASH
    if not hmac.compare_digest(stored, _hash(secret)) or key is None:
        return None
    return None if key.revoked_at is not None else _record(key)

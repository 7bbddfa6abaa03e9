"""API keys: only a hash of the secret is stored; the key itself is shown once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Enum, String
from sqlalchemy.orm import Mapped, mapped_column

from api.models.base import Base, UtcDateTime, utcnow
from api.models.enums import KeyScope


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The public half of a key (``bsk_<key_id>_<secret>``): finds the row without the secret.
    key_id: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[KeyScope] = mapped_column(
        Enum(
            KeyScope,
            name="key_scope",
            native_enum=False,
            create_constraint=True,
            length=16,
            values_callable=lambda members: [member.value for member in members],
        )
    )
    # SHA-256 of the secret: the secret has 256 bits of entropy, so a slow KDF adds nothing.
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

"""Public identifiers: UUIDv7 (RFC 9562) — time-sortable, with 74 random bits."""

from __future__ import annotations

import secrets
import time
import uuid


def new_public_id() -> str:
    unix_ms = time.time_ns() // 1_000_000
    rand = secrets.randbits(74)
    value = (unix_ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version 7
    value |= (rand >> 62) << 64  # 12 bits rand_a
    value |= 0b10 << 62  # RFC 9562 variant
    value |= rand & ((1 << 62) - 1)  # 62 bits rand_b
    return str(uuid.UUID(int=value))

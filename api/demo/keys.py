"""Deterministic keys for demo rows: slugs, base-36 suffixes and seeded UUIDv7 public ids."""

from __future__ import annotations

import re
import unicodedata

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_DIGITS36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_MASK48 = (1 << 48) - 1
_MASK62 = (1 << 62) - 1


def slugify(text: str, max_length: int = 100) -> str:
    """Lower-case ASCII words joined by hyphens, cut at a word boundary."""
    if not text.isascii():  # fold accents (Entwicklung über -> uber) only when needed
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_SLUG.sub("-", text.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0]
    return slug


def base36(number: int) -> str:
    if number < 0:
        raise ValueError("base36 takes a non-negative integer")
    digits = []
    while True:
        number, rest = divmod(number, 36)
        digits.append(_DIGITS36[rest])
        if not number:
            return "".join(reversed(digits))


def uuid7(unix_ms: int, rand74: int) -> str:
    """A UUIDv7 (RFC 9562) from a millisecond timestamp and 74 caller-supplied random bits.

    Same layout as ``api.models.ids.new_public_id``, but the randomness comes from the
    caller's seeded generator so the demo corpus is reproducible.
    """
    value = (unix_ms & _MASK48) << 80
    value |= 0x7 << 76  # version 7
    value |= (rand74 >> 62) << 64  # 12 bits rand_a
    value |= 0b10 << 62  # RFC 9562 variant
    value |= rand74 & _MASK62  # 62 bits rand_b
    hex_ = f"{value:032x}"
    return f"{hex_[:8]}-{hex_[8:12]}-{hex_[12:16]}-{hex_[16:20]}-{hex_[20:]}"

"""API keys: issuing, listing, revoking and checking them."""

from api.domain.access.keys import KeyRecord, authenticate, create_key, list_keys, revoke_key

__all__ = ["KeyRecord", "authenticate", "create_key", "list_keys", "revoke_key"]

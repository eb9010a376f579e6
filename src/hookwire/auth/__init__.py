"""Authentication: API keys and the request guard that turns a bearer token into a caller."""

from hookwire.auth.api_keys import (
    Caller,
    IssuedKey,
    is_expired,
    issue_api_key,
    list_api_keys,
    revoke_api_key,
    verify_api_key,
)

__all__ = [
    "Caller",
    "IssuedKey",
    "is_expired",
    "issue_api_key",
    "list_api_keys",
    "revoke_api_key",
    "verify_api_key",
]

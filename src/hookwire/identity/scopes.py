"""What a caller may do. API keys hold every scope; an OAuth2 access token holds those its
application was granted."""

from __future__ import annotations

from hookwire.errors import Forbidden

RECORDS_READ = "records:read"
RECORDS_WRITE = "records:write"
METADATA_READ = "metadata:read"
METADATA_WRITE = "metadata:write"
WEBHOOKS = "webhooks"
FILES = "files"

# Held by API keys only, never granted to an application: no OAuth token can mint credentials
# (API keys) for itself.
CREDENTIALS = "credentials"

SCOPES: tuple[str, ...] = (
    RECORDS_READ,
    RECORDS_WRITE,
    METADATA_READ,
    METADATA_WRITE,
    WEBHOOKS,
    FILES,
)
ALL_SCOPES = frozenset(SCOPES)
API_KEY_SCOPES = ALL_SCOPES | {CREDENTIALS}


def check_scope(granted: frozenset[str], needed: str) -> None:
    """Raise 403 naming ``needed`` unless it was granted."""
    if needed not in granted:
        held = ", ".join(sorted(granted)) or "none"
        raise Forbidden(f"This token lacks the scope {needed!r} (it has: {held}).")


def parse_scopes(text: str) -> frozenset[str]:
    """Scopes from their space-separated form, keeping only the known ones."""
    return frozenset(text.split()) & ALL_SCOPES

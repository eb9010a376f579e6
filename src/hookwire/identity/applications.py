"""OAuth2 applications registered in a workspace, and the view Authlib takes of them.

A confidential application gets a secret, shown once (at creation and at each rotation); only
its SHA-256 is kept, which is enough for 256 random bits. A public application (a browser or
native app) gets none and must prove itself with PKCE (S256) instead.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from authlib.oauth2.rfc6749 import ClientMixin
from sqlmodel import Session, select

from hookwire.errors import BadRequest, NotFound
from hookwire.identity.scopes import SCOPES
from hookwire.models import OAuthApplication, utcnow
from hookwire.notices import notify_secret_rotated

MAX_NAME_LENGTH = 200
MAX_REDIRECT_URIS = 20
GRANT_TYPES = ("authorization_code", "refresh_token", "client_credentials")


@dataclass(frozen=True)
class IssuedApplication:
    """An application with its secret, which is never readable again."""

    row: OAuthApplication
    client_secret: str | None


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_application(
    session: Session,
    workspace_id: str,
    name: object,
    redirect_uris: object,
    scopes: object,
    *,
    public: object = False,
) -> IssuedApplication:
    """Register an application; 400 naming the field when an input is not what it must be."""
    if not isinstance(public, bool):
        raise BadRequest("public: expected true or false")
    row = OAuthApplication(
        workspace_id=workspace_id,
        name=_checked_name(name),
        client_id=f"hw_{secrets.token_urlsafe(18)}",
        redirect_uris=_checked_redirect_uris(redirect_uris),
        scopes=_checked_scopes(scopes),
    )
    secret = None if public else f"hws_{secrets.token_urlsafe(32)}"
    row.client_secret_hash = secret_hash(secret) if secret else None
    session.add(row)
    session.flush()
    return IssuedApplication(row, secret)


def list_applications(session: Session, workspace_id: str) -> list[OAuthApplication]:
    query = select(OAuthApplication).where(OAuthApplication.workspace_id == workspace_id)
    return list(session.exec(query.order_by(OAuthApplication.created_at)).all())


def get_application(session: Session, workspace_id: str, application_id: str) -> OAuthApplication:
    row = session.get(OAuthApplication, application_id)
    if row is None or row.workspace_id != workspace_id:
        raise NotFound(f"application {application_id} not found")
    return row


def rotate_secret(
    session: Session, workspace_id: str, application_id: str, rotated_by: str
) -> IssuedApplication:
    """A new secret for a confidential application; the old one stops working at once, and
    the workspace's admins are told who (``rotated_by``) rotated it."""
    row = get_application(session, workspace_id, application_id)
    if row.client_secret_hash is None:
        raise BadRequest(f"application {application_id} is public: it has no secret to rotate")
    secret = f"hws_{secrets.token_urlsafe(32)}"
    row.client_secret_hash = secret_hash(secret)
    row.secret_rotated_at = utcnow()
    session.add(row)
    notify_secret_rotated(session, row, rotated_by)
    return IssuedApplication(row, secret)


def delete_application(session: Session, workspace_id: str, application_id: str) -> None:
    """Delete an application; its grants, codes and refresh tokens go with it (cascade), so
    its access tokens are refused from the next request on."""
    session.delete(get_application(session, workspace_id, application_id))


def find_by_client_id(session: Session, client_id: str) -> OAuthApplication | None:
    query = select(OAuthApplication).where(OAuthApplication.client_id == client_id)
    return session.exec(query).first()


def _checked_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise BadRequest("name: expected a non-empty string")
    if len(name.strip()) > MAX_NAME_LENGTH:
        raise BadRequest(f"name: expected at most {MAX_NAME_LENGTH} characters")
    return name.strip()


def _checked_redirect_uris(uris: object) -> list[str]:
    if uris is None:
        return []  # an application that only uses client credentials
    if not isinstance(uris, list) or len(uris) > MAX_REDIRECT_URIS:
        raise BadRequest(f"redirectUris: expected a list of at most {MAX_REDIRECT_URIS} URLs")
    for index, uri in enumerate(uris):
        parts = urlsplit(uri) if isinstance(uri, str) else None
        # RFC 6749 3.1.2: absolute, no fragment. Plain http only for loopback (RFC 8252 7.3).
        loopback = parts is not None and parts.hostname in ("127.0.0.1", "localhost", "::1")
        if (
            parts is None
            or parts.fragment
            or not parts.netloc
            or not (parts.scheme == "https" or (parts.scheme == "http" and loopback))
        ):
            raise BadRequest(
                f"redirectUris[{index}]: expected an absolute https URL without a fragment "
                "(http only for localhost)"
            )
    return list(dict.fromkeys(uris))


def _checked_scopes(scopes: object) -> list[str]:
    if scopes is None:
        return list(SCOPES)
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        raise BadRequest(f"scopes: expected a list of scopes among {', '.join(SCOPES)}")
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        raise BadRequest(f"scopes: unknown {', '.join(unknown)}; expected {', '.join(SCOPES)}")
    return [s for s in SCOPES if s in scopes]


class Client(ClientMixin):
    """An application as Authlib's grants and endpoints ask about it."""

    def __init__(self, row: OAuthApplication) -> None:
        self.row = row

    @property
    def is_public(self) -> bool:
        return self.row.client_secret_hash is None

    def get_client_id(self) -> str:
        return self.row.client_id

    def get_default_redirect_uri(self) -> str | None:
        return self.row.redirect_uris[0] if self.row.redirect_uris else None

    def get_allowed_scope(self, scope: str | None) -> str:
        """The requested scopes this application may hold; all of them when none are asked."""
        if not scope:
            return " ".join(self.row.scopes)
        return " ".join(s for s in self.row.scopes if s in scope.split())

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.row.redirect_uris  # exact match, as OAuth 2.1 requires

    def check_client_secret(self, client_secret: str) -> bool:
        expected = self.row.client_secret_hash
        return expected is not None and hmac.compare_digest(expected, secret_hash(client_secret))

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if self.is_public:
            return method == "none"
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        if grant_type == "client_credentials":
            return not self.is_public  # a public client has no credentials of its own
        return grant_type in GRANT_TYPES

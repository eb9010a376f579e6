"""The database tables (SQLModel). Alembic migrations in ``hookwire/migrations`` create them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

# JSONB on PostgreSQL so record documents can carry expression indexes; plain JSON on SQLite.
JSONDocument = sa.JSON().with_variant(JSONB(), "postgresql")


def new_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(UTC)


class Workspace(SQLModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    display_name: str = Field(max_length=200, unique=True)
    # Bumped on every metadata change, so each process can tell its cached schema is stale.
    metadata_version: int = 1
    created_at: datetime = Field(default_factory=utcnow)


class ApiKey(SQLModel, table=True):
    """An issued API key. The token itself is never stored: its ``jti`` is this row's id."""

    __tablename__ = "api_key"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=36)
    name: str = Field(max_length=200)
    expires_at: datetime
    revoked_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class ObjectMetadata(SQLModel, table=True):
    __tablename__ = "object_metadata"
    __table_args__ = (
        sa.UniqueConstraint("workspace_id", "name_singular"),
        sa.UniqueConstraint("workspace_id", "name_plural"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=36)
    name_singular: str = Field(max_length=63)
    name_plural: str = Field(max_length=63)
    label_singular: str = Field(max_length=200)
    label_plural: str = Field(max_length=200)
    description: str | None = None
    icon: str | None = Field(default=None, max_length=100)
    is_custom: bool = False
    is_active: bool = True
    is_searchable: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    # Groups of field paths (``["name.firstName", "name.lastName"]``) whose equal values mark
    # two records as duplicates; a record matching any group is one. None: no duplicate search.
    duplicate_criteria: list[list[str]] | None = Field(default=None, sa_type=sa.JSON, nullable=True)
    label_identifier_field_id: str | None = Field(default=None, max_length=36)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class FieldMetadata(SQLModel, table=True):
    __tablename__ = "field_metadata"
    __table_args__ = (sa.UniqueConstraint("object_id", "name"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=36)
    object_id: str = Field(foreign_key="object_metadata.id", index=True, max_length=36)
    name: str = Field(max_length=63)
    label: str = Field(max_length=200)
    type: str = Field(max_length=30)
    description: str | None = None
    icon: str | None = Field(default=None, max_length=100)
    is_custom: bool = False
    is_system: bool = False
    is_active: bool = True
    is_nullable: bool = True
    is_unique: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    default_value: Any = Field(default=None, sa_type=sa.JSON, nullable=True)
    options: Any = Field(default=None, sa_type=sa.JSON, nullable=True)
    settings: Any = Field(default=None, sa_type=sa.JSON, nullable=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Record(SQLModel, table=True):
    """One record of any object.

    Field values live in one JSON document (``data``) beside typed system columns. Custom
    objects and fields then need no DDL per workspace, and filters, sorts and keyset
    pagination on a field use expression indexes on ``(object_id, <path into data>)`` that
    are shared by every object and workspace using that path (see ``crm.indexes``).

    A record is identified within its workspace: the key is ``(workspace_id, id)``, so a
    client-chosen id taken in another workspace is free in this one, and whether it is says
    nothing about other workspaces (migration 0006).
    """

    __table_args__ = (
        sa.PrimaryKeyConstraint("workspace_id", "id"),
        sa.Index("ix_record_object_position", "object_id", "position", "id"),
        sa.Index("ix_record_object_created", "object_id", "created_at", "id"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    workspace_id: str = Field(foreign_key="workspace.id", primary_key=True, max_length=36)
    object_id: str = Field(foreign_key="object_metadata.id", max_length=36)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSONDocument)
    position: float = 0.0
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    deleted_at: datetime | None = None


class RecordUniqueKey(SQLModel, table=True):
    """One value of a unique field held by a live record: the primary key refuses a second.

    Kept beside ``record`` rather than as per-object partial indexes, whose predicates every
    insert into ``record`` would evaluate for every workspace.
    """

    __tablename__ = "record_unique_key"
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["workspace_id", "record_id"], ["record.workspace_id", "record.id"], ondelete="CASCADE"
        ),
        sa.Index("ix_record_unique_key_record", "workspace_id", "record_id"),
    )

    object_id: str = Field(primary_key=True, max_length=36)
    field_name: str = Field(primary_key=True, max_length=63)
    value: str = Field(primary_key=True, max_length=2048)
    workspace_id: str = Field(max_length=36)
    record_id: str = Field(max_length=36)


class Webhook(SQLModel, table=True):
    """A subscription: record events matching ``operations`` are POSTed to ``target_url``."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=36)
    target_url: str = Field(max_length=2048)
    operations: list[str] = Field(default_factory=lambda: ["*.*"], sa_type=sa.JSON)
    description: str | None = None
    # Encrypted with a key derived from APP_SECRET: signing needs the secret itself.
    secret_ciphertext: str
    is_enabled: bool = True
    disabled_reason: str | None = None
    failing_since: datetime | None = None
    # Failed attempts since the last success; admins hear once it reaches the notice
    # threshold, at ``failing_notice_at`` (cleared with ``failing_since`` on a success).
    consecutive_failures: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    failing_notice_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class OutboxEvent(SQLModel, table=True):
    """A record change, written in the same transaction as the change itself."""

    __tablename__ = "outbox_event"
    __table_args__ = (sa.Index("ix_outbox_event_pending", "relayed", "created_at"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    workspace_id: str = Field(foreign_key="workspace.id", max_length=36)
    event_name: str = Field(max_length=140)
    object_metadata_id: str = Field(max_length=36)
    record_id: str = Field(max_length=36)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSONDocument)
    relayed: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class Delivery(SQLModel, table=True):
    """One event on its way to one webhook: retried until a 2xx or the schedule runs out."""

    __table_args__ = (
        sa.Index("ix_delivery_due", "status", "next_attempt_at"),
        sa.Index("ix_delivery_webhook", "webhook_id", "created_at"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    event_id: str = Field(foreign_key="outbox_event.id", index=True, max_length=36)
    webhook_id: str = Field(
        sa_column=sa.Column(
            sa.String(36), sa.ForeignKey("webhook.id", ondelete="CASCADE"), nullable=False
        )
    )
    workspace_id: str = Field(max_length=36)
    status: str = Field(default="pending", max_length=16)
    attempt_count: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    claim_token: str | None = Field(default=None, max_length=36)
    lease_expires_at: datetime | None = None
    last_status_code: int | None = None
    last_error: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    completed_at: datetime | None = None


class DeliveryAttempt(SQLModel, table=True):
    """The log: every POST made, with its outcome."""

    __tablename__ = "delivery_attempt"
    __table_args__ = (
        sa.Index("ix_delivery_attempt_webhook", "webhook_id", "attempted_at"),
        # Deleting a webhook cascades to its deliveries and from each to its attempts: without
        # this index, one scan of the whole log per delivery.
        sa.Index("ix_delivery_attempt_delivery", "delivery_id"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    delivery_id: str = Field(
        sa_column=sa.Column(
            sa.String(36), sa.ForeignKey("delivery.id", ondelete="CASCADE"), nullable=False
        )
    )
    webhook_id: str = Field(max_length=36)
    event_id: str = Field(max_length=36)
    attempt_number: int
    attempted_at: datetime = Field(default_factory=utcnow)
    status_code: int | None = None
    latency_ms: float = 0.0
    response_body: str | None = None
    error: str | None = None


ROLE_ADMIN = "admin"
ROLE_MEMBER = "member"
USER_ROLES = (ROLE_ADMIN, ROLE_MEMBER)


class User(SQLModel, table=True):
    """A workspace user who signs in to the settings pages; only a password hash is kept.

    An ``admin`` manages keys, webhooks and applications; a ``member`` only reads.
    """

    __tablename__ = "user_account"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=36)
    email: str = Field(max_length=254, unique=True)
    password_hash: str = Field(max_length=500)
    role: str = Field(
        default=ROLE_ADMIN, max_length=16, sa_column_kwargs={"server_default": ROLE_ADMIN}
    )
    name: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    last_sign_in_at: datetime | None = None
    # When the user proved they read ``email`` (an accepted invitation, a followed link).
    email_verified_at: datetime | None = None


class Invitation(SQLModel, table=True):
    """An invitation to join a workspace with a role. Its link carries a random token; only
    a keyed hash of it is stored, and it works once, until ``expires_at``."""

    __tablename__ = "invitation"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=36)
    email: str = Field(max_length=254, index=True)
    role: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, unique=True)
    invited_by: str | None = Field(default=None, max_length=254)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    accepted_at: datetime | None = None
    revoked_at: datetime | None = None


def user_reference(*, primary_key: bool = False) -> Any:
    """A column naming a user, whose rows go when the user does (indexed, unless it leads
    the primary key)."""
    return Field(
        sa_column=sa.Column(
            sa.String(36),
            sa.ForeignKey("user_account.id", ondelete="CASCADE"),
            nullable=False,
            primary_key=primary_key,
            index=not primary_key,
        )
    )


class UserSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a token; only its SHA-256 is stored."""

    __tablename__ = "user_session"

    id: str = Field(primary_key=True, max_length=64)
    user_id: str = user_reference()
    csrf_token: str = Field(max_length=64)
    playground_key_id: str | None = Field(default=None, max_length=36)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime


class UserToken(SQLModel, table=True):
    """A single-use link sent to a user: a password reset, or the verification of an address
    (``email``, which becomes the user's once the link is followed). Only a keyed hash of the
    link's token is stored."""

    __tablename__ = "user_token"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    user_id: str = user_reference()
    purpose: str = Field(max_length=32)  # password_reset, email_verification
    token_hash: str = Field(max_length=64, unique=True)
    email: str | None = Field(default=None, max_length=254)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None


class EmailOptOut(SQLModel, table=True):
    """An admin who switched off one topic of operational emails."""

    __tablename__ = "email_opt_out"

    user_id: str = user_reference(primary_key=True)
    topic: str = Field(primary_key=True, max_length=32)
    created_at: datetime = Field(default_factory=utcnow)


class NoticeSent(SQLModel, table=True):
    """An operational notice already written to the outbox, by a key naming what it is about
    (``api_key_expiring:<id>``, ``webhook_failing_digest:<workspace>:<day>``): whoever inserts
    the key sends the notice, so concurrent jobs send it once."""

    __tablename__ = "notice_sent"

    key: str = Field(primary_key=True, max_length=200)
    created_at: datetime = Field(default_factory=utcnow)


class ApiKeyUse(SQLModel, table=True):
    """When an API key was last used, to the minute (kept apart so ``api_key`` stays as is)."""

    __tablename__ = "api_key_use"

    api_key_id: str = Field(
        sa_column=sa.Column(
            sa.String(36), sa.ForeignKey("api_key.id", ondelete="CASCADE"), primary_key=True
        )
    )
    last_used_at: datetime


class SignInThrottle(SQLModel, table=True):
    """Failed sign-ins counted per e-mail address and per client address."""

    __tablename__ = "sign_in_throttle"

    key: str = Field(primary_key=True, max_length=300)
    failures: int = 0
    window_started_at: datetime = Field(default_factory=utcnow)
    locked_until: datetime | None = None


# A record's search terms: a tsvector on PostgreSQL; on SQLite the terms as text, separated by
# spaces, which the FTS5 table ``search_fts`` indexes.
SearchTerms = sa.Text().with_variant(sa.dialects.postgresql.TSVECTOR(), "postgresql")


class SearchDocument(SQLModel, table=True):
    """The full-text search terms of one record, kept by ``crm.search``.

    Migration 0005 adds what only one backend has, outside this model: on PostgreSQL a GIN
    index on ``terms``; on SQLite the external-content FTS5 table ``search_fts`` over
    ``(object_id, terms)`` and the triggers that keep it in step with this table.
    """

    __tablename__ = "search_document"
    __table_args__ = (
        sa.Index("ix_search_document_object", "object_id", "record_id"),
        sa.UniqueConstraint("workspace_id", "record_id"),
        sa.ForeignKeyConstraint(
            ["workspace_id", "record_id"], ["record.workspace_id", "record.id"], ondelete="CASCADE"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)  # the FTS5 rowid on SQLite
    record_id: str = Field(max_length=36)
    workspace_id: str = Field(max_length=36)
    object_id: str = Field(max_length=36)
    terms: str = Field(default="", sa_type=SearchTerms)


class OAuthApplication(SQLModel, table=True):
    """An OAuth2 client registered in a workspace. Only a hash of its secret is kept; a public
    client (a browser or native app, which cannot keep one) has none and must use PKCE."""

    __tablename__ = "oauth_application"
    __table_args__ = (sa.Index("ix_oauth_application_workspace", "workspace_id"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    workspace_id: str = Field(
        sa_column=sa.Column(
            sa.String(36), sa.ForeignKey("workspace.id", ondelete="CASCADE"), nullable=False
        )
    )
    name: str = Field(max_length=200)
    client_id: str = Field(max_length=64, unique=True)
    client_secret_hash: str | None = Field(default=None, max_length=64)
    redirect_uris: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    scopes: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow)
    secret_rotated_at: datetime | None = None


class OAuthGrant(SQLModel, table=True):
    """One authorization: what a consent or a client-credentials request granted. Its access
    tokens carry its id and its refresh tokens belong to it, so revoking it (or reusing a
    rotated refresh token) ends them all at once."""

    __tablename__ = "oauth_grant"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    application_id: str = Field(
        sa_column=sa.Column(
            sa.String(36),
            sa.ForeignKey("oauth_application.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    workspace_id: str = Field(max_length=36)
    user_id: str | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.String(36), sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=True
        ),
    )
    scope: str = Field(max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None


class OAuthAuthorizationCode(SQLModel, table=True):
    """A code issued by the consent page, good once and briefly; stored as its SHA-256."""

    __tablename__ = "oauth_authorization_code"

    code_hash: str = Field(primary_key=True, max_length=64)
    grant_id: str = Field(
        sa_column=sa.Column(
            sa.String(36), sa.ForeignKey("oauth_grant.id", ondelete="CASCADE"), nullable=False
        )
    )
    redirect_uri: str = Field(max_length=2000)
    code_challenge: str | None = Field(default=None, max_length=128)
    code_challenge_method: str | None = Field(default=None, max_length=10)
    expires_at: datetime
    used_at: datetime | None = None


class OAuthRefreshToken(SQLModel, table=True):
    """A refresh token, stored as its SHA-256. Each use replaces it with a new one
    (``rotated_at`` set); a rotated token presented again revokes its grant."""

    __tablename__ = "oauth_refresh_token"

    token_hash: str = Field(primary_key=True, max_length=64)
    grant_id: str = Field(
        sa_column=sa.Column(
            sa.String(36),
            sa.ForeignKey("oauth_grant.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    issued_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    rotated_at: datetime | None = None


class StoredFile(SQLModel, table=True):
    """An uploaded file of a workspace: what was sent and where its bytes are kept
    (``storage_key``, which begins with the workspace's own prefix)."""

    __tablename__ = "file"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    workspace_id: str = Field(
        sa_column=sa.Column(
            sa.String(36),
            sa.ForeignKey("workspace.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    name: str = Field(max_length=255)
    folder: str = Field(max_length=50)
    size: int = Field(sa_type=sa.BigInteger)
    mime_type: str = Field(max_length=255)
    storage_key: str = Field(max_length=1024)
    created_at: datetime = Field(default_factory=utcnow)
    created_by: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)


class EmailOutbox(SQLModel, table=True):
    """An email to send, written in the same transaction as the change that causes it; the
    sender renders it from ``template`` and ``values`` when it sends it."""

    __tablename__ = "email_outbox"
    __table_args__ = (
        sa.Index("ix_email_outbox_due", "status", "next_attempt_at"),
        sa.Index("ix_email_outbox_workspace", "workspace_id", "created_at"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    workspace_id: str | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.String(36), sa.ForeignKey("workspace.id", ondelete="CASCADE"), nullable=True
        ),
    )
    to: str = Field(max_length=254)
    template: str = Field(max_length=100)
    values: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    subject: str = Field(max_length=998)  # RFC 5322's longest line
    status: str = Field(default="pending", max_length=16)  # pending, sent, failed
    attempts: int = 0
    # When it is due; while a sender holds it, the end of that sender's lease.
    next_attempt_at: datetime = Field(default_factory=utcnow)
    last_error: str | None = None
    message_id: str | None = Field(default=None, max_length=300)
    operational: bool = False
    driver: str | None = Field(default=None, max_length=16)  # what sent it: smtp or log
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


class ConnectedAccount(SQLModel, table=True):
    """A mailbox or calendar account a workspace user connected. Its credentials (passwords,
    tokens) are one sealed JSON document, opened only to connect; no answer carries them."""

    __tablename__ = "connected_account"
    __table_args__ = (sa.UniqueConstraint("user_id", "provider", "handle"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=36)
    user_id: str = user_reference()  # the account's owner (Twenty's accountOwnerId)
    handle: str = Field(max_length=254)  # the address
    provider: str = Field(max_length=32)  # imap_smtp_caldav, google, microsoft
    # Where each service is, without secrets: {"IMAP": {"host", "port", "secure", "username"}}.
    connection_settings: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    sealed_credentials: str
    scopes: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    auth_failed_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class AccountChannel(SQLModel, table=True):
    """One service of a connected account (messaging over IMAP, sending over SMTP, calendar
    over CalDAV), its status, and where its sync stands."""

    __tablename__ = "account_channel"
    __table_args__ = (sa.UniqueConstraint("connected_account_id", "kind"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    connected_account_id: str = Field(
        sa_column=sa.Column(
            sa.String(36),
            sa.ForeignKey("connected_account.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    workspace_id: str = Field(max_length=36, index=True)
    kind: str = Field(max_length=16)  # messaging, sending, calendar
    # active, failed (status_reason says why), needs_reauthentication
    status: str = Field(default="active", max_length=32)
    status_reason: str | None = None
    failures: int = 0  # failed attempts in a row
    sync_cursor: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    # How the sync imports: contactAutoCreationPolicy (FROM_AND_TO, SENT, NONE), blocklist.
    settings: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    last_synced_at: datetime | None = None  # when the last sync that worked ended
    last_attempt_at: datetime | None = None  # when the last sync ended, worked or not
    next_sync_at: datetime | None = Field(default=None, index=True)
    # One sync at a time: the sync holding the channel, until when (a crashed one's lease
    # runs out and the next sync takes over).
    lease_token: str | None = Field(default=None, max_length=36)
    lease_until: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


def _channel_reference() -> Any:
    """A column naming a channel, whose rows go with it."""
    return Field(
        sa_column=sa.Column(
            sa.String(36),
            sa.ForeignKey("account_channel.id", ondelete="CASCADE"),
            primary_key=True,
        )
    )


class MailboxMessage(SQLModel, table=True):
    """Where a mailbox holds an imported message: a folder and UID of one messaging
    channel. A message record with no row left here belongs to no connected mailbox."""

    __tablename__ = "mailbox_message"

    channel_id: str = _channel_reference()
    folder: str = Field(primary_key=True, max_length=255)
    uid: int = Field(primary_key=True, sa_type=sa.BigInteger)
    uidvalidity: int = Field(sa_type=sa.BigInteger)
    workspace_id: str = Field(max_length=36)
    message_id: str = Field(max_length=36, index=True)  # the message record


class MessageKey(SQLModel, table=True):
    """A Message-ID a workspace has seen (a message's own, or one its References name),
    the thread it belongs to, and the message record that has it once imported."""

    __tablename__ = "message_key"

    workspace_id: str = Field(primary_key=True, max_length=36)
    digest: str = Field(primary_key=True, max_length=64)  # sha256 of the Message-ID
    thread_id: str = Field(max_length=36, index=True)
    message_id: str | None = Field(default=None, max_length=36, index=True)


class CalendarEventLink(SQLModel, table=True):
    """Where a calendar holds an imported event occurrence: a calendar object (``href``) of
    one calendar channel and, for a recurring event, the occurrence's start."""

    __tablename__ = "calendar_event_link"

    channel_id: str = _channel_reference()
    href: str = Field(primary_key=True, max_length=1024)
    occurrence: str = Field(primary_key=True, max_length=64)  # RECURRENCE-ID, "" if single
    etag: str = Field(default="", max_length=255)
    workspace_id: str = Field(max_length=36)
    event_id: str = Field(max_length=36, index=True)  # the calendarEvent record


class CalendarEventKey(SQLModel, table=True):
    """An event occurrence a workspace has imported (iCalUID and occurrence), so two
    calendars holding the same meeting share one record."""

    __tablename__ = "calendar_event_key"

    workspace_id: str = Field(primary_key=True, max_length=36)
    digest: str = Field(primary_key=True, max_length=64)  # sha256 of iCalUID + occurrence
    event_id: str = Field(max_length=36, index=True)

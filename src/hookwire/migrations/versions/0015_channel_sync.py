"""Channel sync: settings and a lease per channel, where mailboxes hold imported messages,
the Message-IDs seen per workspace, and where calendars hold imported events

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-10
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

String = sqlmodel.sql.sqltypes.AutoString
UTCDateTime = sqlmodel.sql.sqltypes.UTCDateTime


def _channel_column() -> sa.Column:
    return sa.Column(
        "channel_id",
        sa.String(length=36),
        sa.ForeignKey("account_channel.id", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    with op.batch_alter_table("account_channel") as table:
        table.add_column(sa.Column("settings", sa.JSON(), nullable=False, server_default="{}"))
        table.add_column(sa.Column("last_attempt_at", UTCDateTime(), nullable=True))
        table.add_column(sa.Column("lease_token", String(length=36), nullable=True))
        table.add_column(sa.Column("lease_until", UTCDateTime(), nullable=True))
    with op.batch_alter_table("account_channel") as table:  # the default was for old rows
        table.alter_column("settings", server_default=None)
    op.create_index("ix_account_channel_next_sync_at", "account_channel", ["next_sync_at"])
    op.create_table(
        "mailbox_message",
        _channel_column(),
        sa.Column("folder", String(length=255), nullable=False),
        sa.Column("uid", sa.BigInteger(), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=False),
        sa.Column("workspace_id", String(length=36), nullable=False),
        sa.Column("message_id", String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("channel_id", "folder", "uid"),
    )
    op.create_index("ix_mailbox_message_message_id", "mailbox_message", ["message_id"])
    op.create_table(
        "message_key",
        sa.Column("workspace_id", String(length=36), nullable=False),
        sa.Column("digest", String(length=64), nullable=False),
        sa.Column("thread_id", String(length=36), nullable=False),
        sa.Column("message_id", String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("workspace_id", "digest"),
    )
    op.create_index("ix_message_key_thread_id", "message_key", ["thread_id"])
    op.create_index("ix_message_key_message_id", "message_key", ["message_id"])
    op.create_table(
        "calendar_event_link",
        _channel_column(),
        sa.Column("href", String(length=1024), nullable=False),
        sa.Column("occurrence", String(length=64), nullable=False),
        sa.Column("etag", String(length=255), nullable=False),
        sa.Column("workspace_id", String(length=36), nullable=False),
        sa.Column("event_id", String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("channel_id", "href", "occurrence"),
    )
    op.create_index("ix_calendar_event_link_event_id", "calendar_event_link", ["event_id"])
    op.create_table(
        "calendar_event_key",
        sa.Column("workspace_id", String(length=36), nullable=False),
        sa.Column("digest", String(length=64), nullable=False),
        sa.Column("event_id", String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "digest"),
    )
    op.create_index("ix_calendar_event_key_event_id", "calendar_event_key", ["event_id"])


def downgrade() -> None:
    op.drop_index("ix_calendar_event_key_event_id", table_name="calendar_event_key")
    op.drop_table("calendar_event_key")
    op.drop_index("ix_calendar_event_link_event_id", table_name="calendar_event_link")
    op.drop_table("calendar_event_link")
    op.drop_index("ix_message_key_message_id", table_name="message_key")
    op.drop_index("ix_message_key_thread_id", table_name="message_key")
    op.drop_table("message_key")
    op.drop_index("ix_mailbox_message_message_id", table_name="mailbox_message")
    op.drop_table("mailbox_message")
    op.drop_index("ix_account_channel_next_sync_at", table_name="account_channel")
    with op.batch_alter_table("account_channel") as table:
        table.drop_column("lease_until")
        table.drop_column("lease_token")
        table.drop_column("last_attempt_at")
        table.drop_column("settings")

"""Connected accounts: mailbox and calendar accounts of workspace users, their sealed
credentials, and a channel per service with its status and sync state

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-09
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

String = sqlmodel.sql.sqltypes.AutoString
UTCDateTime = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "connected_account",
        sa.Column("id", String(length=36), nullable=False),
        sa.Column("workspace_id", String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("handle", String(length=254), nullable=False),
        sa.Column("provider", String(length=32), nullable=False),
        sa.Column("connection_settings", sa.JSON(), nullable=False),
        sa.Column("sealed_credentials", String(), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("auth_failed_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "provider", "handle"),
    )
    op.create_index("ix_connected_account_workspace_id", "connected_account", ["workspace_id"])
    op.create_index("ix_connected_account_user_id", "connected_account", ["user_id"])
    op.create_table(
        "account_channel",
        sa.Column("id", String(length=36), nullable=False),
        sa.Column("connected_account_id", sa.String(length=36), nullable=False),
        sa.Column("workspace_id", String(length=36), nullable=False),
        sa.Column("kind", String(length=16), nullable=False),
        sa.Column("status", String(length=32), nullable=False),
        sa.Column("status_reason", String(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("sync_cursor", sa.JSON(), nullable=False),
        sa.Column("last_synced_at", UTCDateTime(), nullable=True),
        sa.Column("next_sync_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connected_account_id"], ["connected_account.id"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("connected_account_id", "kind"),
    )
    op.create_index(
        "ix_account_channel_connected_account_id", "account_channel", ["connected_account_id"]
    )
    op.create_index("ix_account_channel_workspace_id", "account_channel", ["workspace_id"])


def downgrade() -> None:
    op.drop_index("ix_account_channel_workspace_id", table_name="account_channel")
    op.drop_index("ix_account_channel_connected_account_id", table_name="account_channel")
    op.drop_table("account_channel")
    op.drop_index("ix_connected_account_user_id", table_name="connected_account")
    op.drop_index("ix_connected_account_workspace_id", table_name="connected_account")
    op.drop_table("connected_account")

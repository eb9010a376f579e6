"""Account links and operational notices: single-use password-reset and verification links,
verified addresses, per-admin email opt-outs, notices sent once, and consecutive webhook
failures

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-09
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

String = sqlmodel.sql.sqltypes.AutoString
UTCDateTime = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("email_verified_at", UTCDateTime(), nullable=True))
    with op.batch_alter_table("webhook") as batch:
        batch.add_column(
            sa.Column("consecutive_failures", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("failing_notice_at", UTCDateTime(), nullable=True))
    op.create_table(
        "user_token",
        sa.Column("id", String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("purpose", String(length=32), nullable=False),
        sa.Column("token_hash", String(length=64), nullable=False),
        sa.Column("email", String(length=254), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_user_token_user_id", "user_token", ["user_id"])
    op.create_table(
        "email_opt_out",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("topic", String(length=32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "topic"),
    )
    op.create_table(
        "notice_sent",
        sa.Column("key", String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("notice_sent")
    op.drop_table("email_opt_out")
    op.drop_index("ix_user_token_user_id", table_name="user_token")
    op.drop_table("user_token")
    with op.batch_alter_table("webhook") as batch:
        batch.drop_column("failing_notice_at")
        batch.drop_column("consecutive_failures")
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("email_verified_at")

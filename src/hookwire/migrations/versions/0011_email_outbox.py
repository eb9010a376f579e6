"""Email outbox: transactional emails waiting to be sent, and those sent or failed

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

String = sqlmodel.sql.sqltypes.AutoString
UTCDateTime = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "email_outbox",
        sa.Column("id", String(length=36), nullable=False),
        sa.Column("workspace_id", sa.String(length=36), nullable=True),
        sa.Column("to", String(length=254), nullable=False),
        sa.Column("template", String(length=100), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("subject", String(length=998), nullable=False),
        sa.Column("status", String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("last_error", String(), nullable=True),
        sa.Column("message_id", String(length=300), nullable=True),
        sa.Column("operational", sa.Boolean(), nullable=False),
        sa.Column("driver", String(length=16), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_email_outbox_due", "email_outbox", ["status", "next_attempt_at"])
    op.create_index("ix_email_outbox_workspace", "email_outbox", ["workspace_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_email_outbox_workspace", table_name="email_outbox")
    op.drop_index("ix_email_outbox_due", table_name="email_outbox")
    op.drop_table("email_outbox")

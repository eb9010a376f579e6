"""Members: a role and a name on each settings user (existing users become admins), and
invitations to join a workspace

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

String = sqlmodel.sql.sqltypes.AutoString
UTCDateTime = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(
            sa.Column("role", String(length=16), nullable=False, server_default="admin")
        )
        batch.add_column(sa.Column("name", String(length=200), nullable=True))
    op.create_table(
        "invitation",
        sa.Column("id", String(length=36), nullable=False),
        sa.Column("workspace_id", String(length=36), nullable=False),
        sa.Column("email", String(length=254), nullable=False),
        sa.Column("role", String(length=16), nullable=False),
        sa.Column("token_hash", String(length=64), nullable=False),
        sa.Column("invited_by", String(length=254), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("accepted_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_invitation_workspace_id", "invitation", ["workspace_id"])
    op.create_index("ix_invitation_email", "invitation", ["email"])


def downgrade() -> None:
    op.drop_index("ix_invitation_email", table_name="invitation")
    op.drop_index("ix_invitation_workspace_id", table_name="invitation")
    op.drop_table("invitation")
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("name")
        batch.drop_column("role")

"""OAuth2 applications, grants, authorization codes and refresh tokens

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

String = sqlmodel.sql.sqltypes.AutoString
UTCDateTime = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "oauth_application",
        sa.Column("id", String(length=36), nullable=False),
        sa.Column("workspace_id", sa.String(length=36), nullable=False),
        sa.Column("name", String(length=200), nullable=False),
        sa.Column("client_id", String(length=64), nullable=False),
        sa.Column("client_secret_hash", String(length=64), nullable=True),
        sa.Column("redirect_uris", sa.JSON(), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("secret_rotated_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("client_id"),
    )
    op.create_index("ix_oauth_application_workspace", "oauth_application", ["workspace_id"])
    op.create_table(
        "oauth_grant",
        sa.Column("id", String(length=36), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("workspace_id", String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=True),
        sa.Column("scope", String(length=500), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["application_id"], ["oauth_application.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_oauth_grant_application_id", "oauth_grant", ["application_id"])
    op.create_table(
        "oauth_authorization_code",
        sa.Column("code_hash", String(length=64), nullable=False),
        sa.Column("grant_id", sa.String(length=36), nullable=False),
        sa.Column("redirect_uri", String(length=2000), nullable=False),
        sa.Column("code_challenge", String(length=128), nullable=True),
        sa.Column("code_challenge_method", String(length=10), nullable=True),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["grant_id"], ["oauth_grant.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("code_hash"),
    )
    op.create_table(
        "oauth_refresh_token",
        sa.Column("token_hash", String(length=64), nullable=False),
        sa.Column("grant_id", sa.String(length=36), nullable=False),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("rotated_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["grant_id"], ["oauth_grant.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_oauth_refresh_token_grant_id", "oauth_refresh_token", ["grant_id"])


def downgrade() -> None:
    op.drop_table("oauth_refresh_token")
    op.drop_table("oauth_authorization_code")
    op.drop_table("oauth_grant")
    op.drop_index("ix_oauth_application_workspace", table_name="oauth_application")
    op.drop_table("oauth_application")

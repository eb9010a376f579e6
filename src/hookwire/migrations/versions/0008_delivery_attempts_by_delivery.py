"""delivery attempts indexed by delivery

Deleting a webhook cascades to its deliveries, and from each delivery to its attempts. With no
index on ``delivery_attempt.delivery_id``, each deleted delivery scanned the whole attempt log:
a webhook with 20,000 deliveries took minutes to delete on PostgreSQL, holding its locks.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_delivery_attempt_delivery", "delivery_attempt", ["delivery_id"])


def downgrade() -> None:
    op.drop_index("ix_delivery_attempt_delivery", table_name="delivery_attempt")

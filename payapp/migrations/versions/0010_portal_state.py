"""The client portal's shared state: rate-limit counters and the confirm forms already submitted (idempotency)

Kept in the database so several portal worker processes or hosts count and de-duplicate the same.

Revision ID: 0010_portal_state
Revises: 0009_saved_method_nickname
"""

import sqlalchemy as sa
from alembic import op

from payapp.models.base import UtcDateTime

revision = "0010_portal_state"
down_revision = "0009_saved_method_nickname"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "portal_rate_counts",
        sa.Column("bucket", sa.String(80), primary_key=True),
        sa.Column("window_start", UtcDateTime(timezone=True), nullable=False),
        sa.Column("hits", sa.Integer, nullable=False),
    )
    op.create_table(
        "portal_submissions",
        sa.Column("key_hash", sa.String(64), primary_key=True),
        sa.Column("link_id", sa.Integer, sa.ForeignKey("payment_links.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("payment_id", sa.Integer),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("message", sa.String(500), nullable=False),
    )
    op.create_index("ix_portal_submissions_link_id", "portal_submissions", ["link_id"])


def downgrade() -> None:
    op.drop_index("ix_portal_submissions_link_id", "portal_submissions")
    op.drop_table("portal_submissions")
    op.drop_table("portal_rate_counts")

"""The client portal's payment links (`payment_links`: the SHA-256 of each link's token, expiry, revocation)

Revision ID: 0008_payment_links
Revises: 0007_ach_auth
"""

import sqlalchemy as sa
from alembic import op

from payapp.models.base import UtcDateTime

revision = "0008_payment_links"
down_revision = "0007_ach_auth"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payment_links",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("invoice_id", sa.Integer, sa.ForeignKey("invoices.id", ondelete="CASCADE"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by_name", sa.String(100), nullable=False),
        sa.Column("expires_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", UtcDateTime(timezone=True)),
        sa.Column("revoked_reason", sa.String(20), nullable=False),
        sa.Column("last_opened_at", UtcDateTime(timezone=True)),
    )
    op.create_index("ix_payment_links_invoice_id", "payment_links", ["invoice_id"])


def downgrade() -> None:
    op.drop_index("ix_payment_links_invoice_id", "payment_links")
    op.drop_table("payment_links")

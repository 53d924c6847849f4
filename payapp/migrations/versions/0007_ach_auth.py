"""ACH debit authorizations kept with eCheck payments; the refund's choice of keeping the invoice paid or re-opening it

`ach_authorizations`: one row per eCheck payment taken with a new bank account (who authorized, when, SEC code,
the wording's version, text and SHA-256), kept until `retain_until` (NACHA: two years after the authorization
ends). `refunds.reopen_invoice` and `refund_approvals.reopen_invoice`: False (the default, and what every earlier
refund is read as) keeps the invoice paid.

Revision ID: 0007_ach_auth
Revises: 0005_gateway
"""

import sqlalchemy as sa
from alembic import op

from payapp.models.base import UtcDateTime

revision = "0007_ach_auth"
down_revision = "0006_totals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ach_authorizations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("payment_id", sa.Integer, sa.ForeignKey("payments.id"), nullable=False, unique=True),
        sa.Column("sec_code", sa.String(3), nullable=False),
        sa.Column("authorized_by", sa.String(200), nullable=False),
        sa.Column("authorized_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("wording_version", sa.String(40), nullable=False),
        sa.Column("wording_text", sa.Text, nullable=False),
        sa.Column("wording_hash", sa.String(64), nullable=False),
        sa.Column("recorded_by_name", sa.String(100), nullable=False),
        sa.Column("retain_until", UtcDateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_ach_authorizations_retain_until", "ach_authorizations", ["retain_until"])
    # plain ADD COLUMN (no batch copy on SQLite, see 0005_gateway)
    op.add_column("refunds", sa.Column("reopen_invoice", sa.Boolean, nullable=False, server_default=sa.false()))
    op.add_column("refund_approvals",
                  sa.Column("reopen_invoice", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.drop_column("refund_approvals", "reopen_invoice")
    op.drop_column("refunds", "reopen_invoice")
    op.drop_index("ix_ach_authorizations_retain_until", "ach_authorizations")
    op.drop_table("ach_authorizations")

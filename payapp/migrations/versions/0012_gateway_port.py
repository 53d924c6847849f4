"""The gateway port: SEPA direct debit mandates kept with SEPA payments; payments found by the gateway that took them

`sepa_mandates`: one row per SEPA payment (mandate reference and date, who agreed and when, the IBAN's country and
last four characters only, the wording's version, text and SHA-256), kept until `retain_until`. `payments.gateway`
(there since 0001) now decides which gateway a void, refund or look-up goes to, so it gets an index for the
reconciliation that groups undecided payments by gateway.

Revision ID: 0012_gateway_port
Revises: 0011_qbwc
"""

import sqlalchemy as sa
from alembic import op

from payapp.models.base import UtcDateTime

revision = "0012_gateway_port"
down_revision = "0011_qbwc"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sepa_mandates",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("payment_id", sa.Integer, sa.ForeignKey("payments.id"), nullable=False, unique=True),
        sa.Column("mandate_reference", sa.String(35), nullable=False),
        sa.Column("mandate_date", sa.Date, nullable=False),
        sa.Column("authorized_by", sa.String(200), nullable=False),
        sa.Column("authorized_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("iban_country", sa.String(2), nullable=False),
        sa.Column("iban_last_four", sa.String(4), nullable=False),
        sa.Column("wording_version", sa.String(40), nullable=False),
        sa.Column("wording_text", sa.Text, nullable=False),
        sa.Column("wording_hash", sa.String(64), nullable=False),
        sa.Column("recorded_by_name", sa.String(100), nullable=False),
        sa.Column("retain_until", UtcDateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_sepa_mandates_mandate_reference", "sepa_mandates", ["mandate_reference"])
    op.create_index("ix_sepa_mandates_retain_until", "sepa_mandates", ["retain_until"])
    op.create_index("ix_payments_gateway_status", "payments", ["gateway", "status"])


def downgrade() -> None:
    op.drop_index("ix_payments_gateway_status", "payments")
    op.drop_index("ix_sepa_mandates_retain_until", "sepa_mandates")
    op.drop_index("ix_sepa_mandates_mandate_reference", "sepa_mandates")
    op.drop_table("sepa_mandates")

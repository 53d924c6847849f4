"""the company index of payments covers the totals (currency and amounts)

Payment Search's totals of a company filter read only the matching companies' index entries instead of
every payment (payment_search._company_names_like).

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_NAME = "ix_payments_company_name_id"


def upgrade() -> None:
    op.drop_index(_NAME, table_name="payments")
    op.create_index(_NAME, "payments", ["company_name", "id", "currency", "amount_minor", "applied_minor",
                                        "refunded_minor"])


def downgrade() -> None:
    op.drop_index(_NAME, table_name="payments")
    op.create_index(_NAME, "payments", ["company_name", "id"])

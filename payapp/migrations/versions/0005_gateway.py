"""saved payment methods keep the transaction id of the charge that saved them (stored credentials)

A later charge of a saved card sends stored_credential_indicator=used with initial_transaction_id = this id.
Cards saved before this revision get the id of their first charge that went through (the payment that saved
them is the oldest one naming the method); a card without such a charge keeps "" and is charged without the
stored-credential fields.

Revision ID: 0005_gateway
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_gateway"
down_revision = "0004_engine"
branch_labels = None
depends_on = None


# Plain ADD/DROP COLUMN, not a batch (copy-and-rename) operation: on SQLite, dropping the old table would fire
# payments.saved_method_id's ON DELETE SET NULL and unlink every payment from its saved method.


def upgrade() -> None:
    op.add_column("saved_payment_methods",
                  sa.Column("initial_transaction_id", sa.String(64), nullable=False, server_default=""))
    op.execute(sa.text(
        "UPDATE saved_payment_methods SET initial_transaction_id = COALESCE(("
        " SELECT p.transaction_id FROM payments p WHERE p.saved_method_id = saved_payment_methods.id"
        " AND p.transaction_id <> '' AND p.status NOT IN ('pending', 'unknown', 'declined', 'error')"
        " ORDER BY p.created_at, p.id LIMIT 1), '') WHERE method = 'card'"))


def downgrade() -> None:
    op.drop_column("saved_payment_methods", "initial_transaction_id")

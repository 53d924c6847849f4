"""saved payment methods keep the transaction id of the charge that saved them (stored credentials)

A later charge of a saved card sends stored_credential_indicator=used with initial_transaction_id = this id.

Revision ID: 0005_gateway
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_gateway"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("saved_payment_methods") as batch:
        batch.add_column(sa.Column("initial_transaction_id", sa.String(64), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("saved_payment_methods") as batch:
        batch.drop_column("initial_transaction_id")

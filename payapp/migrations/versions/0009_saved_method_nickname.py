"""A saved payment method's own name in PayApp (`saved_payment_methods.nickname`, e.g. "Office card"); the
gateway's vault does not know it (issue #15.13)

Revision ID: 0009_saved_method_nickname
Revises: 0008_payment_links
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_saved_method_nickname"
down_revision = "0008_payment_links"
branch_labels = None
depends_on = None


# Plain ADD/DROP COLUMN, not a batch (copy-and-rename) operation: on SQLite, dropping the old table would fire
# payments.saved_method_id's ON DELETE SET NULL and unlink every payment from its saved method (as in 0005).


def upgrade() -> None:
    op.add_column("saved_payment_methods", sa.Column("nickname", sa.String(60), nullable=False, server_default=""))


def downgrade() -> None:
    op.drop_column("saved_payment_methods", "nickname")

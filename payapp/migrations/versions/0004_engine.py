"""payment engine money safety: send deadline, late approvals and rows flagged for a person

- payments.send_deadline: the last moment (database clock) at which a workstation may still send a
  pending payment to the gateway; reconciliation judges "no match" only after it (plus the grace).
- payments.sent_at: when the workstation re-checked the deadline and went ahead with the HTTP send.
- payments.approved_late: the gateway approved a payment PayApp had already marked failed.
- payments.attention: why a person must look at this payment ("" when nothing is wrong).
- refunds.send_deadline: the same deadline for a void or refund.

Revision ID: 0004_engine
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from payapp.models.base import UtcDateTime

revision = "0004_engine"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("payments") as batch:
        batch.add_column(sa.Column("send_deadline", UtcDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("sent_at", UtcDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("approved_late", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("attention", sa.String(300), nullable=False, server_default=""))
    with op.batch_alter_table("refunds") as batch:
        batch.add_column(sa.Column("send_deadline", UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("refunds") as batch:
        batch.drop_column("send_deadline")
    with op.batch_alter_table("payments") as batch:
        batch.drop_column("attention")
        batch.drop_column("approved_late")
        batch.drop_column("sent_at")
        batch.drop_column("send_deadline")

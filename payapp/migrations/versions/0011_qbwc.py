"""QuickBooks Desktop through the Web Connector: sessions, the requests handed out, and the QuickBooks Desktop
ids of PayApp's customers, invoices, payments and refunds

Revision ID: 0011_qbwc
Revises: 0010_portal_state
"""

import sqlalchemy as sa
from alembic import op

from payapp.models.base import UtcDateTime

revision = "0011_qbwc"
down_revision = "0010_portal_state"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "qbwc_sessions",
        sa.Column("ticket", sa.String(64), primary_key=True),
        sa.Column("user_name", sa.String(100), nullable=False),
        sa.Column("started_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", UtcDateTime(timezone=True)),
        sa.Column("company_file", sa.String(500), nullable=False),
        sa.Column("requests", sa.Integer, nullable=False),
        sa.Column("errors", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text, nullable=False),
        sa.Column("pending", sa.Text, nullable=False),
    )
    op.create_index("ix_qbwc_sessions_started_at", "qbwc_sessions", ["started_at"])
    op.create_table(
        "qbwc_exchanges",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ticket", sa.String(64), nullable=False),
        sa.Column("job_id", sa.Integer),
        sa.Column("request_type", sa.String(40), nullable=False),
        sa.Column("request_id", sa.String(40), nullable=False),
        sa.Column("sent_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("received_at", UtcDateTime(timezone=True)),
        sa.Column("status_code", sa.Integer),
        sa.Column("message", sa.String(500), nullable=False),
    )
    op.create_index("ix_qbwc_exchanges_ticket", "qbwc_exchanges", ["ticket"])
    op.create_table(
        "qbd_records",
        sa.Column("entity", sa.String(20), primary_key=True),
        sa.Column("local_id", sa.Integer, primary_key=True),
        sa.Column("qb_id", sa.String(40), nullable=False),
        sa.Column("ref_number", sa.String(41), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("qbd_records")
    op.drop_index("ix_qbwc_exchanges_ticket", "qbwc_exchanges")
    op.drop_table("qbwc_exchanges")
    op.drop_index("ix_qbwc_sessions_started_at", "qbwc_sessions")
    op.drop_table("qbwc_sessions")

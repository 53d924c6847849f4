"""Client portal sign-in (issue #17.4): one-time sign-in links and signed-in sessions (hashes only), who may pay
per contact, saved methods that belong to the portal user who saved them, and the primary contact from Autotask

Revision ID: 0013_portal_signin
Revises: 0012_gateway_port
"""

import sqlalchemy as sa
from alembic import op

from payapp.models.base import UtcDateTime

revision = "0013_portal_signin"
down_revision = "0012_gateway_port"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN (no batch copy of contacts: its dependants' ON DELETE would fire on SQLite)
    op.add_column("contacts", sa.Column("is_primary", sa.Boolean, nullable=False, server_default=sa.false()))
    op.create_table(
        "portal_contact_access",
        sa.Column("contact_id", sa.Integer, sa.ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("may_pay", sa.Boolean, nullable=False),
        sa.Column("changed_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("changed_by_name", sa.String(100), nullable=False),
    )
    op.create_table(
        "portal_signin_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("contact_id", sa.Integer, sa.ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("used_at", UtcDateTime(timezone=True)),
    )
    op.create_index("ix_portal_signin_tokens_contact_id", "portal_signin_tokens", ["contact_id"])
    op.create_table(
        "portal_user_sessions",
        sa.Column("session_hash", sa.String(64), primary_key=True),
        sa.Column("contact_id", sa.Integer, sa.ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", UtcDateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_portal_user_sessions_contact_id", "portal_user_sessions", ["contact_id"])
    op.create_table(
        "portal_method_owners",
        sa.Column("saved_method_id", sa.Integer, sa.ForeignKey("saved_payment_methods.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("contact_id", sa.Integer, sa.ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False),
    )
    op.create_index("ix_portal_method_owners_contact_id", "portal_method_owners", ["contact_id"])


def downgrade() -> None:
    op.drop_index("ix_portal_method_owners_contact_id", "portal_method_owners")
    op.drop_table("portal_method_owners")
    op.drop_index("ix_portal_user_sessions_contact_id", "portal_user_sessions")
    op.drop_table("portal_user_sessions")
    op.drop_index("ix_portal_signin_tokens_contact_id", "portal_signin_tokens")
    op.drop_table("portal_signin_tokens")
    op.drop_table("portal_contact_access")
    op.drop_column("contacts", "is_primary")

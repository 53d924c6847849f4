"""The client portal's payment links: one row per link handed out, the token itself never stored."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from payapp.models.base import Base, UtcDateTime, utcnow


class PaymentLink(Base):
    """A secret, personal link to one invoice. Only the SHA-256 of the link's token is kept (a copy of the
    database gives nobody a working link); `revoked_at` is set by "Revoke link" and, with the reason `paid` or
    `voided`, by the portal when it finds the invoice closed."""

    __tablename__ = "payment_links"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by_name: Mapped[str] = mapped_column(String(100), default="")
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    revoked_reason: Mapped[str] = mapped_column(String(20), default="")     # revoked | paid | voided
    last_opened_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class PortalRateCount(Base):
    """How many requests one client address or one link token made in the current fixed window (the portal's
    rate limits live in the database, so every worker process and host counts the same). `bucket` is
    "addr:" or "token:" plus a SHA-256: neither an address nor a token is kept in the clear."""

    __tablename__ = "portal_rate_counts"
    bucket: Mapped[str] = mapped_column(String(80), primary_key=True)
    window_start: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    hits: Mapped[int] = mapped_column(Integer, default=0)


class PortalSubmission(Base):
    """One confirm form of the portal, by the SHA-256 of its idempotency key: the first POST claims the row
    and charges; a double click or a resubmitted form finds the row and shows that payment's outcome instead of
    charging again."""

    __tablename__ = "portal_submissions"
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("payment_links.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    state: Mapped[str] = mapped_column(String(20), default="charging")     # charging | done | failed
    payment_id: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(20), default="")          # approved | declined | error | unknown
    message: Mapped[str] = mapped_column(String(500), default="")


class PortalContactAccess(Base):
    """The merchant's choice for one contact on the client portal (Admin › Client Portal › Who may pay). No row:
    the default, which is that the organization's primary contact may pay and the others see invoices only."""

    __tablename__ = "portal_contact_access"
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    may_pay: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    changed_by_name: Mapped[str] = mapped_column(String(100), default="")


class PortalSignInToken(Base):
    """A one-time sign-in link e-mailed to a contact: only the SHA-256 of its token is kept; it works once
    (`used_at`), and only until `expires_at` (15 minutes)."""

    __tablename__ = "portal_signin_tokens"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class PortalUserSession(Base):
    """A signed-in contact's browser: the SHA-256 of the random value of its session cookie."""

    __tablename__ = "portal_user_sessions"
    session_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class PortalMethodOwner(Base):
    """A payment method saved by a signed-in contact on the portal belongs to that contact only: other contacts
    of the same organization (and visitors with a payment link) are not offered it."""

    __tablename__ = "portal_method_owners"
    saved_method_id: Mapped[int] = mapped_column(ForeignKey("saved_payment_methods.id", ondelete="CASCADE"),
                                                 primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)

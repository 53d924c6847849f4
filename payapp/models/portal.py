"""The client portal's payment links: one row per link handed out, the token itself never stored."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String
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

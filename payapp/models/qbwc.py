"""QuickBooks Desktop through the Web Connector: its sessions, each request handed out with the answer it got,
and which QuickBooks Desktop record (ListID / TxnID) each PayApp record is."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from payapp.models.base import Base, UtcDateTime, utcnow


class QbwcSession(Base):
    """One Web Connector session (authenticate … closeConnection). `pending` is the request handed out and not
    answered yet (JSON; "" when none): an answer is matched to it, never guessed."""

    __tablename__ = "qbwc_sessions"
    ticket: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_name: Mapped[str] = mapped_column(String(100), default="")
    started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    company_file: Mapped[str] = mapped_column(String(500), default="")
    requests: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    pending: Mapped[str] = mapped_column(Text, default="")


class QbwcExchange(Base):
    """A qbXML request handed to the Web Connector and the status QuickBooks answered (no bodies: the log of
    what happened, not a copy of the books)."""

    __tablename__ = "qbwc_exchanges"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket: Mapped[str] = mapped_column(String(64), index=True)
    job_id: Mapped[int | None] = mapped_column(Integer)
    request_type: Mapped[str] = mapped_column(String(40))
    request_id: Mapped[str] = mapped_column(String(40))
    sent_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    received_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    status_code: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(String(500), default="")


class QbdRecord(Base):
    """Which QuickBooks Desktop record a PayApp record is: entity "customer" (company id → ListID), "invoice",
    "payment" (→ TxnID), "credit_memo" and "refund" (refund job id → TxnID). Kept apart from the QuickBooks
    Online ids on invoices and payments, so switching the connector never mixes the two companies' ids."""

    __tablename__ = "qbd_records"
    entity: Mapped[str] = mapped_column(String(20), primary_key=True)
    local_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    qb_id: Mapped[str] = mapped_column(String(40))
    ref_number: Mapped[str] = mapped_column(String(41), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

"""Invoices (from Autotask, numbered by QuickBooks) and their lines.

`company_name` and `balance_minor` are kept on the row (denormalised) because the Invoice History tab
sorts and filters a million rows by them, which must be an index scan, not a join."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from payapp.models.base import Base, UtcDateTime, utcnow


class Invoice(Base):
    __tablename__ = "invoices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[int | None] = mapped_column(Integer, unique=True)   # Autotask Invoices.id
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    company_name: Mapped[str] = mapped_column(String(200))
    invoice_number: Mapped[str] = mapped_column(String(50))
    accounting_number: Mapped[str | None] = mapped_column(String(21))        # QuickBooks DocNumber
    accounting_id: Mapped[str | None] = mapped_column(String(40))            # QuickBooks Invoice.Id
    invoice_date: Mapped[dt.date] = mapped_column(Date)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    total_minor: Mapped[int] = mapped_column(Integer)
    tax_minor: Mapped[int] = mapped_column(Integer, default=0)
    paid_minor: Mapped[int] = mapped_column(Integer, default=0)
    balance_minor: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))        # domain.payment_state.InvoiceStatus (not overdue)
    is_voided: Mapped[bool] = mapped_column(Boolean, default=False)
    voided_date: Mapped[dt.date | None] = mapped_column(Date)
    paid_date: Mapped[dt.date | None] = mapped_column(Date)
    payment_term: Mapped[str] = mapped_column(String(100), default="")
    comments: Mapped[str] = mapped_column(Text, default="")
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id", ondelete="SET NULL"))
    sync_state: Mapped[str] = mapped_column(String(20), default="pending")   # pending|synced|failed
    psa_paid_marked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        Index("ix_invoices_invoice_date_id", "invoice_date", "id"),
        Index("ix_invoices_due_date_id", "due_date", "id"),
        Index("ix_invoices_invoice_number_id", "invoice_number", "id"),
        Index("ix_invoices_accounting_number_id", "accounting_number", "id"),
        Index("ix_invoices_company_name_id", "company_name", "id"),
        Index("ix_invoices_total_minor_id", "total_minor", "id"),
        Index("ix_invoices_paid_minor_id", "paid_minor", "id"),
        Index("ix_invoices_balance_minor_id", "balance_minor", "id"),
        Index("ix_invoices_status_id", "status", "id"),
        Index("ix_invoices_sync_state_id", "sync_state", "id"),
    )


class InvoiceLine(Base):
    __tablename__ = "invoice_lines"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[int | None] = mapped_column(Integer, unique=True)    # Autotask BillingItems.id
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(String(500), default="")
    quantity: Mapped[str] = mapped_column(Numeric(18, 4), default=1)
    unit_price_minor: Mapped[int] = mapped_column(Integer, default=0)
    amount_minor: Mapped[int] = mapped_column(Integer, default=0)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id", ondelete="SET NULL"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))

"""Payments, refunds and voids, refund approvals, and saved (vaulted) payment methods.

Never a card number, CVV or bank account number here: only the gateway's vault token and display
data (brand, last four, expiry, account type)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from payapp.models.base import Base, UtcDateTime, utcnow


class SavedPaymentMethod(Base):
    __tablename__ = "saved_payment_methods"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    gateway: Mapped[str] = mapped_column(String(30))
    vault_id: Mapped[str] = mapped_column(String(64))         # gateway customer_vault_id (a token)
    method: Mapped[str] = mapped_column(String(10))           # card | echeck
    brand: Mapped[str] = mapped_column(String(20), default="")
    last_four: Mapped[str] = mapped_column(String(4))
    expiry: Mapped[str] = mapped_column(String(4), default="")          # MMYY, cards only
    account_type: Mapped[str] = mapped_column(String(10), default="")   # checking | savings
    account_holder_type: Mapped[str] = mapped_column(String(10), default="")  # personal | business
    holder_name: Mapped[str] = mapped_column(String(200), default="")
    # PayApp's own name for it ("Office card"), set in Saved payment methods; the gateway's vault does not know it
    nickname: Mapped[str] = mapped_column(String(60), default="", server_default="")
    # the gateway transaction id of the charge that saved this card (stored credentials: later charges send it
    # as initial_transaction_id); "" for eChecks and for methods saved before it was kept
    initial_transaction_id: Mapped[str] = mapped_column(String(64), default="", server_default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class Payment(Base):
    __tablename__ = "payments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[str] = mapped_column(String(64), unique=True)     # idempotency key sent to the gateway
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    company_name: Mapped[str] = mapped_column(String(200))
    invoice_number: Mapped[str] = mapped_column(String(50))
    gateway: Mapped[str] = mapped_column(String(30))
    amount_minor: Mapped[int] = mapped_column(Integer)
    applied_minor: Mapped[int] = mapped_column(Integer, default=0)      # applied to the invoice
    refunded_minor: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3))
    method: Mapped[str] = mapped_column(String(10))                      # card | echeck
    brand: Mapped[str] = mapped_column(String(20), default="")
    last_four: Mapped[str] = mapped_column(String(4), default="")
    expiry: Mapped[str] = mapped_column(String(4), default="")
    account_type: Mapped[str] = mapped_column(String(10), default="")
    saved_method_id: Mapped[int | None] = mapped_column(
        ForeignKey("saved_payment_methods.id", ondelete="SET NULL"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(20), default="back_office")   # domain.outbox_jobs.PaymentSource
    status: Mapped[str] = mapped_column(String(20))                    # domain.payment_state.PaymentStatus
    transaction_id: Mapped[str] = mapped_column(String(64), default="")
    auth_code: Mapped[str] = mapped_column(String(20), default="")
    response_code: Mapped[str] = mapped_column(String(10), default="")
    response_text: Mapped[str] = mapped_column(String(300), default="")
    avs_result: Mapped[str] = mapped_column(String(2), default="")
    cvv_result: Mapped[str] = mapped_column(String(2), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_by_name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    settled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    voided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    refunded_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    returned_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    reconcile_attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_check_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # last moment (database clock) a workstation may send this pending payment; see services.payments
    send_deadline: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    approved_late: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    attention: Mapped[str] = mapped_column(String(300), default="", server_default="")   # for a person
    accounting_id: Mapped[str | None] = mapped_column(String(40))     # QuickBooks Payment.Id
    accounting_sync_state: Mapped[str] = mapped_column(String(20), default="not_needed")
    psa_sync_state: Mapped[str] = mapped_column(String(20), default="not_needed")
    sync_error: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        Index("ix_payments_created_at_id", "created_at", "id"),
        Index("ix_payments_status_id", "status", "id"),
        # covers the company totals too (payment_search._company_names_like)
        Index("ix_payments_company_name_id", "company_name", "id", "currency", "amount_minor", "applied_minor",
              "refunded_minor"),
        Index("ix_payments_invoice_number_id", "invoice_number", "id"),
        Index("ix_payments_amount_minor_id", "amount_minor", "id"),
        Index("ix_payments_transaction_id", "transaction_id"),
        Index("ix_payments_last_four_id", "last_four", "id"),
        Index("ix_payments_created_by_id", "created_by", "id"),
        Index("ix_payments_accounting_sync_state_id", "accounting_sync_state", "id"),
        # Payment Search: every sortable column has a (column, id) index for keyset pages; status and sync
        # filters paired with the default date order; a covering index for date-range totals.
        Index("ix_payments_applied_minor_id", "applied_minor", "id"),
        Index("ix_payments_refunded_minor_id", "refunded_minor", "id"),
        Index("ix_payments_created_by_name_id", "created_by_name", "id"),
        Index("ix_payments_status_created_at_id", "status", "created_at", "id"),
        Index("ix_payments_last_four_created_at_id", "last_four", "created_at", "id"),
        Index("ix_payments_sync_state_created_at_id", "accounting_sync_state", "created_at", "id"),
        Index("ix_payments_created_at_totals", "created_at", "currency", "amount_minor", "applied_minor",
              "refunded_minor"),
        # which gateway a void, refund or look-up goes to (the one that took the payment)
        Index("ix_payments_gateway_status", "gateway", "status"),
    )


class Refund(Base):
    """A void or a refund of a payment; its own order id so a lost answer is looked up, not resent."""

    __tablename__ = "refunds"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    order_id: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(10))                 # void | refund
    amount_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20))               # pending|approved|declined|unknown|error
    transaction_id: Mapped[str] = mapped_column(String(64), default="")
    response_code: Mapped[str] = mapped_column(String(10), default="")
    response_text: Mapped[str] = mapped_column(String(300), default="")
    reason: Mapped[str] = mapped_column(String(300), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    send_deadline: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)    # as Payment.send_deadline
    # a refund: True re-opens the invoice (the customer still owes it; QuickBooks' payment is reversed), False
    # keeps it paid (the money goes back as a refund receipt). A void always re-opens it.
    reopen_invoice: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class RefundApproval(Base):
    """A refund above the approval threshold waits here for a second user."""

    __tablename__ = "refund_approvals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(20), default="pending")   # pending|approved|rejected|done
    requested_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refunds.id"))
    reopen_invoice: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())   # as Refund


class AchAuthorization(Base):
    """The ACH debit authorization an eCheck payment was taken under (payapp.domain.ach): who, when, SEC code and
    the wording shown (version, text, SHA-256). Kept until `retain_until` (NACHA: two years after it ends)."""

    __tablename__ = "ach_authorizations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), unique=True)
    sec_code: Mapped[str] = mapped_column(String(3))
    authorized_by: Mapped[str] = mapped_column(String(200))
    authorized_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    wording_version: Mapped[str] = mapped_column(String(40))
    wording_text: Mapped[str] = mapped_column(Text)
    wording_hash: Mapped[str] = mapped_column(String(64))
    recorded_by_name: Mapped[str] = mapped_column(String(100), default="")
    retain_until: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)


class SepaMandate(Base):
    """The SEPA direct debit mandate a SEPA payment was taken under (payapp.domain.sepa): its reference and date, who
    agreed, and the wording shown (version, text, SHA-256). Never the IBAN: only its country and last four."""

    __tablename__ = "sepa_mandates"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), unique=True)
    mandate_reference: Mapped[str] = mapped_column(String(35), index=True)
    mandate_date: Mapped[dt.date] = mapped_column(Date)
    authorized_by: Mapped[str] = mapped_column(String(200))
    authorized_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    iban_country: Mapped[str] = mapped_column(String(2))
    iban_last_four: Mapped[str] = mapped_column(String(4))
    wording_version: Mapped[str] = mapped_column(String(40))
    wording_text: Mapped[str] = mapped_column(Text)
    wording_hash: Mapped[str] = mapped_column(String(64))
    recorded_by_name: Mapped[str] = mapped_column(String(100), default="")
    retain_until: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)

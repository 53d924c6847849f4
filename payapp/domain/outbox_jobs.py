"""What the outbox carries, declared once: the kinds of job, the states a job row is in, and where a payment came
from. The values are what the database stores (OutboxJob.kind / .status, Payment.source); the enums are str, so
rows written before them read the same."""

from __future__ import annotations

from enum import StrEnum


class JobKind(StrEnum):
    PUSH_INVOICE = "accounting.push_invoice"
    PUSH_PAYMENT = "accounting.push_payment"
    VOID_PAYMENT = "accounting.void_payment"
    REFUND_PAYMENT = "accounting.refund_payment"
    REVERSE_RETURNED = "accounting.reverse_returned_payment"
    MARK_PAID = "psa.mark_invoice_paid"
    #: written by the sync (never claimed on its own): an Autotask record it could not read, shown as a sync
    #: problem until the record reads again (payload {"entity": .., "record_id": ..})
    SKIPPED_RECORD = "psa.skipped_record"


#: the kinds the outbox worker claims and sends
SENDABLE_KINDS: tuple[JobKind, ...] = (JobKind.PUSH_INVOICE, JobKind.PUSH_PAYMENT, JobKind.VOID_PAYMENT,
                                       JobKind.REFUND_PAYMENT, JobKind.REVERSE_RETURNED, JobKind.MARK_PAID)

#: the kinds that go to the accounting system (QuickBooks Online through the outbox worker, or QuickBooks
#: Desktop through the Web Connector)
ACCOUNTING_KINDS: tuple[JobKind, ...] = (JobKind.PUSH_INVOICE, JobKind.PUSH_PAYMENT, JobKind.VOID_PAYMENT,
                                         JobKind.REFUND_PAYMENT, JobKind.REVERSE_RETURNED)

#: the values of the setting "accounting.connector"
ACCOUNTING_ONLINE = "quickbooks_online"
ACCOUNTING_DESKTOP = "quickbooks_desktop"


class JobStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    NEEDS_ATTENTION = "needs_attention"
    DISMISSED = "dismissed"


class PaymentSource(StrEnum):
    """Who took a payment: staff in the desktop app, or the client on the portal."""
    BACK_OFFICE = "back_office"
    CLIENT_PORTAL = "client_portal"

"""What the outbox carries, declared once: the kinds of job, the states a job row is in, and where a payment came
from. The values are what the database stores (OutboxJob.kind / .status, Payment.source); the enums are str, so
rows written before them read the same."""

from __future__ import annotations

from enum import StrEnum

from payapp.domain.errors import PayAppError
from payapp.domain.messages import Message, to_stored


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

#: what each kind of job does, as the id of its message (Sync problems, a payment's sync jobs, the audit log)
KIND_MESSAGE_IDS: dict[str, str] = {
    JobKind.PUSH_INVOICE: "job_kind.push_invoice", JobKind.PUSH_PAYMENT: "job_kind.push_payment",
    JobKind.VOID_PAYMENT: "job_kind.void_payment", JobKind.REFUND_PAYMENT: "job_kind.refund_payment",
    JobKind.REVERSE_RETURNED: "job_kind.reverse_returned", JobKind.MARK_PAID: "job_kind.mark_paid",
    JobKind.SKIPPED_RECORD: "job_kind.skipped_record"}


def kind_label(kind: str) -> Message | str:
    """What a job of `kind` does ("Send invoice to QuickBooks"); a kind PayApp does not know, as it is stored."""
    message_id = KIND_MESSAGE_IDS.get(kind)
    return Message(message_id) if message_id is not None else kind


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


def said(exc: PayAppError) -> Message | str:
    """What `exc` tells the person: its Message, or (a module not converted to messages yet) its English text."""
    return exc.message if exc.message is not None else exc.user_message


def stored_error(message: Message | str, limit: int = 2000) -> str:
    """A job's last_error, a payment's sync_error, a Web Connector session's last error as the column keeps it: a
    Message as data (to_stored: read back in the reader's language), a text not converted yet as it is (cut to
    `limit`). Rows written before messages were data hold plain English; from_stored gives those back as they are."""
    if isinstance(message, Message):
        return to_stored(message, limit=limit)
    return message[:limit]

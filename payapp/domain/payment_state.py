"""The payment state machine of docs/architecture.md ("Payments: the state machine"), as data."""

from __future__ import annotations

from enum import StrEnum

from payapp.domain.errors import PayAppError
from payapp.domain.messages import Message, msg


class PaymentStatus(StrEnum):
    PENDING = "pending"
    UNKNOWN = "unknown"
    APPROVED = "approved"
    DECLINED = "declined"
    SETTLED = "settled"
    VOIDED = "voided"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"
    RETURNED = "returned"
    ERROR = "error"


S = PaymentStatus


def status_word(status: PaymentStatus) -> Message:
    """A payment status as a word in a sentence ("partially refunded"), in the reader's language."""
    return msg(f"payment_status.{status.value}")

ALLOWED: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    S.PENDING: frozenset({S.APPROVED, S.DECLINED, S.UNKNOWN, S.ERROR}),
    S.UNKNOWN: frozenset({S.APPROVED, S.DECLINED, S.ERROR}),
    S.APPROVED: frozenset({S.SETTLED, S.VOIDED, S.RETURNED}),
    S.SETTLED: frozenset({S.REFUNDED, S.PARTIALLY_REFUNDED, S.RETURNED}),
    S.PARTIALLY_REFUNDED: frozenset({S.REFUNDED, S.PARTIALLY_REFUNDED, S.RETURNED}),
    S.DECLINED: frozenset(),
    # A payment PayApp closed as `error` (no answer, nothing found at the gateway) that the gateway approves
    # after all (the one request was held on the way): the approval is recorded, never dropped.
    S.ERROR: frozenset({S.APPROVED}),
    S.VOIDED: frozenset(),
    S.REFUNDED: frozenset(),
    # A returned eCheck stays returned when a void or refund the gateway completed earlier is recorded later
    # (its money is already off the invoice); such a payment is flagged for a person.
    S.RETURNED: frozenset({S.RETURNED}),
}

#: Statuses whose money counts against the invoice balance (net of refunds).
COLLECTED = frozenset({S.APPROVED, S.SETTLED, S.PARTIALLY_REFUNDED, S.REFUNDED})
#: Outcome not decided yet: must be reconciled by order id, never charged again.
UNDECIDED = frozenset({S.PENDING, S.UNKNOWN})


class IllegalTransition(PayAppError, ValueError):
    """A change of status the state machine does not allow (PayApp's own error, with plain words)."""

    def __init__(self, current: PaymentStatus, new: PaymentStatus) -> None:
        super().__init__(msg("payment.illegal_transition", current=status_word(current), new=status_word(new)))
        self.current = current
        self.new = new


def can_transition(current: PaymentStatus, new: PaymentStatus) -> bool:
    return new in ALLOWED[current]


def transition(current: PaymentStatus, new: PaymentStatus) -> PaymentStatus:
    if not can_transition(current, new):
        raise IllegalTransition(current, new)
    return new


def after_reversal(current: PaymentStatus, kind: str, refunded_minor: int, amount_minor: int) -> PaymentStatus:
    """The status of a payment once the gateway completed a void (`kind="void"`) or a refund that brings the
    refunded total to `refunded_minor`. A returned payment stays returned (the bank already took the money back);
    otherwise voided, refunded or partially refunded, as the table allows."""
    if current == S.RETURNED:
        return transition(current, S.RETURNED)
    if kind == "void":
        return transition(current, S.VOIDED)
    return transition(current, S.REFUNDED if refunded_minor >= amount_minor else S.PARTIALLY_REFUNDED)


class InvoiceStatus(StrEnum):
    OPEN = "open"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    VOIDED = "voided"
    #: Not stored: an open or partially paid invoice past its due date. Filters compute it in SQL.
    OVERDUE = "overdue"


def invoice_status(total_minor: int, paid_minor: int, voided: bool) -> InvoiceStatus:
    """The stored status of an invoice from its amounts (overdue is derived at query time)."""
    if voided:
        return InvoiceStatus.VOIDED
    if paid_minor <= 0:
        return InvoiceStatus.OPEN if total_minor > 0 else InvoiceStatus.PAID
    if paid_minor >= total_minor:
        return InvoiceStatus.PAID
    return InvoiceStatus.PARTIALLY_PAID

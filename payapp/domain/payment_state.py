"""The payment state machine of docs/architecture.md ("Payments: the state machine"), as data."""

from __future__ import annotations

from enum import StrEnum


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

ALLOWED: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    S.PENDING: frozenset({S.APPROVED, S.DECLINED, S.UNKNOWN, S.ERROR}),
    S.UNKNOWN: frozenset({S.APPROVED, S.DECLINED, S.ERROR}),
    S.APPROVED: frozenset({S.SETTLED, S.VOIDED, S.RETURNED}),
    S.SETTLED: frozenset({S.REFUNDED, S.PARTIALLY_REFUNDED, S.RETURNED}),
    S.PARTIALLY_REFUNDED: frozenset({S.REFUNDED, S.PARTIALLY_REFUNDED, S.RETURNED}),
    S.DECLINED: frozenset(),
    S.ERROR: frozenset(),
    S.VOIDED: frozenset(),
    S.REFUNDED: frozenset(),
    S.RETURNED: frozenset(),
}

#: Statuses whose money counts against the invoice balance (net of refunds).
COLLECTED = frozenset({S.APPROVED, S.SETTLED, S.PARTIALLY_REFUNDED, S.REFUNDED})
#: Outcome not decided yet: must be reconciled by order id, never charged again.
UNDECIDED = frozenset({S.PENDING, S.UNKNOWN})


class IllegalTransition(ValueError):
    pass


def can_transition(current: PaymentStatus, new: PaymentStatus) -> bool:
    return new in ALLOWED[current]


def transition(current: PaymentStatus, new: PaymentStatus) -> PaymentStatus:
    if not can_transition(current, new):
        raise IllegalTransition(f"{current} -> {new}")
    return new


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

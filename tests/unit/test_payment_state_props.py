"""Properties of money arithmetic and of the payment state machine (hypothesis)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payapp.domain.errors import PayAppError
from payapp.domain.money import Money, decimal_to_minor, minor_digits
from payapp.domain.payment_state import (
    ALLOWED,
    COLLECTED,
    UNDECIDED,
    IllegalTransition,
    InvoiceStatus,
    PaymentStatus,
    after_reversal,
    can_transition,
    invoice_status,
    transition,
)

CURRENCIES = st.sampled_from(["USD", "EUR", "JPY", "KWD", "GBP"])
AMOUNTS = st.integers(min_value=-10**12, max_value=10**12)
STATUSES = st.sampled_from(list(PaymentStatus))


@given(AMOUNTS, AMOUNTS, CURRENCIES)
def test_add_sub_roundtrip(a: int, b: int, cur: str) -> None:
    x, y = Money(a, cur), Money(b, cur)
    assert (x + y) - y == x
    assert x + y == y + x
    assert (-x).__neg__() == x
    assert (x - x).minor == 0


@given(AMOUNTS, CURRENCIES)
def test_wire_and_decimal_roundtrip(a: int, cur: str) -> None:
    m = Money(a, cur)
    assert Money.from_decimal(m.to_decimal(), cur) == m
    assert decimal_to_minor(Decimal(m.wire()), cur) == a
    digits = minor_digits(cur)
    if digits:
        assert len(m.wire().split(".")[1]) == digits


@given(AMOUNTS, AMOUNTS)
def test_currency_mismatch_refused(a: int, b: int) -> None:
    with pytest.raises(ValueError):
        _ = Money(a, "USD") + Money(b, "EUR")


@given(STATUSES, STATUSES)
def test_transition_matches_table(cur: PaymentStatus, new: PaymentStatus) -> None:
    if new in ALLOWED[cur]:
        assert transition(cur, new) == new and can_transition(cur, new)
    else:
        with pytest.raises(IllegalTransition):
            transition(cur, new)


@given(st.lists(STATUSES, max_size=12))
def test_walks_never_leave_final_states_and_undecided_never_returns(path: list[PaymentStatus]) -> None:
    state = PaymentStatus.PENDING
    decided = False
    for nxt in path:
        if not can_transition(state, nxt):
            continue
        state = transition(state, nxt)
        if state not in UNDECIDED:
            decided = True
        assert not (decided and state in UNDECIDED), "a decided payment became undecided again"
    if not ALLOWED[state] - {state, PaymentStatus.APPROVED}:
        assert state in {PaymentStatus.DECLINED, PaymentStatus.ERROR, PaymentStatus.VOIDED,
                         PaymentStatus.REFUNDED, PaymentStatus.RETURNED}


def test_no_path_charges_a_decided_payment_again() -> None:
    # only pending/unknown lead to approved, and error (the gateway's late approval of the one request that
    # was sent, recorded instead of dropped): a payment is approved at most once
    sources = {s for s, targets in ALLOWED.items() if PaymentStatus.APPROVED in targets}
    assert sources == set(UNDECIDED) | {PaymentStatus.ERROR}
    assert not any(PaymentStatus.APPROVED in ALLOWED[s] for s in COLLECTED)
    assert COLLECTED.isdisjoint(UNDECIDED)


@given(st.integers(0, 10**9), st.lists(st.integers(1, 10**6), max_size=20), st.booleans())
def test_invoice_status_from_amounts(total: int, payments: list[int], voided: bool) -> None:
    paid = 0
    for p in payments:
        paid += p
        status = invoice_status(total, paid, voided)
        if voided:
            assert status == InvoiceStatus.VOIDED
        elif paid >= total:
            assert status == InvoiceStatus.PAID
        else:
            assert status == InvoiceStatus.PARTIALLY_PAID
    assert invoice_status(total, 0, False) == (InvoiceStatus.OPEN if total > 0 else InvoiceStatus.PAID)


@pytest.mark.parametrize(("current", "kind", "refunded", "expected"), [
    (PaymentStatus.APPROVED, "void", 0, PaymentStatus.VOIDED),
    (PaymentStatus.SETTLED, "refund", 40, PaymentStatus.PARTIALLY_REFUNDED),
    (PaymentStatus.PARTIALLY_REFUNDED, "refund", 100, PaymentStatus.REFUNDED),
    # issue #12.2: a refund or void the gateway completed on an eCheck the bank returned since
    (PaymentStatus.RETURNED, "refund", 40, PaymentStatus.RETURNED),
    (PaymentStatus.RETURNED, "void", 0, PaymentStatus.RETURNED),
])
def test_after_reversal(current: PaymentStatus, kind: str, refunded: int, expected: PaymentStatus) -> None:
    assert after_reversal(current, kind, refunded, 100) == expected


def test_illegal_transition_is_payapps_own_error() -> None:
    with pytest.raises(PayAppError, match="refunded cannot become settled"):
        transition(PaymentStatus.REFUNDED, PaymentStatus.SETTLED)

"""Issue #12 items 1, 2 and 6, issue #13 item 2: money safety of the payment engine, on SQLite and PostgreSQL,
against the sandbox gateway over loopback."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from payapp.domain.errors import PayAppError
from payapp.models import AuditEvent, Payment, Refund
from payapp.models.db import Database
from payapp.services.payments import PaymentRequest
from payapp.services.secrets import SecretStore
from tests.payment_helpers import (
    ServedGateway,
    bank,
    card,
    configure_processing,
    invoice_row,
    make_invoice,
    make_service,
)


async def _payment(db: Database, payment_id: int) -> Payment:
    async with db.sessions() as s:
        p = await s.get(Payment, payment_id)
        assert p is not None
        return p


async def _audit(db: Database) -> list[tuple[str, str]]:
    async with db.sessions() as s:
        rows = (await s.execute(select(AuditEvent.action, AuditEvent.details).order_by(AuditEvent.id))).all()
    return [(a, d or "") for a, d in rows]


async def test_refund_unknown_then_bank_return_does_not_stop_reconciliation(
        database: Database, secret_store: SecretStore, served_gateway: ServedGateway,
        http_client: httpx.AsyncClient) -> None:
    """#12.2: a partial refund of a settled eCheck whose answer is lost, then the bank returns the eCheck (as
    `late_return`, #13.2). Reconciliation records the refund without an illegal transition, flags the payment
    for a person, and still resolves the other undecided payment."""
    await configure_processing(database, secret_store, served_gateway.url)
    sandbox = served_gateway.sandbox
    inv_id = await make_invoice(database, total_minor=100_00)
    other_inv = await make_invoice(database, total_minor=50_00, number="INV-2002")
    svc = make_service(database, secret_store, http_client)
    ach = await svc.take_payment(PaymentRequest(inv_id, 100_00, bank(account="99990000")))
    assert ach.approved
    sandbox.settle_now(returns=False)
    assert (await svc.check_settlements()).settled == 1

    async def lose_refund_answer(point: str) -> None:
        if point == "refund_pending_committed":
            sandbox.add_fault("lose_answer")
            sandbox.add_fault("http_500", times=2, path="query")          # both quick look-ups

    faulty = make_service(database, secret_store, http_client, checkpoint=lose_refund_answer)
    assert (await faulty.void_or_refund(ach.payment_id, 40_00)).status == "unknown"
    assert sandbox.process_returns() == 1
    report = await svc.check_settlements()
    assert report.returned == 1
    assert (await _payment(database, ach.payment_id)).status == "returned"
    inv = await invoice_row(database, inv_id)
    assert (inv.paid_minor, inv.balance_minor, inv.status) == (0, 100_00, "open")

    sandbox.add_fault("lose_answer")
    sandbox.add_fault("http_500", times=2, path="query")
    card_pay = await svc.take_payment(PaymentRequest(other_inv, 50_00, card()))
    assert card_pay.status == "unknown"

    assert await svc.reconcile_undecided() == 2       # the refund and the other payment, no exception
    p = await _payment(database, ach.payment_id)
    assert p.status == "returned" and p.refunded_minor == 40_00
    assert "paid back twice" in p.attention
    async with database.sessions() as s:
        [refund] = (await s.scalars(select(Refund))).all()
    assert refund.status == "approved"
    inv = await invoice_row(database, inv_id)
    assert (inv.paid_minor, inv.balance_minor) == (0, 100_00)             # nothing moved twice
    assert (await _payment(database, card_pay.payment_id)).status == "approved"
    assert (await svc.check_settlements()).returned == 0
    assert await svc.reconcile_undecided() == 0


async def test_one_failing_row_is_flagged_and_the_rest_go_on(
        database: Database, secret_store: SecretStore, served_gateway: ServedGateway,
        http_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """#12.2: whatever one row raises, the others are reconciled; the failing one is flagged and logged."""
    await configure_processing(database, secret_store, served_gateway.url)
    sandbox = served_gateway.sandbox
    a_inv = await make_invoice(database, total_minor=50_00)
    b_inv = await make_invoice(database, total_minor=50_00, number="INV-2002")
    svc = make_service(database, secret_store, http_client)
    ids = []
    for inv in (a_inv, b_inv):
        sandbox.add_fault("lose_answer")
        sandbox.add_fault("http_500", times=2, path="query")
        r = await svc.take_payment(PaymentRequest(inv, 50_00, card()))
        assert r.status == "unknown"
        ids.append(r.payment_id)
    resolve = svc._resolve_payment

    async def broken_for_first(gateway, payment_id, actor, *, final):  # type: ignore[no-untyped-def]
        if payment_id == ids[0]:
            raise KeyError("surprise")
        return await resolve(gateway, payment_id, actor, final=final)

    monkeypatch.setattr(svc, "_resolve_payment", broken_for_first)
    assert await svc.reconcile_undecided() == 1
    first, second = await _payment(database, ids[0]), await _payment(database, ids[1])
    assert first.status == "unknown" and "could not finish checking" in first.attention
    assert second.status == "approved" and second.attention == ""
    assert any(a == "payment.needs_attention" for a, _ in await _audit(database))


async def test_failed_void_and_refund_attempts_are_audited(
        database: Database, secret_store: SecretStore, served_gateway: ServedGateway,
        http_client: httpx.AsyncClient) -> None:
    """#12.6: every void and refund attempt is audited with its outcome, the refused ones too."""
    await configure_processing(database, secret_store, served_gateway.url)
    sandbox = served_gateway.sandbox
    inv_id = await make_invoice(database, total_minor=100_00)
    svc = make_service(database, secret_store, http_client)
    pay = await svc.take_payment(PaymentRequest(inv_id, 100_00, card()))
    sandbox.add_fault("http_500", path="query")
    with pytest.raises(PayAppError, match="could not be asked"):
        await svc.void_or_refund(pay.payment_id)
    with pytest.raises(PayAppError, match="only be voided in full"):
        await svc.void_or_refund(pay.payment_id, 10_00)
    sandbox.add_fault("http_500")            # transact: no answer, then the look-ups find no void
    r = await svc.void_or_refund(pay.payment_id)
    assert r.status in ("unknown", "error")
    events = [(a, d) for a, d in await _audit(database) if a.startswith("payment.void")]
    assert [a for a, _ in events][:2] == ["payment.void_failed", "payment.void_failed"]
    assert "could not be asked" in events[0][1] and "voided in full" in events[1][1]
    assert len(events) == 3

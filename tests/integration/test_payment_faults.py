"""Fault matrix: whatever goes wrong between PayApp and the gateway, the end state has exactly the
charges the gateway has, and invoice balance = total − approved payments + refunds. Run against every gateway's
sandbox (NMI, PayEngine and PayPal, `served_any`; PayPal's payments go through its Express Checkout, the faults
armed on DoExpressCheckoutPayment): the engine is one implementation behind the gateway port."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from sqlalchemy import func, select

from payapp.models import OutboxJob, Payment, Refund
from payapp.models.db import Database
from payapp.services.payments import UNMATCHED_GRACE
from payapp.services.secrets import SecretStore
from tests.payment_helpers import (
    AnyServedGateway,
    expire_send_deadlines,
    invoice_row,
    make_invoice,
    make_service,
)

#: the NVP call that takes the money (PayPal's faults are armed on it: the calls before it only read or prepare)
PAYPAL_CHARGE = "DoExpressCheckoutPayment"


class ConnectTimeoutOnce(httpx.AsyncBaseTransport):
    """The first charge request (NMI transact.php, PayEngine orders/debit, PayPal's DoExpressCheckoutPayment) times
    out while connecting: it never leaves this computer."""

    def __init__(self, charge_path: str = "/transact.php") -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.armed = True
        self._path = charge_path

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._path == "/nvp" and b"METHOD=" + PAYPAL_CHARGE.encode() not in (request.content or b""):
            return await self._inner.handle_async_request(request)
        if self.armed and request.url.path.endswith(self._path):
            self.armed = False
            raise httpx.ConnectTimeout("connect timed out", request=request)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


# fault -> (what take_payment reports, what the gateway ends up with)
MATRIX = {
    "none": ("approved", 1),
    "connect_timeout": ("error", 0),          # timeout before sending
    "delay": ("approved", 1),                 # read timeout after the gateway processed it
    "lose_answer": ("approved", 1),           # processed, connection dropped, quick look-up finds it
    "reset": ("unknown", 0),                  # connection reset before processing: no match, decided later
    "http_500": ("unknown", 0),
    "http_500_after": ("approved", 1),
    "garbage": ("approved", 1),
}


async def _check_books(db: Database, served: AnyServedGateway, invoice_id: int, total: int) -> None:
    async with db.sessions() as s:
        payments = (await s.scalars(select(Payment).where(Payment.invoice_id == invoice_id))).all()
        pushes = await s.scalar(select(func.count()).select_from(OutboxJob)
                                .where(OutboxJob.kind == "accounting.push_payment"))
    order_ids = {served.order_key(p.order_id) for p in payments}
    charged = [t for t in served.sandbox.approved_sales() if t.order_id in order_ids]
    approved = [p for p in payments if p.status in ("approved", "settled", "partially_refunded", "refunded")]
    assert sorted(p.transaction_id for p in approved) == sorted(t.transaction_id for t in charged)
    assert len({t.order_id for t in charged}) == len(charged)          # never two charges for one order id
    assert pushes == len(approved)
    refunded_at_gateway = sum(int(t.refunded * 100) for t in charged)
    assert refunded_at_gateway == sum(p.refunded_minor for p in approved)
    inv = await invoice_row(db, invoice_id)
    # a refund that kept the invoice paid (the default, issue #15.7) leaves its money on the invoice
    async with db.sessions() as s:
        kept_paid = int(await s.scalar(select(func.coalesce(func.sum(Refund.amount_minor), 0)).where(
            Refund.payment_id.in_([p.id for p in approved] or [0]), Refund.kind == "refund",
            Refund.status == "approved", Refund.reopen_invoice.is_(False))) or 0)
    collected = sum(p.amount_minor - p.refunded_minor for p in approved) + kept_paid
    assert inv.balance_minor == total - collected
    assert inv.paid_minor == collected


@pytest.mark.parametrize("fault", list(MATRIX))
async def test_fault_matrix(database: Database, secret_store: SecretStore, served_any: AnyServedGateway,
                            fault: str) -> None:
    served_gateway = served_any
    await served_gateway.configure(database, secret_store)
    total = 100_00
    inv_id = await make_invoice(database, total_minor=total, currency=served_gateway.currency)
    transport = ConnectTimeoutOnce(served_gateway.charge_path)
    transport.armed = fault == "connect_timeout"
    async with httpx.AsyncClient(transport=transport) as client:
        svc = make_service(database, secret_store, client, timeout=0.3)
        only = {"method": PAYPAL_CHARGE} if served_gateway.name == "paypal" else {}
        if fault == "delay":
            served_gateway.sandbox.add_fault("delay", seconds=0.8, **only)
        elif fault not in ("none", "connect_timeout"):
            served_gateway.sandbox.add_fault(fault, **only)
        expected_status, expected_charges = MATRIX[fault]
        result = await served_gateway.pay(svc, inv_id, 40_00)
        assert result.status == expected_status, result.message
        await _check_books(database, served_gateway, inv_id, total)
        # start-up reconcile, then again after the no-match grace: everything decided, nothing charged twice
        await svc.reconcile_undecided()
        await expire_send_deadlines(database)
        later = make_service(database, secret_store, client,
                             clock=lambda: dt.datetime.now(dt.UTC) + UNMATCHED_GRACE + dt.timedelta(seconds=5))
        await later.reconcile_undecided()
        async with database.sessions() as s:
            statuses = list((await s.scalars(select(Payment.status))).all())
        assert statuses == ["approved" if expected_charges else "error"]
        assert len(served_gateway.sandbox.approved_sales()) == expected_charges
        await _check_books(database, served_gateway, inv_id, total)
        # the invoice can still be paid in full afterwards, and a refund keeps the books right
        rest = (await invoice_row(database, inv_id)).balance_minor
        # with the usual timeout: the 0.3 s above is for the faults, and a busy machine can take longer than that
        # for PayPal's three calls (SetExpressCheckout, the buyer's page, DoExpressCheckoutPayment) of this payment
        unhurried = make_service(database, secret_store, client)
        paid = await served_gateway.pay(unhurried, inv_id, rest, "5431111111111111", confirm_duplicate=True)
        assert paid.approved, paid.message
        served_gateway.sandbox.settle_now()
        if fault != "none":
            served_gateway.sandbox.add_fault(fault if fault not in ("delay", "connect_timeout") else "lose_answer",
                                             **({"method": "RefundTransaction"} if only else {}))
        refund = await svc.void_or_refund(paid.payment_id, 5_00)
        await later.reconcile_undecided()
        assert refund.status in ("approved", "unknown", "error")
        await _check_books(database, served_gateway, inv_id, total)
        async with database.sessions() as s:
            undecided = await s.scalar(select(func.count()).select_from(Payment)
                                       .where(Payment.status.in_(["pending", "unknown"])))
        assert undecided == 0

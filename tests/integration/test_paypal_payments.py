"""PayPal behind the gateway port, end to end against its sandbox on loopback: Express Checkout through the engine
(the pending row first, the buyer's approval, DoExpressCheckoutPayment on the return), cancel, a declined funding
source, a pending eCheck through PayPal, a reversal re-opening the invoice and reversing the books like an ACH
return, partial and full refunds, and switching gateway with earlier PayPal payments still refundable through
PayPal."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import func, select

from payapp.domain.errors import ConflictError, PayAppError
from payapp.models import OutboxJob, Payment
from payapp.models.db import Database
from payapp.sandbox.paypal import PayPalSandbox, create_paypal_app
from payapp.services.auth import CurrentUser
from payapp.services.payments import PaymentRequest, PaymentService
from payapp.services.processing import ProcessingSetupService
from payapp.services.secrets import SecretStore
from payapp.services.settings import SettingsService
from tests.payment_helpers import (
    ADMIN_ACTOR,
    PAYPAL_DECLINED,
    PAYPAL_ECHECK,
    ServedGateway,
    card,
    checkout_token,
    configure_paypal,
    configure_processing,
    hosted_urls,
    invoice_row,
    make_invoice,
    make_service,
    pay_by_paypal,
    query_of,
)
from tests.servers import serve_asgi


@dataclass
class ServedPayPal:
    sandbox: PayPalSandbox
    url: str


@pytest.fixture
def served_paypal() -> Iterator[ServedPayPal]:
    sandbox = PayPalSandbox()
    with serve_asgi(create_paypal_app(sandbox)) as url:
        yield ServedPayPal(sandbox, url)


@dataclass
class PayPalCase:
    """PayPal the active gateway (EUR), an invoice of 100.00 EUR and the payment service."""

    svc: PaymentService
    invoice_id: int
    sandbox: PayPalSandbox


@pytest.fixture
async def paypal_case(database: Database, secret_store: SecretStore, served_paypal: ServedPayPal,
                      http_client: httpx.AsyncClient) -> AsyncIterator[PayPalCase]:
    await configure_paypal(database, secret_store, served_paypal.url)
    invoice_id = await make_invoice(database, total_minor=100_00, currency="EUR")
    yield PayPalCase(make_service(database, secret_store, http_client), invoice_id, served_paypal.sandbox)


async def test_express_checkout_pays_the_invoice_with_invnum_our_order_id(
        database: Database, paypal_case: PayPalCase) -> None:
    svc, inv_id, sandbox = paypal_case.svc, paypal_case.invoice_id, paypal_case.sandbox
    started = await svc.take_payment(PaymentRequest(inv_id, 40_00, hosted_urls(), source="client_portal"))
    # the pending row exists before the buyer is sent to PayPal, and holds the amount against the invoice
    assert started.status == "pending" and "cmd=_express-checkout" in started.redirect_url
    async with database.sessions() as s:
        [row] = (await s.scalars(select(Payment))).all()
    assert row.status == "pending" and row.gateway == "paypal" and row.method == "paypal"
    [checkout] = sandbox.checkouts.values()
    assert checkout.invnum == started.order_id and checkout.return_url.endswith(f"/{started.order_id}/return")
    token = checkout_token(started.redirect_url)
    back = sandbox.approve(token, "SBXPAYS000001")
    returned = query_of(back)
    paid = await svc.finish_hosted_payment(started.order_id, returned)
    assert paid.approved, paid.message
    [sale] = sandbox.approved_sales()
    assert sale.order_id == started.order_id and sale.transaction_id == paid.transaction_id
    inv = await invoice_row(database, inv_id)
    assert (inv.paid_minor, inv.balance_minor) == (40_00, 60_00)
    # the return page reloaded: the recorded result again, nothing sent twice
    again = await svc.finish_hosted_payment(started.order_id, returned)
    assert again.approved and len(sandbox.approved_sales()) == 1
    # a second attempt has its own INVNUM (PayPal's duplicate protection is per attempt)
    second = await pay_by_paypal(svc, sandbox, inv_id, 10_00)
    assert second.approved and second.order_id != started.order_id
    assert len({s.order_id for s in sandbox.approved_sales()}) == 2


async def test_cancel_returns_with_nothing_charged_and_a_late_return_cannot_pay(
        database: Database, paypal_case: PayPalCase) -> None:
    svc, inv_id, sandbox = paypal_case.svc, paypal_case.invoice_id, paypal_case.sandbox
    started = await svc.take_payment(PaymentRequest(inv_id, 40_00, hosted_urls(), source="client_portal"))
    token = checkout_token(started.redirect_url)
    approved_elsewhere = sandbox.approve(token, "SBXPAYS000001")   # e.g. in another tab
    cancelled = await svc.cancel_hosted_payment(started.order_id)
    assert cancelled.status == "error" and "cancelled" in cancelled.message.english()
    late = await svc.finish_hosted_payment(started.order_id, query_of(approved_elsewhere))
    assert late.status == "error"
    assert sandbox.approved_sales() == []
    inv = await invoice_row(database, inv_id)
    assert (inv.paid_minor, inv.balance_minor) == (0, 100_00)


async def test_an_abandoned_checkout_is_closed_by_the_next_attempt(database: Database, paypal_case: PayPalCase) -> None:
    svc, inv_id, sandbox = paypal_case.svc, paypal_case.invoice_id, paypal_case.sandbox
    # the payer went to PayPal for the whole amount and came back with the browser's Back button
    left = await svc.take_payment(PaymentRequest(inv_id, 100_00, hosted_urls(), source="client_portal"))
    assert left.redirect_url
    paid = await pay_by_paypal(svc, sandbox, inv_id, 100_00, confirm_duplicate=True)
    assert paid.approved, paid.message
    async with database.sessions() as s:
        first = (await s.scalars(select(Payment).where(Payment.order_id == left.order_id))).one()
    assert first.status == "error"
    # the first checkout's approval, if it ever comes back, can no longer pay
    token = checkout_token(left.redirect_url)
    back = sandbox.approve(token, "SBXPAYS000001")
    late = await svc.finish_hosted_payment(left.order_id, query_of(back))
    assert late.status == "error" and len(sandbox.approved_sales()) == 1


async def test_declined_funding_is_declined_and_nothing_is_held(database: Database, paypal_case: PayPalCase) -> None:
    svc, inv_id, sandbox = paypal_case.svc, paypal_case.invoice_id, paypal_case.sandbox
    no = await pay_by_paypal(svc, sandbox, inv_id, 40_00, buyer=PAYPAL_DECLINED)
    assert no.status == "declined", no.message
    assert sandbox.approved_sales() == []
    assert (await invoice_row(database, inv_id)).balance_minor == 100_00


async def test_pending_echeck_through_paypal_then_completed_then_reversed_reopens_the_invoice(
        database: Database, paypal_case: PayPalCase) -> None:
    svc, inv_id, sandbox = paypal_case.svc, paypal_case.invoice_id, paypal_case.sandbox
    pending = await pay_by_paypal(svc, sandbox, inv_id, 60_00, buyer=PAYPAL_ECHECK)
    assert pending.approved, pending.message
    # accepted, not yet money: no settlement, and PayPal refuses a refund of it (PayApp says why first)
    assert (await svc.check_settlements()).settled == 0
    with pytest.raises(ConflictError, match="pending"):
        await svc.void_or_refund(pending.payment_id)
    sandbox.complete_pending()
    assert (await svc.check_settlements()).settled == 1
    inv = await invoice_row(database, inv_id)
    assert (inv.paid_minor, inv.balance_minor) == (60_00, 40_00)
    # a dispute: PayPal reverses the payment; the invoice is owed again and the books are reversed once
    sandbox.reverse(pending.transaction_id)
    report = await svc.check_settlements()
    assert report.returned == 1
    assert (await svc.check_settlements()).returned == 0
    async with database.sessions() as s:
        p = await s.get(Payment, pending.payment_id)
        reversals = await s.scalar(select(func.count()).select_from(OutboxJob).where(
            OutboxJob.kind == "accounting.reverse_returned_payment", OutboxJob.payment_id == pending.payment_id))
    assert p is not None and p.status == "returned" and p.returned_at is not None
    assert reversals == 1
    inv = await invoice_row(database, inv_id)
    assert (inv.paid_minor, inv.balance_minor) == (0, 100_00)


async def test_refund_part_then_the_rest_through_paypal(database: Database, paypal_case: PayPalCase) -> None:
    svc, inv_id, sandbox = paypal_case.svc, paypal_case.invoice_id, paypal_case.sandbox
    paid = await pay_by_paypal(svc, sandbox, inv_id, 50_00)
    # PayPal has no void of a sale: a completed payment is refunded, even before a settlement check ran
    part = await svc.void_or_refund(paid.payment_id, 20_00)
    assert part.approved and part.kind == "refund", part.message
    rest = await svc.void_or_refund(paid.payment_id)
    assert rest.approved and rest.kind == "refund", rest.message
    [sale] = sandbox.approved_sales()
    assert sale.refunded == 50 and sale.status == "Refunded"
    async with database.sessions() as s:
        p = await s.get(Payment, paid.payment_id)
    assert p is not None and p.status == "refunded" and p.refunded_minor == 50_00


async def test_back_office_cannot_take_paypal_and_paypal_takes_no_card(paypal_case: PayPalCase) -> None:
    svc, inv_id, sandbox = paypal_case.svc, paypal_case.invoice_id, paypal_case.sandbox
    with pytest.raises(PayAppError):
        await svc.take_payment(PaymentRequest(inv_id, 10_00, hosted_urls()))              # back office
    with pytest.raises(PayAppError):
        await svc.take_payment(PaymentRequest(inv_id, 10_00, card()))
    assert sandbox.checkouts == {}


async def test_switching_gateway_keeps_paypal_payments_refundable_through_paypal(
        database: Database, secret_store: SecretStore, served_paypal: ServedPayPal, served_gateway: ServedGateway,
        http_client: httpx.AsyncClient) -> None:
    await configure_paypal(database, secret_store, served_paypal.url, currency="USD")
    inv_id = await make_invoice(database, total_minor=300_00, currency="USD")
    svc = make_service(database, secret_store, http_client)
    by_paypal = await pay_by_paypal(svc, served_paypal.sandbox, inv_id, 50_00)
    assert by_paypal.approved
    # the admin switches to NMI (the PayPal credentials stay in the keyring)
    await configure_processing(database, secret_store, served_gateway.url)
    admin = ProcessingSetupService(SettingsService(database, secret_store, CurrentUser(ADMIN_ACTOR)), secret_store,
                                   CurrentUser(ADMIN_ACTOR), None)
    await admin.choose_gateway("nmi")
    by_nmi = await svc.take_payment(PaymentRequest(inv_id, 60_00, card()))
    assert by_nmi.approved
    refund = await svc.void_or_refund(by_paypal.payment_id, 10_00)
    assert refund.approved and refund.kind == "refund", refund.message
    [sale] = served_paypal.sandbox.approved_sales()
    assert sale.refunded == 10
    assert len(served_gateway.sandbox.approved_sales()) == 1           # nothing of PayPal's went to NMI
    # settlement checks ask PayPal about its payment, and a reversal there still re-opens the invoice
    served_paypal.sandbox.reverse(by_paypal.transaction_id)
    report = await svc.check_settlements()
    assert report.returned == 1
    async with database.sessions() as s:
        p = await s.get(Payment, by_paypal.payment_id)
    assert p is not None and p.status == "returned"

"""Issue 13 (gateway items 1, 3, 4, 5, 6, 7): the sandbox refuses what the real NMI gateway refuses, and the
engine sends what the real gateway needs. Everything runs against the sandbox served by uvicorn on loopback,
on SQLite and PostgreSQL."""

from __future__ import annotations

import time

import httpx
import pytest
from sqlalchemy import select

from payapp.connectors.gateways.nmi import CardData, CheckData, NmiGateway, StoredCredential
from payapp.models import Payment, Refund, SavedPaymentMethod
from payapp.models.db import Database
from payapp.sandbox.gateway import DEMO_SECURITY_KEY
from payapp.services.payments import PaymentRequest, SavedMethodRef
from payapp.services.secrets import SecretStore
from tests.payment_helpers import (
    MASTERCARD,
    ServedGateway,
    ach_consent,
    bank,
    card,
    configure_processing,
    invoice_row,
    make_invoice,
    make_service,
    payments_by_status,
)

VISA = CardData("4111111111111111", "1230", "999")
ACH = CheckData("Acme", "490000018", "24413815")


@pytest.fixture
def gw(http_client: httpx.AsyncClient, served_gateway: ServedGateway) -> NmiGateway:
    return NmiGateway(http_client, served_gateway.url, DEMO_SECURITY_KEY)


# ------------------------------------------------------------------ 1. payment=check on ACH void and refund

async def test_sandbox_refuses_ach_void_and_refund_without_payment_check(gw: NmiGateway,
                                                                        served_gateway: ServedGateway) -> None:
    sale = await gw.sale_check(order_id="ach-1", amount="40.00", currency="USD", check=ACH)
    assert sale.approved
    refused = await gw.void(sale.transaction_id)                       # payment=creditcard (the default)
    assert (refused.response, refused.outcome) == ("3", "error")
    assert refused.message.startswith("Invalid Transaction ID specified REFID:")
    assert (await gw.void(sale.transaction_id, payment="check")).approved
    sale2 = await gw.sale_check(order_id="ach-2", amount="41.00", currency="USD", check=ACH)
    served_gateway.sandbox.settle_now(returns=False)
    assert (await gw.refund(sale2.transaction_id, amount="1.00")).response == "3"
    assert (await gw.refund(sale2.transaction_id, amount="1.00", payment="check")).approved
    card_sale = await gw.sale_card(order_id="cc-1", amount="42.00", currency="USD", card=VISA)
    assert (await gw.void(card_sale.transaction_id, payment="check")).response == "3"   # a card is not a check
    assert (await gw.void(card_sale.transaction_id)).approved


async def test_engine_voids_and_refunds_an_echeck(database: Database, secret_store: SecretStore,
                                                  served_gateway: ServedGateway,
                                                  http_client: httpx.AsyncClient) -> None:
    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=200_00)
    svc = make_service(database, secret_store, http_client)
    p1 = await svc.take_payment(PaymentRequest(inv_id, 50_00, bank()))
    assert p1.approved
    v = await svc.void_or_refund(p1.payment_id, reason="wrong account")
    assert v.approved and v.kind == "void", v.message
    p2 = await svc.take_payment(PaymentRequest(inv_id, 60_00, bank()), confirm_duplicate=True)
    assert p2.approved
    served_gateway.sandbox.settle_now(returns=False)
    r = await svc.void_or_refund(p2.payment_id, 20_00)
    assert r.approved and r.kind == "refund", r.message
    # the void re-opened its 50.00; the refund keeps the invoice paid (the default, issue #15.7)
    assert (await invoice_row(database, inv_id)).balance_minor == 200_00 - 60_00


# ------------------------------------------------------------------ 3. the gateway's duplicate check

async def test_sandbox_duplicate_check_ignores_the_order_id(gw: NmiGateway, served_gateway: ServedGateway) -> None:
    assert (await gw.sale_card(order_id="d-1", amount="7.00", currency="USD", card=VISA)).approved
    dup = await gw.sale_card(order_id="d-2", amount="7.00", currency="USD", card=VISA)
    # the real answer's shape: response=3, "Duplicate transaction REFID:<n>", response_code=300
    assert (dup.response, dup.response_code, dup.duplicate) == ("3", "300", True)
    assert dup.message.startswith("Duplicate transaction REFID:") and dup.transaction_id == ""
    assert await gw.query_order("d-2") == []                          # nothing processed
    assert (await gw.sale_card(order_id="d-3", amount="7.01", currency="USD", card=VISA)).approved
    assert (await gw.sale(order_id="d-4", amount="7.00", currency="USD", payment=VISA, dup_seconds=0)).approved
    # the same account by eCheck, too
    assert (await gw.sale_check(order_id="d-5", amount="9.00", currency="USD", check=ACH)).approved
    assert (await gw.sale_check(order_id="d-6", amount="9.00", currency="USD", check=ACH)).duplicate
    # the default window is 1200 s; a shorter dup_seconds lets it through after that many seconds
    served_gateway.sandbox.clock = lambda: time.time() + 30
    assert (await gw.sale(order_id="d-7", amount="7.00", currency="USD", payment=VISA, dup_seconds=20)).approved
    served_gateway.sandbox.clock = lambda: time.time() + 1300
    assert (await gw.sale_check(order_id="d-8", amount="9.00", currency="USD", check=ACH)).approved
    assert (await gw.sale(order_id="d-9", amount="1.00", currency="USD", payment=VISA,
                          dup_seconds=-1)).response == "3"


async def test_gateway_duplicate_is_told_at_once_and_nothing_is_charged(
        database: Database, secret_store: SecretStore, served_gateway: ServedGateway,
        http_client: httpx.AsyncClient) -> None:
    """Two invoices of the same customer, same card, same amount: PayApp does not warn (other invoice), the
    gateway refuses the second as a duplicate. The user hears it now; the payment is closed, not unknown."""
    await configure_processing(database, secret_store, served_gateway.url)
    inv1 = await make_invoice(database, total_minor=100_00, number="INV-1")
    company_id = (await invoice_row(database, inv1)).company_id
    inv2 = await make_invoice(database, total_minor=100_00, number="INV-2", company_id=company_id)
    svc = make_service(database, secret_store, http_client)
    assert (await svc.take_payment(PaymentRequest(inv1, 30_00, card()))).approved
    second = await svc.take_payment(PaymentRequest(inv2, 30_00, card()))
    assert second.status == "error"
    assert "duplicate" in second.message.english() and "Nothing was charged" in second.message.english()
    assert await payments_by_status(database, inv2) == {"error": 1}
    assert (await invoice_row(database, inv2)).balance_minor == 100_00
    assert len(served_gateway.sandbox.approved_sales()) == 1
    assert await svc.reconcile_undecided() == 0                        # nothing left undecided


async def test_confirmed_duplicate_is_sent_with_dup_seconds_zero(
        database: Database, secret_store: SecretStore, served_gateway: ServedGateway,
        http_client: httpx.AsyncClient) -> None:
    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=100_00)
    svc = make_service(database, secret_store, http_client)
    assert (await svc.take_payment(PaymentRequest(inv_id, 25_00, card()))).approved
    again = await svc.take_payment(PaymentRequest(inv_id, 25_00, card()), confirm_duplicate=True)
    assert again.approved, again.message
    assert len(served_gateway.sandbox.approved_sales()) == 2


# ------------------------------------------------------------------ 4. refunds found among the original's actions

async def test_sandbox_keeps_no_order_id_on_refunds(gw: NmiGateway, served_gateway: ServedGateway) -> None:
    sale = await gw.sale_card(order_id="r-1", amount="30.00", currency="USD", card=VISA)
    served_gateway.sandbox.settle_now()
    assert (await gw.refund(sale.transaction_id, amount="10.00")).approved
    refunds = [t for t in served_gateway.sandbox.transactions.values() if t.kind == "refund"]
    assert [t.order_id for t in refunds] == [""]
    [t] = await gw.query_transactions(sale.transaction_id)
    assert [(a.action_type, a.amount) for a in t.actions if a.action_type == "refund"] == [("refund", "10.00")]


@pytest.mark.parametrize("quick", [True, False], ids=["quick-lookup", "reconcile"])
async def test_lost_refund_answer_is_found_by_the_original_transaction(
        database: Database, secret_store: SecretStore, served_gateway: ServedGateway,
        http_client: httpx.AsyncClient, quick: bool) -> None:
    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=100_00)
    svc = make_service(database, secret_store, http_client, lookup_delays=(0.01,) if quick else ())
    p = await svc.take_payment(PaymentRequest(inv_id, 90_00, card()))
    served_gateway.sandbox.settle_now()
    first = await svc.void_or_refund(p.payment_id, 10_00)
    assert first.approved
    served_gateway.sandbox.add_fault("lose_answer")                    # processed, answer lost
    second = await svc.void_or_refund(p.payment_id, 10_00)             # the same amount again
    if not quick:
        assert second.status == "unknown"
        assert await svc.reconcile_undecided() == 1
    async with database.sessions() as s:
        statuses = (await s.scalars(select(Refund.status).order_by(Refund.id))).all()
    assert list(statuses) == ["approved", "approved"]
    assert (await invoice_row(database, inv_id)).balance_minor == 10_00      # refunds keep it paid


async def test_refund_never_sent_is_not_taken_for_an_earlier_one(
        database: Database, secret_store: SecretStore, served_gateway: ServedGateway,
        http_client: httpx.AsyncClient) -> None:
    """A refund of the same amount that the gateway never got must not be matched to the earlier refund."""
    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=100_00)
    svc = make_service(database, secret_store, http_client)
    p = await svc.take_payment(PaymentRequest(inv_id, 90_00, card()))
    served_gateway.sandbox.settle_now()
    assert (await svc.void_or_refund(p.payment_id, 10_00)).approved
    served_gateway.sandbox.add_fault("reset")                          # dropped before processing
    second = await svc.void_or_refund(p.payment_id, 10_00)
    assert second.status == "unknown"
    assert sum(t.refunded for t in served_gateway.sandbox.approved_sales()) == 10


# ------------------------------------------------------------------ 5. stored credentials

async def test_stored_credentials_first_use_and_later_use(database: Database, secret_store: SecretStore,
                                                          served_gateway: ServedGateway,
                                                          http_client: httpx.AsyncClient) -> None:
    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=100_00)
    company_id = (await invoice_row(database, inv_id)).company_id
    svc = make_service(database, secret_store, http_client)
    first = await svc.take_payment(PaymentRequest(inv_id, 20_00, card(), save_method=True))
    assert first.approved
    sandbox = served_gateway.sandbox
    assert sandbox.transactions[first.transaction_id].stored_credential == "stored"
    async with database.sessions() as s:
        [m] = (await s.scalars(select(SavedPaymentMethod))).all()
    assert m.initial_transaction_id == first.transaction_id
    later = await svc.take_payment(PaymentRequest(inv_id, 21_00, SavedMethodRef(m.id)))
    assert later.approved, later.message
    assert sandbox.transactions[later.transaction_id].stored_credential == "used"
    # eChecks carry no card-on-file fields (the sandbox refuses them for checks)
    ach = await svc.take_payment(PaymentRequest(inv_id, 22_00, bank(), save_method=True))
    assert ach.approved, ach.message
    assert sandbox.transactions[ach.transaction_id].stored_credential == ""
    ach_m = next(x for x in await svc.saved_methods(company_id) if x.method == "echeck")
    again = await svc.take_payment(PaymentRequest(inv_id, 23_00, SavedMethodRef(ach_m.id, ach_consent())))
    assert again.approved and sandbox.transactions[again.transaction_id].stored_credential == ""


async def test_sandbox_checks_stored_credential_fields(gw: NmiGateway) -> None:
    first = await gw.sale(order_id="sc-1", amount="5.00", currency="USD", payment=VISA, save_as="v-1",
                          stored_credential=StoredCredential("stored"))
    assert first.approved
    ok = await gw.sale_vault(order_id="sc-2", amount="6.00", currency="USD", customer_vault_id="v-1",
                             stored_credential=StoredCredential("used", "customer", first.transaction_id))
    assert ok.approved
    for bad in (StoredCredential("used", "customer", ""), StoredCredential("used", "merchant", "5550999999")):
        r = await gw.sale_vault(order_id="sc-3", amount="7.00", currency="USD", customer_vault_id="v-1",
                                stored_credential=bad)
        assert (r.response, r.outcome) == ("3", "error") and "initial_transaction_id" in r.message
    r = await gw.sale_check(order_id="sc-4", amount="8.00", currency="USD", check=ACH)
    assert r.approved
    r = await gw.sale(order_id="sc-5", amount="8.50", currency="USD", payment=ACH,
                      stored_credential=StoredCredential("stored"))
    assert r.response == "3"                                          # card-on-file fields are for cards


# ------------------------------------------------------------------ 6. rate limits

@pytest.mark.parametrize("fault", ["rate_limit", "http_429"])
async def test_sandbox_rate_limits_process_nothing(gw: NmiGateway, served_gateway: ServedGateway,
                                                   fault: str) -> None:
    served_gateway.sandbox.add_fault(fault)
    r = await gw.sale_card(order_id=f"rl-{fault}", amount="5.00", currency="USD", card=VISA)
    assert (r.outcome, r.rate_limited) == ("error", True)
    if fault == "rate_limit":
        assert (r.response, r.response_code, r.message) == ("3", "301", "Rate limit exceeded")
    assert await gw.query_order(f"rl-{fault}") == []


@pytest.mark.parametrize("fault", ["rate_limit", "http_429"])
async def test_rate_limited_payment_is_not_unknown(database: Database, secret_store: SecretStore,
                                                   served_gateway: ServedGateway, http_client: httpx.AsyncClient,
                                                   fault: str) -> None:
    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=100_00)
    svc = make_service(database, secret_store, http_client)
    served_gateway.sandbox.add_fault(fault)
    r = await svc.take_payment(PaymentRequest(inv_id, 10_00, card(MASTERCARD)))
    assert r.status == "error"
    assert "too many requests" in r.message.english() and "try again" in r.message.english()
    async with database.sessions() as s:
        p = await s.get(Payment, r.payment_id)
        assert p is not None and p.next_check_at is None
    assert served_gateway.sandbox.approved_sales() == []
    paid = await svc.take_payment(PaymentRequest(inv_id, 10_00, card(MASTERCARD)))      # try again: fine
    assert paid.approved
    served_gateway.sandbox.settle_now()
    served_gateway.sandbox.add_fault(fault)
    rr = await svc.void_or_refund(paid.payment_id, 1_00)
    assert rr.status == "error" and "too many requests" in rr.message.english()
    assert (await invoice_row(database, inv_id)).balance_minor == 90_00


def test_rate_limit_fault_is_known() -> None:
    from payapp.sandbox.gateway import FAULT_KINDS

    assert {"rate_limit", "http_429"} <= FAULT_KINDS


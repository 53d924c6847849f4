"""PayEngine behind the gateway port, end to end against its sandbox on loopback: euro card payments and SEPA
direct debits (pending until settled, the mandate kept with the payment, a bank return re-opening the invoice and
reversing the books like an ACH return), the hosted payment page, switching gateway with earlier payments still
voidable and refundable through the gateway that took them, and `payapp sandbox --which payengine`."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from payapp.connectors.gateways.payengine import PayEngineAdapter
from payapp.connectors.gateways.port import HostedStep
from payapp.domain.errors import PayAppError, ValidationError
from payapp.domain.money import Money
from payapp.models import OutboxJob, Payment, SepaMandate
from payapp.models.db import Database
from payapp.sandbox.payengine import (
    DEMO_API_KEY,
    DEMO_MERCHANT_ID,
    PAYPAL_PAYER_EMAIL,
    PayEngineSandbox,
    create_payengine_app,
)
from payapp.services.auth import CurrentUser
from payapp.services.gateways import GatewayProvider
from payapp.services.payments import PaymentRequest, SavedMethodRef
from payapp.services.processing import ProcessingSetupService
from payapp.services.secrets import SecretStore
from payapp.services.settings import SettingsService, evaluate_processing
from tests.payment_helpers import (
    ADMIN_ACTOR,
    IBAN_DECLINED,
    IBAN_OK,
    IBAN_RETURNED,
    ServedGateway,
    ServedPayEngine,
    card,
    configure_payengine,
    configure_processing,
    invoice_row,
    make_invoice,
    make_service,
    sepa_debit,
)
from tests.servers import free_port


async def test_card_payment_in_euro_void_and_refund(database: Database, secret_store: SecretStore,
                                                    served_payengine: ServedPayEngine,
                                                    http_client: httpx.AsyncClient) -> None:
    await configure_payengine(database, secret_store, served_payengine.url)
    inv_id = await make_invoice(database, total_minor=300_00, currency="EUR")
    svc = make_service(database, secret_store, http_client)
    a = await svc.take_payment(PaymentRequest(inv_id, 100_00, card()))
    assert a.approved and "/" in a.transaction_id, a.message
    void = await svc.void_or_refund(a.payment_id)
    assert void.approved and void.kind == "void"
    b = await svc.take_payment(PaymentRequest(inv_id, 120_00, card("5431111111111111")), confirm_duplicate=True)
    assert b.approved
    declined = await svc.take_payment(PaymentRequest(inv_id, 50_00, card("4000000000000002")))
    assert declined.status == "declined"
    served_payengine.sandbox.settle_now()
    report = await svc.check_settlements()
    assert report.settled == 1
    part = await svc.void_or_refund(b.payment_id, 20_00)
    assert part.approved and part.kind == "refund" and part.payment_status == "partially_refunded"
    inv = await invoice_row(database, inv_id)
    assert (inv.paid_minor, inv.balance_minor) == (120_00, 180_00)       # a refund keeps the invoice paid
    async with database.sessions() as s:
        gateways = set((await s.scalars(select(Payment.gateway))).all())
    assert gateways == {"payengine"}


async def test_sepa_debit_pending_until_settled_mandate_kept_and_a_return_reopens_the_invoice(
        database: Database, secret_store: SecretStore, served_payengine: ServedPayEngine,
        http_client: httpx.AsyncClient) -> None:
    await configure_payengine(database, secret_store, served_payengine.url)
    inv_id = await make_invoice(database, total_minor=200_00, currency="EUR")
    svc = make_service(database, secret_store, http_client)
    ok = await svc.take_payment(PaymentRequest(inv_id, 80_00, sepa_debit(IBAN_OK)))
    assert ok.approved and ok.pending_settlement and "SEPA" in ok.message.english(), ok.message
    returned = await svc.take_payment(PaymentRequest(inv_id, 70_00, sepa_debit(IBAN_RETURNED)))
    assert returned.approved and returned.pending_settlement
    no = await svc.take_payment(PaymentRequest(inv_id, 10_00, sepa_debit(IBAN_DECLINED)))
    assert no.status == "declined"
    async with database.sessions() as s:
        mandates = (await s.scalars(select(SepaMandate).order_by(SepaMandate.id))).all()
        pays = {p.id: p for p in (await s.scalars(select(Payment))).all()}
    assert len(mandates) == 3
    m = mandates[0]
    assert m.payment_id == ok.payment_id and m.mandate_reference.startswith(f"PA{ok.payment_id}-")
    assert m.iban_country == "DE" and m.iban_last_four == IBAN_OK[-4:] and "SEPA Direct Debit Mandate" in m.wording_text
    assert len(m.wording_hash) == 64 and m.mandate_date == m.authorized_at.date()
    assert pays[ok.payment_id].method == "sepa" and pays[ok.payment_id].last_four == IBAN_OK[-4:]
    # the mandate went to PayEngine with the payment (its reference, not the IBAN, is what the sandbox keeps)
    sent = [o for o in served_payengine.sandbox.orders.values() if o.get("mandate")]
    assert {o["mandate"]["mandateId"] for o in sent} == {x.mandate_reference for x in mandates}

    # pending until the bank settles; then the returning IBAN comes back as a chargeback
    assert (await svc.check_settlements()).settled == 0
    inv = await invoice_row(database, inv_id)
    assert inv.paid_minor == 150_00
    served_payengine.sandbox.settle_now()
    report = await svc.check_settlements()
    assert report.settled == 2 and report.returned == 1
    async with database.sessions() as s:
        statuses = {p.id: p.status for p in (await s.scalars(select(Payment))).all()}
        reversals = await s.scalar(select(func.count()).select_from(OutboxJob).where(
            OutboxJob.kind == "accounting.reverse_returned_payment", OutboxJob.payment_id == returned.payment_id))
    assert statuses[ok.payment_id] == "settled" and statuses[returned.payment_id] == "returned"
    assert reversals == 1
    inv = await invoice_row(database, inv_id)
    assert (inv.paid_minor, inv.balance_minor) == (80_00, 120_00)      # the returned 70.00 is owed again
    assert (await svc.check_settlements()).returned == 0                # recorded once
    # Payment Search's details show the mandate as kept (reference, wording; never the IBAN)
    from payapp.services.payment_search import PaymentSearchService

    details = await PaymentSearchService(database, CurrentUser(ADMIN_ACTOR)).details(ok.payment_id)
    assert details.sepa_mandate is not None and details.sepa_mandate.mandate_reference == m.mandate_reference
    assert details.sepa_mandate.wording_text == m.wording_text and details.ach_authorization is None
    # the receipt carries the debtor's copy of the mandate (as an eCheck's carries the ACH authorization)
    from payapp.services.receipts import ReceiptService, render_receipt_html

    receipts = ReceiptService(database, SettingsService(database, secret_store, CurrentUser(ADMIN_ACTOR)),
                              CurrentUser(ADMIN_ACTOR))
    html = render_receipt_html(await receipts.receipt(ok.payment_id), "de")
    assert "SEPA-Lastschriftmandat" in html and m.mandate_reference in html and "SEPA-Lastschrift …3000" in html
    assert IBAN_OK not in html and IBAN_OK[4:] not in html


async def test_sepa_is_checked_before_anything_is_sent(database: Database, secret_store: SecretStore,
                                                       served_payengine: ServedPayEngine,
                                                       http_client: httpx.AsyncClient) -> None:
    await configure_payengine(database, secret_store, served_payengine.url)
    inv_id = await make_invoice(database, total_minor=100_00, currency="EUR")
    svc = make_service(database, secret_store, http_client)
    with pytest.raises(ValidationError, match="IBAN"):
        await svc.take_payment(PaymentRequest(inv_id, 10_00, sepa_debit("DE89370400440532013001")))
    no_mandate = sepa_debit()
    object.__setattr__(no_mandate, "mandate_text", "")
    with pytest.raises(ValidationError, match="mandate"):
        await svc.take_payment(PaymentRequest(inv_id, 10_00, no_mandate))
    assert served_payengine.sandbox.orders == {}
    async with database.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Payment)) == 0


def test_payment_types_follow_gateway_and_currency() -> None:
    base = {"gateway.name": "payengine", "currency": "USD", "gateway.payengine.api_key_fingerprint": "fp",
            "gateway.keys_changed_by": "", **{f"payment_types.{e}.{t}": True for e in ("back_office", "portal")
                                              for t in ("card", "echeck", "sepa")}}
    usd = evaluate_processing(base, "fp")
    # SEPA euro-only, eCheck not here; the portal's cards go through PayEngine's hosted page
    assert usd.back_office == {"card"} and usd.portal == {"card"}
    eur = evaluate_processing({**base, "currency": "EUR"}, "fp")
    assert eur.back_office == {"card", "sepa"}
    nmi = evaluate_processing({**base, "gateway.name": "nmi", "gateway.private_key_fingerprint": "fp"}, "fp")
    assert nmi.back_office == {"card", "echeck"} and nmi.portal == {"card", "echeck"}


async def test_switching_gateway_keeps_earlier_payments_with_the_gateway_that_took_them(
        database: Database, secret_store: SecretStore, served_gateway: ServedGateway,
        served_payengine: ServedPayEngine, http_client: httpx.AsyncClient) -> None:
    await configure_processing(database, secret_store, served_gateway.url)          # NMI, USD
    inv_id = await make_invoice(database, total_minor=500_00)
    svc = make_service(database, secret_store, http_client)
    by_nmi_void = await svc.take_payment(PaymentRequest(inv_id, 50_00, card()))
    by_nmi_refund = await svc.take_payment(PaymentRequest(inv_id, 60_00, card("5431111111111111")))
    assert by_nmi_void.approved and by_nmi_refund.approved
    served_gateway.sandbox.settle_now()            # the second one settles at NMI (then a refund, not a void)
    by_nmi_void2 = await svc.take_payment(PaymentRequest(inv_id, 70_00, card(), save_method=True),
                                          confirm_duplicate=True)
    assert by_nmi_void2.approved

    # the admin switches to PayEngine (USD: cards only) and enters its credentials
    await configure_payengine(database, secret_store, served_payengine.url, currency="USD")
    admin = ProcessingSetupService(SettingsService(database, secret_store, CurrentUser(ADMIN_ACTOR)), secret_store,
                                   CurrentUser(ADMIN_ACTOR), None)
    await admin.choose_gateway("payengine")
    by_pe = await svc.take_payment(PaymentRequest(inv_id, 80_00, card()), confirm_duplicate=True)
    assert by_pe.approved and by_pe.transaction_id in {s.transaction_id for s in
                                                       served_payengine.sandbox.approved_sales()}
    nmi_sales_before = len(served_gateway.sandbox.approved_sales())
    # a card saved in NMI's vault cannot be charged through PayEngine: refused before anything is sent
    [saved] = await svc.saved_methods((await invoice_row(database, inv_id)).company_id)
    with pytest.raises(ValidationError, match="another gateway"):
        await svc.take_payment(PaymentRequest(inv_id, 5_00, SavedMethodRef(saved.id)))
    assert len(served_payengine.sandbox.orders) == 1

    # the NMI payments are voided and refunded at NMI; the PayEngine one at PayEngine
    void = await svc.void_or_refund(by_nmi_void2.payment_id)
    refund = await svc.void_or_refund(by_nmi_refund.payment_id, 10_00)
    pe_void = await svc.void_or_refund(by_pe.payment_id)
    assert void.approved and void.kind == "void", void.message
    assert refund.approved and refund.kind == "refund", refund.message
    assert pe_void.approved and pe_void.kind == "void", pe_void.message
    nmi_tx = {t.transaction_id: t for t in served_gateway.sandbox.approved_sales()}
    assert any(a.action_type == "void" for a in nmi_tx[by_nmi_void2.transaction_id].actions)   # voided at NMI
    assert nmi_tx[by_nmi_refund.transaction_id].refunded == 10
    assert len(served_gateway.sandbox.approved_sales()) == nmi_sales_before   # nothing new charged at NMI
    assert by_pe.transaction_id not in {s.transaction_id for s in served_payengine.sandbox.approved_sales()}
    # settlement checks and reconciliation ask each payment's own gateway
    served_gateway.sandbox.settle_now()
    assert (await svc.check_settlements()).settled == 1                   # the first NMI payment
    assert await svc.reconcile_undecided() == 0
    # switching back works the same way
    await admin.choose_gateway("nmi")
    again = await svc.take_payment(PaymentRequest(inv_id, 90_00, card()), confirm_duplicate=True)
    assert again.approved and again.transaction_id in {t.transaction_id for t in
                                                       served_gateway.sandbox.approved_sales()}


async def test_a_payment_through_a_gateway_whose_keys_are_gone_is_refused_cleanly(
        database: Database, secret_store: SecretStore, served_gateway: ServedGateway,
        served_payengine: ServedPayEngine, http_client: httpx.AsyncClient) -> None:
    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=100_00)
    svc = make_service(database, secret_store, http_client)
    paid = await svc.take_payment(PaymentRequest(inv_id, 40_00, card()))
    await configure_payengine(database, secret_store, served_payengine.url, currency="USD")
    secret_store.delete("gateway.private_key")
    svc._settings.local_key.forget()
    with pytest.raises(PayAppError, match="BNG Gateway"):
        await svc.void_or_refund(paid.payment_id)
    assert len(served_gateway.sandbox.approved_sales()) == 1             # nothing changed at NMI


async def test_hosted_payment_page_approve_and_cancel(served_payengine: ServedPayEngine,
                                                      http_client: httpx.AsyncClient) -> None:
    gw = PayEngineAdapter(http_client, served_payengine.url, DEMO_MERCHANT_ID, DEMO_API_KEY)
    for choice, expected in (("approve", "approved"), ("cancel", "declined")):
        order_id = f"pa9-hosted{choice}"
        step = await gw.start_hosted(order_id=order_id, amount=Money(25_00, "EUR"), product="creditcard",
                                     success_url="https://portal.example/ok", failure_url="https://portal.example/no",
                                     cancel_url="https://portal.example/cancel")
        assert isinstance(step, HostedStep), step
        page = await http_client.get(step.redirect_url)
        assert page.status_code == 200 and 'id="approve"' in page.text.replace("id=approve", 'id="approve"')
        assert (await gw.find_order(order_id))[0].state == "pending"          # undecided while the payer is there
        back = await http_client.post(step.redirect_url, data={"choice": choice}, follow_redirects=False)
        assert back.status_code == 303
        assert back.headers["location"] == ("https://portal.example/ok" if choice == "approve"
                                            else "https://portal.example/cancel")
        [t] = await gw.find_order(order_id)
        assert (t.action("sale") is not None) == (expected == "approved")
        finished = await gw.finish_hosted(order_id=order_id, amount=Money(25_00, "EUR"), returned={})
        assert finished.outcome == expected and (finished.transaction_id == t.transaction_id
                                                 or expected != "approved")
        assert t.state == ("pending_settlement" if expected == "approved" else "failed")


async def test_sandbox_refuses_what_payengine_refuses(served_payengine: ServedPayEngine,
                                                      http_client: httpx.AsyncClient) -> None:
    url = served_payengine.url
    wrong = await http_client.get(f"{url}/orders", auth=(DEMO_MERCHANT_ID, "wrong"))
    assert wrong.status_code == 401 and set(wrong.json()) == {"status", "message", "code", "elements"}
    auth = (DEMO_MERCHANT_ID, DEMO_API_KEY)
    for body, field in (({"initialAmount": 1000, "currency": "EUR", "product": "paydirekt"}, "product"),
                        ({"initialAmount": 1000, "currency": "EUR", "product": "giropay"}, "product"),
                        ({"initialAmount": 0, "currency": "EUR", "product": "creditcard"}, "initialAmount"),
                        ({"initialAmount": 1000, "currency": "EUR", "product": "creditcard",
                          "merchantOrderId": "has-dashes"}, "merchantOrderId"),
                        ({"initialAmount": 1000, "currency": "USD", "product": "sepa"}, "currency")):
        r = await http_client.post(f"{url}/orders/debit", json=body, auth=auth)
        assert r.status_code == 400 and r.json()["elements"][0]["field"] == field, (body, r.text)
    assert (await http_client.get(f"{url}/orders/nope", auth=auth)).status_code == 404


async def test_sandbox_state_survives_a_restart(served_payengine: ServedPayEngine,
                                                http_client: httpx.AsyncClient) -> None:
    gw = PayEngineAdapter(http_client, served_payengine.url, DEMO_MERCHANT_ID, DEMO_API_KEY)
    from payapp.connectors.gateways.port import CardDetails

    paid = await gw.charge(order_id="pa7-persist", amount=Money(12_34, "EUR"),
                           payment=CardDetails("4111111111111111", "1230", "999"))
    assert paid.approved
    saved = served_payengine.sandbox.state_dict()
    assert "4111111111111111" not in repr(saved) and "999" not in str(saved.get("instruments"))
    restarted = PayEngineSandbox()
    restarted.load_state_dict(saved)
    transport = httpx.ASGITransport(app=create_payengine_app(restarted))
    async with httpx.AsyncClient(transport=transport, base_url="http://pe") as c:
        [t] = await PayEngineAdapter(c, "http://pe/v1", DEMO_MERCHANT_ID, DEMO_API_KEY).find_order("pa7-persist")
    assert t.transaction_id == paid.transaction_id and t.action("sale") is not None


@pytest.mark.slow
async def test_sandbox_command_prints_address_and_credentials() -> None:
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "payapp", "sandbox", "--which", "payengine", "--port", str(port),
        cwd=Path(__file__).resolve().parents[2], env={**os.environ},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        while not any("Ctrl+C" in line for line in lines):
            line = (await asyncio.wait_for(proc.stdout.readline(), timeout=20)).decode()
            assert line, (await proc.communicate())[1].decode()[-2000:]
            lines.append(line)
        text = "".join(lines)
        base = f"http://127.0.0.1:{port}/v1"
        assert base in text and DEMO_MERCHANT_ID in text and DEMO_API_KEY in text
        merchant = next(line.rsplit(": ", 1)[1].strip() for line in lines if "merchant id:" in line)
        key = next(line.rsplit(": ", 1)[1].strip() for line in lines if "API key:" in line)
        async with httpx.AsyncClient(timeout=2.0) as c:
            for _ in range(200):
                try:
                    await c.get(base)
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
            ok, message = await PayEngineAdapter(c, base, merchant, key).test_keys()
            assert (ok, message.english()) == (True, "PayEngine accepted the merchant id and API key.")
            ok, message = await PayEngineAdapter(c, base, merchant, "wrong").test_keys()
            assert not ok and "authentication failed" in message.english()
    finally:
        proc.terminate()
        await proc.wait()


async def test_provider_builds_each_gateway_from_its_own_settings(
        database: Database, secret_store: SecretStore, served_gateway: ServedGateway,
        served_payengine: ServedPayEngine, http_client: httpx.AsyncClient) -> None:
    await configure_processing(database, secret_store, served_gateway.url)
    await configure_payengine(database, secret_store, served_payengine.url, currency="USD")
    settings = SettingsService(database, secret_store, CurrentUser(ADMIN_ACTOR))
    provider = GatewayProvider(http_client, settings, secret_store)
    chosen = await provider.gateway()
    nmi = await provider.for_gateway("nmi")
    assert chosen.name == "payengine" and chosen.base_url == served_payengine.url
    assert nmi.name == "nmi" and nmi.base_url == served_gateway.url
    assert DEMO_API_KEY not in repr(chosen)
    assert (await provider.test_keys())[0]


async def test_no_iban_card_number_or_key_in_logs_or_database(database: Database, secret_store: SecretStore,
                                                              served_payengine: ServedPayEngine,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    from tests.integration.test_payment_secrets import _dump_database, _found
    from tests.payment_helpers import SECRET_VALUES

    caplog.set_level(logging.DEBUG)
    await configure_payengine(database, secret_store, served_payengine.url)
    inv_id = await make_invoice(database, total_minor=1_000_00, currency="EUR")
    async with httpx.AsyncClient(timeout=0.5) as client:
        svc = make_service(database, secret_store, client)
        await svc.take_payment(PaymentRequest(inv_id, 10_00, card()))
        await svc.take_payment(PaymentRequest(inv_id, 11_00, sepa_debit(IBAN_OK)))
        await svc.take_payment(PaymentRequest(inv_id, 12_00, sepa_debit(IBAN_RETURNED)))
        served_payengine.sandbox.add_fault("lose_answer")
        await svc.take_payment(PaymentRequest(inv_id, 13_00, sepa_debit(IBAN_OK)), confirm_duplicate=True)
        served_payengine.sandbox.add_fault("garbage")
        await svc.take_payment(PaymentRequest(inv_id, 14_00, card("5431111111111111")))
        served_payengine.sandbox.settle_now()
        await svc.check_settlements()
        await svc.reconcile_undecided()
    logged = caplog.text + "\n".join(str(r.__dict__) for r in caplog.records)
    dump = await _dump_database(database)
    for secret in (*SECRET_VALUES, IBAN_OK[4:], DEMO_MERCHANT_ID):
        assert not _found(secret, logged), "a secret was logged"
        assert not _found(secret, dump), "a secret is in the database"
    assert IBAN_OK[-4:] in dump                  # the last four are display data


async def test_the_demo_can_switch_to_payengine_and_its_sandbox_keeps_its_state(tmp_path: Path) -> None:
    """Demo mode carries PayEngine's sandbox in process (its credentials in the demo's keyring, its state in the
    demo's data folder like the other sandboxes): switch in Admin, pay, restart, and the payment is still there."""
    from payapp.app import build_context
    from payapp.config import load_config
    from payapp.models import Invoice
    from payapp.sandbox.demo_company import SANDBOX_FILES

    folder = tmp_path / "app"
    ctx = build_context(load_config(demo=True, data_dir=folder))
    try:
        services = ctx.services
        assert services.payments is not None
        await services.processing.choose_gateway("payengine")
        async with services.db.sessions() as s:
            inv = (await s.scalars(select(Invoice).where(Invoice.balance_minor > 20_00, Invoice.currency == "USD",
                                                         Invoice.is_voided.is_(False)).limit(1))).one()
        paid = await services.payments.take_payment(PaymentRequest(inv.id, 10_00, card()), confirm_duplicate=True)
        assert paid.approved and "/" in paid.transaction_id, paid.message      # PayEngine's order/transaction
        assert (ctx.config.data_dir / SANDBOX_FILES["payengine"]).exists()
    finally:
        await ctx.aclose()
    again = build_context(load_config(demo=True, data_dir=folder))
    try:
        pe: PayEngineSandbox = again.sandboxes["payengine"][0]
        assert paid.transaction_id in {sale.transaction_id for sale in pe.approved_sales()}
        assert again.services.payments is not None
        voided = await again.services.payments.void_or_refund(paid.payment_id)
        assert voided.approved and voided.kind == "void", voided.message
    finally:
        await again.aclose()


async def test_paypal_through_payengines_hosted_step(served_payengine: ServedPayEngine,
                                                     http_client: httpx.AsyncClient) -> None:
    """PayEngine's `product: "paypal"`: the order waits for the payer on the hosted page (PayPal's approval), then
    PayPal has paid it from the buyer's account; a cancel there charges nothing."""
    gw = PayEngineAdapter(http_client, served_payengine.url, DEMO_MERCHANT_ID, DEMO_API_KEY)
    sandbox = served_payengine.sandbox
    for choice in ("approve", "cancel"):
        order_id = f"pa9-paypal{choice}"
        step = await gw.start_hosted(order_id=order_id, amount=Money(40_00, "EUR"), product="paypal",
                                     success_url="https://portal.example/ok", failure_url="https://portal.example/no",
                                     cancel_url="https://portal.example/cancel", description="Invoice 9")
        assert isinstance(step, HostedStep), step
        page = await http_client.get(step.redirect_url)
        assert page.status_code == 200 and "PayPal" in page.text and PAYPAL_PAYER_EMAIL in page.text
        [waiting] = await gw.find_order(order_id)
        assert waiting.state == "pending" and waiting.method == "paypal"
        back = await http_client.post(step.redirect_url, data={"choice": choice}, follow_redirects=False)
        assert back.status_code == 303
        finished = await gw.finish_hosted(order_id=order_id, amount=Money(40_00, "EUR"), returned={})
        if choice == "approve":
            assert finished.outcome == "approved" and finished.transaction_id == step.transaction_id
            [t] = await gw.find_order(order_id)
            assert t.method == "paypal" and t.state == "pending_settlement"
        else:
            assert finished.outcome == "declined"
    [record] = sandbox.paypal_payments()
    assert (record.order_id, record.amount_minor, record.currency) == ("pa9paypalapprove", 40_00, "EUR")
    assert record.payer_email == PAYPAL_PAYER_EMAIL and record.transaction_id.startswith("order_")
    # PayPal has no payment without the payer's approval: a direct debit of the product is refused
    r = await http_client.post(f"{served_payengine.url}/orders/debit", auth=(DEMO_MERCHANT_ID, DEMO_API_KEY),
                               json={"initialAmount": 1000, "currency": "EUR", "product": "paypal"})
    assert r.status_code == 400 and r.json()["elements"][0]["field"] == "async"

"""Issue #15 items 6 and 7 on SQLite and PostgreSQL: an approved eCheck is pending settlement, its ACH
authorization is kept (who, when, SEC code, wording version and hash, for NACHA's two years), and a refund either
keeps the invoice paid (refund receipt) or re-opens it (QuickBooks' payment reversed)."""

from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest
from sqlalchemy import func, select

from payapp.domain import ach
from payapp.domain.errors import ValidationError
from payapp.models import AchAuthorization, OutboxJob, Payment, Refund
from payapp.models.db import Database
from payapp.services.payments import PaymentRequest, SavedMethodRef
from payapp.services.refund_approvals import RefundApprovalService
from payapp.services.secrets import SecretStore
from payapp.services.settings import SettingsService
from tests.payment_helpers import (
    ACH_ACCOUNT,
    ACH_ROUTING,
    ADMIN_ACTOR,
    ServedGateway,
    ach_consent,
    bank,
    card,
    configure_processing,
    invoice_row,
    make_invoice,
    make_service,
)


async def _jobs(db: Database) -> list[tuple[str, dict[str, object]]]:
    async with db.sessions() as s:
        rows = (await s.scalars(select(OutboxJob).order_by(OutboxJob.id))).all()
    return [(j.kind, json.loads(j.payload)) for j in rows]


async def _auths(db: Database) -> list[AchAuthorization]:
    async with db.sessions() as s:
        return list((await s.scalars(select(AchAuthorization).order_by(AchAuthorization.id))).all())


async def test_approved_echeck_is_pending_settlement_and_keeps_its_authorization(
        database: Database, secret_store: SecretStore, served_gateway: ServedGateway,
        http_client: httpx.AsyncClient) -> None:
    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=100_00)
    svc = make_service(database, secret_store, http_client)
    r = await svc.take_payment(PaymentRequest(inv_id, 40_00, bank(holder="personal")))
    assert r.approved
    assert "pending settlement" in r.message.english() and "approved" not in r.message.english()
    r2 = await svc.take_payment(PaymentRequest(inv_id, 30_00, bank(holder="business"), save_method=True))
    assert r2.approved
    auths = await _auths(database)
    assert [(a.payment_id, a.sec_code) for a in auths] == [(r.payment_id, "PPD"), (r2.payment_id, "CCD")]
    a = auths[0]
    assert a.authorized_by == "Acme Inc" and a.wording_version == ach.WORDING_VERSION
    assert a.wording_text == ach_consent("personal") and a.wording_hash == ach.wording_hash(a.wording_text)
    assert a.recorded_by_name == "Helper Finance"
    # NACHA: kept two years after the (one-time) authorization ends
    assert a.retain_until - a.authorized_at >= dt.timedelta(days=730)
    for row in auths:                               # never the account or routing number
        assert ACH_ACCOUNT not in row.wording_text and ACH_ROUTING not in row.wording_text
    # a saved eCheck account is debited under a new authorization, kept the same way
    methods = await svc.saved_methods((await invoice_row(database, inv_id)).company_id)
    r3 = await svc.take_payment(PaymentRequest(inv_id, 20_00, SavedMethodRef(methods[0].id, ach_consent())))
    assert r3.approved and "pending settlement" in r3.message.english()
    assert [a.sec_code for a in await _auths(database)] == ["PPD", "CCD", "CCD"]
    # a card is approved (its money is captured), with no ACH authorization
    c = await svc.take_payment(PaymentRequest(inv_id, 10_00, card()))
    assert c.approved and "approved" in c.message.english()
    assert len(await _auths(database)) == 3
    # once the eCheck settles its words change with its status: the messages of later looks are not "pending"
    served_gateway.sandbox.settle_now()
    await svc.check_settlements()
    async with database.sessions() as s:
        assert (await s.get(Payment, r.payment_id)).status == "settled"  # type: ignore[union-attr]


async def test_echeck_without_authorization_is_refused_before_anything_is_written(
        database: Database, secret_store: SecretStore, served_gateway: ServedGateway,
        http_client: httpx.AsyncClient) -> None:
    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=100_00)
    svc = make_service(database, secret_store, http_client)
    from dataclasses import replace
    for text in ("", "   ", "\x00"):
        with pytest.raises(ValidationError, match="ACH debit authorization") as err:
            await svc.take_payment(PaymentRequest(inv_id, 40_00, replace(bank(), authorization_text=text)))
        assert err.value.field == "authorization"
    async with database.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Payment)) == 0
    assert served_gateway.sandbox.transactions == {}


async def test_refund_keeps_invoice_paid_by_default(database: Database, secret_store: SecretStore,
                                                    served_gateway: ServedGateway,
                                                    http_client: httpx.AsyncClient) -> None:
    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=100_00)
    svc = make_service(database, secret_store, http_client)
    p = await svc.take_payment(PaymentRequest(inv_id, 100_00, card()))
    served_gateway.sandbox.settle_now()
    r = await svc.void_or_refund(p.payment_id, 25_00, reason="goodwill")
    assert r.approved and r.payment_status == "partially_refunded"
    inv = await invoice_row(database, inv_id)
    assert (inv.paid_minor, inv.balance_minor, inv.status) == (100_00, 0, "paid")
    jobs = await _jobs(database)
    assert [k for k, _ in jobs][-1] == "accounting.refund_payment" and jobs[-1][1]["amount_minor"] == 25_00
    assert "accounting.void_payment" not in [k for k, _ in jobs]
    async with database.sessions() as s:
        refund = await s.get(Refund, r.refund_id)
        payment = await s.get(Payment, p.payment_id)
    assert refund is not None and refund.reopen_invoice is False
    assert payment is not None and payment.applied_minor == 100_00 and payment.refunded_minor == 25_00


async def test_refund_that_reopens_the_invoice(database: Database, secret_store: SecretStore,
                                               served_gateway: ServedGateway, http_client: httpx.AsyncClient) -> None:
    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=100_00)
    svc = make_service(database, secret_store, http_client)
    p = await svc.take_payment(PaymentRequest(inv_id, 60_00, card()))
    served_gateway.sandbox.settle_now()
    # only the whole payment: a part of it cannot say what the customer still owes in QuickBooks
    with pytest.raises(ValidationError, match="whole payment") as err:
        await svc.void_or_refund(p.payment_id, 10_00, reopen_invoice=True)
    assert err.value.field == "amount"
    r = await svc.void_or_refund(p.payment_id, reason="charged by mistake", reopen_invoice=True)
    assert r.approved and r.payment_status == "refunded"
    inv = await invoice_row(database, inv_id)
    assert (inv.paid_minor, inv.balance_minor, inv.status, inv.paid_date) == (0, 100_00, "open", None)
    kinds = [k for k, _ in await _jobs(database)]
    # as a returned eCheck: QuickBooks' payment is reversed (its invoice opens again); no refund receipt
    assert kinds.count("accounting.void_payment") == 1 and "accounting.refund_payment" not in kinds
    async with database.sessions() as s:
        refund = await s.get(Refund, r.refund_id)
        payment = await s.get(Payment, p.payment_id)
    assert refund is not None and refund.reopen_invoice is True
    assert payment is not None and payment.applied_minor == 0 and payment.refunded_minor == 60_00


async def test_refund_after_partial_refund_cannot_reopen(database: Database, secret_store: SecretStore,
                                                         served_gateway: ServedGateway,
                                                         http_client: httpx.AsyncClient) -> None:
    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=100_00)
    svc = make_service(database, secret_store, http_client)
    p = await svc.take_payment(PaymentRequest(inv_id, 50_00, card()))
    served_gateway.sandbox.settle_now()
    assert (await svc.void_or_refund(p.payment_id, 5_00)).approved
    with pytest.raises(ValidationError, match="whole payment"):
        await svc.void_or_refund(p.payment_id, reopen_invoice=True)
    inv = await invoice_row(database, inv_id)
    assert inv.balance_minor == 50_00


async def test_approval_keeps_the_reopen_choice(database: Database, secret_store: SecretStore,
                                                served_gateway: ServedGateway, http_client: httpx.AsyncClient) -> None:
    from payapp.domain.roles import Role
    from payapp.models import User
    from payapp.services.auth import Actor, CurrentUser
    from payapp.services.refund_approvals import THRESHOLD_KEY

    await configure_processing(database, secret_store, served_gateway.url)
    async with database.transaction() as s:
        people = [User(username=n, display_name=d, role=r, password_hash="x") for n, d, r in
                  (("asker", "Asker One", Role.FINANCE.value), ("approver", "Approver Two", Role.ADMIN.value))]
        s.add_all(people)
        await s.flush()
        asker_id, approver_id = people[0].id, people[1].id
    await SettingsService(database, secret_store, CurrentUser(ADMIN_ACTOR)).set_many({THRESHOLD_KEY: 10_00})
    inv_id = await make_invoice(database, total_minor=100_00)
    asker = Actor(asker_id, "asker", Role.FINANCE, "Asker One")
    approver = Actor(approver_id, "approver", Role.ADMIN, "Approver Two")
    pay_asker = make_service(database, secret_store, http_client, actor=asker)
    p = await pay_asker.take_payment(PaymentRequest(inv_id, 80_00, card()))
    served_gateway.sandbox.settle_now()
    ask = RefundApprovalService(database, pay_asker, SettingsService(database, secret_store, CurrentUser(asker)),
                                CurrentUser(asker))
    outcome = await ask.void_or_refund(p.payment_id, reopen_invoice=True)
    assert outcome.needs_approval and outcome.approval is not None
    assert outcome.approval.reopen_invoice and (await ask.pending())[0].reopen_invoice
    pay_approver = make_service(database, secret_store, http_client, actor=approver)
    approve = RefundApprovalService(database, pay_approver,
                                    SettingsService(database, secret_store, CurrentUser(approver)),
                                    CurrentUser(approver))
    result = await approve.approve(outcome.approval.id)
    assert result.approved
    inv = await invoice_row(database, inv_id)
    assert (inv.balance_minor, inv.status) == (100_00, "open")


async def test_invoice_history_row_says_an_echeck_awaits_settlement(
        database: Database, secret_store: SecretStore, served_gateway: ServedGateway,
        http_client: httpx.AsyncClient) -> None:
    from payapp.services.auth import CurrentUser
    from payapp.services.invoices import InvoiceQuery, InvoiceService
    from tests.payment_helpers import FINANCE_ACTOR

    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=50_00)
    other = await make_invoice(database, total_minor=50_00, number="INV-1002")
    svc = make_service(database, secret_store, http_client)
    invoices = InvoiceService(database, CurrentUser(FINANCE_ACTOR))
    assert (await svc.take_payment(PaymentRequest(inv_id, 50_00, bank()))).approved
    assert (await svc.take_payment(PaymentRequest(other, 50_00, card()))).approved
    rows = {r.id: r for r in await invoices.page(InvoiceQuery())}
    assert rows[inv_id].status == "paid" and rows[inv_id].awaiting_settlement
    assert rows[other].status == "paid" and not rows[other].awaiting_settlement
    assert (await invoices.row(inv_id)).awaiting_settlement
    served_gateway.sandbox.settle_now(returns=False)
    await svc.check_settlements()
    assert not (await invoices.row(inv_id)).awaiting_settlement

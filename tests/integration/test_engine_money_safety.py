"""Issue #12 items 1, 2 and 6, issue #13 item 2: money safety of the payment engine, on SQLite and PostgreSQL,
against the sandbox gateway over loopback."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from payapp.config import Tuning
from payapp.connectors.gateways.nmi import CardData, NmiGateway
from payapp.domain.errors import PayAppError
from payapp.domain.messages import stored_text
from payapp.models import AuditEvent, Payment, Refund
from payapp.models.db import Database
from payapp.sandbox.gateway import DEMO_SECURITY_KEY
from payapp.services.auth import CurrentUser
from payapp.services.payment_search import PaymentQuery, PaymentSearchService
from payapp.services.payments import PaymentRequest
from payapp.services.processing import ProcessingSetupService
from payapp.services.secrets import SecretStore
from payapp.services.settings import SettingsService
from tests.conftest import ADMIN, TEST_ALLOWED_BACKENDS
from tests.payment_helpers import (
    VISA,
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


@pytest.mark.logs_warnings("the engine reports late approvals, returns and failed rows in the log")
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
    assert "paid back twice" in stored_text(p.attention, "en")
    async with database.sessions() as s:
        [refund] = (await s.scalars(select(Refund))).all()
    assert refund.status == "approved"
    inv = await invoice_row(database, inv_id)
    assert (inv.paid_minor, inv.balance_minor) == (0, 100_00)             # nothing moved twice
    assert (await _payment(database, card_pay.payment_id)).status == "approved"
    assert (await svc.check_settlements()).returned == 0
    assert await svc.reconcile_undecided() == 0


@pytest.mark.logs_warnings("the engine reports late approvals, returns and failed rows in the log")
async def test_bank_return_after_refunds_is_flagged(database: Database, secret_store: SecretStore,
                                                     served_gateway: ServedGateway,
                                                     http_client: httpx.AsyncClient) -> None:
    """#12.2: the bank returns an eCheck that was already refunded (in full, or in part): the books move only by
    what is still applied, and the payment is flagged because the customer got money back twice."""
    await configure_processing(database, secret_store, served_gateway.url)
    sandbox = served_gateway.sandbox
    full_inv = await make_invoice(database, total_minor=50_00)
    part_inv = await make_invoice(database, total_minor=60_00, number="INV-2002")
    svc = make_service(database, secret_store, http_client)
    full = await svc.take_payment(PaymentRequest(full_inv, 50_00, bank(account="99990000")))
    # another amount: the gateway refuses the same account and amount within its duplicate window
    part = await svc.take_payment(PaymentRequest(part_inv, 60_00, bank(account="99990000")))
    sandbox.settle_now(returns=False)
    assert (await svc.check_settlements()).settled == 2
    assert (await svc.void_or_refund(full.payment_id)).approved
    assert (await svc.void_or_refund(part.payment_id, 20_00)).approved
    assert sandbox.process_returns() == 2
    assert (await svc.check_settlements()).returned == 2
    f, p = await _payment(database, full.payment_id), await _payment(database, part.payment_id)
    assert f.status == "refunded" and f.returned_at is not None and "paid back twice" in stored_text(f.attention, "en")
    assert p.status == "returned" and p.applied_minor == 0 and "paid back twice" in stored_text(p.attention, "en")
    assert (await invoice_row(database, full_inv)).balance_minor == 50_00
    assert (await invoice_row(database, part_inv)).balance_minor == 60_00
    assert (await svc.check_settlements()).returned == 0


@pytest.mark.logs_warnings("the engine reports late approvals, returns and failed rows in the log")
async def test_one_failing_row_is_flagged_and_the_rest_go_on(
        database: Database, secret_store: SecretStore, served_gateway: ServedGateway,
        http_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """#12.2: whatever one row raises, the others are reconciled; the failing one is flagged and logged."""
    await configure_processing(database, secret_store, served_gateway.url)
    sandbox = served_gateway.sandbox
    a_inv = await make_invoice(database, total_minor=50_00)
    b_inv = await make_invoice(database, total_minor=60_00, number="INV-2002")
    svc = make_service(database, secret_store, http_client)
    ids = []
    # two amounts: the gateway refuses the same card and amount within its duplicate window
    for inv, amount in ((a_inv, 50_00), (b_inv, 60_00)):
        sandbox.add_fault("lose_answer")
        sandbox.add_fault("http_500", times=2, path="query")
        r = await svc.take_payment(PaymentRequest(inv, amount, card()))
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
    assert first.status == "unknown" and "could not finish checking" in stored_text(first.attention, "en")
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
    # why each was refused, kept as data in the audit entry (shown in the reader's language)
    said = [stored_text(json.loads(details)["message"], "en") for _, details in events[:2]]
    assert "could not be asked" in said[0] and "voided in full" in said[1]
    assert len(events) == 3


# ------------------------------------------------------------------ #12.1: one clock, send deadline, late approval

QUICK = {"send_window": dt.timedelta(seconds=0.4), "unmatched_grace": dt.timedelta(seconds=0.3)}


class _Hold:
    """A checkpoint that holds workstation A at `point` (laptop suspended, VM paused) until released."""

    def __init__(self, point: str) -> None:
        self.point = point
        self.reached = asyncio.Event()
        self.release = asyncio.Event()

    async def __call__(self, name: str) -> None:
        if name == self.point:
            self.reached.set()
            await self.release.wait()


async def test_held_workstation_never_sends_after_another_closed_the_payment(
        database: Database, secret_store: SecretStore, served_gateway: ServedGateway,
        http_client: httpx.AsyncClient) -> None:
    """A commits `pending` and is held before its request leaves; B's start-up reconciliation finds no match
    after the deadline and marks it `error`; A resumes and must not send it (today: sent and approved at the
    gateway while PayApp says nothing was charged)."""
    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=100_00)
    hold = _Hold("pending_committed")
    a = make_service(database, secret_store, http_client, checkpoint=hold, **QUICK)
    b = make_service(database, secret_store, http_client, **QUICK)
    task = asyncio.create_task(a.take_payment(PaymentRequest(inv_id, 100_00, card())))
    await asyncio.wait_for(hold.reached.wait(), 10)
    await asyncio.sleep(0.8)                                 # past the deadline and the grace
    assert await b.reconcile_undecided() == 1
    hold.release.set()
    result = await task
    assert result.status == "error" and "nothing was charged" in result.message.english()
    assert served_gateway.sandbox.approved_sales() == []
    assert (await invoice_row(database, inv_id)).balance_minor == 100_00
    again = await b.take_payment(PaymentRequest(inv_id, 100_00, card()))
    assert again.approved and len(served_gateway.sandbox.approved_sales()) == 1


@pytest.mark.logs_warnings("the engine reports late approvals, returns and failed rows in the log")
async def test_approval_after_marked_failed_is_recorded_with_an_alert(
        database: Database, secret_store: SecretStore, served_gateway: ServedGateway,
        http_client: httpx.AsyncClient) -> None:
    """A is held after its last check, right before the HTTP send, while B closes the payment as `error`; the
    gateway then approves A's request. The approval is recorded (approved, flagged, audited, invoice paid),
    and a second payment of the same amount gets the duplicate warning."""
    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=100_00)
    hold = _Hold("send_checked")
    a = make_service(database, secret_store, http_client, checkpoint=hold, **QUICK)
    b = make_service(database, secret_store, http_client, **QUICK)
    task = asyncio.create_task(a.take_payment(PaymentRequest(inv_id, 100_00, card())))
    await asyncio.wait_for(hold.reached.wait(), 10)
    await asyncio.sleep(0.8)
    assert await b.reconcile_undecided() == 1
    [view] = await b.payments_for_invoice(inv_id)
    assert view.status == "error"
    hold.release.set()
    result = await task
    assert result.approved and "after PayApp had marked it failed" in result.message.english()
    p = await _payment(database, result.payment_id)
    assert p.approved_late and "approved this payment after PayApp had marked it failed" in stored_text(
        p.attention, "en")
    inv = await invoice_row(database, inv_id)
    assert (inv.paid_minor, inv.balance_minor, inv.status) == (100_00, 0, "paid")
    actions = [x for x, _ in await _audit(database)]
    assert "payment.approved_after_failure" in actions and "payment.approved" in actions
    assert len(served_gateway.sandbox.approved_sales()) == 1


@pytest.mark.logs_warnings("the engine reports late approvals, returns and failed rows in the log")
async def test_reconciliation_finds_an_approval_of_a_closed_payment(
        database: Database, secret_store: SecretStore, served_gateway: ServedGateway,
        http_client: httpx.AsyncClient) -> None:
    """A sent its request and died before recording the answer, after B had closed the payment: B's next
    reconciliation looks the closed payment up and records the approval."""
    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=100_00)
    hold = _Hold("send_checked")
    a = make_service(database, secret_store, http_client, checkpoint=hold, **QUICK)
    b = make_service(database, secret_store, http_client, **QUICK)
    task = asyncio.create_task(a.take_payment(PaymentRequest(inv_id, 60_00, card())))
    await asyncio.wait_for(hold.reached.wait(), 10)
    await asyncio.sleep(0.8)
    assert await b.reconcile_undecided() == 1
    task.cancel()                                          # A dies; its request reaches the gateway anyway
    with contextlib.suppress(asyncio.CancelledError):
        await task
    [view] = await b.payments_for_invoice(inv_id)
    gw = NmiGateway(http_client, served_gateway.url, DEMO_SECURITY_KEY)
    sent = await gw.sale(order_id=view.order_id, amount="60.00", currency="USD",
                         payment=CardData(VISA, "1230", "999"), billing=None)
    assert sent.approved
    assert await b.reconcile_undecided() == 1
    p = await _payment(database, view.id)
    assert p.status == "approved" and p.approved_late and p.transaction_id == sent.transaction_id
    assert (await invoice_row(database, inv_id)).balance_minor == 40_00
    assert await b.reconcile_undecided() == 0


async def test_age_is_judged_by_the_database_clock(database: Database, secret_store: SecretStore,
                                                    served_gateway: ServedGateway,
                                                    http_client: httpx.AsyncClient) -> None:
    """B's clock runs ten minutes ahead of A's. On PostgreSQL the deadline is the server's, so B does not close
    A's young payment. (SQLite lives with one computer: its clock is that computer's.)"""
    if database.is_sqlite:
        pytest.skip("one computer, one clock")
    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=100_00)
    hold = _Hold("pending_committed")
    a = make_service(database, secret_store, http_client, checkpoint=hold)
    b = make_service(database, secret_store, http_client,
                     clock=lambda: dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10))
    task = asyncio.create_task(a.take_payment(PaymentRequest(inv_id, 100_00, card())))
    await asyncio.wait_for(hold.reached.wait(), 10)
    assert await b.reconcile_undecided() == 0
    hold.release.set()
    assert (await task).approved
    assert len(served_gateway.sandbox.approved_sales()) == 1


# ------------------------------------------------------- #12.7: refuse card payments whose CVV does not match

async def test_cvv_mismatch_is_voided_at_once_when_the_admin_refuses_them(
        database: Database, secret_store: SecretStore, served_gateway: ServedGateway,
        http_client: httpx.AsyncClient) -> None:
    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=100_00)
    svc = make_service(database, secret_store, http_client)
    off = await svc.take_payment(PaymentRequest(inv_id, 10_00, card(cvv="123")))
    assert off.approved and off.cvv_result == "N" and off.avs_result == "Y"       # off by default
    current = CurrentUser(ADMIN)
    admin = ProcessingSetupService(SettingsService(database, secret_store, current), secret_store, current, None)
    await admin.save_refuse_cvv_mismatch(True)
    assert (await admin.state()).refuse_cvv_mismatch
    refused = await svc.take_payment(PaymentRequest(inv_id, 20_00, card(cvv="123")), confirm_duplicate=True)
    assert refused.status == "voided" and not refused.approved
    said = refused.message.english()
    assert "security code (CVV) did not match" in said and "nothing was charged" in said
    p = await _payment(database, refused.payment_id)
    assert p.status == "voided" and p.applied_minor == 0
    txn = served_gateway.sandbox.transactions[p.transaction_id]
    assert txn.condition == "canceled"                                            # nothing left charged
    inv = await invoice_row(database, inv_id)
    assert (inv.paid_minor, inv.balance_minor) == (10_00, 90_00)
    good = await svc.take_payment(PaymentRequest(inv_id, 30_00, card()))
    assert good.approved and good.cvv_result == "M"


async def test_payment_search_shows_and_filters_payments_that_need_attention(
        database: Database, secret_store: SecretStore, served_gateway: ServedGateway,
        http_client: httpx.AsyncClient) -> None:
    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=100_00)
    svc = make_service(database, secret_store, http_client)
    a = await svc.take_payment(PaymentRequest(inv_id, 10_00, card()))
    b = await svc.take_payment(PaymentRequest(inv_id, 20_00, card()))
    async with database.transaction() as s:
        p = await s.get(Payment, b.payment_id)
        assert p is not None
        p.approved_late, p.attention = True, "The gateway approved this payment after PayApp had marked it failed."
    search = PaymentSearchService(database, CurrentUser(ADMIN))
    rows = {r.id: r for r in await search.page(PaymentQuery())}
    assert rows[b.payment_id].needs_attention and rows[b.payment_id].approved_late
    assert not rows[a.payment_id].needs_attention
    flagged = await search.page(PaymentQuery(needs_attention=True))
    assert [r.id for r in flagged] == [b.payment_id]
    details = await search.details(b.payment_id)
    assert details.row.approved_late and "marked it failed" in details.row.attention


# ------------------------------------------------------------------ timings are configuration (Tuning)

async def test_the_composition_root_passes_the_tuning_to_the_services(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from payapp.app import build_context
    from payapp.config import load_config
    from payapp.services.memory_keyring import MemoryKeyring

    monkeypatch.setenv("PAYAPP_LOOKUP_DELAYS", "0.01,0.02")
    monkeypatch.setenv("PAYAPP_OUTBOX_LEASE", "7")
    monkeypatch.setenv("PAYAPP_SEND_WINDOW", "3")
    ctx = build_context(load_config(demo=False, data_dir=tmp_path / "company"), keyring_backend=MemoryKeyring(),
                        allow_backends=TEST_ALLOWED_BACKENDS)
    try:
        payments, outbox = ctx.services.payments, ctx.services.outbox
        assert payments is not None and outbox is not None
        assert payments._lookup_delays == (0.01, 0.02) and payments._send_window == dt.timedelta(seconds=3)
        assert outbox._lease == dt.timedelta(seconds=7)
        assert ctx.tuning.payment_check_interval == 300.0                       # today's value by default
    finally:
        await ctx.aclose()
    ctx = build_context(load_config(demo=False, data_dir=tmp_path / "company"), keyring_backend=MemoryKeyring(),
                        allow_backends=TEST_ALLOWED_BACKENDS, tuning=Tuning(quickbooks_rate=0.0))
    try:
        assert ctx.services.payments is not None and ctx.services.payments._lookup_delays == (0.2, 0.6, 1.5)
    finally:
        await ctx.aclose()


@pytest.mark.parametrize("point", ["refund_pending_committed", "refund_send_checked"])
@pytest.mark.logs_warnings("the engine reports late approvals, returns and failed rows in the log")
async def test_held_void_is_not_sent_late_or_its_completion_is_recorded(
        database: Database, secret_store: SecretStore, served_gateway: ServedGateway,
        http_client: httpx.AsyncClient, point: str) -> None:
    """#12.1 for voids: held before its last check, A does not send a void B has closed; held after it, the
    gateway's completion of the void is recorded (payment voided, invoice re-opened, flagged), never dropped."""
    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=100_00)
    b = make_service(database, secret_store, http_client, **QUICK)
    pay = await b.take_payment(PaymentRequest(inv_id, 100_00, card()))
    hold = _Hold(point)
    a = make_service(database, secret_store, http_client, checkpoint=hold, **QUICK)
    task = asyncio.create_task(a.void_or_refund(pay.payment_id))
    await asyncio.wait_for(hold.reached.wait(), 10)
    await asyncio.sleep(0.8)
    assert await b.reconcile_undecided() == 1
    async with database.sessions() as s:
        [refund] = (await s.scalars(select(Refund))).all()
    assert refund.status == "error"
    hold.release.set()
    result = await task
    p = await _payment(database, pay.payment_id)
    txn = served_gateway.sandbox.transactions[p.transaction_id]
    if point == "refund_pending_committed":
        assert result.status == "error" and txn.condition == "pendingsettlement"     # not sent
        assert p.status == "approved" and (await invoice_row(database, inv_id)).balance_minor == 0
    else:
        assert result.approved and txn.condition == "canceled"
        assert p.status == "voided" and "after PayApp had marked it failed" in stored_text(p.attention, "en")
        assert (await invoice_row(database, inv_id)).balance_minor == 100_00


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_pooled_writer_connection_the_server_dropped_is_replaced_after_it_sat_idle(db_url: str) -> None:
    """The payment engine's connections are not pinged before every transaction (a round trip each), only after
    they sat idle for a second: one PostgreSQL dropped meanwhile (a restart) is replaced, and the work goes on."""
    import time

    import psycopg
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from payapp.models import db as db_module

    async def go() -> None:
        database = Database(db_url)
        try:
            writer = database.blocking_writer()
            with writer.begin() as conn:
                pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
            with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            time.sleep(db_module.IDLE_PING_S + 0.2)
            with writer.begin() as conn:        # pinged at checkout, found dead, replaced
                assert conn.execute(text("SELECT current_database()")).scalar_one() == make_url(db_url).database
                assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
        finally:
            await database.dispose()
    asyncio.run(go())


async def test_a_settings_change_by_anyone_applies_to_the_very_next_payment(
        database: Database, secret_store: SecretStore, served_gateway: ServedGateway,
        http_client: httpx.AsyncClient) -> None:
    """The engine may keep the settings it read last (PostgreSQL: their version comes with the invoice's lock), but
    a change written by any process, even straight into the table, applies to the next payment."""
    from sqlalchemy import update

    from payapp.models import Setting

    await configure_processing(database, secret_store, served_gateway.url)
    svc = make_service(database, secret_store, http_client)
    first = await make_invoice(database, total_minor=100_00)
    second = await make_invoice(database, total_minor=100_00, number="INV-2002")
    assert (await svc.take_payment(PaymentRequest(first, 10_00, card()))).approved
    async with database.transaction() as s:
        await s.execute(update(Setting).where(Setting.key == "payment_types.back_office.card").values(value="false"))
    with pytest.raises(PayAppError):
        await svc.take_payment(PaymentRequest(second, 11_00, card()))
    async with database.transaction() as s:
        await s.execute(update(Setting).where(Setting.key == "payment_types.back_office.card").values(value="true"))
    assert (await svc.take_payment(PaymentRequest(second, 12_00, card()))).approved

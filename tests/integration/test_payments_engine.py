"""The payment engine on SQLite and PostgreSQL, against the sandbox gateway over loopback."""

from __future__ import annotations

import datetime as dt
import json
import threading

import httpx
import pytest
from sqlalchemy import select

from payapp.domain.errors import NotFound, PayAppError, PermissionDenied, ValidationError
from payapp.models import AuditEvent, OutboxJob, Payment, Refund, SavedPaymentMethod
from payapp.models.db import Database
from payapp.services.auth import CurrentUser
from payapp.services.gateways import GatewayProvider
from payapp.services.memory_keyring import MemoryKeyring
from payapp.services.payments import (
    UNMATCHED_GRACE,
    DuplicateWarning,
    PaymentRequest,
    SavedMethodRef,
)
from payapp.services.processing import ProcessingSetupService
from payapp.services.secrets import Secret, SecretStore, fingerprint
from payapp.services.settings import SettingsService
from tests.conftest import ADMIN, TEST_ALLOWED_BACKENDS, VIEWER
from tests.payment_helpers import (
    AMEX,
    MASTERCARD,
    ServedGateway,
    ach_consent,
    bank,
    card,
    configure_processing,
    expire_send_deadlines,
    gateway_declines,
    invoice_row,
    make_invoice,
    make_service,
)


async def _jobs(db: Database) -> list[tuple[str, dict[str, object]]]:
    async with db.sessions() as s:
        rows = (await s.scalars(select(OutboxJob).order_by(OutboxJob.id))).all()
    return [(j.kind, json.loads(j.payload)) for j in rows]


async def _audit(db: Database) -> list[str]:
    async with db.sessions() as s:
        return list((await s.scalars(select(AuditEvent.action).order_by(AuditEvent.id))).all())


async def test_card_payment_partial_then_full(database: Database, secret_store: SecretStore,
                                              served_gateway: ServedGateway, http_client: httpx.AsyncClient) -> None:
    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=150_00)
    svc = make_service(database, secret_store, http_client)
    r1 = await svc.take_payment(PaymentRequest(inv_id, 50_00, card()))
    assert r1.approved and r1.transaction_id and "approved" in r1.message.english()
    inv = await invoice_row(database, inv_id)
    assert (inv.paid_minor, inv.balance_minor, inv.status) == (50_00, 100_00, "partially_paid")
    r2 = await svc.take_payment(PaymentRequest(inv_id, 100_00, card(MASTERCARD)))
    assert r2.approved
    inv = await invoice_row(database, inv_id)
    assert (inv.paid_minor, inv.balance_minor, inv.status) == (150_00, 0, "paid")
    assert inv.paid_date is not None
    jobs = await _jobs(database)
    assert jobs == [("accounting.push_payment", {"payment_id": r1.payment_id}),
                    ("accounting.push_payment", {"payment_id": r2.payment_id}),
                    ("psa.mark_invoice_paid", {"invoice_id": inv_id, "paid_date": inv.paid_date.isoformat()})]
    assert (await _audit(database)).count("payment.approved") == 2
    views = await svc.payments_for_invoice(inv_id)
    assert [v.status for v in views] == ["approved", "approved"]
    assert {v.last_four for v in views} == {"1111"} and views[0].accounting_sync_state == "pending"
    assert len(served_gateway.sandbox.approved_sales()) == 2


async def test_checks_before_charging(database: Database, secret_store: SecretStore,
                                      served_gateway: ServedGateway, http_client: httpx.AsyncClient) -> None:
    inv_id = await make_invoice(database, total_minor=40_00)
    svc = make_service(database, secret_store, http_client)
    with pytest.raises(PayAppError, match="not set up"):
        await svc.take_payment(PaymentRequest(inv_id, 10_00, card()))
    await configure_processing(database, secret_store, served_gateway.url)
    with pytest.raises(ValidationError, match="more than the open balance"):
        await svc.take_payment(PaymentRequest(inv_id, 40_01, card()))
    with pytest.raises(ValidationError):
        await svc.take_payment(PaymentRequest(inv_id, 0, card()))
    with pytest.raises(ValidationError, match="not valid"):
        await svc.take_payment(PaymentRequest(inv_id, 10_00, card("4111111111111112")))
    with pytest.raises(ValidationError, match="4 digits"):
        await svc.take_payment(PaymentRequest(inv_id, 10_00, card(AMEX, cvv="123")))
    with pytest.raises(NotFound):
        await svc.take_payment(PaymentRequest(9999, 10_00, card()))
    viewer = make_service(database, secret_store, http_client, actor=VIEWER)
    with pytest.raises(PermissionDenied):
        await viewer.take_payment(PaymentRequest(inv_id, 10_00, card()))
    eur = await make_invoice(database, total_minor=40_00, currency="EUR", number="INV-EUR")
    with pytest.raises(ValidationError, match="EUR"):
        await svc.take_payment(PaymentRequest(eur, 10_00, card()))
    await SettingsService(database, secret_store, CurrentUser(VIEWER.__class__(None, "a", "admin"))).set_many(
        {"payment_types.back_office.echeck": False})
    with pytest.raises(PayAppError, match="eCheck payments are not enabled"):
        await svc.take_payment(PaymentRequest(inv_id, 10_00, bank()))
    assert served_gateway.sandbox.requests == 0          # nothing reached the gateway
    async with database.sessions() as s:
        assert (await s.scalars(select(Payment))).all() == []


async def test_amount_below_the_gateway_minimum_is_refused_before_anything_happens(
        database: Database, secret_store: SecretStore, served_gateway: ServedGateway,
        http_client: httpx.AsyncClient) -> None:
    """The gateway declines sales under 1.00 (docs/protocols.md §1): the engine refuses them itself, whatever the
    caller (not only the payment window) and whatever the method: no pending row, no saved method, no request."""
    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=40_00)
    small = await make_invoice(database, total_minor=50, number="INV-SMALL")
    svc = make_service(database, secret_store, http_client)
    for amount in (1, 50, 99):
        for method in (card(), bank()):
            with pytest.raises(ValidationError, match=r"\$1\.00 or more") as info:
                await svc.take_payment(PaymentRequest(inv_id, amount, method, save_method=True))
            assert info.value.field == "amount"
    with pytest.raises(ValidationError, match=r"\$1\.00 or more"):
        await svc.take_payment(PaymentRequest(small, 50, card()))            # even the whole balance
    assert served_gateway.sandbox.requests == 0
    async with database.sessions() as s:
        assert (await s.scalars(select(Payment))).all() == []
        assert (await s.scalars(select(SavedPaymentMethod))).all() == []
    first = await svc.take_payment(PaymentRequest(inv_id, 1_00, card(), save_method=True))   # exactly 1.00
    assert first.approved
    company_id = (await invoice_row(database, inv_id)).company_id
    [saved] = await svc.saved_methods(company_id)
    with pytest.raises(ValidationError, match=r"\$1\.00 or more"):
        await svc.take_payment(PaymentRequest(inv_id, 99, SavedMethodRef(saved.id)))
    assert served_gateway.sandbox.requests == 1
    assert (await invoice_row(database, inv_id)).balance_minor == 39_00


class WatchedKeyring(MemoryKeyring):
    """A keyring that counts reads and notes the threads they ran on."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0
        self.threads: set[int] = set()

    def get_password(self, service: str, username: str) -> str | None:
        self.reads += 1
        self.threads.add(threading.get_ident())
        return super().get_password(service, username)


async def test_keyring_stays_out_of_the_payment_path(database: Database, served_gateway: ServedGateway,
                                                     http_client: httpx.AsyncClient) -> None:
    """Payments read the keyring once (off the event loop's thread) and then use the key kept in memory,
    yet still follow every change of keys: replaced elsewhere, saved here, cleared."""
    keyring = WatchedKeyring()
    store = SecretStore(keyring, allow=TEST_ALLOWED_BACKENDS)
    await configure_processing(database, store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=1_000_00)
    svc = make_service(database, store, http_client)
    for amount in (10_00, 11_00, 12_00):
        assert (await svc.take_payment(PaymentRequest(inv_id, amount, card()))).approved
    assert (await svc._settings.processing_status()).active
    assert keyring.reads == 1 and threading.get_ident() not in keyring.threads

    admin = CurrentUser(ADMIN)
    await SettingsService(database, store, admin).set_many({           # another workstation's new key
        "gateway.private_key_fingerprint": fingerprint("a-key-this-keyring-lacks"),
        "gateway.keys_changed_by": "Bob Admin"})
    with pytest.raises(PayAppError, match="replaced by Bob Admin"):
        await svc.take_payment(PaymentRequest(inv_id, 13_00, card()))
    assert not (await svc._settings.processing_status()).active
    assert served_gateway.sandbox.requests == 3

    served_gateway.sandbox.security_key = "rotated-key-0001"           # the new key, entered here
    setup = ProcessingSetupService(SettingsService(database, store, admin), store, admin, None)
    await setup.save_keys(Secret("rotated-key-0001"), None)
    assert (await svc.take_payment(PaymentRequest(inv_id, 14_00, card()))).approved   # sent with the new key
    await setup.clear_keys()
    with pytest.raises(PayAppError, match="not set up"):
        await svc.take_payment(PaymentRequest(inv_id, 15_00, card()))
    assert served_gateway.sandbox.requests == 4
    assert threading.get_ident() not in keyring.threads


async def test_decline_and_error_messages(database: Database, secret_store: SecretStore,
                                          served_gateway: ServedGateway, http_client: httpx.AsyncClient) -> None:
    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=40_00)
    svc = make_service(database, secret_store, http_client)
    with gateway_declines(served_gateway.sandbox):
        r = await svc.take_payment(PaymentRequest(inv_id, 10_00, card()))
        assert r.status == "declined" and "another card" in r.message.english() and "DECLINE" in r.message.english()
        r = await svc.take_payment(PaymentRequest(inv_id, 11_00, bank()))
        assert r.status == "declined" and "routing" in r.message.english()
    inv = await invoice_row(database, inv_id)
    assert inv.balance_minor == 40_00 and inv.status == "open"
    assert (await _audit(database)).count("payment.declined") == 2
    assert await _jobs(database) == []
    # wrong key at the gateway: error, nothing charged, a message for the admin
    served_gateway.sandbox.security_key = "rotated-at-the-gateway"
    r = await svc.take_payment(PaymentRequest(inv_id, 10_00, card()))
    assert r.status == "error" and "Admin" in r.message.english()


async def test_duplicate_guard(database: Database, secret_store: SecretStore, served_gateway: ServedGateway,
                               http_client: httpx.AsyncClient) -> None:
    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=100_00)
    svc = make_service(database, secret_store, http_client)
    assert (await svc.take_payment(PaymentRequest(inv_id, 20_00, card()))).approved
    with pytest.raises(DuplicateWarning) as info:
        await svc.take_payment(PaymentRequest(inv_id, 20_00, card(MASTERCARD)))
    assert "already paid" in info.value.user_message
    assert (await svc.take_payment(PaymentRequest(inv_id, 25_00, card()))).approved      # other amount: fine
    confirmed = await svc.take_payment(PaymentRequest(inv_id, 20_00, card(MASTERCARD)), confirm_duplicate=True)
    assert confirmed.approved
    # a day later, no warning (and the gateway's own duplicate window of 20 minutes is long past too)
    later = make_service(database, secret_store, http_client,
                         clock=lambda: dt.datetime.now(dt.UTC) + dt.timedelta(hours=25))
    served_gateway.sandbox.clock = lambda: dt.datetime.now(dt.UTC).timestamp() + 25 * 3600
    assert (await later.take_payment(PaymentRequest(inv_id, 20_00, card()))).approved


async def test_echeck_save_method_then_charge_saved(database: Database, secret_store: SecretStore,
                                                    served_gateway: ServedGateway,
                                                    http_client: httpx.AsyncClient) -> None:
    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=100_00)
    async with database.sessions() as s:
        company_id = (await invoice_row(database, inv_id)).company_id
        del s
    inv2 = await make_invoice(database, total_minor=30_00, company_id=company_id, number="INV-1002")
    svc = make_service(database, secret_store, http_client)
    r = await svc.take_payment(PaymentRequest(inv_id, 60_00, bank(), save_method=True))
    assert r.approved
    r2 = await svc.take_payment(PaymentRequest(inv2, 10_00, card(), save_method=True))
    assert r2.approved
    methods = await svc.saved_methods(company_id)
    assert [m.method for m in methods] == ["card", "echeck"] and methods[0].is_default
    assert methods[1].last_four == "3815" and methods[1].account_type == "checking"
    assert set(served_gateway.sandbox.vault) == {m_vault for m_vault in await _vault_ids(database)}
    r3 = await svc.take_payment(PaymentRequest(inv_id, 40_00, SavedMethodRef(methods[1].id, ach_consent())))
    assert r3.approved
    methods = await svc.saved_methods(company_id)
    assert methods[0].method == "echeck" and methods[0].is_default       # last used first
    await svc.delete_saved_method(methods[0].id)
    assert [m.method for m in await svc.saved_methods(company_id)] == ["card"]
    assert len(served_gateway.sandbox.vault) == 1
    with pytest.raises(NotFound):
        await svc.take_payment(PaymentRequest(inv2, 5_00, SavedMethodRef(methods[0].id)))
    # a declined charge-and-save saves nothing
    with gateway_declines(served_gateway.sandbox):
        r4 = await svc.take_payment(PaymentRequest(inv2, 5_00, card(), save_method=True))
    assert r4.status == "declined"
    assert len(await svc.saved_methods(company_id)) == 1


async def _vault_ids(db: Database) -> list[str]:
    async with db.sessions() as s:
        return list((await s.scalars(select(SavedPaymentMethod.vault_id)
                                     .where(SavedPaymentMethod.is_active.is_(True)))).all())


async def test_void_then_refunds(database: Database, secret_store: SecretStore, served_gateway: ServedGateway,
                                 http_client: httpx.AsyncClient) -> None:
    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=100_00)
    svc = make_service(database, secret_store, http_client)
    p1 = await svc.take_payment(PaymentRequest(inv_id, 100_00, card()))
    with pytest.raises(ValidationError, match="voided in full"):
        await svc.void_or_refund(p1.payment_id, 10_00)
    v = await svc.void_or_refund(p1.payment_id, reason="wrong card")
    assert v.approved and v.kind == "void" and v.payment_status == "voided"
    inv = await invoice_row(database, inv_id)
    assert (inv.paid_minor, inv.balance_minor, inv.status, inv.paid_date) == (0, 100_00, "open", None)

    p2 = await svc.take_payment(PaymentRequest(inv_id, 100_00, card(MASTERCARD)), confirm_duplicate=True)
    served_gateway.sandbox.settle_now()
    r1 = await svc.void_or_refund(p2.payment_id, 30_00, reason="discount")
    assert r1.approved and r1.kind == "refund" and r1.payment_status == "partially_refunded"
    with pytest.raises(ValidationError, match="at most"):
        await svc.void_or_refund(p2.payment_id, 70_01)
    r2 = await svc.void_or_refund(p2.payment_id)
    assert r2.approved and r2.amount_minor == 70_00 and r2.payment_status == "refunded"
    inv = await invoice_row(database, inv_id)
    # refunds keep the invoice paid unless the user chose to re-open it (issue #15.7)
    assert (inv.paid_minor, inv.balance_minor, inv.status) == (100_00, 0, "paid")
    kinds = [k for k, _ in await _jobs(database)]
    assert kinds.count("accounting.void_payment") == 1 and kinds.count("accounting.refund_payment") == 2
    refund_jobs = [p for k, p in await _jobs(database) if k == "accounting.refund_payment"]
    assert [j["amount_minor"] for j in refund_jobs] == [30_00, 70_00]
    async with database.sessions() as s:
        p = await s.get(Payment, p2.payment_id)
        assert p is not None and p.refunded_minor == 100_00 and p.settled_at is not None
    viewer = make_service(database, secret_store, http_client, actor=VIEWER)
    with pytest.raises(PermissionDenied):
        await viewer.void_or_refund(p2.payment_id)


async def test_settlement_and_ach_return(database: Database, secret_store: SecretStore,
                                         served_gateway: ServedGateway, http_client: httpx.AsyncClient) -> None:
    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=80_00)
    svc = make_service(database, secret_store, http_client)
    good = await svc.take_payment(PaymentRequest(inv_id, 30_00, bank()))
    bad = await svc.take_payment(PaymentRequest(inv_id, 50_00, bank(account="99990000")))
    assert good.approved and bad.approved
    assert (await invoice_row(database, inv_id)).status == "paid"
    served_gateway.sandbox.settle_now(returns=False)
    report = await svc.check_settlements()
    assert (report.settled, report.returned) == (2, 0)
    served_gateway.sandbox.process_returns()
    report = await svc.check_settlements()
    assert (report.settled, report.returned) == (0, 1)
    inv = await invoice_row(database, inv_id)
    assert (inv.paid_minor, inv.balance_minor, inv.status) == (30_00, 50_00, "partially_paid")
    views = {v.id: v.status for v in await svc.payments_for_invoice(inv_id)}
    assert views == {good.payment_id: "settled", bad.payment_id: "returned"}
    assert ("accounting.reverse_returned_payment", {"payment_id": bad.payment_id}) in await _jobs(database)
    assert "payment.returned" in await _audit(database)
    assert (await svc.check_settlements()).returned == 0          # idempotent


async def test_unknown_then_reconciled(database: Database, secret_store: SecretStore,
                                       served_gateway: ServedGateway, http_client: httpx.AsyncClient) -> None:
    """The answer is lost and the look-up fails too: unknown, amount held; later reconcile records it once."""
    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=100_00)
    svc = make_service(database, secret_store, http_client)
    served_gateway.sandbox.add_fault("lose_answer")
    served_gateway.sandbox.add_fault("http_500", times=2, path="query")   # both quick look-ups
    r = await svc.take_payment(PaymentRequest(inv_id, 60_00, card()))
    assert r.status == "unknown" and "Do not take it again" in r.message.english()
    with pytest.raises(ValidationError, match="being confirmed"):
        await svc.take_payment(PaymentRequest(inv_id, 50_00, card(MASTERCARD)))
    assert await svc.reconcile_undecided() == 1
    assert await svc.reconcile_undecided() == 0
    inv = await invoice_row(database, inv_id)
    assert (inv.paid_minor, inv.balance_minor) == (60_00, 40_00)
    assert [v.status for v in await svc.payments_for_invoice(inv_id)] == ["approved"]
    assert len(served_gateway.sandbox.approved_sales()) == 1
    assert [k for k, _ in await _jobs(database)] == ["accounting.push_payment"]


async def test_no_match_rule(database: Database, secret_store: SecretStore, served_gateway: ServedGateway,
                             http_client: httpx.AsyncClient) -> None:
    """A request lost before the gateway processed it: no match stays unknown while young, then error."""
    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=100_00)
    svc = make_service(database, secret_store, http_client)
    served_gateway.sandbox.add_fault("reset")
    r = await svc.take_payment(PaymentRequest(inv_id, 60_00, card()))
    assert r.status == "unknown"
    assert await svc.reconcile_undecided() == 0
    later = make_service(database, secret_store, http_client,
                         clock=lambda: dt.datetime.now(dt.UTC) + UNMATCHED_GRACE + dt.timedelta(seconds=1))
    assert await later.reconcile_undecided() == 0     # young by the database's clock: its deadline is not past
    await expire_send_deadlines(database, by=UNMATCHED_GRACE + dt.timedelta(seconds=61))
    assert await later.reconcile_undecided() == 1
    views = await svc.payments_for_invoice(inv_id)
    assert [v.status for v in views] == ["error"]
    assert (await invoice_row(database, inv_id)).balance_minor == 100_00
    assert served_gateway.sandbox.approved_sales() == []


async def test_lost_void_and_refund_answers_are_looked_up(database: Database, secret_store: SecretStore,
                                                          served_gateway: ServedGateway,
                                                          http_client: httpx.AsyncClient) -> None:
    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=100_00)
    svc = make_service(database, secret_store, http_client)
    a = await svc.take_payment(PaymentRequest(inv_id, 40_00, card()))
    b = await svc.take_payment(PaymentRequest(inv_id, 60_00, card(MASTERCARD)))
    served_gateway.sandbox.add_fault("lose_answer")
    v = await svc.void_or_refund(a.payment_id)
    assert v.approved                                   # quick look-up found the void
    served_gateway.sandbox.settle_now()

    async def faults_after_precheck(point: str) -> None:
        if point == "refund_pending_committed":
            served_gateway.sandbox.add_fault("garbage")
            served_gateway.sandbox.add_fault("http_500", times=2, path="query")   # both quick look-ups

    faulty = make_service(database, secret_store, http_client, checkpoint=faults_after_precheck)
    r = await faulty.void_or_refund(b.payment_id, 10_00)
    assert r.status == "unknown"
    with pytest.raises(PayAppError, match="still being confirmed"):
        await svc.void_or_refund(b.payment_id, 10_00)
    assert await svc.reconcile_undecided() == 1
    async with database.sessions() as s:
        refunds = (await s.scalars(select(Refund).order_by(Refund.id))).all()
    assert [(x.kind, x.status) for x in refunds] == [("void", "approved"), ("refund", "approved")]
    inv = await invoice_row(database, inv_id)
    assert (inv.paid_minor, inv.balance_minor) == (60_00, 40_00)       # the refund kept the invoice paid


async def test_gateway_provider(database: Database, secret_store: SecretStore, served_gateway: ServedGateway,
                                http_client: httpx.AsyncClient) -> None:
    current = CurrentUser(VIEWER)
    provider = GatewayProvider(http_client, SettingsService(database, secret_store, current), secret_store)
    with pytest.raises(PayAppError, match="private key"):
        await provider.gateway()
    assert (await provider.test_keys())[0] is False
    await configure_processing(database, secret_store, served_gateway.url)
    gw = await provider.gateway()
    assert gw.base_url == served_gateway.url and "demo" not in repr(gw)
    ok, said = await provider.test_keys()
    assert (ok, said.english()) == (True, "The gateway accepted the key.")
    ok, said = await provider.test_keys(key=Secret("wrong"))
    assert not ok and "authentication failed" in said.english()


async def test_periodic_reconcile_only_due(database: Database, secret_store: SecretStore,
                                           served_gateway: ServedGateway, http_client: httpx.AsyncClient) -> None:
    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=100_00)
    svc = make_service(database, secret_store, http_client)
    served_gateway.sandbox.add_fault("lose_answer")
    served_gateway.sandbox.add_fault("http_500", times=2, path="query")
    assert (await svc.take_payment(PaymentRequest(inv_id, 60_00, card()))).status == "unknown"
    assert await svc.reconcile_undecided(only_due=True) == 0          # next check is a minute away
    soon = make_service(database, secret_store, http_client,
                        clock=lambda: dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2))
    assert await soon.reconcile_undecided(only_due=True) == 1
    assert [v.status for v in await svc.payments_for_invoice(inv_id)] == ["approved"]


async def test_the_pending_row_is_synced_to_disk_and_the_decision_need_not_be(
        database: Database, secret_store: SecretStore, served_gateway: ServedGateway,
        http_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """The row written before the charge waits for the disk; the gateway's decision does not (a power cut that
    takes it back leaves the payment pending, and reconciliation finds it again by its order id)."""
    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=100_00)
    svc = make_service(database, secret_store, http_client)
    seen: list[tuple[bool, int | None]] = []
    uow = svc._uow
    real_run = uow.run

    async def watched(fn, *, synced=True):  # type: ignore[no-untyped-def]
        def spy(conn):  # type: ignore[no-untyped-def]
            mode = None
            if database.is_sqlite:
                mode = conn.connection.dbapi_connection.execute("PRAGMA synchronous").fetchone()[0]
            seen.append((synced, mode))
            return fn(conn)
        return await real_run(spy, synced=synced)

    monkeypatch.setattr(uow, "run", watched)
    result = await svc.take_payment(PaymentRequest(inv_id, 40_00, card()))
    assert result.approved
    assert [synced for synced, _mode in seen] == [True, False]          # pending row, then the decision
    if database.is_sqlite:
        assert [mode for _synced, mode in seen] == [2, 1]                # FULL, then NORMAL
        monkeypatch.undo()
        after: list[int] = []
        await uow.run(lambda conn: after.append(
            conn.connection.dbapi_connection.execute("PRAGMA synchronous").fetchone()[0]))
        assert after == [2]                                              # the connection is FULL again

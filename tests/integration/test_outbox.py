"""The outbox worker against the QuickBooks and Autotask sandboxes (in-process through ASGITransport):
10,000 payments with 20% injected failures (lost answers among them) end up in QuickBooks exactly once;
non-retryable faults go to needs_attention; retry and dismiss are audited; the PSA is marked paid."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from payapp.connectors.accounting.quickbooks_online import QuickBooksConnector, QuickBooksOAuth, TokenSet
from payapp.connectors.psa.autotask import AutotaskConnector
from payapp.domain.messages import english, msg, stored_text
from payapp.domain.outbox_jobs import stored_error
from payapp.domain.settings_spec import UnknownSetting
from payapp.models import AuditEvent, Company, Invoice, OutboxJob, Payment
from payapp.models.base import utcnow
from payapp.models.db import Database
from payapp.sandbox.autotask import (
    DEMO_API_USER,
    DEMO_INTEGRATION_CODE,
    DEMO_SECRET,
    AutotaskSandbox,
    create_autotask_app,
)
from payapp.sandbox.quickbooks import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, QuickBooksSandbox, create_quickbooks_app
from payapp.services.auth import CurrentUser
from payapp.services.outbox import OutboxWorker
from payapp.services.secrets import SecretStore
from payapp.services.settings import SettingsService

QB = "http://qb.sandbox.test"
AT = "http://at.sandbox.test/atservicesrest"


async def _no_sleep(_: float) -> None:
    return None


@pytest.fixture
def qb_sandbox() -> QuickBooksSandbox:
    return QuickBooksSandbox(seed=42)


@pytest.fixture
def at_sandbox() -> AutotaskSandbox:
    return AutotaskSandbox(companies=3, invoices=5, seed=1)


@pytest.fixture
async def http(qb_sandbox: QuickBooksSandbox, at_sandbox: AutotaskSandbox) -> AsyncIterator[httpx.AsyncClient]:
    mounts = {"all://qb.sandbox.test": httpx.ASGITransport(app=create_quickbooks_app(qb_sandbox)),
              "all://at.sandbox.test": httpx.ASGITransport(app=create_autotask_app(at_sandbox))}
    async with httpx.AsyncClient(mounts=mounts) as client:
        yield client


def make_worker(db: Database, http: httpx.AsyncClient, qb: QuickBooksSandbox, current: CurrentUser | None = None,
                **kw: Any) -> OutboxWorker:
    saved: list[TokenSet] = []

    async def save(tokens: TokenSet) -> None:
        saved.append(tokens)

    async def quickbooks() -> QuickBooksConnector:
        access, refresh = qb.issue_tokens()
        oauth = QuickBooksOAuth(QB, http, client_id=DEMO_CLIENT_ID, client_secret=DEMO_CLIENT_SECRET)
        return QuickBooksConnector(QB, http, realm_id=qb.realm_id, oauth=oauth, save_tokens=save, rate=0,
                                   tokens=TokenSet(access, refresh, utcnow() + dt.timedelta(hours=1)))

    async def autotask() -> AutotaskConnector:
        return AutotaskConnector(AT, http, api_user=DEMO_API_USER, secret=DEMO_SECRET,
                                 integration_code=DEMO_INTEGRATION_CODE, sleep=_no_sleep)

    kw.setdefault("backoff_base", dt.timedelta(0))
    kw.setdefault("settings", RefundAccountChosen())
    return OutboxWorker(db, quickbooks, autotask, current=current, sleep=_no_sleep, **kw)


class RefundAccountChosen:
    """Settings with the bank account refunds are paid from chosen (the sandbox company's Checking), the
    declared defaults otherwise; `refund_account=""` for an installation that has not chosen one yet."""

    def __init__(self, refund_account: str = "35") -> None:
        self.refund_account = refund_account

    async def get(self, key: str) -> Any:
        return self.refund_account if key == "quickbooks.refund_account_id" else None


async def seed(db: Database, *, companies: int, invoices: int, payments: int,
               external_ids: list[int] | None = None) -> None:
    now = utcnow()
    async with db.transaction() as s:
        await s.execute(Company.__table__.insert(), [
            {"id": c, "external_id": 1000 + c, "name": f"Customer {c} O'Hara"} for c in range(1, companies + 1)])
        await s.execute(Invoice.__table__.insert(), [
            {"id": i, "external_id": (external_ids[i - 1] if external_ids else 500_000 + i),
             "company_id": 1 + i % companies, "company_name": f"Customer {1 + i % companies} O'Hara",
             "invoice_number": f"INV-{i}", "invoice_date": dt.date(2026, 1, 1), "currency": "USD",
             "total_minor": 1_000_000, "tax_minor": 0, "paid_minor": 0, "balance_minor": 1_000_000, "status": "open"}
            for i in range(1, invoices + 1)])
        if not payments:
            return
        await s.execute(Payment.__table__.insert(), [
            {"id": p, "order_id": f"ord-{p}", "invoice_id": 1 + p % invoices, "company_id": 1 + (1 + p % invoices)
             % companies, "company_name": "x", "invoice_number": "x", "gateway": "nmi", "amount_minor": 100 + p,
             "applied_minor": 100 + p, "currency": "USD", "method": "card", "status": "approved",
             "transaction_id": f"tx{p}", "decided_at": now, "accounting_sync_state": "pending",
             "psa_sync_state": "pending"} for p in range(1, payments + 1)])
        await s.execute(OutboxJob.__table__.insert(), [
            {"kind": "accounting.push_payment", "payload": f'{{"payment_id": {p}}}', "payment_id": p}
            for p in range(1, payments + 1)])


@pytest.mark.slow
async def test_ten_thousand_payments_with_failures_post_exactly_once(
        sqlite_url: str, http: httpx.AsyncClient, qb_sandbox: QuickBooksSandbox,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # httpx's ASGITransport tries `import sniffio` on every request to detect trio; without sniffio installed
    # that failed import scans sys.path each time and triples this test's run time. We run on asyncio.
    monkeypatch.setattr("httpx._transports.asgi.is_running_trio", lambda: False)
    db = Database(sqlite_url)
    try:
        await seed(db, companies=20, invoices=100, payments=10_000)
        qb_sandbox.faults.failure_rate = 0.2
        worker = make_worker(db, http, qb_sandbox, batch_size=500, concurrency=10)
        report = await worker.drain()
        assert report.needs_attention == 0 and not report.stopped_reason
        assert report.retried > 500                 # failures really happened (and lost answers among them)
        payments = qb_sandbox.all("Payment")
        refs = [p["PaymentRefNum"] for p in payments]
        assert len(payments) == 10_000
        assert len(set(refs)) == 10_000             # none twice
        assert len(qb_sandbox.all("Invoice")) == 100
        assert len(qb_sandbox.all("Customer")) == 20
        async with db.sessions() as s:
            states = dict((await s.execute(select(Payment.accounting_sync_state, func.count())
                                           .group_by(Payment.accounting_sync_state))).all())
            ids = (await s.scalars(select(Payment.accounting_id))).all()
            jobs = dict((await s.execute(select(OutboxJob.status, func.count()).group_by(OutboxJob.status))).all())
            inv_states = set((await s.scalars(select(Invoice.sync_state))).all())
        assert states == {"synced": 10_000}
        assert len(set(ids)) == 10_000 and None not in ids
        assert jobs == {"done": 10_000}
        assert inv_states == {"synced"}
    finally:
        await db.dispose()


async def test_lost_answer_is_replayed_not_posted_twice(database: Database, http: httpx.AsyncClient,
                                                        qb_sandbox: QuickBooksSandbox) -> None:
    await seed(database, companies=1, invoices=1, payments=1)
    worker = make_worker(database, http, qb_sandbox)
    await worker.run_once()                       # customer + invoice + payment
    assert len(qb_sandbox.all("Payment")) == 1
    # a second payment whose answer is lost after QuickBooks wrote it
    async with database.transaction() as s:
        s.add(Payment(id=2, order_id="ord-2", invoice_id=1, company_id=1, company_name="x", invoice_number="x",
                      gateway="nmi", amount_minor=500, currency="USD", method="card", status="approved",
                      transaction_id="tx2", accounting_sync_state="pending"))
        await s.flush()
        s.add(OutboxJob(kind="accounting.push_payment", payload='{"payment_id": 2}', payment_id=2))
    qb_sandbox.faults.lost_answer_next = 1
    rep = await worker.run_once()
    assert rep.retried == 1
    async with database.sessions() as s:
        job = (await s.scalars(select(OutboxJob).where(OutboxJob.payment_id == 2))).one()
    assert job.request_id and job.attempts == 1 and "try again" in stored_text(job.last_error, "en")
    assert len(qb_sandbox.all("Payment")) == 2    # it was written once...
    await worker.drain()
    assert len(qb_sandbox.all("Payment")) == 2    # ...and the retry with the same request id did not write again
    async with database.sessions() as s:
        p2 = await s.get(Payment, 2)
    assert p2 is not None and p2.accounting_sync_state == "synced"
    assert p2.accounting_id == qb_sandbox.all("Payment")[1]["Id"]


async def test_void_waits_for_push_and_stale_token_is_retried(database: Database, http: httpx.AsyncClient,
                                                               qb_sandbox: QuickBooksSandbox) -> None:
    await seed(database, companies=1, invoices=1, payments=1)
    async with database.transaction() as s:
        s.add(OutboxJob(kind="accounting.void_payment", payload='{"payment_id": 1}', payment_id=1))
    qb_sandbox.faults.stale_next = 1
    await make_worker(database, http, qb_sandbox).drain()
    (payment,) = qb_sandbox.all("Payment")
    assert payment["PrivateNote"] == "Voided" and payment["TotalAmt"] == 0
    assert len(qb_sandbox.all("Payment")) == 1


async def test_failures_back_off_exponentially_then_need_attention_and_429_costs_no_attempt(
        database: Database, http: httpx.AsyncClient, qb_sandbox: QuickBooksSandbox) -> None:
    await seed(database, companies=1, invoices=1, payments=1)
    now = [utcnow() + dt.timedelta(seconds=1)]
    worker = make_worker(database, http, qb_sandbox, backoff_base=dt.timedelta(seconds=30), max_attempts=3,
                         clock=lambda: now[0])

    async def job() -> OutboxJob:
        async with database.sessions() as s:
            (row,) = (await s.scalars(select(OutboxJob).where(OutboxJob.kind == "accounting.push_payment"))).all()
            return row

    qb_sandbox.faults.throttle_next = 1
    qb_sandbox.faults.retry_after = 7
    await worker.run_once()
    row = await job()
    assert (row.status, row.attempts) == ("pending", 0)                      # throttled: waits, no attempt
    assert abs((row.next_attempt_at.replace(tzinfo=dt.UTC) - now[0]).total_seconds() - 7) < 0.01

    qb_sandbox.faults.fail_next = 1_000                                      # QuickBooks answers 500
    waits = []
    for attempt in (1, 2):
        now[0] = row.next_attempt_at.replace(tzinfo=dt.UTC)
        await worker.run_once()
        row = await job()
        assert (row.status, row.attempts) == ("pending", attempt)
        waits.append((row.next_attempt_at.replace(tzinfo=dt.UTC) - now[0]).total_seconds())
    assert 24 <= waits[0] <= 36 and 48 <= waits[1] <= 72                     # 30 s, then 60 s (±20% jitter)
    now[0] = row.next_attempt_at.replace(tzinfo=dt.UTC)
    await worker.run_once()
    row = await job()
    assert (row.status, row.attempts) == ("needs_attention", 3)              # max_attempts reached
    async with database.sessions() as s:
        payment = await s.get(Payment, 1)
    assert payment is not None and payment.accounting_sync_state == "failed" and payment.sync_error
    assert [p.job_id for p in await worker.problems()] == [row.id]
    assert qb_sandbox.all("Payment") == []


async def test_returned_echeck_is_reversed_in_quickbooks_or_sent_to_problems_when_deposited(
        database: Database, http: httpx.AsyncClient, qb_sandbox: QuickBooksSandbox) -> None:
    await seed(database, companies=1, invoices=1, payments=2)
    worker = make_worker(database, http, qb_sandbox)
    await worker.drain()
    first, second = sorted(qb_sandbox.all("Payment"), key=lambda p: int(p["Id"]))
    second["Deposited"] = True                     # already in a bank deposit in QuickBooks
    async with database.transaction() as s:
        for pid in (1, 2):
            s.add(OutboxJob(kind="accounting.reverse_returned_payment", payload=f'{{"payment_id": {pid}}}',
                            payment_id=pid))
    await worker.drain()
    assert first["PrivateNote"] == "Voided" and first["TotalAmt"] == 0
    assert second["TotalAmt"] != 0
    (problem,) = await worker.problems()
    assert problem.kind == "accounting.reverse_returned_payment" and problem.payment_id == 2
    assert "already deposited" in english(problem.last_error) and "by hand" in english(problem.last_error)
    assert len(qb_sandbox.all("Payment")) == 2


async def test_non_retryable_goes_to_problems_then_retry_and_dismiss_are_audited(
        database: Database, http: httpx.AsyncClient, qb_sandbox: QuickBooksSandbox,
        current_user: CurrentUser) -> None:
    await seed(database, companies=1, invoices=1, payments=2)
    worker = make_worker(database, http, qb_sandbox, current=current_user)
    await worker.run_once()
    qb_sandbox.entities["Payment"].clear()
    qb_sandbox.entities["Invoice"].clear()        # the invoice was deleted in QuickBooks meanwhile
    async with database.transaction() as s:
        s.add(OutboxJob(kind="accounting.refund_payment", payload='{"payment_id": 1, "amount_minor": 50}',
                        payment_id=1))
        s.add(OutboxJob(kind="accounting.void_payment", payload='{"payment_id": 2}', payment_id=2))
    await worker.drain()
    problems = await worker.problems()
    assert [p.kind for p in problems] == ["accounting.void_payment"]
    assert "610" in english(problems[0].last_error) and "Invoice INV-1" in english(problems[0].description or "")
    assert len(qb_sandbox.all("RefundReceipt")) == 1
    async with database.sessions() as s:
        p2 = await s.get(Payment, 2)
    assert p2 is not None and p2.accounting_sync_state == "failed"
    assert "Object Not Found" in stored_text(p2.sync_error, "en")
    await worker.retry(problems[0].job_id)
    await worker.drain()
    assert len(await worker.problems()) == 1
    await worker.dismiss(problems[0].job_id, "Voided in QuickBooks by hand")
    assert await worker.problems() == []
    async with database.sessions() as s:
        actions = (await s.scalars(select(AuditEvent.action).order_by(AuditEvent.id))).all()
    assert actions == ["outbox.retried", "outbox.dismissed"]


async def test_problems_read_stored_messages_and_old_english_rows(database: Database,
                                                                  current_user: CurrentUser) -> None:
    """A job's last_error written as a message comes back as that message (the UI shows it in the reader's
    language, tests/unit/test_translations.py); a row written before messages were data comes back as its text. A
    dismissed job's payment keeps the reason as a message too."""
    await seed(database, companies=1, invoices=1, payments=1)
    stored = stored_error(msg("outbox.payment_gone", payment="7"))
    async with database.transaction() as s:
        s.add(OutboxJob(kind="accounting.push_payment", payload='{"payment_id": 1}', payment_id=1,
                        status="needs_attention", attempts=8, last_error=stored))
        s.add(OutboxJob(kind="accounting.push_invoice", payload='{"invoice_id": 1}', invoice_id=1,
                        status="needs_attention", attempts=8, last_error="QuickBooks refused it: boom"))
    worker = OutboxWorker(database, _no_connector, _no_connector, current=current_user)
    new, old = await worker.problems()
    assert new.last_error == msg("outbox.payment_gone", payment="7") and old.last_error == "QuickBooks refused it: boom"
    assert english(new.label) == "Send payment to QuickBooks" and english(old.label) == "Send invoice to QuickBooks"
    assert new.description is not None and new.description.id == "outbox.subject_invoice_company_amount"
    await worker.dismiss(new.job_id, "entered by hand")
    async with database.sessions() as s:
        payment = await s.get(Payment, 1)
        events = (await s.scalars(select(AuditEvent).order_by(AuditEvent.id))).all()
    assert payment is not None and stored_text(payment.sync_error, "de") == "Verworfen: entered by hand"
    assert json.loads(events[-1].details)["last_error"] == stored       # the audit log shows it in German too


async def _no_connector() -> Any:
    raise AssertionError("problems() and dismiss() talk to no other system")


async def test_quickbooks_disconnected_leaves_jobs_pending(database: Database, http: httpx.AsyncClient,
                                                           qb_sandbox: QuickBooksSandbox) -> None:
    await seed(database, companies=1, invoices=1, payments=3)
    worker = make_worker(database, http, qb_sandbox)
    qb_sandbox.revoke()
    qb_sandbox.issue_tokens = lambda: ("revoked", "revoked")  # type: ignore[method-assign]
    report = await worker.drain()
    assert "Reconnect QuickBooks" in english(report.stopped_reason)
    async with database.sessions() as s:
        jobs = (await s.scalars(select(OutboxJob))).all()
    assert {(j.status, j.attempts) for j in jobs} == {("pending", 0)}
    # the status bar reads why nothing moves, also while the held-back jobs are not due yet
    assert "Reconnect QuickBooks" in english(worker.stopped_reason)
    assert (await worker.drain()).stopped_reason == "" and "Reconnect QuickBooks" in english(worker.stopped_reason)

    # reconnected: the next run gets the jobs through and the message goes away
    del qb_sandbox.issue_tokens
    qb_sandbox.revoked = False
    async with database.transaction() as s:
        await s.execute(update(OutboxJob).values(next_attempt_at=utcnow()))
    report = await worker.drain()
    assert report.done == len(jobs) and worker.stopped_reason == ""


async def test_mark_invoice_paid_in_autotask(database: Database, http: httpx.AsyncClient,
                                             qb_sandbox: QuickBooksSandbox, at_sandbox: AutotaskSandbox) -> None:
    ext = next(r["id"] for r in at_sandbox.data["Invoices"] if not r["paidDate"] and not r["isVoided"])
    await seed(database, companies=1, invoices=1, payments=0, external_ids=[ext])
    async with database.transaction() as s:
        s.add(OutboxJob(kind="psa.mark_invoice_paid", payload='{"invoice_id": 1, "paid_date": "2026-03-04"}',
                        invoice_id=1))
    at_sandbox.faults.fail_next = 1               # a 500 first: retried inside the connector
    await make_worker(database, http, qb_sandbox).drain()
    assert at_sandbox.patches == [{"id": ext, "paidDate": "2026-03-04"}]
    async with database.sessions() as s:
        inv = await s.get(Invoice, 1)
    assert inv is not None and inv.psa_paid_marked


async def test_several_invoices_marked_paid_in_one_batch(database: Database, http: httpx.AsyncClient,
                                                         qb_sandbox: QuickBooksSandbox,
                                                         at_sandbox: AutotaskSandbox) -> None:
    """The batch's payment updates are executemany statements: an IN list there failed as soon as two
    mark-paid jobs finished in one batch ('expanding' parameters cannot be used with executemany)."""
    exts = [r["id"] for r in at_sandbox.data["Invoices"] if not r["isVoided"]][:3]
    for ext in exts:
        at_sandbox.set_invoice_paid(ext, None)
    await seed(database, companies=1, invoices=3, payments=0, external_ids=exts)
    async with database.transaction() as s:
        for i in (1, 2, 3):
            s.add(OutboxJob(kind="psa.mark_invoice_paid", payload=f'{{"invoice_id": {i}, "paid_date": "2026-03-04"}}',
                            invoice_id=i))
    report = await make_worker(database, http, qb_sandbox).drain()
    assert report.done == 3 and sorted(p["id"] for p in at_sandbox.patches) == sorted(exts)


@pytest.mark.parametrize("fault", ["integration code", "permission"])
async def test_autotask_credential_or_permission_500_holds_the_jobs_instead_of_failing_each(
        database: Database, http: httpx.AsyncClient, qb_sandbox: QuickBooksSandbox, at_sandbox: AutotaskSandbox,
        fault: str) -> None:
    """Autotask's 500 for a wrong integration code or a missing permission is about the API user, not a job
    (#13.12): the run stops at the first one with Autotask's words, the jobs wait, nothing is retried or
    marked as a problem; once it is put right they go."""
    exts = [r["id"] for r in at_sandbox.data["Invoices"] if not r["isVoided"]][:3]
    for ext in exts:
        at_sandbox.set_invoice_paid(ext, None)
    await seed(database, companies=1, invoices=3, payments=0, external_ids=exts)
    async with database.transaction() as s:
        for i in (1, 2, 3):
            s.add(OutboxJob(kind="psa.mark_invoice_paid", payload=f'{{"invoice_id": {i}, "paid_date": "2026-03-04"}}',
                            invoice_id=i))
    if fault == "integration code":
        at_sandbox.integration_code = "ANOTHERCODE"
    else:
        at_sandbox.faults.no_permission = {"invoices"}
    worker = make_worker(database, http, qb_sandbox)
    report = await worker.drain()
    assert report.needs_attention == 0 and report.done == 0
    assert ("integration code" if fault == "integration code" else "not allowed") in english(worker.stopped_reason)
    assert len([r for r in at_sandbox.requests if "/Invoices" in r[1]]) == 1
    async with database.sessions() as s:
        assert {j.status for j in (await s.scalars(select(OutboxJob))).all()} == {"pending"}

    at_sandbox.integration_code, at_sandbox.faults.no_permission = DEMO_INTEGRATION_CODE, set()
    worker.resume_held()
    report = await worker.drain()
    assert report.done == 3 and worker.stopped_reason == ""
    assert sorted(p["id"] for p in at_sandbox.patches) == sorted(exts)


@pytest.mark.parametrize("state", ["paid elsewhere", "voided", "deleted"])
async def test_mark_paid_never_overwrites_another_writer_of_the_autotask_database(
        database: Database, http: httpx.AsyncClient, qb_sandbox: QuickBooksSandbox, at_sandbox: AutotaskSandbox,
        state: str) -> None:
    """PayApp is not the only writer of an Autotask tenant (another PayApp installation, a person): a paid date
    Autotask has already is kept, and a voided or deleted invoice is a problem for a person, not a PATCH."""
    rec = next(r for r in at_sandbox.data["Invoices"] if not r["paidDate"] and not r["isVoided"])
    ext = rec["id"]
    if state == "paid elsewhere":
        at_sandbox.set_invoice_paid(ext, dt.date(2026, 2, 1))
    elif state == "voided":
        at_sandbox.void_invoice(ext)
    else:
        at_sandbox.data["Invoices"].remove(rec)
        at_sandbox._reindex("Invoices")
    await seed(database, companies=1, invoices=1, payments=0, external_ids=[ext])
    async with database.transaction() as s:
        s.add(OutboxJob(kind="psa.mark_invoice_paid", payload='{"invoice_id": 1, "paid_date": "2026-03-04"}',
                        invoice_id=1))
    report = await make_worker(database, http, qb_sandbox).drain()
    assert at_sandbox.patches == []
    async with database.sessions() as s:
        inv = await s.get(Invoice, 1)
        job = (await s.scalars(select(OutboxJob))).one()
    assert inv is not None
    if state == "paid elsewhere":
        assert report.done == 1 and job.status == "done" and inv.psa_paid_marked
        assert at_sandbox.record("Invoices", ext)["paidDate"].startswith("2026-02-01")
    else:
        assert report.needs_attention == 1 and job.status == "needs_attention" and not inv.psa_paid_marked
        assert "not marked paid" in stored_text(job.last_error, "en")


async def test_quickbooks_ids_come_from_the_declared_settings(database: Database, http: httpx.AsyncClient,
                                                              qb_sandbox: QuickBooksSandbox,
                                                              secret_store: SecretStore,
                                                              current_user: CurrentUser) -> None:
    settings = SettingsService(database, secret_store, current_user)
    await settings.set_many({"quickbooks.deposit_account_id": "35", "quickbooks.refund_account_id": "36"})
    await seed(database, companies=1, invoices=1, payments=1)
    async with database.transaction() as s:
        s.add(OutboxJob(kind="accounting.refund_payment", payload='{"payment_id": 1, "amount_minor": 50}',
                        payment_id=1))
    report = await make_worker(database, http, qb_sandbox, settings=settings).drain()
    assert report.needs_attention == 0 and not report.stopped_reason
    (invoice,) = qb_sandbox.all("Invoice")
    (payment,) = qb_sandbox.all("Payment")
    (refund,) = qb_sandbox.all("RefundReceipt")
    assert {ln["SalesItemLineDetail"]["ItemRef"]["value"] for ln in invoice["Line"]} == {"1"}    # the default
    assert payment["DepositToAccountRef"] == {"value": "35"}
    assert refund["DepositToAccountRef"] == {"value": "36"}
    assert refund["Line"][0]["SalesItemLineDetail"]["ItemRef"] == {"value": "1"}

    with pytest.raises(UnknownSetting):                        # an undeclared key is an error, not a default
        await make_worker(database, http, qb_sandbox)._setting("quickbooks.not_declared")


async def test_worker_gone_after_quickbooks_wrote_is_replayed_not_posted_twice(
        database: Database, http: httpx.AsyncClient, qb_sandbox: QuickBooksSandbox,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker stops for good between QuickBooks writing the payment and PayApp recording it (the app is
    closed or killed there). The job was claimed with its request id stored first, so the next worker replays
    that id once the lease ends: QuickBooks answers with the payment it wrote, and no second one is posted."""
    await seed(database, companies=1, invoices=1, payments=1)
    write_payment = QuickBooksConnector.push_payment

    async def written_then_gone(self: QuickBooksConnector, payment: Any, request_id: str) -> Any:
        await write_payment(self, payment, request_id)
        raise asyncio.CancelledError            # the worker is gone before the answer is recorded

    monkeypatch.setattr(QuickBooksConnector, "push_payment", written_then_gone)
    with pytest.raises(asyncio.CancelledError):
        await make_worker(database, http, qb_sandbox, lease=dt.timedelta(0)).run_once()
    monkeypatch.undo()
    assert len(qb_sandbox.all("Payment")) == 1
    async with database.sessions() as s:
        job = (await s.scalars(select(OutboxJob).where(OutboxJob.payment_id == 1))).one()
    assert job.status == "pending" and job.request_id

    await make_worker(database, http, qb_sandbox).drain()
    assert len(qb_sandbox.all("Payment")) == 1
    async with database.sessions() as s:
        paid = await s.get(Payment, 1)
    assert paid is not None and paid.accounting_sync_state == "synced"
    assert paid.accounting_id == qb_sandbox.all("Payment")[0]["Id"]


async def test_two_invoices_marked_paid_in_autotask_in_one_batch(database: Database, http: httpx.AsyncClient,
                                                                qb_sandbox: QuickBooksSandbox,
                                                                at_sandbox: AutotaskSandbox) -> None:
    """The batch writes each kind of outcome as one executemany; an IN (...) list in that statement was an
    "expanding" parameter, which executemany refuses: the whole run failed ("outbox run failed", bench/soak.py)."""
    ext = [at_sandbox.data["Invoices"][0]["id"], at_sandbox.data["Invoices"][1]["id"]]
    await seed(database, companies=1, invoices=2, payments=2, external_ids=ext)
    async with database.transaction() as s:
        for invoice_id in (1, 2):
            s.add(OutboxJob(kind="psa.mark_invoice_paid", invoice_id=invoice_id,
                            payload=f'{{"invoice_id": {invoice_id}, "paid_date": "2026-03-04"}}'))
    await make_worker(database, http, qb_sandbox).drain()
    async with database.sessions() as s:
        states = (await s.execute(select(Payment.psa_sync_state))).scalars().all()
        marked = (await s.execute(select(Invoice.psa_paid_marked))).scalars().all()
    assert states == ["synced", "synced"]
    assert marked == [True, True]

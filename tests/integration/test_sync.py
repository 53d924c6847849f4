"""Full and incremental sync from the Autotask sandbox served by uvicorn on loopback, into SQLite and
PostgreSQL: resumable after a failure half-way, no duplicates, no gaps, the one-syncer lock."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import func, inspect, select, text, update
from sqlalchemy.pool import NullPool

from payapp.connectors.psa.autotask import AutotaskConnector, AutotaskError
from payapp.domain.messages import english
from payapp.models import Company, Contact, Contract, Invoice, InvoiceLine, OutboxJob, SyncLock, Ticket
from payapp.models.base import utcnow
from payapp.models.db import Database, make_sync_engine
from payapp.sandbox.autotask import (
    DEMO_API_USER,
    DEMO_INTEGRATION_CODE,
    DEMO_SECRET,
    AutotaskSandbox,
    create_autotask_app,
)
from payapp.services.auth import CurrentUser
from payapp.services.secrets import SecretStore
from payapp.services.settings import SettingsService
from payapp.services.sync import SyncBusy, SyncProgress, SyncService
from tests.servers import serve_asgi


@pytest.fixture
def sandbox() -> AutotaskSandbox:
    return AutotaskSandbox(companies=40, contacts_per_company=3, invoices=1300, lines_per_invoice=2, seed=11)


@pytest.fixture
def base_url(sandbox: AutotaskSandbox) -> Iterator[str]:
    with serve_asgi(create_autotask_app(sandbox)) as url:
        yield url + "/atservicesrest"


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


async def _no_sleep(_: float) -> None:
    return None


def make_service(database: Database, http: httpx.AsyncClient, base_url: str, secret_store: SecretStore,
                 current_user: CurrentUser, **kw: Any) -> SyncService:
    async def autotask() -> AutotaskConnector:
        return AutotaskConnector(base_url, http, api_user=DEMO_API_USER, secret=DEMO_SECRET,
                                 integration_code=DEMO_INTEGRATION_CODE, sleep=_no_sleep)

    settings = SettingsService(database, secret_store, current_user)
    return SyncService(database, autotask, None, settings, current_user, **kw)


async def counts(db: Database) -> dict[str, int]:
    out = {}
    async with db.sessions() as s:
        for model in (Company, Contact, Contract, Ticket, Invoice, InvoiceLine, OutboxJob):
            out[model.__tablename__] = (await s.execute(select(func.count()).select_from(model))).scalar_one()
    return out


def expected(sb: AutotaskSandbox) -> dict[str, int]:
    voided = sum(1 for r in sb.data["Invoices"] if r["isVoided"])
    return {"companies": len(sb.data["Companies"]), "contacts": len(sb.data["Contacts"]),
            "contracts": len(sb.data["Contracts"]), "tickets": len(sb.data["Tickets"]),
            "invoices": len(sb.data["Invoices"]), "invoice_lines": len(sb.data["BillingItems"]),
            "outbox_jobs": len(sb.data["Invoices"]) - voided}


async def test_full_sync_then_incremental(database: Database, http: httpx.AsyncClient, base_url: str,
                                          sandbox: AutotaskSandbox, secret_store: SecretStore,
                                          current_user: CurrentUser) -> None:
    service = make_service(database, http, base_url, secret_store, current_user)
    seen: list[SyncProgress] = []
    report = await service.run(seen.append)
    assert report.full
    assert await counts(database) == expected(sandbox)
    assert report.invoice_pushes_queued == expected(sandbox)["outbox_jobs"]
    assert any(p.entity == "invoices" and p.total == 1300 for p in seen)
    assert (await service.status()).full_sync_done

    # denormalised columns and the paid rule
    raw = sandbox.data["Invoices"][5]
    async with database.sessions() as s:
        inv = (await s.scalars(select(Invoice).where(Invoice.external_id == raw["id"]))).one()
        company = await s.get(Company, inv.company_id)
    assert company is not None and inv.company_name == company.name
    assert inv.balance_minor == inv.total_minor - inv.paid_minor
    assert (inv.paid_date is not None) == (inv.paid_minor == inv.total_minor and not inv.is_voided) or inv.is_voided

    # incremental: a renamed company (name on its invoices too), a new invoice, a paid one, a voided one
    cid = sandbox.data["Companies"][0]["id"]
    sandbox.touch_company(cid, companyName="Renamed Holdings")
    new_id = sandbox.add_invoice(cid, 12_345)
    open_inv = next(r for r in sandbox.data["Invoices"] if not r["paidDate"] and not r["isVoided"])
    sandbox.set_invoice_paid(open_inv["id"], dt.date.today())
    to_void = next(r for r in sandbox.data["Invoices"]
                   if not r["paidDate"] and not r["isVoided"] and r["id"] != open_inv["id"])
    sandbox.void_invoice(to_void["id"])
    report2 = await service.run()
    assert not report2.full
    assert report2.invoice_pushes_queued == 1
    after = await counts(database)
    assert after["invoices"] == len(sandbox.data["Invoices"])
    assert after["invoice_lines"] == len(sandbox.data["BillingItems"])
    async with database.sessions() as s:
        names = set((await s.scalars(select(Invoice.company_name).join(Company, Company.id == Invoice.company_id)
                                     .where(Company.external_id == cid))).all())
        paid = (await s.scalars(select(Invoice).where(Invoice.external_id == open_inv["id"]))).one()
        void = (await s.scalars(select(Invoice).where(Invoice.external_id == to_void["id"]))).one()
        new = (await s.scalars(select(Invoice).where(Invoice.external_id == new_id))).one()
    assert names == {"Renamed Holdings"}
    assert (paid.status, paid.balance_minor) == ("paid", 0)
    assert void.status == "voided" and void.is_voided
    assert (new.total_minor, new.status, new.sync_state) == (12_345, "open", "pending")


@pytest.mark.parametrize("used,band", [(5_200, "over 50%"), (8_000, "over 75%")])
async def test_autotask_threshold_warning_stays_with_every_progress_report(
        sqlite_url: str, http: httpx.AsyncClient, base_url: str, sandbox: AutotaskSandbox,
        secret_store: SecretStore, current_user: CurrentUser, used: int, band: str) -> None:
    """Past 50%/75% of Autotask's hourly limit the sync slows down and tells the user: the warning rides on
    every later progress report and on the report, not on one message the next page overwrites."""
    import time

    sandbox.request_times[:0] = [time.monotonic()] * used        # other integrations' requests this hour
    sandbox.delay_over_50 = sandbox.delay_over_75 = 0.001        # Autotask's own slow-down, shortened for the test
    db = Database(sqlite_url)
    try:
        seen: list[SyncProgress] = []
        report = await make_service(db, http, base_url, secret_store, current_user).run(seen.append)
    finally:
        await db.dispose()
    first = next(i for i, p in enumerate(seen) if p.warning)
    warning = english(seen[first].warning or "")
    assert band in warning and f"of {sandbox.hourly_limit:,} requests" in warning
    later = seen[first:]
    assert len(later) > 5 and all(band in english(p.warning or "") for p in later)
    assert any(p.entity == "invoices" and p.done for p in later)       # pages went on with the warning shown
    assert band in english(report.warning or "")


async def test_sync_killed_half_way_resumes_without_duplicates_or_gaps(
        database: Database, http: httpx.AsyncClient, base_url: str, sandbox: AutotaskSandbox,
        secret_store: SecretStore, current_user: CurrentUser) -> None:
    service = make_service(database, http, base_url, secret_store, current_user)
    # the server fails every request after a while, in the middle of the invoices
    sandbox.faults.fail_after = 12      # (one of them reads the paymentTerm labels)
    with pytest.raises(AutotaskError):
        await service.run()
    part = await counts(database)
    assert 0 < part["invoices"] < 1300
    sandbox.faults.fail_after = None

    # and a second run is cancelled (the Cancel button) while it reads
    task = asyncio.create_task(service.run(lambda p: task.cancel() if p.entity == "invoices" and p.done else None))
    with pytest.raises(asyncio.CancelledError):
        await task
    report = await service.run()
    assert report.full          # still finishing the first full sync
    assert await counts(database) == expected(sandbox)
    async with database.sessions() as s:
        ext = (await s.scalars(select(Invoice.external_id))).all()
        jobs = (await s.scalars(select(OutboxJob.invoice_id))).all()
    assert sorted(ext) == sorted(r["id"] for r in sandbox.data["Invoices"])
    assert len(jobs) == len(set(jobs))


@pytest.mark.slow
async def test_sync_process_killed_half_way_resumes_without_duplicates_or_gaps(
        db_url: str, database: Database, http: httpx.AsyncClient, base_url: str, sandbox: AutotaskSandbox,
        secret_store: SecretStore, current_user: CurrentUser) -> None:
    """SIGKILL a PayApp process in the middle of its first full sync (invoice indexes dropped, a page being
    written, the sync lock held): the next sync here takes the lock over, puts the indexes back and finishes
    with every record exactly once."""
    import os
    import signal
    import sys
    from pathlib import Path

    declared = {str(ix.name) for ix in Invoice.__table__.indexes if not ix.unique}
    # a page every tenth of a second: time to kill mid-way even when this test's own count is slow (a busy machine)
    sandbox.faults.latency = 0.1
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.integration.sync_child", db_url, base_url,
        cwd=Path(__file__).resolve().parents[2], env=dict(os.environ), stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE)
    try:
        for _ in range(1500):
            if proc.returncode is not None or (await counts(database))["invoices"] >= 500:
                break
            await asyncio.sleep(0.01)
        assert proc.returncode is None, (await proc.communicate())[1].decode()[-2000:]
        proc.send_signal(signal.SIGKILL)
    finally:
        if proc.returncode is None:
            proc.kill()
        await proc.wait()
    part = await counts(database)
    assert 0 < part["invoices"] < 1300, part
    sandbox.faults.latency = 0
    if database.is_sqlite:          # the dead process's lock row: taken over once it expires
        async with database.transaction() as s:
            await s.execute(text("UPDATE sync_locks SET expires_at = :t"), {"t": utcnow() - dt.timedelta(seconds=1)})

    report = await make_service(database, http, base_url, secret_store, current_user).run()
    assert report.full
    assert await counts(database) == expected(sandbox)
    async with database.sessions() as s:
        ext = (await s.scalars(select(Invoice.external_id))).all()
        lines = (await s.scalars(select(InvoiceLine.external_id))).all()
        jobs = (await s.scalars(select(OutboxJob.invoice_id))).all()
    assert sorted(ext) == sorted(r["id"] for r in sandbox.data["Invoices"])
    assert sorted(lines) == sorted(r["id"] for r in sandbox.data["BillingItems"])
    assert len(jobs) == len(set(jobs))
    assert declared <= await invoice_index_names(database)


async def test_only_one_workstation_syncs(database: Database, http: httpx.AsyncClient, base_url: str,
                                          sandbox: AutotaskSandbox, secret_store: SecretStore,
                                          current_user: CurrentUser) -> None:
    first = make_service(database, http, base_url, secret_store, current_user, holder="FRONT-DESK-PC")
    second = make_service(database, http, base_url, secret_store, current_user, holder="BACK-OFFICE-PC")
    started = asyncio.Event()

    def on_progress(progress: SyncProgress) -> None:
        started.set()

    sandbox.faults.latency = 0.05
    task = asyncio.create_task(first.run(on_progress))
    await asyncio.wait_for(started.wait(), 10)
    await asyncio.sleep(0.2)
    with pytest.raises(SyncBusy, match="FRONT-DESK-PC"):
        await second.run()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    sandbox.faults.latency = 0
    # released on cancel: the other one may sync now
    report = await second.run()
    assert report.records > 0
    if database.is_sqlite:
        async with database.sessions() as s:
            assert await s.get(SyncLock, "sync.autotask") is None


async def test_expired_sqlite_lock_is_taken_over(sqlite_url: str, http: httpx.AsyncClient, base_url: str,
                                                 secret_store: SecretStore, current_user: CurrentUser) -> None:
    db = Database(sqlite_url)
    try:
        async with db.transaction() as s:
            s.add(SyncLock(name="sync.autotask", holder="CRASHED-PC#1", expires_at=utcnow() - dt.timedelta(seconds=1)))
        report = await make_service(db, http, base_url, secret_store, current_user).run()
        assert report.counts["companies"] == 40
    finally:
        await db.dispose()


async def test_resync_keeps_payapp_payments(database: Database, http: httpx.AsyncClient, base_url: str,
                                            sandbox: AutotaskSandbox, secret_store: SecretStore,
                                            current_user: CurrentUser) -> None:
    from payapp.models import Payment

    service = make_service(database, http, base_url, secret_store, current_user)
    await service.run()
    raw = next(r for r in sandbox.data["Invoices"] if not r["paidDate"] and not r["isVoided"])
    async with database.transaction() as s:
        inv = (await s.scalars(select(Invoice).where(Invoice.external_id == raw["id"]))).one()
        s.add(Payment(order_id="o-1", invoice_id=inv.id, company_id=inv.company_id, company_name=inv.company_name,
                      invoice_number=inv.invoice_number, gateway="nmi", amount_minor=500, applied_minor=500,
                      currency="USD", method="card", status="approved"))
        inv.paid_minor, inv.balance_minor, inv.status = 500, inv.total_minor - 500, "partially_paid"
        inv.paid_date = dt.date(2026, 2, 2)
        inv_id, total = inv.id, inv.total_minor
    await service.reset()                          # everything is read and upserted again
    await service.run()
    async with database.sessions() as s:
        again = await s.get(Invoice, inv_id)
    assert again is not None
    assert (again.paid_minor, again.balance_minor, again.status) == (500, total - 500, "partially_paid")
    assert again.paid_date == dt.date(2026, 2, 2)


async def test_cleared_paid_date_reopens_only_invoices_without_payments(
        database: Database, http: httpx.AsyncClient, base_url: str, sandbox: AutotaskSandbox,
        secret_store: SecretStore, current_user: CurrentUser) -> None:
    """"Has PayApp recorded a payment on it" is asked of each invoice, not of the whole table."""
    from payapp.models import Payment

    service = make_service(database, http, base_url, secret_store, current_user)
    await service.run()
    with_payment, without = [r for r in sandbox.data["Invoices"] if r["paidDate"] and not r["isVoided"]][:2]
    async with database.transaction() as s:
        inv = (await s.scalars(select(Invoice).where(Invoice.external_id == with_payment["id"]))).one()
        s.add(Payment(order_id="o-2", invoice_id=inv.id, company_id=inv.company_id, company_name=inv.company_name,
                      invoice_number=inv.invoice_number, gateway="nmi", amount_minor=inv.total_minor,
                      applied_minor=inv.total_minor, currency="USD", method="card", status="approved"))
    sandbox.set_invoice_paid(with_payment["id"], None)
    sandbox.set_invoice_paid(without["id"], None)
    await service.reset()
    await service.run()
    async with database.sessions() as s:
        kept = (await s.scalars(select(Invoice).where(Invoice.external_id == with_payment["id"]))).one()
        reopened = (await s.scalars(select(Invoice).where(Invoice.external_id == without["id"]))).one()
    assert (kept.status, kept.balance_minor, kept.paid_date is not None) == ("paid", 0, True)
    assert (reopened.status, reopened.paid_minor, reopened.balance_minor, reopened.paid_date) == \
        ("open", 0, reopened.total_minor, None)


async def test_synced_rows_read_back_as_mapped(database: Database, http: httpx.AsyncClient, base_url: str,
                                              sandbox: AutotaskSandbox, secret_store: SecretStore,
                                              current_user: CurrentUser) -> None:
    """The bulk path writes driver values itself (no SQLAlchemy type processing): dates, UTC datetimes,
    booleans, Decimal quantities and minor-unit amounts must read back through the ORM as mapped."""
    from payapp.connectors.psa.autotask import map_billing_item, map_company, map_contact, map_invoice

    await make_service(database, http, base_url, secret_store, current_user).run()
    raw_inv = next(r for r in sandbox.data["Invoices"] if r["paidDate"] and not r["isVoided"])
    raw_void = next(r for r in sandbox.data["Invoices"] if r["isVoided"])
    raw_line = next(r for r in sandbox.data["BillingItems"] if r["invoiceID"] == raw_inv["id"])
    raw_company = sandbox.data["Companies"][3]
    raw_contact = next(r for r in sandbox.data["Contacts"] if not r["isActive"])
    # the sandbox marks amounts for its JSON writer; decode them the way the connector receives them
    from payapp.sandbox.autotask import dumps

    def wire(raw: dict[str, Any]) -> dict[str, Any]:
        return json.loads(dumps(raw), parse_float=Decimal)

    inv_m, line_m = map_invoice(wire(raw_inv)), map_billing_item(wire(raw_line))
    company_m, contact_m = map_company(wire(raw_company)), map_contact(wire(raw_contact))
    async with database.sessions() as s:
        inv = (await s.scalars(select(Invoice).where(Invoice.external_id == raw_inv["id"]))).one()
        void = (await s.scalars(select(Invoice).where(Invoice.external_id == raw_void["id"]))).one()
        line = (await s.scalars(select(InvoiceLine).where(InvoiceLine.external_id == raw_line["id"]))).one()
        company = (await s.scalars(select(Company).where(Company.external_id == raw_company["id"]))).one()
        contact = (await s.scalars(select(Contact).where(Contact.external_id == raw_contact["id"]))).one()
    assert (inv.invoice_date, inv.due_date, inv.paid_date) == (inv_m.invoice_date, inv_m.due_date, inv_m.paid_date)
    assert inv.total_minor == int(inv_m.total * 100) and inv.tax_minor == int(inv_m.tax * 100)
    assert (inv.paid_minor, inv.balance_minor, inv.status, inv.is_voided) == (inv.total_minor, 0, "paid", False)
    assert (inv.sync_state, inv.psa_paid_marked, inv.currency) == ("pending", False, "USD")
    assert inv.created_at.tzinfo is not None and abs((utcnow() - inv.created_at).total_seconds()) < 600
    assert (void.status, void.is_voided, void.sync_state) == ("voided", True, "synced")
    assert void.voided_date == map_invoice(wire(raw_void)).voided_date
    assert line.invoice_id == inv.id and Decimal(line.quantity) == line_m.quantity
    assert (line.unit_price_minor, line.amount_minor) == (int(line_m.rate * 100), int(line_m.amount * 100))
    assert company.modified_at == company_m.modified_at and company.modified_at is not None
    assert company.modified_at.tzinfo is not None and company.is_active is company_m.is_active
    assert (contact.is_active, contact.modified_at) == (False, contact_m.modified_at)


async def invoice_index_names(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return await conn.run_sync(lambda c: {str(ix["name"]) for ix in inspect(c).get_indexes("invoices")})


async def test_first_full_sync_rebuilds_the_invoice_indexes_even_when_it_fails(
        database: Database, http: httpx.AsyncClient, base_url: str, sandbox: AutotaskSandbox,
        secret_store: SecretStore, current_user: CurrentUser) -> None:
    declared = {str(ix.name) for ix in Invoice.__table__.indexes if not ix.unique}
    assert declared <= await invoice_index_names(database)
    service = make_service(database, http, base_url, secret_store, current_user)
    during: list[set[str]] = []
    peek = make_sync_engine(database.url, poolclass=NullPool)

    def on_progress(p: SyncProgress) -> None:
        if p.entity == "invoices" and p.done and not during:     # a blocking look, fine in a test
            with peek.connect() as conn:
                during.append({str(ix["name"]) for ix in inspect(conn).get_indexes("invoices")})

    sandbox.faults.fail_after = 12          # fails half-way through the invoices (after the paymentTerm labels)
    try:
        with pytest.raises(AutotaskError):
            await service.run(on_progress)
    finally:
        peek.dispose()
    assert during and not declared & during[0]      # loaded without them...
    assert declared <= await invoice_index_names(database)      # ...and rebuilt although the sync failed

    # a process that died with the indexes dropped: the next run puts them back first
    async with database.engine.begin() as conn:
        for name in sorted(declared)[:3]:
            await conn.execute(text(f"DROP INDEX {name}"))
    sandbox.faults.fail_after = None
    await service.run()
    assert declared <= await invoice_index_names(database)


async def test_contracts_sync_incrementally_by_last_modified(database: Database, http: httpx.AsyncClient,
                                                             base_url: str, sandbox: AutotaskSandbox,
                                                             secret_store: SecretStore,
                                                             current_user: CurrentUser) -> None:
    """Contracts carry lastModifiedDateTime (#13.14): an incremental sync reads the changed ones, not all."""
    service = make_service(database, http, base_url, secret_store, current_user)
    await service.run()
    changed = sandbox.data["Contracts"][3]
    sandbox.touch_contract(changed["id"], contractName="Renamed contract")
    report = await service.run()
    assert not report.full and report.counts["contracts"] == 1
    async with database.sessions() as s:
        row = (await s.scalars(select(Contract).where(Contract.external_id == changed["id"]))).one()
    assert row.name == "Renamed contract"


async def test_payment_term_is_stored_as_its_picklist_label(database: Database, http: httpx.AsyncClient,
                                                            base_url: str, sandbox: AutotaskSandbox,
                                                            secret_store: SecretStore,
                                                            current_user: CurrentUser) -> None:
    """Invoices.paymentTerm is an integer picklist (#13.15): PayApp keeps and shows the label, read once."""
    service = make_service(database, http, base_url, secret_store, current_user)
    await service.run()
    fields_calls = [u for _, u, _ in sandbox.requests if u.endswith("/Invoices/entityInformation/fields")]
    assert len(fields_calls) == 1
    by_id = {r["id"]: r["paymentTerm"] for r in sandbox.data["Invoices"]}
    labels = {1: "Net 30", 2: "Net 15", 3: "Due on receipt"}
    async with database.sessions() as s:
        rows = (await s.execute(select(Invoice.external_id, Invoice.payment_term))).all()
    assert rows and all(term == labels[by_id[ext]] for ext, term in rows)
    assert {term for _, term in rows} == set(labels.values())


@pytest.mark.logs_warnings("an unreadable Autotask record is logged as skipped")
async def test_a_bad_record_is_skipped_into_the_sync_problems_and_read_again(
        database: Database, http: httpx.AsyncClient, base_url: str, sandbox: AutotaskSandbox,
        secret_store: SecretStore, current_user: CurrentUser) -> None:
    """A record that cannot be read (bad date, non-numeric amount, None company) is skipped, not the page: it is
    a sync problem naming its id, and once it is fixed in Autotask the next sync reads it and closes the problem."""
    from payapp.services.outbox import OutboxWorker

    bad_invoice = sandbox.data["Invoices"][7]
    bad_invoice["invoiceTotal"] = "12,50 EUR"
    bad_date = sandbox.data["Invoices"][8]
    bad_date["invoiceDateTime"] = "yesterday"
    bad_contact = sandbox.data["Contacts"][2]
    bad_contact["companyID"] = None
    service = make_service(database, http, base_url, secret_store, current_user)
    report = await service.run()
    assert report.full
    exp = expected(sandbox)
    got = await counts(database)
    assert got["invoices"] == exp["invoices"] - 2 and got["contacts"] == exp["contacts"] - 1
    assert len(report.problems) == 3
    assert any(f"Invoices {bad_invoice['id']}" in english(p) for p in report.problems)
    assert any(f"Contacts {bad_contact['id']}" in english(p) for p in report.problems)

    worker = OutboxWorker(database, _no_quickbooks, _no_autotask, current=current_user)
    problems = [p for p in await worker.problems() if p.kind == "psa.skipped_record"]
    assert len(problems) == 3 and all("it was skipped" in english(p.last_error) for p in problems)
    assert {english(p.label) for p in problems} == {"Read record from Autotask"}

    # the same record bad again: still one problem for it
    sandbox.touch_contact(bad_contact["id"])
    await service.run()
    assert len([p for p in await worker.problems() if p.kind == "psa.skipped_record"]) == 3

    # fixed in Autotask: read again by the next sync (no change of modified time needed), problems closed
    bad_invoice["invoiceTotal"] = sandbox.data["Invoices"][6]["invoiceTotal"]
    bad_date["invoiceDateTime"] = sandbox.data["Invoices"][6]["invoiceDateTime"]
    bad_contact["companyID"] = sandbox.data["Contacts"][1]["companyID"]
    report3 = await service.run()
    assert report3.problems == ()
    got = await counts(database)
    assert got["invoices"] == exp["invoices"] and got["contacts"] == exp["contacts"]
    assert got["invoice_lines"] == exp["invoice_lines"]          # the late invoice's lines came with it
    assert [p for p in await worker.problems() if p.kind == "psa.skipped_record"] == []


async def _no_quickbooks() -> Any:
    raise AssertionError("not used")


async def _no_autotask() -> AutotaskConnector:
    raise AssertionError("not used")


@pytest.mark.logs_warnings("an unreadable Autotask record is logged as skipped")
async def test_a_dismissed_skipped_record_is_not_brought_up_again(
        database: Database, http: httpx.AsyncClient, base_url: str, sandbox: AutotaskSandbox,
        secret_store: SecretStore, current_user: CurrentUser) -> None:
    from payapp.services.outbox import OutboxWorker

    bad_contact = sandbox.data["Contacts"][4]
    bad_contact["lastModifiedDate"] = "the day before yesterday"
    service = make_service(database, http, base_url, secret_store, current_user)
    assert len((await service.run()).problems) == 1
    worker = OutboxWorker(database, _no_quickbooks, _no_autotask, current=current_user)
    (problem,) = [p for p in await worker.problems() if p.kind == "psa.skipped_record"]
    await worker.dismiss(problem.job_id, "a test contact, deleted in Autotask next week")
    sandbox.touch_contact(bad_contact["id"])
    bad_contact["lastModifiedDate"] = "still not a date"
    assert (await service.run()).problems == ()
    assert [p for p in await worker.problems() if p.kind == "psa.skipped_record"] == []


async def test_payment_terms_synced_before_the_labels_get_them_once(
        database: Database, http: httpx.AsyncClient, base_url: str, sandbox: AutotaskSandbox,
        secret_store: SecretStore, current_user: CurrentUser) -> None:
    """A database synced before PayApp read the picklist holds bare values ("2"): the next sync labels them."""
    from payapp.models import SyncCursor

    service = make_service(database, http, base_url, secret_store, current_user)
    await service.run()
    async with database.transaction() as s:          # as an older PayApp left it
        await s.execute(update(Invoice).values(payment_term="2"))
        cursor = (await s.scalars(select(SyncCursor).where(SyncCursor.entity == "invoices"))).one()
        data = json.loads(cursor.cursor)
        data.pop("payment_terms_labelled")
        cursor.cursor = json.dumps(data)
    await service.run()
    async with database.sessions() as s:
        terms = set((await s.scalars(select(Invoice.payment_term))).all())
    # (invoices the incremental sync read again carry their own label)
    assert "Net 15" in terms and terms <= {"Net 30", "Net 15", "Due on receipt"}

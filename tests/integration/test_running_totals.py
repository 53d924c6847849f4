"""The unfiltered status-line and Payment Search totals come from the running totals the database's
triggers keep (migration 0006_totals), and always equal the exact COUNT/SUM: after payments, voids,
refunds and ACH returns through the real engine and sandbox gateway, after bulk and upsert writes like the
sync's, after a migration over existing data, and under concurrent payments on PostgreSQL, where two open
payment transactions on different connections never wait for each other's totals row."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, case, delete, event, func, insert, select, text, update

from payapp.migrations import alembic_config, upgrade
from payapp.models import Company, Invoice, Payment
from payapp.models.db import Database, null_pool_sync_engine
from payapp.services.auth import CurrentUser
from payapp.services.invoices import InvoiceQuery, InvoiceService
from payapp.services.payment_search import (
    SALE_STATUSES,
    CurrencyTotals,
    PaymentQuery,
    PaymentSearchService,
    PaymentTotals,
)
from payapp.services.payments import PaymentRequest
from payapp.services.secrets import SecretStore
from tests.conftest import ADMIN
from tests.payment_helpers import (
    MASTERCARD,
    ServedGateway,
    bank,
    card,
    configure_processing,
    make_invoice,
    make_service,
)


async def _exact(db: Database) -> tuple[tuple[int, int], PaymentTotals]:
    """COUNT/SUM over the tables themselves."""
    async with db.sessions() as s:
        n, bal = (await s.execute(select(func.count(), func.coalesce(func.sum(Invoice.balance_minor), 0))
                                  .select_from(Invoice))).one()
        sales = func.sum(case((Payment.status.in_(SALE_STATUSES), Payment.amount_minor), else_=0))
        rows = (await s.execute(select(Payment.currency, func.count(), func.sum(Payment.amount_minor),
                                       func.sum(Payment.applied_minor), func.sum(Payment.refunded_minor), sales)
                                .group_by(Payment.currency).order_by(Payment.currency))).all()
    per = tuple(CurrencyTotals(c, int(k), int(a), int(ap), int(rf), int(sa)) for c, k, a, ap, rf, sa in rows)
    return (int(n), int(bal)), PaymentTotals(sum(t.count for t in per), per)


async def _assert_fast_equals_exact(db: Database) -> None:
    current = CurrentUser(ADMIN)
    invoices, payments = await _exact(db)
    assert await InvoiceService(db, current).totals(InvoiceQuery()) == invoices
    assert await PaymentSearchService(db, current).totals(PaymentQuery()) == payments


@contextlib.contextmanager
def _statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def log(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", log)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", log)


async def test_unfiltered_totals_read_the_running_totals_not_the_tables(database: Database) -> None:
    """The defect: the status line and the totals aggregated every invoice / payment (0.4-2 s at scale)."""
    inv_id = await make_invoice(database, total_minor=123_45)
    current = CurrentUser(ADMIN)
    with _statements() as seen:
        assert await InvoiceService(database, current).totals(InvoiceQuery()) == (1, 123_45)
        totals = await PaymentSearchService(database, current).totals(PaymentQuery(sort_key="amount"))
    assert totals == PaymentTotals(0, ())
    sql = " ".join(seen).lower()
    assert "invoice_totals" in sql and "payment_totals" in sql
    assert "from invoices" not in sql
    # payments are read only for the amounts that are not sales (voided, declined, ...: few), by the status index
    assert all("payments.status not in" in q.lower() for q in seen if "from payments" in q.lower())
    # a filter keeps the exact path
    with _statements() as seen:
        assert await InvoiceService(database, current).totals(InvoiceQuery(text="Acme")) == (1, 123_45)
        await PaymentSearchService(database, current).totals(PaymentQuery(company="acme"))
        await PaymentSearchService(database, current).totals(PaymentQuery(needs_attention=True))
    sql = " ".join(seen).lower()
    assert "from invoices" in sql and "from payments" in sql and "_totals" not in sql
    assert inv_id


async def test_totals_exact_after_payments_voids_refunds_and_returns(
        database: Database, secret_store: SecretStore, served_gateway: ServedGateway,
        http_client: httpx.AsyncClient) -> None:
    await configure_processing(database, secret_store, served_gateway.url)
    await _assert_fast_equals_exact(database)
    first = await make_invoice(database, total_minor=100_00, number="INV-T1")
    second = await make_invoice(database, total_minor=80_00, number="INV-T2", company_name="Blue Ridge")
    await _assert_fast_equals_exact(database)
    svc = make_service(database, secret_store, http_client)
    p1 = await svc.take_payment(PaymentRequest(first, 40_00, card()))
    await _assert_fast_equals_exact(database)
    assert (await svc.void_or_refund(p1.payment_id, reason="wrong card")).approved         # void
    await _assert_fast_equals_exact(database)
    p2 = await svc.take_payment(PaymentRequest(first, 100_00, card(MASTERCARD)), confirm_duplicate=True)
    served_gateway.sandbox.settle_now()
    await svc.check_settlements()
    assert (await svc.void_or_refund(p2.payment_id, 30_00, reason="discount")).approved   # partial refund
    await _assert_fast_equals_exact(database)
    assert (await svc.void_or_refund(p2.payment_id)).approved                              # the rest
    await _assert_fast_equals_exact(database)
    good = await svc.take_payment(PaymentRequest(second, 30_00, bank()))
    bad = await svc.take_payment(PaymentRequest(second, 50_00, bank(account="99990000")))
    assert good.approved and bad.approved
    served_gateway.sandbox.settle_now(returns=False)
    await svc.check_settlements()
    served_gateway.sandbox.process_returns()
    assert (await svc.check_settlements()).returned == 1                                  # ACH return
    await _assert_fast_equals_exact(database)
    invoices, payments = await _exact(database)
    # refunds keep the invoice paid by default (the money goes back as a refund); the returned eCheck re-opens 50.00
    assert invoices == (2, 0 + 50_00) and payments.count == 4


async def test_totals_exact_after_bulk_upsert_update_and_delete(database: Database) -> None:
    """Many rows per statement (as the sync and demo data write), upserts, currency changes, deletes."""
    async with database.transaction() as s:
        cid = (await s.execute(insert(Company).values(name="Acme").returning(Company.id))).scalar_one()
        await s.execute(insert(Invoice), [dict(
            company_id=cid, company_name="Acme", invoice_number=f"B{i}", invoice_date=dt.date(2026, 1, 1),
            currency="USD", total_minor=1000 + i, balance_minor=1000 + i, status="open", external_id=i)
            for i in range(300)])
    await _assert_fast_equals_exact(database)
    dialect = "sqlite" if database.is_sqlite else "postgresql"
    upsert_mod = __import__(f"sqlalchemy.dialects.{dialect}", fromlist=["insert"])
    stmt = upsert_mod.insert(Invoice).values([dict(
        company_id=cid, company_name="Acme", invoice_number=f"B{i}", invoice_date=dt.date(2026, 1, 1),
        currency="USD", total_minor=1000 + i, balance_minor=i, status="open", external_id=i)
        for i in range(250, 400)])
    async with database.transaction() as s:
        await s.execute(stmt.on_conflict_do_update(index_elements=["external_id"],
                                                   set_={"balance_minor": stmt.excluded.balance_minor}))
    await _assert_fast_equals_exact(database)
    async with database.transaction() as s:
        inv_id = (await s.execute(select(Invoice.id).limit(1))).scalar_one()
        await s.execute(insert(Payment), [dict(
            order_id=f"o{i}", invoice_id=inv_id, company_id=cid, company_name="Acme", invoice_number="B0",
            gateway="nmi", amount_minor=500 + i, applied_minor=500 + i, refunded_minor=0,
            currency="USD" if i % 3 else "CAD", method="card", status="approved") for i in range(120)])
    await _assert_fast_equals_exact(database)
    async with database.transaction() as s:
        await s.execute(update(Payment).where(Payment.id % 4 == 0).values(refunded_minor=Payment.amount_minor))
        await s.execute(update(Payment).where(Payment.id % 5 == 0).values(currency="EUR"))
        await s.execute(update(Payment).values(psa_sync_state="synced"))        # no summed column
        await s.execute(update(Invoice).where(Invoice.id % 7 == 0).values(balance_minor=0, paid_minor=1))
    await _assert_fast_equals_exact(database)
    async with database.transaction() as s:
        await s.execute(delete(Payment).where(Payment.currency == "CAD"))
        await s.execute(delete(Invoice).where(Invoice.id > 350))
    await _assert_fast_equals_exact(database)
    totals = await PaymentSearchService(database, CurrentUser(ADMIN)).totals(PaymentQuery())
    assert [t.currency for t in totals.by_currency] == ["EUR", "USD"]       # CAD gone, not a zero row
    if not database.is_sqlite:
        async with database.transaction() as s:
            await s.execute(text("TRUNCATE payments, refunds, refund_approvals, outbox_jobs CASCADE"))
        await _assert_fast_equals_exact(database)


def test_migration_counts_what_is_already_there(db_url: str) -> None:
    """A database at 0005_gateway with invoices and payments gets running totals equal to its contents."""
    from alembic import command

    engine = null_pool_sync_engine(db_url)
    try:
        with engine.begin() as conn:
            cfg = alembic_config(db_url)
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0005_gateway")
        with engine.begin() as conn:
            cid = conn.execute(insert(Company).values(name="Acme")).inserted_primary_key[0]
            conn.execute(insert(Invoice), [dict(
                company_id=cid, company_name="Acme", invoice_number=f"M{i}", invoice_date=dt.date(2026, 1, 1),
                currency="USD", total_minor=700, balance_minor=700 - i, status="open") for i in range(40)])
            inv = conn.execute(select(func.min(Invoice.id))).scalar_one()
            conn.execute(insert(Payment), [dict(
                order_id=f"m{i}", invoice_id=inv, company_id=cid, company_name="Acme", invoice_number="M0",
                gateway="nmi", amount_minor=100 * i, applied_minor=10 * i, refunded_minor=i,
                currency=("USD", "CAD")[i % 2], method="card", status="settled") for i in range(30)])
        upgrade(db_url)
    finally:
        engine.dispose()

    async def check() -> None:
        db = Database(db_url)
        try:
            await _assert_fast_equals_exact(db)
            assert (await InvoiceService(db, CurrentUser(ADMIN)).totals(InvoiceQuery()))[0] == 40
        finally:
            await db.dispose()

    asyncio.run(check())


# ---------------------------------------------------------------- PostgreSQL: concurrent writers


@pytest.fixture
def pg_url(db_url: str) -> str:
    if db_url.startswith("sqlite"):
        pytest.skip("concurrent writers: PostgreSQL")
    return db_url


def _seed_invoices(db_url: str, n: int) -> tuple[int, list[int]]:
    engine = null_pool_sync_engine(db_url)
    try:
        with engine.begin() as conn:
            cid = conn.execute(insert(Company).values(name="Acme")).inserted_primary_key[0]
            ids = [conn.execute(insert(Invoice).values(
                company_id=cid, company_name="Acme", invoice_number=f"C{i}", invoice_date=dt.date(2026, 1, 1),
                currency="USD", total_minor=10_000, balance_minor=10_000, status="open")).inserted_primary_key[0]
                for i in range(n)]
    finally:
        engine.dispose()
    return cid, ids


def _pay_sql(cid: int, inv: int, order: str, amount: int) -> list[tuple[str, dict[str, object]]]:
    """What recording a payment writes: the payment row and the invoice's new balance."""
    return [
        ("INSERT INTO payments (order_id, invoice_id, company_id, company_name, invoice_number, gateway,"
         " amount_minor, applied_minor, refunded_minor, currency, method, brand, last_four, expiry, account_type,"
         " source, status, transaction_id, auth_code, response_code, response_text, avs_result, cvv_result,"
         " created_by_name, created_at, reconcile_attempts, approved_late, attention, accounting_sync_state,"
         " psa_sync_state, sync_error) VALUES (%(o)s, %(i)s, %(c)s, 'Acme', 'C', 'nmi', %(a)s, %(a)s, 0, 'USD',"
         " 'card', 'Visa', '1111', '', '', 'back_office', 'approved', '', '', '', '', '', '', '', now(), 0, false,"
         " '', 'pending', 'pending', '')", {"o": order, "i": inv, "c": cid, "a": amount}),
        ("UPDATE invoices SET paid_minor = paid_minor + %(a)s, balance_minor = balance_minor - %(a)s"
         " WHERE id = %(i)s", {"a": amount, "i": inv}),
    ]


def test_two_open_payment_transactions_never_wait_for_each_other(pg_url: str) -> None:
    """No hot row: while one connection's payment transaction is open, another connection's payment on
    another invoice goes through (each open transaction writes a shard of its own), and both are counted."""
    import psycopg

    cid, invoices = _seed_invoices(pg_url, 2)
    dsn = pg_url
    first = psycopg.connect(dsn)
    others: list[Any] = []
    try:
        second = psycopg.connect(dsn)
        others.append(second)
        for sql, params in _pay_sql(cid, invoices[0], "a", 1_00):
            first.execute(sql, params)                       # open, not committed
        second.execute("SET lock_timeout = '3s'")
        for sql, params in _pay_sql(cid, invoices[1], "b", 2_00):
            second.execute(sql, params)                      # would raise LockNotAvailable on a hot row
        second.commit()
        first.commit()
    finally:
        first.close()
        for c in others:
            c.close()

    async def check() -> None:
        db = Database(pg_url)
        try:
            await _assert_fast_equals_exact(db)
            totals = await PaymentSearchService(db, CurrentUser(ADMIN)).totals(PaymentQuery())
            assert (totals.count, totals.by_currency[0].amount_minor) == (2, 3_00)
        finally:
            await db.dispose()

    asyncio.run(check())


def test_open_transactions_on_the_same_pid_shard_still_never_wait(pg_url: str) -> None:
    """Two backends whose pids fall on the same shard: the second claims another one instead of waiting."""
    import psycopg

    cid, invoices = _seed_invoices(pg_url, 2)
    conns: list[Any] = [psycopg.connect(pg_url)]
    try:
        shard = conns[0].info.backend_pid % 64
        for sql, params in _pay_sql(cid, invoices[0], "a", 1_00):
            conns[0].execute(sql, params)
        for _ in range(1000):                         # another backend on the same pid shard
            conns.append(psycopg.connect(pg_url))
            if conns[-1].info.backend_pid % 64 == shard:
                break
            conns.pop().close()
        else:
            pytest.skip("no backend pid on the same shard")
        second = conns[-1]
        second.execute("SET lock_timeout = '3s'")
        for sql, params in _pay_sql(cid, invoices[1], "b", 2_00):
            second.execute(sql, params)
        second.commit()
        conns[0].commit()
    finally:
        for c in conns:
            c.close()

    async def check() -> None:
        db = Database(pg_url)
        try:
            await _assert_fast_equals_exact(db)
        finally:
            await db.dispose()

    asyncio.run(check())


def test_concurrent_payments_keep_totals_exact(pg_url: str) -> None:
    """Eight connections record 25 payments each at once (some roll back): the totals equal the exact sums."""
    import threading

    import psycopg

    cid, invoices = _seed_invoices(pg_url, 8)
    dsn = pg_url
    errors: list[BaseException] = []

    def worker(k: int) -> None:
        try:
            with psycopg.connect(dsn) as conn:
                for j in range(25):
                    with contextlib.suppress(psycopg.errors.QueryCanceled), conn.transaction():
                        for sql, params in _pay_sql(cid, invoices[(k + j) % 8], f"w{k}-{j}", 1 + k + j):
                            conn.execute(sql, params)
                        if j % 6 == 5:
                            conn.execute("SELECT pg_cancel_backend(pg_backend_pid())")    # rolled back
        except BaseException as exc:     # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []

    async def check() -> None:
        db = Database(pg_url)
        try:
            await _assert_fast_equals_exact(db)
            totals = await PaymentSearchService(db, CurrentUser(ADMIN)).totals(PaymentQuery())
            assert totals.count == 8 * 21
        finally:
            await db.dispose()

    asyncio.run(check())


def test_generated_invoices_are_counted(db_url: str) -> None:
    """`payapp demo-data --invoices N` (a bulk load: COPY on PostgreSQL, executemany on SQLite) keeps the
    running totals exact, added to what was there."""
    from payapp.services.demo_data import generate_invoices

    generate_invoices(db_url, 1500, companies=20)
    generate_invoices(db_url, 700, companies=5, seed=12)

    async def check() -> None:
        db = Database(db_url)
        try:
            await _assert_fast_equals_exact(db)
            assert (await InvoiceService(db, CurrentUser(ADMIN)).totals(InvoiceQuery()))[0] == 2200
        finally:
            await db.dispose()

    asyncio.run(check())

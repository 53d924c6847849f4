"""InvoiceService on SQLite and PostgreSQL: keyset paging visits every row exactly once in every sort, both
directions (NULLs and ties included); filters return exactly the matching rows; totals agree."""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import insert

import payapp.models.db as db_module
import payapp.services.invoices as invoices_module
from payapp.domain.errors import PermissionDenied
from payapp.domain.payment_state import invoice_status
from payapp.models import Company, Contact, Contract, Invoice, InvoiceLine, Payment
from payapp.models.db import BudgetExceeded, Database
from payapp.services.auth import CurrentUser
from payapp.services.invoices import SORT_COLUMNS, InvoiceQuery, InvoiceRow, InvoiceService, SortKey
from tests.conftest import ADMIN
from tests.integration.sql_plan import query_plan

TODAY = dt.date(2026, 6, 15)
NAMES = ["Acme Dental LLC", "Acme Logistics Inc.", "acme lower Co.", "Blue Ridge Legal", "Cascade 100% Foods",
         "Delta_Realty", "Zenith Medical"]


def _status_of(r: dict[str, object]) -> str:
    if r["is_voided"]:
        return "voided"
    due = r["due_date"]
    if int(r["balance_minor"]) > 0 and due is not None and due < TODAY:  # type: ignore[operator]
        return "overdue"
    return str(r["status"])


async def _seed(db: Database, n: int = 157) -> list[dict[str, object]]:
    rng = random.Random(5)
    rows: list[dict[str, object]] = []
    for i in range(1, n + 1):
        total = rng.choice([5000, 5000, 12000, 99900, 250])           # ties on purpose
        voided = i % 23 == 0
        paid = 0 if voided else rng.choice([0, total, total // 2])
        day = TODAY - dt.timedelta(days=rng.choice([0, 10, 10, 40, 100, 400]))
        rows.append(dict(
            id=i, company_id=(i % len(NAMES)) + 1, company_name=NAMES[i % len(NAMES)],
            invoice_number=f"{day.year}{i:05d}", accounting_number=None if i % 5 == 0 else str(1000 + i % 40),
            invoice_date=day, due_date=None if i % 11 == 0 else day + dt.timedelta(days=30), currency="USD",
            total_minor=total, tax_minor=0, paid_minor=paid, balance_minor=0 if voided else total - paid,
            status=invoice_status(total, paid, voided).value, is_voided=voided,
            sync_state=rng.choice(["pending", "synced", "failed"]), payment_term="Net 30", comments="",
            psa_paid_marked=False, contract_id=1 if i == 1 else None))
    async with db.transaction() as s:
        await s.execute(insert(Company), [dict(id=k + 1, name=name) for k, name in enumerate(NAMES)])
        await s.execute(insert(Contract), [dict(id=1, company_id=2, name="MSA", number="MSA-1")])
        await s.execute(insert(Contact), [dict(id=1, company_id=2, first_name="Ana", last_name="Baker",
                                               email="ana@example.com"),
                                          dict(id=2, company_id=2, first_name="Old", last_name="Gone",
                                               is_active=False)])
        await s.execute(insert(Invoice), rows)
        await s.execute(insert(InvoiceLine), [dict(invoice_id=1, position=0, description="Help desk",
                                                   quantity=2, unit_price_minor=2500, amount_minor=5000,
                                                   contract_id=1)])
    for r in rows:
        r["display_status"] = _status_of(r)
    return rows


async def _all(svc: InvoiceService, query: InvoiceQuery, limit: int = 13) -> list[InvoiceRow]:
    out: list[InvoiceRow] = []
    after = None
    for _ in range(1000):
        page = await svc.page(query, after, limit)
        out.extend(page)
        if len(page) < limit:
            return out
        after = page[-1].sort_key
    raise AssertionError("paging did not end")


def _service(db: Database) -> InvoiceService:
    return InvoiceService(db, CurrentUser(ADMIN), today=lambda: TODAY)


@pytest.mark.parametrize("descending", [False, True])
async def test_every_sort_pages_through_all_rows_once_in_order(database: Database, descending: bool) -> None:
    seeded = await _seed(database)
    svc = _service(database)
    field_of = {"total": "total_minor", "paid": "paid_minor", "balance": "balance_minor"}
    for sort in SORT_COLUMNS:
        rows = await _all(svc, InvoiceQuery().sorted_by(sort, descending))
        ids = [r.id for r in rows]
        assert sorted(ids) == sorted(int(r["id"]) for r in seeded), sort          # all, each once
        column = field_of.get(sort, sort)
        keys = [r.sort_key for r in rows]
        # NULLs first ascending, last descending; within equal values by id in the same direction
        nulls = [k for k in keys if k.value is None]
        non_null = [k for k in keys if k.value is not None]
        expected = (sorted(non_null, key=lambda k: (k.value, k.id), reverse=True) + nulls if descending
                    else nulls + sorted(non_null, key=lambda k: (k.value, k.id)))
        if nulls:
            assert [k.id for k in nulls] == sorted((k.id for k in nulls), reverse=descending), sort
        assert keys == expected, sort
        by_id = {int(r["id"]): r for r in seeded}
        assert all(k.value == by_id[k.id][column] for k in keys), sort


async def test_filters_return_exactly_the_matching_rows(database: Database) -> None:
    seeded = await _seed(database)
    svc = _service(database)

    async def check(query: InvoiceQuery, predicate: object) -> None:
        want = {int(r["id"]) for r in seeded if predicate(r)}  # type: ignore[operator]
        got = [r.id for r in await _all(svc, query)]
        assert len(got) == len(set(got))
        assert set(got) == want, query
        count, balance = await svc.totals(query)
        assert count == len(want)
        assert balance == sum(int(r["balance_minor"]) for r in seeded if int(r["id"]) in want)

    await check(InvoiceQuery(), lambda r: True)
    await check(InvoiceQuery(text="Acme"), lambda r: str(r["company_name"]).startswith("Acme"))
    # lower-case typing finds capitalised names, and the name really typed in lower case
    await check(InvoiceQuery(text="acme"), lambda r: str(r["company_name"]).lower().startswith("acme"))
    await check(InvoiceQuery(text="Cascade 100%"), lambda r: str(r["company_name"]).startswith("Cascade 100%"))
    await check(InvoiceQuery(text="100%"), lambda r: False)                   # % is not a wildcard
    await check(InvoiceQuery(text="Delta_"), lambda r: str(r["company_name"]).startswith("Delta_"))
    await check(InvoiceQuery(text="' OR 1=1 --"), lambda r: False)           # always bound
    inv_no = str(seeded[40]["invoice_number"])
    await check(InvoiceQuery(text=inv_no), lambda r: str(r["invoice_number"]).startswith(inv_no))
    await check(InvoiceQuery(text="102"), lambda r: str(r["accounting_number"] or "").startswith("102")
                or str(r["invoice_number"]).startswith("102"))
    for status in ("open", "partially_paid", "paid", "voided", "overdue"):
        await check(InvoiceQuery(status=status), lambda r, s=status: r["display_status"] == s)
    await check(InvoiceQuery(overdue_only=True), lambda r: r["display_status"] == "overdue")
    await check(InvoiceQuery(status="unpaid"), lambda r: r["display_status"] in ("open", "partially_paid", "overdue"))
    start, end = TODAY - dt.timedelta(days=40), TODAY - dt.timedelta(days=10)
    await check(InvoiceQuery(date_from=start, date_to=end), lambda r: start <= r["invoice_date"] <= end)  # type: ignore[operator]
    await check(InvoiceQuery(text="Acme", overdue_only=True, date_from=start),
                lambda r: str(r["company_name"]).startswith("Acme") and r["display_status"] == "overdue"
                and r["invoice_date"] >= start)  # type: ignore[operator]
    await check(InvoiceQuery(text="Nobody"), lambda r: False)


async def test_sorted_filtered_pages_and_detail(database: Database) -> None:
    seeded = await _seed(database)
    svc = _service(database)
    query = InvoiceQuery(text="Acme", sort="balance", descending=True)
    rows = await _all(svc, query, limit=4)
    assert [r.balance_minor for r in rows] == sorted((r.balance_minor for r in rows), reverse=True)
    assert len(rows) == sum(1 for r in seeded if str(r["company_name"]).startswith("Acme"))

    async with database.transaction() as s:
        await s.execute(insert(Payment), [dict(
            order_id="o-1", invoice_id=1, company_id=2, company_name=NAMES[1], invoice_number="x", gateway="nmi",
            amount_minor=1500, currency="USD", method="card", brand="Visa", last_four="1111", status="approved",
            transaction_id="T1", created_by_name="Ana")])
    detail = await svc.get(1)
    assert detail.row.id == 1 and detail.contract == "MSA-1 · MSA"
    assert detail.lines[0].description == "Help desk" and detail.lines[0].contract == "MSA-1"
    assert [(p.method_display, p.amount_minor, p.status) for p in detail.payments] == [("Visa •••• 1111", 1500,
                                                                                         "approved")]
    contacts = await svc.contacts_for_company(2)
    assert [c.name for c in contacts] == ["Ana Baker"]


async def test_company_address_is_what_the_payment_form_prefills(database: Database) -> None:
    """Issue #15.5: the company's address pre-fills the billing address; a company without one, or none at all,
    gives empty parts, never an error."""
    svc = _service(database)
    async with database.transaction() as s:
        await s.execute(insert(Company), [dict(id=1, name="Acme", address1="1 Main St", city="Austin", state="TX",
                                               postal_code="78701", country="us"),
                                          dict(id=2, name="Bare")])
    address = await svc.company_address(1)
    assert (address.address1, address.city, address.state, address.postal_code, address.country) == (
        "1 Main St", "Austin", "TX", "78701", "US")
    bare = await svc.company_address(2)
    assert (bare.address1, bare.postal_code, bare.country) == ("", "", "US")
    assert await svc.company_address(999) == invoices_module.CompanyAddress()
    with pytest.raises(PermissionDenied):
        await InvoiceService(database, CurrentUser(None)).company_address(1)


async def test_viewing_needs_a_signed_in_user(database: Database) -> None:
    svc = InvoiceService(database, CurrentUser(None))
    with pytest.raises(PermissionDenied):
        await svc.page(InvoiceQuery())


async def test_dense_search_walks_the_sort_index_and_returns_the_same_rows(
        database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """A prefix matching many invoices is read by walking the sort order's index (SQLite), under a work budget
    with collecting as the fallback; every plan returns exactly the rows of the plain one."""
    await _seed(database)
    svc = _service(database)
    queries = [InvoiceQuery(text=t).sorted_by(sort, desc) for t in ("acme", "20")
               for sort in ("invoice_date", "due_date", "company_name") for desc in (False, True)]
    monkeypatch.setattr(invoices_module, "DENSE_TEXT_MIN_MATCHES", 10**9)       # never walk
    plain = {q: [r.id for r in await _all(svc, q, limit=7)] for q in queries}
    for want in plain.values():
        assert len(want) == len(set(want))
    assert any(len(v) > 20 for v in plain.values())
    monkeypatch.setattr(invoices_module, "DENSE_TEXT_MIN_MATCHES", 1)           # walk whenever there are matches
    budgets: list[int] = []
    real_budget = svc._scan_budget

    def spy(conn: Any, query: InvoiceQuery, limit: int) -> int:
        budgets.append(real_budget(conn, query, limit))
        return budgets[-1]

    monkeypatch.setattr(svc, "_scan_budget", spy)
    for q in queries:
        assert [r.id for r in await _all(svc, q, limit=7)] == plain[q], q
    if database.is_sqlite:
        assert any(budgets) and not all(budgets)        # walked where it may, never when sorted by company
        # Every walk runs out of budget (a handler call per step), and the collecting plan answers instead.
        monkeypatch.setattr(invoices_module, "_STEPS_PER_ROW", 1)
        monkeypatch.setattr(db_module, "_BUDGET_EVERY", 1)
        exceeded: list[bool] = []
        real_work_budget = invoices_module.work_budget

        @contextlib.contextmanager
        def recording(conn: Any, steps: int) -> Iterator[None]:
            try:
                with real_work_budget(conn, steps):
                    yield
            except BudgetExceeded:
                exceeded.append(True)
                raise

        monkeypatch.setattr(invoices_module, "work_budget", recording)
        for q in queries:
            assert [r.id for r in await _all(svc, q, limit=7)] == plain[q], q
        assert exceeded
    else:
        assert not any(budgets)                         # PostgreSQL plans with its own statistics


def test_the_walking_plan_uses_the_sort_index_on_sqlite(sqlite_url: str) -> None:
    from payapp.models.db import make_sync_engine

    svc = InvoiceService(None, CurrentUser(ADMIN))  # type: ignore[arg-type]
    engine = make_sync_engine(sqlite_url)
    try:
        with engine.connect() as conn:
            for sort, index in (("invoice_date", "ix_invoices_invoice_date_id"),
                                ("total", "ix_invoices_total_minor_id")):
                query = InvoiceQuery(text="Acme").sorted_by(sort, True)
                for indexed, expect_walk in ((True, False), (False, True)):
                    stmt = (svc._row_select(TODAY, SORT_COLUMNS[sort])
                            .where(*svc._filters(query, TODAY, indexed_text=indexed)).limit(200)
                            .order_by(*svc._segments(query, None)[0][1]))
                    plan = query_plan(conn, stmt)
                    walks = f"SCAN invoices USING INDEX {index}" in plan and "TEMP B-TREE" not in plan
                    assert walks == expect_walk, plan
    finally:
        engine.dispose()


async def test_a_cancelled_read_is_interrupted_in_the_database(database: Database) -> None:
    """Cancelling the task awaiting a read stops its statement (a stale COUNT must not keep a core busy), and
    the lane's thread is free for the next read."""
    import asyncio

    from sqlalchemy import text

    if not database.is_sqlite:
        forever = text("SELECT pg_sleep(60)")
    else:
        forever = text("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c")
    started = asyncio.Event()
    loop = asyncio.get_running_loop()

    def endless(conn: Any) -> object:
        loop.call_soon_threadsafe(started.set)
        return conn.execute(forever).scalar()

    for lane in ("aggregate", "aggregate", "aggregate", "page", "page", "page"):   # more than a lane's threads
        task = asyncio.ensure_future(database.read(endless, lane=lane))  # type: ignore[arg-type]
        await asyncio.wait_for(started.wait(), 10)
        started.clear()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    one = await asyncio.wait_for(database.read(lambda conn: conn.execute(text("SELECT 1")).scalar(),
                                               lane="aggregate"), 10)
    assert one == 1


def test_every_sort_reads_its_first_and_next_pages_from_an_index_on_sqlite(sqlite_url: str) -> None:
    """Each sort column has a (column, id) index that SQLite uses for the page's order, in both directions and
    after a keyset position: no temporary B-tree (a sort of every matching invoice) on any page."""
    from payapp.models.db import make_sync_engine

    svc = InvoiceService(None, CurrentUser(ADMIN))  # type: ignore[arg-type]
    engine = make_sync_engine(sqlite_url)
    try:
        with engine.connect() as conn:
            for sort in SORT_COLUMNS:
                for descending in (False, True):
                    query = InvoiceQuery().sorted_by(sort, descending)
                    for after in (None, SortKey("5", 7) if sort in ("invoice_number", "accounting_number",
                                                                  "company_name", "status", "sync_state")
                                  else SortKey(TODAY if "date" in sort else 500, 7)):
                        for extra, order in svc._segments(query, after):
                            stmt = (svc._row_select(TODAY, SORT_COLUMNS[sort]).where(*extra)
                                    .order_by(*order).limit(200))
                            plan = query_plan(conn, stmt)
                            assert "USING INDEX ix_invoices_" in plan and "TEMP B-TREE" not in plan, (sort, plan)
    finally:
        engine.dispose()

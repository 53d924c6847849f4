"""Payment Search service: filters (alone and combined) return exactly the rows a plain Python filter picks,
keyset paging and sorting, totals, and export equal to the rows shown (CSV and XLSX), on both databases."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import random
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import func, insert, select

from payapp.domain.messages import render
from payapp.domain.roles import Role
from payapp.models import Payment
from payapp.models.db import Database, is_sqlite, make_sync_engine
from payapp.services.auth import Actor, CurrentUser
from payapp.services.demo_data import generate_demo_company
from payapp.services.payment_export import HEADER, export_payments
from payapp.services.payment_search import SORT_COLUMNS, PaymentQuery, PaymentSearchService
from tests.integration.sql_plan import query_plan

VIEWER = CurrentUser(Actor(user_id=None, username="viewer", role=Role.VIEWER))
NAMES = ["Acme Inc", "ACME West", "Blue 50% Off", "Under_Score Ltd", "Zeta Co", "acme east", "Omega"]
USERS = ["alice", "Bob", "carol", "demo"]
BRANDS = ["Visa", "Mastercard", "American Express", "Discover", ""]
STATUSES = ["approved", "settled", "declined", "voided", "refunded", "partially_refunded", "returned", "pending",
            "unknown"]
T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _generate(url: str, n: int = 240, seed: int = 3) -> list[SimpleNamespace]:
    """A small demo company (for invoices/companies) plus `n` varied payments; returns every payment row."""
    generate_demo_company(url, companies=2, years=1, seed=seed)
    rng = random.Random(seed)
    engine = make_sync_engine(url)
    with engine.begin() as conn:
        inv_id, cid = conn.execute(select(Payment.invoice_id, Payment.company_id).limit(1)).one()
        base_id = conn.execute(select(func.max(Payment.id))).scalar_one() or 0   # demo rows carry explicit ids
        rows = []
        for i in range(n):
            method = rng.choice(["card", "echeck"])
            amount = rng.choice([100, 999, 1000, 2500, 12345, 50000, rng.randint(1, 99999)])
            refunded = rng.choice([0, 0, amount // 4])
            rows.append(dict(
                id=base_id + 1 + i, order_id=f"gen-{i}", invoice_id=inv_id, company_id=cid,
                company_name=rng.choice(NAMES),
                invoice_number=f"INV-{rng.randint(1, 25)}", gateway="nmi", amount_minor=amount,
                applied_minor=rng.choice([amount, 0]), refunded_minor=refunded, currency="USD", method=method,
                brand="" if method == "echeck" else rng.choice(BRANDS[:4]),
                last_four=rng.choice(["1111", "0009", "3123", "3815"]),
                account_type="checking" if method == "echeck" else "", source=rng.choice(["back_office",
                                                                                         "client_portal"]),
                status=rng.choice(STATUSES), transaction_id=str(7700000000 + rng.randint(0, 60)),
                created_by_name=rng.choice(USERS),
                created_at=T0 + dt.timedelta(minutes=rng.randint(0, 60 * 24 * 90)),
                accounting_sync_state=rng.choice(["synced", "pending", "needs_attention", "not_needed"]),
                psa_sync_state="synced"))
        conn.execute(insert(Payment.__table__), rows)  # type: ignore[arg-type]
        cols = [c.key for c in Payment.__table__.columns]
        everything = [SimpleNamespace(**dict(zip(cols, r, strict=True)))
                      for r in conn.execute(select(*Payment.__table__.columns))]
    engine.dispose()
    for p in everything:   # SQLite gives naive datetimes through the sync core select; make them UTC
        if p.created_at.tzinfo is None:
            p.created_at = p.created_at.replace(tzinfo=dt.UTC)
    return everything


def _expected(rows: list[SimpleNamespace], q: PaymentQuery) -> list[SimpleNamespace]:
    attr = SORT_COLUMNS[q.sort_key].key
    hits = [p for p in rows if q.matches(p)]
    return sorted(hits, key=lambda p: (getattr(p, attr), p.id), reverse=q.descending)


async def _all_ids(search: PaymentSearchService, q: PaymentQuery, limit: int) -> list[int]:
    ids: list[int] = []
    async for page in search.iter_pages(q, limit):
        ids.extend(r.id for r in page)
    return ids


def _maybe(values: list[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.just(""), st.sampled_from(values))


queries = st.builds(
    PaymentQuery,
    date_from=st.one_of(st.none(), st.integers(0, 90).map(lambda d: T0 + dt.timedelta(days=d))),
    date_to=st.one_of(st.none(), st.integers(0, 90).map(lambda d: T0 + dt.timedelta(days=d, hours=7))),
    company=_maybe(["acme", "ACME", "50%", "_", "zeta co", "Under_", "nomatch"]),
    invoice_number=_maybe([f"INV-{i}" for i in (1, 5, 9)]),
    statuses=st.frozensets(st.sampled_from(STATUSES), max_size=3),
    method=_maybe(["card", "echeck"]),
    brand=_maybe(["visa", "Mastercard", "Discover"]),
    last_four=_maybe(["1111", "3123", "0000"]),
    amount_min=st.one_of(st.none(), st.sampled_from([100, 1000, 20000])),
    amount_max=st.one_of(st.none(), st.sampled_from([999, 1000, 50000])),
    transaction_id=_maybe([str(7700000000 + i) for i in (1, 7, 30)]),
    order_id=_maybe(["gen-3", "gen-17", "nope"]),
    user=_maybe(["al", "BOB", "demo"]),
    source=_maybe(["back_office", "client_portal"]),
    sync_state=_maybe(["synced", "needs_attention"]),
    sort_key=st.sampled_from(sorted(SORT_COLUMNS)),
    descending=st.booleans(),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=queries, limit=st.sampled_from([7, 50, 500]))
def test_filters_match_plain_python_sqlite(sqlite_url: str, generated_sqlite: list[SimpleNamespace],
                                           q: PaymentQuery, limit: int) -> None:
    async def check() -> None:
        db = Database(sqlite_url)
        try:
            search = PaymentSearchService(db, VIEWER)
            want = _expected(generated_sqlite, q)
            assert await _all_ids(search, q, limit) == [p.id for p in want]
            totals = await search.totals(q)
            assert totals.count == len(want)
            assert sum(t.amount_minor for t in totals.by_currency) == sum(p.amount_minor for p in want)
            assert sum(t.refunded_minor for t in totals.by_currency) == sum(p.refunded_minor for p in want)
            # issue #15.9: "sales" leave voided, declined, failed, returned and unanswered payments out
            assert sum(t.sales_minor for t in totals.by_currency) == sum(
                p.amount_minor for p in want if p.status in ("approved", "settled", "refunded", "partially_refunded"))
        finally:
            await db.dispose()
    asyncio.run(check())


@pytest.fixture
def generated_sqlite(sqlite_url: str) -> list[SimpleNamespace]:
    return _generate(sqlite_url)


FIXED = [
    PaymentQuery(),
    PaymentQuery(company="acme"),
    PaymentQuery(company="50%"),
    PaymentQuery(company="_"),
    PaymentQuery(statuses=frozenset({"settled", "refunded"}), method="card", brand="VISA"),
    PaymentQuery(date_from=T0 + dt.timedelta(days=10), date_to=T0 + dt.timedelta(days=40), amount_min=1000),
    PaymentQuery(user="bob", source="client_portal", sync_state="needs_attention", sort_key="amount"),
    PaymentQuery(last_four="3123", invoice_number="INV-5", descending=False, sort_key="date"),
    PaymentQuery(transaction_id="7700000007", sort_key="company", descending=False),
    PaymentQuery(order_id="gen-17"),
    PaymentQuery(amount_min=1000, amount_max=1000, sort_key="refunded"),
    PaymentQuery(company="nomatch"),
]


async def test_fixed_filters_both_databases(db_url: str, database: Database) -> None:
    rows = await asyncio.to_thread(_generate, db_url)
    search = PaymentSearchService(database, VIEWER)
    text_keys = {"company", "invoice", "status", "transaction", "user", "sync", "method"}
    for q in FIXED:
        for key in ("date", "amount", "company"):
            qq = q.sorted_by(key, q.descending)
            want = _expected(rows, qq)
            got = await _all_ids(search, qq, 13)
            if is_sqlite(db_url) or key not in text_keys:
                assert got == [p.id for p in want], qq
            else:   # PostgreSQL orders text by its collation, not code points: same rows, no duplicates
                assert sorted(got) == sorted(p.id for p in want) and len(set(got)) == len(got), qq
            assert (await search.totals(qq)).count == len(want)


async def test_details_timeline_and_retry_sync(database: Database, db_url: str) -> None:
    await asyncio.to_thread(_generate, db_url, 20)
    admin = CurrentUser(Actor(user_id=None, username="admin", role=Role.ADMIN))
    search = PaymentSearchService(database, admin)
    from payapp.models import OutboxJob

    first = (await search.page(PaymentQuery(statuses=frozenset({"partially_refunded"})), None, 1))[0]
    async with database.transaction() as s:
        s.add(OutboxJob(kind="accounting.push_payment", payment_id=first.id, status="needs_attention", attempts=7,
                        last_error="QuickBooks said no"))
        p = await s.get(Payment, first.id)
        assert p is not None
        p.accounting_sync_state = "needs_attention"
    d = await search.details(first.id)
    assert [e.event for e in d.timeline][:2] == ["created", "approved"]
    # the timeline's words are messages, in the reader's language
    assert [render(e.text, "de") for e in d.timeline][:2] == ["Zahlung begonnen", "Vom Gateway genehmigt"]
    assert any(e.text.english() == "Refunded" for e in d.timeline)
    assert d.can_retry_sync and d.can_refund and not d.can_void
    assert d.sync_jobs[0].last_error == "QuickBooks said no"
    assert await search.retry_sync(first.id) == 1
    d = await search.details(first.id)
    assert d.sync_jobs[0].status == "pending" and d.sync_jobs[0].attempts == 0
    assert d.audit[-1].action == "payment.sync_retry"
    assert d.audit[-1].user_name == ""                       # "admin" has no users row nor display name
    named = PaymentSearchService(database, CurrentUser(Actor(user_id=None, username="admin", role=Role.ADMIN,
                                                             display_name="Ada Admin")))
    assert (await named.details(first.id)).audit[-1].user_name == "Ada Admin"   # one form of the name (#15.10)
    with pytest.raises(Exception, match="may not"):
        await PaymentSearchService(database, VIEWER).retry_sync(first.id)


async def test_export_equals_rows_shown(database: Database, db_url: str, tmp_path: Path) -> None:
    await asyncio.to_thread(_generate, db_url, 150)
    search = PaymentSearchService(database, VIEWER)
    q = PaymentQuery(method="card", sort_key="amount", descending=False)
    shown = [r for page in [p async for p in search.iter_pages(q, 1000)] for r in page]
    assert shown
    progress: list[tuple[int, int]] = []
    n = await export_payments(search, q, tmp_path / "p.csv", "csv", total=len(shown), page_size=17,
                              on_progress=lambda d, t: progress.append((d, t)))
    assert n == len(shown) and progress[-1] == (len(shown), len(shown))
    with (tmp_path / "p.csv").open(newline="", encoding="utf-8") as f:
        lines = list(csv.reader(f))
    assert tuple(lines[0]) == HEADER
    assert [int(x[0]) for x in lines[1:]] == [r.id for r in shown]
    by_id = {r.id: r for r in shown}
    for line in lines[1:]:
        r = by_id[int(line[0])]
        assert line[1] == r.created_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        assert line[7] == "USD"
        assert line[8] == f"{r.amount_minor // 100}.{r.amount_minor % 100:02d}"
        assert line[10] == f"{r.refunded_minor // 100}.{r.refunded_minor % 100:02d}"
    await export_payments(search, q, tmp_path / "p.xlsx", "xlsx", page_size=40)
    wb = load_workbook(tmp_path / "p.xlsx", read_only=True)
    values = [list(row) for row in wb["Payments"].iter_rows(values_only=True)]
    wb.close()
    assert [str(v) for v in values[0]] == list(HEADER)
    assert [[str(v) if v is not None else "" for v in row] for row in values[1:]] == lines[1:]


async def test_cancelled_export_leaves_no_file(database: Database, db_url: str, tmp_path: Path) -> None:
    await asyncio.to_thread(_generate, db_url, 100)
    search = PaymentSearchService(database, VIEWER)
    started = asyncio.Event()
    task = asyncio.create_task(export_payments(search, PaymentQuery(), tmp_path / "x.csv", "csv", page_size=5,
                                               on_progress=lambda d, t: started.set()))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
async def test_cancelled_export_keeps_the_file_it_would_replace(database: Database, db_url: str, tmp_path: Path,
                                                                fmt: str) -> None:
    """The user chose to replace last month's export: cancelling leaves that file as it was, and no part file."""
    await asyncio.to_thread(_generate, db_url, 100)
    (tmp_path / "exports").mkdir()
    target = tmp_path / "exports" / f"x.{fmt}"
    target.write_bytes(b"last month's export")
    started = asyncio.Event()
    task = asyncio.create_task(export_payments(PaymentSearchService(database, VIEWER), PaymentQuery(), target, fmt,
                                               page_size=5, on_progress=lambda d, t: started.set()))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert target.read_bytes() == b"last month's export"
    assert [p.name for p in target.parent.iterdir()] == [target.name]


async def test_sorted_within_a_date_range_every_plan_returns_the_same_pages(
        sqlite_url: str, generated_sqlite: list[SimpleNamespace], monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite: sorted by anything but the date within a date range, a small range is collected and sorted,
    a large one walked in sort order under a work budget (collecting again when the budget runs out). Every
    plan pages through exactly the plain Python answer."""
    import payapp.models.db as db_module
    import payapp.services.payment_search as search_module

    queries = [PaymentQuery(date_from=T0 + dt.timedelta(days=20), date_to=T0 + dt.timedelta(days=50), **extra
                            ).sorted_by(key, desc)
               for extra in ({}, {"statuses": frozenset({"settled", "declined"}), "amount_min": 1000})
               for key in sorted(SORT_COLUMNS) for desc in (False, True)]
    budgets: list[int | None] = []
    db = Database(sqlite_url)
    search = PaymentSearchService(db, VIEWER)
    real = search._walk_budget
    monkeypatch.setattr(search, "_walk_budget", lambda conn, q: budgets.append(real(conn, q)) or budgets[-1])
    try:
        for collect_max, steps_per_row, plan in ((10**6, 15, "collect"), (1, 15, "walk"),
                                                 (1, 1, "walk, then collect")):
            monkeypatch.setattr(search_module, "COLLECT_MAX_ROWS", collect_max)
            monkeypatch.setattr(search_module, "_STEPS_PER_ROW", steps_per_row)
            monkeypatch.setattr(db_module, "_BUDGET_EVERY", 1 if steps_per_row == 1 else 10_000)
            budgets.clear()
            for q in queries:
                want = [p.id for p in _expected(generated_sqlite, q)]
                assert want, q
                assert await _all_ids(search, q, 9) == want, (plan, q)
            chosen = {b for b in budgets if b != 0}           # 0: sorted by date, no choice to make
            assert chosen == ({None} if plan == "collect" else {steps_per_row}), plan
    finally:
        await db.dispose()


def test_a_small_date_range_is_collected_through_the_date_index(sqlite_url: str) -> None:
    from payapp.services.payment_search import page_statement

    engine = make_sync_engine(sqlite_url)
    try:
        with engine.connect() as conn:
            for key in sorted(set(SORT_COLUMNS) - {"date"}):
                q = PaymentQuery(date_from=T0, date_to=T0 + dt.timedelta(days=30)).sorted_by(key, True)
                plan = query_plan(conn, page_statement(q, (0, 0), 200, sqlite=True, collect=True))
                # The range through a date index, then a sort: never a walk along the sort column's index.
                assert "(created_at>? AND created_at<?)" in plan and "TEMP B-TREE" in plan, (key, plan)
    finally:
        engine.dispose()


def test_every_sort_reads_its_pages_from_an_index_on_sqlite(sqlite_url: str) -> None:
    """Without a date range every sort column's (column, id) index gives the page's order, both directions and
    after a keyset position: no temporary B-tree."""
    from payapp.services.payment_search import page_statement

    engine = make_sync_engine(sqlite_url)
    try:
        with engine.connect() as conn:
            for key in SORT_COLUMNS:
                for descending in (False, True):
                    for after in (None, (T0 if key == "date" else 5, 7)):
                        q = PaymentQuery().sorted_by(key, descending)
                        plan = query_plan(conn, page_statement(q, after, 200, sqlite=True))
                        assert "USING INDEX ix_payments_" in plan and "TEMP B-TREE" not in plan, (key, plan)
    finally:
        engine.dispose()


async def test_a_viewer_can_only_audit_receipts_and_exports_of_what_exists(database: Database, db_url: str) -> None:
    """The audit calls open to every role are named events about real payments, not a way to write any entry."""
    from payapp.domain.errors import NotFound
    from payapp.models import AuditEvent

    await asyncio.to_thread(_generate, db_url, 3)
    viewer = PaymentSearchService(database, VIEWER)
    first = (await viewer.page(PaymentQuery(), None, 1))[0]
    await viewer.receipt_issued(first.id, printed=False)
    await viewer.receipt_issued(first.id, printed=True)
    await viewer.export_written("csv", 3, PaymentQuery())
    with pytest.raises(NotFound):
        await viewer.receipt_issued(10**9, printed=False)
    with pytest.raises(ValueError):
        await viewer.export_written("exe", 1, PaymentQuery())
    assert not hasattr(viewer, "record")
    async with database.sessions() as s:
        actions = (await s.execute(select(AuditEvent.action).order_by(AuditEvent.id))).scalars().all()
    assert actions[-3:] == ["payment.receipt_saved", "payment.receipt_printed", "payments.exported"]

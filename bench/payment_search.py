"""Benchmark: Payment Search over 2,000,000 payments in SQLite.

    .venv/bin/python bench/payment_search.py [--n 2000000] [--export 100000]

The database is generated once (fast bulk insert with sqlite3 executemany) and cached under bench/out/.
Prints JSON: median/max ms of 20 typical filter combinations (first page + totals, each timed separately),
median ms of the first page after changing the sort (all payments, and within the last 30 days), and an
export of `--export` rows to CSV with the longest event-loop stall seen during it (a 5 ms ticker measures
the loop's lateness). Like the app after start-up (payapp.gui.freeze_startup_objects), the objects alive
once the database is open are frozen out of the garbage collector's sight; `--no-gc-freeze` measures
without."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from payapp.domain.roles import Role
from payapp.migrations import upgrade
from payapp.models.db import Database
from payapp.services.auth import Actor, CurrentUser
from payapp.services.payment_export import export_payments
from payapp.services.payment_search import SORT_COLUMNS, PaymentQuery, PaymentSearchService

OUT = Path(__file__).resolve().parent / "out"
NOW = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
WORDS = ["Acme", "Blue", "Cedar", "Delta", "Harbor", "Lakeside", "Meridian", "Summit", "Westfield", "Zenith"]
KINDS = ["Dental", "Legal", "Foods", "Realty", "Logistics", "Medical", "Pharmacy", "Architects"]
USERS = ["alice", "bob", "carol", "dave", "erin", "frank", "demo"]


def generate(path: Path, n: int, seed: int = 5) -> None:
    upgrade(f"sqlite:///{path}")
    rng = random.Random(seed)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA foreign_keys=OFF")
    companies = [f"{a} {b} {c}" for a in WORDS for b in KINDS for c in ("Inc.", "LLC", "Co.", "Group")]
    # Foreign keys are off for the bulk load: payments only (company_id/invoice_id point nowhere).
    span = 5 * 365 * 86400
    brands = [("Visa", "1111"), ("Mastercard", "1111"), ("American Express", "1111"), ("Discover", "0009")]
    statuses = ["settled"] * 80 + ["approved"] * 5 + ["declined"] * 5 + ["voided", "voided", "refunded",
                                                                          "partially_refunded", "returned",
                                                                          "unknown", "pending"]
    batch: list[tuple[object, ...]] = []
    sql = ("INSERT INTO payments (id, order_id, invoice_id, company_id, company_name, invoice_number, gateway, "
           "amount_minor, applied_minor, refunded_minor, currency, method, brand, last_four, expiry, account_type, "
           "source, status, transaction_id, auth_code, response_code, response_text, avs_result, cvv_result, "
           "created_by_name, created_at, reconcile_attempts, accounting_sync_state, psa_sync_state, sync_error) "
           "VALUES (?,?,1,?,?,?,'nmi',?,?,?,'USD',?,?,?,'','',?,?,?,'','100','SUCCESS','','',?,?,0,?,'synced','')")
    for i in range(1, n + 1):
        cid = rng.randrange(len(companies))
        echeck = rng.random() < 0.3
        brand, last4 = ("", rng.choice(["3123", "3815", "0000"])) if echeck else rng.choice(brands)
        amount = rng.randint(500, 500_000)
        status = rng.choice(statuses)
        refunded = amount if status == "refunded" else (amount // 4 if status == "partially_refunded" else 0)
        when = NOW - dt.timedelta(seconds=int(span * (1 - i / n)) + rng.randint(0, 600))
        batch.append((i, f"o{i}", cid + 1, companies[cid], f"{2021 + i * 5 // n}{i:07d}", amount,
                      0 if status in ("declined", "voided") else amount, refunded, "echeck" if echeck else "card",
                      brand, last4, "client_portal" if rng.random() < 0.2 else "back_office", status,
                      str(8_000_000_000 + i), rng.choice(USERS), when.strftime("%Y-%m-%d %H:%M:%S.%f"),
                      "needs_attention" if rng.random() < 0.002 else "synced"))
        if len(batch) == 50_000:
            con.executemany(sql, batch)
            batch.clear()
    if batch:
        con.executemany(sql, batch)
    con.commit()
    con.execute("ANALYZE")
    con.close()


def ensure_indexes(path: Path) -> None:
    """Indexes added to the model after the cached database was generated are created here."""
    from payapp.models import Payment
    from payapp.models.db import make_sync_engine

    engine = make_sync_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        names = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='index'")}
        missing = [i for i in Payment.__table__.indexes if i.name not in names]
        for index in missing:
            index.create(conn)
        if missing:
            conn.exec_driver_sql("ANALYZE")
    engine.dispose()


def typical_queries() -> list[PaymentQuery]:
    d30 = NOW - dt.timedelta(days=30)
    week = NOW - dt.timedelta(days=7)
    today = NOW - dt.timedelta(days=1)
    return [
        PaymentQuery(),
        PaymentQuery(date_from=today),
        PaymentQuery(date_from=week),
        PaymentQuery(date_from=d30),
        PaymentQuery(date_from=d30, statuses=frozenset({"settled"})),
        PaymentQuery(date_from=d30, method="card", brand="Visa"),
        PaymentQuery(date_from=d30, company="harbor"),
        PaymentQuery(company="Zenith Legal"),
        PaymentQuery(invoice_number="20230800000"),
        PaymentQuery(transaction_id="8000123456"),
        PaymentQuery(order_id="o1500000"),
        PaymentQuery(last_four="0009", date_from=d30),
        PaymentQuery(statuses=frozenset({"declined"}), date_from=week),
        PaymentQuery(statuses=frozenset({"refunded", "partially_refunded"}), date_from=d30),
        PaymentQuery(sync_state="needs_attention"),
        PaymentQuery(amount_min=100_000, amount_max=200_000, date_from=d30),
        PaymentQuery(user="alice", date_from=week),
        PaymentQuery(source="client_portal", date_from=d30),
        PaymentQuery(method="echeck", statuses=frozenset({"returned"}), date_from=d30),
        PaymentQuery(date_from=d30, sort_key="amount", descending=True),
    ]


async def timed(coro: object) -> float:
    t = time.perf_counter()
    await coro  # type: ignore[misc]
    return (time.perf_counter() - t) * 1000


async def measure(path: Path, export_rows: int, freeze: bool = True) -> dict[str, object]:
    db = Database(f"sqlite:///{path}")
    search = PaymentSearchService(db, CurrentUser(Actor(None, "bench", Role.ADMIN)))
    await search.page(PaymentQuery(), None, 10)   # warm the connection pool and cache
    await search.totals(PaymentQuery(order_id="warm-up"))
    if freeze:   # what the app does once after start-up
        from payapp.gui import freeze_startup_objects

        freeze_startup_objects()
    per: list[dict[str, object]] = []
    for q in typical_queries():
        cold_page = await timed(search.page(q, None, 200))       # first run: file pages maybe not cached
        cold_totals = await timed(search.totals(q))
        page = await timed(search.page(q, None, 200))
        totals = await timed(search.totals(q))
        per.append({"query": {k: v for k, v in q.__dict__.items() if v not in ("", None, frozenset())
                              and k not in ("sort_key", "descending")} | {"sort": q.sort_key},
                    "page_ms": round(page, 1), "totals_ms": round(totals, 1),
                    "cold_page_ms": round(cold_page, 1), "cold_totals_ms": round(cold_totals, 1)})
    sorts = []
    for key in SORT_COLUMNS:
        for desc in (True, False):
            sorts.append(await timed(search.page(PaymentQuery().sorted_by(key, desc), None, 200)))
    sorts_30: list[float] = []
    sorts_30_by_key: dict[str, dict[str, float]] = {}
    for key in SORT_COLUMNS:
        for desc in (False, True):
            ms = await timed(search.page(
                PaymentQuery(date_from=NOW - dt.timedelta(days=30)).sorted_by(key, desc), None, 200))
            sorts_30.append(ms)
            sorts_30_by_key.setdefault(key, {})["desc_ms" if desc else "asc_ms"] = round(ms, 1)

    stalls: list[float] = []
    stop = False

    async def ticker() -> None:
        loop = asyncio.get_running_loop()
        while not stop:
            t = loop.time()
            await asyncio.sleep(0.005)
            stalls.append((loop.time() - t - 0.005) * 1000)

    gc_ms: list[float] = []
    gc_start = [0.0]

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_start[0] = time.perf_counter()
        else:
            gc_ms.append((time.perf_counter() - gc_start[0]) * 1000)

    gc.callbacks.append(on_gc)
    tick = asyncio.create_task(ticker())
    q = PaymentQuery(date_from=NOW - dt.timedelta(days=5 * 365 * export_rows // 2_000_000 + 1))
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        rows = await export_payments(search, q, Path(tmp) / "e.csv", "csv")
        export_ms = (time.perf_counter() - t) * 1000
    stop = True
    await tick
    gc.callbacks.remove(on_gc)
    await db.dispose()
    pages = [float(p["page_ms"]) for p in per]  # type: ignore[arg-type]
    totals = [float(p["totals_ms"]) for p in per]  # type: ignore[arg-type]
    return {
        "payments": None, "filters": per,
        "filter_page_ms_median": round(statistics.median(pages), 1), "filter_page_ms_max": round(max(pages), 1),
        "filter_totals_ms_median": round(statistics.median(totals), 1),
        "filter_totals_ms_max": round(max(totals), 1),
        "first_page_after_sort_ms_median": round(statistics.median(sorts), 1),
        "first_page_after_sort_ms_max": round(max(sorts), 1),
        "first_page_after_sort_last30d_ms_median": round(statistics.median(sorts_30), 1),
        "first_page_after_sort_last30d_ms_max": round(max(sorts_30), 1),
        "first_page_after_sort_last30d_by_key": sorts_30_by_key,
        "export_rows": rows, "export_ms": round(export_ms), "export_max_loop_stall_ms": round(max(stalls), 1),
        "export_loop_stalls_over_50ms": sum(1 for x in stalls if x > 50),
        "export_gc_collections": len(gc_ms), "export_gc_max_ms": round(max(gc_ms, default=0), 1),
        "gc_freeze": freeze,
        "load_average_1m_at_end": round(__import__("os").getloadavg()[0], 2),
        "targets": {"filter_ms": 150, "loop_stall_ms": 50},
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2_000_000)
    ap.add_argument("--export", type=int, default=100_000)
    ap.add_argument("--no-gc-freeze", dest="gc_freeze", action="store_false",
                    help="leave start-up objects to the garbage collector (the app freezes them)")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"payment_search_{args.n}.db"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.unlink(missing_ok=True)
        t = time.perf_counter()
        generate(tmp, args.n)
        tmp.rename(path)
        print(f"generated {args.n} payments in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    ensure_indexes(path)
    result = asyncio.run(measure(path, args.export, args.gc_freeze))
    result["payments"] = args.n
    print(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

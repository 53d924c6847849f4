"""Invoice History over 1,000,000 invoices in SQLite: prints JSON.

Measures, with the real tab (InvoiceHistoryTab + InvoiceTableModel + InvoiceService on aiosqlite, qasync
loop, offscreen Qt):
- open: from creating the tab to its first rows painted;
- search: typing a company prefix (the filter is applied, first page painted);
- sort: every column, both directions (first page painted);
- scroll: End on the last loaded row (the next keyset page painted), deep into the list;
- last_row: the last row of the whole list (the same list in reverse sort order: keyset paging has no
  "row 1,000,000" without reading every row before it, so the End of the data is a reversed sort);
- totals: the COUNT/SUM query for the status line (asynchronous, off the paint path), over three filters
  (none, a company prefix, overdue); status_line_no_filter: the status line of the whole list alone (read
  from the running totals the database keeps, target <= 100 ms);
and for each, the longest event-loop stall seen by a 5 ms heartbeat. Memory growth is the RSS after all of
it minus the RSS before the tab opened.

"Painted" is the table's own paint: an event filter on the viewport sees the first Paint event with the new
rows, and the action ends when control is back in the event loop (the paint done). `--paint forced` measures
as earlier versions did: a synchronous repaint() once the rows are in (on top of the paint Qt does anyway,
so it counts two paints per action). Like the app after start-up (payapp.gui), the objects alive once the
services are built are frozen out of the garbage collector's sight, and collections run on the GUI thread.

Reference in the same run: Qt's QSqlQueryModel (PySide6.QtSql, QSQLITE) over the same file, the same
queries, synchronous on the GUI thread (so its time is also its stall).

Usage: .venv/bin/python bench/invoice_history.py [--invoices N] [--repeat R]
The database is generated once and cached under bench/out/ (gitignored)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench" / "out"
PREFIXES = ["Acme", "Summit D", "Zenith Medical", "Blue Ridge Le", "Harbor", "Oakmont Realty", "Pinnacle F"]


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def ensure_database(n: int) -> Path:
    path = OUT / f"invoices-{n}.db"
    if path.exists():
        return path
    from payapp.migrations import upgrade
    from payapp.services.demo_data import generate_invoices

    OUT.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.db")
    tmp.unlink(missing_ok=True)
    url = f"sqlite:///{tmp}"
    upgrade(url)
    generate_invoices(url, n)
    tmp.rename(path)
    return path


class PaintWatch:
    """Counts the viewport's Paint events and the rows the model had at each (an event filter)."""

    def __init__(self, viewport: Any, model: Any) -> None:
        from PySide6.QtCore import QEvent, QObject

        watch = self

        class Filter(QObject):
            def eventFilter(self, _obj: Any, event: Any) -> bool:
                if event.type() == QEvent.Type.Paint:
                    watch.paints += 1
                    watch.rows_at_last_paint = model.rowCount()
                return False

        self.paints = 0
        self.rows_at_last_paint = 0
        self._filter = Filter()
        viewport.installEventFilter(self._filter)


class Heartbeat:
    """A task waking every 5 ms; the longest lateness in a window is the longest event-loop stall."""

    def __init__(self, period: float = 0.005) -> None:
        self.period = period
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            due = loop.time() + self.period
            await asyncio.sleep(self.period)
            self.worst = max(self.worst, loop.time() - due)

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._run())

    def reset(self) -> None:
        self.worst = 0.0

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


def summary(times: list[float], stalls: list[float]) -> dict[str, float]:
    return {"median_ms": round(statistics.median(times) * 1000, 1), "max_ms": round(max(times) * 1000, 1),
            "runs": len(times), "max_stall_ms": round(max(stalls) * 1000, 1)}


async def measure(hb: Heartbeat, action: Callable[[], Awaitable[None]]) -> tuple[float, float]:
    await asyncio.sleep(0.02)                  # let the heartbeat settle
    hb.reset()
    t0 = time.perf_counter()
    await action()
    elapsed = time.perf_counter() - t0
    await asyncio.sleep(0.01)
    return elapsed, hb.worst


async def bench_tab(db_path: Path, repeat: int, host: Any, paint: str = "event") -> dict[str, Any]:
    import httpx
    from PySide6.QtCore import Qt

    from payapp.app import DEMO_ACTOR, build_services
    from payapp.models.db import Database
    from payapp.services.auth import CurrentUser
    from payapp.services.invoices import InvoiceQuery
    from payapp.services.memory_keyring import MEMORY_BACKEND_MODULES, MemoryKeyring
    from payapp.services.secrets import ALLOWED_BACKENDS, SecretStore
    from payapp.ui.invoices.invoice_history_tab import InvoiceHistoryTab
    from payapp.ui.invoices.invoice_model import COLUMNS
    from payapp.ui.window_state import WindowState

    url = f"sqlite:///{db_path}"
    db = Database(url)
    current = CurrentUser(DEMO_ACTOR)
    secrets = SecretStore(MemoryKeyring(), allow=ALLOWED_BACKENDS + MEMORY_BACKEND_MODULES)
    http = httpx.AsyncClient()             # never used: the tab reads the database only
    services = build_services(db, secrets, http, current)
    state = WindowState(Path(tempfile.mkdtemp()) / "ui.ini")
    from PySide6.QtWidgets import QApplication

    from payapp.gui import collect_garbage_on_gui_thread, freeze_startup_objects

    freeze_startup_objects()            # as gui.py does once the window and services are up
    collect_garbage_on_gui_thread(QApplication.instance())
    hb = Heartbeat()
    hb.start()
    results: dict[str, Any] = {}
    rss_before = rss_mb()
    watches: dict[int, PaintWatch] = {}

    def watch_of(tab: InvoiceHistoryTab) -> PaintWatch:
        if id(tab) not in watches:
            watches[id(tab)] = PaintWatch(tab.table.viewport(), tab.model)
        return watches[id(tab)]

    async def painted(tab: InvoiceHistoryTab, more_than: int = 0) -> None:
        """Until the rows are in (more than `more_than`) and on screen."""
        watch = watch_of(tab)
        while tab.model.rowCount() <= more_than or tab.model.loading:
            await asyncio.sleep(0.001)
        if paint == "forced":
            tab.table.viewport().repaint()
            return
        while watch.rows_at_last_paint < tab.model.rowCount():
            await asyncio.sleep(0.001)

    async def first_rows(tab: InvoiceHistoryTab) -> None:
        watch_of(tab).rows_at_last_paint = 0
        await painted(tab)

    # ---- open: new tab each time (the first run also warms SQLite's page cache, as a real start would)
    times, stalls = [], []
    tab: InvoiceHistoryTab | None = None
    for _ in range(repeat):
        if tab is not None:
            await tab.wait_idle()
            tab.close()
            tab.deleteLater()
        holder: list[InvoiceHistoryTab] = []

        async def open_tab(holder: list[InvoiceHistoryTab] = holder) -> None:
            t = InvoiceHistoryTab(services, state, host)     # a tab inside an already shown window
            watch_of(t)
            t.resize(1300, 800)
            t.show()
            holder.append(t)
            await first_rows(t)

        el, st = await measure(hb, open_tab)
        tab = holder[0]
        times.append(el)
        stalls.append(st)
    assert tab is not None
    results["open_first_rows"] = summary(times, stalls)
    await tab.wait_idle()

    # ---- totals (COUNT + SUM over the filter; runs beside the page, never blocks painting)
    times, stalls = [], []
    for q in (InvoiceQuery(), InvoiceQuery(text="Acme"), InvoiceQuery(status="overdue")):
        async def totals(q: InvoiceQuery = q) -> None:
            await services.invoices.totals(q)  # type: ignore[union-attr]
        el, st = await measure(hb, totals)
        times.append(el)
        stalls.append(st)
    results["totals_count_sum"] = summary(times, stalls)

    # ---- the status line with no filter (every invoice: the running totals, models/totals.py)
    times, stalls = [], []
    for _ in range(repeat):
        async def status_line() -> None:
            await services.invoices.totals(InvoiceQuery())  # type: ignore[union-attr]
        el, st = await measure(hb, status_line)
        times.append(el)
        stalls.append(st)
    results["status_line_no_filter"] = summary(times, stalls)

    # ---- search by company prefix
    times, stalls = [], []
    for prefix in PREFIXES:
        async def search(prefix: str = prefix) -> None:
            tab.search_edit.setText(prefix)
            tab.apply_filters()
            await first_rows(tab)
        el, st = await measure(hb, search)
        times.append(el)
        stalls.append(st)
        await tab.wait_idle()
    results["search_company_prefix"] = summary(times, stalls)
    tab.search_edit.clear()
    tab.apply_filters()
    await tab.wait_idle()

    # ---- sort by each column, both directions
    per_column: dict[str, Any] = {}
    all_times, all_stalls = [], []
    for col, column in enumerate(COLUMNS):
        times, stalls = [], []
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            async def sort(col: int = col, order: Qt.SortOrder = order) -> None:
                tab.table.sortByColumn(col, order)
                await first_rows(tab)
            el, st = await measure(hb, sort)
            times.append(el)
            stalls.append(st)
            await tab.wait_idle()
        per_column[column.sort_key] = summary(times, stalls)
        all_times += times
        all_stalls += stalls
    results["sort_each_column"] = summary(all_times, all_stalls)
    results["sort_by_column"] = per_column

    # ---- scroll: End key on the last loaded row loads and paints the next page, 30 pages deep
    tab.table.sortByColumn(3, Qt.SortOrder.DescendingOrder)
    await tab.wait_idle()
    times, stalls = [], []
    for _ in range(30):
        async def scroll() -> None:
            before = tab.model.rowCount()
            tab.table.setFocus()
            tab.table.setCurrentIndex(tab.model.index(before - 1, 0))
            tab.table.scrollToBottom()
            tab.model.fetchMore()               # what the view does when the scrollbar hits the end
            await painted(tab, before)
        el, st = await measure(hb, scroll)
        times.append(el)
        stalls.append(st)
    results["scroll_next_page"] = summary(times, stalls)
    results["rows_loaded_after_scroll"] = tab.model.rowCount()

    # ---- the last row of the whole list = the first row in reverse order
    times, stalls = [], []
    for i in range(repeat):
        order = Qt.SortOrder.AscendingOrder if i % 2 == 0 else Qt.SortOrder.DescendingOrder

        async def last(order: Qt.SortOrder = order) -> None:
            tab.table.sortByColumn(3, order)
            await first_rows(tab)
        el, st = await measure(hb, last)
        times.append(el)
        stalls.append(st)
        await tab.wait_idle()
    results["jump_to_last_row"] = summary(times, stalls)

    await tab.wait_idle()
    results["memory_growth_mb"] = round(rss_mb() - rss_before, 1)
    await hb.stop()
    tab.close()
    services.payments.close()
    await http.aclose()
    await db.dispose()
    return results


def bench_qsql(db_path: Path, repeat: int) -> dict[str, Any]:
    """QSqlQueryModel over the same file: synchronous, so elapsed time == GUI stall."""
    from PySide6.QtSql import QSqlDatabase, QSqlQuery, QSqlQueryModel
    from PySide6.QtWidgets import QTableView

    con = QSqlDatabase.addDatabase("QSQLITE", "bench")
    con.setDatabaseName(str(db_path))
    con.open()
    cols = ("invoice_number, accounting_number, company_name, invoice_date, due_date, total_minor, paid_minor,"
            " balance_minor, status, sync_state")
    view = QTableView()
    model = QSqlQueryModel()
    view.setModel(model)
    view.resize(1300, 800)
    view.show()

    def run(sql: str, binds: tuple[object, ...] = ()) -> float:
        t0 = time.perf_counter()
        q = QSqlQuery(con)
        q.prepare(sql)
        for b in binds:
            q.addBindValue(b)
        q.exec()
        model.setQuery(q)
        view.viewport().repaint()
        return time.perf_counter() - t0

    out: dict[str, Any] = {}
    base = f"SELECT {cols} FROM invoices"
    times = [run(f"{base} ORDER BY invoice_date DESC, id DESC") for _ in range(repeat)]
    out["open_first_rows"] = {"median_ms": round(statistics.median(times) * 1000, 1)}
    times = [run(f"{base} WHERE company_name >= ? AND company_name < ? ORDER BY invoice_date DESC, id DESC",
                 (p, p[:-1] + chr(ord(p[-1]) + 1))) for p in PREFIXES]
    out["search_company_prefix"] = {"median_ms": round(statistics.median(times) * 1000, 1),
                                    "max_ms": round(max(times) * 1000, 1)}
    sort_cols = ["invoice_number", "accounting_number", "company_name", "invoice_date", "due_date", "total_minor",
                 "paid_minor", "balance_minor", "status", "sync_state"]
    times = [run(f"{base} ORDER BY {c} {d}, id {d}") for c in sort_cols for d in ("ASC", "DESC")]
    out["sort_each_column"] = {"median_ms": round(statistics.median(times) * 1000, 1),
                               "max_ms": round(max(times) * 1000, 1)}
    # jump to the last row: QSqlQueryModel must fetch every row before it (SQLite reports no size)
    run(f"{base} ORDER BY invoice_date DESC, id DESC")
    t0 = time.perf_counter()
    while model.canFetchMore():
        model.fetchMore()
    view.scrollToBottom()
    view.viewport().repaint()
    out["jump_to_last_row"] = {"ms": round((time.perf_counter() - t0) * 1000, 1), "rows": model.rowCount()}
    out["note"] = "synchronous on the GUI thread: each time is also the stall"
    model.clear()
    view.close()
    con.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--no-reference", action="store_true")
    parser.add_argument("--paint", choices=("event", "forced"), default="event",
                        help="how 'painted' is detected (see the module docstring)")
    args = parser.parse_args()
    t0 = time.perf_counter()
    path = ensure_database(args.invoices)
    generated = time.perf_counter() - t0

    import qasync
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    # Showing a top-level window flushes window-system events (re-entering the loop): the main window is
    # shown once before the loop runs, as in the app, and the tab opens inside it.
    host = QWidget()
    host.resize(1300, 800)
    host.show()
    with loop:
        tab = loop.run_until_complete(bench_tab(path, args.repeat, host, args.paint))
    report: dict[str, Any] = {"invoices": args.invoices, "database": str(path.relative_to(ROOT)),
                              "database_prepare_s": round(generated, 1), "painted": args.paint,
                              "payapp_tab": tab}
    if not args.no_reference:
        report["qsqlquerymodel_reference"] = bench_qsql(path, args.repeat)
    medians = [v["median_ms"] for k, v in tab.items() if isinstance(v, dict) and "median_ms" in v
               and k != "totals_count_sum"]
    stalls = [v["max_stall_ms"] for k, v in tab.items() if isinstance(v, dict) and "max_stall_ms" in v]
    report["status_line_no_filter_median_ms"] = tab["status_line_no_filter"]["median_ms"]
    report["targets"] = {"every_median_le_100ms": max(medians) <= 100, "no_stall_gt_50ms": max(stalls) <= 50,
                         "status_line_no_filter_le_100ms": tab["status_line_no_filter"]["median_ms"] <= 100,
                         "memory_growth_lt_100mb": tab["memory_growth_mb"] < 100}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    raise SystemExit(main())

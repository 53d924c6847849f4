"""Benchmark: a first full sync of 100,000 invoices (+ their billing items), 10,000 companies and 50,000
contacts from the Autotask sandbox served by uvicorn on loopback (in its own process, latency zero), into
a fresh SQLite database (or PostgreSQL with --database-url).

Runs as the app does: a qasync loop on Qt (offscreen unless QT_QPA_PLATFORM says otherwise) with the main
window open, the sync status widget in its status bar, the sync started by that widget's "Sync now" button
(progress shown as it goes), and the objects alive after set-up frozen out of the garbage collector
(payapp.gui.freeze_startup_objects). The window's tabs are the loading pages: what is measured is the GUI
thread's event loop while the sync runs. `--no-window`: a plain asyncio loop, no Qt.

Prints JSON: records per second of PayApp's own processing (wall time minus the time the sync sat blocked
waiting for Autotask's answers: mapping, upserts, commits), overall records per second, CPU time of this
process (the sandbox runs in its own), and the longest event-loop stall seen by a 10 ms heartbeat task (the
GUI thread's budget is 50 ms).

    .venv/bin/python bench/sync.py [--invoices N] [--companies N] [--contacts-per-company N]
                                   [--database-url URL] [--no-window] [--profile FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import multiprocessing
import os
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from payapp.connectors.psa.autotask import AutotaskConnector
from payapp.migrations import upgrade
from payapp.models.db import Database
from payapp.sandbox.autotask import DEMO_API_USER, DEMO_INTEGRATION_CODE, DEMO_SECRET
from payapp.services.auth import SYSTEM, CurrentUser
from payapp.services.sync import SyncProgress, SyncReport, SyncService

STALL_BUDGET_S = 0.050


def _serve(port: int, companies: int, contacts_per_company: float, invoices: int, lines: int) -> None:
    import uvicorn

    from payapp.sandbox.autotask import AutotaskSandbox, create_autotask_app

    sandbox = AutotaskSandbox(companies=companies, contacts_per_company=contacts_per_company, invoices=invoices,
                              lines_per_invoice=lines, hourly_limit=1_000_000, seed=2026)
    uvicorn.run(create_autotask_app(sandbox), host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Settings:
    async def get(self, key: str) -> object:
        return "USD" if key == "currency" else ""


class _Recording:
    """The SyncService as the status widget sees it, keeping the report the widget only shows as text."""

    def __init__(self, service: SyncService) -> None:
        self._service = service
        self.report: SyncReport | None = None

    async def run(self, on_progress: Callable[[SyncProgress], None] | None = None) -> SyncReport:
        self.report = await self._service.run(on_progress)
        return self.report

    async def status(self) -> Any:
        return await self._service.status()


async def _wait_up(url: str) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(600):
            try:
                await client.get(f"{url}/atservicesrest/v1.0/zoneInformation", params={"user": "x"})
                return
            except httpx.TransportError:
                await asyncio.sleep(0.1)
    raise RuntimeError("sandbox did not start")


def _open_window(sync: _Recording, database_label: str, state_dir: str) -> Any:
    """The main window (loading pages in its tabs) with the sync status widget, shown."""
    from payapp.ui.main_window import LoadingPage, MainWindow, main_tab_titles
    from payapp.ui.sync_status import SyncStatusWidget
    from payapp.ui.window_state import WindowState

    window = MainWindow(tabs=[(name, title, LoadingPage()) for name, title in main_tab_titles()],
                        window_state=WindowState(Path(state_dir) / "window.ini"), database_label=database_label,
                        demo=False)
    window.status_widget = SyncStatusWidget(sync)
    window.add_status_widget(window.status_widget)
    window.show()
    return window


async def _sync_through_widget(window: Any) -> bool:
    finished: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
    window.status_widget.sync_finished.connect(lambda ok: finished.done() or finished.set_result(bool(ok)))
    window.status_widget.sync_button.click()
    return await finished


async def run(args: argparse.Namespace) -> dict[str, object]:
    port = _free_port()
    proc = multiprocessing.get_context("spawn").Process(
        target=_serve, args=(port, args.companies, args.contacts_per_company, args.invoices, args.lines), daemon=True)
    proc.start()
    url = f"http://127.0.0.1:{port}"
    tmp = tempfile.TemporaryDirectory()
    db_url = args.database_url or f"sqlite:///{tmp.name}/bench.db"
    window = None
    try:
        await _wait_up(url)
        upgrade(db_url)
        db = Database(db_url)
        stalls: list[float] = []
        beating = True

        async def heartbeat() -> None:
            while beating:
                t = time.perf_counter()
                await asyncio.sleep(0.01)
                stalls.append(time.perf_counter() - t - 0.01)

        async with httpx.AsyncClient(timeout=60) as http:
            async def autotask() -> AutotaskConnector:
                return AutotaskConnector(url + "/atservicesrest", http, api_user=DEMO_API_USER, secret=DEMO_SECRET,
                                         integration_code=DEMO_INTEGRATION_CODE)

            sync = _Recording(SyncService(db, autotask, None, _Settings(), CurrentUser(SYSTEM)))
            if not args.no_window:
                window = _open_window(sync, db.display_name, tmp.name)
                await asyncio.sleep(0.2)          # shown and painted, as a user would see it before clicking
            from payapp.gui import freeze_startup_objects

            freeze_startup_objects()              # as gui.py does once the window and services are up
            beat = asyncio.create_task(heartbeat())
            await asyncio.sleep(0.05)
            profiler = cProfile.Profile() if args.profile else None
            t0, c0 = time.perf_counter(), time.process_time()
            if profiler is not None:
                profiler.enable()
            if window is not None:
                ok = await _sync_through_widget(window)
                if not ok:
                    raise RuntimeError(f"the sync failed: {window.status_widget.label.text()}")
            else:
                await sync.run()
            if profiler is not None:
                profiler.disable()
                profiler.dump_stats(args.profile)
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            beating = False
            await beat
        await db.dispose()
        report = sync.report
        assert report is not None
        records = report.records
        return {
            "benchmark": "full sync from the Autotask sandbox (loopback, zero latency)",
            "database": "sqlite" if db_url.startswith("sqlite") else "postgresql",
            "event_loop": "asyncio (no window)" if args.no_window else "qasync, main window open",
            "counts": report.counts,
            "records": records,
            "wall_seconds": round(wall, 2),
            "processing_seconds": round(report.processing_seconds, 2),
            "awaiting_autotask_seconds": round(wall - report.processing_seconds, 2),
            "records_per_second_processing": round(records / report.processing_seconds) if report.processing_seconds
            else None,
            "records_per_second_overall": round(records / wall),
            "target_records_per_second_processing": 20_000,
            # CPU time of this process (sandbox excluded: it runs in its own process); steadier than wall time
            # on a busy machine, and it includes httpx's share of each request
            "cpu_seconds": round(cpu, 2),
            "records_per_cpu_second": round(records / cpu) if cpu else None,
            "longest_event_loop_stall_ms": round(max(stalls, default=0.0) * 1000, 1),
            "event_loop_stalls_over_50ms": sum(1 for s in stalls if s > STALL_BUDGET_S),
            "target_longest_event_loop_stall_ms": 50,
        }
    finally:
        if window is not None:
            window.close()
        proc.terminate()
        proc.join(10)
        tmp.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--companies", type=int, default=10_000)
    parser.add_argument("--contacts-per-company", type=float, default=5.0)
    parser.add_argument("--lines", type=int, default=1, help="billing items per invoice")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--no-window", action="store_true", help="plain asyncio loop, no Qt main window")
    parser.add_argument("--profile", default="", help="write cProfile stats of the sync (this thread) here")
    args = parser.parse_args()
    if args.no_window:
        print(json.dumps(asyncio.run(run(args)), indent=2))
        return
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync

    from payapp.gui import make_qapplication

    app = make_qapplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        result = loop.run_until_complete(run(args))
    print(json.dumps(result, indent=2), flush=True)


if __name__ == "__main__":
    main()

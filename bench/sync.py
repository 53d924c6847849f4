"""Benchmark: a first full sync of 100,000 invoices (+ their billing items), 10,000 companies and 50,000
contacts from the Autotask sandbox served by uvicorn on loopback (in its own process, latency zero), into
a fresh SQLite database (or PostgreSQL with --database-url).

Prints JSON: records per second of PayApp's own processing (wall time minus the time spent awaiting
Autotask's answers: mapping, upserts, commits), overall records per second, and the longest event-loop
stall seen by a 10 ms heartbeat task (the GUI thread's budget is 50 ms).

    .venv/bin/python bench/sync.py [--invoices N] [--companies N] [--contacts-per-company N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import multiprocessing
import socket
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from payapp.connectors.psa.autotask import AutotaskConnector
from payapp.migrations import upgrade
from payapp.models.db import Database
from payapp.sandbox.autotask import DEMO_API_USER, DEMO_INTEGRATION_CODE, DEMO_SECRET
from payapp.services.auth import SYSTEM, CurrentUser
from payapp.services.sync import SyncService


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


async def _wait_up(url: str) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(600):
            try:
                await client.get(f"{url}/atservicesrest/v1.0/zoneInformation", params={"user": "x"})
                return
            except httpx.TransportError:
                await asyncio.sleep(0.1)
    raise RuntimeError("sandbox did not start")


async def run(args: argparse.Namespace) -> dict[str, object]:
    port = _free_port()
    proc = multiprocessing.get_context("spawn").Process(
        target=_serve, args=(port, args.companies, args.contacts_per_company, args.invoices, args.lines), daemon=True)
    proc.start()
    url = f"http://127.0.0.1:{port}"
    tmp = tempfile.TemporaryDirectory()
    db_url = args.database_url or f"sqlite:///{tmp.name}/bench.db"
    try:
        await _wait_up(url)
        upgrade(db_url)
        db = Database(db_url)
        stall = 0.0
        beating = True

        async def heartbeat() -> None:
            nonlocal stall
            while beating:
                t = time.perf_counter()
                await asyncio.sleep(0.01)
                stall = max(stall, time.perf_counter() - t - 0.01)

        async with httpx.AsyncClient(timeout=60) as http:
            async def autotask() -> AutotaskConnector:
                return AutotaskConnector(url + "/atservicesrest", http, api_user=DEMO_API_USER, secret=DEMO_SECRET,
                                         integration_code=DEMO_INTEGRATION_CODE)

            service = SyncService(db, autotask, None, _Settings(), CurrentUser(SYSTEM))
            beat = asyncio.create_task(heartbeat())
            profiler = cProfile.Profile() if args.profile else None
            t0, c0 = time.perf_counter(), time.process_time()
            if profiler is not None:
                profiler.enable()
            report = await service.run()
            if profiler is not None:
                profiler.disable()
                profiler.dump_stats(args.profile)
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            beating = False
            await beat
        await db.dispose()
        records = report.records
        return {
            "benchmark": "full sync from the Autotask sandbox (loopback, zero latency)",
            "database": "sqlite" if db_url.startswith("sqlite") else "postgresql",
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
            "longest_event_loop_stall_ms": round(stall * 1000, 1),
        }
    finally:
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
    parser.add_argument("--profile", default="", help="write cProfile stats of the sync (this process) here")
    print(json.dumps(asyncio.run(run(parser.parse_args())), indent=2))


if __name__ == "__main__":
    main()

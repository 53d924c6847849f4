"""SIGKILL of the process serving PayApp's QBWC service between handing the Web Connector a request and
receiving QuickBooks' answer (QuickBooks did the request; its answer never arrives). After a restart the Web
Connector's next sessions finish the work: nothing added twice, nothing lost. And the outbox worker leaves the
accounting jobs to the Web Connector while QuickBooks Desktop is the chosen connector."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest

from payapp.domain.outbox_jobs import JobKind
from payapp.models.db import Database
from payapp.sandbox.qbdesktop import QbDesktopCompany, WebConnectorClient
from payapp.services.outbox import OutboxWorker
from tests.integration.qbwc_helpers import PASSWORD, USER, DesktopSettings, add_job, job_states, seed_small
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]


def start_child(db_url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as err:
        proc = subprocess.Popen([sys.executable, "-m", "tests.integration.qbwc_child", db_url, str(port)], cwd=ROOT,
                                env={**os.environ, "PAYAPP_QBWC_TEST_PASSWORD": PASSWORD},
                                stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(log.read_text(errors="replace")[-2000:])
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the QBWC child did not start")


@pytest.mark.parametrize("kill_at", ["CustomerAddRq", "InvoiceAddRq", "ReceivePaymentAddRq", "TxnVoidRq",
                                     "InvoiceQueryRq"])
async def test_sigkill_between_request_and_answer(sqlite_url: str, kill_at: str, tmp_path: Path) -> None:
    db = Database(sqlite_url)
    port = free_port()
    log = tmp_path / "child.log"
    proc = start_child(sqlite_url, port, log)
    try:
        await seed_small(db, payments=2)
        await add_job(db, JobKind.VOID_PAYMENT, 1)
        company = QbDesktopCompany()
        killed: list[str] = []

        def on_request(request: str) -> None:
            # the service has handed the request out (and committed that); QuickBooks does it next
            if not killed and ET.fromstring(request)[0][0].tag == kill_at:
                killed.append(kill_at)
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=10)

        url = f"http://127.0.0.1:{port}/qbwc"
        async with httpx.AsyncClient(timeout=10) as http:
            wc = WebConnectorClient(url, http, company, user_name=USER, password=PASSWORD, on_request=on_request)
            first = await wc.run_session()
            assert killed and first.failed                 # the answer never reached PayApp
            assert proc.returncode == -signal.SIGKILL
            proc = start_child(sqlite_url, port, log)      # PayApp again
            logs = await wc.run_until_idle()
        assert logs[-1].auth == "none" and not any(log.failed for log in logs)
        assert len(company.customers) == 1
        assert len(company.of_type("Invoice")) == 1
        payments = company.of_type("ReceivePayment")
        assert len(payments) == 2
        by_order = {p["Memo"].removeprefix("VOID: ").split(" ")[1]: p for p in payments}
        assert sorted(by_order) == ["pa1-00010123456789abcdef01234", "pa1-00020123456789abcdef01234"]
        assert by_order["pa1-00010123456789abcdef01234"]["Amount"] == 0          # voided, once
        assert by_order["pa1-00020123456789abcdef01234"]["Amount"] == 100
        assert await job_states(db) == {"done": 4}
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=10)
        await db.dispose()


async def test_outbox_worker_leaves_accounting_jobs_to_the_web_connector(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    try:
        await seed_small(db, payments=1)

        async def never() -> object:
            raise AssertionError("QuickBooks Online must not be used while QuickBooks Desktop is chosen")

        worker = OutboxWorker(db, never, never, settings=DesktopSettings(), sleep=lambda _s: asyncio.sleep(0))  # type: ignore[arg-type]
        report = await worker.drain()
        assert report.done == 0 and report.needs_attention == 0
        assert await job_states(db) == {"pending": 2}
    finally:
        await db.dispose()

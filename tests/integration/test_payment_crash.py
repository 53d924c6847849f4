"""A PayApp process killed (SIGKILL) at any point of a payment: after restart, reconcile_undecided records
what the gateway did exactly once, and never charges again. Against every gateway's sandbox (`served_any`)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import signal
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from payapp.models import OutboxJob, Payment
from payapp.models.db import Database
from payapp.services.payments import UNMATCHED_GRACE
from payapp.services.secrets import SecretStore
from tests.payment_helpers import (
    AnyServedGateway,
    expire_send_deadlines,
    invoice_row,
    make_invoice,
    make_service,
)

ROOT = Path(__file__).resolve().parents[2]


async def run_child(db_url: str, gateway_url: str, invoice_ids: list[int], amount: int, *,
                    env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.integration.payment_child", db_url, gateway_url,
        ",".join(map(str, invoice_ids)), str(amount), cwd=ROOT, env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


@pytest.mark.slow
async def test_kill_at_random_points_then_reconcile(sqlite_url: str, secret_store: SecretStore,
                                                   served_any: AnyServedGateway, tmp_path: Path) -> None:
    served_gateway = served_any
    db = Database(sqlite_url)
    try:
        await served_gateway.configure(db, secret_store)
        rng = random.Random(int(os.environ.get("PAYAPP_CRASH_SEED", "20261122")))
        points = ["gateway_answered", "pending_committed", "gateway_answered", "random", "random"]
        rng.shuffle(points)
        async with httpx.AsyncClient(timeout=5) as client:
            for i, point in enumerate(points):
                inv_id = await make_invoice(db, total_minor=100_00, number=f"INV-C{i}",
                                            currency=served_gateway.currency)
                ready = tmp_path / f"ready-{i}"
                env = {"PAYAPP_KILL_POINT": point if point != "random" else "", "PAYAPP_READY_FILE": str(ready),
                       "PAYAPP_CHILD_GATEWAY": served_gateway.name}
                if point == "random":
                    served_gateway.sandbox.add_fault("delay", seconds=0.15)   # widen the in-flight window
                proc = await run_child(sqlite_url, served_gateway.url, [inv_id], 40_00, env=env)
                if point == "random":
                    # wait until the payment row exists, then kill somewhere in the next 0–300 ms
                    while await _count(db, inv_id) == 0 and proc.returncode is None:
                        await asyncio.sleep(0.005)
                    await asyncio.sleep(rng.uniform(0, 0.3))
                else:
                    for _ in range(2000):
                        if ready.exists():
                            break
                        await asyncio.sleep(0.005)
                    assert ready.exists(), (await proc.communicate())[1].decode()[-2000:]
                if proc.returncode is None:
                    proc.send_signal(signal.SIGKILL)
                await proc.wait()
                served_gateway.sandbox.clear_faults()

                # "restart": a fresh service (another process would do the same) reconciles at start-up
                svc = make_service(db, secret_store, client)
                await svc.reconcile_undecided()
                await expire_send_deadlines(db)
                later = make_service(db, secret_store, client, clock=lambda: dt.datetime.now(dt.UTC)
                                     + UNMATCHED_GRACE + dt.timedelta(seconds=5))
                await later.reconcile_undecided()
                await later.reconcile_undecided()      # idempotent
                await _assert_exactly_once(db, served_gateway, inv_id, point)
    finally:
        await db.dispose()


async def _count(db: Database, inv_id: int) -> int:
    async with db.sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(Payment).where(Payment.invoice_id == inv_id)) or 0)


async def _assert_exactly_once(db: Database, served: AnyServedGateway, inv_id: int, point: str) -> None:
    async with db.sessions() as s:
        payments = (await s.scalars(select(Payment).where(Payment.invoice_id == inv_id))).all()
        pushes = await s.scalar(select(func.count()).select_from(OutboxJob).where(
            OutboxJob.invoice_id == inv_id, OutboxJob.kind == "accounting.push_payment"))
    assert len(payments) <= 1, point
    charged = [t for t in served.sandbox.approved_sales()
               if t.order_id in {served.order_key(p.order_id) for p in payments}]
    assert len(charged) <= 1, point
    inv = await invoice_row(db, inv_id)
    if charged:
        [p] = payments
        assert p.status == "approved" and p.transaction_id == charged[0].transaction_id, point
        assert pushes == 1
        assert (inv.paid_minor, inv.balance_minor) == (40_00, 60_00)
    else:
        assert all(p.status in ("error", "declined") for p in payments), (point, [p.status for p in payments])
        assert pushes == 0
        assert (inv.paid_minor, inv.balance_minor) == (0, 100_00)
    if point == "gateway_answered":
        assert charged, "the kill came after the gateway approved"
    if point == "pending_committed":
        assert not charged

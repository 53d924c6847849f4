"""Two PayApp processes paying the same invoices at the same moment never overpay (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from payapp.models import Payment
from payapp.models.db import Database
from payapp.services.secrets import SecretStore
from tests.integration.test_payment_crash import run_child
from tests.payment_helpers import ServedGateway, configure_processing, invoice_row, make_invoice


@pytest.mark.slow
async def test_two_processes_never_overpay(db_url: str, database: Database, secret_store: SecretStore,
                                           served_gateway: ServedGateway, tmp_path: Path) -> None:
    await configure_processing(database, secret_store, served_gateway.url)
    invoices = [await make_invoice(database, total_minor=100_00, number=f"INV-R{i}") for i in range(4)]
    go = tmp_path / "go"
    procs = [await run_child(db_url, served_gateway.url, invoices, 60_00, env={"PAYAPP_GO_FILE": str(go)})
             for _ in range(2)]
    await asyncio.sleep(1.5)                 # both children imported and waiting
    go.write_text("go")
    outputs = await asyncio.gather(*(p.communicate() for p in procs))
    results: dict[int, list[dict[str, str]]] = {i: [] for i in invoices}
    for (out, err), p in zip(outputs, procs, strict=True):
        assert p.returncode == 0, err.decode()[-3000:]
        for line in out.decode().splitlines():
            row = json.loads(line)
            results[row["invoice_id"]].append(row)
    for inv_id in invoices:
        outcomes = sorted(r.get("status") or r["error"] for r in results[inv_id])
        assert outcomes == ["ValidationError", "approved"], outcomes       # one paid, the other refused
        inv = await invoice_row(database, inv_id)
        assert (inv.paid_minor, inv.balance_minor) == (60_00, 40_00)
        async with database.sessions() as s:
            statuses = (await s.scalars(select(Payment.status).where(Payment.invoice_id == inv_id))).all()
        assert list(statuses) == ["approved"]
    assert len(served_gateway.sandbox.approved_sales()) == len(invoices)

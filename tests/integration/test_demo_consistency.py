"""The demo holds together (issue #15 item 2): its database and its three in-process sandboxes are one company,
and the sandboxes keep their state in the demo's data folder across a restart.

Real parts: the demo's SQLite file in a temporary data folder, the real sandbox apps over httpx's ASGI transport
(the demo's own wiring), the app's own PaymentService, OutboxWorker and SyncService."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from payapp.app import AppContext, build_context
from payapp.config import load_config
from payapp.models import Invoice, InvoiceLine, OutboxJob, Payment
from payapp.sandbox.autotask import AutotaskSandbox
from payapp.sandbox.demo_company import SANDBOX_FILES
from payapp.sandbox.gateway import GatewaySandbox
from payapp.sandbox.quickbooks import QuickBooksSandbox
from payapp.services.payments import PaymentRequest
from tests.payment_helpers import ach_consent, card


def _open(folder: Path) -> AppContext:
    return build_context(load_config(demo=True, data_dir=folder))


def _sandboxes(ctx: AppContext) -> tuple[GatewaySandbox, AutotaskSandbox, QuickBooksSandbox]:
    return ctx.sandboxes["gateway"][0], ctx.sandboxes["autotask"][0], ctx.sandboxes["quickbooks"][0]


async def _books(ctx: AppContext) -> dict[str, Any]:
    """What a sync could change: invoices, their numbers and balances, lines, company names, queued pushes."""
    async with ctx.services.db.sessions() as s:
        invoices = (await s.execute(select(Invoice.external_id, Invoice.invoice_number, Invoice.company_name,
                                           Invoice.balance_minor, Invoice.status).order_by(Invoice.id))).all()
        lines = (await s.execute(select(func.count()).select_from(InvoiceLine))).scalar_one()
        jobs = (await s.execute(select(func.count()).select_from(OutboxJob)
                                .where(OutboxJob.kind == "accounting.push_invoice"))).scalar_one()
    return {"invoices": [tuple(r) for r in invoices], "lines": lines, "push_invoice_jobs": jobs,
            "open_balance": sum(r.balance_minor for r in invoices)}


async def _open_invoice_in_quickbooks(ctx: AppContext, qb: QuickBooksSandbox) -> Invoice:
    async with ctx.services.db.sessions() as s:
        candidates = (await s.scalars(select(Invoice).where(Invoice.balance_minor > 5_00, Invoice.is_voided.is_(False),
                                                            Invoice.accounting_id.is_not(None))
                                      .order_by(Invoice.id))).all()
    assert candidates, "the demo has open invoices that are in QuickBooks"
    inv = candidates[0]
    assert inv.accounting_id in qb.entities["Invoice"]
    return inv


async def test_demo_payment_reaches_both_books_survives_a_restart_and_sync_adds_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "app"
    ctx = _open(folder)
    try:
        gateway, autotask, qb = _sandboxes(ctx)
        services = ctx.services
        assert services.payments is not None and services.outbox is not None and services.sync is not None
        await services.connections.setup_demo()  # type: ignore[union-attr]
        # Autotask holds exactly the demo's invoices (same ids and numbers), not 600 others
        async with services.db.sessions() as s:
            db_invoices = dict((await s.execute(select(Invoice.external_id, Invoice.invoice_number))).all())
        assert {r["id"]: r["invoiceNumber"] for r in autotask.data["Invoices"]} == db_invoices
        before = await _books(ctx)

        # a sync first: it changes nothing (no new invoices, no other numbers or names, the same open balance)
        report = await services.sync.run()
        assert report is not None
        assert await _books(ctx) == before

        # a new payment on an existing invoice reaches QuickBooks (linked to that invoice) and Autotask
        inv = await _open_invoice_in_quickbooks(ctx, qb)
        qb_balance = qb.entities["Invoice"][inv.accounting_id]["Balance"]
        first = await services.payments.take_payment(PaymentRequest(inv.id, inv.balance_minor, card()))
        assert first.approved, first.message
        known = [int(t) for t in gateway.transactions if t != first.transaction_id]
        assert int(first.transaction_id) > max(known)         # continues after the demo's earlier payments
        drained = await services.outbox.drain()
        assert drained.needs_attention == 0
        async with services.db.sessions() as s:
            paid = await s.get(Payment, first.payment_id)
            assert paid is not None and paid.accounting_id and paid.accounting_sync_state == "synced"
        qb_payment = qb.entities["Payment"][paid.accounting_id]
        assert qb_payment["Line"][0]["LinkedTxn"][0]["TxnId"] == inv.accounting_id
        assert qb.entities["Invoice"][inv.accounting_id]["Balance"] == qb_balance - Decimal(inv.balance_minor) / 100
        assert autotask.record("Invoices", inv.external_id)["paidDate"] is not None   # type: ignore[arg-type]

        # a second sync still adds nothing
        await services.sync.run()
        after = await _books(ctx)
        assert after["invoices"] != before["invoices"]            # the paid invoice is paid now ...
        assert after["lines"] == before["lines"] and after["push_invoice_jobs"] == before["push_invoice_jobs"]
        assert len(after["invoices"]) == len(before["invoices"])  # ... and nothing was added
        second = await services.payments.take_payment(
            PaymentRequest((await _open_invoice_in_quickbooks(ctx, qb)).id, 3_00, card()))
        assert second.approved, second.message
        assert int(second.transaction_id) > int(first.transaction_id)
    finally:
        await ctx.aclose()
    for name in SANDBOX_FILES.values():
        assert (ctx.config.data_dir / name).is_file()      # in the demo's data folder

    # a restart: a new context on the same folder knows every earlier payment
    ctx = _open(folder)
    try:
        gateway, _autotask, qb = _sandboxes(ctx)
        services = ctx.services
        assert services.payments is not None and services.outbox is not None
        assert first.transaction_id in gateway.transactions and second.transaction_id in gateway.transactions
        assert paid.accounting_id in qb.entities["Payment"]
        voided = await services.payments.void_or_refund(second.payment_id)
        assert voided.approved and voided.kind == "void", voided.message
        third = await services.payments.take_payment(
            PaymentRequest((await _open_invoice_in_quickbooks(ctx, qb)).id, 4_00, card()))
        assert int(third.transaction_id) > int(second.transaction_id)
        # an earlier (settled) demo payment can be refunded after the restart
        async with services.db.sessions() as s:
            old = (await s.scalars(select(Payment).where(Payment.status == "settled", Payment.method == "card")
                                   .order_by(Payment.id))).first()
        assert old is not None
        refund = await services.payments.void_or_refund(old.id, 1_00, "demo refund")
        assert refund.approved and refund.kind == "refund", refund.message
        assert int(gateway.state_dict()["next_id"]) > int(third.transaction_id)
        drained = await services.outbox.drain()
        assert drained.needs_attention == 0
    finally:
        await ctx.aclose()


async def test_demo_gateway_settles_at_the_daily_cutoff(tmp_path: Path) -> None:
    """A new payment settles at the cut-off (the next request after it), so it can be refunded."""
    ctx = _open(tmp_path / "app")
    try:
        gateway, _autotask, qb = _sandboxes(ctx)
        services = ctx.services
        assert services.payments is not None
        inv = await _open_invoice_in_quickbooks(ctx, qb)
        p = await services.payments.take_payment(PaymentRequest(inv.id, 2_00, card()))
        assert p.approved
        assert gateway.transactions[p.transaction_id].condition == "pendingsettlement"
        real_clock = gateway.clock
        gateway.clock = lambda: real_clock() + dt.timedelta(days=1).total_seconds()
        await services.payments.check_settlements()
        assert gateway.transactions[p.transaction_id].condition == "complete"
        async with services.db.sessions() as s:
            row = await s.get(Payment, p.payment_id)
            assert row is not None and row.status == "settled"
        refund = await services.payments.void_or_refund(p.payment_id, 1_00, "cut-off")
        assert refund.approved and refund.kind == "refund", refund.message
    finally:
        await ctx.aclose()


@pytest.mark.logs_warnings("a broken state file is reported, then seeded again")
async def test_a_broken_state_file_seeds_the_sandbox_again(tmp_path: Path) -> None:
    folder = tmp_path / "app"
    ctx = _open(folder)
    await ctx.aclose()
    (ctx.config.data_dir / SANDBOX_FILES["gateway"]).write_text("{not json", encoding="utf-8")
    ctx = _open(folder)
    try:
        gateway = ctx.sandboxes["gateway"][0]
        async with ctx.services.db.sessions() as s:
            ids = set((await s.scalars(select(Payment.transaction_id).where(Payment.transaction_id != ""))).all())
        assert ids <= set(gateway.transactions)
    finally:
        await ctx.aclose()


async def test_the_demo_sandboxes_seed_from_the_demo_database_on_sqlite_and_postgresql(db_url: str,
                                                                                        tmp_path: Path) -> None:
    """Seeding reads the demo database on either engine, and a sync + outbox drain against the seeded sandboxes
    changes no invoice, line or balance and queues nothing."""
    import httpx

    from payapp.app import (
        DEMO_AUTOTASK_URL,
        DEMO_QUICKBOOKS_AUTH_URL,
        DEMO_QUICKBOOKS_URL,
        _demo_settings,
        headless_sync,
    )
    from payapp.models.db import Database
    from payapp.sandbox.demo_company import open_demo_sandboxes
    from payapp.services.demo_data import generate_demo_company, write_demo_settings
    from payapp.services.memory_keyring import MEMORY_BACKEND_MODULES, MemoryKeyring
    from payapp.services.secrets import ALLOWED_BACKENDS, SecretStore

    generate_demo_company(db_url, companies=8, today=dt.date(2026, 11, 30))
    write_demo_settings(db_url, _demo_settings())
    sandboxes = open_demo_sandboxes(tmp_path, db_url)
    gateway, autotask, qb = (sandboxes[n][0] for n in ("gateway", "autotask", "quickbooks"))
    db = Database(db_url)
    try:
        async with db.sessions() as s:
            invoices = (await s.scalars(select(Invoice))).all()
            txids = set((await s.scalars(select(Payment.transaction_id))).all())
            before_lines = (await s.execute(select(func.count()).select_from(InvoiceLine))).scalar_one()
        assert {r["id"] for r in autotask.data["Invoices"]} == {i.external_id for i in invoices}
        assert {i.accounting_id for i in invoices if i.accounting_id and not i.is_voided} == set(qb.entities["Invoice"])
        assert txids <= set(gateway.transactions)
        before = sorted((i.external_id, i.invoice_number, i.company_name, i.balance_minor, i.status) for i in invoices)
        hosts = ((DEMO_AUTOTASK_URL, "autotask"), (DEMO_QUICKBOOKS_URL, "quickbooks"),
                 (DEMO_QUICKBOOKS_AUTH_URL, "quickbooks"))
        mounts = {f"all://{httpx.URL(u).host}": httpx.ASGITransport(app=sandboxes[n][1]) for u, n in hosts}
        async with httpx.AsyncClient(mounts=mounts) as http:
            secrets = SecretStore(MemoryKeyring(), allow=ALLOWED_BACKENDS + MEMORY_BACKEND_MODULES)
            result = await headless_sync(db_url, secrets, http, demo=True)
        assert result.outbox_problems == 0
        async with db.sessions() as s:
            after = sorted(tuple(r) for r in (await s.execute(select(
                Invoice.external_id, Invoice.invoice_number, Invoice.company_name, Invoice.balance_minor,
                Invoice.status))).all())
            lines = (await s.execute(select(func.count()).select_from(InvoiceLine))).scalar_one()
            jobs = (await s.execute(select(func.count()).select_from(OutboxJob))).scalar_one()
        assert after == before and lines == before_lines and jobs == 0
    finally:
        await db.dispose()


async def test_a_demo_saved_card_and_bank_account_can_be_charged(tmp_path: Path) -> None:
    """The demo's saved payment methods are in the demo gateway's vault, so charging one works."""
    from payapp.models import SavedPaymentMethod
    from payapp.services.payments import SavedMethodRef

    ctx = _open(tmp_path / "app")
    try:
        services = ctx.services
        assert services.payments is not None
        async with services.db.sessions() as s:
            methods = (await s.scalars(select(SavedPaymentMethod).where(SavedPaymentMethod.is_active.is_(True))
                                       .order_by(SavedPaymentMethod.id))).all()
            charged = set()
            for m in methods:
                if m.method in charged:
                    continue
                inv = (await s.scalars(select(Invoice).where(Invoice.company_id == m.company_id,
                                                             Invoice.balance_minor > 5_00,
                                                             Invoice.is_voided.is_(False)))).first()
                if inv is None:
                    continue
                ref = (SavedMethodRef(m.id, authorization_text=ach_consent(m.account_holder_type or "business",
                                                                           m.last_four))
                       if m.method == "echeck" else SavedMethodRef(m.id))   # an eCheck needs the agreed wording
                result = await services.payments.take_payment(PaymentRequest(inv.id, 5_00, ref))
                assert result.approved, (m.method, result.message)
                charged.add(m.method)
        assert charged == {"card", "echeck"}
    finally:
        await ctx.aclose()


async def test_a_new_demo_database_replaces_the_old_sandbox_states(tmp_path: Path) -> None:
    """Deleting the demo database (a fresh demo) must not leave sandboxes that remember another company."""
    folder = tmp_path / "app"
    ctx = _open(folder)
    try:
        qb = ctx.sandboxes["quickbooks"][0]
        inv = await _open_invoice_in_quickbooks(ctx, qb)
        assert ctx.services.payments is not None
        taken = await ctx.services.payments.take_payment(PaymentRequest(inv.id, 2_00, card()))
        assert taken.approved
    finally:
        await ctx.aclose()
    Path(ctx.config.database_url.removeprefix("sqlite:///")).unlink()
    ctx = _open(folder)
    try:
        assert taken.transaction_id not in ctx.sandboxes["gateway"][0].transactions
    finally:
        await ctx.aclose()

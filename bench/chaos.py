"""PayApp's own crash and fault soak (issue #12, "Tests that must exist").

A child process takes payments (cards and eChecks), voids and refunds against the sandbox gateway, which runs in
another process (`python -m payapp sandbox --which gateway`). The harness kills the child with SIGKILL at random
moments, injects random network faults through the sandbox's control endpoints meanwhile (lost answers, resets,
HTTP 500s, garbage, slow answers, on transact.php and query.php), settles card payments (and now and then
everything, with ACH returns), and starts the child again: each start reconciles what the last one left
undecided. At the end the faults are cleared, everything is reconciled and the gateway's transactions are
compared with the database.

    .venv/bin/python bench/chaos.py [--kills 25] [--seed N] [--database-url postgresql://...]

Prints JSON: kills, payments (rows written), faults (injected), double_charges (order ids charged more than
once), lost_payments (money the gateway took that the database does not show as collected), balance_mismatches
(payments whose money at the gateway differs from what PayApp says stayed with the merchant: the amount less
refunds, 0 when voided or returned; plus invoices whose paid amount and balance do not add
up), and some detail. The last three must be 0; the exit status is 1 otherwise. The timings are PAYAPP_* Tuning
values (payapp.config), short ones by default so a run takes a minute or two."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from payapp.config import Tuning, load_tuning  # noqa: E402
from payapp.connectors.gateways.nmi import NmiQueryError  # noqa: E402
from payapp.domain.errors import PayAppError  # noqa: E402
from payapp.domain.roles import Role  # noqa: E402
from payapp.migrations import upgrade  # noqa: E402
from payapp.models import Company, Invoice, Payment, Refund  # noqa: E402
from payapp.models.db import Database  # noqa: E402
from payapp.sandbox.gateway import DEMO_SECURITY_KEY  # noqa: E402
from payapp.services.auth import Actor, CurrentUser  # noqa: E402
from payapp.services.gateways import GatewayProvider  # noqa: E402
from payapp.services.memory_keyring import MEMORY_BACKEND_MODULES, MemoryKeyring  # noqa: E402
from payapp.services.payments import (  # noqa: E402
    NewBankAccount,
    NewCard,
    PaymentRequest,
    PaymentService,
)
from payapp.services.secrets import ALLOWED_BACKENDS, Secret, SecretStore  # noqa: E402
from payapp.services.settings import PRIVATE_KEY, SettingsService  # noqa: E402

ACTOR = Actor(None, "chaos", Role.ADMIN, "Chaos Harness")
#: The soak's timings (each can still be set by its PAYAPP_* variable).
CHAOS_TUNING = {"PAYAPP_GATEWAY_TIMEOUT": "1.0", "PAYAPP_LOOKUP_DELAYS": "0.05,0.1",
                "PAYAPP_SEND_WINDOW": "1.5", "PAYAPP_UNMATCHED_GRACE": "1.5", "PAYAPP_RECHECK_BACKOFF": "0.2"}
FAULTS = (("lose_answer", "transact"), ("reset", "transact"), ("http_500_after", "transact"),
          ("http_500", "transact"), ("garbage", "transact"), ("delay", "transact"), ("http_500", "query"),
          ("garbage", "query"), ("reset", "query"), ("delay", "query"))
INVOICES, INVOICE_TOTAL = 40, 300_00
COLLECTED = {"approved", "settled", "partially_refunded", "refunded", "voided", "returned"}


def _tuning() -> Tuning:
    return load_tuning({**CHAOS_TUNING, **os.environ})


def _service(db: Database, client: httpx.AsyncClient, secrets: SecretStore, tuning: Tuning) -> PaymentService:
    import datetime as dt

    current = CurrentUser(ACTOR)
    settings = SettingsService(db, secrets, current)
    gateways = GatewayProvider(client, settings, secrets, timeout=tuning.gateway_timeout)
    return PaymentService(db, gateways, settings, current, lookup_delays=tuning.lookup_delays,
                          send_window=dt.timedelta(seconds=tuning.send_window),
                          unmatched_grace=dt.timedelta(seconds=tuning.unmatched_grace),
                          recheck_backoff=tuple(dt.timedelta(seconds=x) for x in tuning.recheck_backoff))


def _secrets() -> SecretStore:
    secrets = SecretStore(MemoryKeyring(), allow=ALLOWED_BACKENDS + MEMORY_BACKEND_MODULES)
    secrets.set(PRIVATE_KEY, Secret(DEMO_SECURITY_KEY))
    return secrets


# ------------------------------------------------------------------------------------------------ the child

async def child(db_url: str, seed: int) -> None:
    """Reconcile (as PayApp does at start-up), then pay, void and refund at random until killed."""
    from sqlalchemy import select

    rng = random.Random(seed)
    tuning = _tuning()
    db = Database(db_url)
    card = NewCard("4111111111111111", "1230", "999", "Ada", "Chaos", address1="888 Main St", zip="77777")
    consent = "ACH debit authorization (CCD, one-time), agreed by Acme Inc for the chaos bench."
    good_ach = NewBankAccount("business", "checking", "Acme Inc", "490000018", "24413815",
                              authorization_text=consent)
    returned_ach = NewBankAccount("business", "checking", "Acme Inc", "123123123", "99990000",
                                  authorization_text=consent)
    async with httpx.AsyncClient(timeout=5) as client:
        svc = _service(db, client, _secrets(), tuning)
        await svc.reconcile_undecided()
        n = 0
        while True:
            n += 1
            try:
                roll = rng.random()
                if roll < 0.6:
                    async with db.sessions() as s:
                        open_ids = list((await s.scalars(select(Invoice.id).where(Invoice.balance_minor >= 100)))
                                        .all())
                    if not open_ids:
                        await asyncio.sleep(0.05)
                        continue
                    method = rng.choices([card, good_ach, returned_ach], [0.7, 0.25, 0.05])[0]
                    amount = rng.randint(100, 60_00)
                    await svc.take_payment(PaymentRequest(rng.choice(open_ids), amount, method),
                                           confirm_duplicate=True)
                elif roll < 0.9:
                    async with db.sessions() as s:
                        rows = (await s.execute(select(Payment.id, Payment.status, Payment.amount_minor,
                                                       Payment.refunded_minor)
                                                .where(Payment.status.in_(["approved", "settled",
                                                                           "partially_refunded"])))).all()
                    if rows:
                        pid, status, amount, refunded = rng.choice(rows)
                        part = None
                        if status != "approved" and rng.random() < 0.5 and amount - refunded > 100:
                            part = rng.randint(100, amount - refunded - 1)
                        await svc.void_or_refund(pid, part, reason="chaos")
                else:
                    await svc.check_settlements()
                    if n % 3 == 0:
                        await svc.reconcile_undecided(only_due=True)
            except (PayAppError, NmiQueryError):
                pass


# ------------------------------------------------------------------------------------------------ the harness

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _prepare(db_url: str, gateway_url: str) -> list[int]:
    upgrade(db_url)
    db = Database(db_url)
    secrets = _secrets()
    settings = SettingsService(db, secrets, CurrentUser(ACTOR))
    await settings.set_many({
        "currency": "USD", "payment_types.back_office.card": True, "payment_types.back_office.echeck": True,
        "gateway.private_key_fingerprint": secrets.fingerprint_of(PRIVATE_KEY), "gateway.base_url": gateway_url})
    import datetime as dt

    async with db.transaction() as s:
        company = Company(name="Chaos Co")
        s.add(company)
        await s.flush()
        invoices = [Invoice(company_id=company.id, company_name="Chaos Co", invoice_number=f"CH-{i}",
                            invoice_date=dt.date(2026, 11, 1), currency="USD", total_minor=INVOICE_TOTAL,
                            balance_minor=INVOICE_TOTAL, status="open") for i in range(INVOICES)]
        s.add_all(invoices)
        await s.flush()
        ids = [inv.id for inv in invoices]
    await db.dispose()
    return ids


def _minor(text: Any) -> int:
    return int((Decimal(str(text)) * 100).to_integral_value())


async def _compare(db_url: str, state: dict[str, Any]) -> dict[str, Any]:
    from sqlalchemy import select

    sales: dict[str, list[dict[str, Any]]] = {}
    for t in state["transactions"]:
        approved = any(a["action_type"] == "sale" and a["success"] == "1" for a in t["actions"])
        if t["kind"] == "sale" and approved:
            sales.setdefault(t["order_id"], []).append(t)
    db = Database(db_url)
    async with db.sessions() as s:
        payments = {p.order_id: p for p in (await s.scalars(select(Payment))).all()}
        invoices = (await s.scalars(select(Invoice))).all()
        undecided = len((await s.scalars(select(Payment.id).where(Payment.status.in_(["pending", "unknown"]))))
                        .all()) + len((await s.scalars(select(Refund.id).where(
                            Refund.status.in_(["pending", "unknown"])))).all())
    await db.dispose()
    double = sum(len(v) - 1 for v in sales.values() if len(v) > 1)
    lost = mismatches = 0
    details: list[str] = []
    for order_id, txs in sales.items():
        p = payments.get(order_id)
        if p is None or p.status not in COLLECTED:
            lost += 1
            details.append(f"lost {order_id}: gateway approved, database {p.status if p else 'has no row'}")
            continue
        t = txs[0]
        gone = t["condition"] == "canceled" or any(a["action_type"] in ("return", "late_return")
                                                    and a["success"] == "1" for a in t["actions"])
        net = 0 if gone else _minor(t["amount"]) - _minor(t["refunded"])
        # what PayApp says stayed with the merchant: a refund keeps the invoice paid (the payment's applied amount
        # stays; refunded_minor counts what went back), a void or a return takes the whole payment back
        kept = 0 if p.status in ("voided", "returned") else p.amount_minor - p.refunded_minor
        if net != kept:
            mismatches += 1
            details.append(f"payment {p.id} ({p.status}): gateway net {net}, PayApp kept {kept}")
    for order_id, p in payments.items():
        if p.status in COLLECTED and order_id not in sales:
            mismatches += 1
            details.append(f"payment {p.id} is {p.status} but the gateway has no approved sale")
    by_invoice: dict[int, int] = {}
    for p in payments.values():
        by_invoice[p.invoice_id] = by_invoice.get(p.invoice_id, 0) + p.applied_minor
    for inv in invoices:
        applied = by_invoice.get(inv.id, 0)
        if inv.paid_minor != applied or inv.balance_minor != inv.total_minor - applied:
            mismatches += 1
            details.append(f"invoice {inv.id}: paid {inv.paid_minor}, balance {inv.balance_minor}, applied {applied}")
    statuses: dict[str, int] = {}
    for p in payments.values():
        statuses[p.status] = statuses.get(p.status, 0) + 1
    return {"payments": len(payments), "double_charges": double, "lost_payments": lost,
            "balance_mismatches": mismatches, "undecided_left": undecided, "statuses": statuses,
            "approved_late": sum(1 for p in payments.values() if p.approved_late),
            "needs_attention": sum(1 for p in payments.values() if p.attention), "problems": details[:20]}


async def harness(kills: int, seed: int, db_url: str | None) -> dict[str, Any]:
    rng = random.Random(seed)
    started = time.monotonic()
    env = {**os.environ, **{k: os.environ.get(k, v) for k, v in CHAOS_TUNING.items()}}
    port = _free_port()
    gateway_url = f"http://127.0.0.1:{port}"
    sandbox = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "payapp", "sandbox", "--which", "gateway", "--port", str(port), cwd=ROOT, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    tmp = tempfile.TemporaryDirectory()
    url = db_url or f"sqlite:///{Path(tmp.name) / 'chaos.db'}"
    faults = done_kills = child_failures = 0
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            for _ in range(300):
                try:
                    await client.get(f"{gateway_url}/_sandbox/state")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
            await _prepare(url, gateway_url)
            for k in range(kills):
                proc = await asyncio.create_subprocess_exec(
                    sys.executable, str(Path(__file__).resolve()), "--child", url, str(seed * 1000 + k), cwd=ROOT,
                    env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
                life = time.monotonic() + rng.uniform(1.0, 4.0)
                while time.monotonic() < life and proc.returncode is None:
                    await asyncio.sleep(rng.uniform(0.05, 0.5))
                    roll = rng.random()
                    if roll < 0.5:
                        kind, path = rng.choice(FAULTS)
                        body = {"kind": kind, "path": path, "times": rng.randint(1, 3),
                                "seconds": rng.uniform(0.5, 2.0) if kind == "delay" else 0.0}
                        await client.post(f"{gateway_url}/_sandbox/faults", json=body)
                        faults += 1
                    elif roll < 0.65:
                        await client.post(f"{gateway_url}/_sandbox/settle-now",
                                          params={"type": "cc", "returns": "0"})
                    elif roll < 0.7:
                        await client.post(f"{gateway_url}/_sandbox/settle-now")
                if proc.returncode is None:
                    proc.send_signal(signal.SIGKILL)
                    done_kills += 1
                _, err = await proc.communicate()
                if proc.returncode not in (-signal.SIGKILL, 0):
                    child_failures += 1
                    sys.stderr.write(err.decode(errors="replace")[-3000:])
                await client.delete(f"{gateway_url}/_sandbox/faults")     # the transactions stay
            # the last start-up: reconcile until nothing is undecided (deadlines and grace pass on the way)
            tuning = _tuning()
            db = Database(url)
            svc = _service(db, client, _secrets(), tuning)
            await client.post(f"{gateway_url}/_sandbox/settle-now")
            settle_by = time.monotonic() + 60
            while True:
                await svc.reconcile_undecided()
                await svc.check_settlements()
                report = await _compare(url, (await client.get(f"{gateway_url}/_sandbox/state")).json())
                if report["undecided_left"] == 0 or time.monotonic() > settle_by:
                    break
                await asyncio.sleep(0.5)
            svc.close()
            await db.dispose()
    finally:
        if sandbox.returncode is None:
            sandbox.send_signal(signal.SIGTERM)
            await sandbox.wait()
        tmp.cleanup()
    return {"benchmark": "chaos", "database": "sqlite" if db_url is None else url.split(":", 1)[0],
            "kills": done_kills, "payments": report.pop("payments"), "faults": faults,
            "double_charges": report.pop("double_charges"), "lost_payments": report.pop("lost_payments"),
            "balance_mismatches": report.pop("balance_mismatches"), "child_failures": child_failures,
            "seconds": round(time.monotonic() - started, 1), "seed": seed, **report}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=25, help="how many times the child is killed (default 25)")
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100_000)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--child", nargs=2, metavar=("DB_URL", "SEED"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        asyncio.run(child(args.child[0], int(args.child[1])))
        return 0
    result = asyncio.run(harness(max(0, args.kills), args.seed, args.database_url))
    print(json.dumps(result))
    bad = result["double_charges"] or result["lost_payments"] or result["balance_mismatches"]
    return 1 if bad or result["child_failures"] else 0


if __name__ == "__main__":
    sys.exit(main())

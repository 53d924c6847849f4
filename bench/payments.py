"""Benchmark: PayApp's own time per card payment (1,000 payments, temporary SQLite file, in-process sandbox
gateway through httpx.ASGITransport). Gateway time (every request through the transport, including the
sandbox's work and any simulated latency) is measured separately and subtracted.

    .venv/bin/python bench/payments.py [--n 1000] [--latency-ms 0]

Prints JSON: n, payapp_ms (wall) median/p95/mean, payapp_cpu_ms (CPU time of this process minus the
gateway's, all threads: what the wall time approaches on an idle machine), gateway_ms, total_ms,
keyring_reads (during the measured payments: the OS keyring must stay out of the payment path), and the
1-minute load average (wall times on a busy machine are mostly waiting for a core)."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from payapp.domain.roles import Role
from payapp.migrations import upgrade
from payapp.models import Company, Invoice
from payapp.models.db import Database
from payapp.sandbox.gateway import DEMO_SECURITY_KEY, GatewaySandbox, create_gateway_app
from payapp.services.auth import Actor, CurrentUser
from payapp.services.gateways import GatewayProvider
from payapp.services.memory_keyring import MEMORY_BACKEND_MODULES, MemoryKeyring
from payapp.services.payments import NewCard, PaymentRequest, PaymentService
from payapp.services.secrets import ALLOWED_BACKENDS, Secret, SecretStore
from payapp.services.settings import PRIVATE_KEY, SettingsService


class TimedTransport(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport, latency_s: float) -> None:
        self.inner = inner
        self.latency_s = latency_s
        self.spent = 0.0
        self.cpu = 0.0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            if self.latency_s:
                await asyncio.sleep(self.latency_s)
            response = await self.inner.handle_async_request(request)
            await response.aread()
            return response
        finally:
            self.spent += time.perf_counter() - t0
            self.cpu += time.process_time() - c0


class CountingKeyring(MemoryKeyring):
    """The in-memory keyring, counting reads (a real OS keyring read can take milliseconds, or block)."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def get_password(self, service: str, username: str) -> str | None:
        self.reads += 1
        return super().get_password(service, username)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


async def run(n: int, latency_ms: float) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        db = Database(url)
        keyring = CountingKeyring()
        secrets = SecretStore(keyring, allow=ALLOWED_BACKENDS + MEMORY_BACKEND_MODULES + (CountingKeyring.__module__,))
        admin = CurrentUser(Actor(None, "bench", Role.ADMIN, "Bench"))
        settings = SettingsService(db, secrets, admin)
        await settings.set_many({
            "currency": "USD", "payment_types.back_office.card": True, "gateway.base_url": "http://gateway",
            "gateway.private_key_fingerprint": secrets.set(PRIVATE_KEY, Secret(DEMO_SECURITY_KEY)),
        })
        async with db.transaction() as s:
            company = Company(name="Bench Co")
            s.add(company)
            await s.flush()
            invoices = [Invoice(company_id=company.id, company_name="Bench Co", invoice_number=f"B{i}",
                                invoice_date=dt.date(2026, 11, 1), currency="USD", total_minor=500_00,
                                balance_minor=500_00, status="open") for i in range(n)]
            s.add_all(invoices)
            await s.flush()
            ids = [inv.id for inv in invoices]
        transport = TimedTransport(httpx.ASGITransport(app=create_gateway_app(GatewaySandbox())), latency_ms / 1000)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            svc = PaymentService(db, GatewayProvider(client, settings, secrets), settings, admin)
            card = NewCard("4111111111111111", "1230", "999", "Ada", "Bench")
            # Every charge has its own amount: the gateway refuses the same card and amount again within its
            # duplicate window (20 minutes), whatever the order id, as the real one does.
            for k, warm in enumerate(ids[:20]):           # warm-up: connections, statement caches
                await svc.take_payment(PaymentRequest(warm, 1_00 + k, card))
            payapp_ms, gateway_ms, total_ms, cpu_ms = [], [], [], []
            keyring_reads_before = keyring.reads
            for k, i in enumerate(ids[20:]):
                before, cpu_before = transport.spent, transport.cpu
                t0, c0 = time.perf_counter(), time.process_time()
                result = await svc.take_payment(PaymentRequest(i, 123_45 + k, card))
                total = time.perf_counter() - t0
                cpu_ms.append((time.process_time() - c0 - (transport.cpu - cpu_before)) * 1000)
                assert result.approved, result.message
                gw = transport.spent - before
                total_ms.append(total * 1000)
                gateway_ms.append(gw * 1000)
                payapp_ms.append((total - gw) * 1000)
            keyring_reads = keyring.reads - keyring_reads_before
            svc.close()
        await db.dispose()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else -1.0
    return {
        "benchmark": "payments.take_payment", "database": "sqlite", "n": len(payapp_ms),
        "payapp_ms": {"median": round(statistics.median(payapp_ms), 3), "p95": round(pct(payapp_ms, 0.95), 3),
                      "mean": round(statistics.fmean(payapp_ms), 3)},
        "payapp_cpu_ms": {"median": round(statistics.median(cpu_ms), 3), "p95": round(pct(cpu_ms, 0.95), 3)},
        "gateway_ms": {"median": round(statistics.median(gateway_ms), 3)},
        "total_ms": {"median": round(statistics.median(total_ms), 3)}, "keyring_reads": keyring_reads,
        "simulated_latency_ms": latency_ms, "target_median_ms": 5, "load_average_1m": round(load, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.n + 20, args.latency_ms))))


if __name__ == "__main__":
    main()

"""Shared set-up of the QuickBooks Desktop tests: a PayApp database with accounting jobs, the QBWC service served
on loopback, and counts of what reached the QuickBooks Desktop sandbox."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from payapp.domain.outbox_jobs import ACCOUNTING_DESKTOP, JobKind
from payapp.models import Company, Invoice, OutboxJob, Payment
from payapp.models.base import utcnow
from payapp.models.db import Database
from payapp.services.qbwc import PASSWORD_SECRET, QbwcService
from payapp.services.qbwc_soap import create_qbwc_app
from payapp.services.secrets import Secret, SecretStore
from tests.servers import serve_asgi

USER = "payapp"
PASSWORD = "correct horse battery"


class DesktopSettings:
    """Settings with QuickBooks Desktop chosen (declared defaults otherwise)."""

    def __init__(self, **values: Any) -> None:
        self.values: dict[str, Any] = {"accounting.connector": ACCOUNTING_DESKTOP, **values}

    async def get(self, key: str) -> Any:
        return self.values.get(key)


def remember_password(store: SecretStore, password: str = PASSWORD) -> None:
    store.set(PASSWORD_SECRET, Secret(password))


@contextlib.contextmanager
def served_qbwc(url: str, store: SecretStore, **service_options: Any) -> Iterator[str]:
    """The QBWC service on 127.0.0.1 (its own Database, used only by the server's thread); yields its AppURL."""
    db = Database(url)
    service_options.setdefault("backoff_base", dt.timedelta(0))
    service = QbwcService(db, store, DesktopSettings(), **service_options)
    with serve_asgi(create_qbwc_app(service, on_shutdown=db.dispose), lifespan="on") as base:
        yield f"{base}/qbwc"


async def seed_small(db: Database, *, company_name: str = "Acme Dental", payments: int = 1) -> None:
    """One company, one invoice, `payments` payments of it, with their push jobs."""
    now = utcnow()
    async with db.transaction() as s:
        s.add(Company(id=1, external_id=1001, name=company_name))
        await s.flush()
        s.add(Invoice(id=1, external_id=501, company_id=1, company_name=company_name, invoice_number="2026000001",
                      invoice_date=dt.date(2026, 1, 5), due_date=dt.date(2026, 2, 4), currency="USD",
                      total_minor=250_00, tax_minor=0, paid_minor=0, balance_minor=250_00, status="open"))
        await s.flush()
        s.add(OutboxJob(kind=JobKind.PUSH_INVOICE, payload='{"invoice_id": 1}', invoice_id=1))
        for p in range(1, payments + 1):
            s.add(Payment(id=p, order_id=f"pa1-{p:04d}0123456789abcdef01234", invoice_id=1, company_id=1,
                          company_name=company_name, invoice_number="2026000001", gateway="nmi", amount_minor=100_00,
                          applied_minor=100_00, currency="USD", method="card", brand="visa", last_four="1111",
                          status="approved", transaction_id=f"tx{p}", decided_at=now,
                          accounting_sync_state="pending"))
            await s.flush()
            s.add(OutboxJob(kind=JobKind.PUSH_PAYMENT, payload=json.dumps({"payment_id": p}), payment_id=p))


async def add_job(db: Database, kind: str, payment_id: int, **payload: Any) -> None:
    async with db.transaction() as s:
        s.add(OutboxJob(kind=kind, payload=json.dumps({"payment_id": payment_id, **payload}), payment_id=payment_id))


async def job_states(db: Database) -> dict[str, int]:
    async with db.sessions() as s:
        rows = (await s.scalars(select(OutboxJob))).all()
    out: dict[str, int] = {}
    for job in rows:
        out[job.status] = out.get(job.status, 0) + 1
    return out

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from payapp.models import AuditEvent, Company, Invoice
from payapp.models.db import Database
from payapp.services import audit
from tests.conftest import ADMIN


async def test_company_and_invoice_roundtrip(database: Database) -> None:
    async with database.transaction() as s:
        c = Company(name="Acme")
        s.add(c)
        await s.flush()
        s.add(Invoice(company_id=c.id, company_name="Acme", invoice_number="INV-1", invoice_date=dt.date(2026, 1, 2),
                      currency="USD", total_minor=1250, balance_minor=1250, status="open"))
    async with database.sessions() as s:
        inv = (await s.scalars(select(Invoice))).one()
    assert (inv.invoice_number, inv.total_minor, inv.created_at.tzinfo) == ("INV-1", 1250, dt.UTC)


async def test_audit_log_refuses_update_and_delete(database: Database) -> None:
    async with database.transaction() as s:
        audit.record(s, ADMIN, "test.event", entity_type="x", entity_id=1, note="hello")
    for statement in ("UPDATE audit_events SET action = 'changed'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with database.transaction() as s:
                await s.execute(text(statement))
    statements = [] if database.is_sqlite else ["TRUNCATE audit_events"]
    for statement in statements:                     # PostgreSQL: emptying the table at once is refused too
        with pytest.raises(DBAPIError, match="append-only"):
            async with database.transaction() as s:
                await s.execute(text(statement))
    async with database.sessions() as s:
        rows = (await s.scalars(select(AuditEvent))).all()
    assert [r.action for r in rows] == ["test.event"]


async def test_sqlite_commits_reach_the_disk_before_they_return(sqlite_url: str) -> None:
    # A payment's `pending` row must survive a power cut after the gateway charged (synchronous=FULL is 2);
    # WAL keeps readers and the writer apart.
    database = Database(sqlite_url)
    try:
        async with database.transaction() as s:
            modes = [(await s.execute(text(f"PRAGMA {p}"))).scalar() for p in ("synchronous", "journal_mode")]
    finally:
        await database.dispose()
    assert modes == [2, "wal"]

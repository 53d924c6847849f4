"""Sync from Autotask into PayApp's tables: a resumable first full sync, then incremental syncs.

Shape:
- One entity at a time, in foreign-key order: companies → contacts → contracts → tickets → invoices →
  billing items (invoice lines). Each page (≤ 500 records) is one transaction: a batched
  `INSERT … ON CONFLICT (external_id) DO UPDATE` plus the entity's cursor in `sync_cursors`, so a sync
  killed anywhere resumes after the last committed page, without duplicates or gaps.
- Cursor JSON per entity: `{"last_id": N, "watermark": "<iso>"}`. The full sync walks `id gt last_id`
  (Autotask answers in id order). The watermark is taken when a phase *starts* (minus an overlap) so
  records changed while we read are picked up next time. Incremental: companies by
  lastTrackedModifiedDateTime, contacts by lastModifiedDate, tickets by lastTrackedModificationDateTime,
  contracts re-read (they have no modified time), invoices by `id gt last_id` (new) plus
  `paidDate`/`voidedDate` newer than the watermark minus 31 days (Autotask has no invoice modified time;
  a paid date set weeks in the past is caught within that window), billing items of new invoices.
- Paid amounts: PayApp's own `paid_minor` (from payments) is never lowered or overwritten by a sync.
  An Autotask `paidDate` marks an invoice fully paid (`paid_minor = total`) only when PayApp has recorded
  nothing on it (paid outside PayApp, e.g. a cheque booked in Autotask). A cleared `paidDate` re-opens an
  invoice only if no payment row exists for it. Everything is computed in SQL inside the upsert, so a
  payment committed concurrently is never clobbered. balance = total − paid; status follows
  `domain.payment_state.invoice_status` (mirrored in `_status_sql`).
- New invoices that are not voided get an `accounting.push_invoice` outbox job in the same transaction.
- Only one workstation syncs at a time: PostgreSQL `pg_try_advisory_lock`; SQLite a `sync_locks` row with
  an expiry, renewed while the sync runs. The lock holder is named in the "busy" message.
- Progress goes to a plain callback; Cancel = cancel the task (the current page's transaction rolls back).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import json
import logging
import os
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, delete, exists, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from payapp.connectors.psa.autotask import (
    AtBillingItem,
    AtCompany,
    AtContact,
    AtContract,
    AtInvoice,
    AtTicket,
    AutotaskConnector,
    AutotaskError,
    Filter,
    ThresholdInfo,
    f,
    group,
)
from payapp.domain.errors import ConflictError, PayAppError
from payapp.domain.money import decimal_to_minor, minor_digits
from payapp.domain.payment_state import invoice_status
from payapp.domain.roles import Permission
from payapp.models import (
    Company,
    Contact,
    Contract,
    Invoice,
    InvoiceLine,
    OutboxJob,
    Payment,
    SyncCursor,
    SyncLock,
    Ticket,
)
from payapp.models.base import utcnow
from payapp.models.db import Database
from payapp.services.audit import WORKSTATION
from payapp.services.auth import CurrentUser

log = logging.getLogger(__name__)

SYSTEM = "autotask"
ENTITIES = ("companies", "contacts", "contracts", "tickets", "invoices", "billing_items")
AT_NAMES = {"companies": "Companies", "contacts": "Contacts", "contracts": "Contracts", "tickets": "Tickets",
            "invoices": "Invoices", "billing_items": "BillingItems"}
MODIFIED_FIELD = {"companies": "lastTrackedModifiedDateTime", "contacts": "lastModifiedDate",
                  "tickets": "lastTrackedModificationDateTime"}
OVERLAP = dt.timedelta(minutes=10)
INVOICE_DATE_OVERLAP = dt.timedelta(days=31)
LOCK_NAME = "sync.autotask"
PG_LOCK_KEY = 0x5041_5941      # "PAYA"
LOCK_TTL = dt.timedelta(minutes=5)
PUSH_INVOICE = "accounting.push_invoice"
UPSERT_CHUNK = 125

AutotaskFactory = Callable[[], Awaitable[AutotaskConnector]]
QuickBooksFactory = Callable[[], Awaitable[Any]]


@dataclass(frozen=True)
class SyncProgress:
    entity: str
    done: int
    total: int | None
    message: str


@dataclass(frozen=True)
class SyncReport:
    full: bool
    counts: dict[str, int]
    invoice_pushes_queued: int
    started_at: dt.datetime
    finished_at: dt.datetime
    #: seconds spent outside awaiting Autotask (mapping + database): PayApp's own processing
    processing_seconds: float = 0.0

    @property
    def records(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class SyncStatus:
    last_sync_at: dt.datetime | None
    full_sync_done: bool
    running_elsewhere: str        # holder name, "" when nobody holds the lock


class SyncBusy(ConflictError):
    pass


class SyncError(PayAppError):
    pass


ProgressCallback = Callable[[SyncProgress], None]


@dataclass
class _Cursor:
    entity: str
    last_id: int = 0
    watermark: str = ""
    full_done: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def dump(self) -> str:
        return json.dumps({"last_id": self.last_id, "watermark": self.watermark, **self.extra})


class SyncService:
    """Use: `await SyncService(...).run(on_progress)`. One instance per app; one run at a time."""

    def __init__(self, db: Database, autotask_factory: AutotaskFactory,
                 quickbooks_factory: QuickBooksFactory | None, settings: Any, current: CurrentUser, *,
                 holder: str = "", lock_ttl: dt.timedelta = LOCK_TTL,
                 clock: Callable[[], dt.datetime] = utcnow) -> None:
        self._db = db
        self._autotask_factory = autotask_factory
        self._quickbooks_factory = quickbooks_factory
        self._settings = settings
        self._current = current
        self._token = uuid.uuid4().hex[:8]
        self._holder = (holder or f"{WORKSTATION} (pid {os.getpid()})")[:80] + f"#{self._token}"
        self._lock_ttl = lock_ttl
        self._clock = clock
        self._running: asyncio.Lock = asyncio.Lock()
        self._progress: ProgressCallback | None = None
        self._wait = 0.0        # seconds awaiting Autotask in the current run
        self._lock_renewed = 0.0
        self._currency = "USD"
        self._cursors: dict[str, _Cursor] = {}

    # ------------------------------------------------------------------ public

    async def status(self) -> SyncStatus:
        async with self._db.sessions() as s:
            cursors = (await s.scalars(select(SyncCursor).where(SyncCursor.system == SYSTEM))).all()
            lock = await s.get(SyncLock, LOCK_NAME)
        done = {c.entity for c in cursors if c.full_sync_done}
        last = max((c.updated_at for c in cursors), default=None)
        other = ""
        if lock is not None and lock.expires_at > self._clock() and lock.holder != self._holder:
            other = lock.holder.split("#", 1)[0]
        return SyncStatus(last, all(e in done for e in ENTITIES), other)

    async def reset(self) -> None:
        """Forget the cursors: the next run is a full sync again (rows are kept and upserted)."""
        self._current.require(Permission.ADMINISTER)
        async with self._db.transaction() as s:
            await s.execute(delete(SyncCursor).where(SyncCursor.system == SYSTEM))

    async def run(self, on_progress: ProgressCallback | None = None) -> SyncReport:
        """Full sync the first time (resuming where a previous one stopped), incremental afterwards."""
        self._current.require(Permission.RUN_SYNC)
        if self._running.locked():
            raise SyncBusy("A sync is already running on this workstation.")
        async with self._running:
            self._progress = on_progress
            self._wait = 0.0
            t0 = time.perf_counter()
            started = self._clock()
            try:
                self._currency = str(await self._settings.get("currency") or "USD") or "USD"
            except Exception:
                self._currency = "USD"
            async with self._sync_lock():
                self._say("", 0, None, "Connecting to Autotask…")
                w0 = time.perf_counter()
                at = await self._autotask_factory()
                at.on_threshold = self._on_threshold
                self._wait += time.perf_counter() - w0
                wait_before = at.wait_seconds
                cursors = self._cursors = await self._load_cursors()
                full = not all(c.full_done for c in cursors.values())
                counts: dict[str, int] = {}
                queued = 0
                maps = _Maps()
                await maps.load(self._db)
                for entity in ENTITIES:
                    n, q = await self._sync_entity(at, entity, cursors[entity], maps)
                    counts[entity] = n
                    queued += q
                self._say("", sum(counts.values()), sum(counts.values()), "Sync finished.")
                self._wait += at.wait_seconds - wait_before
            elapsed = time.perf_counter() - t0
            return SyncReport(full, counts, queued, started, self._clock(), max(0.0, elapsed - self._wait))

    # ------------------------------------------------------------------ progress

    def _say(self, entity: str, done: int, total: int | None, message: str) -> None:
        if self._progress is not None:
            self._progress(SyncProgress(entity, done, total, message))

    def _on_threshold(self, info: ThresholdInfo) -> None:
        if info.ratio >= 0.75:
            self._say("", 0, None, f"Autotask API use is at {info.used} of {info.limit} requests this hour "
                                   "(over 75%): the sync is slowing down a lot to leave room for others.")
        elif info.ratio >= 0.5:
            self._say("", 0, None, f"Autotask API use is at {info.used} of {info.limit} requests this hour "
                                   "(over 50%): the sync is slowing down.")

    # ------------------------------------------------------------------ lock

    @contextlib.asynccontextmanager
    async def _sync_lock(self) -> AsyncIterator[None]:
        if self._db.is_sqlite:
            await self._acquire_row_lock()
            try:
                yield
            finally:
                async with self._db.transaction(lock=True) as s:
                    await s.execute(delete(SyncLock).where(SyncLock.name == LOCK_NAME, SyncLock.holder == self._holder))
            return
        async with self._db.engine.connect() as conn:
            got = (await conn.execute(select(func.pg_try_advisory_lock(PG_LOCK_KEY)))).scalar()
            await conn.commit()
            if not got:
                raise SyncBusy(await self._busy_message())
            try:
                await self._write_lock_row()
                yield
            finally:
                with contextlib.suppress(Exception):
                    async with self._db.transaction() as s:
                        await s.execute(delete(SyncLock).where(SyncLock.name == LOCK_NAME,
                                                               SyncLock.holder == self._holder))
                await _pg_unlock(conn)

    async def _busy_message(self) -> str:
        async with self._db.sessions() as s:
            row = await s.get(SyncLock, LOCK_NAME)
        who = row.holder.split("#", 1)[0] if row is not None else "another workstation"
        return (f"Another workstation ({who}) is syncing with Autotask right now. "
                "Its changes will appear here when it finishes; try again in a few minutes.")

    async def _write_lock_row(self) -> None:
        now = self._clock()
        async with self._db.transaction(lock=True) as s:
            row = await s.get(SyncLock, LOCK_NAME, with_for_update=not self._db.is_sqlite)
            if row is None:
                s.add(SyncLock(name=LOCK_NAME, holder=self._holder, acquired_at=now, expires_at=now + self._lock_ttl))
            else:
                row.holder, row.acquired_at, row.expires_at = self._holder, now, now + self._lock_ttl
        self._lock_renewed = time.monotonic()

    async def _acquire_row_lock(self) -> None:
        now = self._clock()
        async with self._db.transaction(lock=True) as s:
            row = await s.get(SyncLock, LOCK_NAME)
            if row is not None and row.holder != self._holder and row.expires_at > now:
                who = row.holder.split("#", 1)[0]
                raise SyncBusy(f"Another workstation ({who}) is syncing with Autotask right now. "
                               "Its changes will appear here when it finishes; try again in a few minutes.")
            if row is None:
                s.add(SyncLock(name=LOCK_NAME, holder=self._holder, acquired_at=now, expires_at=now + self._lock_ttl))
            else:
                row.holder, row.acquired_at, row.expires_at = self._holder, now, now + self._lock_ttl
        self._lock_renewed = time.monotonic()

    async def _renew_lock(self, s: AsyncSession) -> None:
        """Inside a page transaction: push the lock's expiry on (SQLite row lock only)."""
        if not self._db.is_sqlite or time.monotonic() - self._lock_renewed < self._lock_ttl.total_seconds() / 3:
            return
        res = await s.execute(update(SyncLock).where(SyncLock.name == LOCK_NAME, SyncLock.holder == self._holder)
                              .values(expires_at=self._clock() + self._lock_ttl))
        if res.rowcount != 1:    # type: ignore[attr-defined]
            raise SyncBusy("Another workstation took over the sync lock; this sync stopped.")
        self._lock_renewed = time.monotonic()

    # ------------------------------------------------------------------ cursors

    async def _load_cursors(self) -> dict[str, _Cursor]:
        async with self._db.sessions() as s:
            rows = (await s.scalars(select(SyncCursor).where(SyncCursor.system == SYSTEM))).all()
        out = {e: _Cursor(e) for e in ENTITIES}
        for r in rows:
            if r.entity in out:
                data = json.loads(r.cursor or "{}")
                c = out[r.entity]
                c.last_id = int(data.pop("last_id", 0) or 0)
                c.watermark = str(data.pop("watermark", "") or "")
                c.extra = data
                c.full_done = r.full_sync_done
        return out

    async def _save_cursor(self, s: AsyncSession, c: _Cursor) -> None:
        stmt = _insert(self._db, SyncCursor).values(system=SYSTEM, entity=c.entity, cursor=c.dump(),
                                                     full_sync_done=c.full_done, updated_at=self._clock())
        stmt = stmt.on_conflict_do_update(
            index_elements=["system", "entity"],
            set_={"cursor": stmt.excluded.cursor, "full_sync_done": stmt.excluded.full_sync_done,
                  "updated_at": stmt.excluded.updated_at})
        await s.execute(stmt)

    # ------------------------------------------------------------------ entities

    async def _pages(self, at: AutotaskConnector, entity: str, filter_: Filter) -> AsyncIterator[list[Any]]:
        async for page in at.query(AT_NAMES[entity], filter_):
            yield page

    async def _count(self, at: AutotaskConnector, entity: str, filter_: Filter) -> int | None:
        try:
            return await at.count(AT_NAMES[entity], filter_)
        except AutotaskError:
            return None

    async def _sync_entity(self, at: AutotaskConnector, entity: str, c: _Cursor, maps: _Maps) -> tuple[int, int]:
        now = self._clock()
        full = not c.full_done
        label = entity.replace("_", " ")
        queries: list[Filter]
        next_watermark = _iso(now - OVERLAP)
        if full:
            if not c.watermark:
                c.watermark = next_watermark
            id_filter = [f("gt", "id", c.last_id)]
            if entity == "billing_items":
                id_filter.append(f("exist", "invoiceID"))
            queries = [id_filter]
        elif entity in MODIFIED_FIELD:
            queries = [[f("gt", MODIFIED_FIELD[entity], c.watermark)]]
        elif entity == "contracts":
            queries = [[f("gt", "id", 0)]]
        elif entity == "invoices":
            since = _iso(_parse_iso(c.watermark) - INVOICE_DATE_OVERLAP)[:10]
            queries = [[f("gt", "id", c.last_id)],
                       [group("or", f("gt", "paidDate", since), f("gt", "voidedDate", since))]]
        else:   # billing items of invoices new since the last run (kept in the invoices cursor until done)
            inv_cursor = self._cursors["invoices"]
            new_ids = sorted(set(inv_cursor.extra.get("lines_pending", [])) | maps.new_invoice_ext)
            queries = [[f("in", "invoiceID", new_ids[k:k + 200])] for k in range(0, len(new_ids), 200)]
        total = await self._count(at, entity, queries[0]) if full and queries else None
        if total is not None and len(queries) == 1:
            self._say(entity, 0, total, f"Reading {label}…")
        done = 0
        queued = 0
        for q in queries:
            async for page in self._pages(at, entity, q):
                if not page:
                    continue
                async with self._db.transaction() as s:
                    queued += await self._upsert(s, entity, page, maps, at)
                    if full or (entity == "invoices" and q is queries[0]):
                        c.last_id = max(c.last_id, max(r.id for r in page))
                    if entity == "invoices" and not full and maps.new_invoice_ext:
                        c.extra["lines_pending"] = sorted(maps.new_invoice_ext)
                    await self._save_cursor(s, c)
                    await self._renew_lock(s)
                done += len(page)
                self._say(entity, done, total, f"Reading {label}: {done:,}" + (f" of {total:,}" if total else ""))
        async with self._db.transaction() as s:
            if full:
                c.full_done = True
                # records changed while the full sync ran are re-read by the next incremental run
            else:
                c.watermark = next_watermark
            await self._save_cursor(s, c)
            if entity == "billing_items" and self._cursors["invoices"].extra.pop("lines_pending", None):
                await self._save_cursor(s, self._cursors["invoices"])
        return done, queued

    # ------------------------------------------------------------------ upserts

    async def _upsert(self, s: AsyncSession, entity: str, page: list[Any], maps: _Maps,
                      at: AutotaskConnector) -> int:
        if entity == "companies":
            await self._upsert_companies(s, page, maps)
            return 0
        needed = {r.company_id for r in page if hasattr(r, "company_id")} - maps.company.keys()
        if needed:
            await self._fetch_missing_companies(s, at, needed, maps)
        if entity == "contacts":
            rows = [_contact_row(r, maps) for r in page if r.company_id in maps.company]
            ids = await _upsert_rows(self._db, s, Contact, rows, _CONTACT_UPDATE)
            maps.contact.update(ids)
        elif entity == "contracts":
            rows = [_contract_row(r, maps) for r in page if r.company_id in maps.company]
            maps.contract.update(await _upsert_rows(self._db, s, Contract, rows, _CONTRACT_UPDATE))
        elif entity == "tickets":
            rows = [_ticket_row(r, maps) for r in page if r.company_id in maps.company]
            maps.ticket.update(await _upsert_rows(self._db, s, Ticket, rows, _TICKET_UPDATE))
        elif entity == "invoices":
            return await self._upsert_invoices(s, page, maps)
        else:
            rows = [_line_row(r, maps, self._currency) for r in page if r.invoice_id in maps.invoice]
            await _upsert_rows(self._db, s, InvoiceLine, rows, _LINE_UPDATE, returning=False)
        return 0

    async def _fetch_missing_companies(self, s: AsyncSession, at: AutotaskConnector, ext_ids: set[int],
                                       maps: _Maps) -> None:
        ids = sorted(ext_ids)
        for k in range(0, len(ids), 200):
            async for page in self._pages(at, "companies", [f("in", "id", ids[k:k + 200])]):
                await self._upsert_companies(s, page, maps)

    async def _upsert_companies(self, s: AsyncSession, page: Sequence[AtCompany], maps: _Maps) -> None:
        now = utcnow()
        rows = [_company_row(r, now) for r in page]
        ids = await _upsert_rows(self._db, s, Company, rows, _COMPANY_UPDATE)
        renamed = [ids[r.id] for r in page if r.id in maps.company and maps.company_name.get(r.id) != r.name]
        maps.company.update(ids)
        for r in page:
            maps.company_name[r.id] = r.name
        if renamed:
            name = select(Company.name).where(Company.id == Invoice.company_id).scalar_subquery()
            await s.execute(update(Invoice).where(Invoice.company_id.in_(renamed), Invoice.company_name != name)
                            .values(company_name=name).execution_options(synchronize_session=False))

    async def _upsert_invoices(self, s: AsyncSession, page: Sequence[AtInvoice], maps: _Maps) -> int:
        now = utcnow()
        rows = [_invoice_row(r, maps, self._currency, now) for r in page if r.company_id in maps.company]
        if not rows:
            return 0
        new_ext = [r["external_id"] for r in rows if r["external_id"] not in maps.invoice]
        ids = await _upsert_rows(self._db, s, Invoice, rows, _invoice_update_set(self._db))
        maps.invoice.update(ids)
        maps.new_invoice_ext.update(new_ext)
        voided = {r["external_id"] for r in rows if r["is_voided"]}
        jobs = [{"kind": PUSH_INVOICE, "payload": json.dumps({"invoice_id": ids[e]}), "invoice_id": ids[e],
                 "status": "pending", "attempts": 0, "next_attempt_at": self._clock(), "request_id": "",
                 "last_error": "", "dismissed_reason": "", "created_at": self._clock(), "updated_at": self._clock()}
                for e in new_ext if e not in voided]
        if jobs:
            await s.execute(OutboxJob.__table__.insert(), jobs)
        if voided & set(new_ext):
            await s.execute(update(Invoice).where(Invoice.id.in_([ids[e] for e in voided & set(new_ext)]))
                            .values(sync_state="synced").execution_options(synchronize_session=False))
        return len(jobs)


# ---------------------------------------------------------------------- row builders and SQL


class _Maps:
    """External (Autotask) id → our id, kept in memory for the run (a few MB at 100k invoices)."""

    def __init__(self) -> None:
        self.company: dict[int, int] = {}
        self.company_name: dict[int, str] = {}
        self.contact: dict[int, int] = {}
        self.contract: dict[int, int] = {}
        self.ticket: dict[int, int] = {}
        self.invoice: dict[int, int] = {}
        self.new_invoice_ext: set[int] = set()

    async def load(self, db: Database) -> None:
        async with db.sessions() as s:
            for ext, ident, name in (await s.execute(select(Company.external_id, Company.id, Company.name)
                                                     .where(Company.external_id.is_not(None)))).all():
                self.company[ext] = ident
                self.company_name[ext] = name
            for model, target in ((Contact, self.contact), (Contract, self.contract), (Ticket, self.ticket),
                                  (Invoice, self.invoice)):
                res = await s.execute(select(model.external_id, model.id).where(model.external_id.is_not(None)))
                target.update((int(a), int(b)) for a, b in res.all())


def _insert(db: Database, model: Any) -> Any:
    return (sqlite.insert if db.is_sqlite else postgresql.insert)(model.__table__)


async def _upsert_rows(db: Database, s: AsyncSession, model: Any, rows: list[dict[str, Any]],
                       update_cols: Any, *, returning: bool = True) -> dict[int, int]:
    """Batched upsert keyed on external_id; returns external_id → id for the batch."""
    if not rows:
        return {}
    stmt = _insert(db, model)
    set_ = update_cols(stmt) if callable(update_cols) else {c: getattr(stmt.excluded, c) for c in update_cols}
    stmt = stmt.on_conflict_do_update(index_elements=["external_id"], set_=set_)
    table = model.__table__
    out: dict[int, int] = {}
    # chunks, so building each statement's parameters never holds the event loop (the GUI's) for long
    for k in range(0, len(rows), UPSERT_CHUNK):
        chunk = rows[k:k + UPSERT_CHUNK]
        if not returning:
            await s.execute(stmt, chunk)
            continue
        res = await s.execute(stmt.returning(table.c.external_id, table.c.id), chunk)   # pairs: order is moot
        out.update((int(e), int(i)) for e, i in res.all())
    return out


_COMPANY_UPDATE = ("name", "number", "phone", "address1", "city", "state", "postal_code", "is_active",
                   "modified_at", "synced_at")
_CONTACT_UPDATE = ("company_id", "first_name", "last_name", "email", "phone", "is_active", "modified_at")
_CONTRACT_UPDATE = ("company_id", "name", "number", "status", "start_date", "end_date")
_TICKET_UPDATE = ("company_id", "contact_id", "contract_id", "ticket_number", "title", "status", "created_at",
                  "modified_at")
_LINE_UPDATE = ("invoice_id", "description", "quantity", "unit_price_minor", "amount_minor", "contract_id",
                "ticket_id")


def _company_row(r: AtCompany, now: dt.datetime) -> dict[str, Any]:
    return {"external_id": r.id, "name": r.name[:200] or f"Company {r.id}", "number": r.number[:50],
            "phone": r.phone[:50], "address1": r.address1[:200], "city": r.city[:100], "state": r.state[:50],
            "postal_code": r.postal_code[:20], "country": "US", "is_active": r.is_active,
            "modified_at": r.modified_at, "synced_at": now}


def _contact_row(r: AtContact, maps: _Maps) -> dict[str, Any]:
    return {"external_id": r.id, "company_id": maps.company[r.company_id], "first_name": r.first_name[:100],
            "last_name": r.last_name[:100], "email": r.email[:200], "phone": r.phone[:50],
            "is_active": r.is_active, "modified_at": r.modified_at}


def _contract_row(r: AtContract, maps: _Maps) -> dict[str, Any]:
    return {"external_id": r.id, "company_id": maps.company[r.company_id], "name": r.name[:200],
            "number": r.number[:50], "status": r.status[:30], "start_date": r.start_date, "end_date": r.end_date}


def _ticket_row(r: AtTicket, maps: _Maps) -> dict[str, Any]:
    return {"external_id": r.id, "company_id": maps.company[r.company_id],
            "contact_id": maps.contact.get(r.contact_id) if r.contact_id else None,
            "contract_id": maps.contract.get(r.contract_id) if r.contract_id else None,
            "ticket_number": r.ticket_number[:50], "title": r.title[:300], "status": r.status[:30],
            "created_at": r.created_at, "modified_at": r.modified_at}


@functools.lru_cache(maxsize=16)
def _digits(currency: str) -> int:
    return minor_digits(currency)


def _minor(value: Decimal, currency: str) -> int:
    """decimal_to_minor with the currency's digits cached (this runs for every amount of a full sync)."""
    if value == value.to_integral_value() and _digits(currency) == 2:
        return int(value) * 100
    return decimal_to_minor(value, currency)


def _invoice_row(r: AtInvoice, maps: _Maps, currency: str, now: dt.datetime) -> dict[str, Any]:
    total = _minor(r.total, currency)
    paid = total if r.paid_date is not None else 0
    return {"external_id": r.id, "company_id": maps.company[r.company_id],
            "company_name": maps.company_name.get(r.company_id, "")[:200], "invoice_number": r.invoice_number[:50],
            "invoice_date": r.invoice_date, "due_date": r.due_date, "currency": currency, "total_minor": total,
            "tax_minor": _minor(r.tax, currency), "paid_minor": paid, "balance_minor": total - paid,
            "status": _status_py(total, paid, r.is_voided), "is_voided": r.is_voided, "voided_date": r.voided_date,
            "paid_date": r.paid_date, "payment_term": r.payment_term[:100], "comments": r.comments,
            "sync_state": "pending", "psa_paid_marked": False, "created_at": now, "updated_at": now,
            "accounting_number": None, "accounting_id": None, "contract_id": None}


def _status_py(total: int, paid: int, voided: bool) -> str:
    return str(invoice_status(total, paid, voided))


def _status_sql(total: ColumnElement[Any], paid: ColumnElement[Any], voided: ColumnElement[Any]) -> Any:
    """`domain.payment_state.invoice_status` in SQL (so the upsert reads the row's current paid amount)."""
    return case(
        (voided, literal("voided")),
        (paid <= 0, case((total > 0, literal("open")), else_=literal("paid"))),
        (paid >= total, literal("paid")),
        else_=literal("partially_paid"))


def _invoice_update_set(db: Database) -> Callable[[Any], dict[str, Any]]:
    def build(stmt: Any) -> dict[str, Any]:
        x = stmt.excluded
        t = Invoice.__table__.c
        has_payments = exists().where(Payment.invoice_id == t.id)
        paid = case(
            (and_(x.paid_date.is_not(None), t.paid_minor == 0), x.total_minor),
            (and_(x.paid_date.is_(None), t.paid_date.is_not(None), ~has_payments), literal(0)),
            else_=t.paid_minor)
        out = {c: getattr(x, c) for c in ("company_id", "company_name", "invoice_number", "invoice_date", "due_date",
                                          "total_minor", "tax_minor", "is_voided", "voided_date",
                                          "payment_term", "comments")}
        # PayApp's own paid date (set when its payments paid the invoice) stays until Autotask has one
        out["paid_date"] = case((and_(x.paid_date.is_(None), has_payments), t.paid_date), else_=x.paid_date)
        out.update(paid_minor=paid, balance_minor=x.total_minor - paid,
                   status=_status_sql(x.total_minor, paid, x.is_voided), updated_at=x.updated_at)
        return out
    return build


def _line_row(r: AtBillingItem, maps: _Maps, currency: str) -> dict[str, Any]:
    return {"external_id": r.id, "invoice_id": maps.invoice[r.invoice_id], "position": 0,
            "description": r.description[:500], "quantity": r.quantity,
            "unit_price_minor": _minor(r.rate, currency),
            "amount_minor": _minor(r.amount, currency),
            "contract_id": maps.contract.get(r.contract_id) if r.contract_id else None,
            "ticket_id": maps.ticket.get(r.ticket_id) if r.ticket_id else None}


def _iso(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _parse_iso(text: str) -> dt.datetime:
    if not text:
        return dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


async def _pg_unlock(conn: AsyncConnection) -> None:
    with contextlib.suppress(Exception):
        await conn.execute(select(func.pg_advisory_unlock(PG_LOCK_KEY)))
        await conn.commit()


# ---------------------------------------------------------------------- headless entry point


@dataclass(frozen=True)
class HeadlessResult:
    sync: SyncReport
    outbox_done: int
    outbox_problems: int
    outbox_stopped: str


async def headless_sync(database_url: str, secrets: Any, http: Any, *, actor: Any = None, demo: bool = False,
                        full: bool = False, drain_outbox: bool = True,
                        on_progress: ProgressCallback | None = None) -> HeadlessResult:
    """One sync from Autotask, then drain the outbox (QuickBooks/Autotask pushes).

    `secrets` is the app's SecretStore, `http` its httpx.AsyncClient (in demo mode the one with the sandbox
    mounts); `actor` defaults to the system actor. `full=True` forgets the cursors first."""
    from payapp.services.auth import SYSTEM as SYSTEM_ACTOR
    from payapp.services.connections import ConnectionsService
    from payapp.services.outbox import OutboxWorker
    from payapp.services.settings import SettingsService

    db = Database(database_url)
    try:
        current = CurrentUser(actor or SYSTEM_ACTOR)
        settings = SettingsService(db, secrets, current)
        connections = ConnectionsService(db, settings, secrets, current, http, demo=demo)
        if demo:
            await connections.setup_demo()
        service = SyncService(db, connections.autotask, connections.quickbooks, settings, current)
        if full:
            await service.reset()
        report = await service.run(on_progress)
        done = problems = 0
        stopped = ""
        if drain_outbox:
            worker = OutboxWorker(db, connections.quickbooks, connections.autotask, current=current,
                                  settings=settings)
            drained = await worker.drain()
            done, problems, stopped = drained.done, drained.needs_attention, drained.stopped_reason
        return HeadlessResult(report, done, problems, stopped)
    finally:
        await db.dispose()


def demo_http_client(settings_values: dict[str, str]) -> Any:
    """An httpx client whose Autotask and QuickBooks hosts (from the settings) go to fresh in-process
    sandboxes — for `payapp sync --demo` when no app context is at hand."""
    import httpx

    from payapp.sandbox.autotask import create_autotask_app
    from payapp.sandbox.quickbooks import create_quickbooks_app

    qb_app = create_quickbooks_app()
    mounts = {f"all://{httpx.URL(settings_values['autotask.base_url']).host}":
              httpx.ASGITransport(app=create_autotask_app())}
    for key in ("quickbooks.base_url", "quickbooks.auth_base_url"):
        mounts[f"all://{httpx.URL(settings_values[key]).host}"] = httpx.ASGITransport(app=qb_app)
    return httpx.AsyncClient(mounts=mounts, timeout=30)


async def run_headless_sync(config: Any, *, secrets: Any = None, http: Any = None, full: bool = False,
                            out: Callable[[str], None] = print) -> int:
    """`payapp sync`: sync, drain the outbox, print a summary; exit code 0 (ok), 1 (problems), 2 (failed).

    `config` is the AppConfig (database_url, demo). Pass the app context's `secrets` and `http` when you have
    them; otherwise the OS keyring and a plain client are used (demo mode: in-memory sandboxes)."""
    import httpx

    from payapp.migrations import upgrade
    from payapp.services.secrets import SecretStore

    demo = bool(getattr(config, "demo", False))
    data_dir = getattr(config, "data_dir", None)
    if data_dir is not None:
        os.makedirs(data_dir, exist_ok=True)
    await asyncio.to_thread(upgrade, config.database_url)      # as at start-up: the schema is current
    own_http = http is None
    if secrets is None:
        if demo:
            from payapp.services.memory_keyring import MEMORY_BACKEND_MODULES, MemoryKeyring
            from payapp.services.secrets import ALLOWED_BACKENDS

            secrets = SecretStore(MemoryKeyring(), allow=ALLOWED_BACKENDS + MEMORY_BACKEND_MODULES)
        else:
            secrets = SecretStore()
    if http is None:
        if demo:
            from payapp.services.settings import SettingsService

            db = Database(config.database_url)
            try:
                values = await SettingsService(db, secrets, CurrentUser(None)).get_all()
            finally:
                await db.dispose()
            http = demo_http_client(values)
        else:
            http = httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=10.0))
    last = [""]

    def progress(p: SyncProgress) -> None:
        if p.message and p.message != last[0] and (p.total is None or p.done in (0, p.total) or p.done % 5000 < 500):
            last[0] = p.message
            out(p.message)

    try:
        result = await headless_sync(config.database_url, secrets, http, demo=demo, full=full, on_progress=progress)
    except PayAppError as exc:
        out(f"Sync failed: {exc.user_message}")
        return 2
    finally:
        if own_http:
            await http.aclose()
    counts = ", ".join(f"{n:,} {e.replace('_', ' ')}" for e, n in result.sync.counts.items())
    out(f"Synced ({'full' if result.sync.full else 'incremental'}): {counts}.")
    out(f"Sent {result.outbox_done:,} updates to QuickBooks/Autotask; {result.outbox_problems} need attention.")
    if result.outbox_stopped:
        out(result.outbox_stopped)
    return 1 if result.outbox_problems or result.outbox_stopped else 0

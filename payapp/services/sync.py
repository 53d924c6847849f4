"""Sync from Autotask into PayApp's tables: a resumable first full sync, then incremental syncs.

Shape:
- One entity at a time, in foreign-key order: companies → contacts → contracts → tickets → invoices →
  billing items (invoice lines). Each page (≤ 500 records) is one transaction: a batched
  `INSERT … ON CONFLICT (external_id) DO UPDATE` plus the entity's cursor in `sync_cursors`, so a sync
  killed anywhere resumes after the last committed page, without duplicates or gaps.
- Cursor JSON per entity: `{"last_id": N, "watermark": "<iso>"}`. The full sync walks `id gt last_id`
  (Autotask answers in id order). The watermark is taken when a phase *starts* (minus an overlap) so
  records changed while we read are picked up next time. Incremental: companies by
  lastTrackedModifiedDateTime, contacts by lastModifiedDate, contracts by lastModifiedDateTime, tickets by
  lastTrackedModificationDateTime, invoices by `id gt last_id` (new) plus
  `paidDate`/`voidedDate` newer than the watermark minus 31 days (Autotask has no invoice modified time;
  a paid date set weeks in the past is caught within that window), billing items of new invoices.
- Paid amounts: PayApp's own `paid_minor` (from payments) is never lowered or overwritten by a sync.
  An Autotask `paidDate` marks an invoice fully paid (`paid_minor = total`) only when PayApp has recorded
  nothing on it (paid outside PayApp, e.g. a cheque booked in Autotask). A cleared `paidDate` re-opens an
  invoice only if no payment row exists for it. Everything is computed in SQL inside the upsert, so a
  payment committed concurrently is never clobbered. balance = total − paid; status follows
  `domain.payment_state.invoice_status` (mirrored in `_status_sql`).
- New invoices that are not voided get an `accounting.push_invoice` outbox job in the same transaction.
- Invoices' paymentTerm is an integer picklist: its label (read once per run from the Invoices' field
  information) is what PayApp keeps and shows; a value the picklist does not know is kept as sent.
- A record that cannot be read (missing id, bad date, bad amount ...) is skipped, not the page: it becomes a
  sync problem (`psa.skipped_record`, needs attention, naming the record's id), its id is kept in the entity's
  cursor (`skipped`) and read again by every later sync until it reads; then its problem closes by itself.
- Only one workstation syncs at a time: PostgreSQL `pg_try_advisory_lock`; SQLite a `sync_locks` row with
  an expiry, renewed while the sync runs. The lock holder is named in the "busy" message.
- Progress goes to a plain callback; Cancel = cancel the task (the current page's transaction rolls back).

Speed (a first full sync is ~300,000 records) and the GUI thread:
- The event loop only talks to Autotask (it asks for the next page while the current one is written) and
  reports progress. Mapping, row building and every database statement of the sync run in one worker thread
  (`_PageWriter`) on a blocking connection, so the GUI thread never waits on them.
- Pages are written with the driver's own `executemany` on SQL compiled once from SQLAlchemy Core
  statements; values are converted to what SQLAlchemy's column types would store (`_Values`), because
  SQLAlchemy's per-row parameter processing cost more than the database work itself.
- A first full sync into an empty invoices table drops the invoices' secondary indexes and builds them
  again afterwards (also after a failure or Cancel; every run starts by re-creating any that are
  missing, in case the process died in between). Eleven B-trees updated row by row cost several times
  more than building them once.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import datetime as dt
import functools
import gc
import json
import logging
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import (
    Connection,
    Engine,
    Index,
    Table,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    literal,
    literal_column,
    select,
    update,
)
from sqlalchemy import column as sql_column
from sqlalchemy import table as sql_table
from sqlalchemy.dialects import sqlite  # postgresql where used: only a PostgreSQL database needs it (~25 ms)
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.pool import NullPool
from sqlalchemy.sql.elements import ColumnElement

from payapp.connectors.psa.autotask import (
    MAPPERS,
    AtBillingItem,
    AtCompany,
    AtContact,
    AtContract,
    AtInvoice,
    AtTicket,
    AutotaskConnector,
    AutotaskError,
    AutotaskRecordError,
    Filter,
    Json,
    ThresholdInfo,
    f,
    group,
    map_company,
)
from payapp.domain.errors import ConflictError, PayAppError
from payapp.domain.money import decimal_to_minor, minor_digits
from payapp.domain.outbox_jobs import JobKind, JobStatus
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
from payapp.models.db import Database, make_sync_engine
from payapp.services.audit import WORKSTATION
from payapp.services.auth import CurrentUser

log = logging.getLogger(__name__)

SYSTEM = "autotask"
ENTITIES = ("companies", "contacts", "contracts", "tickets", "invoices", "billing_items")
AT_NAMES = {"companies": "Companies", "contacts": "Contacts", "contracts": "Contracts", "tickets": "Tickets",
            "invoices": "Invoices", "billing_items": "BillingItems"}
MODIFIED_FIELD = {"companies": "lastTrackedModifiedDateTime", "contacts": "lastModifiedDate",
                  "contracts": "lastModifiedDateTime", "tickets": "lastTrackedModificationDateTime"}
#: entities whose records point at a company (a company missing from our table is fetched first)
HAS_COMPANY = frozenset({"contacts", "contracts", "tickets", "invoices"})
OVERLAP = dt.timedelta(minutes=10)
INVOICE_DATE_OVERLAP = dt.timedelta(days=31)
LOCK_NAME = "sync.autotask"
PG_LOCK_KEY = 0x5041_5941      # "PAYA"
LOCK_TTL = dt.timedelta(minutes=5)
#: rows per INSERT statement on SQLite: a whole page where the statement's parameter limit allows
SQLITE_ROWS_PER_STATEMENT = 500
#: SQLite's default limit of parameters in one statement (999 before 3.32)
SQLITE_MAX_PARAMETERS = 32766 if sqlite3.sqlite_version_info >= (3, 32) else 999

AutotaskFactory = Callable[[], Awaitable[AutotaskConnector]]
QuickBooksFactory = Callable[[], Awaitable[Any]]
T = TypeVar("T")


@dataclass(frozen=True)
class SyncProgress:
    entity: str
    done: int
    total: int | None
    message: str
    #: Autotask's hourly API use is past 50%/75% and the sync slows down (docs/protocols.md §3): shown until the
    #: next sync, not only while this message is current
    warning: str = ""


@dataclass(frozen=True)
class SyncReport:
    full: bool
    counts: dict[str, int]
    invoice_pushes_queued: int
    started_at: dt.datetime
    finished_at: dt.datetime
    #: seconds the sync was not blocked waiting for Autotask (mapping + database): PayApp's own processing
    processing_seconds: float = 0.0
    #: the last Autotask threshold warning of the run ("" when API use stayed under 50%)
    warning: str = ""
    #: records the run could not read and skipped (each also a sync problem), one message each with the id
    problems: tuple[str, ...] = ()

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


class _Cancelled(Exception):
    """Raised in the worker thread when the sync task was cancelled: the page's transaction rolls back."""


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


@dataclass(frozen=True)
class _PageResult:
    queued: int = 0
    #: Autotask company ids the page refers to that are not in our table yet (nothing was written)
    missing_companies: frozenset[int] = frozenset()


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
        self._warning = ""      # the current Autotask threshold warning, repeated with every progress report
        self._wait = 0.0        # seconds blocked waiting for Autotask in the current run
        self._lock_renewed = 0.0
        self._currency = "USD"
        self._cursors: dict[str, _Cursor] = {}
        self._writer: _PageWriter | None = None
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None
        self._collect_young: Callable[[], object] = _no_collection

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

    async def ensure_indexes(self) -> None:
        """Re-create invoice indexes a full sync dropped, if the process died before it built them again.
        Every run does this first; start-up may call it too (cheap when nothing is missing)."""
        await asyncio.to_thread(_ensure_invoice_indexes, self._db)

    async def run(self, on_progress: ProgressCallback | None = None) -> SyncReport:
        """Full sync the first time (resuming where a previous one stopped), incremental afterwards."""
        self._current.require(Permission.RUN_SYNC)
        if self._running.locked():
            raise SyncBusy("A sync is already running on this workstation.")
        async with self._running:
            self._progress = on_progress
            self._warning = ""
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
                cursors = self._cursors = await self._load_cursors()
                full = not all(c.full_done for c in cursors.values())
                counts: dict[str, int] = {}
                queued = 0
                problems: list[str] = []
                with _garbage_collected_on_this_thread() as self._collect_young:
                    async with self._page_writer() as writer:
                        await self._in_writer(writer.ensure_invoice_indexes)
                        await self._in_writer(writer.load_maps)
                        try:
                            for entity in ENTITIES:
                                n, q = await self._sync_entity(at, writer, entity, cursors[entity])
                                counts[entity] = n
                                queued += q
                        finally:
                            problems = list(writer.problems)
                self._say("", sum(counts.values()), sum(counts.values()), "Sync finished.")
            elapsed = time.perf_counter() - t0
            return SyncReport(full, counts, queued, started, self._clock(), max(0.0, elapsed - self._wait),
                              self._warning, tuple(problems))

    # ------------------------------------------------------------------ progress

    def _say(self, entity: str, done: int, total: int | None, message: str) -> None:
        if self._progress is not None:
            self._progress(SyncProgress(entity, done, total, message, self._warning))

    def _on_threshold(self, info: ThresholdInfo) -> None:
        if info.ratio >= 0.75:
            self._warning = (f"Autotask API use is at {info.used:,} of {info.limit:,} requests this hour (over 75%): "
                             "the sync is slowing down a lot to leave room for others.")
        elif info.ratio >= 0.5:
            self._warning = (f"Autotask API use is at {info.used:,} of {info.limit:,} requests this hour (over 50%): "
                             "the sync is slowing down.")
        else:
            self._warning = ""
        if self._warning:
            self._say("", 0, None, self._warning)

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

    # ------------------------------------------------------------------ the worker thread

    @contextlib.asynccontextmanager
    async def _page_writer(self) -> AsyncIterator[_PageWriter]:
        writer = _PageWriter(self._db, currency=self._currency, clock=self._clock, holder=self._holder,
                             lock_ttl=self._lock_ttl, lock_renewed=self._lock_renewed)
        # one thread: the blocking connection is used by the thread that opened it, and calls never overlap
        executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="payapp-sync-db")
        self._writer, self._executor = writer, executor
        try:
            await self._in_writer(writer.open)
            yield writer
        finally:
            try:
                await self._in_writer(writer.close)
            finally:
                executor.shutdown(wait=False)
                self._writer = self._executor = None

    async def _in_writer(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` in the sync's database thread. If the sync is cancelled meanwhile, the thread is told
        (a page being written then rolls back instead of committing) and waited for, so no database work of
        this run goes on after run() has returned."""
        assert self._executor is not None and self._writer is not None
        future = asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            self._writer.cancelled.set()
            with contextlib.suppress(BaseException):
                await asyncio.wait({future})
            if future.done() and not future.cancelled():
                future.exception()      # the thread's _Cancelled is the expected end: taken, not logged as lost
            raise

    # ------------------------------------------------------------------ entities

    async def _prefetched(self, pages: AsyncIterator[list[Json]]) -> AsyncGenerator[list[Json], None]:
        """The pages of `pages`, asking Autotask for the next one while the caller writes the current one.
        Only the time spent blocked here counts as waiting for Autotask."""
        iterator = aiter(pages)
        pending: asyncio.Future[list[Json]] = asyncio.ensure_future(anext(iterator))
        try:
            while True:
                w0 = time.perf_counter()
                try:
                    page = await pending
                except StopAsyncIteration:
                    return
                finally:
                    self._wait += time.perf_counter() - w0
                pending = asyncio.ensure_future(anext(iterator))
                yield page
        finally:
            if not pending.done():
                pending.cancel()
            with contextlib.suppress(BaseException):
                await asyncio.wait({pending})
            if pending.done() and not pending.cancelled():
                pending.exception()         # retrieved: an error of a page nobody reads is not "never retrieved"
            aclose = getattr(pages, "aclose", None)
            if aclose is not None:
                with contextlib.suppress(Exception):
                    await aclose()

    async def _count(self, at: AutotaskConnector, entity: str, filter_: Filter) -> int | None:
        w0 = time.perf_counter()
        try:
            return await at.count(AT_NAMES[entity], filter_)
        except AutotaskError:
            return None
        finally:
            self._wait += time.perf_counter() - w0

    async def _payment_terms(self, at: AutotaskConnector) -> dict[str, str]:
        """paymentTerm value → label (Invoices' field information, read once per run). Without it (an older
        database, a missing permission) the values are kept as sent and the sync goes on."""
        w0 = time.perf_counter()
        try:
            return await at.picklist("Invoices", "paymentTerm")
        except AutotaskError as exc:
            if exc.status == 429 or exc.kind == "credentials":
                raise
            log.warning("Autotask paymentTerm labels not read: %s", exc.user_message)
            return {}
        finally:
            self._wait += time.perf_counter() - w0

    async def _fetch_companies(self, at: AutotaskConnector, ext_ids: Iterable[int]) -> list[Json]:
        """Companies the sync has not seen (a record may point at one created after the companies phase)."""
        w0 = time.perf_counter()
        out: list[Json] = []
        ids = sorted(ext_ids)
        try:
            for k in range(0, len(ids), 200):
                async for page in at.query_pages("Companies", [f("in", "id", ids[k:k + 200])]):
                    out.extend(page)
        finally:
            self._wait += time.perf_counter() - w0
        return out

    async def _sync_entity(self, at: AutotaskConnector, writer: _PageWriter, entity: str,
                           c: _Cursor) -> tuple[int, int]:
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
        elif entity == "invoices":
            since = _iso(_parse_iso(c.watermark) - INVOICE_DATE_OVERLAP)[:10]
            queries = [[f("gt", "id", c.last_id)],
                       [group("or", f("gt", "paidDate", since), f("gt", "voidedDate", since))]]
        else:   # billing items of invoices new since the last run (kept in the invoices cursor until done)
            inv_cursor = self._cursors["invoices"]
            new_ids = sorted(set(inv_cursor.extra.get("lines_pending", [])) | writer.maps.new_invoice_ext)
            queries = [[f("in", "invoiceID", new_ids[k:k + 200])] for k in range(0, len(new_ids), 200)]
        skipped = sorted(_skipped_ids(c))
        if skipped and not full:        # records a sync could not read: again, until they read
            queries += [[f("in", "id", skipped[k:k + 200])] for k in range(0, len(skipped), 200)]
        if entity == "invoices":
            writer.payment_terms = await self._payment_terms(at)
            if writer.payment_terms and not c.extra.get("payment_terms_labelled"):
                # invoices synced before PayApp read the labels hold the bare values ("1"): once, the labels
                await self._in_writer(writer.label_payment_terms)
                c.extra["payment_terms_labelled"] = True
        total = await self._count(at, entity, queries[0]) if full and queries else None
        if total is not None and len(queries) == 1:
            self._say(entity, 0, total, f"Reading {label}…")
        done = 0
        queued = 0
        rebuild = full and entity == "invoices" and await self._in_writer(writer.drop_invoice_indexes_if_empty)
        try:
            for q in queries:
                advance = full or (entity == "invoices" and q is queries[0])
                lines_pending = entity == "invoices" and not full
                pages = self._prefetched(at.query_pages(AT_NAMES[entity], q))
                async with contextlib.aclosing(pages):
                    async for page in pages:
                        if not page:
                            continue
                        result = await self._in_writer(writer.write_page, entity, page, c, advance, lines_pending,
                                                       None)
                        if result.missing_companies:
                            companies = await self._fetch_companies(at, result.missing_companies)
                            result = await self._in_writer(writer.write_page, entity, page, c, advance,
                                                           lines_pending, companies)
                        queued += result.queued
                        done += len(page)
                        self._collect_young()
                        self._say(entity, done, total,
                                  f"Reading {label}: {done:,}" + (f" of {total:,}" if total else ""))
        finally:
            if rebuild:
                self._say(entity, done, total, "Indexing invoices…")
                await self._in_writer(writer.create_invoice_indexes)
        await self._in_writer(writer.finish_entity, entity, c, full, next_watermark, self._cursors["invoices"])
        return done, queued


def _no_collection() -> None:
    return None


@contextlib.contextmanager
def _garbage_collected_on_this_thread() -> Iterator[Callable[[], object]]:
    """While a sync's worker thread runs, the garbage collector runs only in the event loop's (GUI) thread.

    Python collects in whichever thread happens to allocate when a threshold is crossed, and the worker
    allocates far more than anything else: a collection there would destroy unreachable Qt objects off the GUI
    thread, which Qt forbids ("QObject::~QObject: Timers cannot be stopped from another thread", or a crash).
    So automatic collection is off for the run, the caller collects the young generations on the loop after
    each page (cheap: a page's objects are freed by reference counting already), and full collections resume
    after the sync. If the app had turned collection off itself, it stays off and nothing is collected here."""
    if not gc.isenabled():
        yield _no_collection
        return
    gc.disable()
    try:
        yield functools.partial(gc.collect, 1)
    finally:
        gc.enable()


# ---------------------------------------------------------------------- the page writer (worker thread)


class _Maps:
    """External (Autotask) id → our id, kept in memory for the run (a few MB at 100k invoices)."""

    def __init__(self) -> None:
        self.company: dict[int, int] = {}
        self.company_name: dict[int, str] = {}       # as stored (and copied onto invoices)
        self.contact: dict[int, int] = {}
        self.contract: dict[int, int] = {}
        self.ticket: dict[int, int] = {}
        self.invoice: dict[int, int] = {}
        self.new_invoice_ext: set[int] = set()


class _Values:
    """Python values → what SQLAlchemy's column types would hand the driver (the bulk path skips them):
    on SQLite dates are 'YYYY-MM-DD', UtcDateTime 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC and Numeric a REAL
    (sqlalchemy.dialects.sqlite DATE/DATETIME storage formats, Numeric → float); psycopg takes the objects."""

    def __init__(self, is_sqlite: bool) -> None:
        self.date: Callable[[dt.date | None], Any] = _sqlite_date if is_sqlite else _same
        self.ts: Callable[[dt.datetime | None], Any] = _sqlite_ts if is_sqlite else _utc
        self.dec: Callable[[Decimal], Any] = float if is_sqlite else _same


def _same(value: Any) -> Any:
    return value


def _sqlite_date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _sqlite_ts(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return value.astimezone(dt.UTC).isoformat(" ", "microseconds")[:26]


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return value.astimezone(dt.UTC)


class _Bulk:
    """An INSERT (upsert with `update_set`) compiled once from Core and run through the driver directly. Rows
    are tuples in `columns` order, which must be the table's column order (SQLAlchemy renders columns in that
    order; checked). The statement's own constants (literals of the ON CONFLICT clause) follow the rows'
    parameters.

    - SQLite: `INSERT … VALUES (…), (…), …`, up to `rows_per_statement` rows a statement: the driver then
      releases and re-takes the GIL once per statement instead of once per row (the event loop's thread
      wants the GIL too), and Python's sqlite3 spends less per row than with executemany.
    - PostgreSQL: the rows go by COPY into a session's temporary staging table (psycopg writes COPY rows in C),
      then one `INSERT … SELECT … FROM <stage>` takes them all (one statement per batch instead of one per row);
      the stage is emptied for the next batch.
    An upsert's batch keeps the last row of each external_id (PostgreSQL refuses to update a row twice in one
    statement; Autotask pages have no duplicates anyway)."""

    def __init__(self, dialect: Any, table: Table, columns: Sequence[str],
                 update_set: Sequence[str] | Callable[[Any], dict[str, Any]] | None = None, *,
                 rows_per_statement: int = SQLITE_ROWS_PER_STATEMENT) -> None:
        self._staged = dialect.name == "postgresql"
        names = [f"v_{c}" for c in columns]
        stmt: Any
        self.stage = f"payapp_sync_stage_{table.name}"
        self.create_stage = (f"CREATE TEMPORARY TABLE IF NOT EXISTS {self.stage} AS "
                             f"SELECT {', '.join(columns)} FROM {table.name} WITH NO DATA")
        self._copy = f"COPY {self.stage} ({', '.join(columns)}) FROM STDIN"
        self._empty_stage = f"TRUNCATE {self.stage}"     # not DELETE: dead rows of a temporary table stay
        if self._staged:
            from sqlalchemy.dialects import postgresql

            source = sql_table(self.stage, *(sql_column(c) for c in columns))
            stmt = postgresql.insert(table).from_select(list(columns), select(*(source.c[c] for c in columns)))
            names = []
        else:
            stmt = sqlite.insert(table).values({c: bindparam(n, type_=table.c[c].type)
                                                for n, c in zip(names, columns, strict=True)})
        if update_set is not None:
            set_ = update_set(stmt) if callable(update_set) else {c: stmt.excluded[c] for c in update_set}
            stmt = stmt.on_conflict_do_update(index_elements=["external_id"], set_=set_)
        self._keyed = update_set is not None and columns[0] == "external_id"
        compiled = stmt.compile(dialect=dialect)
        order = list(compiled.positiontup or ())
        if order[:len(names)] != names:
            raise AssertionError(f"unexpected parameter order: {order}")
        self.sql: str = compiled.string
        self.constants: tuple[Any, ...] = tuple(compiled.binds[n].effective_value for n in order[len(names):])
        # every statement stays within SQLite's limit of parameters
        self._per = max(1, min(rows_per_statement, (SQLITE_MAX_PARAMETERS - len(self.constants)) // len(columns)))
        self._multi: dict[int, str] = {1: self.sql}
        self._head = self._group = self._tail = ""
        if not self._staged:
            head, sep, tail = self.sql.partition(" VALUES ")
            group = _leading_group(tail)
            if not sep or group.count("?") != len(names):
                raise AssertionError(f"unexpected INSERT shape: {self.sql[:200]}")
            self._head, self._group, self._tail = head + sep, group, tail[len(group):]

    def _sql_for(self, n: int) -> str:
        sql = self._multi.get(n)
        if sql is None:
            sql = self._multi[n] = self._head + ", ".join([self._group] * n) + self._tail
        return sql

    def run(self, cursor: Any, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self._keyed and len({r[0] for r in rows}) != len(rows):
            rows = list({r[0]: r for r in rows}.values())
        consts = self.constants
        params: list[Any]
        if self._staged:
            with cursor.copy(self._copy) as copy:
                for r in rows:
                    copy.write_row(r)
            cursor.execute(self.sql, consts)
            cursor.execute(self._empty_stage)
            return
        per = self._per
        for k in range(0, len(rows), per):
            chunk = rows[k:k + per]
            params = [v for r in chunk for v in r]
            params.extend(consts)
            cursor.execute(self._sql_for(len(chunk)), params)


def _leading_group(text: str) -> str:
    """The parenthesised group `text` starts with ("(?, ?)" of "(?, ?) ON CONFLICT …")."""
    depth = 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0:
            return text[:i + 1] if i else ""
    return ""


_COMPANY_COLS = ("external_id", "name", "number", "phone", "address1", "city", "state", "postal_code", "country",
                 "is_active", "modified_at", "synced_at")
_COMPANY_UPDATE = ("name", "number", "phone", "address1", "city", "state", "postal_code", "is_active",
                   "modified_at", "synced_at")
_CONTACT_COLS = ("external_id", "company_id", "first_name", "last_name", "email", "phone", "is_active",
                 "modified_at", "is_primary")
_CONTACT_UPDATE = _CONTACT_COLS[1:]
_CONTRACT_COLS = ("external_id", "company_id", "name", "number", "status", "start_date", "end_date")
_CONTRACT_UPDATE = _CONTRACT_COLS[1:]
_TICKET_COLS = ("external_id", "company_id", "contact_id", "contract_id", "ticket_number", "title", "status",
                "created_at", "modified_at")
_TICKET_UPDATE = _TICKET_COLS[1:]
_INVOICE_COLS = ("external_id", "company_id", "company_name", "invoice_number", "invoice_date", "due_date",
                 "currency", "total_minor", "tax_minor", "paid_minor", "balance_minor", "status", "is_voided",
                 "voided_date", "paid_date", "payment_term", "comments", "sync_state", "psa_paid_marked",
                 "created_at", "updated_at")
_LINE_COLS = ("external_id", "invoice_id", "position", "description", "quantity", "unit_price_minor",
              "amount_minor", "contract_id", "ticket_id")
_LINE_UPDATE = _LINE_COLS[1:2] + _LINE_COLS[3:]
_JOB_COLS = ("kind", "payload", "invoice_id", "request_id", "status", "attempts", "next_attempt_at", "last_error",
             "dismissed_reason", "created_at", "updated_at")


def _invoice_secondary_indexes() -> list[Index]:
    return sorted((ix for ix in Invoice.__table__.indexes if not ix.unique), key=lambda ix: str(ix.name))


def _create_missing_invoice_indexes(conn: Connection) -> None:
    for ix in _invoice_secondary_indexes():
        ix.create(conn, checkfirst=True)


def _ensure_invoice_indexes(db: Database) -> None:
    engine = make_sync_engine(db.url)
    try:
        with engine.begin() as conn:
            _create_missing_invoice_indexes(conn)
    finally:
        engine.dispose()


class _PageWriter:
    """Everything of a sync run that touches the database after start-up, on one blocking connection, in
    the sync's worker thread. Not thread-safe: SyncService calls it one call at a time."""

    def __init__(self, db: Database, *, currency: str, clock: Callable[[], dt.datetime], holder: str,
                 lock_ttl: dt.timedelta, lock_renewed: float) -> None:
        self._db = db
        self._currency = currency
        self._digits = 2              # set by open(): the first look-up loads Babel's data (tens of ms)
        self._clock = clock
        self._holder = holder
        self._lock_ttl = lock_ttl
        self._lock_renewed = lock_renewed
        self.cancelled = threading.Event()
        self.maps = _Maps()
        self._v = _Values(db.is_sqlite)
        self._engine: Engine | None = None
        self._conn: Connection | None = None
        self._placeholder = "?" if db.is_sqlite else "%s"
        #: Invoices.paymentTerm value → label for this run (set by the service before the invoices phase)
        self.payment_terms: dict[str, str] = {}
        #: messages of the records skipped in this run (they are sync problems too)
        self.problems: list[str] = []

    # -- life cycle

    def open(self) -> None:
        # SQLite: BEGIN IMMEDIATE, so a page never fails half-way on a lock upgrade (payments wait their turn)
        # one connection for the whole run, closed by close()
        self._engine = make_sync_engine(self._db.url, immediate=True, poolclass=NullPool)
        self._conn = self._engine.connect()
        self._digits = minor_digits(self._currency)
        dialect = self._engine.dialect
        if not dialect.positional:      # psycopg: compile for its positional %s style instead of %(name)s
            # every concrete dialect is a DefaultDialect, whose __init__ takes paramstyle (Dialect's has none)
            dialect = type(dialect)(paramstyle="format")  # type: ignore[call-arg]
        self._companies = _Bulk(dialect, Company.__table__, _COMPANY_COLS, _COMPANY_UPDATE)
        self._contacts = _Bulk(dialect, Contact.__table__, _CONTACT_COLS, _CONTACT_UPDATE)
        self._contracts = _Bulk(dialect, Contract.__table__, _CONTRACT_COLS, _CONTRACT_UPDATE)
        self._tickets = _Bulk(dialect, Ticket.__table__, _TICKET_COLS, _TICKET_UPDATE)
        self._invoices = _Bulk(dialect, Invoice.__table__, _INVOICE_COLS, _invoice_update_set)
        self._lines = _Bulk(dialect, InvoiceLine.__table__, _LINE_COLS, _LINE_UPDATE)
        self._jobs = _Bulk(dialect, OutboxJob.__table__, _JOB_COLS)
        bulks = (self._companies, self._contacts, self._contracts, self._tickets, self._invoices, self._lines,
                 self._jobs)
        if self._db.is_sqlite:
            # A page commits with its cursor, so a commit lost in a power cut is only read again by the next
            # sync: this connection need not wait for the disk (payments keep synchronous=FULL).
            # (on the driver's connection: a pragma that changes safety must run outside a transaction)
            self.conn.connection.dbapi_connection.execute("PRAGMA synchronous=NORMAL")  # type: ignore[union-attr]
        else:                           # PostgreSQL's staging tables live as long as this connection (the run)
            with self.conn.begin():
                for b in bulks:
                    self.conn.exec_driver_sql(b.create_stage)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
        if self._engine is not None:
            self._engine.dispose()
        self._conn = self._engine = None

    @property
    def conn(self) -> Connection:
        assert self._conn is not None, "open() first"
        return self._conn

    def _check_cancelled(self) -> None:
        if self.cancelled.is_set():
            raise _Cancelled()

    # -- indexes

    def ensure_invoice_indexes(self) -> None:
        with self.conn.begin():
            _create_missing_invoice_indexes(self.conn)

    def drop_invoice_indexes_if_empty(self) -> bool:
        """Before a first full sync of invoices: no secondary indexes to maintain row by row (see the module
        docstring). Only into an empty table, where nobody can be searching yet."""
        with self.conn.begin():
            if self.conn.execute(select(Invoice.id).limit(1)).first() is not None:
                return False
            for ix in _invoice_secondary_indexes():
                ix.drop(self.conn, checkfirst=True)
        return True

    def create_invoice_indexes(self) -> None:
        """After the invoices phase, also when it failed or was cancelled (never refuses on `cancelled`)."""
        with self.conn.begin():
            _create_missing_invoice_indexes(self.conn)
        if self._db.is_sqlite:      # fresh statistics for the query planner, as after a bulk load
            with self.conn.begin():
                self.conn.exec_driver_sql("ANALYZE invoices")

    # -- maps

    def load_maps(self) -> None:
        m = self.maps
        with self.conn.begin():
            for ext, ident, name in self.conn.execute(select(Company.external_id, Company.id, Company.name)
                                                      .where(Company.external_id.is_not(None))):
                assert ext is not None      # the WHERE; mypy types the column int | None
                m.company[int(ext)] = int(ident)
                m.company_name[int(ext)] = name
            for model, target in ((Contact, m.contact), (Contract, m.contract), (Ticket, m.ticket),
                                  (Invoice, m.invoice)):
                res = self.conn.execute(select(model.external_id, model.id).where(model.external_id.is_not(None)))
                target.update((int(a), int(b)) for a, b in res if a is not None)     # always (the WHERE)

    # -- pages

    def write_page(self, entity: str, raw: list[Json], cursor: _Cursor, advance_last_id: bool,
                   lines_pending: bool, companies: list[Json] | None) -> _PageResult:
        """Map and upsert one page (and the companies fetched for it) with the entity's cursor, in one
        transaction. With `companies` None, a page that refers to unknown companies writes nothing and
        returns their ids, for the caller to fetch from Autotask."""
        self._check_cancelled()
        mapper = MAPPERS[AT_NAMES[entity]]
        bad: list[AutotaskRecordError] = []
        try:
            records = [mapper(item) for item in raw]
        except AutotaskRecordError:       # a bad record is skipped, not the page
            records = _readable(mapper, raw, bad)
        company_records: list[AtCompany] = []
        if companies:
            try:
                company_records = [map_company(item) for item in companies]
            except AutotaskRecordError:
                company_records = _readable(map_company, companies, bad)
        if companies is None and entity in HAS_COMPANY:
            missing = {r.company_id for r in records} - self.maps.company.keys()
            if missing:
                return _PageResult(missing_companies=frozenset(missing))
        queued = 0
        with self.conn.begin():
            cur = self.conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            if not self._db.is_sqlite:
                # A page commits with its cursor: should the server lose the last few commits in a crash, the
                # cursor goes back with the rows and the next sync reads them again. So the page need not
                # wait for the WAL flush (this transaction only; payments keep synchronous commits).
                cur.execute("SET LOCAL synchronous_commit TO OFF")
            if company_records:
                self._upsert_companies(cur, company_records)
            if bad:
                self._skipped(bad)
            if cursor.extra.get("skipped") and records:
                self._read_again(entity, cursor, {r.id for r in records})
            if not records:
                pass
            elif entity == "companies":
                self._upsert_companies(cur, records)
            elif entity == "contacts":
                self._upsert_contacts(cur, records)
            elif entity == "contracts":
                self._upsert_contracts(cur, records)
            elif entity == "tickets":
                self._upsert_tickets(cur, records)
            elif entity == "invoices":
                queued = self._upsert_invoices(cur, records)
            else:
                self._upsert_lines(cur, records)
            if advance_last_id and records:
                cursor.last_id = max(cursor.last_id, max(r.id for r in records))
            if bad:
                _add_skipped(cursor, [b for b in bad if b.entity == AT_NAMES[entity]])
            if lines_pending and self.maps.new_invoice_ext:
                cursor.extra["lines_pending"] = sorted(self.maps.new_invoice_ext)
            self._save_cursor(cursor)
            self._renew_lock()
            self._check_cancelled()        # cancelled meanwhile: roll this page back
        return _PageResult(queued=queued)

    def label_payment_terms(self) -> None:
        """Invoices whose payment term is a bare picklist value get its label (see payment_terms)."""
        t = Invoice.__table__
        with self.conn.begin():
            for value, label in self.payment_terms.items():
                if value != label:
                    self.conn.execute(update(t).where(t.c.payment_term == value).values(payment_term=label[:100]))
            self._check_cancelled()

    def _skipped(self, bad: Sequence[AutotaskRecordError]) -> None:
        """Inside a page transaction: each skipped record becomes a sync problem (one open problem per record)."""
        for exc in bad:
            log.warning("Autotask %s record %s skipped: %s", exc.entity, exc.record_id or "(no id)", exc.detail
                        or exc.user_message)
            payload = _skipped_payload(exc.entity, exc.record_id)
            t = OutboxJob.__table__
            open_already = self.conn.execute(select(t.c.id, t.c.status).where(
                t.c.kind == JobKind.SKIPPED_RECORD, t.c.payload == payload,
                t.c.status.in_(("needs_attention", "pending", "dismissed"))).limit(1)).first()
            if open_already is not None and open_already[1] == "dismissed":
                continue            # a person dismissed this record's problem: not brought up again
            self.problems.append(exc.user_message)
            now = self._clock()
            if open_already is None:
                self.conn.execute(t.insert().values(kind=JobKind.SKIPPED_RECORD, payload=payload,
                                                    status=JobStatus.NEEDS_ATTENTION, attempts=1, next_attempt_at=now,
                                                    last_error=exc.user_message, created_at=now, updated_at=now))
            else:
                self.conn.execute(update(t).where(t.c.id == open_already[0])
                                  .values(last_error=exc.user_message, updated_at=now))

    def _read_again(self, entity: str, cursor: _Cursor, read: set[int]) -> None:
        """Inside a page transaction: skipped records of `cursor` that read now are no longer problems."""
        skipped = _skipped_ids(cursor)
        fixed = sorted(skipped & read)
        if not fixed:
            return
        cursor.extra["skipped"] = sorted(skipped - read)
        if not cursor.extra["skipped"]:
            del cursor.extra["skipped"]
        t = OutboxJob.__table__
        self.conn.execute(update(t).where(
            t.c.kind == JobKind.SKIPPED_RECORD, t.c.status.in_((JobStatus.NEEDS_ATTENTION, JobStatus.PENDING)),
            t.c.payload.in_([_skipped_payload(AT_NAMES[entity], str(i)) for i in fixed]))
            .values(status="done", updated_at=self._clock()))

    def finish_entity(self, entity: str, c: _Cursor, full: bool, next_watermark: str,
                      invoices_cursor: _Cursor) -> None:
        with self.conn.begin():
            if full:
                c.full_done = True
                # records changed while the full sync ran are re-read by the next incremental run
            else:
                c.watermark = next_watermark
            self._save_cursor(c)
            if entity == "billing_items" and invoices_cursor.extra.pop("lines_pending", None):
                self._save_cursor(invoices_cursor)
            self._check_cancelled()

    def _save_cursor(self, c: _Cursor) -> None:
        stmt = _insert(self._db, SyncCursor).values(system=SYSTEM, entity=c.entity, cursor=c.dump(),
                                                     full_sync_done=c.full_done, updated_at=self._clock())
        stmt = stmt.on_conflict_do_update(
            index_elements=["system", "entity"],
            set_={"cursor": stmt.excluded.cursor, "full_sync_done": stmt.excluded.full_sync_done,
                  "updated_at": stmt.excluded.updated_at})
        self.conn.execute(stmt)

    def _renew_lock(self) -> None:
        """Inside a page transaction: push the lock's expiry on (SQLite row lock only)."""
        if not self._db.is_sqlite or time.monotonic() - self._lock_renewed < self._lock_ttl.total_seconds() / 3:
            return
        res = self.conn.execute(update(SyncLock).where(SyncLock.name == LOCK_NAME, SyncLock.holder == self._holder)
                                .values(expires_at=self._clock() + self._lock_ttl))
        if res.rowcount != 1:
            raise SyncBusy("Another workstation took over the sync lock; this sync stopped.")
        self._lock_renewed = time.monotonic()

    def _ids(self, cur: Any, table: str, ext_ids: Sequence[int]) -> dict[int, int]:
        """external_id → id of the rows just upserted (Autotask pages are id ranges: one index range scan)."""
        lo, hi = min(ext_ids), max(ext_ids)
        p = self._placeholder
        if hi - lo <= 4 * len(ext_ids):
            cur.execute(f"SELECT external_id, id FROM {table} WHERE external_id BETWEEN {p} AND {p}", (lo, hi))
            return dict(cur.fetchall())
        out: dict[int, int] = {}
        for k in range(0, len(ext_ids), 500):
            chunk = list(ext_ids[k:k + 500])
            cur.execute(f"SELECT external_id, id FROM {table} WHERE external_id IN ({', '.join([p] * len(chunk))})",
                        chunk)
            out.update(cur.fetchall())
        return out

    # -- per entity

    def _upsert_companies(self, cur: Any, page: Sequence[AtCompany]) -> None:
        if not page:
            return
        now = self._v.ts(utcnow())
        ts = self._v.ts
        rows = [(r.id, r.name[:200] or f"Company {r.id}", r.number[:50], r.phone[:50], r.address1[:200],
                 r.city[:100], r.state[:50], r.postal_code[:20], "US", r.is_active, ts(r.modified_at), now)
                for r in page]
        self._companies.run(cur, rows)
        ids = self._ids(cur, "companies", [r.id for r in page])
        m = self.maps
        renamed = [ids[row[0]] for row in rows if row[0] in m.company and m.company_name.get(row[0]) != row[1]]
        m.company.update(ids)
        for row in rows:
            m.company_name[row[0]] = row[1]
        if renamed:      # the invoices' denormalised copy of the name follows
            t = Invoice.__table__
            name = select(Company.name).where(Company.id == t.c.company_id).scalar_subquery()
            self.conn.execute(update(t).where(t.c.company_id.in_(renamed), t.c.company_name != name)
                              .values(company_name=name))

    def _upsert_contacts(self, cur: Any, page: Sequence[AtContact]) -> None:
        company, ts = self.maps.company, self._v.ts
        rows = [(r.id, company[r.company_id], r.first_name[:100], r.last_name[:100], r.email[:200], r.phone[:50],
                 r.is_active, ts(r.modified_at), r.is_primary) for r in page if r.company_id in company]
        if rows:
            self._contacts.run(cur, rows)
            self.maps.contact.update(self._ids(cur, "contacts", [row[0] for row in rows]))

    def _upsert_contracts(self, cur: Any, page: Sequence[AtContract]) -> None:
        company, d = self.maps.company, self._v.date
        rows = [(r.id, company[r.company_id], r.name[:200], r.number[:50], r.status[:30], d(r.start_date),
                 d(r.end_date)) for r in page if r.company_id in company]
        if rows:
            self._contracts.run(cur, rows)
            self.maps.contract.update(self._ids(cur, "contracts", [row[0] for row in rows]))

    def _upsert_tickets(self, cur: Any, page: Sequence[AtTicket]) -> None:
        m, ts = self.maps, self._v.ts
        rows = [(r.id, m.company[r.company_id], m.contact.get(r.contact_id) if r.contact_id else None,
                 m.contract.get(r.contract_id) if r.contract_id else None, r.ticket_number[:50], r.title[:300],
                 r.status[:30], ts(r.created_at), ts(r.modified_at)) for r in page if r.company_id in m.company]
        if rows:
            self._tickets.run(cur, rows)
            m.ticket.update(self._ids(cur, "tickets", [row[0] for row in rows]))

    def _upsert_invoices(self, cur: Any, page: Sequence[AtInvoice]) -> int:
        m, d = self.maps, self._v.date
        currency, digits = self._currency, self._digits
        terms = self.payment_terms
        now = self._v.ts(utcnow())
        rows: list[tuple[Any, ...]] = []
        new: list[AtInvoice] = []
        for r in page:
            company_id = m.company.get(r.company_id)
            if company_id is None:
                continue
            total = _minor(r.total, digits, currency)
            paid = total if r.paid_date is not None else 0
            is_new = r.id not in m.invoice
            if is_new:
                new.append(r)
            rows.append((r.id, company_id, m.company_name.get(r.company_id, "")[:200], r.invoice_number[:50],
                         d(r.invoice_date), d(r.due_date), currency, total, _minor(r.tax, digits, currency), paid,
                         0 if r.is_voided else total - paid,        # a voided invoice owes nothing
                         _status_py(total, paid, r.is_voided), r.is_voided, d(r.voided_date),
                         d(r.paid_date), terms.get(r.payment_term, r.payment_term)[:100], r.comments,
                         # a voided invoice is never pushed to accounting: nothing pending for it
                         "synced" if is_new and r.is_voided else "pending", False, now, now))
        if not rows:
            return 0
        self._invoices.run(cur, rows)
        ids = self._ids(cur, "invoices", [row[0] for row in rows])
        m.invoice.update(ids)
        m.new_invoice_ext.update(r.id for r in new)
        at = self._v.ts(self._clock())
        jobs = [(JobKind.PUSH_INVOICE.value, f'{{"invoice_id": {ids[r.id]}}}', ids[r.id], "", JobStatus.PENDING.value,
                 0, at, "", "", at, at) for r in new if not r.is_voided]
        self._jobs.run(cur, jobs)
        return len(jobs)

    def _upsert_lines(self, cur: Any, page: Sequence[AtBillingItem]) -> None:
        m, dec = self.maps, self._v.dec
        currency, digits = self._currency, self._digits
        rows = [(r.id, m.invoice[r.invoice_id], 0, r.description[:500], dec(r.quantity),
                 _minor(r.rate, digits, currency), _minor(r.amount, digits, currency),
                 m.contract.get(r.contract_id) if r.contract_id else None,
                 m.ticket.get(r.ticket_id) if r.ticket_id else None)
                for r in page if r.invoice_id in m.invoice]
        self._lines.run(cur, rows)


# ---------------------------------------------------------------------- row helpers and SQL


def _readable(mapper: Callable[[Json], T], raw: Sequence[Json], bad: list[AutotaskRecordError]) -> list[T]:
    """The records of `raw` that map; the errors of the others go to `bad`."""
    out: list[T] = []
    for item in raw:
        try:
            out.append(mapper(item))
        except AutotaskRecordError as exc:
            bad.append(exc)
    return out


def _skipped_payload(entity: str, record_id: str) -> str:
    return json.dumps({"entity": entity, "record_id": record_id}, sort_keys=True)


def _skipped_ids(c: _Cursor) -> set[int]:
    raw = c.extra.get("skipped")
    return {i for i in raw if type(i) is int} if isinstance(raw, list) else set()


def _add_skipped(c: _Cursor, bad: Sequence[AutotaskRecordError]) -> None:
    """Remember skipped records that have a whole-number id, so later syncs read them again."""
    ids = _skipped_ids(c)
    for exc in bad:
        with contextlib.suppress(ValueError):
            ident = int(exc.record_id)
            if 0 < ident < 2 ** 63:
                ids.add(ident)
    if ids:
        c.extra["skipped"] = sorted(ids)[-10_000:]


def _insert(db: Database, model: Any) -> Any:
    if db.is_sqlite:
        return sqlite.insert(model.__table__)
    from sqlalchemy.dialects import postgresql

    return postgresql.insert(model.__table__)


def _minor(value: Decimal, digits: int, currency: str) -> int:
    """Wire amount → minor units: exact amounts directly (nearly all of them), others through
    domain.money.decimal_to_minor (round half up)."""
    scaled = value.scaleb(digits)
    whole = int(scaled)
    if whole == scaled:
        return whole
    return decimal_to_minor(value, currency)


def _status_py(total: int, paid: int, voided: bool) -> str:
    return str(invoice_status(total, paid, voided))


def _status_sql(total: ColumnElement[Any], paid: ColumnElement[Any], voided: ColumnElement[Any]) -> Any:
    """`domain.payment_state.invoice_status` in SQL (so the upsert reads the row's current paid amount)."""
    return case(
        (voided, literal("voided")),
        (paid <= 0, case((total > 0, literal("open")), else_=literal("paid"))),
        (paid >= total, literal("paid")),
        else_=literal("partially_paid"))


def _invoice_update_set(stmt: Any) -> dict[str, Any]:
    x = stmt.excluded
    t = Invoice.__table__.c
    # "this invoice has a payment": the subquery names the row being updated as plain `invoices.id` (an INSERT
    # has no FROM to correlate with, so a column object would put `invoices` in the subquery's own FROM and
    # turn it into "any invoice has a payment")
    has_payments = exists().where(Payment.invoice_id == literal_column(f"{Invoice.__tablename__}.id"))
    paid = case(
        (and_(x.paid_date.is_not(None), t.paid_minor == 0), x.total_minor),
        (and_(x.paid_date.is_(None), t.paid_date.is_not(None), ~has_payments), literal(0)),
        else_=t.paid_minor)
    out = {c: getattr(x, c) for c in ("company_id", "company_name", "invoice_number", "invoice_date", "due_date",
                                      "total_minor", "tax_minor", "is_voided", "voided_date",
                                      "payment_term", "comments")}
    # PayApp's own paid date (set when its payments paid the invoice) stays until Autotask has one
    out["paid_date"] = case((and_(x.paid_date.is_(None), has_payments), t.paid_date), else_=x.paid_date)
    # a voided invoice owes nothing (as everywhere else in PayApp): its balance is 0, not its total
    out.update(paid_minor=paid, balance_minor=case((x.is_voided, literal(0)), else_=x.total_minor - paid),
               status=_status_sql(x.total_minor, paid, x.is_voided), updated_at=x.updated_at)
    return out


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

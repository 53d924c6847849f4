"""The page writer: everything of a sync run that touches the database after start-up, in one worker thread
on one blocking connection, so the event loop (the GUI thread) never waits on mapping, row building or SQL.

Each page (≤ 500 records) is one transaction: its upsert (upserts.py) plus the entity's cursor, so a sync
killed anywhere resumes after the last committed page, without duplicates or gaps. A record that cannot be
read (missing id, bad date, bad amount ...) is skipped, not the page: it becomes a sync problem
(`psa.skipped_record`, needs attention, naming the record's id), its id is kept in the entity's cursor and
read again by every later sync until it reads; then its problem closes by itself.

A first full sync into an empty invoices table drops the invoices' secondary indexes and builds them again
afterwards (also after a failure or Cancel; every run starts by re-creating any that are missing, in case the
process died in between): eleven B-trees updated row by row cost several times more than building them once.

The event loop's side is `page_writer_thread`: it runs the writer's calls one at a time in the thread, and on
Cancel tells the writer (the page being written rolls back) and waits for it."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import datetime as dt
import functools
import gc
import logging
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Index, select, update
from sqlalchemy.pool import NullPool

from payapp.connectors.psa.autotask import MAPPERS, AtCompany, AutotaskRecordError, Json, map_company
from payapp.domain.messages import Message
from payapp.domain.money import minor_digits
from payapp.domain.outbox_jobs import JobKind, JobStatus, said, stored_error
from payapp.models import Invoice, OutboxJob, SyncCursor
from payapp.models.db import Database, make_sync_engine
from payapp.services.sync.bulk import dialect_insert
from payapp.services.sync.cursors import (
    AT_NAMES,
    HAS_COMPANY,
    SYSTEM,
    Cursor,
    add_skipped,
    skipped_ids,
    skipped_payload,
)
from payapp.services.sync.locking import WorkstationLock
from payapp.services.sync.upserts import IdMaps, PageUpserts

log = logging.getLogger(__name__)

T = TypeVar("T")


class _Cancelled(Exception):
    """Raised in the worker thread when the sync task was cancelled: the page's transaction rolls back."""


@dataclass(frozen=True)
class PageResult:
    queued: int = 0
    #: Autotask company ids the page refers to that are not in our table yet (nothing was written)
    missing_companies: frozenset[int] = frozenset()


def _invoice_secondary_indexes() -> list[Index]:
    return sorted((ix for ix in Invoice.__table__.indexes if not ix.unique), key=lambda ix: str(ix.name))


def _create_missing_invoice_indexes(conn: Connection) -> None:
    for ix in _invoice_secondary_indexes():
        ix.create(conn, checkfirst=True)


def ensure_invoice_indexes(db: Database) -> None:
    """Blocking: re-create the invoice indexes a full sync dropped, if any are missing."""
    engine = make_sync_engine(db.url)
    try:
        with engine.begin() as conn:
            _create_missing_invoice_indexes(conn)
    finally:
        engine.dispose()


class PageWriter:
    """Everything of a sync run that touches the database after start-up, on one blocking connection, in
    the sync's worker thread. Not thread-safe: SyncService calls it one call at a time."""

    def __init__(self, db: Database, *, currency: str, clock: Callable[[], dt.datetime],
                 lock: WorkstationLock) -> None:
        self._db = db
        self._currency = currency
        self._digits = 2              # set by open(): the first look-up loads Babel's data (tens of ms)
        self._clock = clock
        self._lock = lock
        self.cancelled = threading.Event()
        self.maps = IdMaps()
        self._engine: Engine | None = None
        self._conn: Connection | None = None
        #: Invoices.paymentTerm value → label for this run (set by the service before the invoices phase)
        self.payment_terms: dict[str, str] = {}
        #: messages of the records skipped in this run (they are sync problems too)
        self.problems: list[Message | str] = []

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
        self._upserts = PageUpserts(self.conn, dialect, self.maps, is_sqlite=self._db.is_sqlite,
                                    currency=self._currency, digits=self._digits, clock=self._clock)
        if self._db.is_sqlite:
            # A page commits with its cursor, so a commit lost in a power cut is only read again by the next
            # sync: this connection need not wait for the disk (payments keep synchronous=FULL).
            # (on the driver's connection: a pragma that changes safety must run outside a transaction)
            self.conn.connection.dbapi_connection.execute("PRAGMA synchronous=NORMAL")  # type: ignore[union-attr]
        else:                           # PostgreSQL's staging tables live as long as this connection (the run)
            with self.conn.begin():
                for b in self._upserts.bulks:
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
        self.maps.load(self.conn)

    # -- pages

    def write_page(self, entity: str, raw: list[Json], cursor: Cursor, advance_last_id: bool,
                   lines_pending: bool, companies: list[Json] | None) -> PageResult:
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
                return PageResult(missing_companies=frozenset(missing))
        queued = 0
        with self.conn.begin():
            cur = self.conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            if not self._db.is_sqlite:
                # A page commits with its cursor: should the server lose the last few commits in a crash, the
                # cursor goes back with the rows and the next sync reads them again. So the page need not
                # wait for the WAL flush (this transaction only; payments keep synchronous commits).
                cur.execute("SET LOCAL synchronous_commit TO OFF")
            if company_records:
                self._upserts.companies(cur, company_records)
            if bad:
                self._skipped(bad)
            if cursor.extra.get("skipped") and records:
                self._read_again(entity, cursor, {r.id for r in records})
            if not records:
                pass
            elif entity == "companies":
                self._upserts.companies(cur, records)
            elif entity == "contacts":
                self._upserts.contacts(cur, records)
            elif entity == "contracts":
                self._upserts.contracts(cur, records)
            elif entity == "tickets":
                self._upserts.tickets(cur, records)
            elif entity == "invoices":
                queued = self._upserts.invoices(cur, records, self.payment_terms)
            else:
                self._upserts.lines(cur, records)
            if advance_last_id and records:
                cursor.last_id = max(cursor.last_id, max(r.id for r in records))
            if bad:
                add_skipped(cursor, [b for b in bad if b.entity == AT_NAMES[entity]])
            if lines_pending and self.maps.new_invoice_ext:
                cursor.extra["lines_pending"] = sorted(self.maps.new_invoice_ext)
            self._save_cursor(cursor)
            self._lock.renew(self.conn)
            self._check_cancelled()        # cancelled meanwhile: roll this page back
        return PageResult(queued=queued)

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
            payload = skipped_payload(exc.entity, exc.record_id)
            t = OutboxJob.__table__
            open_already = self.conn.execute(select(t.c.id, t.c.status).where(
                t.c.kind == JobKind.SKIPPED_RECORD, t.c.payload == payload,
                t.c.status.in_(("needs_attention", "pending", "dismissed"))).limit(1)).first()
            if open_already is not None and open_already[1] == "dismissed":
                continue            # a person dismissed this record's problem: not brought up again
            problem = said(exc)
            self.problems.append(problem)
            stored = stored_error(problem)          # kept as data: read back in the reader's language
            now = self._clock()
            if open_already is None:
                self.conn.execute(t.insert().values(kind=JobKind.SKIPPED_RECORD, payload=payload,
                                                    status=JobStatus.NEEDS_ATTENTION, attempts=1, next_attempt_at=now,
                                                    last_error=stored, created_at=now, updated_at=now))
            else:
                self.conn.execute(update(t).where(t.c.id == open_already[0])
                                  .values(last_error=stored, updated_at=now))

    def _read_again(self, entity: str, cursor: Cursor, read: set[int]) -> None:
        """Inside a page transaction: skipped records of `cursor` that read now are no longer problems."""
        skipped = skipped_ids(cursor)
        fixed = sorted(skipped & read)
        if not fixed:
            return
        cursor.extra["skipped"] = sorted(skipped - read)
        if not cursor.extra["skipped"]:
            del cursor.extra["skipped"]
        t = OutboxJob.__table__
        self.conn.execute(update(t).where(
            t.c.kind == JobKind.SKIPPED_RECORD, t.c.status.in_((JobStatus.NEEDS_ATTENTION, JobStatus.PENDING)),
            t.c.payload.in_([skipped_payload(AT_NAMES[entity], str(i)) for i in fixed]))
            .values(status="done", updated_at=self._clock()))

    def finish_entity(self, entity: str, c: Cursor, full: bool, next_watermark: str,
                      invoices_cursor: Cursor) -> None:
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

    def _save_cursor(self, c: Cursor) -> None:
        stmt = dialect_insert(SyncCursor.__table__, postgresql=not self._db.is_sqlite).values(
            system=SYSTEM, entity=c.entity, cursor=c.dump(), full_sync_done=c.full_done, updated_at=self._clock())
        stmt = stmt.on_conflict_do_update(
            index_elements=["system", "entity"],
            set_={"cursor": stmt.excluded.cursor, "full_sync_done": stmt.excluded.full_sync_done,
                  "updated_at": stmt.excluded.updated_at})
        self.conn.execute(stmt)


def _readable(mapper: Callable[[Json], T], raw: Sequence[Json], bad: list[AutotaskRecordError]) -> list[T]:
    """The records of `raw` that map; the errors of the others go to `bad`."""
    out: list[T] = []
    for item in raw:
        try:
            out.append(mapper(item))
        except AutotaskRecordError as exc:
            bad.append(exc)
    return out


class WriterThread:
    """The event loop's handle on a PageWriter in its worker thread (see page_writer_thread)."""

    def __init__(self, writer: PageWriter, executor: concurrent.futures.ThreadPoolExecutor) -> None:
        self.writer = writer
        self._executor = executor

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` in the sync's database thread. If the sync is cancelled meanwhile, the thread is told
        (a page being written then rolls back instead of committing) and waited for, so no database work of
        this run goes on after run() has returned."""
        future = asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            self.writer.cancelled.set()
            with contextlib.suppress(BaseException):
                await asyncio.wait({future})
            if future.done() and not future.cancelled():
                future.exception()      # the thread's _Cancelled is the expected end: taken, not logged as lost
            raise


@contextlib.asynccontextmanager
async def page_writer_thread(writer: PageWriter) -> AsyncIterator[WriterThread]:
    """`writer` opened in a thread of its own for the block, and closed after it."""
    # one thread: the blocking connection is used by the thread that opened it, and calls never overlap
    executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="payapp-sync-db")
    thread = WriterThread(writer, executor)
    try:
        await thread.call(writer.open)
        yield thread
    finally:
        try:
            await thread.call(writer.close)
        finally:
            executor.shutdown(wait=False)


def no_collection() -> None:
    return None


@contextlib.contextmanager
def garbage_collected_on_this_thread() -> Iterator[Callable[[], object]]:
    """While a sync's worker thread runs, the garbage collector runs only in the event loop's (GUI) thread.

    Python collects in whichever thread happens to allocate when a threshold is crossed, and the worker
    allocates far more than anything else: a collection there would destroy unreachable Qt objects off the GUI
    thread, which Qt forbids ("QObject::~QObject: Timers cannot be stopped from another thread", or a crash).
    So automatic collection is off for the run, the caller collects the young generations on the loop after
    each page (cheap: a page's objects are freed by reference counting already), and full collections resume
    after the sync. If the app had turned collection off itself, it stays off and nothing is collected here."""
    if not gc.isenabled():
        yield no_collection
        return
    gc.disable()
    try:
        yield functools.partial(gc.collect, 1)
    finally:
        gc.enable()


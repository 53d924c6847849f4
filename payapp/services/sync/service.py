"""The sync from Autotask into PayApp's tables: a resumable first full sync, then incremental syncs.
`await SyncService(...).run(on_progress)` runs one; the package's other modules each do one part of it:

- cursors.py: the entities in foreign-key order (companies → contacts → contracts → tickets → invoices →
  billing items) and where each one's sync stands;
- locking.py: only one workstation syncs at a time;
- writer.py: the worker thread that maps each page and writes it, with its cursor, in one transaction;
- upserts.py: what a page becomes in our tables (ids, paid amounts, the accounting push of new invoices);
- bulk.py: the bulk upsert SQL per dialect.

This module orchestrates: it talks to Autotask (on the event loop, asking for the next page while the writer
writes the current one), hands the pages to the writer, and reports progress to a plain callback; Cancel =
cancel the task (the current page's transaction rolls back).

- Cursor JSON per entity: `{"last_id": N, "watermark": "<iso>"}`. The full sync walks `id gt last_id`
  (Autotask answers in id order). The watermark is taken when a phase *starts* (minus an overlap) so
  records changed while we read are picked up next time. Incremental: companies by
  lastTrackedModifiedDateTime, contacts by lastModifiedDate, contracts by lastModifiedDateTime, tickets by
  lastTrackedModificationDateTime, invoices by `id gt last_id` (new) plus
  `paidDate`/`voidedDate` newer than the watermark minus 31 days (Autotask has no invoice modified time;
  a paid date set weeks in the past is caught within that window), billing items of new invoices.
- Invoices' paymentTerm is an integer picklist: its label (read once per run from the Invoices' field
  information) is what PayApp keeps and shows; a value the picklist does not know is kept as sent.
- Records that could not be read before are asked for again by id in every incremental sync.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select

from payapp.connectors.psa.autotask import (
    AutotaskConnector,
    AutotaskError,
    Filter,
    Json,
    ThresholdInfo,
    f,
    group,
)
from payapp.domain.errors import PayAppError
from payapp.domain.messages import Message, msg
from payapp.domain.roles import Permission
from payapp.models import SyncCursor, SyncLock
from payapp.models.base import utcnow
from payapp.models.db import Database
from payapp.services.auth import CurrentUser
from payapp.services.sync.cursors import AT_NAMES, ENTITIES, MODIFIED_FIELD, SYSTEM, Cursor, skipped_ids
from payapp.services.sync.locking import LOCK_NAME, LOCK_TTL, SyncBusy, WorkstationLock
from payapp.services.sync.writer import (
    PageWriter,
    WriterThread,
    ensure_invoice_indexes,
    garbage_collected_on_this_thread,
    no_collection,
    page_writer_thread,
)

log = logging.getLogger(__name__)

OVERLAP = dt.timedelta(minutes=10)
INVOICE_DATE_OVERLAP = dt.timedelta(days=31)


@dataclass(frozen=True)
class SyncProgress:
    entity: str
    done: int
    total: int | None
    message: Message
    #: Autotask's hourly API use is past 50%/75% and the sync slows down (docs/protocols.md §3): shown until the
    #: next sync, not only while this message is current
    warning: Message | None = None


@dataclass(frozen=True)
class SyncReport:
    full: bool
    counts: dict[str, int]
    invoice_pushes_queued: int
    started_at: dt.datetime
    finished_at: dt.datetime
    #: seconds the sync was not blocked waiting for Autotask (mapping + database): PayApp's own processing
    processing_seconds: float = 0.0
    #: the last Autotask threshold warning of the run (None when API use stayed under 50%)
    warning: Message | None = None
    #: records the run could not read and skipped (each also a sync problem), one message each with the id (a
    #: connector's text not converted to a message yet: as it is)
    problems: tuple[Message | str, ...] = ()

    @property
    def records(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class SyncStatus:
    last_sync_at: dt.datetime | None
    full_sync_done: bool
    running_elsewhere: str        # holder name, "" when nobody holds the lock


class SyncError(PayAppError):
    pass


ProgressCallback = Callable[[SyncProgress], None]

#: how the service gets its connectors: built by the composition root, asked for once per run
AutotaskFactory = Callable[[], Awaitable[AutotaskConnector]]
QuickBooksFactory = Callable[[], Awaitable[Any]]


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
        self._lock = WorkstationLock(db, holder, lock_ttl, clock)
        self._clock = clock
        self._running: asyncio.Lock = asyncio.Lock()
        self._progress: ProgressCallback | None = None
        self._warning: Message | None = None    # the current Autotask threshold warning, repeated with every report
        self._wait = 0.0        # seconds blocked waiting for Autotask in the current run
        self._currency = "USD"
        self._cursors: dict[str, Cursor] = {}
        self._collect_young: Callable[[], object] = no_collection

    # ------------------------------------------------------------------ public

    async def status(self) -> SyncStatus:
        async with self._db.sessions() as s:
            cursors = (await s.scalars(select(SyncCursor).where(SyncCursor.system == SYSTEM))).all()
            lock = await s.get(SyncLock, LOCK_NAME)
        done = {c.entity for c in cursors if c.full_sync_done}
        last = max((c.updated_at for c in cursors), default=None)
        return SyncStatus(last, all(e in done for e in ENTITIES), self._lock.held_elsewhere(lock))

    async def reset(self) -> None:
        """Forget the cursors: the next run is a full sync again (rows are kept and upserted)."""
        self._current.require(Permission.ADMINISTER)
        async with self._db.transaction() as s:
            await s.execute(delete(SyncCursor).where(SyncCursor.system == SYSTEM))

    async def ensure_indexes(self) -> None:
        """Re-create invoice indexes a full sync dropped, if the process died before it built them again.
        Every run does this first; start-up may call it too (cheap when nothing is missing)."""
        await asyncio.to_thread(ensure_invoice_indexes, self._db)

    async def run(self, on_progress: ProgressCallback | None = None) -> SyncReport:
        """Full sync the first time (resuming where a previous one stopped), incremental afterwards."""
        self._current.require(Permission.RUN_SYNC)
        if self._running.locked():
            raise SyncBusy(msg("sync.already_running"))
        async with self._running:
            self._progress = on_progress
            self._warning = None
            self._wait = 0.0
            t0 = time.perf_counter()
            started = self._clock()
            try:
                self._currency = str(await self._settings.get("currency") or "USD") or "USD"
            except Exception:
                self._currency = "USD"
            async with self._lock.held():
                self._say("", 0, None, msg("sync.connecting"))
                w0 = time.perf_counter()
                at = await self._autotask_factory()
                at.on_threshold = self._on_threshold
                self._wait += time.perf_counter() - w0
                cursors = self._cursors = await self._load_cursors()
                full = not all(c.full_done for c in cursors.values())
                counts: dict[str, int] = {}
                queued = 0
                problems: list[Message | str] = []
                writer = PageWriter(self._db, currency=self._currency, clock=self._clock, lock=self._lock)
                with garbage_collected_on_this_thread() as self._collect_young:
                    async with page_writer_thread(writer) as thread:
                        await thread.call(writer.ensure_invoice_indexes)
                        await thread.call(writer.load_maps)
                        try:
                            for entity in ENTITIES:
                                n, q = await self._sync_entity(at, thread, entity, cursors[entity])
                                counts[entity] = n
                                queued += q
                        finally:
                            problems = list(writer.problems)
                self._say("", sum(counts.values()), sum(counts.values()), msg("sync.finished"))
            elapsed = time.perf_counter() - t0
            return SyncReport(full, counts, queued, started, self._clock(), max(0.0, elapsed - self._wait),
                              self._warning, tuple(problems))

    # ------------------------------------------------------------------ progress

    def _say(self, entity: str, done: int, total: int | None, message: Message) -> None:
        if self._progress is not None:
            self._progress(SyncProgress(entity, done, total, message, self._warning))

    def _on_threshold(self, info: ThresholdInfo) -> None:
        if info.ratio >= 0.75:
            self._warning = msg("sync.api_use_high", used=info.used, limit=info.limit)
        elif info.ratio >= 0.5:
            self._warning = msg("sync.api_use_half", used=info.used, limit=info.limit)
        else:
            self._warning = None
        if self._warning is not None:
            self._say("", 0, None, self._warning)

    # ------------------------------------------------------------------ cursors

    async def _load_cursors(self) -> dict[str, Cursor]:
        async with self._db.sessions() as s:
            rows = (await s.scalars(select(SyncCursor).where(SyncCursor.system == SYSTEM))).all()
        out = {e: Cursor(e) for e in ENTITIES}
        for r in rows:
            if r.entity in out:
                out[r.entity] = Cursor.stored(r.entity, r.cursor, r.full_sync_done)
        return out

    # ------------------------------------------------------------------ Autotask

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

    async def _sync_entity(self, at: AutotaskConnector, thread: WriterThread, entity: str,
                           c: Cursor) -> tuple[int, int]:
        writer = thread.writer
        now = self._clock()
        full = not c.full_done
        label = msg(f"sync_entity.{entity}")        # what is read, once per entity (the pages reuse it)
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
        skipped = sorted(skipped_ids(c))
        if skipped and not full:        # records a sync could not read: again, until they read
            queries += [[f("in", "id", skipped[k:k + 200])] for k in range(0, len(skipped), 200)]
        if entity == "invoices":
            writer.payment_terms = await self._payment_terms(at)
            if writer.payment_terms and not c.extra.get("payment_terms_labelled"):
                # invoices synced before PayApp read the labels hold the bare values ("1"): once, the labels
                await thread.call(writer.label_payment_terms)
                c.extra["payment_terms_labelled"] = True
        total = await self._count(at, entity, queries[0]) if full and queries else None
        if total is not None and len(queries) == 1:
            self._say(entity, 0, total, msg("sync.reading_start", entity=label))
        done = 0
        queued = 0
        rebuild = full and entity == "invoices" and await thread.call(writer.drop_invoice_indexes_if_empty)
        try:
            for q in queries:
                advance = full or (entity == "invoices" and q is queries[0])
                lines_pending = entity == "invoices" and not full
                pages = self._prefetched(at.query_pages(AT_NAMES[entity], q))
                async with contextlib.aclosing(pages):
                    async for page in pages:
                        if not page:
                            continue
                        result = await thread.call(writer.write_page, entity, page, c, advance, lines_pending,
                                                       None)
                        if result.missing_companies:
                            companies = await self._fetch_companies(at, result.missing_companies)
                            result = await thread.call(writer.write_page, entity, page, c, advance,
                                                           lines_pending, companies)
                        queued += result.queued
                        done += len(page)
                        self._collect_young()
                        # one message a page, not a record: the counts stay ints, written the reader's way
                        self._say(entity, done, total, msg("sync.reading_of", entity=label, done=done, total=total)
                                  if total else msg("sync.reading", entity=label, done=done))
        finally:
            if rebuild:
                self._say(entity, done, total, msg("sync.indexing_invoices"))
                await thread.call(writer.create_invoice_indexes)
        await thread.call(writer.finish_entity, entity, c, full, next_watermark, self._cursors["invoices"])
        return done, queued


def _iso(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _parse_iso(text: str) -> dt.datetime:
    if not text:
        return dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


"""What every job of the payment engine shares: its collaborators (database, gateways, settings, the signed-in user),
the timings the composition root passes in, the unit of work that runs one locking transaction, the gateway
adapters one run needs, and the two clocks: this process's, and the database's, by which send deadlines are
written and judged."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from payapp.connectors.gateways.port import PaymentGateway
from payapp.models.db import Database, make_sync_engine
from payapp.services import audit
from payapp.services.auth import Actor, CurrentUser
from payapp.services.gateways import GatewayProvider
from payapp.services.settings import SettingsService, SettingsSnapshot

#: One logger for the whole engine, whichever module writes the line (its name before the split).
_LOG = logging.getLogger("payapp.services.payments")


# Defaults of the timings the composition root passes in (payapp.config.Tuning, PAYAPP_* variables).
UNMATCHED_GRACE = dt.timedelta(minutes=5)
SEND_WINDOW = dt.timedelta(seconds=60)
QUICK_LOOKUP_DELAYS: tuple[float, ...] = (0.2, 0.6, 1.5)
#: A send this soon after the pending row was written (by this process's monotonic and wall clocks, the larger)
#: goes without asking the database again; later ones re-check the deadline on the database's clock first.
FAST_SEND = 1.0
RECHECK_BACKOFF = (dt.timedelta(minutes=1), dt.timedelta(minutes=2), dt.timedelta(minutes=5),
                   dt.timedelta(minutes=15), dt.timedelta(hours=1))


Checkpoint = Callable[[str], Awaitable[None]]


def _audit(s: Session | AsyncSession, actor: Actor, action: str, **kw: Any) -> None:
    # audit.record only adds a row to the session, so a synchronous Session serves as well
    audit.record(cast(AsyncSession, s), actor, action, **kw)


class _GatewaySet:
    """The adapters one run needs, by gateway name, each built once: a payment is looked up, voided and refunded
    through the gateway that took it (`payments.gateway`), whichever gateway is chosen now."""

    def __init__(self, provider: GatewayProvider, *known: PaymentGateway) -> None:
        self._provider = provider
        self._built: dict[str, PaymentGateway] = {g.name: g for g in known}

    async def get(self, name: str) -> PaymentGateway:
        gw = self._built.get(name)
        if gw is None:
            gw = self._built[name] = await self._provider.for_gateway(name)
        return gw


T = TypeVar("T")


class _UnitOfWork:
    """Runs a synchronous function with a Connection inside one locking transaction.

    In a worker thread on a blocking engine of its own, so the whole check-then-write is one hop off the event
    loop instead of one per statement: SQLite (pysqlite) with transactions that BEGIN IMMEDIATE; PostgreSQL
    (psycopg) with rows locked by SELECT ... FOR UPDATE. (On PostgreSQL this was the app's async engine through
    `run_sync`: every statement a hand-off between the thread and the loop, ~8 ms of a portal payment.)"""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._sqlite = db.is_sqlite
        # SQLite: an engine of its own (its BEGIN IMMEDIATE hook); PostgreSQL: the database's, disposed with it,
        # and for unsynced work a second one whose sessions commit without the disk (no SET per transaction)
        self._engine: Engine = make_sync_engine(db.url, immediate=True) if db.is_sqlite else db.blocking_writer()
        self._unsynced: Engine = self._engine if db.is_sqlite else db.blocking_writer(synced=False)

    async def run(self, fn: Callable[[Connection], T], *, synced: bool = True) -> T:
        """`synced=False`: the commit does not wait for the disk (SQLite synchronous=NORMAL, PostgreSQL
        synchronous_commit off). Only for what a power cut may take back because reconciliation finds it again:
        a gateway's decision on a payment whose `pending` row (always synced, before the charge) is on disk. The
        next synced commit carries it to disk with its own; a process that crashes loses neither."""
        engine = self._engine

        def work() -> T:
            if synced:
                with engine.begin() as conn:
                    return fn(conn)
            if not self._sqlite:
                with self._unsynced.begin() as conn:
                    return fn(conn)
            with engine.connect() as conn:
                raw: Any = conn.connection.dbapi_connection     # sqlite3, outside any transaction here
                raw.execute("PRAGMA synchronous=NORMAL")
                try:
                    with conn.begin():
                        return fn(conn)
                finally:
                    raw.execute("PRAGMA synchronous=FULL")

        return await asyncio.to_thread(work)

    def close(self) -> None:
        if self._sqlite:
            self._engine.dispose()


class EngineBase:
    """The state and clocks the engine's jobs share; `PaymentService` composes the jobs on it."""

    def __init__(self, db: Database, gateways: GatewayProvider, settings: SettingsService, current: CurrentUser, *,
                 clock: Callable[[], dt.datetime] | None = None, checkpoint: Checkpoint | None = None,
                 lookup_delays: Sequence[float] = QUICK_LOOKUP_DELAYS, send_window: dt.timedelta = SEND_WINDOW,
                 unmatched_grace: dt.timedelta = UNMATCHED_GRACE,
                 recheck_backoff: Sequence[dt.timedelta] = RECHECK_BACKOFF) -> None:
        self._db = db
        self._gateways = gateways
        self._settings = settings
        self._current = current
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._checkpoint = checkpoint
        self._lookup_delays = tuple(lookup_delays)
        self._send_window = send_window
        self._grace = unmatched_grace
        self._backoff = tuple(recheck_backoff) or RECHECK_BACKOFF
        self._uow = _UnitOfWork(db)
        self._settings_snapshot = SettingsSnapshot()

    def close(self) -> None:
        """Release the SQLite worker connections (the async engine is the Database's)."""
        self._uow.close()

    def _now(self) -> dt.datetime:
        return self._clock()

    def _db_now(self, conn: Connection, read_with: Any = None) -> dt.datetime:
        """The one clock that send deadlines are written and judged by: the database server's on PostgreSQL
        (every workstation asks the same server); on SQLite, whose file lives with one computer, that
        computer's clock. `read_with`: a row that brought the server's clock along as `db_now` (no round trip)."""
        if self._db.is_sqlite:
            return self._now()
        value = getattr(read_with, "db_now", None)
        if value is None:
            value = conn.execute(select(func.clock_timestamp())).scalar_one()
        return cast(dt.datetime, value).astimezone(dt.UTC)

    async def _db_now_async(self) -> dt.datetime:
        if self._db.is_sqlite:
            return self._now()
        async with self._db.sessions() as s:
            value = await s.scalar(select(func.clock_timestamp()))
        return cast(dt.datetime, value).astimezone(dt.UTC)

    async def _point(self, name: str) -> None:
        if self._checkpoint is not None:
            await self._checkpoint(name)

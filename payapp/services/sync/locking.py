"""Only one workstation syncs at a time.

PostgreSQL: a session's `pg_try_advisory_lock`, held on its own connection for the run, plus a `sync_locks` row
that names the holder for the "busy" message. SQLite has no such lock: the `sync_locks` row itself is the lock,
with an expiry that the page writer pushes on while the sync runs (`renew`), so a crashed workstation's lock
runs out by itself."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
import uuid
from collections.abc import AsyncIterator, Callable

from sqlalchemy import Connection, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from payapp.domain.errors import ConflictError
from payapp.domain.messages import Message, msg
from payapp.models import SyncLock
from payapp.models.db import Database
from payapp.services.audit import WORKSTATION

LOCK_NAME = "sync.autotask"
PG_LOCK_KEY = 0x5041_5941      # "PAYA"
LOCK_TTL = dt.timedelta(minutes=5)


class SyncBusy(ConflictError):
    pass


class WorkstationLock:
    """The sync lock of one SyncService: `async with lock.held():` around a run. `holder` is this
    workstation's name plus a token that tells two services of one process apart."""

    def __init__(self, db: Database, holder: str, ttl: dt.timedelta, clock: Callable[[], dt.datetime]) -> None:
        self._db = db
        self.holder = (holder or f"{WORKSTATION} (pid {os.getpid()})")[:80] + f"#{uuid.uuid4().hex[:8]}"
        self._ttl = ttl
        self._clock = clock
        self._renewed = 0.0     # time.monotonic() of the last write of the row's expiry

    def held_elsewhere(self, row: SyncLock | None) -> str:
        """The name of the workstation that holds the lock `row` now, "" when nobody else does."""
        if row is not None and row.expires_at > self._clock() and row.holder != self.holder:
            return _name(row.holder)
        return ""

    @contextlib.asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        """The lock for the time of the block; SyncBusy, naming the holder, when another workstation has it."""
        if self._db.is_sqlite:
            await self._acquire_row_lock()
            try:
                yield
            finally:
                async with self._db.transaction(lock=True) as s:
                    await s.execute(delete(SyncLock).where(SyncLock.name == LOCK_NAME, SyncLock.holder == self.holder))
            return
        async with self._db.engine.connect() as conn:
            got = (await conn.execute(select(func.pg_try_advisory_lock(PG_LOCK_KEY)))).scalar()
            await conn.commit()
            if not got:
                raise await self._busy()
            try:
                await self._write_lock_row()
                yield
            finally:
                with contextlib.suppress(Exception):
                    async with self._db.transaction() as s:
                        await s.execute(delete(SyncLock).where(SyncLock.name == LOCK_NAME,
                                                               SyncLock.holder == self.holder))
                await _pg_unlock(conn)

    def renew(self, conn: Connection) -> None:
        """Inside a page transaction on the writer's blocking connection: push the lock's expiry on (SQLite row
        lock only, at most every third of its lifetime)."""
        if not self._db.is_sqlite or time.monotonic() - self._renewed < self._ttl.total_seconds() / 3:
            return
        res = conn.execute(update(SyncLock).where(SyncLock.name == LOCK_NAME, SyncLock.holder == self.holder)
                           .values(expires_at=self._clock() + self._ttl))
        if res.rowcount != 1:
            raise SyncBusy(msg("sync.lock_taken_over"))
        self._renewed = time.monotonic()

    async def _busy(self) -> SyncBusy:
        async with self._db.sessions() as s:
            row = await s.get(SyncLock, LOCK_NAME)
        return _busy(_name(row.holder) if row is not None else msg("sync.another_workstation"))

    async def _write_lock_row(self) -> None:
        now = self._clock()
        async with self._db.transaction(lock=True) as s:
            self._take(s, await s.get(SyncLock, LOCK_NAME, with_for_update=not self._db.is_sqlite), now)
        self._renewed = time.monotonic()

    async def _acquire_row_lock(self) -> None:
        now = self._clock()
        async with self._db.transaction(lock=True) as s:
            row = await s.get(SyncLock, LOCK_NAME)
            if row is not None and row.holder != self.holder and row.expires_at > now:
                raise _busy(_name(row.holder))
            self._take(s, row, now)
        self._renewed = time.monotonic()

    def _take(self, s: AsyncSession, row: SyncLock | None, now: dt.datetime) -> None:
        """Inside the lock row's transaction: the row names this workstation, expiring a TTL from `now`."""
        if row is None:
            s.add(SyncLock(name=LOCK_NAME, holder=self.holder, acquired_at=now, expires_at=now + self._ttl))
        else:
            row.holder, row.acquired_at, row.expires_at = self.holder, now, now + self._ttl


def _name(holder: str) -> str:
    """The workstation's part of a lock holder (without the token)."""
    return holder.split("#", 1)[0]


def _busy(who: str | Message) -> SyncBusy:
    return SyncBusy(msg("sync.busy_elsewhere", workstation=who))


async def _pg_unlock(conn: AsyncConnection) -> None:
    with contextlib.suppress(Exception):
        await conn.execute(select(func.pg_advisory_unlock(PG_LOCK_KEY)))
        await conn.commit()

"""The portal's shared state, in the company database (so every worker process and host sees the same):
fixed-window rate-limit counters and the confirm forms already submitted (one charge per form)."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from payapp.models import PortalRateCount, PortalSubmission
from payapp.models.db import Database

T = TypeVar("T")


class TransactionRunner(Protocol):
    """What Submissions needs of the portal's store (payapp/portal/store.PortalStore, which imports this module):
    one unit of work on its worker thread."""

    async def run(self, work: Callable[[Connection], T], *, durable: bool = False) -> T: ...


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class RateLimiter:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def allow(self, buckets: list[tuple[str, str, int]], window_s: int) -> bool:
        """Count one request in each (kind, value, limit) bucket, in one transaction; False when any of them is
        over its limit in the current window."""
        keys = [(f"{kind}:{_sha(value)[:64]}", limit) for kind, value, limit in buckets]
        for _attempt in range(3):
            try:
                return await self._hit(keys, window_s)
            except IntegrityError:          # two processes created a bucket at once: count again
                await asyncio.sleep(0)
        return True

    async def _hit(self, keys: list[tuple[str, int]], window_s: int) -> bool:
        now = _now()
        allowed = True
        async with self._db.transaction(lock=True) as s:
            for bucket, limit in keys:
                row = await s.get(PortalRateCount, bucket, with_for_update=True)
                if row is None:
                    s.add(PortalRateCount(bucket=bucket, window_start=now, hits=1))
                elif row.window_start <= now - dt.timedelta(seconds=window_s):
                    row.window_start, row.hits = now, 1
                else:
                    row.hits += 1
                    allowed = allowed and row.hits <= limit
        return allowed

    async def prune(self, window_s: int, *, keep_submissions: dt.timedelta = dt.timedelta(days=7)) -> None:
        """Forget counters of windows long past, and confirm forms older than a week (their payments stay)."""
        now = _now()
        async with self._db.transaction(lock=True) as s:
            await s.execute(delete(PortalRateCount).where(
                PortalRateCount.window_start < now - dt.timedelta(seconds=2 * window_s)))
            await s.execute(delete(PortalSubmission).where(PortalSubmission.created_at < now - keep_submissions,
                                                           PortalSubmission.state != "charging"))


@dataclass(frozen=True)
class Submission:
    state: str              # charging | done | failed
    payment_id: int | None
    outcome: str
    #: a failed form: the words its page showed; a done one: the engine's result kept as data (to_stored, read with
    #: stored_text in the reader's language)
    message: str


def claim_on(conn: Connection, key: str, link_id: int, *, insert: bool = True) -> bool:
    """Claim a confirm form on a blocking connection: True when no submit of it was seen before (and, with
    `insert`, it is now claimed: one INSERT ... ON CONFLICT DO NOTHING)."""
    table = PortalSubmission.__table__
    if not insert:
        return conn.execute(select(table.c.key_hash).where(table.c.key_hash == _sha(key))).first() is None
    dml = sqlite.insert if conn.dialect.name == "sqlite" else postgresql.insert
    stmt = dml(table).values(key_hash=_sha(key), link_id=link_id, created_at=_now(), state="charging", outcome="",
                             message="").on_conflict_do_nothing(index_elements=[table.c.key_hash])
    return conn.execute(stmt.returning(table.c.key_hash)).first() is not None


class Submissions:
    """One row per confirm form (by the SHA-256 of its idempotency key), through the portal's store (one
    statement on a worker thread each; a claim reaches the disk with the payment's pending row, before any
    charge)."""

    def __init__(self, store: TransactionRunner) -> None:
        self._store = store

    async def claim(self, key: str, link_id: int) -> bool:
        """True for the first submit of this form (go ahead and charge), False for any later one (of this link
        or, for a key seen with another link, of any). The portal's confirm claims in its one round trip
        (`PortalStore.guard(claim=...)`, `claim_on`)."""
        return await self._store.run(lambda conn: claim_on(conn, key, link_id), durable=True)

    async def finish(self, key: str, *, state: str, payment_id: int | None = None, outcome: str = "",
                     message: str = "") -> None:
        """The form's outcome, for a second submit of it. Not synced to disk at once (SQLite NORMAL, PostgreSQL
        synchronous_commit off): lost in a power cut, the form stays "charging" and a second submit says the
        payment is being processed, never charges again; the claim itself was synced."""
        table = PortalSubmission.__table__
        stmt = update(table).where(table.c.key_hash == _sha(key)).values(
            state=state, payment_id=payment_id, outcome=outcome, message=message[:500])
        await self._store.run(lambda conn: conn.execute(stmt))

    async def release(self, key: str) -> None:
        """Nothing was sent (e.g. the duplicate question): the form may be submitted again."""
        table = PortalSubmission.__table__
        stmt = delete(table).where(table.c.key_hash == _sha(key))
        await self._store.run(lambda conn: conn.execute(stmt), durable=True)

    async def get(self, key: str, link_id: int) -> Submission | None:
        table = PortalSubmission.__table__
        stmt = select(table.c.state, table.c.payment_id, table.c.outcome, table.c.message).where(
            table.c.key_hash == _sha(key), table.c.link_id == link_id)
        row = await self._store.run(lambda conn: conn.execute(stmt).one_or_none())
        return None if row is None else Submission(row.state, row.payment_id, row.outcome, row.message)

    async def wait(self, key: str, link_id: int, timeout: float) -> Submission | None:
        """The submission once it is no longer charging (or as it is after `timeout` seconds)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            sub = await self.get(key, link_id)
            if sub is None or sub.state != "charging" or loop.time() >= deadline:
                return sub
            await asyncio.sleep(0.2)

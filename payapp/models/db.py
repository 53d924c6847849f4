"""Engines and sessions for SQLite (embedded default, WAL) and PostgreSQL (a team's shared database).

The app works with `AsyncSession`s. `Database.transaction(lock=True)` is the one place that makes a
check-then-write safe across workstations: on SQLite it starts with BEGIN IMMEDIATE (SQLite then
serialises writers), on PostgreSQL the caller adds `with_for_update()` to the rows it checks.

`Database.read(work)` is the path of the big lazy tables (Invoice History, Payment Search) and their
totals: `work(connection)` runs whole in a worker thread on a blocking engine, and the GUI thread awaits
one future. Through the asyncio driver a page costs about ten hand-offs between the driver's thread and
the event loop (cursor, BEGIN, execute, fetch, close, ROLLBACK, reset-on-return...), and each hand-off
waits behind whatever the GUI thread is doing (painting the previous page, typically 20-50 ms): pages took
100+ ms for a query SQLite answers in under 1 ms. Pages and totals have separate worker lanes, so a
COUNT/SUM over a million rows never delays a page, and a read whose awaiting task is cancelled is
interrupted in the database (sqlite3 `interrupt()`, psycopg `cancel_safe()`) instead of running on."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

SQLITE_BUSY_TIMEOUT_MS = 15_000
T = TypeVar("T")
#: "page": the rows a table shows next (short, latency matters); "aggregate": counts and sums for a filter
#: (may scan millions of rows). Each lane has its own threads, so an aggregate never holds up a page.
ReadLane = Literal["page", "aggregate"]
_LANE_THREADS: dict[str, int] = {"page": 2, "aggregate": 2}


def normalise_url(url: str | URL) -> URL:
    """Accept `sqlite:///file`, `postgresql://...` and driver-qualified forms."""
    u = make_url(url)
    return u


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def async_url(url: str | URL) -> URL:
    u = make_url(url)
    backend = u.get_backend_name()
    if backend == "sqlite":
        return u.set(drivername="sqlite+aiosqlite")
    if backend == "postgresql":
        return u.set(drivername="postgresql+psycopg")
    raise ValueError(f"unsupported database: {backend} (use sqlite or postgresql)")


def sync_url(url: str | URL) -> URL:
    u = make_url(url)
    backend = u.get_backend_name()
    if backend == "sqlite":
        return u.set(drivername="sqlite+pysqlite")
    if backend == "postgresql":
        return u.set(drivername="postgresql+psycopg")
    raise ValueError(f"unsupported database: {backend} (use sqlite or postgresql)")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Python's sqlite3 would otherwise open transactions behind our back; we emit BEGIN ourselves.
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    # FULL: a commit is on disk before it returns. With NORMAL a power cut could take back the committed
    # `pending` row of a payment the gateway then charged, and reconciliation would have nothing to find.
    # It costs ~0.4 ms a payment; the sync's bulk writer lowers it for its own connection.
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.close()


def _sqlite_read_only(dbapi_connection: Any, _record: Any) -> None:
    # The read lane never writes; SQLite enforces it.
    dbapi_connection.execute("PRAGMA query_only=ON")


def _install_sqlite_hooks(engine: Engine, *, immediate: bool) -> None:
    event.listen(engine, "connect", _sqlite_pragmas)

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_sync_engine(url: str | URL, *, immediate: bool = False, **kw: Any) -> Engine:
    """A blocking engine for migrations, bulk loads and tools (never on the GUI thread)."""
    u = sync_url(url)
    engine = create_engine(u, **kw)
    if u.get_backend_name() == "sqlite":
        _install_sqlite_hooks(engine, immediate=immediate)
    return engine


#: a pooled connection unused for longer than this is pinged before it is handed out (pool_pre_ping pings every
#: time: a round trip per transaction, two of a payment's dozen). One the server dropped within the second fails
#: at its first statement, before anything of its work was done.
IDLE_PING_S = 1.0
_IDLE_SINCE = "payapp.idle_since"


def ping_when_idle(engine: Engine, idle_s: float = IDLE_PING_S) -> None:
    """Ping a connection at checkout only when it sat in the pool for `idle_s` or more (a dead one is replaced:
    DisconnectionError makes the pool connect afresh)."""
    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is None or time.monotonic() - since < idle_s:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:        # the driver's own error for a dead connection
            raise DisconnectionError("the pooled connection is gone") from exc
        if not alive:
            raise DisconnectionError("the pooled connection is gone")


def _commit_without_sync(dbapi_connection: Any, _record: Any) -> None:
    with dbapi_connection.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
    dbapi_connection.commit()


class Database:
    """The app's database: async engines and session factories, built once by the composition root."""

    def __init__(self, url: str | URL, *, echo: bool = False) -> None:
        self.url = make_url(url)
        self.is_sqlite = is_sqlite(self.url)
        au = async_url(self.url)
        if self.is_sqlite:
            self.engine: AsyncEngine = create_async_engine(au, echo=echo)
            _install_sqlite_hooks(self.engine.sync_engine, immediate=False)
            # A second engine whose transactions take SQLite's write lock at BEGIN.
            self.locking_engine: AsyncEngine = create_async_engine(au, echo=echo)
            _install_sqlite_hooks(self.locking_engine.sync_engine, immediate=True)
        else:
            self.engine = create_async_engine(au, echo=echo, pool_pre_ping=True, pool_size=5, max_overflow=5)
            self.locking_engine = self.engine
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._locking_sessions = async_sessionmaker(self.locking_engine, expire_on_commit=False)
        self._reader: _Reader | None = None
        self._blocking_writers: dict[bool, Engine] = {}

    async def read(self, work: Callable[[Connection], T], *, lane: ReadLane = "page") -> T:
        """Run `work(connection)` (blocking SQLAlchemy Core on one connection, one read transaction) in a
        worker thread of `lane` and return its result. Cancelling the awaiting task interrupts the query."""
        if self._reader is None:
            self._reader = _Reader(self.url, self.is_sqlite)
        return await self._reader.run(work, lane)

    @contextlib.asynccontextmanager
    async def transaction(self, *, lock: bool = False) -> AsyncIterator[AsyncSession]:
        """One unit of work: commits on success, rolls back on error. `lock=True` for check-then-write."""
        factory = self._locking_sessions if lock else self.sessions
        async with factory() as session, session.begin():
            yield session

    @property
    def company_name(self) -> str:
        """The company database's own name: the file's name without ".db", or the PostgreSQL database's."""
        name = str(self.url.database or "")
        if self.is_sqlite:
            name = name.replace("\\", "/").rsplit("/", 1)[-1]
            name = name[:-3] if name.lower().endswith(".db") else name
        return name

    @property
    def display_name(self) -> str:
        if self.is_sqlite:
            return f"SQLite · {self.url.database}"
        return f"PostgreSQL · {self.url.host}/{self.url.database}"

    def blocking_writer(self, *, synced: bool = True) -> Engine:
        """A blocking engine for check-then-write transactions run whole on a worker thread (the payment
        engine's unit of work on PostgreSQL), made on first use and disposed of with this database.
        `synced=False`: its connections commit without waiting for the disk (synchronous_commit off for the
        session, so no SET per transaction): for what reconciliation would find again after a power cut."""
        engines = self._blocking_writers
        if synced not in engines:
            engine = make_sync_engine(self.url, pool_size=4, max_overflow=4)
            ping_when_idle(engine)
            if not synced:
                event.listen(engine, "connect", _commit_without_sync)
            engines[synced] = engine
        return engines[synced]

    async def dispose(self) -> None:
        writers, self._blocking_writers = list(self._blocking_writers.values()), {}
        for writer in writers:
            await asyncio.to_thread(writer.dispose)
        if self._reader is not None:
            reader, self._reader = self._reader, None
            await reader.close()
        await self.engine.dispose()
        if self.locking_engine is not self.engine:
            await self.locking_engine.dispose()


_RUNNING = "payapp.read"      # Connection.info key of the _Running that owns the connection
#: SQLite virtual-machine steps between two calls of a work budget's progress handler (each call takes the GIL
#: from the GUI thread: every 1,000 steps slowed a COUNT tenfold and the GUI with it).
_BUDGET_EVERY = 10_000


class BudgetExceeded(Exception):
    """A statement run under `work_budget` did more work than it was allowed, and was stopped."""


class _Interrupted(Exception):
    """The read was cancelled before its thread started it."""


class _Running:
    """One `Database.read` in its thread, so the event loop's side can stop its statements."""

    def __init__(self, sqlite: bool) -> None:
        self.sqlite = sqlite
        self._lock = threading.Lock()
        self._dbapi: Any = None
        self.interrupted = False

    def attach(self, conn: Connection) -> None:
        conn.info[_RUNNING] = self
        with self._lock:
            self._dbapi = conn.connection.dbapi_connection

    def detach(self, conn: Connection) -> None:
        with self._lock:
            self._dbapi = None
        conn.info.pop(_RUNNING, None)

    def interrupt(self) -> None:
        if not self.interrupted:
            self.interrupted = True
            threading.Thread(target=self._stop_until_done, name="payapp-read-stop", daemon=True).start()

    def _stop_until_done(self) -> None:
        # sqlite3's interrupt() and a PostgreSQL cancel request stop the statement running now, not one that
        # starts a moment later (the next statement of the same read): repeat until the read has ended.
        for _ in range(500):
            with self._lock:
                dbapi = self._dbapi
                if dbapi is None:
                    return
                # Under the lock: the connection cannot go back to the pool (and start another read's
                # statement) between the check and the request. Both are documented as callable from any thread.
                with contextlib.suppress(Exception):
                    stop = getattr(dbapi, "interrupt", None) or getattr(dbapi, "cancel_safe", None) or dbapi.cancel
                    stop()
            time.sleep(0.02)


class _Reader:
    """A blocking engine and one thread pool per lane, for `Database.read`."""

    def __init__(self, url: URL, sqlite: bool) -> None:
        if sqlite and (url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"):
            raise ValueError("Database.read needs a database file (an in-memory database is per connection)")
        self._sqlite = sqlite
        threads = sum(_LANE_THREADS.values())
        # One connection per worker thread; nothing else borrows from this pool.
        self.engine = make_sync_engine(url, pool_size=threads, max_overflow=0,
                                       **({} if sqlite else {"pool_pre_ping": True}))
        if sqlite:
            event.listen(self.engine, "connect", _sqlite_read_only)
        self._lanes = {lane: ThreadPoolExecutor(n, thread_name_prefix=f"payapp-read-{lane}")
                       for lane, n in _LANE_THREADS.items()}
        self._running: set[_Running] = set()

    def _work(self, work: Callable[[Connection], T], running: _Running) -> T:
        if running.interrupted:
            raise _Interrupted
        with self.engine.connect() as conn:
            running.attach(conn)
            try:
                return work(conn)
            finally:
                running.detach(conn)

    async def run(self, work: Callable[[Connection], T], lane: ReadLane) -> T:
        running = _Running(self._sqlite)
        self._running.add(running)
        future = asyncio.get_running_loop().run_in_executor(self._lanes[lane], self._work, work, running)
        future.add_done_callback(lambda _f: self._running.discard(running))
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            running.interrupt()
            # The thread ends with an "interrupted" error that nobody awaits: retrieve it.
            future.add_done_callback(_consume)
            raise

    async def close(self) -> None:
        for running in list(self._running):
            running.interrupt()
        for pool in self._lanes.values():
            await asyncio.to_thread(pool.shutdown, True, cancel_futures=True)
        await asyncio.to_thread(self.engine.dispose)


def _consume(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


@contextlib.contextmanager
def work_budget(conn: Connection, vm_steps: int) -> Iterator[None]:
    """Inside `Database.read` on SQLite: stop the statements run inside after about `vm_steps` steps of
    SQLite's virtual machine, raising BudgetExceeded. For trying a plan that is usually fast but can be slow,
    with another to fall back on. A step count, not a time: the same data takes the same plan on a busy
    machine. Elsewhere (PostgreSQL, or outside `Database.read`) it allows everything."""
    running = conn.info.get(_RUNNING)
    if not isinstance(running, _Running) or not running.sqlite:
        yield
        return
    dbapi = conn.connection.dbapi_connection
    left = [vm_steps // _BUDGET_EVERY + 1]

    def tick() -> int:
        left[0] -= 1
        return 1 if left[0] < 0 or running.interrupted else 0

    dbapi.set_progress_handler(tick, _BUDGET_EVERY)  # type: ignore[union-attr]
    try:
        yield
    except OperationalError as exc:
        if left[0] < 0 and not running.interrupted:
            raise BudgetExceeded from exc
        raise
    finally:
        dbapi.set_progress_handler(None, 0)  # type: ignore[union-attr]


def null_pool_sync_engine(url: str | URL) -> Engine:
    return make_sync_engine(url, poolclass=NullPool)

"""Engines and sessions for SQLite (embedded default, WAL) and PostgreSQL (a team's shared database).

The app works with `AsyncSession`s. `Database.transaction(lock=True)` is the one place that makes a
check-then-write safe across workstations: on SQLite it starts with BEGIN IMMEDIATE (SQLite then
serialises writers), on PostgreSQL the caller adds `with_for_update()` to the rows it checks."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

SQLITE_BUSY_TIMEOUT_MS = 15_000


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
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.close()


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

    @contextlib.asynccontextmanager
    async def transaction(self, *, lock: bool = False) -> AsyncIterator[AsyncSession]:
        """One unit of work: commits on success, rolls back on error. `lock=True` for check-then-write."""
        factory = self._locking_sessions if lock else self.sessions
        async with factory() as session, session.begin():
            yield session

    @property
    def display_name(self) -> str:
        if self.is_sqlite:
            return f"SQLite · {self.url.database}"
        return f"PostgreSQL · {self.url.host}/{self.url.database}"

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.locking_engine is not self.engine:
            await self.locking_engine.dispose()


def null_pool_sync_engine(url: str | URL) -> Engine:
    return make_sync_engine(url, poolclass=NullPool)

"""Shared fixtures. Tests never touch the user's data folder, settings or keyring.

`db_url` gives each test a fresh, migrated database: a real SQLite file, and (parametrised) a real
PostgreSQL database on 127.0.0.1:5432 cloned from a migrated template. PostgreSQL tests are skipped
only outside CI when the server is down; in CI a missing server fails the run."""

from __future__ import annotations

import asyncio
import asyncio.runners
import logging
import os
import shutil
import threading
import uuid
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest

from payapp.domain.roles import Role
from payapp.migrations import upgrade
from payapp.models.db import Database
from payapp.services.auth import Actor, CurrentUser
from payapp.services.memory_keyring import MEMORY_BACKEND_MODULES, MemoryKeyring
from payapp.services.secrets import ALLOWED_BACKENDS, SecretStore

PG_ADMIN_DSN = os.environ.get("PAYAPP_TEST_PG_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=postgres")
PG_URL_BASE = os.environ.get("PAYAPP_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432")
IN_CI = os.environ.get("CI") == "true"
TEST_ALLOWED_BACKENDS = ALLOWED_BACKENDS + MEMORY_BACKEND_MODULES + ("tests.",)


def _pg_connect():  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=3)


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str | None]:
    """A migrated PostgreSQL database used as the template of each test's database."""
    try:
        conn = _pg_connect()
    except Exception as exc:
        if IN_CI:
            raise RuntimeError(f"PostgreSQL is required in CI: {exc}") from exc
        yield None
        return
    name = f"payapp_tpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    conn.execute(f'CREATE DATABASE "{name}"')
    upgrade(f"{PG_URL_BASE}/{name}")
    try:
        yield name
    finally:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


def make_pg_database(template: str) -> str:
    name = f"payapp_t_{uuid.uuid4().hex[:12]}"
    with _pg_connect() as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return name


def drop_pg_database(name: str) -> None:
    with _pg_connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    """A fresh migrated database URL, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "payapp.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("pg_template")
    if template is None:
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    name = make_pg_database(template)
    try:
        yield f"{PG_URL_BASE}/{name}"
    finally:
        drop_pg_database(name)


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "payapp.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
async def database(db_url: str) -> AsyncIterator[Database]:
    db = Database(db_url)
    try:
        yield db
    finally:
        await db.dispose()


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def secret_store(memory_keyring: MemoryKeyring) -> SecretStore:
    return SecretStore(memory_keyring, allow=TEST_ALLOWED_BACKENDS)


ADMIN = Actor(user_id=None, username="test-admin", role=Role.ADMIN, display_name="Test Admin")
FINANCE = Actor(user_id=None, username="test-finance", role=Role.FINANCE, display_name="Test Finance")
VIEWER = Actor(user_id=None, username="test-viewer", role=Role.VIEWER, display_name="Test Viewer")


@pytest.fixture
def current_user() -> CurrentUser:
    return CurrentUser(ADMIN)


@pytest.fixture(autouse=True)
def _isolate_user_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Point every path and the keyring away from the real user's."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("PAYAPP_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("PAYAPP_LOG_DIR", str(home / "logs"))
    monkeypatch.delenv("PAYAPP_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    yield
    keyring.set_keyring(previous)


class _WarningRecords(logging.Handler):
    """Every WARNING or worse logged anywhere during one test."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def _no_unexpected_log_warnings(request: pytest.FixtureRequest) -> Iterator[None]:
    """A warning or error in the log that the test did not ask for fails it: it is a bug somewhere, or a case
    the test should assert on. A test that expects some requests `caplog` (and checks them), or is marked
    `@pytest.mark.logs_warnings("why")`."""
    handler = _WarningRecords()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)
    if "caplog" in request.fixturenames or request.node.get_closest_marker("logs_warnings"):
        return
    if handler.records:
        lines = "\n".join(f"  {r.levelname} {r.name}: {r.getMessage()[:300]}" for r in handler.records[:10])
        pytest.fail(f"unexpected log warnings/errors during the test (assert on them with caplog, or mark the "
                    f"test logs_warnings):\n{lines}", pytrace=False)


# ------------------------------------------------------------------------------------------------ leaked tasks

#: the asyncio tasks found still pending when a loop of the current test was shut down (described)
_leaked_tasks: list[str] = []


def _innermost(coro: Any) -> Any:
    while getattr(coro, "cr_await", None) is not None and hasattr(coro.cr_await, "cr_frame"):
        coro = coro.cr_await
    return coro


def _where(coro: Any) -> str:
    """A coroutine as `qualname (file:line)`, where it is suspended."""
    frame = getattr(coro, "cr_frame", None)
    name = getattr(coro, "__qualname__", type(coro).__name__)
    if frame is None:
        return str(name)
    path = frame.f_code.co_filename
    short = path[path.find("payapp/"):] if "payapp/" in path else os.path.basename(path)
    return f"{name} ({short}:{frame.f_lineno})"


#: tasks that belong to a library and finish on their own, left when PayApp cancels a task on purpose: SQLAlchemy
#: closes a connection it invalidates (a query cancelled with its page or session) in a task it shields from that
#: cancellation (sqlalchemy/connectors/asyncio.py, terminate()); closing the loop ends it
_LIBRARY_OWNED = frozenset({"_terminate_graceful_close"})


def note_leaked_tasks(tasks: Iterable[asyncio.Task[Any]]) -> None:
    """Remember the tasks that are still pending although their loop is being shut down (cancelled there)."""
    thread = threading.current_thread()
    on = "" if thread is threading.main_thread() else f" [thread {thread.name}]"
    for task in tasks:
        coro = task.get_coro()
        if not task.done() and getattr(coro, "__name__", "") not in _LIBRARY_OWNED:
            inner = _innermost(coro)
            waits = f", waiting in {_where(inner)}" if inner is not coro else ""
            _leaked_tasks.append(f"{task.get_name()}: {_where(coro)}{waits}{on}")


_cancel_all_tasks = asyncio.runners._cancel_all_tasks       # type: ignore[attr-defined]


def _noting_cancel_all_tasks(loop: asyncio.AbstractEventLoop) -> None:
    # asyncio.Runner.close (asyncio.run, pytest-asyncio's loop per test, uvicorn in tests/servers.py) cancels what
    # is left silently; a task left there is work nobody stopped or awaited
    note_leaked_tasks(asyncio.all_tasks(loop))
    _cancel_all_tasks(loop)


asyncio.runners._cancel_all_tasks = _noting_cancel_all_tasks  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _no_leaked_asyncio_tasks(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test (with its fixtures) that leaves asyncio tasks pending when its loop shuts down fails: in the app such a
    task is cancelled at some random later point, or runs on against closed sessions and clients. Seen where loops
    end: asyncio.Runner (asyncio.run, pytest-asyncio's loop, uvicorn's in tests/servers.py) and the UI tests' qasync
    loop (tests/ui/conftest.py). This fixture is set up before any loop fixture, so its check runs after they
    closed. PAYAPP_TEST_LEAKED_TASKS=report only prints them."""
    _leaked_tasks.clear()
    yield
    leaked = list(_leaked_tasks)
    _leaked_tasks.clear()
    if not leaked:
        return
    lines = "\n".join(f"  {line}" for line in leaked[:20])
    text = f"asyncio tasks left pending after the test (cancel and await them on close):\n{lines}"
    if os.environ.get("PAYAPP_TEST_LEAKED_TASKS") == "report":
        print(text)
        return
    pytest.fail(text, pytrace=False)

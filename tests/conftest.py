"""Shared fixtures. Tests never touch the user's data folder, settings or keyring.

`db_url` gives each test a fresh, migrated database: a real SQLite file, and (parametrised) a real
PostgreSQL database on 127.0.0.1:5432 cloned from a migrated template. PostgreSQL tests are skipped
only outside CI when the server is down; in CI a missing server fails the run."""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

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

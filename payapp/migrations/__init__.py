"""Alembic migrations, applied at start-up and by `payapp db upgrade`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

from payapp.models.db import null_pool_sync_engine

HERE = Path(__file__).resolve().parent
# The newest migration. Checked against Alembic's own view in tests/integration/test_migrations.py; it lets
# start-up see "nothing to do" with one query instead of importing Alembic (~150 ms before the tabs appear).
HEAD_REVISION = "0013_portal_signin"


def alembic_config(url: str | URL) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.attributes["url"] = url
    return cfg


def upgrade(url: str | URL, revision: str = "head") -> None:
    """Bring the database at `url` to `revision` (creating the SQLite file and its folder if needed)."""
    from alembic import command

    u = make_url(url)
    if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
        Path(u.database).parent.mkdir(parents=True, exist_ok=True)
    engine = null_pool_sync_engine(url)
    try:
        with engine.begin() as conn:
            cfg = alembic_config(url)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        engine.dispose()


def current_revision(url: str | URL) -> str | None:
    from alembic.runtime.migration import MigrationContext

    engine = null_pool_sync_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def is_at_head(url: str | URL) -> bool:
    """True when the database exists and is already at HEAD_REVISION (one plain query, no Alembic)."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite" and u.database and not Path(u.database).exists():
        return False
    engine = null_pool_sync_engine(url)
    try:
        with engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except DBAPIError:
        return False                       # no alembic_version table yet: a new database
    finally:
        engine.dispose()
    return versions == [HEAD_REVISION]


def upgrade_if_needed(url: str | URL) -> None:
    """`upgrade(url)` unless the database is already at the newest revision."""
    if not is_at_head(url):
        upgrade(url)

"""The migrations produce exactly the ORM's schema, on SQLite and on PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import payapp.models  # noqa: F401
from payapp.migrations import current_revision, upgrade
from payapp.models.base import Base
from payapp.models.db import null_pool_sync_engine


def test_migrated_schema_equals_orm(db_url: str) -> None:
    engine = null_pool_sync_engine(db_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_upgrade_is_idempotent_and_reaches_head(db_url: str) -> None:
    upgrade(db_url)
    upgrade(db_url)
    assert current_revision(db_url) == "0002"

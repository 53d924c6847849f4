"""The migrations produce exactly the ORM's schema, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

import payapp.models  # noqa: F401
from payapp.migrations import HEAD_REVISION, alembic_config, current_revision, is_at_head, upgrade, upgrade_if_needed
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
    assert current_revision(db_url) == HEAD_REVISION


def test_head_revision_constant_is_alembics_head() -> None:
    """HEAD_REVISION lets start-up skip Alembic; a new migration must move it too."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert script.get_heads() == [HEAD_REVISION]


def test_upgrade_if_needed_runs_only_when_behind(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'payapp.db'}"
    assert not is_at_head(url)                          # no file yet
    upgrade(url, "0001")
    assert not is_at_head(url)                          # one migration behind
    upgrade_if_needed(url)
    assert is_at_head(url) and current_revision(url) == HEAD_REVISION

"""Alembic environment: runs on the connection handed in by payapp.migrations.upgrade."""

from __future__ import annotations

from alembic import context

import payapp.models  # noqa: F401  (registers every table)
from payapp.models.base import Base
from payapp.models.db import null_pool_sync_engine

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = null_pool_sync_engine(config.attributes["url"])
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()

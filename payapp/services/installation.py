"""The installation id: generated once per database (the settings row `installation.id`), so request ids that
PayApp derives from its own row ids never collide between two PayApp databases connected to the same
QuickBooks company (or PSA tenant). Read by every workstation of the database; the first to need it creates it
(insert-if-absent, so two workstations starting together agree on one)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import sqlite  # postgresql where used: only a PostgreSQL database needs it (~25 ms)

from payapp.domain.errors import PayAppError
from payapp.domain.messages import msg
from payapp.models.base import utcnow
from payapp.models.db import Database
from payapp.models.system import Setting

KEY = "installation.id"


async def installation_id(db: Database) -> str:
    """This database's installation id (32 hex digits), created on first use."""
    async with db.sessions() as s:
        value = await s.scalar(select(Setting.value).where(Setting.key == KEY))
    if value is None:
        ins: Any
        if db.is_sqlite:
            ins = sqlite.insert(Setting.__table__)
        else:
            from sqlalchemy.dialects import postgresql

            ins = postgresql.insert(Setting.__table__)
        async with db.transaction(lock=True) as s:
            await s.execute(ins.values(key=KEY, value=json.dumps(uuid.uuid4().hex), updated_at=utcnow(),
                                       updated_by="").on_conflict_do_nothing())
        async with db.sessions() as s:
            value = await s.scalar(select(Setting.value).where(Setting.key == KEY))
    try:
        text = json.loads(value) if value is not None else ""
    except ValueError:
        text = ""
    if not isinstance(text, str) or not text:
        raise PayAppError(msg("installation.id_unreadable"))   # a hand-edited database
    return text

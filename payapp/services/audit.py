"""Append-only audit log. Writers call `record` inside their own transaction, so the audit entry
commits or rolls back with the change it describes."""

from __future__ import annotations

import json
import socket
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from payapp.models import AuditEvent
from payapp.services.auth import Actor

WORKSTATION = socket.gethostname()[:100]


def entry(actor: Actor | None, action: str, *, entity_type: str = "", entity_id: object = "",
          **details: Any) -> dict[str, Any]:
    """The column values of an audit row, for writers that insert with SQL Core in their own transaction.
    Never pass a secret value in `details` (fingerprints only)."""
    return {
        "user_id": actor.user_id if actor else None,
        "username": actor.username if actor else "",
        "workstation": WORKSTATION,
        "action": action,
        "entity_type": entity_type,
        "entity_id": str(entity_id) if entity_id != "" else "",
        "details": json.dumps(details, default=str, sort_keys=True),
    }


def record(session: AsyncSession, actor: Actor | None, action: str, *, entity_type: str = "",
           entity_id: object = "", **details: Any) -> AuditEvent:
    """Add an audit row to `session`. Never pass a secret value in `details` (fingerprints only)."""
    event = AuditEvent(**entry(actor, action, entity_type=entity_type, entity_id=entity_id, **details))
    session.add(event)
    return event

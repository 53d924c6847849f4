"""Where each entity's sync stands: the entities in foreign-key order, their Autotask names, and the cursor
kept per entity in `sync_cursors` (`{"last_id": N, "watermark": "<iso>", ...}`), with the ids of the records
a sync could not read (`skipped`), so that every later sync reads them again."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from payapp.connectors.psa.autotask import AutotaskRecordError

SYSTEM = "autotask"
ENTITIES = ("companies", "contacts", "contracts", "tickets", "invoices", "billing_items")
AT_NAMES = {"companies": "Companies", "contacts": "Contacts", "contracts": "Contracts", "tickets": "Tickets",
            "invoices": "Invoices", "billing_items": "BillingItems"}
MODIFIED_FIELD = {"companies": "lastTrackedModifiedDateTime", "contacts": "lastModifiedDate",
                  "contracts": "lastModifiedDateTime", "tickets": "lastTrackedModificationDateTime"}
#: entities whose records point at a company (a company missing from our table is fetched first)
HAS_COMPANY = frozenset({"contacts", "contracts", "tickets", "invoices"})


@dataclass
class Cursor:
    entity: str
    last_id: int = 0
    watermark: str = ""
    full_done: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def stored(cls, entity: str, text: str | None, full_done: bool) -> Cursor:
        """The cursor of a `sync_cursors` row."""
        data = json.loads(text or "{}")
        return cls(entity, int(data.pop("last_id", 0) or 0), str(data.pop("watermark", "") or ""), full_done, data)

    def dump(self) -> str:
        return json.dumps({"last_id": self.last_id, "watermark": self.watermark, **self.extra})


def skipped_payload(entity: str, record_id: str) -> str:
    """The payload of the sync problem of one skipped record (`entity` as Autotask names it)."""
    return json.dumps({"entity": entity, "record_id": record_id}, sort_keys=True)


def skipped_ids(c: Cursor) -> set[int]:
    raw = c.extra.get("skipped")
    return {i for i in raw if type(i) is int} if isinstance(raw, list) else set()


def add_skipped(c: Cursor, bad: Sequence[AutotaskRecordError]) -> None:
    """Remember skipped records that have a whole-number id, so later syncs read them again."""
    ids = skipped_ids(c)
    for exc in bad:
        with contextlib.suppress(ValueError):
            ident = int(exc.record_id)
            if 0 < ident < 2 ** 63:
                ids.add(ident)
    if ids:
        c.extra["skipped"] = sorted(ids)[-10_000:]

"""Typed access to the settings table, with the rules of `domain.settings_spec`, and the question every
payment path asks: is processing active, and why not?"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from payapp.domain.errors import ConflictError, ValidationError
from payapp.domain.gateways import GATEWAYS
from payapp.domain.roles import Permission
from payapp.domain.settings_spec import SPECS, spec
from payapp.models import Setting
from payapp.models.db import Database
from payapp.services import audit
from payapp.services.auth import CurrentUser
from payapp.services.secrets import SecretStore

PRIVATE_KEY = "gateway.private_key"
PUBLIC_KEY = "gateway.public_key"

#: Gateways PayApp speaks: their currencies and payment types. More gateways add a row.
GATEWAY_CURRENCIES: dict[str, frozenset[str]] = {g.name: g.currencies for g in GATEWAYS.values()}


@dataclass(frozen=True)
class ProcessingStatus:
    active: bool
    reason: str                           # why not, in plain words ("" when active)
    back_office: frozenset[str] = field(default_factory=frozenset)   # {"card", "echeck"}
    portal: frozenset[str] = field(default_factory=frozenset)
    currency: str = ""


class SettingsService:
    def __init__(self, db: Database, secrets: SecretStore, current: CurrentUser) -> None:
        self._db = db
        self._secrets = secrets
        self._current = current

    async def get(self, key: str) -> Any:
        s = spec(key)
        async with self._db.sessions() as session:
            row = await session.get(Setting, key)
        return s.default if row is None else s.type(json.loads(row.value))

    async def get_all(self) -> dict[str, Any]:
        async with self._db.sessions() as session:
            rows = (await session.scalars(select(Setting))).all()
        stored = {r.key: r.value for r in rows}
        return {s.key: (s.type(json.loads(stored[s.key])) if s.key in stored else s.default) for s in SPECS}

    async def set_many(self, values: dict[str, Any], *, audit_action: str = "settings.changed") -> None:
        """Write settings in one transaction, auditing old → new. Refuses set-once keys already set."""
        actor = self._current.actor
        for key, value in values.items():
            s = spec(key)
            if s.admin_only:
                actor = self._current.require(Permission.ADMINISTER)
            if not isinstance(value, s.type):
                raise ValidationError(f"{s.label}: expected {s.type.__name__}", field=key)
        async with self._db.transaction(lock=True) as session:
            changes: dict[str, list[Any]] = {}
            for key, value in values.items():
                s = spec(key)
                row = await session.get(Setting, key, with_for_update=True)
                old = s.default if row is None else s.type(json.loads(row.value))
                if old == value:
                    continue
                if s.set_once and old not in ("", None, s.default):
                    raise ConflictError(f"{s.label} is set to {old} and can never be changed.")
                if row is None:
                    session.add(Setting(key=key, value=json.dumps(value),
                                        updated_by=actor.username if actor else ""))
                else:
                    row.value = json.dumps(value)
                    row.updated_by = actor.username if actor else ""
                changes[key] = [old, value]
            if changes:
                audit.record(session, actor, audit_action, entity_type="settings", changes=changes)

    async def set(self, key: str, value: Any) -> None:
        await self.set_many({key: value})

    async def processing_status(self) -> ProcessingStatus:
        """Processing is active only with keys here, a currency the gateway supports, and at least one
        payment type enabled somewhere. The reason names the first thing missing."""
        s = await self.get_all()
        back = frozenset(t for t in ("card", "echeck") if s[f"payment_types.back_office.{t}"])
        portal = frozenset(t for t in ("card", "echeck") if s[f"payment_types.portal.{t}"])
        currency = s["currency"]
        stored_fp = s["gateway.private_key_fingerprint"]
        local_fp = self._secrets.fingerprint_of(PRIVATE_KEY)

        def inactive(reason: str) -> ProcessingStatus:
            return ProcessingStatus(False, reason, back, portal, currency)

        if not stored_fp:
            return inactive("Payment processing is not set up: enter the gateway keys in Admin.")
        if not local_fp:
            return inactive("The gateway keys are not on this workstation: enter them in Admin.")
        if local_fp != stored_fp:
            who = s["gateway.keys_changed_by"] or "another admin"
            return inactive(f"The gateway keys were replaced by {who} on another workstation: "
                            "enter the new keys here in Admin.")
        if not currency:
            return inactive("Choose the internal currency in Admin.")
        supported = GATEWAY_CURRENCIES.get(s["gateway.name"], frozenset())
        if currency not in supported:
            return inactive(f"The gateway does not support {currency}; it takes "
                            f"{', '.join(sorted(supported)) or 'no currency'}.")
        if not back and not portal:
            return inactive("No payment type is enabled: enable credit card or eCheck in Admin.")
        return ProcessingStatus(True, "", back, portal, currency)

"""Typed access to the settings table, with the rules of `domain.settings_spec`, and the question every
payment path asks: is processing active, and why not?

The answer needs this workstation's gateway key, which lives in the OS keyring. A keyring read can block
(D-Bus, an unlock prompt), so it never runs on the event loop's thread, and the key is kept in this
process's memory only (`LocalKeyCache`): never in a log, the database or a file. The cached key is
trusted only while its fingerprint equals the one the shared database names; anything else (keys
replaced here or on another workstation, a cold or old cache) reads the keyring again, off the loop."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from sqlalchemy import Connection, select

from payapp.domain.errors import ConflictError, ValidationError
from payapp.domain.gateways import ENVIRONMENTS, GATEWAYS, PAYMENT_TYPES, GatewaySpec, gateway_spec
from payapp.domain.messages import Message, msg
from payapp.domain.roles import Permission
from payapp.domain.settings_spec import SPECS, spec
from payapp.models import Setting
from payapp.models.db import Database
from payapp.services import audit
from payapp.services.auth import CurrentUser
from payapp.services.secrets import Secret, SecretStore, fingerprint

PRIVATE_KEY = "gateway.private_key"
PUBLIC_KEY = "gateway.public_key"
#: the secret-store entry of the QuickBooks Web Connector's password (payapp/services/qbwc.py)
QBWC_PASSWORD_SECRET = "qbwc.password"
PRIVATE_KEY_FINGERPRINT = "gateway.private_key_fingerprint"
#: Admin › Payment Processing: void at once a card payment whose CVV does not match (issue #12.7)
REFUSE_CVV_KEY = "payments.refuse_cvv_mismatch"
#: How long a cached key whose fingerprint still matches the database's is trusted before the keyring is
#: asked again (catches a key deleted from the keyring outside PayApp).
LOCAL_KEY_MAX_AGE_S = 300.0

#: Gateways PayApp speaks: their currencies and payment types. More gateways add a row.
GATEWAY_CURRENCIES: dict[str, frozenset[str]] = {g.name: g.currencies for g in GATEWAYS.values()}


@dataclass(frozen=True)
class ProcessingStatus:
    active: bool
    reason: str                           # why not, in English ("" when active): logs, tests
    back_office: frozenset[str] = field(default_factory=frozenset)   # {"card", "echeck"}
    portal: frozenset[str] = field(default_factory=frozenset)
    currency: str = ""
    gateway: str = ""                     # the chosen gateway's name (its saved methods are the ones it charges)
    #: why not, as a message (None when active): what the UI shows, in its language
    reason_message: Message | None = None


@dataclass(frozen=True)
class LocalKey:
    """This workstation's primary gateway credential as last read from the keyring (None: not there), with the
    gateway's other credentials (`extras`, by keyring name: a PayEngine merchant id)."""
    secret: Secret | None = field(repr=False)
    fingerprint: str                      # "" when absent
    read_at: float                        # time.monotonic() of the keyring read
    name: str = PRIVATE_KEY               # the keyring entry of `secret`
    extras: Mapping[str, Secret | None] = field(default_factory=dict, repr=False)


class LocalKeyCache:
    """The gateway credentials of this workstation, read from the keyring in a worker thread and kept in memory, one
    entry per gateway (by the keyring name of its primary credential), so taking a payment does not touch the
    keyring. See the module docstring for when it is read again; `forget()` after saving or clearing keys."""

    def __init__(self, secrets: SecretStore, name: str = PRIVATE_KEY, *, max_age_s: float = LOCAL_KEY_MAX_AGE_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._secrets = secrets
        self._name = name                   # the gateway last asked for: the one a payment most likely needs
        self._max_age_s = max_age_s
        self._clock = clock
        self._entries: dict[str, LocalKey] = {}
        self._extras: dict[str, tuple[str, ...]] = {}

    def peek(self, name: str | None = None) -> LocalKey | None:
        """The cached key if it is young enough to trust, without any I/O."""
        entry = self._entries.get(name or self._name)
        if entry is None or self._clock() - entry.read_at > self._max_age_s:
            return None
        return entry

    async def read(self, name: str | None = None, extra_names: tuple[str, ...] | None = None) -> LocalKey:
        """Ask the keyring (in a worker thread) and remember the answer."""
        name = name or self._name
        self._name = name
        extra = extra_names if extra_names is not None else self._extras.get(name, ())
        self._extras[name] = extra

        def work() -> tuple[Secret | None, dict[str, Secret | None]]:
            return self._secrets.get(name), {n: self._secrets.get(n) for n in extra}

        secret, extras = await asyncio.to_thread(work)
        entry = LocalKey(secret, fingerprint(secret.reveal()) if secret else "", self._clock(), name, extras)
        self._entries[name] = entry
        return entry

    async def for_gateway(self, gateway: GatewaySpec, stored_fingerprint: str) -> LocalKey:
        """The credentials of `gateway` to use under `stored_fingerprint` (its primary's, from the database)."""
        names = gateway.server_extras
        entry = self.peek(gateway.primary.name)
        if entry is not None and entry.fingerprint == stored_fingerprint and set(entry.extras) == set(names):
            return entry
        return await self.read(gateway.primary.name, names)

    async def matching(self, stored_fingerprint: str) -> LocalKey:
        """The key to compare with (and use under) `stored_fingerprint`: the cached one when it matches,
        else a fresh keyring read. With nothing stored, the keyring is not asked at all."""
        entry = self.peek()
        if entry is not None and (entry.fingerprint == stored_fingerprint or not stored_fingerprint):
            return entry
        if not stored_fingerprint:
            return LocalKey(None, "", self._clock(), self._name)
        return await self.read()

    def forget(self) -> None:
        self._entries.clear()


def settings_from_rows(rows: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Every setting (typed, defaults filled in) from (key, JSON value) rows of the settings table."""
    stored = dict(rows)
    return {s.key: (s.type(json.loads(stored[s.key])) if s.key in stored else s.default) for s in SPECS}


_ALL_SETTINGS = select(Setting.__table__.c.key, Setting.__table__.c.value)


def read_settings(conn: Connection) -> dict[str, Any]:
    """`settings_from_rows` on a blocking connection, for a unit of work that checks settings inside its own
    transaction (taking a payment reads them under the invoice lock: one round trip, not two)."""
    return settings_from_rows((key, value) for key, value in conn.execute(_ALL_SETTINGS))


#: PostgreSQL: a value that changes whenever a setting is written by anyone (a new row version has a new
#: transaction id in xmin; a removed row changes the count). A statement a unit of work runs anyway reads it as a
#: column, and `SettingsSnapshot` reads the settings themselves (their logo alone may be tens of kilobytes) only
#: when it changed.
SETTINGS_VERSION_SQL = "(SELECT count(*) || '.' || coalesce(max(xmin::text::bigint), 0) FROM settings)"


class SettingsSnapshot:
    """The settings one process read last, with the version they were read at: for hot paths (a portal page, a
    payment) that get the version with a statement of their own. Shared by threads, so what it returns is
    read-only; a new version (or none: SQLite, where reading them costs no round trip) reads them again."""

    def __init__(self) -> None:
        self._last: tuple[str, Mapping[str, Any]] | None = None

    def read(self, conn: Connection, version: str | None) -> Mapping[str, Any]:
        last = self._last
        if version is not None and last is not None and last[0] == version:
            return last[1]
        values: Mapping[str, Any] = MappingProxyType(read_settings(conn))
        if version is not None:
            # read after the version, so at least as new as it (a later write changes the version: read again)
            self._last = (version, values)
        return values


def current_gateway(s: Mapping[str, Any]) -> GatewaySpec | None:
    """The chosen gateway's row of the table (None: a name PayApp does not know)."""
    return gateway_spec(s["gateway.name"])


def primary_fingerprint(s: Mapping[str, Any], gateway: GatewaySpec | None = None) -> str:
    """The database's fingerprint of the chosen (or `gateway`'s) primary credential."""
    spec_ = gateway or current_gateway(s)
    return str(s.get(spec_.primary.fingerprint_key, "")) if spec_ is not None else ""


def evaluate_processing(s: Mapping[str, Any], local_fingerprint: str) -> ProcessingStatus:
    """Processing is active only with keys here, a currency the gateway supports, and at least one
    payment type enabled somewhere. The reason names the first thing missing. Pure: `s` are the
    settings (`get_all`), `local_fingerprint` that of this workstation's primary gateway credential ("" if none).
    A payment type counts only where the chosen gateway offers it on that channel in the internal currency
    (eCheck is US-only, SEPA euro-only)."""
    gateway = current_gateway(s)
    currency = s["currency"]
    names = [t for t, _ in PAYMENT_TYPES]
    offered = {env: gateway.types_for(env, currency) if gateway else frozenset() for env, _ in ENVIRONMENTS}
    # .get: a caller's settings read before a payment type was added simply have it off
    back = frozenset(t for t in names if s.get(f"payment_types.back_office.{t}") and t in offered["back_office"])
    portal = frozenset(t for t in names if s.get(f"payment_types.portal.{t}") and t in offered["portal"])
    stored_fp = primary_fingerprint(s, gateway)

    def inactive(reason: Message) -> ProcessingStatus:
        return ProcessingStatus(False, reason.english(), back, portal, currency, s["gateway.name"], reason)

    if gateway is None:
        # quoted as Python quotes it: a name PayApp does not know may be any text from the settings
        return inactive(msg("processing.gateway_unknown_choose", gateway=repr(s["gateway.name"])))
    if not stored_fp:
        return inactive(msg("processing.not_set_up"))
    if not local_fingerprint:
        return inactive(msg("processing.keys_not_here"))
    if local_fingerprint != stored_fp:
        who = s["gateway.keys_changed_by"]
        return inactive(msg("processing.keys_replaced_by", user=who) if who else msg("processing.keys_replaced"))
    if not currency:
        return inactive(msg("processing.choose_currency"))
    supported = GATEWAY_CURRENCIES.get(s["gateway.name"], frozenset())
    if currency not in supported:
        return inactive(msg("processing.currency_unsupported", currency=currency,
                            currencies=", ".join(sorted(supported))) if supported
                        else msg("processing.currency_unsupported_none", currency=currency))
    if not back and not portal:
        return inactive(msg("processing.no_payment_type"))
    return ProcessingStatus(True, "", back, portal, currency, s["gateway.name"])


class SettingsService:
    def __init__(self, db: Database, secrets: SecretStore, current: CurrentUser) -> None:
        self._db = db
        self._secrets = secrets
        self._current = current
        #: this workstation's gateway key, shared with the GatewayProvider built on this service
        self.local_key = LocalKeyCache(secrets)

    async def get(self, key: str) -> Any:
        s = spec(key)
        async with self._db.sessions() as session:
            row = await session.get(Setting, key)
        return s.default if row is None else s.type(json.loads(row.value))

    async def get_all(self) -> dict[str, Any]:
        async with self._db.sessions() as session:
            rows = (await session.execute(_ALL_SETTINGS)).all()
        return settings_from_rows((key, value) for key, value in rows)

    async def set_many(self, values: dict[str, Any], *, audit_action: str = "settings.changed",
                       audit_details: Mapping[str, Any] | None = None) -> None:
        """Write settings in one transaction, auditing old → new (with `audit_details`, e.g. the currency of an
        amount). Refuses set-once keys already set."""
        actor = self._current.actor
        for key, value in values.items():
            s = spec(key)
            if s.admin_only:
                actor = self._current.require(Permission.ADMINISTER)
            if not isinstance(value, s.type):
                raise ValidationError(msg("settings.wrong_type", setting=s.label, type=s.type.__name__), field=key)
        async with self._db.transaction(lock=True) as session:
            changes: dict[str, list[Any]] = {}
            for key, value in values.items():
                s = spec(key)
                row = await session.get(Setting, key, with_for_update=True)
                old = s.default if row is None else s.type(json.loads(row.value))
                if old == value:
                    continue
                if s.set_once and old not in ("", None, s.default):
                    raise ConflictError(msg("settings.set_once", setting=s.label, value=str(old)))
                if row is None:
                    session.add(Setting(key=key, value=json.dumps(value),
                                        updated_by=actor.username if actor else ""))
                else:
                    row.value = json.dumps(value)
                    row.updated_by = actor.username if actor else ""
                changes[key] = [old, value]
            if changes:
                audit.record(session, actor, audit_action, entity_type="settings", changes=changes,
                             **(audit_details or {}))

    async def set(self, key: str, value: Any) -> None:
        await self.set_many({key: value})

    async def processing_status(self, values: Mapping[str, Any] | None = None) -> ProcessingStatus:
        """Is processing active here, and why not (`evaluate_processing`)? `values`: settings already read
        by the caller (`get_all`), so a caller that needs them too reads them once."""
        s = values if values is not None else await self.get_all()
        gateway = current_gateway(s)
        if gateway is None:
            return evaluate_processing(s, "")
        stored = primary_fingerprint(s, gateway)
        if not stored:
            return evaluate_processing(s, "")
        local = await self.local_key.for_gateway(gateway, stored)
        return evaluate_processing(s, local.fingerprint)

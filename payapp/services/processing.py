"""Payment processing setup (Admin → Payment Processing): gateway address, keys in the OS keyring (the
database keeps fingerprints only), payment types, the internal currency (set once), and the refund approval
rule (voids and refunds above an amount wait for a second user: `services.refund_approvals`).

Every change is admin-only and audited; a key value never reaches the database, the audit log or a log."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from payapp.domain.errors import ConflictError, ValidationError
from payapp.domain.gateways import ENVIRONMENTS, GATEWAYS, PAYMENT_TYPE_LABELS, PAYMENT_TYPES, GatewaySpec, gateway_spec
from payapp.domain.messages import Message, msg
from payapp.domain.roles import Permission
from payapp.domain.validation import check_key_text, split_web_address
from payapp.services.auth import CurrentUser
from payapp.services.refund_approvals import THRESHOLD_KEY
from payapp.services.secrets import InsecureKeyringError, Secret, SecretStore
from payapp.services.settings import PRIVATE_KEY, PUBLIC_KEY, REFUSE_CVV_KEY, ProcessingStatus, SettingsService

if TYPE_CHECKING:
    from payapp.services.gateways import GatewayProvider

log = logging.getLogger(__name__)

CONNECTOR_MISSING = msg("test_keys.connector_missing")


@dataclass(frozen=True)
class KeyState:
    name: str
    label: str
    stored_fingerprint: str     # in the shared database
    local_fingerprint: str      # in this workstation's keyring

    @property
    def configured(self) -> bool:
        return bool(self.stored_fingerprint)

    @property
    def mismatch(self) -> bool:
        return self.stored_fingerprint != self.local_fingerprint


@dataclass(frozen=True)
class ProcessingPageState:
    gateway: GatewaySpec
    base_url: str
    environment: str                      # "production" | "sandbox"
    keys: tuple[KeyState, ...]
    keys_changed_by: str
    keys_changed_at: str
    payment_types: dict[str, bool]        # "back_office.card" → enabled
    currency: str                         # "" until chosen
    keyring_secure: bool
    keyring_backend: str
    status: ProcessingStatus
    #: voids and refunds above this (minor units of `currency`) need a second user's approval; 0 = off
    approval_threshold_minor: int = 0
    #: card payments whose CVV does not match are voided at once (issue #12.7); off by default
    refuse_cvv_mismatch: bool = False
    #: the keyring backends' modules (SecretStore.backend_modules), for naming the store in words
    keyring_modules: tuple[str, ...] = ()
    #: every gateway an admin can choose (domain.gateways.GATEWAYS), the chosen one among them
    gateways: tuple[GatewaySpec, ...] = ()

    def offered(self, environment: str) -> frozenset[str]:
        """The payment types the chosen gateway offers on `environment` in the internal currency (any while the
        currency is not chosen): eCheck is US-only, SEPA euro-only."""
        return self.gateway.types_for(environment, self.currency)

    @property
    def keys_configured(self) -> bool:
        return any(k.configured for k in self.keys)

    @property
    def keys_elsewhere(self) -> bool:
        """The shared database names keys this workstation's keyring does not hold."""
        return any(k.configured and k.mismatch for k in self.keys)

    @property
    def currency_supported(self) -> bool:
        return not self.currency or self.gateway.supports(self.currency)


def type_key(environment: str, payment_type: str) -> str:
    return f"payment_types.{environment}.{payment_type}"


def _valid_url(url: str) -> str:
    url = url.strip().rstrip("/")
    parts = split_web_address(url)
    loopback = parts is not None and parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts is None or (parts.scheme == "http" and not loopback):
        raise ValidationError(msg("processing.address_https"), field="gateway.base_url")
    if parts.username or parts.password or parts.query:
        raise ValidationError(msg("processing.address_extras"), field="gateway.base_url")
    return url


class ProcessingSetupService:
    def __init__(self, settings: SettingsService, secrets: SecretStore, current: CurrentUser,
                 gateways: GatewayProvider | None) -> None:
        self._settings = settings
        self._secrets = secrets
        self._current = current
        self._gateways = gateways

    async def _spec(self) -> GatewaySpec:
        name = await self._settings.get("gateway.name")
        spec = gateway_spec(name)
        if spec is None:
            raise ConflictError(msg("processing.unknown_gateway", gateway=repr(name)))
        return spec

    async def state(self) -> ProcessingPageState:
        self._current.require(Permission.ADMINISTER)
        s = await self._settings.get_all()
        spec = await self._spec()
        # OS keyring calls can block (D-Bus, an unlock prompt): never on the event loop's thread.
        local = await asyncio.to_thread(lambda: {f.name: self._secrets.fingerprint_of(f.name) for f in spec.fields})
        secure = await asyncio.to_thread(self._secrets.is_secure)
        keys = tuple(KeyState(f.name, f.label, s[f.fingerprint_key], local[f.name]) for f in spec.fields)
        base_url = s.get(spec.base_url_key) or spec.production_url
        environment = "production" if base_url.rstrip("/") == spec.production_url.rstrip("/") else "sandbox"
        types = {f"{env}.{t}": bool(s[type_key(env, t)]) for env, _ in ENVIRONMENTS for t, _ in PAYMENT_TYPES}
        return ProcessingPageState(
            gateway=spec, base_url=base_url, environment=environment, keys=keys,
            keys_changed_by=s["gateway.keys_changed_by"], keys_changed_at=s["gateway.keys_changed_at"],
            payment_types=types, currency=s["currency"], keyring_secure=secure,
            keyring_backend=self._secrets.backend_name, status=await self._settings.processing_status(s),
            approval_threshold_minor=int(s[THRESHOLD_KEY] or 0), refuse_cvv_mismatch=bool(s[REFUSE_CVV_KEY]),
            keyring_modules=self._secrets.backend_modules, gateways=tuple(GATEWAYS.values()))

    async def save_keys(self, private: Secret | None, public: Secret | None) -> dict[str, str]:
        """`save_credentials` for the private and the public key."""
        typed = {name: value for name, value in ((PRIVATE_KEY, private), (PUBLIC_KEY, public)) if value is not None}
        return await self.save_credentials(typed)

    async def save_credentials(self, typed: Mapping[str, Secret | None]) -> dict[str, str]:
        """Store typed credentials, by the keyring names the gateway declares (`GatewaySpec.fields`), in this
        workstation's keyring and their fingerprints in the database. `None` (or an empty secret) leaves that
        credential as it is. Refuses a plaintext keyring before storing anything. Returns the new fingerprints
        by keyring name."""
        actor = self._current.require(Permission.ADMINISTER)
        spec = await self._spec()
        fields = {f.name: f for f in spec.fields}
        unknown = sorted(name for name in typed if name not in fields)
        if unknown:       # a caller's mistake, never the user's: the page offers only the gateway's own fields
            raise ValueError(f"{spec.name} declares no credential {', '.join(unknown)}")
        entered = {name: value for name, value in typed.items() if value is not None and value.reveal().strip()}
        if not entered:
            raise ValidationError(msg("processing.key_missing"))
        for name, value in entered.items():
            check_key_text(value.reveal(), field=name)
        await asyncio.to_thread(self._secrets.check)   # InsecureKeyringError: nothing stored anywhere
        previous = await asyncio.to_thread(lambda: {name: self._secrets.get(name) for name in entered})
        values: dict[str, Any] = {}
        try:
            for name, value in entered.items():
                values[fields[name].fingerprint_key] = await asyncio.to_thread(
                    self._secrets.set, name, Secret(value.reveal().strip()))
            values["gateway.keys_changed_by"] = actor.display_name or actor.username
            values["gateway.keys_changed_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            await self._settings.set_many(values, audit_action="gateway.keys_replaced")
        except BaseException:
            for name, old in previous.items():       # keep keyring and database in step
                if old is None:
                    self._secrets.delete(name)
                else:
                    self._secrets.set(name, old)
            raise
        finally:
            self._settings.local_key.forget()        # the next payment reads the keyring again
        log.info("gateway keys replaced by %s", actor.username)
        return {name: values[fields[name].fingerprint_key] for name in entered}

    async def clear_keys(self) -> None:
        """Remove the keys from this workstation's keyring and the fingerprints from the database, which
        stops processing everywhere until keys are entered again."""
        actor = self._current.require(Permission.ADMINISTER)
        spec = await self._spec()
        values: dict[str, Any] = {f.fingerprint_key: "" for f in spec.fields}
        values["gateway.keys_changed_by"] = actor.display_name or actor.username
        values["gateway.keys_changed_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        await self._settings.set_many(values, audit_action="gateway.keys_cleared")
        try:
            for f in spec.fields:
                await asyncio.to_thread(self._secrets.delete, f.name)
        finally:
            self._settings.local_key.forget()

    async def save_payment_types(self, enabled: dict[str, bool]) -> None:
        """`enabled` maps "back_office.card"-style names to on/off; names not given stay as they are."""
        self._current.require(Permission.ADMINISTER)
        spec = await self._spec()
        values: dict[str, Any] = {}
        for name, on in enabled.items():
            env, _, ptype = name.partition(".")
            if env not in dict(ENVIRONMENTS) or ptype not in dict(PAYMENT_TYPES):
                raise ValidationError(msg("processing.unknown_payment_type", name=repr(name)))
            if on and ptype not in spec.types_for(env):
                raise ValidationError(msg("processing.type_not_offered_portal" if env == "portal"
                                          else "processing.type_not_offered",
                                          gateway=spec.label_message, payment_type=PAYMENT_TYPE_LABELS[ptype]))
            values[type_key(env, ptype)] = bool(on)
        await self._settings.set_many(values)

    async def save_gateway_address(self, environment: str, base_url: str = "") -> None:
        self._current.require(Permission.ADMINISTER)
        spec = await self._spec()
        if environment == "production":
            url = spec.production_url
        elif environment == "sandbox":
            url = _valid_url(base_url or spec.sandbox_url)
        else:
            raise ValidationError(msg("processing.unknown_environment", name=repr(environment)))
        await self._settings.set_many({spec.base_url_key: url})

    async def choose_gateway(self, name: str) -> None:
        """Make `name` the gateway new payments go through. Payments taken through the one chosen before keep it
        (`payments.gateway`): they are voided, refunded and reconciled through it, as long as its keys stay in the
        keyring. Payment types the new gateway does not offer are switched off. Audited as a settings change."""
        self._current.require(Permission.ADMINISTER)
        spec = gateway_spec(name)
        if spec is None:
            raise ValidationError(msg("processing.unknown_gateway", gateway=repr(name)), field="gateway.name")
        currency = await self._settings.get("currency")
        if currency and not spec.supports(currency):
            raise ValidationError(msg("processing.currency_not_supported", gateway=spec.label_message,
                                      currency=currency), field="gateway.name")
        values: dict[str, Any] = {"gateway.name": spec.name}
        for env, _ in ENVIRONMENTS:
            offered = spec.types_for(env, currency)
            for ptype, _label in PAYMENT_TYPES:
                if ptype not in offered:
                    values[type_key(env, ptype)] = False
        await self._settings.set_many(values)
        self._settings.local_key.forget()

    async def save_approval_threshold(self, amount_minor: int) -> None:
        """Voids and refunds above `amount_minor` (in the internal currency) need a second user's approval;
        0 switches the rule off. Audited as a settings change, old → new."""
        self._current.require(Permission.ADMINISTER)
        if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor < 0:
            raise ValidationError(msg("amount.not_an_amount"), field=THRESHOLD_KEY)
        currency = await self._settings.get("currency")      # the audit shows the amount as money
        await self._settings.set_many({THRESHOLD_KEY: amount_minor},
                                      audit_details={"currency": currency} if currency else None)

    async def save_refuse_cvv_mismatch(self, on: bool) -> None:
        """Refuse (void at once) card payments whose CVV does not match. Audited as a settings change."""
        self._current.require(Permission.ADMINISTER)
        await self._settings.set_many({REFUSE_CVV_KEY: bool(on)})

    async def set_currency(self, code: str) -> None:
        """Choose the internal currency. Once set it can never be changed (ConflictError)."""
        self._current.require(Permission.ADMINISTER)
        code = code.strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise ValidationError(msg("processing.currency_code"), field="currency")
        current = await self._settings.get("currency")
        if current and current != code:
            raise ConflictError(msg("processing.currency_set_once", currency=current))
        await self._settings.set_many({"currency": code}, audit_action="settings.currency_set")

    async def test_keys(self, private: Secret | None = None,
                        typed: Mapping[str, Secret | None] | None = None) -> tuple[bool, Message]:
        """A harmless look-up at the gateway with the saved credentials (or typed ones: `private` for the primary,
        `typed` by keyring name for any of the gateway's fields). Never charges."""
        self._current.require(Permission.ADMINISTER)
        if self._gateways is None:
            return False, CONNECTOR_MISSING
        try:
            ok, message = await self._gateways.test_keys(key=private, typed=typed)
        except InsecureKeyringError as exc:
            return False, exc.reason
        except Exception as exc:                      # network trouble: say so, never a traceback
            log.warning("key test failed: %s", type(exc).__name__)
            return False, msg("test_keys.unreachable")
        nmi = (await self._spec()).name == "nmi"
        if ok:
            return True, msg("test_keys.keys_work") if nmi else message
        # the NMI gateway's own words decide, in English whatever the admin's language
        if "authentication" in message.english().lower() and nmi:
            return False, msg("test_keys.authentication_failed")
        return False, message

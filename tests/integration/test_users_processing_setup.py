"""Payment processing setup (keys, payment types, currency) at service level, on both databases."""

from __future__ import annotations

import itertools
import json

import pytest
from keyring.backends.chainer import ChainerBackend
from sqlalchemy import select

from payapp.domain.errors import ConflictError, PermissionDenied, ValidationError
from payapp.models import AuditEvent, Setting
from payapp.models.db import Database
from payapp.services.auth import CurrentUser
from payapp.services.memory_keyring import MEMORY_BACKEND_MODULES, MemoryKeyring
from payapp.services.processing import CONNECTOR_MISSING, ProcessingSetupService
from payapp.services.secrets import ALLOWED_BACKENDS, SERVICE, InsecureKeyringError, Secret, SecretStore, fingerprint
from payapp.services.settings import PRIVATE_KEY, PUBLIC_KEY, SettingsService
from tests.conftest import ADMIN, FINANCE, TEST_ALLOWED_BACKENDS, VIEWER
from tests.plaintext_keyring import PlaintextKeyring

PRIV, PUB = "priv-6457Thfj624V5r7WUwc5v6a68Zsd6YEm", "pub-checkout_public_5Rx3"
TYPES = ("back_office.card", "back_office.echeck", "portal.card", "portal.echeck")


def make(database: Database, store: SecretStore, actor: object = ADMIN) -> ProcessingSetupService:
    current = CurrentUser(actor)  # type: ignore[arg-type]
    return ProcessingSetupService(SettingsService(database, store, current), store, current, None)


async def audit(database: Database) -> list[AuditEvent]:
    async with database.sessions() as s:
        return list((await s.scalars(select(AuditEvent).order_by(AuditEvent.id))).all())


async def test_save_keys_keyring_only_fingerprint_in_db_and_audit(database: Database,
                                                                  secret_store: SecretStore) -> None:
    svc = make(database, secret_store)
    fps = await svc.save_keys(Secret(PRIV), Secret(PUB))
    assert fps == {PRIVATE_KEY: fingerprint(PRIV), PUBLIC_KEY: fingerprint(PUB)}
    assert secret_store.get(PRIVATE_KEY) == Secret(PRIV) and secret_store.get(PUBLIC_KEY) == Secret(PUB)
    async with database.sessions() as s:
        values = " ".join(r.key + r.value for r in (await s.scalars(select(Setting))).all())
    assert PRIV not in values and PUB not in values and fingerprint(PRIV) in values
    events = await audit(database)
    assert [e.action for e in events] == ["gateway.keys_replaced"]
    details = json.loads(events[0].details)
    assert details["changes"]["gateway.private_key_fingerprint"] == ["", fingerprint(PRIV)]
    assert PRIV not in events[0].details and PUB not in events[0].details
    state = await svc.state()
    assert all(k.configured and not k.mismatch for k in state.keys)
    assert state.keys_changed_by == "Test Admin" and state.keys_changed_at


async def test_save_credentials_by_the_gateways_own_names(database: Database, secret_store: SecretStore) -> None:
    svc = make(database, secret_store)
    with pytest.raises(ValueError, match="no credential"):
        await svc.save_credentials({PRIVATE_KEY: Secret(PRIV), "gateway.api_login": Secret("login-1234")})
    assert secret_store.get(PRIVATE_KEY) is None and await audit(database) == []
    assert await svc.save_credentials({PUBLIC_KEY: Secret(PUB), PRIVATE_KEY: None}) == {PUBLIC_KEY: fingerprint(PUB)}
    assert secret_store.get(PUBLIC_KEY) == Secret(PUB) and secret_store.get(PRIVATE_KEY) is None


class ChainWithPlaintext(ChainerBackend):
    """keyring's chainer over a secure-looking backend and a plaintext one: the chain must be refused."""

    backends = [MemoryKeyring(), PlaintextKeyring()]  # type: ignore[assignment]


@pytest.mark.parametrize("backend", [ChainWithPlaintext, PlaintextKeyring], ids=["chainer", "plaintext"])
async def test_plaintext_keyring_refused_nothing_stored(database: Database, backend: type) -> None:
    kr = backend()
    for b in getattr(kr, "backends", [kr]):
        b.store.clear()
    store = SecretStore(kr, allow=ALLOWED_BACKENDS + MEMORY_BACKEND_MODULES)  # "tests." is not allowed here
    svc = make(database, store)
    with pytest.raises(InsecureKeyringError, match="plain text"):
        await svc.save_keys(Secret(PRIV), Secret(PUB))
    for b in getattr(kr, "backends", [kr]):
        assert not getattr(b, "store", {})
    async with database.sessions() as s:
        assert (await s.scalars(select(Setting))).all() == []
    assert await audit(database) == []
    assert not (await svc.state()).keyring_secure


async def test_save_keys_rolls_keyring_back_when_the_database_write_fails(database: Database,
                                                                          secret_store: SecretStore) -> None:
    svc = make(database, secret_store)
    await svc.save_keys(Secret(PRIV), None)

    async def broken(*_a: object, **_k: object) -> None:
        raise RuntimeError("database went away")

    svc._settings.set_many = broken  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        await svc.save_keys(Secret("another-key-value-1234"), Secret(PUB))
    assert secret_store.get(PRIVATE_KEY) == Secret(PRIV) and secret_store.get(PUBLIC_KEY) is None


async def test_clear_keys(database: Database, secret_store: SecretStore) -> None:
    svc = make(database, secret_store)
    await svc.save_keys(Secret(PRIV), Secret(PUB))
    await svc.clear_keys()
    assert secret_store.get(PRIVATE_KEY) is None and secret_store.get(PUBLIC_KEY) is None
    state = await svc.state()
    assert not state.keys_configured and not state.status.active
    assert (await audit(database))[-1].action == "gateway.keys_cleared"


async def test_all_sixteen_payment_type_combinations_with_and_without_keys(database: Database,
                                                                         secret_store: SecretStore) -> None:
    svc = make(database, secret_store)
    await svc.set_currency("USD")
    for with_keys in (False, True):
        if with_keys:
            await svc.save_keys(Secret(PRIV), Secret(PUB))
        for combo in itertools.product((False, True), repeat=4):
            await svc.save_payment_types(dict(zip(TYPES, combo, strict=True)))
            status = (await svc.state()).status
            assert status.active == (with_keys and any(combo)), (with_keys, combo, status.reason)
            if not with_keys:
                assert "not set up" in status.reason
            elif not any(combo):
                assert "No payment type" in status.reason
            else:
                assert status.reason == ""
                assert status.back_office == {t for t, on in zip(("card", "echeck"), combo[:2], strict=True) if on}
                assert status.portal == {t for t, on in zip(("card", "echeck"), combo[2:], strict=True) if on}


async def test_settings_change_audited_old_to_new(database: Database, secret_store: SecretStore) -> None:
    svc = make(database, secret_store)
    await svc.save_payment_types({"back_office.card": True, "portal.echeck": False})
    event = (await audit(database))[-1]
    assert event.action == "settings.changed" and event.username == "test-admin"
    assert json.loads(event.details)["changes"] == {"payment_types.back_office.card": [False, True]}


async def test_currency_is_set_once(database: Database, secret_store: SecretStore) -> None:
    svc = make(database, secret_store)
    with pytest.raises(ValidationError):
        await svc.set_currency("US")
    await svc.set_currency("usd")
    await svc.set_currency("USD")                       # the same value again is not a change
    with pytest.raises(ConflictError, match="never be changed"):
        await svc.set_currency("EUR")
    with pytest.raises(ConflictError):                  # and not behind the service's back either
        await svc._settings.set("currency", "EUR")
    assert (await svc.state()).currency == "USD"
    assert [e.action for e in await audit(database)] == ["settings.currency_set"]


async def test_unsupported_currency_keeps_processing_inactive(database: Database, secret_store: SecretStore) -> None:
    svc = make(database, secret_store)
    await svc.save_keys(Secret(PRIV), None)
    await svc.save_payment_types({"back_office.card": True})
    await svc.set_currency("EUR")
    state = await svc.state()
    assert not state.currency_supported and not state.status.active
    assert "does not support EUR" in state.status.reason and "USD" in state.status.reason


async def test_keys_from_another_workstation(database: Database, secret_store: SecretStore) -> None:
    svc = make(database, secret_store)
    await svc.set_currency("USD")
    await svc.save_payment_types({"back_office.card": True})
    await svc.save_keys(Secret(PRIV), Secret(PUB))
    other_store = SecretStore(MemoryKeyring(), allow=TEST_ALLOWED_BACKENDS)   # the same DB, another keyring
    other = make(database, other_store)
    state = await other.state()
    assert state.keys_elsewhere and not state.status.active
    assert "not on this workstation" in state.status.reason
    other_store.set(PRIVATE_KEY, Secret("an-older-key-123456"))
    state = await other.state()
    assert "replaced by Test Admin" in state.status.reason
    await other.save_keys(Secret(PRIV), Secret(PUB))
    assert (await other.state()).status.active and (await svc.state()).status.active


@pytest.mark.parametrize("actor", [FINANCE, VIEWER], ids=["finance", "viewer"])
async def test_only_admins_change_processing_settings(database: Database, secret_store: SecretStore,
                                                      actor: object) -> None:
    svc = make(database, secret_store, actor)
    for call in (svc.state(), svc.save_keys(Secret(PRIV), None), svc.clear_keys(),
                 svc.save_payment_types({"back_office.card": True}), svc.set_currency("USD"),
                 svc.save_gateway_address("production"), svc.test_keys()):
        with pytest.raises(PermissionDenied):
            await call
    assert secret_store.get(PRIVATE_KEY) is None
    assert await audit(database) == []


async def test_gateway_address_and_missing_connector(database: Database, secret_store: SecretStore) -> None:
    svc = make(database, secret_store)
    assert (await svc.state()).environment == "production"
    with pytest.raises(ValidationError):
        await svc.save_gateway_address("sandbox", "http://example.com")
    await svc.save_gateway_address("sandbox", "https://sandbox.example.com/")
    state = await svc.state()
    assert (state.environment, state.base_url) == ("sandbox", "https://sandbox.example.com")
    assert await svc.test_keys() == (False, CONNECTOR_MISSING)


def test_keyring_service_name() -> None:
    assert SERVICE == "payapp"


@pytest.mark.parametrize("actor", [ADMIN, FINANCE, VIEWER], ids=["admin", "finance", "viewer"])
async def test_settings_permissions_per_role(database: Database, secret_store: SecretStore, actor: object) -> None:
    current = CurrentUser(actor)  # type: ignore[arg-type]
    settings = SettingsService(database, secret_store, current)
    await settings.set("ui.language", "de")                       # a personal setting: every role
    if actor is ADMIN:
        await settings.set_many({"payment_types.portal.card": True, "sync.interval_minutes": 5})
        assert await settings.get("payment_types.portal.card") is True
    else:
        for key, value in (("payment_types.portal.card", True), ("gateway.base_url", "https://evil.example"),
                           ("gateway.private_key_fingerprint", "0" * 12), ("currency", "USD")):
            with pytest.raises(PermissionDenied):
                await settings.set(key, value)
        assert await settings.get("payment_types.portal.card") is False
    assert (await settings.processing_status()).active is False   # anyone may ask why not

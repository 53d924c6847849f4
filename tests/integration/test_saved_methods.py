"""Issue #15.13 on SQLite and PostgreSQL, with the sandbox gateway over real HTTP: a company's saved payment
methods are listed (cards expiring within 60 days, or expired, flagged), renamed (PayApp only), given a new
expiry (in the gateway's vault first: update_customer with ccexp) and deleted (in the vault too); viewing needs
VIEW, changing MANAGE_PAYMENT, and every change is audited."""

from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest
from sqlalchemy import select, update

from payapp.domain.errors import NotFound, PayAppError, PermissionDenied, ValidationError
from payapp.models import AuditEvent, SavedPaymentMethod
from payapp.models.db import Database
from payapp.services.auth import CurrentUser
from payapp.services.gateways import GatewayProvider
from payapp.services.payments import PaymentRequest
from payapp.services.saved_methods import EXPIRED, EXPIRING, SavedMethodService, expiry_state
from payapp.services.secrets import SecretStore
from payapp.services.settings import SettingsService
from tests.conftest import FINANCE, VIEWER
from tests.payment_helpers import (
    ServedGateway,
    bank,
    card,
    configure_processing,
    invoice_row,
    make_invoice,
    make_service,
)

TODAY = dt.datetime.now(dt.UTC)        # the payment engine checks expiries against the real date too


def mmyy(months_ahead: int) -> str:
    """The MMYY expiry `months_ahead` months from this month (negative: in the past)."""
    total = TODAY.year * 12 + TODAY.month - 1 + months_ahead
    return f"{total % 12 + 1:02d}{(total // 12) % 100:02d}"


SOON, PAST, LATER = mmyy(0), mmyy(-1), mmyy(36)    # SOON: ends this month, within 60 days


def saved_methods(db: Database, secrets: SecretStore, client: httpx.AsyncClient,
                  current: CurrentUser) -> SavedMethodService:
    gateways = GatewayProvider(client, SettingsService(db, secrets, current), secrets)
    return SavedMethodService(db, gateways, current, clock=lambda: TODAY)


async def _audits(db: Database) -> list[tuple[str, dict[str, object]]]:
    async with db.sessions() as s:
        rows = (await s.scalars(select(AuditEvent).where(AuditEvent.action.like("payment_method.%"))
                                .order_by(AuditEvent.id))).all()
    return [(a.action, json.loads(a.details)) for a in rows]


def test_expiry_flags() -> None:
    today = dt.date(2026, 12, 3)
    assert expiry_state("card", "1126", today) == EXPIRED          # ended 30 Nov 2026
    assert expiry_state("card", "1226", today) == EXPIRING         # ends 31 Dec 2026
    assert expiry_state("card", "0127", today) == EXPIRING         # 31 Jan 2027: 59 days
    assert expiry_state("card", "0227", today) == ""               # 28 Feb 2027: 87 days
    assert expiry_state("echeck", "", today) == "" and expiry_state("card", "", today) == ""
    assert expiry_state("card", "1399", today) == ""               # not a month: no flag, no crash


async def test_list_rename_update_expiry_delete(database: Database, secret_store: SecretStore,
                                               served_gateway: ServedGateway,
                                               http_client: httpx.AsyncClient) -> None:
    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=500_00)
    company_id = (await invoice_row(database, inv_id)).company_id
    other = await make_invoice(database, total_minor=50_00, company_name="Other Co", number="INV-2")
    pay = make_service(database, secret_store, http_client)
    assert (await pay.take_payment(PaymentRequest(inv_id, 10_00, card(expiry=SOON), save_method=True))).approved
    assert (await pay.take_payment(PaymentRequest(inv_id, 20_00, bank(), save_method=True))).approved
    assert (await pay.take_payment(PaymentRequest(other, 11_00, card(), save_method=True))).approved

    viewer = saved_methods(database, secret_store, http_client, CurrentUser(VIEWER))
    listed = await viewer.list(company_id)
    assert [(m.method, m.expiry_state) for m in listed] == [("echeck", ""), ("card", EXPIRING)]
    assert listed[0].is_default and listed[1].expiry == SOON and listed[1].holder_name == "Ada Lovelace"
    card_id = listed[1].id
    for change in (viewer.rename(card_id, "Office"), viewer.update_expiry(card_id, LATER), viewer.delete(card_id)):
        with pytest.raises(PermissionDenied):
            await change
    assert await _audits(database) == [(a, d) for a, d in await _audits(database) if a == "payment_method.saved"]

    svc = saved_methods(database, secret_store, http_client, CurrentUser(FINANCE))
    renamed = await svc.rename(card_id, "  Office   card ")
    assert renamed.nickname == "Office card" and renamed.label.startswith("Office card · Visa ····1111")
    with pytest.raises(ValidationError):
        await svc.rename(card_id, "x" * 61)

    vault_id = (await _row(database, card_id)).vault_id
    assert served_gateway.sandbox.vault[vault_id].cc_exp == SOON
    with pytest.raises(ValidationError, match="expired"):
        await svc.update_expiry(card_id, f"{PAST[:2]}/{PAST[2:]}")
    with pytest.raises(ValidationError):
        await svc.update_expiry(listed[0].id, LATER)                    # an eCheck has no expiry
    updated = await svc.update_expiry(card_id, f"{LATER[:2]}/{LATER[2:]}")
    assert updated.expiry == LATER and updated.expiry_state == ""
    assert served_gateway.sandbox.vault[vault_id].cc_exp == LATER      # the vault has it too
    # no longer flagged as expiring
    assert [m.expiry_state for m in await svc.list(company_id) if m.method == "card"] == [""]

    await svc.delete(card_id)
    assert vault_id not in served_gateway.sandbox.vault
    assert [m.method for m in await svc.list(company_id)] == ["echeck"]
    with pytest.raises(NotFound):
        await svc.delete(card_id)
    actions = await _audits(database)
    changes = [(a, d.get("old"), d.get("new")) for a, d in actions if a != "payment_method.saved"]
    assert changes == [("payment_method.renamed", "", "Office card"),
                       ("payment_method.expiry_updated", SOON, LATER),
                       ("payment_method.deleted", None, None)]
    assert all(d["company_id"] == company_id and d["last_four"] == "1111" for a, d in actions[-3:])


async def test_gateway_refusal_changes_nothing(database: Database, secret_store: SecretStore,
                                               served_gateway: ServedGateway,
                                               http_client: httpx.AsyncClient) -> None:
    """The vault entry is gone at the gateway (deleted elsewhere): a new expiry is refused and nothing changes;
    a delete still removes the row (already gone there counts as deleted)."""
    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=100_00)
    company_id = (await invoice_row(database, inv_id)).company_id
    pay = make_service(database, secret_store, http_client)
    assert (await pay.take_payment(PaymentRequest(inv_id, 10_00, card(), save_method=True))).approved
    svc = saved_methods(database, secret_store, http_client, CurrentUser(FINANCE))
    [m] = await svc.list(company_id)
    served_gateway.sandbox.vault.clear()
    with pytest.raises(PayAppError, match="old one"):
        await svc.update_expiry(m.id, LATER)
    assert (await _row(database, m.id)).expiry == "1230"
    await svc.delete(m.id)
    assert await svc.list(company_id) == []


async def test_expired_card_is_flagged(database: Database, secret_store: SecretStore, served_gateway: ServedGateway,
                                       http_client: httpx.AsyncClient) -> None:
    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=100_00)
    company_id = (await invoice_row(database, inv_id)).company_id
    pay = make_service(database, secret_store, http_client)
    assert (await pay.take_payment(PaymentRequest(inv_id, 10_00, card(), save_method=True))).approved
    async with database.transaction() as s:
        await s.execute(update(SavedPaymentMethod).values(expiry=PAST))
    [m] = await saved_methods(database, secret_store, http_client, CurrentUser(VIEWER)).list(company_id)
    assert m.expiry_state == EXPIRED


async def _row(db: Database, method_id: int) -> SavedPaymentMethod:
    async with db.sessions() as s:
        m = await s.get(SavedPaymentMethod, method_id)
        assert m is not None
        return m

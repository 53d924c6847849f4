"""Payment links (services/payment_links.py) on a real SQLite file and on PostgreSQL: only hashes stored, the same
answer for unknown, expired and revoked tokens, closed by themselves when the invoice is paid or voided."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from payapp.domain.errors import ConflictError, PermissionDenied, ValidationError
from payapp.models import AuditEvent, Invoice, PaymentLink
from payapp.models.db import Database
from payapp.services.auth import CurrentUser
from payapp.services.payment_links import PaymentLinkService, token_hash
from payapp.services.secrets import SecretStore
from payapp.services.settings import SettingsService
from tests.conftest import ADMIN, VIEWER
from tests.payment_helpers import make_invoice

PORTAL = "https://pay.example.com/"


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


async def _service(database: Database, secret_store: SecretStore, current: CurrentUser,
                   clock: Clock) -> PaymentLinkService:
    settings = SettingsService(database, secret_store, CurrentUser(ADMIN))
    await settings.set_many({"portal.public_url": PORTAL, "portal.link_lifetime_days": 7})
    return PaymentLinkService(database, settings, current, clock=clock)


def _token(url: str) -> str:
    assert url.startswith("https://pay.example.com/pay/")
    return url.rsplit("/", 1)[1]


async def test_a_link_opens_its_invoice_and_only_its_hash_is_stored(database: Database,
                                                                    secret_store: SecretStore) -> None:
    clock = Clock()
    links = await _service(database, secret_store, CurrentUser(ADMIN), clock)
    invoice_id = await make_invoice(database)
    issued = await links.issue(invoice_id)
    token = _token(issued.url)
    assert len(token) == 43                       # 256 bits, URL-safe
    assert issued.expires_at == clock.now + dt.timedelta(days=7)
    assert token not in repr(issued)
    opened = await links.open(token)
    assert opened is not None and opened.invoice_id == invoice_id and opened.closed == ""
    async with database.sessions() as s:
        stored = (await s.execute(select(PaymentLink))).scalars().all()
        events = (await s.execute(select(AuditEvent.details))).scalars().all()
    assert [row.token_hash for row in stored] == [token_hash(token)]
    assert all(token not in details for details in events)
    state = await links.state(invoice_id)
    assert state.active == 1 and state.last_opened_at == clock.now


async def test_unknown_expired_and_revoked_links_get_the_same_answer(database: Database,
                                                                     secret_store: SecretStore) -> None:
    clock = Clock()
    links = await _service(database, secret_store, CurrentUser(ADMIN), clock)
    first, second = await make_invoice(database, number="A-1"), await make_invoice(database, number="A-2")
    expiring = _token((await links.issue(first)).url)
    revoked = _token((await links.issue(second)).url)
    assert await links.revoke(second) == 1
    assert await links.revoke(second) == 0
    assert await links.open(revoked) is None
    assert await links.open("x" * 43) is None                       # unknown, well formed
    for junk in ("", "../etc/passwd", "a" * 1000, "é" * 43, "A-1"):
        assert await links.open(junk) is None
    clock.now += dt.timedelta(days=7)
    assert await links.open(expiring) is None
    assert (await links.state(first)).active == 0


async def test_a_paid_or_voided_invoice_closes_its_link_and_the_page_can_say_why(database: Database,
                                                                                secret_store: SecretStore) -> None:
    clock = Clock()
    links = await _service(database, secret_store, CurrentUser(ADMIN), clock)
    paid, voided = await make_invoice(database, number="P-1"), await make_invoice(database, number="V-1")
    paid_token, voided_token = _token((await links.issue(paid)).url), _token((await links.issue(voided)).url)
    async with database.transaction() as s:
        await s.execute(update(Invoice).where(Invoice.id == paid).values(balance_minor=0, paid_minor=100_00,
                                                                        status="paid"))
        await s.execute(update(Invoice).where(Invoice.id == voided).values(is_voided=True, status="voided"))
    assert (await links.open(paid_token)).closed == "paid"         # type: ignore[union-attr]
    assert (await links.open(voided_token)).closed == "voided"     # type: ignore[union-attr]
    assert (await links.state(paid)).active == 0
    with pytest.raises(ValidationError, match="paid in full"):
        await links.issue(paid)
    with pytest.raises(ValidationError, match="voided"):
        await links.issue(voided)


async def test_issuing_needs_the_portal_address_and_the_right_to_take_payments(database: Database,
                                                                              secret_store: SecretStore) -> None:
    invoice_id = await make_invoice(database)
    settings = SettingsService(database, secret_store, CurrentUser(ADMIN))
    with pytest.raises(ConflictError, match="Client Portal"):
        await PaymentLinkService(database, settings, CurrentUser(ADMIN)).issue(invoice_id)
    viewer = await _service(database, secret_store, CurrentUser(VIEWER), Clock())
    with pytest.raises(PermissionDenied):
        await viewer.issue(invoice_id)
    with pytest.raises(PermissionDenied):
        await viewer.revoke(invoice_id)

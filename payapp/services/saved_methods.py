"""Saved (vaulted) payment methods of a company: list, rename, a card's new expiry, delete (issue #15.13).

A saved method is a row in saved_payment_methods (display data only: brand, last four, expiry, account type,
holder) and an entry in the gateway's customer vault (the numbers, which PayApp never has). A new expiry and a
delete go to the vault first (NMI `customer_vault=update_customer` with `ccexp`, `customer_vault=delete_customer`)
and change the row only when the gateway agreed, so PayApp never shows an expiry the vault does not have. A
name ("Office card") is PayApp's own and stays local. Listing needs Permission.VIEW; every change needs
Permission.MANAGE_PAYMENT and is audited with the change in the same transaction.

Cards whose expiry month ends within `EXPIRY_WARNING` (60 days) are flagged "expiring", past ones "expired".
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import select

from payapp.connectors.gateways.port import gateway_words
from payapp.domain import validation
from payapp.domain.errors import NotFound, PayAppError, ValidationError
from payapp.domain.messages import msg
from payapp.domain.roles import Permission
from payapp.domain.validation import clean_typed_text
from payapp.models import PortalMethodOwner, SavedPaymentMethod
from payapp.models.db import Database
from payapp.services import audit
from payapp.services.auth import CurrentUser
from payapp.services.gateways import GatewayProvider

EXPIRY_WARNING = dt.timedelta(days=60)
NICKNAME_MAX = 60

EXPIRED = "expired"
EXPIRING = "expiring"


def expiry_end(expiry_mmyy: str) -> dt.date | None:
    """The last day a card with this MMYY expiry can be charged (the end of its month); None if not MMYY."""
    if len(expiry_mmyy) != 4 or not expiry_mmyy.isascii() or not expiry_mmyy.isdigit():
        return None
    month, year = int(expiry_mmyy[:2]), 2000 + int(expiry_mmyy[2:])
    if not 1 <= month <= 12:
        return None
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def expiry_state(method: str, expiry_mmyy: str, today: dt.date) -> str:
    """EXPIRED, EXPIRING (the card's last day is within 60 days) or "" (fine, or not a card)."""
    end = expiry_end(expiry_mmyy) if method == "card" else None
    if end is None:
        return ""
    if end < today:
        return EXPIRED
    return EXPIRING if end - today <= EXPIRY_WARNING else ""


@dataclass(frozen=True)
class SavedMethodView:
    id: int
    method: str                 # card | echeck
    brand: str
    last_four: str
    expiry: str                 # MMYY ("" for eChecks)
    account_type: str
    holder_name: str
    last_used_at: dt.datetime | None
    is_default: bool
    holder_type: str = ""       # eCheck: personal | business (PPD or CCD authorization)
    nickname: str = ""          # PayApp's own name for it ("Office card"), "" when none
    expiry_state: str = ""      # EXPIRED | EXPIRING | ""
    created_at: dt.datetime | None = None
    company_id: int = 0
    gateway: str = ""           # the gateway whose vault holds it (only that gateway can charge it)

    @property
    def label(self) -> str:
        if self.method == "card":
            exp = f" · {self.expiry[:2]}/{self.expiry[2:]}" if len(self.expiry) == 4 else ""
            base = f"{self.brand or 'Card'} ····{self.last_four}{exp}"
        else:
            base = f"eCheck {self.account_type} ····{self.last_four}"
        return f"{self.nickname} · {base}" if self.nickname else base


def _view(m: SavedPaymentMethod, is_default: bool, today: dt.date) -> SavedMethodView:
    return SavedMethodView(m.id, m.method, m.brand, m.last_four, m.expiry, m.account_type, m.holder_name,
                           m.last_used_at, is_default, m.account_holder_type, m.nickname or "",
                           expiry_state(m.method, m.expiry, today), m.created_at, m.company_id, m.gateway)


def views(rows: Iterable[SavedPaymentMethod], today: dt.date) -> list[SavedMethodView]:
    """Active saved methods as `SavedMethodService.list` shows them: the most recently used first (the default)."""
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    ordered = sorted(rows, key=lambda m: (m.last_used_at or epoch, m.created_at, m.id), reverse=True)
    return [_view(m, i == 0, today) for i, m in enumerate(ordered)]


class SavedMethodService:
    def __init__(self, db: Database, gateways: GatewayProvider, current: CurrentUser, *,
                 clock: Callable[[], dt.datetime] | None = None) -> None:
        self._db = db
        self._gateways = gateways
        self._current = current
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))

    def _today(self) -> dt.date:
        return self._clock().astimezone().date()

    async def list(self, company_id: int) -> list[SavedMethodView]:
        """The company's saved methods, the most recently used first (it is the default)."""
        self._current.require(Permission.VIEW)
        async with self._db.sessions() as s:
            rows = (await s.scalars(
                select(SavedPaymentMethod)
                .where(SavedPaymentMethod.company_id == company_id, SavedPaymentMethod.is_active.is_(True)))).all()
        return views(rows, self._today())

    async def _active(self, saved_method_id: int) -> SavedPaymentMethod:
        async with self._db.sessions() as s:
            m = await s.get(SavedPaymentMethod, saved_method_id)
        if m is None or not m.is_active:
            raise NotFound(msg("saved_method.already_deleted"))
        return m

    async def rename(self, saved_method_id: int, nickname: str) -> SavedMethodView:
        """PayApp's own name for the method ("" clears it); the gateway is not asked."""
        actor = self._current.require(Permission.MANAGE_PAYMENT)
        name = " ".join(clean_typed_text(nickname if isinstance(nickname, str) else "").split())
        if len(name) > NICKNAME_MAX:
            raise ValidationError(msg("saved_method.name_length", characters=NICKNAME_MAX), field="nickname")
        async with self._db.transaction(lock=True) as s:
            m = await s.get(SavedPaymentMethod, saved_method_id, with_for_update=True)
            if m is None or not m.is_active:
                raise NotFound(msg("saved_method.already_deleted"))
            old = m.nickname or ""
            if old != name:
                m.nickname = name
                audit.record(s, actor, "payment_method.renamed", entity_type="saved_payment_method",
                             entity_id=m.id, company_id=m.company_id, method=m.method, last_four=m.last_four,
                             old=old, new=name)
            view = _view(m, False, self._today())
        return view

    async def update_expiry(self, saved_method_id: int, expiry: str) -> SavedMethodView:
        """A card's new expiry ("MM/YY"), in the gateway's vault first (update_customer with ccexp), then here."""
        actor = self._current.require(Permission.MANAGE_PAYMENT)
        m = await self._active(saved_method_id)
        if m.method != "card":
            raise ValidationError(msg("saved_method.expiry_card_only"), field="expiry")
        mmyy = validation.check_expiry(expiry, today=self._today()).mmyy()
        if mmyy == m.expiry:
            return _view(m, False, self._today())
        gateway = await self._gateways.for_gateway(m.gateway)      # the vault that holds it
        response = await gateway.vault_update_expiry(m.vault_id, mmyy)
        if not response.approved:
            raise PayAppError(msg("saved_method.expiry_not_taken", reason=response.message or msg("gateway.no_answer")))
        async with self._db.transaction(lock=True) as s:
            m2 = await s.get(SavedPaymentMethod, saved_method_id, with_for_update=True)
            if m2 is None or not m2.is_active:
                raise NotFound(msg("saved_method.deleted_meanwhile"))
            old = m2.expiry
            m2.expiry = mmyy
            audit.record(s, actor, "payment_method.expiry_updated", entity_type="saved_payment_method",
                         entity_id=m2.id, company_id=m2.company_id, method=m2.method, last_four=m2.last_four,
                         old=old, new=mmyy)
            view = _view(m2, False, self._today())
        return view

    async def delete(self, saved_method_id: int) -> None:
        """Delete it in the gateway's vault (already gone there counts as deleted), then here."""
        actor = self._current.require(Permission.MANAGE_PAYMENT)
        m = await self._active(saved_method_id)
        gateway = await self._gateways.for_gateway(m.gateway)
        response = await gateway.vault_delete(m.vault_id)
        gone_at_gateway = response.approved or "invalid customer vault id" in gateway_words(response.message).lower()
        if not gone_at_gateway:
            raise PayAppError(msg("saved_method.delete_not_done", reason=response.message or msg("gateway.no_answer")))
        async with self._db.transaction(lock=True) as s:
            m2 = await s.get(SavedPaymentMethod, saved_method_id, with_for_update=True)
            if m2 is not None and m2.is_active:
                m2.is_active = False
                audit.record(s, actor, "payment_method.deleted", entity_type="saved_payment_method",
                             entity_id=m2.id, company_id=m2.company_id, method=m2.method, last_four=m2.last_four)

    async def delete_for_portal_user(self, saved_method_id: int, contact_id: int) -> None:
        """A signed-in client portal user deletes a method they saved (the portal's actor takes payments; it may
        delete only a method that portal_method_owners gives to this contact). As `delete`: the vault first."""
        actor = self._current.require(Permission.TAKE_PAYMENT)
        async with self._db.sessions() as s:
            owner = await s.get(PortalMethodOwner, saved_method_id)
        if owner is None or owner.contact_id != contact_id:
            raise NotFound(msg("saved_method.already_deleted"))
        m = await self._active(saved_method_id)
        gateway = await self._gateways.gateway()
        response = await gateway.vault_delete(m.vault_id)
        if not (response.approved or "invalid customer vault id" in gateway_words(response.message).lower()):
            raise PayAppError(msg("saved_method.delete_not_done", reason=response.message or msg("gateway.no_answer")))
        async with self._db.transaction(lock=True) as s:
            m2 = await s.get(SavedPaymentMethod, saved_method_id, with_for_update=True)
            if m2 is not None and m2.is_active:
                m2.is_active = False
                audit.record(s, actor, "payment_method.deleted", entity_type="saved_payment_method",
                             entity_id=m2.id, company_id=m2.company_id, method=m2.method, last_four=m2.last_four,
                             portal_contact_id=contact_id)

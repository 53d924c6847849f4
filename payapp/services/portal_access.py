"""Who may pay on the client portal (issue #17.4): a per-contact choice in the desktop app.

Every active contact of an organization can sign in to the portal and see the organization's recent invoices.
Only the contacts allowed to pay see the payment window. The merchant chooses per contact (Admin › Client Portal ›
Who may pay); a contact nobody chose for follows the default: the organization's primary contact (Autotask's
Contacts.primaryContact, kept as contacts.is_primary by the sync) may pay, the others see invoices only. An
explicit choice is a row in portal_contact_access; "Use the default" deletes it. Each change is audited.

How clients reach the portal at all is the `portal.access_mode` setting: secret payment links, sign-in, or both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, select

from payapp.domain.errors import NotFound, ValidationError
from payapp.domain.messages import msg
from payapp.domain.roles import Permission
from payapp.models import Company, Contact, PortalContactAccess
from payapp.models.db import Database
from payapp.services import audit
from payapp.services.auth import CurrentUser

ACCESS_LINKS = "links"
ACCESS_SIGNIN = "signin"
ACCESS_BOTH = "both"
ACCESS_MODES = (ACCESS_LINKS, ACCESS_SIGNIN, ACCESS_BOTH)
SEARCH_LIMIT = 50


def access_mode(value: object) -> str:
    """The setting's value as one of ACCESS_MODES (anything else: links only, part 1's behaviour)."""
    return value if isinstance(value, str) and value in ACCESS_MODES else ACCESS_LINKS


def links_allowed(mode: object) -> bool:
    return access_mode(mode) in (ACCESS_LINKS, ACCESS_BOTH)


def signin_allowed(mode: object) -> bool:
    return access_mode(mode) in (ACCESS_SIGNIN, ACCESS_BOTH)


def may_pay(choice: bool | None, is_primary: bool) -> bool:
    """The merchant's choice for the contact, or the default (the primary contact may pay)."""
    return is_primary if choice is None else choice


@dataclass(frozen=True)
class PortalContact:
    id: int
    company_id: int
    name: str
    email: str
    is_active: bool
    is_primary: bool
    choice: bool | None         # None: the default applies
    may_pay: bool


_C = Contact.__table__.c
_A = PortalContactAccess.__table__.c
_CONTACT_ACCESS = (select(_C.id, _C.company_id, _C.first_name, _C.last_name, _C.email, _C.is_active, _C.is_primary,
                          _A.may_pay)
                   .select_from(Contact.__table__.outerjoin(PortalContactAccess.__table__,
                                                             _A.contact_id == _C.id)))


def contact_may_pay_on(conn: Connection, contact_id: int) -> bool:
    """For the portal's own blocking connection: may this contact pay now (False for an unknown or inactive one)?"""
    row = conn.execute(_CONTACT_ACCESS.where(_C.id == bindparam("contact_id")), {"contact_id": contact_id}).first()
    return row is not None and bool(row.is_active) and may_pay(row.may_pay, bool(row.is_primary))


def _portal_contact(row: Any) -> PortalContact:
    name = " ".join(part for part in (row.first_name, row.last_name) if part)
    choice = None if row.may_pay is None else bool(row.may_pay)
    return PortalContact(int(row.id), int(row.company_id), name, str(row.email or ""), bool(row.is_active),
                         bool(row.is_primary), choice, may_pay(choice, bool(row.is_primary)))


class PortalAccessService:
    def __init__(self, db: Database, current: CurrentUser, *,
                 clock: Callable[[], dt.datetime] | None = None) -> None:
        self._db = db
        self._current = current
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))

    async def companies(self, text: str) -> list[tuple[int, str]]:
        """Organizations whose name contains `text` (case-insensitive), at most SEARCH_LIMIT, by name."""
        self._current.require(Permission.VIEW)
        wanted = " ".join(str(text or "").split())[:100].lower()
        escaped = wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = select(Company.id, Company.name).order_by(Company.name, Company.id).limit(SEARCH_LIMIT)
        if escaped:
            stmt = stmt.where(func.lower(Company.name).like(f"%{escaped}%", escape="\\"))
        async with self._db.sessions() as s:
            return [(int(i), str(n)) for i, n in (await s.execute(stmt)).all()]

    async def contacts(self, company_id: int) -> list[PortalContact]:
        """The organization's contacts with who may pay, the primary contact first."""
        self._current.require(Permission.VIEW)
        stmt = _CONTACT_ACCESS.where(_C.company_id == company_id).order_by(
            _C.is_primary.desc(), _C.last_name, _C.first_name, _C.id)
        async with self._db.sessions() as s:
            rows = (await s.execute(stmt)).all()
        return [_portal_contact(r) for r in rows]

    async def set_may_pay(self, contact_id: int, choice: bool | None) -> PortalContact:
        """Allow (True) or refuse (False) paying on the portal, or go back to the default (None). Admins only."""
        actor = self._current.require(Permission.ADMINISTER)
        if choice is not None and not isinstance(choice, bool):
            raise ValidationError(msg("portal_access.may_pay_choice"), field="may_pay")
        now = self._clock()
        async with self._db.transaction(lock=True) as s:
            contact = await s.get(Contact, contact_id)
            if contact is None:
                raise NotFound(msg("contact.gone"))
            row = await s.get(PortalContactAccess, contact_id, with_for_update=True)
            old = None if row is None else bool(row.may_pay)
            if old != choice:
                if choice is None:
                    await s.execute(delete(PortalContactAccess).where(PortalContactAccess.contact_id == contact_id))
                elif row is None:
                    s.add(PortalContactAccess(contact_id=contact_id, may_pay=choice, changed_at=now,
                                              changed_by_name=actor.display_name or actor.username))
                else:
                    row.may_pay, row.changed_at = choice, now
                    row.changed_by_name = actor.display_name or actor.username
                audit.record(s, actor, "portal.contact_access", entity_type="contact", entity_id=contact_id,
                             company_id=contact.company_id, old=_word(old), new=_word(choice))
            name = " ".join(part for part in (contact.first_name, contact.last_name) if part)
            result = PortalContact(contact.id, contact.company_id, name, contact.email, contact.is_active,
                                   contact.is_primary, choice, may_pay(choice, contact.is_primary))
        return result


def _word(choice: bool | None) -> str:
    return "default" if choice is None else "may_pay" if choice else "invoices_only"

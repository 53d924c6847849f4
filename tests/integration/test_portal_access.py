"""Who may pay on the client portal (issue #17.4): the primary contact by default, a per-contact choice that an
admin sets and that is audited, and the access-mode setting read totally."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from payapp.domain.errors import PermissionDenied
from payapp.models import AuditEvent, Company, Contact
from payapp.models.db import Database
from payapp.services.auth import CurrentUser
from payapp.services.portal_access import PortalAccessService, access_mode, links_allowed, signin_allowed
from tests.conftest import ADMIN, FINANCE


async def org(db: Database) -> tuple[int, list[int]]:
    async with db.transaction() as s:
        company = Company(name="Contoso 100% Ltd", number="C1")
        s.add(company)
        await s.flush()
        people = [Contact(company_id=company.id, first_name="Ada", last_name="Lovelace", email="ada@contoso.test",
                          is_primary=True),
                  Contact(company_id=company.id, first_name="Bob", last_name="Builder", email="bob@contoso.test"),
                  Contact(company_id=company.id, first_name="Cy", last_name="Old", email="cy@contoso.test",
                          is_active=False)]
        s.add_all(people)
        await s.flush()
        return company.id, [p.id for p in people]


async def test_primary_contact_may_pay_by_default_and_choices_are_audited(database: Database) -> None:
    company_id, (ada, bob, cy) = await org(database)
    current = CurrentUser(ADMIN)
    access = PortalAccessService(database, current)
    assert await access.companies("100%") == [(company_id, "Contoso 100% Ltd")]     # % is a letter here
    assert await access.companies("nobody") == []
    listed = {c.id: c for c in await access.contacts(company_id)}
    assert next(c.id for c in await access.contacts(company_id)) == ada               # the primary first
    assert listed[ada].may_pay and listed[ada].choice is None
    assert not listed[bob].may_pay and not listed[cy].may_pay

    assert (await access.set_may_pay(bob, True)).may_pay
    assert not (await access.set_may_pay(ada, False)).may_pay
    listed = {c.id: c for c in await access.contacts(company_id)}
    assert listed[bob].may_pay and listed[bob].choice is True and not listed[ada].may_pay
    assert (await access.set_may_pay(ada, None)).may_pay                              # back to the default
    await access.set_may_pay(ada, None)                                               # no change: no audit

    async with database.sessions() as s:
        rows = (await s.scalars(select(AuditEvent.details).where(AuditEvent.action == "portal.contact_access")
                                .order_by(AuditEvent.id))).all()
    assert [(json.loads(d)["old"], json.loads(d)["new"]) for d in rows] == [
        ("default", "may_pay"), ("default", "invoices_only"), ("invoices_only", "default")]

    current.actor = FINANCE
    with pytest.raises(PermissionDenied):
        await access.set_may_pay(bob, False)


@pytest.mark.parametrize(("value", "mode", "links", "signin"), [
    ("links", "links", True, False), ("signin", "signin", False, True), ("both", "both", True, True),
    ("", "links", True, False), ("SIGNIN", "links", True, False), (None, "links", True, False)])
def test_access_mode_is_read_totally(value: object, mode: str, links: bool, signin: bool) -> None:
    assert access_mode(value) == mode and links_allowed(value) is links and signin_allowed(value) is signin

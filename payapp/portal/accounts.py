"""Signed-in portal users (issue #17.4), as units of work on the portal store's blocking connection.

- A contact asks for a sign-in link with their e-mail address: every active contact with that address gets a
  one-time token (256 random bits; only its SHA-256 is stored, in portal_signin_tokens), good for 15 minutes.
- Opening the e-mailed link and pressing "Sign in" uses the token up in one UPDATE ... WHERE used_at IS NULL AND
  expires_at > now RETURNING (two tabs cannot both sign in with it) and starts a session: a random cookie value
  whose SHA-256 is a row of portal_user_sessions (so any worker process or host knows it; signing out deletes it).
- A signed-in contact sees the organization's recent invoices; one who may pay (payapp.services.portal_access)
  pays through a payment link minted for them here, so the pay, review, confirm and result pages are part 1's.
- Saved methods a signed-in contact saves belong to them (portal_method_owners): they are offered to them only,
  and payment-link visitors are offered only methods nobody owns.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, bindparam, delete, exists, func, insert, select, update

from payapp.domain.payment_state import InvoiceStatus
from payapp.models import (
    Company,
    Contact,
    Invoice,
    PaymentLink,
    PortalMethodOwner,
    PortalSignInToken,
    PortalUserSession,
    SavedPaymentMethod,
)
from payapp.services.payment_links import TOKEN_BYTES, token_hash, well_formed
from payapp.services.portal_access import contact_may_pay_on
from payapp.services.saved_methods import SavedMethodView, views

SIGNIN_LIFETIME = dt.timedelta(minutes=15)
SESSION_LIFETIME = dt.timedelta(hours=8)
#: a payment link minted for a signed-in contact's Pay button works this long
PAY_LINK_LIFETIME = dt.timedelta(hours=2)
RECENT_INVOICES = 50
#: at most this many contacts share one e-mail address (each gets its own link, naming its organization)
MAX_CONTACTS_PER_EMAIL = 5
EMAIL_MAX = 200

_C = Contact.__table__.c
_CO = Company.__table__.c
_INV = Invoice.__table__.c
_TOK = PortalSignInToken.__table__
_SES = PortalUserSession.__table__
_OWN = PortalMethodOwner.__table__
_SAVED = SavedPaymentMethod.__table__


def normalized_email(text: object) -> str:
    """The e-mail address as typed, trimmed and lower-cased ("" when it cannot be one)."""
    if not isinstance(text, str):
        return ""
    email = text.strip().lower()
    if len(email) > EMAIL_MAX or email.count("@") != 1 or any(ch.isspace() for ch in email):
        return ""
    local, _at, domain = email.partition("@")
    return email if local and "." in domain.strip(".") else ""


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class SignInLink:
    """One contact's new sign-in token (only in memory, on its way into an e-mail)."""
    contact_id: int
    token: str
    first_name: str
    company_name: str


@dataclass(frozen=True)
class PortalUser:
    contact_id: int
    company_id: int
    company_name: str
    name: str
    email: str
    may_pay: bool


def issue_signin_links(conn: Connection, email: str, now: dt.datetime) -> list[SignInLink]:
    """A new one-time token for each active contact with this e-mail address (none for an unknown one)."""
    if not email:
        return []
    rows = conn.execute(
        select(_C.id, _C.first_name, _CO.name).select_from(Contact.__table__.join(Company.__table__,
                                                                                  _CO.id == _C.company_id))
        .where(func.lower(_C.email) == email, _C.is_active.is_(True))
        .order_by(_C.id).limit(MAX_CONTACTS_PER_EMAIL)).all()
    links = []
    for contact_id, first_name, company_name in rows:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        conn.execute(insert(_TOK).values(token_hash=_sha(token), contact_id=contact_id, created_at=now,
                                         expires_at=now + SIGNIN_LIFETIME, used_at=None))
        links.append(SignInLink(int(contact_id), token, str(first_name or ""), str(company_name or "")))
    return links


def signin_token_usable(conn: Connection, token: str, now: dt.datetime) -> bool:
    """The token could sign in now (not used, not expired, known): the "Sign in" page shows its button."""
    if not well_formed(token):
        return False
    wanted = _sha(token)
    row = conn.execute(select(_TOK.c.token_hash).where(_TOK.c.token_hash == wanted, _TOK.c.used_at.is_(None),
                                                       _TOK.c.expires_at > now)).first()
    return row is not None and hmac.compare_digest(row.token_hash, wanted)


def use_signin_token(conn: Connection, token: str, now: dt.datetime) -> tuple[str, int] | None:
    """Use the token up and start a session: (the session cookie's value, contact id), or None for a token that
    is unknown, used, expired or whose contact is no longer active (one answer for all)."""
    if not well_formed(token):
        return None
    stmt = (update(_TOK).where(_TOK.c.token_hash == _sha(token), _TOK.c.used_at.is_(None), _TOK.c.expires_at > now)
            .values(used_at=now).returning(_TOK.c.contact_id))
    contact_id = conn.execute(stmt).scalar()
    if contact_id is None:
        return None
    active = conn.execute(select(_C.is_active).where(_C.id == contact_id)).scalar()
    if not active:
        return None
    session = secrets.token_urlsafe(TOKEN_BYTES)
    conn.execute(insert(_SES).values(session_hash=_sha(session), contact_id=contact_id, created_at=now,
                                     expires_at=now + SESSION_LIFETIME))
    return session, int(contact_id)


_USER = (select(_C.id, _C.company_id, _C.first_name, _C.last_name, _C.email, _C.is_active, _CO.name,
                _SES.c.session_hash)
         .select_from(_SES.join(Contact.__table__, _C.id == _SES.c.contact_id)
                      .join(Company.__table__, _CO.id == _C.company_id))
         .where(_SES.c.session_hash == bindparam("wanted"), _SES.c.expires_at > bindparam("now")))


def session_user(conn: Connection, session: str, now: dt.datetime) -> PortalUser | None:
    """The signed-in contact of a session cookie's value (None: no, an expired or an unknown session)."""
    if not well_formed(session):
        return None
    wanted = _sha(session)
    row = conn.execute(_USER, {"wanted": wanted, "now": now}).first()
    if row is None or not row.is_active or not hmac.compare_digest(row.session_hash, wanted):
        return None
    name = " ".join(part for part in (row.first_name, row.last_name) if part) or str(row.email)
    return PortalUser(int(row.id), int(row.company_id), str(row.name), name, str(row.email),
                      contact_may_pay_on(conn, int(row.id)))


def end_session(conn: Connection, session: str) -> None:
    if well_formed(session):
        conn.execute(delete(_SES).where(_SES.c.session_hash == _sha(session)))


def prune(conn: Connection, now: dt.datetime) -> None:
    """Tokens and sessions that can no longer be used (now and then, with the rate-limit counters)."""
    conn.execute(delete(_TOK).where(_TOK.c.expires_at < now - dt.timedelta(days=1)))
    conn.execute(delete(_SES).where(_SES.c.expires_at < now))


@dataclass(frozen=True)
class RecentInvoice:
    id: int
    number: str
    invoice_date: dt.date
    due_date: dt.date | None
    currency: str
    total_minor: int
    balance_minor: int
    paid: bool


def recent_invoices(conn: Connection, company_id: int) -> list[RecentInvoice]:
    """The organization's newest invoices, open and paid (voided ones are left out)."""
    rows = conn.execute(
        select(_INV.id, _INV.invoice_number, _INV.invoice_date, _INV.due_date, _INV.currency, _INV.total_minor,
               _INV.balance_minor)
        .where(_INV.company_id == company_id, _INV.is_voided.is_(False), _INV.status != InvoiceStatus.VOIDED.value)
        .order_by(_INV.invoice_date.desc(), _INV.id.desc()).limit(RECENT_INVOICES)).all()
    return [RecentInvoice(int(r.id), str(r.invoice_number), r.invoice_date, r.due_date, str(r.currency),
                          int(r.total_minor), int(r.balance_minor), r.balance_minor <= 0) for r in rows]


def mint_pay_link(conn: Connection, user: PortalUser, invoice_id: int, now: dt.datetime) -> str | None:
    """A payment link to the invoice for a signed-in contact who may pay: the token, or None when the invoice is
    not the contact's organization's or has nothing to pay."""
    if not user.may_pay:
        return None
    row = conn.execute(select(_INV.company_id, _INV.balance_minor, _INV.is_voided, _INV.status)
                       .where(_INV.id == invoice_id)).first()
    if (row is None or row.company_id != user.company_id or row.is_voided or row.balance_minor <= 0
            or row.status == InvoiceStatus.VOIDED.value):
        return None
    token = secrets.token_urlsafe(TOKEN_BYTES)
    conn.execute(insert(PaymentLink.__table__).values(
        invoice_id=invoice_id, token_hash=token_hash(token), created_at=now, expires_at=now + PAY_LINK_LIFETIME,
        created_by_name=f"Client portal: {user.name}"[:100], revoked_reason=""))
    return token


def methods_for(conn: Connection, company_id: int, owner: int | None, today: dt.date) -> list[SavedMethodView]:
    """The saved methods offered on a payment page: a signed-in contact's own (`owner`), or for a payment link's
    visitor (None) those of the company that no portal user owns. The most recently used first (the default)."""
    if owner is None:
        rows: Any = conn.execute(_UNOWNED_METHODS, {"company_id": company_id}).all()
    else:
        rows = conn.execute(_OWNED_METHODS, {"company_id": company_id, "owner": owner}).all()
    return views(cast("list[SavedPaymentMethod]", rows), today)


# built once: each page asks one of them, and building a statement (and its cache key) each time cost more than
# running it
_OWNED = exists().where(_OWN.c.saved_method_id == _SAVED.c.id)
_ACTIVE_METHODS = select(_SAVED).where(_SAVED.c.company_id == bindparam("company_id"), _SAVED.c.is_active.is_(True))
_UNOWNED_METHODS = _ACTIVE_METHODS.where(~_OWNED)
_OWNED_METHODS = _ACTIVE_METHODS.where(_OWNED.where(_OWN.c.contact_id == bindparam("owner")))

"""Payment links: the secret, personal address of one invoice in the client portal.

A link is `{portal.public_url}/pay/{token}`. The token is 256 random bits (`secrets.token_urlsafe(32)`); only
its SHA-256 is stored, so neither the database nor a backup holds a working link, and a link that was copied
cannot be shown again (copying once more hands out a new one; earlier ones stay valid until they expire or are
revoked). Looking a token up goes by its hash and the stored hash is compared in constant time.

`open()` gives the same answer (None) for a token that is malformed, unknown, expired or revoked by a person, so
the portal cannot be used to find out which links exist. A link whose invoice has since been paid in full or
voided is revoked by itself on first sight, and `open()` says why, so the client's page can say "paid".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Row, Select, bindparam, func, or_, select, update

from payapp.domain.errors import ConflictError, NotFound, ValidationError
from payapp.domain.messages import msg
from payapp.domain.payment_state import InvoiceStatus
from payapp.domain.roles import Permission
from payapp.models import Invoice, PaymentLink
from payapp.models.db import Database
from payapp.services import audit
from payapp.services.auth import CurrentUser
from payapp.services.settings import SettingsService

TOKEN_BYTES = 32
# what secrets.token_urlsafe(32) produces: 43 characters of the URL-safe base64 alphabet
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")
MAX_LIFETIME_DAYS = 365
#: "last opened" is kept to this resolution (Invoice History shows it to the minute)
OPENED_RESOLUTION = dt.timedelta(minutes=1)

REVOKED = "revoked"
CLOSED_PAID = "paid"
CLOSED_VOIDED = "voided"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def well_formed(token: str) -> bool:
    return isinstance(token, str) and _TOKEN_SHAPE.fullmatch(token) is not None


def link_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/pay/{token}"


@dataclass(frozen=True)
class IssuedLink:
    invoice_id: int
    invoice_number: str
    url: str = field(repr=False)
    expires_at: dt.datetime


@dataclass(frozen=True)
class LinkState:
    """What Invoice History shows about an invoice's links."""
    active: int                          # links that would open the invoice now
    expires_at: dt.datetime | None       # the latest expiry among them
    last_opened_at: dt.datetime | None


@dataclass(frozen=True)
class OpenedLink:
    link_id: int
    invoice_id: int
    #: "" while the invoice can be paid; "paid" or "voided" once it cannot (the link is then revoked)
    closed: str = ""


_LINKS = PaymentLink.__table__.c
_INVOICES = Invoice.__table__.c
#: the link of a token hash (:wanted) and what decides whether it opens: its invoice's state. A caller that needs
#: more of the invoice in the same round trip adds columns and joins to it (`open_with`: the portal's page).
OPEN_LINK = (select(_LINKS.id, _LINKS.token_hash, _LINKS.invoice_id, _LINKS.expires_at, _LINKS.revoked_at,
                    _LINKS.revoked_reason, _LINKS.last_opened_at, _INVOICES.id.label("found"), _INVOICES.is_voided,
                    _INVOICES.status, _INVOICES.balance_minor)
             .select_from(PaymentLink.__table__.outerjoin(Invoice.__table__, _INVOICES.id == _LINKS.invoice_id))
             .where(_LINKS.token_hash == bindparam("wanted")))
#: how many columns of a row `OPEN_LINK` (or a statement built on it) are the link's: the rest are the caller's
OPEN_LINK_COLUMNS = len(OPEN_LINK.selected_columns)


def open_on(conn: Connection, token: str, now: dt.datetime) -> OpenedLink | None:
    """`PaymentLinkService.open` as one statement on a blocking connection (the portal's page path: it runs in
    the caller's transaction, on a worker thread). Writes only when something changed: the invoice closed (the
    link is revoked, as by `open`) or last_opened_at is a minute old; a plain page view is a read."""
    return open_with(conn, token, now, OPEN_LINK)[0]


def open_with(conn: Connection, token: str, now: dt.datetime, statement: Select[Any]) -> tuple[OpenedLink | None,
                                                                                               Sequence[Row[Any]]]:
    """`open_on` with `statement`, OPEN_LINK with more columns (after OPEN_LINK_COLUMNS) and joins of the
    caller's, which may give several rows per link (an invoice's lines): the link as `open_on` opens it, and the
    rows when it opens (else none), so a page reads its invoice in the link's round trip."""
    if not well_formed(token):
        return None, ()
    wanted = token_hash(token)
    rows = conn.execute(statement, {"wanted": wanted}).all()
    row = rows[0] if rows else None
    if row is None or not hmac.compare_digest(row.token_hash, wanted):
        return None, ()
    if row.revoked_at is not None:
        if row.revoked_reason in (CLOSED_PAID, CLOSED_VOIDED):
            return OpenedLink(row.id, row.invoice_id, row.revoked_reason), rows
        return None, ()
    if row.expires_at <= now or row.found is None:
        return None, ()
    closed = ""
    if row.is_voided or row.status == InvoiceStatus.VOIDED:
        closed = CLOSED_VOIDED
    elif row.balance_minor <= 0:
        closed = CLOSED_PAID
    values: dict[str, object] = {}
    if closed:
        values.update(revoked_at=now, revoked_reason=closed)
    if row.last_opened_at is None or now - row.last_opened_at >= OPENED_RESOLUTION:
        values["last_opened_at"] = now
    if values:
        # guarded: a link revoked meanwhile stays as it was; two processes setting the same minute is harmless
        stmt = update(PaymentLink.__table__).where(_LINKS.id == row.id).values(**values)
        if closed:
            stmt = stmt.where(_LINKS.revoked_at.is_(None))
        else:
            stmt = stmt.where(or_(_LINKS.last_opened_at.is_(None),
                                  _LINKS.last_opened_at <= now - OPENED_RESOLUTION))
        conn.execute(stmt)
    return OpenedLink(row.id, row.invoice_id, closed), rows


class PaymentLinkService:
    def __init__(self, db: Database, settings: SettingsService, current: CurrentUser, *,
                 clock: Callable[[], dt.datetime] | None = None) -> None:
        self._db = db
        self._settings = settings
        self._current = current
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))

    async def issue(self, invoice_id: int) -> IssuedLink:
        """A new link to the invoice (requires taking payments). Refuses a paid or voided invoice and a portal
        without an address."""
        actor = self._current.require(Permission.TAKE_PAYMENT)
        public_url = str(await self._settings.get("portal.public_url")).strip()
        if not public_url:
            raise ConflictError(msg("portal.address_missing"))
        days = int(await self._settings.get("portal.link_lifetime_days"))
        days = min(max(days, 1), MAX_LIFETIME_DAYS)
        token = secrets.token_urlsafe(TOKEN_BYTES)
        now = self._clock()
        expires = now + dt.timedelta(days=days)
        # lock=True: this reads the invoice, then writes; on SQLite a deferred transaction that has read cannot
        # wait for another writer ("database is locked" at once, seen in the soak), one that locks at BEGIN can
        async with self._db.transaction(lock=True) as s:
            inv = await s.get(Invoice, invoice_id)
            if inv is None:
                raise NotFound(msg("invoice.gone"))
            if inv.is_voided or inv.status == InvoiceStatus.VOIDED:
                raise ValidationError(msg("invoice.voided_nothing_to_pay", invoice=inv.invoice_number))
            if inv.balance_minor <= 0:
                raise ValidationError(msg("invoice.paid_nothing_to_pay", invoice=inv.invoice_number))
            link = PaymentLink(invoice_id=invoice_id, token_hash=token_hash(token), created_at=now,
                               created_by_name=actor.display_name or actor.username, expires_at=expires,
                               revoked_reason="")
            s.add(link)
            await s.flush()
            # the audit names the invoice and the expiry, never the token
            audit.record(s, actor, "payment_link.created", entity_type="invoice", entity_id=invoice_id,
                         invoice_number=inv.invoice_number, link_id=link.id, expires_at=expires.isoformat())
            number = inv.invoice_number
        return IssuedLink(invoice_id, number, link_url(public_url, token), expires)

    async def revoke(self, invoice_id: int) -> int:
        """Revoke every link of the invoice that still works; returns how many."""
        actor = self._current.require(Permission.TAKE_PAYMENT)
        now = self._clock()
        async with self._db.transaction(lock=True) as s:        # read, then write (see issue)
            inv = await s.get(Invoice, invoice_id)
            if inv is None:
                raise NotFound(msg("invoice.gone"))
            result = await s.execute(
                update(PaymentLink)
                .where(PaymentLink.invoice_id == invoice_id, PaymentLink.revoked_at.is_(None),
                       PaymentLink.expires_at > now)
                .values(revoked_at=now, revoked_reason=REVOKED))
            count = int(getattr(result, "rowcount", 0) or 0)
            if count:
                audit.record(s, actor, "payment_link.revoked", entity_type="invoice", entity_id=invoice_id,
                             invoice_number=inv.invoice_number, links=count)
        return count

    async def state(self, invoice_id: int) -> LinkState:
        self._current.require(Permission.VIEW)
        now = self._clock()
        async with self._db.sessions() as s:
            row = (await s.execute(
                select(func.count(PaymentLink.id), func.max(PaymentLink.expires_at),
                       func.max(PaymentLink.last_opened_at))
                .where(PaymentLink.invoice_id == invoice_id, PaymentLink.revoked_at.is_(None),
                       PaymentLink.expires_at > now))).one()
        return LinkState(int(row[0] or 0), row[1], row[2])

    async def open(self, token: str) -> OpenedLink | None:
        """The invoice a client's link leads to, or None for any token that does not open one now. No user is
        signed in: the token is the credential. Called by the portal for every page of the link."""
        if not well_formed(token):
            return None
        wanted = token_hash(token)
        now = self._clock()
        # lock=True: the read is followed by a write (last_opened_at); on SQLite a deferred transaction that has
        # read cannot take the write lock while another request writes ("database is locked" at once, no wait)
        async with self._db.transaction(lock=True) as s:
            link = (await s.execute(select(PaymentLink).where(PaymentLink.token_hash == wanted))).scalar_one_or_none()
            if link is None or not hmac.compare_digest(link.token_hash, wanted):
                return None
            if link.revoked_at is not None:
                # revoked because the invoice closed: the page says so; revoked by a person: as unknown
                if link.revoked_reason in (CLOSED_PAID, CLOSED_VOIDED):
                    return OpenedLink(link.id, link.invoice_id, link.revoked_reason)
                return None
            if link.expires_at <= now:
                return None
            inv = await s.get(Invoice, link.invoice_id)
            if inv is None:
                return None
            closed = ""
            if inv.is_voided or inv.status == InvoiceStatus.VOIDED:
                closed = CLOSED_VOIDED
            elif inv.balance_minor <= 0:
                closed = CLOSED_PAID
            if closed:
                link.revoked_at = now
                link.revoked_reason = closed
            # to the minute: a page view that writes nothing commits without a disk sync (the portal's page rate)
            if link.last_opened_at is None or now - link.last_opened_at >= OPENED_RESOLUTION:
                link.last_opened_at = now
            return OpenedLink(link.id, link.invoice_id, closed)

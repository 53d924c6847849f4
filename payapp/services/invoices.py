"""Invoice History: keyset pages over the invoices table, filter totals, and one invoice in full.

Sorting and filtering happen in SQL on the indexed, denormalised columns of `invoices` (models/invoices.py).
Pages are keyset pages, never OFFSET: `WHERE (sort_col, id) > (:a, :b) ORDER BY sort_col, id LIMIT :n`
(reversed for descending order). Nullable sort columns (accounting number, due date) are paged as two
segments, NULLs first when ascending and last when descending, the same on SQLite and PostgreSQL, so each
segment's query stays a plain index range scan. User text is always a bound parameter.

Pages and totals are read with `Database.read` (whole in a worker thread; totals in their own lane, so a
COUNT over a million rows never delays a page). The totals of every invoice (no filter) are the running
totals the database's triggers keep (models/totals.py). Search text on SQLite: SQLite keeps no histograms (no
STAT4), so for a prefix search it always collects every match through the search indexes and sorts them,
which costs ~2 µs per match (40,000 invoices of "Acme…" in a million: 85-150 ms). When the prefix matches
many invoices, walking the sort index and filtering finds a page after ~200/density rows instead (10 ms).
A capped, index-only count of the matches (about 1 ms) says whether to try that plan (`_scan_budget`); the
matches can still sit far along the sort order (sorted by the searched column itself, or "2024" sorted by
date, newest first), so the walk runs under a work budget worth what collecting would cost, and past it the
collecting plan runs instead. Both plans return the same rows."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, case, false, func, literal, or_, select, tuple_
from sqlalchemy.sql import Select

from payapp.domain.errors import NotFound, ValidationError
from payapp.domain.messages import msg
from payapp.domain.payment_state import InvoiceStatus
from payapp.domain.roles import Permission
from payapp.domain.validation import clean_typed_text
from payapp.models import Contact, Contract, Invoice, InvoiceLine, Payment, Ticket
from payapp.models.crm import Company
from payapp.models.db import BudgetExceeded, Database, work_budget
from payapp.models.totals import InvoiceTotalsShard
from payapp.services.auth import CurrentUser

#: Sort names the UI may ask for, mapped to indexed columns of `invoices` (each has an (col, id) index).
SORT_COLUMNS: dict[str, Any] = {
    "invoice_number": Invoice.invoice_number,
    "accounting_number": Invoice.accounting_number,
    "company_name": Invoice.company_name,
    "invoice_date": Invoice.invoice_date,
    "due_date": Invoice.due_date,
    "total": Invoice.total_minor,
    "paid": Invoice.paid_minor,
    "balance": Invoice.balance_minor,
    "status": Invoice.status,
    "sync_state": Invoice.sync_state,
}
NULLABLE_SORTS = frozenset({"accounting_number", "due_date"})
STATUSES = tuple(s.value for s in InvoiceStatus)
#: InvoiceQuery.status for every invoice the customer still owes money on: open, partly paid or overdue
UNPAID = "unpaid"


@dataclass(frozen=True)
class SortKey:
    """Where a page ends: the sort column's value and the invoice id (the tie-breaker)."""

    value: Any
    id: int


@dataclass(frozen=True)
class InvoiceQuery:
    text: str = ""
    status: str = ""                       # "" (any), UNPAID or an InvoiceStatus value; overdue is computed
    date_from: dt.date | None = None       # invoice date, inclusive
    date_to: dt.date | None = None
    overdue_only: bool = False
    sort: str = "invoice_date"
    descending: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", clean_typed_text(self.text))      # typed: no NUL, no lone surrogate

    def sorted_by(self, sort: str, descending: bool) -> InvoiceQuery:
        if sort not in SORT_COLUMNS:
            raise ValueError(f"unknown sort {sort!r}")
        return replace(self, sort=sort, descending=descending)


@dataclass(frozen=True)
class InvoiceRow:
    id: int
    invoice_number: str
    accounting_number: str | None
    company_id: int
    company_name: str
    invoice_date: dt.date
    due_date: dt.date | None
    currency: str
    total_minor: int
    paid_minor: int
    balance_minor: int
    status: str                            # InvoiceStatus value, overdue included
    sync_state: str
    sort_key: SortKey
    #: money on it from an approved eCheck that has not settled yet (the bank can still return it, issue #15.6)
    awaiting_settlement: bool = False

    @property
    def payable(self) -> bool:
        return self.balance_minor > 0 and self.status != InvoiceStatus.VOIDED


#: The fields `_row_select` selects, in InvoiceRow's order (rows are built positionally, 200 at a time).
_ROW_FIELDS = tuple(f.name for f in fields(InvoiceRow) if f.name not in ("sort_key", "awaiting_settlement"))


@dataclass(frozen=True)
class InvoiceLineView:
    position: int
    description: str
    quantity: str
    unit_price_minor: int
    amount_minor: int
    contract: str
    ticket: str


@dataclass(frozen=True)
class PaymentView:
    id: int
    created_at: dt.datetime
    status: str
    method: str                            # "card" | "echeck"
    method_display: str                    # "Visa •••• 1111", "eCheck checking •••• 3123"
    amount_minor: int
    refunded_minor: int
    currency: str
    transaction_id: str
    created_by: str


@dataclass(frozen=True)
class ContactView:
    id: int
    name: str
    email: str


@dataclass(frozen=True)
class CompanyAddress:
    """A company's address as Autotask holds it: what a payment form pre-fills as the billing address."""
    address1: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = "US"


@dataclass(frozen=True)
class InvoiceDetail:
    row: InvoiceRow
    company_address: str
    tax_minor: int
    payment_term: str
    comments: str
    contract: str                          # "MSA-2025-001 · Managed Services Agreement" or ""
    tickets: tuple[str, ...]
    lines: tuple[InvoiceLineView, ...]
    payments: tuple[PaymentView, ...] = field(default_factory=tuple)


def method_display(method: str, brand: str, last_four: str, account_type: str = "", expiry: str = "") -> str:
    """How a payment method is named to a person, without any number beyond the last four."""
    if method == "echeck":
        kind = {"checking": "checking", "savings": "savings"}.get(account_type, "")
        return f"eCheck {kind} •••• {last_four}".replace("  ", " ")
    if method == "paypal":
        return "PayPal"
    if not last_four:                    # paid on the gateway's own page: PayApp never saw the card
        return brand or "Card"
    exp = f" · {expiry[:2]}/{expiry[2:]}" if len(expiry) == 4 else ""
    return f"{brand or 'Card'} •••• {last_four}{exp}"


def _prefix_bounds(text: str) -> tuple[str, str] | None:
    """[text, upper) such that every string starting with text lies in the half-open range."""
    if not text:
        return None
    last = text[-1]
    if ord(last) >= 0x10FFFF:
        return None
    following = ord(last) + 1
    if 0xD800 <= following <= 0xDFFF:       # U+D7FF's successor would be a lone surrogate, which no database encodes
        following = 0xE000
    return text, text[:-1] + chr(following)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


_Segment = tuple[list[ColumnElement[bool]], list[Any]]
#: SQLite virtual-machine steps per invoice looked at while walking an index and testing the search text
#: (measured: 15-17 over a million invoices).
_STEPS_PER_ROW = 15
#: Sorted by a searched column, the matches are one run of that column's index: collecting them is best.
_SEARCHED_SORTS = frozenset({"invoice_number", "accounting_number", "company_name"})
#: Below this many matches collecting them is always cheap (a few ms).
DENSE_TEXT_MIN_MATCHES = 1000


class InvoiceService:
    def __init__(self, db: Database, current: CurrentUser, *, today: Callable[[], dt.date] = dt.date.today) -> None:
        self._db = db
        self._current = current
        self._today = today

    # ------------------------------------------------------------------ SQL pieces

    def _status_expr(self, today: dt.date) -> ColumnElement[str]:
        return case(
            (Invoice.is_voided, literal(InvoiceStatus.VOIDED.value)),
            (and_(Invoice.balance_minor > 0, Invoice.due_date < today), literal(InvoiceStatus.OVERDUE.value)),
            else_=Invoice.status,
        )

    @staticmethod
    def _overdue(today: dt.date) -> ColumnElement[bool]:
        return and_(Invoice.is_voided == false(), Invoice.balance_minor > 0, Invoice.due_date < today)

    @staticmethod
    def _search_term(column: Any, text: str, *, indexed: bool = True) -> ColumnElement[bool] | None:
        bounds = _prefix_bounds(text)
        if bounds is None:
            return None
        # The range uses the (col, id) index on both databases; LIKE keeps it an exact prefix match under any
        # collation. Prefixes are matched as typed (invoice and accounting numbers are digits). `indexed=False`
        # compares `col || ''` instead: the same values, but SQLite cannot use the column's index for it, so
        # it walks the sort order's index (see the module docstring).
        ranged = column if indexed else column.concat("")
        return and_(ranged >= bounds[0], ranged < bounds[1], column.like(_like_escape(text) + "%", escape="\\"))

    @staticmethod
    def _search_variants(query: InvoiceQuery) -> list[tuple[Any, str]]:
        """(column, prefix) pairs the search text is matched against."""
        text = query.text.strip()
        if not text:
            return []
        variants = {text}
        if text[:1].islower():
            variants.add(text[:1].upper() + text[1:])       # "acme" finds "Acme Dental LLC"
        return [(Invoice.invoice_number, text), (Invoice.accounting_number, text),
                *((Invoice.company_name, v) for v in sorted(variants))]

    def _filters(self, query: InvoiceQuery, today: dt.date, *, indexed_text: bool = True
                 ) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = []
        if query.text.strip():
            terms = [t for t in (self._search_term(col, v, indexed=indexed_text)
                                 for col, v in self._search_variants(query)) if t is not None]
            where.append(or_(*terms) if terms else false())
        status = query.status
        if status == UNPAID:
            where.append(and_(Invoice.is_voided == false(), Invoice.balance_minor > 0))
        elif status == InvoiceStatus.OVERDUE:
            where.append(self._overdue(today))
        elif status == InvoiceStatus.VOIDED:
            where.append(Invoice.is_voided.is_(True))
        elif status:
            if status not in STATUSES:
                raise ValidationError(msg("invoice.status_choice"), field="status")
            where.append(and_(Invoice.status == status, Invoice.is_voided == false()))
            if status != InvoiceStatus.PAID:
                where.append(or_(Invoice.balance_minor <= 0, Invoice.due_date.is_(None), Invoice.due_date >= today))
        if query.overdue_only:
            where.append(self._overdue(today))
        if query.date_from is not None:
            where.append(Invoice.invoice_date >= query.date_from)
        if query.date_to is not None:
            where.append(Invoice.invoice_date <= query.date_to)
        return where

    def _row_select(self, today: dt.date, sort_col: Any) -> Select[Any]:
        status = self._status_expr(today).label("display_status")
        # one look-up per row of a page on ix_payments_invoice_id: an approved eCheck not settled yet
        awaiting = select(literal(1)).where(Payment.invoice_id == Invoice.id, Payment.method == "echeck",
                                            Payment.status == "approved").exists().label("awaiting_settlement")
        return select(*(status if name == "status" else getattr(Invoice, name) for name in _ROW_FIELDS),
                      sort_col.label("sort_value"), awaiting)

    @staticmethod
    def _to_row(r: Any) -> InvoiceRow:
        return InvoiceRow(*(*r[:-2], SortKey(r[-2], r[0]), bool(r[-1])))    # the columns of _row_select

    def _segments(self, query: InvoiceQuery, after: SortKey | None) -> list[_Segment]:
        """The (extra WHERE, ORDER BY) of each segment still to read, in order."""
        col = SORT_COLUMNS[query.sort]
        desc = query.descending
        nullable = query.sort in NULLABLE_SORTS

        def keyset(value: Any, ident: int) -> ColumnElement[bool]:
            pair, bound = tuple_(col, Invoice.id), tuple_(literal(value, col.type), literal(ident))
            return pair < bound if desc else pair > bound

        id_after: Callable[[int], ColumnElement[bool]] = \
            (lambda ident: Invoice.id < ident) if desc else (lambda ident: Invoice.id > ident)
        order_values = [col.desc(), Invoice.id.desc()] if desc else [col.asc(), Invoice.id.asc()]
        order_nulls = [Invoice.id.desc()] if desc else [Invoice.id.asc()]
        if not nullable:
            return [([keyset(after.value, after.id)] if after else [], order_values)]
        values_seg: _Segment = (
            [col.is_not(None)] + ([keyset(after.value, after.id)] if after and after.value is not None else []),
            order_values)
        nulls_seg: _Segment = (
            [col.is_(None)] + ([id_after(after.id)] if after and after.value is None else []), order_nulls)
        if desc:        # values first, then NULLs
            return [nulls_seg] if after and after.value is None else [values_seg, nulls_seg]
        if after is None or after.value is None:   # ascending: NULLs first, then values
            return [nulls_seg, values_seg]
        return [values_seg]

    # ------------------------------------------------------------------ queries

    async def page(self, query: InvoiceQuery, after: SortKey | None = None, limit: int = 200) -> list[InvoiceRow]:
        """The next `limit` rows of `query` after `after` (None: from the start)."""
        self._current.require(Permission.VIEW)
        if query.sort not in SORT_COLUMNS:
            raise ValueError(f"unknown sort {query.sort!r}")
        today = self._today()
        sqlite = self._db.is_sqlite

        def read(conn: Connection) -> list[InvoiceRow]:
            steps = self._scan_budget(conn, query, limit) if sqlite else 0
            if steps:
                with contextlib.suppress(BudgetExceeded), work_budget(conn, steps):
                    return self._read_page(conn, query, after, limit, today, indexed_text=False)
            return self._read_page(conn, query, after, limit, today, indexed_text=True)

        return await self._db.read(read)

    def _read_page(self, conn: Connection, query: InvoiceQuery, after: SortKey | None, limit: int,
                   today: dt.date, *, indexed_text: bool) -> list[InvoiceRow]:
        col = SORT_COLUMNS[query.sort]
        base = self._filters(query, today, indexed_text=indexed_text)
        rows: list[InvoiceRow] = []
        for extra, order in self._segments(query, after):
            want = limit - len(rows)
            if want <= 0:
                break
            stmt = self._row_select(today, col).where(*base, *extra).order_by(*order).limit(want)
            rows.extend(map(self._to_row, conn.execute(stmt)))
        return rows

    def _scan_budget(self, conn: Connection, query: InvoiceQuery, limit: int) -> int:
        """SQLite steps worth trying the walk along the sort index for a search text, or 0 not to try.

        Collecting every match costs ~matches, walking ~limit * N / matches (N invoices): they break even at
        sqrt(limit * N) matches. Each search column's matches are counted on its own index, index-only and
        only up to that many. Past it the walk is tried, for as long as looking at half that many invoices
        takes: at worst (the matches sit far along the sort order) that is wasted, and collecting runs after."""
        variants = self._search_variants(query)
        if not variants or query.sort in _SEARCHED_SORTS:
            return 0
        n = conn.execute(select(func.max(Invoice.id))).scalar() or 0
        cap = max(DENSE_TEXT_MIN_MATCHES, int((max(limit, 1) * n) ** 0.5))
        found = 0
        for column, text in variants:
            bounds = _prefix_bounds(text)
            if bounds is None:
                continue
            matches = select(literal(1)).where(column >= bounds[0], column < bounds[1]).limit(cap - found)
            found += conn.execute(select(func.count()).select_from(matches.subquery())).scalar_one()
            if found >= cap:
                return cap // 2 * _STEPS_PER_ROW
        return 0

    async def totals(self, query: InvoiceQuery) -> tuple[int, int]:
        """(number of invoices, sum of their balances in minor units) for the filter."""
        self._current.require(Permission.VIEW)
        where = self._filters(query, self._today())
        if not where:       # every invoice: the running totals the database keeps (models/totals.py)
            stmt = select(func.coalesce(func.sum(InvoiceTotalsShard.invoice_count), 0),
                          func.coalesce(func.sum(InvoiceTotalsShard.balance_minor), 0))
        else:
            stmt = select(func.count(), func.coalesce(func.sum(Invoice.balance_minor), 0)).select_from(Invoice)

        def read(conn: Connection) -> tuple[int, int]:
            count, total = conn.execute(stmt.where(*where)).one()
            return int(count), int(total)

        return await self._db.read(read, lane="aggregate")

    async def row(self, invoice_id: int, sort: str = "invoice_date") -> InvoiceRow:
        """One invoice as a table row (to update that row in place after a payment)."""
        self._current.require(Permission.VIEW)
        today = self._today()
        stmt = self._row_select(today, SORT_COLUMNS[sort]).where(Invoice.id == invoice_id)
        r = await self._db.read(lambda conn: conn.execute(stmt).one_or_none())
        if r is None:
            raise NotFound(msg("invoice.this_gone"))
        return self._to_row(r)

    async def get(self, invoice_id: int) -> InvoiceDetail:
        self._current.require(Permission.VIEW)
        row = await self.row(invoice_id)
        async with self._db.sessions() as session:
            inv = await session.get(Invoice, invoice_id)
            if inv is None:
                raise NotFound(msg("invoice.this_gone"))
            company = await session.get(Company, inv.company_id)
            contract = await session.get(Contract, inv.contract_id) if inv.contract_id else None
            lines = (await session.execute(
                select(InvoiceLine, Contract.number, Ticket.ticket_number, Ticket.title)
                .outerjoin(Contract, Contract.id == InvoiceLine.contract_id)
                .outerjoin(Ticket, Ticket.id == InvoiceLine.ticket_id)
                .where(InvoiceLine.invoice_id == invoice_id)
                .order_by(InvoiceLine.position, InvoiceLine.id))).all()
            payments = (await session.scalars(
                select(Payment).where(Payment.invoice_id == invoice_id)
                .order_by(Payment.created_at.desc(), Payment.id.desc()))).all()
        address = ""
        if company is not None:
            address = ", ".join(p for p in (company.address1, company.city,
                                            f"{company.state} {company.postal_code}".strip()) if p)
        tickets = tuple(dict.fromkeys(f"{num} · {title}" for _l, _c, num, title in lines if num))
        return InvoiceDetail(
            row=row, company_address=address, tax_minor=inv.tax_minor, payment_term=inv.payment_term,
            comments=inv.comments,
            contract=f"{contract.number} · {contract.name}" if contract else "",
            tickets=tickets,
            lines=tuple(InvoiceLineView(position=ln.position, description=ln.description, quantity=str(ln.quantity),
                                        unit_price_minor=ln.unit_price_minor, amount_minor=ln.amount_minor,
                                        contract=cnum or "", ticket=tnum or "")
                        for ln, cnum, tnum, _title in lines),
            payments=tuple(PaymentView(id=p.id, created_at=p.created_at, status=p.status, method=p.method,
                                       method_display=method_display(p.method, p.brand, p.last_four,
                                                                     p.account_type),
                                       amount_minor=p.amount_minor, refunded_minor=p.refunded_minor,
                                       currency=p.currency, transaction_id=p.transaction_id,
                                       created_by=p.created_by_name)
                           for p in payments))

    async def company_address(self, company_id: int) -> CompanyAddress:
        """The company's address (empty parts where Autotask has none; all empty for an unknown company)."""
        self._current.require(Permission.VIEW)
        async with self._db.sessions() as session:
            company = await session.get(Company, company_id)
        if company is None:
            return CompanyAddress()
        return CompanyAddress(address1=company.address1 or "", city=company.city or "", state=company.state or "",
                              postal_code=company.postal_code or "", country=(company.country or "US").upper())

    async def contacts_for_company(self, company_id: int) -> list[ContactView]:
        self._current.require(Permission.VIEW)
        async with self._db.sessions() as session:
            rows: Sequence[Contact] = (await session.scalars(
                select(Contact).where(Contact.company_id == company_id, Contact.is_active.is_(True))
                .order_by(Contact.last_name, Contact.first_name, Contact.id))).all()
        return [ContactView(c.id, f"{c.first_name} {c.last_name}".strip() or c.email, c.email) for c in rows]

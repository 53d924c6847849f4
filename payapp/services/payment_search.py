"""Payment Search: filter, page, total, inspect and export payments; retry a failed sync.

Everything is done in SQL: filters are WHERE clauses with bound parameters, sorting is ORDER BY on an
indexed column plus `id`, and paging is keyset (`(col, id) < (:v, :id)`), never OFFSET. The UI gets frozen
dataclasses, never ORM rows.

Pages, totals and export pages are read with `Database.read`: whole in a worker thread, totals in their own
lane (a COUNT/SUM over two million payments takes seconds and must never delay a page; a superseded one is
stopped). With no filter at all, the totals are the running totals the database's triggers keep
(models/totals.py): a few shard rows, summed.

Sorted by anything but the date within a date range (SQLite): the planner, without histograms, walks the
sort column's index and tests every row's date; for a recent range that means passing most of two
million payments (sort by invoice number, last 30 days: 1 s). Collecting the range through the date index
and sorting it costs ~0.5 µs a row (33,000 for 30 days: 5-30 ms), so a capped index-only count of the
range decides: small ranges are collected (`collect=True`: the sort column is written as an expression no
index matches), large ones walked under a work budget, with collecting as the fallback."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, String, case, func, literal, select, text, tuple_, update

from payapp.domain.errors import NotFound
from payapp.domain.messages import Message, msg
from payapp.domain.outbox_jobs import PaymentSource
from payapp.domain.payment_state import PaymentStatus
from payapp.domain.roles import Permission
from payapp.domain.validation import clean_typed_text
from payapp.models import AchAuthorization, AuditEvent, OutboxJob, Payment, Refund, SepaMandate
from payapp.models.base import utcnow
from payapp.models.db import BudgetExceeded, Database, work_budget
from payapp.models.totals import PaymentTotalsShard
from payapp.services import audit
from payapp.services.auth import CurrentUser

#: Sort keys the UI may ask for, mapped to indexed columns. Each is paired with `id` for a stable keyset.
SORT_COLUMNS: dict[str, Any] = {
    "date": Payment.created_at,
    "company": Payment.company_name,
    "invoice": Payment.invoice_number,
    "method": Payment.last_four,
    "amount": Payment.amount_minor,
    "applied": Payment.applied_minor,
    "refunded": Payment.refunded_minor,
    "status": Payment.status,
    "transaction": Payment.transaction_id,
    "user": Payment.created_by_name,
    "sync": Payment.accounting_sync_state,
}

METHODS = ("card", "echeck")
SOURCES = tuple(PaymentSource)
SYNC_STATES = ("not_needed", "pending", "synced", "failed", "needs_attention")
#: Statuses from which money can still go back to the customer.
#: SQLite: a date range of at most this many payments is collected and sorted rather than walked in sort order.
COLLECT_MAX_ROWS = 200_000
#: SQLite virtual-machine steps per payment looked at while walking a sort index and testing the filter.
_STEPS_PER_ROW = 15
VOIDABLE = frozenset({PaymentStatus.APPROVED})
REFUNDABLE = frozenset({PaymentStatus.SETTLED, PaymentStatus.PARTIALLY_REFUNDED})


@dataclass(frozen=True)
class PaymentQuery:
    """A filter and a sort. Empty strings / None mean "any". Text filters:

    - company: case-insensitive substring of the company name;
    - user: case-insensitive substring of the name of the user who took the payment;
    - invoice_number, transaction_id, order_id, last_four, brand (case-insensitive): exact match;
    - date_from inclusive, date_to exclusive (aware datetimes, compared in UTC);
    - amount_min/amount_max inclusive, minor units of the sale amount."""

    date_from: dt.datetime | None = None
    date_to: dt.datetime | None = None
    company: str = ""
    invoice_number: str = ""
    statuses: frozenset[str] = frozenset()
    method: str = ""
    brand: str = ""
    last_four: str = ""
    amount_min: int | None = None
    amount_max: int | None = None
    transaction_id: str = ""
    order_id: str = ""
    user: str = ""
    source: str = ""
    sync_state: str = ""
    needs_attention: bool = False        # only payments flagged for a person (PaymentRow.needs_attention)
    sort_key: str = "date"
    descending: bool = True

    def __post_init__(self) -> None:
        for name in ("company", "invoice_number", "brand", "last_four", "transaction_id", "order_id", "user"):
            object.__setattr__(self, name, clean_typed_text(getattr(self, name)))   # no NUL, no lone surrogate

    def sorted_by(self, sort_key: str, descending: bool) -> PaymentQuery:
        if sort_key not in SORT_COLUMNS:
            raise ValueError(f"unknown sort key {sort_key!r}")
        return replace(self, sort_key=sort_key, descending=descending)

    def matches(self, p: Any) -> bool:
        """The same filter in plain Python (used by tests against generated data, and documentation)."""
        def ci(a: str) -> str:
            return a.casefold()
        return all((
            self.date_from is None or p.created_at >= self.date_from,
            self.date_to is None or p.created_at < self.date_to,
            not self.company.strip() or ci(self.company.strip()) in ci(p.company_name),
            not self.invoice_number.strip() or p.invoice_number == self.invoice_number.strip(),
            not self.statuses or p.status in self.statuses,
            not self.method or p.method == self.method,
            not self.brand or ci(p.brand) == ci(self.brand),
            not self.last_four.strip() or p.last_four == self.last_four.strip(),
            self.amount_min is None or p.amount_minor >= self.amount_min,
            self.amount_max is None or p.amount_minor <= self.amount_max,
            not self.transaction_id.strip() or p.transaction_id == self.transaction_id.strip(),
            not self.order_id.strip() or p.order_id == self.order_id.strip(),
            not self.user.strip() or ci(self.user.strip()) in ci(p.created_by_name),
            not self.source or p.source == self.source,
            not self.sync_state or p.accounting_sync_state == self.sync_state,
            not self.needs_attention or bool(p.attention) or bool(p.approved_late),
        ))


@dataclass(frozen=True)
class PaymentRow:
    id: int
    created_at: dt.datetime
    company_name: str
    invoice_number: str
    method: str
    brand: str
    last_four: str
    account_type: str
    amount_minor: int
    applied_minor: int
    refunded_minor: int
    currency: str
    status: str
    transaction_id: str
    order_id: str
    created_by_name: str
    source: str
    accounting_sync_state: str
    psa_sync_state: str
    attention: str = ""                  # why a person must look at it, as kept (to_stored; "": nothing is wrong)
    approved_late: bool = False          # the gateway approved it after PayApp had marked it failed
    sort_key: tuple[Any, int] = (None, 0)

    @property
    def needs_attention(self) -> bool:
        return bool(self.attention) or self.approved_late

    @property
    def refundable_minor(self) -> int:
        return max(0, self.amount_minor - self.refunded_minor)


@dataclass(frozen=True)
class CurrencyTotals:
    currency: str
    count: int
    amount_minor: int
    applied_minor: int
    refunded_minor: int
    #: the payments that were taken (SALE_STATUSES): voided, declined, failed, returned and unanswered ones
    #: left out (issue #15.9); `amount_minor` is every matching row's amount
    sales_minor: int = 0


#: The statuses whose amount is a sale: approved and settled, and those refunded since (refunds have their own sum)
SALE_STATUSES = (PaymentStatus.APPROVED.value, PaymentStatus.SETTLED.value, PaymentStatus.REFUNDED.value,
                 PaymentStatus.PARTIALLY_REFUNDED.value)


@dataclass(frozen=True)
class PaymentTotals:
    count: int
    by_currency: tuple[CurrencyTotals, ...] = ()


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    event: str            # created | approved | declined | settled | voided | refunded | returned | ...
    text: Message         # "Payment started", "Void pending", … (the UI renders it in its language)
    amount_minor: int | None = None


@dataclass(frozen=True)
class SyncJobInfo:
    id: int
    kind: str
    status: str
    attempts: int
    last_error: str
    next_attempt_at: dt.datetime | None
    updated_at: dt.datetime | None


@dataclass(frozen=True)
class RefundInfo:
    id: int
    kind: str
    amount_minor: int
    status: str
    transaction_id: str
    response_text: str      # the gateway's words, or PayApp's message as data (decisions.stored_response)
    reason: str             # as typed, or PayApp's reason as data (to_stored): show with stored_text
    created_at: dt.datetime


@dataclass(frozen=True)
class AuditInfo:
    occurred_at: dt.datetime
    username: str
    action: str
    details: str
    #: the person as the screens name them (display name; "" when unknown: show the username)
    user_name: str = ""


@dataclass(frozen=True)
class AchAuthorizationInfo:
    """The ACH debit authorization an eCheck was taken under (payapp.domain.ach), as kept."""
    sec_code: str
    authorized_by: str
    authorized_at: dt.datetime
    wording_version: str
    wording_text: str
    wording_hash: str
    retain_until: dt.datetime


@dataclass(frozen=True)
class SepaMandateInfo:
    """The SEPA direct debit mandate a SEPA payment was taken under (payapp.domain.sepa), as kept."""
    mandate_reference: str
    mandate_date: dt.date
    authorized_by: str
    authorized_at: dt.datetime
    iban_country: str
    iban_last_four: str
    wording_version: str
    wording_text: str
    wording_hash: str
    retain_until: dt.datetime


@dataclass(frozen=True)
class PaymentDetails:
    row: PaymentRow
    fields: dict[str, Any]
    response_code: str
    response_text: str              # the gateway's words, or PayApp's message as data (decisions.stored_response)
    auth_code: str
    avs_result: str
    cvv_result: str
    sync_error: str
    timeline: tuple[TimelineEntry, ...]
    refunds: tuple[RefundInfo, ...]
    sync_jobs: tuple[SyncJobInfo, ...]
    audit: tuple[AuditInfo, ...]
    can_void: bool
    can_refund: bool
    can_retry_sync: bool
    extra: dict[str, Any] = field(default_factory=dict)
    ach_authorization: AchAuthorizationInfo | None = None
    sepa_mandate: SepaMandateInfo | None = None


#: The columns a page selects, in PaymentRow's field order (rows are built positionally, hundreds at a time).
_ROW_COLUMNS = tuple(getattr(Payment, f.name) for f in fields(PaymentRow) if f.name != "sort_key")


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _contains(text: str) -> str:
    """The LIKE pattern of a case-insensitive substring filter (compared with lower(column), escape "\\")."""
    return f"%{_like_escape(text.strip().lower())}%"


def conditions(q: PaymentQuery, *, sqlite: bool = False, collect: bool = False) -> list[ColumnElement[bool]]:
    """The WHERE clauses of a query (all values bound).

    On SQLite an amount range is written `amount_minor + 0 BETWEEN ...` unless the table is walked in amount
    order: without STAT4 histograms SQLite's planner guesses a two-sided range keeps 1/64 of the rows and then
    prefers the amount index over the date index that the page is ordered by (4 s instead of 15 ms over two
    million payments, bench/payment_search.py). The `+ 0` keeps that index out of the choice."""
    c: list[ColumnElement[bool]] = []
    walk_amount = q.sort_key == "amount" and not collect
    amount = Payment.amount_minor + 0 if sqlite and not walk_amount else Payment.amount_minor
    if q.date_from is not None:
        c.append(Payment.created_at >= q.date_from)
    if q.date_to is not None:
        c.append(Payment.created_at < q.date_to)
    if q.company.strip():
        c.append(func.lower(Payment.company_name).like(_contains(q.company), escape="\\"))
    if q.invoice_number.strip():
        c.append(Payment.invoice_number == q.invoice_number.strip())
    if q.statuses:
        c.append(Payment.status.in_(sorted(q.statuses)))
    if q.needs_attention:
        c.append((Payment.attention != "") | Payment.approved_late.is_(True))
    if q.method:
        c.append(Payment.method == q.method)
    if q.brand:
        c.append(func.lower(Payment.brand) == q.brand.lower())
    if q.last_four.strip():
        c.append(Payment.last_four == q.last_four.strip())
    if q.amount_min is not None:
        c.append(amount >= q.amount_min)
    if q.amount_max is not None:
        c.append(amount <= q.amount_max)
    if q.transaction_id.strip():
        c.append(Payment.transaction_id == q.transaction_id.strip())
    if q.order_id.strip():
        c.append(Payment.order_id == q.order_id.strip())
    if q.user.strip():
        c.append(func.lower(Payment.created_by_name).like(_contains(q.user), escape="\\"))
    if q.source:
        c.append(Payment.source == q.source)
    if q.sync_state:
        c.append(Payment.accounting_sync_state == q.sync_state)
    return c


#: The distinct company names of all payments, one index seek each (a loose index scan; SQLite uses its own
#: skip-ahead for DISTINCT only when ANALYZE statistics say there are many duplicates, and the app has none).
_COMPANY_NAMES_LIKE = text(
    "WITH RECURSIVE names(name) AS ("
    " SELECT min(company_name) FROM payments"
    " UNION ALL"
    " SELECT (SELECT min(company_name) FROM payments WHERE company_name > names.name) FROM names"
    " WHERE names.name IS NOT NULL) "
    "SELECT name FROM names WHERE name IS NOT NULL AND lower(name) LIKE :pattern ESCAPE '\\'")


def _company_in_names_like(company: str) -> ColumnElement[bool]:
    """SQLite: the company filter as `company_name IN (the distinct names that match)`.

    A substring LIKE can use no index, so the totals of a company filter without a date range would read all
    payments (0.6 s over two million). Walking the distinct names along the company index (a few hundred seeks,
    ~3 ms) and testing the same LIKE on each gives the matching names; the totals then read only those
    companies' entries of the company index, which covers the summed columns."""
    names = _COMPANY_NAMES_LIKE.bindparams(pattern=_contains(company)).columns(name=String).subquery()
    return Payment.company_name.in_(select(names.c.name))


def _unindexed(col: Any) -> Any:
    """The same values in the same order, as an expression no index matches (so SQLite sorts instead)."""
    return col.concat("") if col.type.python_type is str else col + 0


def page_statement(q: PaymentQuery, after: tuple[Any, int] | None, limit: int, *,
                   sqlite: bool = False, collect: bool = False) -> Select[Any]:
    """One keyset page. `collect` (SQLite): filter through the WHERE indexes and sort, instead of walking the
    sort column's index (see the module docstring)."""
    col = SORT_COLUMNS.get(q.sort_key, Payment.created_at)
    if collect and q.sort_key != "date":
        col = _unindexed(col)
    stmt = select(*_ROW_COLUMNS).where(*conditions(q, sqlite=sqlite, collect=collect))
    if after is not None:
        key = tuple_(col, Payment.id)
        bound = tuple_(*after)
        stmt = stmt.where(key < bound if q.descending else key > bound)
    order = (col.desc(), Payment.id.desc()) if q.descending else (col.asc(), Payment.id.asc())
    return stmt.order_by(*order).limit(limit)


_ROW_FIELDS = tuple(c.key for c in _ROW_COLUMNS)
_SORT_POSITION = {k: _ROW_FIELDS.index(v.key) for k, v in SORT_COLUMNS.items()}


def _rows(result: Any, sort_key: str) -> list[PaymentRow]:
    at = _SORT_POSITION.get(sort_key, _SORT_POSITION["date"])
    return [PaymentRow(*(*r, (r[at], r[0]))) for r in result]     # sort_key is the field after the columns


class PaymentSearchService:
    def __init__(self, db: Database, current: CurrentUser) -> None:
        self._db = db
        self._current = current

    async def page(self, query: PaymentQuery, after: tuple[Any, int] | None = None, limit: int = 200
                   ) -> list[PaymentRow]:
        """One keyset page: the rows after `after` (a previous row's `sort_key`) in the query's order."""
        self._current.require(Permission.VIEW)
        return await self._db.read(lambda conn: self._read_page(conn, query, after, limit))

    def _read_page(self, conn: Connection, query: PaymentQuery, after: tuple[Any, int] | None,
                   limit: int) -> list[PaymentRow]:
        sqlite = self._db.is_sqlite
        budget = self._walk_budget(conn, query) if sqlite else 0
        if budget:
            with contextlib.suppress(BudgetExceeded), work_budget(conn, budget):
                return _rows(conn.execute(page_statement(query, after, limit, sqlite=True)), query.sort_key)
        collect = budget is None
        return _rows(conn.execute(page_statement(query, after, limit, sqlite=sqlite, collect=collect)),
                     query.sort_key)

    def _walk_budget(self, conn: Connection, query: PaymentQuery) -> int | None:
        """How to read a page sorted by something other than the date within a date range (SQLite): None to
        collect the range and sort it, else the steps the walk along the sort index may take (0: no limit).
        The range is counted on the date index (index-only), up to COLLECT_MAX_ROWS."""
        if query.sort_key == "date" or (query.date_from is None and query.date_to is None):
            return 0
        in_range = select(literal(1)).where(*conditions(PaymentQuery(date_from=query.date_from,
                                                                      date_to=query.date_to), sqlite=True))
        n = conn.execute(select(func.count()).select_from(in_range.limit(COLLECT_MAX_ROWS).subquery())
                         ).scalar_one()
        return None if n < COLLECT_MAX_ROWS else COLLECT_MAX_ROWS * _STEPS_PER_ROW

    async def totals(self, query: PaymentQuery) -> PaymentTotals:
        """Count and sums of everything the filter matches, per currency.

        One aggregate pass without GROUP BY (a GROUP BY over millions of rows costs a temporary B-tree); it also
        returns min/max currency, and only when those differ (payments in several currencies) is the grouped
        query run. Read in the aggregate lane: it never delays a page, and cancelling it stops the query."""
        self._current.require(Permission.VIEW)
        sqlite = self._db.is_sqlite
        if not conditions(query, sqlite=sqlite):
            return await self._db.read(_all_payments_totals, lane="aggregate")
        by_name = sqlite and bool(query.company.strip()) and query.date_from is None and query.date_to is None
        where = conditions(replace(query, company="") if by_name else query, sqlite=sqlite)
        if by_name:
            where.append(_company_in_names_like(query.company))
        sums = (func.count(), func.coalesce(func.sum(Payment.amount_minor), 0),
                func.coalesce(func.sum(Payment.applied_minor), 0), func.coalesce(func.sum(Payment.refunded_minor), 0),
                func.coalesce(func.sum(case((Payment.status.in_(SALE_STATUSES), Payment.amount_minor), else_=0)), 0))

        def read(conn: Connection) -> PaymentTotals:
            lo, hi, n, a, ap, rf, sa = conn.execute(
                select(func.min(Payment.currency), func.max(Payment.currency), *sums).where(*where)).one()
            if n == 0:
                return PaymentTotals(0, ())
            if lo == hi:
                return PaymentTotals(int(n), (CurrencyTotals(lo, int(n), int(a), int(ap), int(rf), int(sa)),))
            rows = conn.execute(select(Payment.currency, *sums).where(*where)
                                .group_by(Payment.currency).order_by(Payment.currency)).all()
            per = tuple(CurrencyTotals(cur, int(n), int(a), int(ap), int(rf), int(sa))
                        for cur, n, a, ap, rf, sa in rows)
            return PaymentTotals(sum(t.count for t in per), per)

        return await self._db.read(read, lane="aggregate")

    async def iter_pages(self, query: PaymentQuery, page_size: int = 1000) -> AsyncIterator[list[PaymentRow]]:
        """Every row of the filter, in keyset pages (each page its own short read: no long transaction)."""
        after: tuple[Any, int] | None = None
        while True:
            rows = await self.page(query, after, page_size)
            if rows:
                yield rows
                after = rows[-1].sort_key
            if len(rows) < page_size:
                return

    async def details(self, payment_id: int) -> PaymentDetails:
        actor = self._current.require(Permission.VIEW)
        async with self._db.sessions() as s:
            p = await s.get(Payment, payment_id)
            if p is None:
                raise NotFound(msg("payment.that_gone"))
            refunds = (await s.scalars(select(Refund).where(Refund.payment_id == payment_id)
                                       .order_by(Refund.created_at, Refund.id))).all()
            jobs = (await s.scalars(select(OutboxJob).where(OutboxJob.payment_id == payment_id)
                                    .order_by(OutboxJob.created_at, OutboxJob.id))).all()
            events = (await s.scalars(select(AuditEvent).where(AuditEvent.entity_type == "payment",
                                                               AuditEvent.entity_id == str(payment_id))
                                      .order_by(AuditEvent.occurred_at, AuditEvent.id))).all()
            consent = await s.scalar(select(AchAuthorization).where(AchAuthorization.payment_id == payment_id))
            mandate = await s.scalar(select(SepaMandate).where(SepaMandate.payment_id == payment_id)) \
                if p.method == "sepa" else None
            from payapp.services.users import display_names

            people = await display_names(s, {e.username for e in events}, actor)
        row = PaymentRow(**{c.key: getattr(p, c.key) for c in _ROW_COLUMNS}, sort_key=(p.created_at, p.id))
        status = PaymentStatus(p.status)
        failed_jobs = [j for j in jobs if j.status == "needs_attention"]
        may_manage = actor.can(Permission.MANAGE_PAYMENT)
        fields = {c.key: getattr(p, c.key) for c in Payment.__table__.columns}
        return PaymentDetails(
            row=row, fields=fields, response_code=p.response_code, response_text=p.response_text,
            auth_code=p.auth_code, avs_result=p.avs_result, cvv_result=p.cvv_result, sync_error=p.sync_error,
            timeline=tuple(_timeline(p, refunds)),
            refunds=tuple(RefundInfo(r.id, r.kind, r.amount_minor, r.status, r.transaction_id, r.response_text,
                                     r.reason, r.created_at) for r in refunds),
            sync_jobs=tuple(SyncJobInfo(j.id, j.kind, j.status, j.attempts, j.last_error, j.next_attempt_at,
                                        j.updated_at) for j in jobs),
            audit=tuple(AuditInfo(e.occurred_at, e.username, e.action, e.details, people.get(e.username.lower(), ""))
                        for e in events),
            can_void=may_manage and status in VOIDABLE,
            can_refund=may_manage and status in REFUNDABLE and p.amount_minor > p.refunded_minor,
            can_retry_sync=may_manage and (bool(failed_jobs) or p.accounting_sync_state in ("failed", "needs_attention")
                                           or p.psa_sync_state in ("failed", "needs_attention")),
            ach_authorization=AchAuthorizationInfo(
                consent.sec_code, consent.authorized_by, consent.authorized_at, consent.wording_version,
                consent.wording_text, consent.wording_hash, consent.retain_until) if consent is not None else None,
            sepa_mandate=SepaMandateInfo(
                mandate.mandate_reference, mandate.mandate_date, mandate.authorized_by, mandate.authorized_at,
                mandate.iban_country, mandate.iban_last_four, mandate.wording_version, mandate.wording_text,
                mandate.wording_hash, mandate.retain_until) if mandate is not None else None,
        )

    async def retry_sync(self, payment_id: int) -> int:
        """Put this payment's failed outbox jobs back in the queue, due now, attempts reset. Audited.
        Returns how many jobs were re-queued."""
        actor = self._current.require(Permission.MANAGE_PAYMENT)
        now = utcnow()
        async with self._db.transaction(lock=True) as s:
            p = await s.get(Payment, payment_id)
            if p is None:
                raise NotFound(msg("payment.that_gone"))
            ids = list((await s.scalars(select(OutboxJob.id).where(
                OutboxJob.payment_id == payment_id, OutboxJob.status == "needs_attention")
                .with_for_update())).all())
            if ids:
                await s.execute(update(OutboxJob).where(OutboxJob.id.in_(ids))
                                .values(status="pending", attempts=0, next_attempt_at=now, updated_at=now))
            if p.accounting_sync_state in ("failed", "needs_attention"):
                p.accounting_sync_state = "pending"
            if p.psa_sync_state in ("failed", "needs_attention"):
                p.psa_sync_state = "pending"
            audit.record(s, actor, "payment.sync_retry", entity_type="payment", entity_id=payment_id, jobs=ids)
        return len(ids)


    async def receipt_issued(self, payment_id: int, *, printed: bool) -> None:
        """Audit a receipt saved as PDF or printed (nothing in the database changes). Only these named events can
        be written from here, about a payment that exists: a viewer cannot put arbitrary entries in the log."""
        actor = self._current.require(Permission.VIEW)
        async with self._db.transaction(lock=True) as s:        # read, then write: lock at BEGIN on SQLite
            payment = await s.get(Payment, payment_id)
            if payment is None:
                raise NotFound(msg("payment.this_gone"))
            audit.record(s, actor, "payment.receipt_printed" if printed else "payment.receipt_saved",
                         entity_type="payment", entity_id=payment_id, transaction_id=payment.transaction_id,
                         invoice_number=payment.invoice_number)

    async def export_written(self, fmt: str, rows: int, query: PaymentQuery) -> None:
        """Audit an export of the payments matching `query` (the file itself is the caller's)."""
        actor = self._current.require(Permission.VIEW)
        if fmt not in ("csv", "xlsx"):
            raise ValueError(f"unknown export format {fmt!r}")
        async with self._db.transaction() as s:
            audit.record(s, actor, "payments.exported", entity_type="payments", format=fmt, rows=int(rows),
                         filter=repr(query))


def _all_payments_totals(conn: Connection) -> PaymentTotals:
    """The totals of every payment: the sum of the shards the database's triggers keep (models/totals.py),
    a few rows instead of two million."""
    t = PaymentTotalsShard
    count = func.sum(t.payment_count)
    rows = conn.execute(select(t.currency, count, func.sum(t.amount_minor), func.sum(t.applied_minor),
                               func.sum(t.refunded_minor))
                        .group_by(t.currency).having(count != 0).order_by(t.currency)).all()
    # Sales leave out payments that were not taken (issue #15.9). The shards do not keep that sum, so the
    # amounts of those (few: voided, declined, failed, returned, undecided) are read through the status index
    # and taken off.
    not_sales = dict(conn.execute(
        select(Payment.currency, func.coalesce(func.sum(Payment.amount_minor), 0))
        .where(Payment.status.not_in(SALE_STATUSES)).group_by(Payment.currency)).all())
    per = tuple(CurrencyTotals(cur, int(n), int(a), int(ap), int(rf), int(a) - int(not_sales.get(cur, 0)))
                for cur, n, a, ap, rf in rows)
    return PaymentTotals(sum(c.count for c in per), per)


def _timeline(p: Payment, refunds: Sequence[Refund]) -> list[TimelineEntry]:
    t = [TimelineEntry(p.created_at, "created", msg("timeline.created"), p.amount_minor)]
    if p.decided_at is not None:
        outcome = {"declined": "declined", "error": "error"}.get(p.status, "approved")
        t.append(TimelineEntry(p.decided_at, outcome, msg(f"timeline.{outcome}"), p.amount_minor))
    if p.settled_at is not None:
        t.append(TimelineEntry(p.settled_at, "settled", msg("timeline.settled"), p.amount_minor))
    for r in refunds:
        # approved: "Voided" / "Refunded"; else the attempt's status ("Void pending", "Refund declined", …)
        said = msg("timeline.voided" if r.kind == "void" else "timeline.refunded") if r.status == "approved" \
            else msg(f"timeline.{r.kind}_{r.status}")
        t.append(TimelineEntry(r.decided_at or r.created_at, "voided" if r.kind == "void" else "refunded", said,
                               r.amount_minor))
    if p.voided_at is not None and not any(r.kind == "void" for r in refunds):
        t.append(TimelineEntry(p.voided_at, "voided", msg("timeline.voided"), p.amount_minor))
    if p.refunded_at is not None and not any(r.kind == "refund" for r in refunds):
        t.append(TimelineEntry(p.refunded_at, "refunded", msg("timeline.refunded"), p.refunded_minor))
    if p.returned_at is not None:
        t.append(TimelineEntry(p.returned_at, "returned", msg("timeline.returned"), p.amount_minor))
    t.sort(key=lambda e: e.at)
    return t


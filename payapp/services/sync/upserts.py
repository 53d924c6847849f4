"""A page of Autotask records → rows of PayApp's tables, one bulk upsert per entity (on the page writer's
connection, inside its page transaction), with the id maps that turn Autotask's ids into ours.

Paid amounts: PayApp's own `paid_minor` (from payments) is never lowered or overwritten by a sync. An Autotask
`paidDate` marks an invoice fully paid (`paid_minor = total`) only when PayApp has recorded nothing on it (paid
outside PayApp, e.g. a cheque booked in Autotask). A cleared `paidDate` re-opens an invoice only if no payment
row exists for it. Everything is computed in SQL inside the upsert (`_invoice_update_set`), so a payment
committed concurrently is never clobbered. balance = total − paid; status follows
`domain.payment_state.invoice_status` (mirrored in `_status_sql`). New invoices that are not voided get an
`accounting.push_invoice` outbox job in the same transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, case, exists, literal, literal_column, select, update
from sqlalchemy.sql.elements import ColumnElement

from payapp.connectors.psa.autotask import AtBillingItem, AtCompany, AtContact, AtContract, AtInvoice, AtTicket
from payapp.domain.money import decimal_to_minor
from payapp.domain.outbox_jobs import JobKind, JobStatus
from payapp.domain.payment_state import invoice_status
from payapp.models import Company, Contact, Contract, Invoice, InvoiceLine, OutboxJob, Payment, Ticket
from payapp.models.base import utcnow
from payapp.services.sync.bulk import BulkInsert, DriverValues


class IdMaps:
    """External (Autotask) id → our id, kept in memory for the run (a few MB at 100k invoices)."""

    def __init__(self) -> None:
        self.company: dict[int, int] = {}
        self.company_name: dict[int, str] = {}       # as stored (and copied onto invoices)
        self.contact: dict[int, int] = {}
        self.contract: dict[int, int] = {}
        self.ticket: dict[int, int] = {}
        self.invoice: dict[int, int] = {}
        self.new_invoice_ext: set[int] = set()

    def load(self, conn: Connection) -> None:
        """The ids of every row a sync wrote before."""
        with conn.begin():
            for ext, ident, name in conn.execute(select(Company.external_id, Company.id, Company.name)
                                                 .where(Company.external_id.is_not(None))):
                assert ext is not None      # the WHERE; mypy types the column int | None
                self.company[int(ext)] = int(ident)
                self.company_name[int(ext)] = name
            for model, target in ((Contact, self.contact), (Contract, self.contract), (Ticket, self.ticket),
                                  (Invoice, self.invoice)):
                res = conn.execute(select(model.external_id, model.id).where(model.external_id.is_not(None)))
                target.update((int(a), int(b)) for a, b in res if a is not None)     # always (the WHERE)


_COMPANY_COLS = ("external_id", "name", "number", "phone", "address1", "city", "state", "postal_code", "country",
                 "is_active", "modified_at", "synced_at")
_COMPANY_UPDATE = ("name", "number", "phone", "address1", "city", "state", "postal_code", "is_active",
                   "modified_at", "synced_at")
_CONTACT_COLS = ("external_id", "company_id", "first_name", "last_name", "email", "phone", "is_active",
                 "modified_at", "is_primary")
_CONTACT_UPDATE = _CONTACT_COLS[1:]
_CONTRACT_COLS = ("external_id", "company_id", "name", "number", "status", "start_date", "end_date")
_CONTRACT_UPDATE = _CONTRACT_COLS[1:]
_TICKET_COLS = ("external_id", "company_id", "contact_id", "contract_id", "ticket_number", "title", "status",
                "created_at", "modified_at")
_TICKET_UPDATE = _TICKET_COLS[1:]
_INVOICE_COLS = ("external_id", "company_id", "company_name", "invoice_number", "invoice_date", "due_date",
                 "currency", "total_minor", "tax_minor", "paid_minor", "balance_minor", "status", "is_voided",
                 "voided_date", "paid_date", "payment_term", "comments", "sync_state", "psa_paid_marked",
                 "created_at", "updated_at")
_LINE_COLS = ("external_id", "invoice_id", "position", "description", "quantity", "unit_price_minor",
              "amount_minor", "contract_id", "ticket_id")
_LINE_UPDATE = _LINE_COLS[1:2] + _LINE_COLS[3:]
_JOB_COLS = ("kind", "payload", "invoice_id", "request_id", "status", "attempts", "next_attempt_at", "last_error",
             "dismissed_reason", "created_at", "updated_at")


class PageUpserts:
    """The upsert of each entity, compiled once per run for `dialect`. Each method takes the driver cursor of
    the page's transaction and the page's records; records pointing at a company we do not have are left out
    (the page writer fetched those companies first)."""

    def __init__(self, conn: Connection, dialect: Any, maps: IdMaps, *, is_sqlite: bool, currency: str,
                 digits: int, clock: Callable[[], dt.datetime]) -> None:
        self._conn = conn
        self._maps = maps
        self._v = DriverValues(is_sqlite)
        self._placeholder = "?" if is_sqlite else "%s"
        self._currency = currency
        self._digits = digits
        self._clock = clock
        self._companies = BulkInsert(dialect, Company.__table__, _COMPANY_COLS, _COMPANY_UPDATE)
        self._contacts = BulkInsert(dialect, Contact.__table__, _CONTACT_COLS, _CONTACT_UPDATE)
        self._contracts = BulkInsert(dialect, Contract.__table__, _CONTRACT_COLS, _CONTRACT_UPDATE)
        self._tickets = BulkInsert(dialect, Ticket.__table__, _TICKET_COLS, _TICKET_UPDATE)
        self._invoices = BulkInsert(dialect, Invoice.__table__, _INVOICE_COLS, _invoice_update_set)
        self._lines = BulkInsert(dialect, InvoiceLine.__table__, _LINE_COLS, _LINE_UPDATE)
        self._jobs = BulkInsert(dialect, OutboxJob.__table__, _JOB_COLS)
        self.bulks = (self._companies, self._contacts, self._contracts, self._tickets, self._invoices, self._lines,
                      self._jobs)

    def _ids(self, cur: Any, table: str, ext_ids: Sequence[int]) -> dict[int, int]:
        """external_id → id of the rows just upserted (Autotask pages are id ranges: one index range scan)."""
        lo, hi = min(ext_ids), max(ext_ids)
        p = self._placeholder
        if hi - lo <= 4 * len(ext_ids):
            cur.execute(f"SELECT external_id, id FROM {table} WHERE external_id BETWEEN {p} AND {p}", (lo, hi))
            return dict(cur.fetchall())
        out: dict[int, int] = {}
        for k in range(0, len(ext_ids), 500):
            chunk = list(ext_ids[k:k + 500])
            cur.execute(f"SELECT external_id, id FROM {table} WHERE external_id IN ({', '.join([p] * len(chunk))})",
                        chunk)
            out.update(cur.fetchall())
        return out

    def companies(self, cur: Any, page: Sequence[AtCompany]) -> None:
        if not page:
            return
        now = self._v.ts(utcnow())
        ts = self._v.ts
        rows = [(r.id, r.name[:200] or f"Company {r.id}", r.number[:50], r.phone[:50], r.address1[:200],
                 r.city[:100], r.state[:50], r.postal_code[:20], "US", r.is_active, ts(r.modified_at), now)
                for r in page]
        self._companies.run(cur, rows)
        ids = self._ids(cur, "companies", [r.id for r in page])
        m = self._maps
        renamed = [ids[row[0]] for row in rows if row[0] in m.company and m.company_name.get(row[0]) != row[1]]
        m.company.update(ids)
        for row in rows:
            m.company_name[row[0]] = row[1]
        if renamed:      # the invoices' denormalised copy of the name follows
            t = Invoice.__table__
            name = select(Company.name).where(Company.id == t.c.company_id).scalar_subquery()
            self._conn.execute(update(t).where(t.c.company_id.in_(renamed), t.c.company_name != name)
                              .values(company_name=name))

    def contacts(self, cur: Any, page: Sequence[AtContact]) -> None:
        company, ts = self._maps.company, self._v.ts
        rows = [(r.id, company[r.company_id], r.first_name[:100], r.last_name[:100], r.email[:200], r.phone[:50],
                 r.is_active, ts(r.modified_at), r.is_primary) for r in page if r.company_id in company]
        if rows:
            self._contacts.run(cur, rows)
            self._maps.contact.update(self._ids(cur, "contacts", [row[0] for row in rows]))

    def contracts(self, cur: Any, page: Sequence[AtContract]) -> None:
        company, d = self._maps.company, self._v.date
        rows = [(r.id, company[r.company_id], r.name[:200], r.number[:50], r.status[:30], d(r.start_date),
                 d(r.end_date)) for r in page if r.company_id in company]
        if rows:
            self._contracts.run(cur, rows)
            self._maps.contract.update(self._ids(cur, "contracts", [row[0] for row in rows]))

    def tickets(self, cur: Any, page: Sequence[AtTicket]) -> None:
        m, ts = self._maps, self._v.ts
        rows = [(r.id, m.company[r.company_id], m.contact.get(r.contact_id) if r.contact_id else None,
                 m.contract.get(r.contract_id) if r.contract_id else None, r.ticket_number[:50], r.title[:300],
                 r.status[:30], ts(r.created_at), ts(r.modified_at)) for r in page if r.company_id in m.company]
        if rows:
            self._tickets.run(cur, rows)
            m.ticket.update(self._ids(cur, "tickets", [row[0] for row in rows]))

    def invoices(self, cur: Any, page: Sequence[AtInvoice], terms: dict[str, str]) -> int:
        """Upserts the invoices and queues the accounting push of the new ones: how many were queued.
        `terms`: Invoices.paymentTerm value → label."""
        m, d = self._maps, self._v.date
        currency, digits = self._currency, self._digits
        now = self._v.ts(utcnow())
        rows: list[tuple[Any, ...]] = []
        new: list[AtInvoice] = []
        for r in page:
            company_id = m.company.get(r.company_id)
            if company_id is None:
                continue
            total = _minor(r.total, digits, currency)
            paid = total if r.paid_date is not None else 0
            is_new = r.id not in m.invoice
            if is_new:
                new.append(r)
            rows.append((r.id, company_id, m.company_name.get(r.company_id, "")[:200], r.invoice_number[:50],
                         d(r.invoice_date), d(r.due_date), currency, total, _minor(r.tax, digits, currency), paid,
                         0 if r.is_voided else total - paid,        # a voided invoice owes nothing
                         _status_py(total, paid, r.is_voided), r.is_voided, d(r.voided_date),
                         d(r.paid_date), terms.get(r.payment_term, r.payment_term)[:100], r.comments,
                         # a voided invoice is never pushed to accounting: nothing pending for it
                         "synced" if is_new and r.is_voided else "pending", False, now, now))
        if not rows:
            return 0
        self._invoices.run(cur, rows)
        ids = self._ids(cur, "invoices", [row[0] for row in rows])
        m.invoice.update(ids)
        m.new_invoice_ext.update(r.id for r in new)
        at = self._v.ts(self._clock())
        jobs = [(JobKind.PUSH_INVOICE.value, f'{{"invoice_id": {ids[r.id]}}}', ids[r.id], "", JobStatus.PENDING.value,
                 0, at, "", "", at, at) for r in new if not r.is_voided]
        self._jobs.run(cur, jobs)
        return len(jobs)

    def lines(self, cur: Any, page: Sequence[AtBillingItem]) -> None:
        m, dec = self._maps, self._v.dec
        currency, digits = self._currency, self._digits
        rows = [(r.id, m.invoice[r.invoice_id], 0, r.description[:500], dec(r.quantity),
                 _minor(r.rate, digits, currency), _minor(r.amount, digits, currency),
                 m.contract.get(r.contract_id) if r.contract_id else None,
                 m.ticket.get(r.ticket_id) if r.ticket_id else None)
                for r in page if r.invoice_id in m.invoice]
        self._lines.run(cur, rows)


def _minor(value: Decimal, digits: int, currency: str) -> int:
    """Wire amount → minor units: exact amounts directly (nearly all of them), others through
    domain.money.decimal_to_minor (round half up)."""
    scaled = value.scaleb(digits)
    whole = int(scaled)
    if whole == scaled:
        return whole
    return decimal_to_minor(value, currency)


def _status_py(total: int, paid: int, voided: bool) -> str:
    return str(invoice_status(total, paid, voided))


def _status_sql(total: ColumnElement[Any], paid: ColumnElement[Any], voided: ColumnElement[Any]) -> Any:
    """`domain.payment_state.invoice_status` in SQL (so the upsert reads the row's current paid amount)."""
    return case(
        (voided, literal("voided")),
        (paid <= 0, case((total > 0, literal("open")), else_=literal("paid"))),
        (paid >= total, literal("paid")),
        else_=literal("partially_paid"))


def _invoice_update_set(stmt: Any) -> dict[str, Any]:
    x = stmt.excluded
    t = Invoice.__table__.c
    # "this invoice has a payment": the subquery names the row being updated as plain `invoices.id` (an INSERT
    # has no FROM to correlate with, so a column object would put `invoices` in the subquery's own FROM and
    # turn it into "any invoice has a payment")
    has_payments = exists().where(Payment.invoice_id == literal_column(f"{Invoice.__tablename__}.id"))
    paid = case(
        (and_(x.paid_date.is_not(None), t.paid_minor == 0), x.total_minor),
        (and_(x.paid_date.is_(None), t.paid_date.is_not(None), ~has_payments), literal(0)),
        else_=t.paid_minor)
    out = {c: getattr(x, c) for c in ("company_id", "company_name", "invoice_number", "invoice_date", "due_date",
                                      "total_minor", "tax_minor", "is_voided", "voided_date",
                                      "payment_term", "comments")}
    # PayApp's own paid date (set when its payments paid the invoice) stays until Autotask has one
    out["paid_date"] = case((and_(x.paid_date.is_(None), has_payments), t.paid_date), else_=x.paid_date)
    # a voided invoice owes nothing (as everywhere else in PayApp): its balance is 0, not its total
    out.update(paid_minor=paid, balance_minor=case((x.is_voided, literal(0)), else_=x.total_minor - paid),
               status=_status_sql(x.total_minor, paid, x.is_voided), updated_at=x.updated_at)
    return out



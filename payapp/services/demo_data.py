"""Realistic generated data for the demo company and for benchmarks.

Everything is written with bulk INSERTs on a blocking engine (this runs before the window opens, or in
`payapp demo-data`), deterministic from a seed so screenshots and benchmarks are repeatable."""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, insert, select, text

from payapp.domain.errors import PayAppError
from payapp.domain.payment_state import invoice_status
from payapp.domain.roles import Permission
from payapp.models import (
    AccountingCustomerLink,
    Company,
    Contact,
    Contract,
    Invoice,
    InvoiceLine,
    Payment,
    Refund,
    SavedPaymentMethod,
    Setting,
    Ticket,
)
from payapp.models.db import make_sync_engine

log = logging.getLogger(__name__)

FIRST = ["Anna", "Ben", "Carla", "David", "Emma", "Felix", "Greta", "Hannah", "Jonas", "Klara", "Lukas", "Mia",
         "Noah", "Olivia", "Paul", "Sophie", "Tom", "Ursula", "Victor", "Wendy", "Yusuf", "Zoe"]
LAST = ["Baker", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ivanova", "Jensen", "Kowalski", "Lopez",
        "Miller", "Nguyen", "Okafor", "Patel", "Quinn", "Rossi", "Schmidt", "Turner", "Weber", "Young"]
COMPANY_A = ["Acme", "Blue Ridge", "Cascade", "Delta", "Evergreen", "Frontier", "Granite", "Harbor", "Ironwood",
             "Juniper", "Keystone", "Lakeside", "Meridian", "Northwind", "Oakmont", "Pinnacle", "Quarry", "Redwood",
             "Summit", "Tidewater", "Union", "Valley", "Westfield", "Yellowstone", "Zenith"]
COMPANY_B = ["Dental", "Logistics", "Legal", "Manufacturing", "Realty", "Medical", "Accounting", "Engineering",
             "Foods", "Hospitality", "Architects", "Insurance", "Pharmacy", "Builders", "Consulting"]
SUFFIX = ["LLC", "Inc.", "Group", "Partners", "Co.", "Associates"]
CITIES = [("Austin", "TX", "78701"), ("Denver", "CO", "80202"), ("Portland", "OR", "97204"),
          ("Raleigh", "NC", "27601"), ("Madison", "WI", "53703"), ("Tampa", "FL", "33602"),
          ("Columbus", "OH", "43215"), ("Boise", "ID", "83702"), ("Phoenix", "AZ", "85004")]
SERVICES = [("Managed services — monthly", 45000, 180000), ("Help desk hours", 9500, 15000),
            ("Firewall subscription", 4900, 12900), ("Microsoft 365 Business Premium (per user)", 2200, 2200),
            ("On-site support visit", 12500, 37500), ("Backup and disaster recovery", 8900, 29900),
            ("Network switch replacement", 64900, 124900), ("Security awareness training", 1500, 1500)]
BRANDS = [("Visa", "1111"), ("Mastercard", "1111"), ("Amex", "1111"), ("Discover", "0009")]

DEMO_USERNAME = "demo"


@dataclass(frozen=True)
class DemoSummary:
    companies: int
    contacts: int
    invoices: int
    payments: int


def demo_customer_id(company_id: int) -> str:
    """The QuickBooks customer Id of a demo company."""
    return str(company_id)


def _batched(rows: list[dict[str, object]], size: int = 5000) -> Iterator[list[dict[str, object]]]:
    """Batches with the same keys in every row (executemany needs one shape); missing keys are NULL."""
    keys = {k for row in rows for k in row}
    for i in range(0, len(rows), size):
        yield [{k: row.get(k) for k in keys} for row in rows[i:i + size]]


def _company_name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = f"{rng.choice(COMPANY_A)} {rng.choice(COMPANY_B)} {rng.choice(SUFFIX)}"
        if name not in used:
            used.add(name)
            return name


def generate_demo_company(url: str, *, companies: int = 60, years: int = 2, seed: int = 7,
                          today: dt.date | None = None) -> DemoSummary:
    """Fill an empty, migrated database with a demo company: companies, contacts, contracts, tickets,
    two years of invoices in every state, and card and eCheck payments (some voided or refunded)."""
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC) if today is None else dt.datetime.combine(today, dt.time(17), tzinfo=dt.UTC)
    today = today or dt.date.today()
    engine = make_sync_engine(url)
    used: set[str] = set()
    company_rows, contact_rows, contract_rows, ticket_rows = [], [], [], []
    for cid in range(1, companies + 1):
        city, state, zip_code = rng.choice(CITIES)
        company_rows.append(dict(id=cid, external_id=29000000 + cid, name=_company_name(rng, used),
                                 number=f"C{1000 + cid}",
                                 phone=f"({rng.randint(200, 989)}) 555-{rng.randint(1000, 9999)}",
                                 address1=f"{rng.randint(10, 9999)} {rng.choice(LAST)} St", city=city, state=state,
                                 postal_code=zip_code, country="US", is_active=cid % 17 != 0, synced_at=now))
        for k in range(rng.randint(1, 4)):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            contact_rows.append(dict(id=len(contact_rows) + 1, external_id=30600000 + len(contact_rows) + 1,
                                     company_id=cid, first_name=first, last_name=last,
                                     email=f"{first}.{last}@example.com".lower(), phone="",
                                     is_active=k != 3))
        contract_rows.append(dict(id=cid, external_id=29684000 + cid, company_id=cid,
                                  # statuses as a sync stores Autotask's picklist values (1 active, 5 complete)
                                  name="Managed Services Agreement", number=f"MSA-{2024 + cid % 2}-{cid:03d}",
                                  status="1", start_date=today - dt.timedelta(days=730),
                                  end_date=today + dt.timedelta(days=365)))
        for _ in range(rng.randint(2, 6)):
            tid = len(ticket_rows) + 1
            ticket_rows.append(dict(id=tid, external_id=7100 + tid, company_id=cid, contact_id=None,
                                    contract_id=cid, ticket_number=f"T{today.year}0101.{tid:04d}",
                                    title=rng.choice(["Printer offline", "New laptop setup", "VPN drops", "Email quota",
                                                      "Firewall rule change", "Onboarding new hire"]),
                                    status="5", created_at=now - dt.timedelta(days=rng.randint(1, 700)),
                                    modified_at=now))
    names = {r["id"]: r["name"] for r in company_rows}

    invoice_rows, line_rows, payment_rows, refund_rows, method_rows = [], [], [], [], []
    start = today - dt.timedelta(days=365 * years)
    inv_id = 0
    for cid in range(1, companies + 1):
        day = start + dt.timedelta(days=rng.randint(0, 27))
        while day <= today:
            inv_id += 1
            lines = rng.sample(SERVICES, rng.randint(1, 3))
            amounts = []
            for pos, (desc, lo, hi) in enumerate(lines):
                qty = rng.randint(1, 5) if lo == hi else 1
                unit = lo if lo == hi else rng.randrange(lo, hi + 1, 100)
                amounts.append(unit * qty)
                line_rows.append(dict(external_id=900000 + len(line_rows) + 1, invoice_id=inv_id, position=pos,
                                      description=desc, quantity=qty,
                                      unit_price_minor=unit, amount_minor=unit * qty, contract_id=cid,
                                      ticket_id=None))
            subtotal = sum(amounts)
            tax = subtotal * 7 // 100
            total = subtotal + tax
            due = day + dt.timedelta(days=30)
            age = (today - day).days
            roll = rng.random()
            voided = roll < 0.03
            if voided:
                paid = 0
            elif age > 75 or (age > 40 and roll < 0.85):
                paid = total if roll < 0.93 else total // 2
            elif age > 20 and roll < 0.3:
                paid = total // 3
            else:
                paid = 0
            invoice_rows.append(dict(
                id=inv_id, external_id=5000 + inv_id, company_id=cid, company_name=names[cid],
                invoice_number=f"{day.year}{inv_id:06d}", accounting_number=str(1000 + inv_id) if age > 2 else None,
                accounting_id=str(100 + inv_id) if age > 2 else None, invoice_date=day, due_date=due, currency="USD",
                total_minor=total, tax_minor=tax, paid_minor=paid, balance_minor=0 if voided else total - paid,
                status=invoice_status(total, paid, voided).value, is_voided=voided,
                voided_date=min(day + dt.timedelta(days=3), today) if voided else None,
                paid_date=min(due - dt.timedelta(days=rng.randint(0, 20)), today) if paid >= total else None,
                payment_term="Net 30", comments="", contract_id=cid, sync_state="synced" if age > 2 else "pending",
                psa_paid_marked=paid >= total and not voided, created_at=now, updated_at=now))
            if paid:
                _payments_for(rng, inv_id, cid, names[cid], invoice_rows[-1], paid, payment_rows, refund_rows,
                              method_rows, now)
            day += dt.timedelta(days=rng.choice([28, 30, 31]))
    # every company is a QuickBooks customer already (the demo's QuickBooks sandbox is seeded with the same ids)
    link_rows = [dict(company_id=r["id"], customer_id=demo_customer_id(int(r["id"])), display_name=r["name"],
                      created_at=now) for r in company_rows]
    with engine.begin() as conn:
        for model, rows in ((Company, company_rows), (Contact, contact_rows), (Contract, contract_rows),
                            (Ticket, ticket_rows), (Invoice, invoice_rows), (InvoiceLine, line_rows),
                            (SavedPaymentMethod, method_rows), (Payment, payment_rows), (Refund, refund_rows),
                            (AccountingCustomerLink, link_rows)):
            for batch in _batched(rows):
                conn.execute(insert(model.__table__), batch)  # type: ignore[attr-defined]
    engine.dispose()
    return DemoSummary(len(company_rows), len(contact_rows), len(invoice_rows), len(payment_rows))


def _payments_for(rng: random.Random, inv_id: int, cid: int, company: str, inv: dict[str, object], paid: int,
                  payments: list[dict[str, object]], refunds: list[dict[str, object]],
                  methods: list[dict[str, object]], now: dt.datetime) -> None:
    """The payments of one paid or partly paid invoice. Nothing happens after `now`: a payment made in the last
    day is approved but not settled yet, and a refund needs the five days after the payment to have passed."""
    echeck = rng.random() < 0.3
    brand, last4 = ("", rng.choice(["3123", "3815"])) if echeck else rng.choice(BRANDS)
    issued = inv["invoice_date"]
    assert isinstance(issued, dt.date)
    when = dt.datetime.combine(issued + dt.timedelta(days=rng.randint(1, 35)), dt.time(9 + rng.randint(0, 8)),
                               tzinfo=dt.UTC)
    if when > now - dt.timedelta(hours=2):
        when = max(now - dt.timedelta(hours=2), dt.datetime.combine(issued, dt.time(9), tzinfo=dt.UTC))
    settled = when + dt.timedelta(days=1) <= now
    method_id = None
    if not any(m["company_id"] == cid for m in methods) and rng.random() < 0.7:
        method_id = len(methods) + 1
        methods.append(dict(id=method_id, company_id=cid, contact_id=None, gateway="nmi",
                            vault_id=uuid.UUID(int=rng.getrandbits(128)).hex[:16],
                            method="echeck" if echeck else "card", brand=brand, last_four=last4,
                            expiry="" if echeck else f"{rng.randint(1, 12):02d}{rng.randint(27, 30)}",
                            account_type="checking" if echeck else "", account_holder_type="business" if echeck else "",
                            holder_name=company, is_active=True, created_at=when, last_used_at=when))
    pid = len(payments) + 1
    extra_voided = rng.random() < 0.04
    base = dict(order_id=f"demo-{inv_id}-{pid}", invoice_id=inv_id, company_id=cid, company_name=company,
                invoice_number=inv["invoice_number"], gateway="nmi", currency="USD",
                method="echeck" if echeck else "card", brand=brand, last_four=last4,
                expiry="" if echeck else "1228", account_type="checking" if echeck else "", saved_method_id=method_id,
                source="back_office" if rng.random() < 0.8 else "client_portal", auth_code="" if echeck else "A1B2C3",
                response_code="100", response_text="SUCCESS", avs_result="Y",
                cvv_result="" if echeck else "M", created_by=None, created_by_name="demo", created_at=when,
                decided_at=when, reconcile_attempts=0, accounting_sync_state="synced", psa_sync_state="synced",
                sync_error="")
    if extra_voided:   # a payment made twice by mistake and voided the same day
        payments.append(dict(base, id=pid, order_id=f"demo-{inv_id}-{pid}-v", transaction_id=str(8800000000 + pid),
                             amount_minor=paid, applied_minor=0, refunded_minor=0, status="voided",
                             voided_at=when + dt.timedelta(hours=1), accounting_id=None))
        refunds.append(dict(payment_id=pid, order_id=f"demo-void-{pid}", kind="void", amount_minor=paid, currency="USD",
                            status="approved", transaction_id=str(8800000000 + pid), response_code="100",
                            response_text="Transaction Void Successful", reason="Entered twice", created_by=None,
                            created_at=when + dt.timedelta(hours=1), decided_at=when + dt.timedelta(hours=1)))
        pid += 1
    refunded = 0
    if rng.random() < 0.05 and paid > 1000 and when + dt.timedelta(days=5) <= now:
        refunded = paid // 4
    status = "partially_refunded" if refunded else "settled" if settled else "approved"
    payments.append(dict(base, id=pid, transaction_id=str(8800000000 + pid), amount_minor=paid + refunded,
                         applied_minor=paid + refunded, refunded_minor=refunded, status=status,
                         settled_at=when + dt.timedelta(days=1) if settled else None, accounting_id=str(500 + pid)))
    if refunded:
        refunds.append(dict(payment_id=pid, order_id=f"demo-refund-{pid}", kind="refund", amount_minor=refunded,
                            currency="USD", status="approved", transaction_id=str(9900000000 + pid),
                            response_code="100", response_text="SUCCESS", reason="Service credit", created_by=None,
                            created_at=when + dt.timedelta(days=5), decided_at=when + dt.timedelta(days=5)))


def write_demo_settings(url: str, values: dict[str, object]) -> None:
    """Settings for the demo company (sandbox gateway, USD, all payment types) written directly."""
    engine = make_sync_engine(url)
    with engine.begin() as conn:
        for key, value in values.items():
            conn.execute(Setting.__table__.delete().where(Setting.__table__.c.key == key))
            conn.execute(insert(Setting.__table__), [dict(key=key, value=json.dumps(value),
                                                          updated_at=dt.datetime.now(dt.UTC), updated_by="demo")])
    engine.dispose()


INVOICE_INDEXES = [idx for idx in Invoice.__table__.indexes]  # type: ignore[attr-defined]


def generate_invoices(url: str, count: int, *, companies: int = 2000, seed: int = 11,
                      on_progress: object = None) -> int:
    """Bulk-generate `count` invoices (and the companies they belong to) for benchmarks.

    On SQLite the invoice indexes are dropped during the load and rebuilt after it, which is several times
    faster than maintaining ten indexes row by row."""
    rng = random.Random(seed)
    engine: Engine = make_sync_engine(url)
    today = dt.date.today()
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        base_company = conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM companies")).scalar_one()
        base_invoice = conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM invoices")).scalar_one()
        used: set[str] = set(conn.execute(text("SELECT name FROM companies")).scalars())
        names = []
        rows = []
        for i in range(companies):
            name = _company_name(rng, used) if len(used) < 5000 else f"Company {base_company + i + 1:06d}"
            names.append(name)
            rows.append(dict(id=base_company + i + 1, name=name, number=f"B{i}", country="US", is_active=True,
                             phone="", address1="", city="", state="", postal_code="", synced_at=now))
        conn.execute(insert(Company.__table__), rows)  # type: ignore[attr-defined]
    sqlite = engine.dialect.name == "sqlite"
    if sqlite:
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            for idx in INVOICE_INDEXES:
                cur.execute(f"DROP INDEX IF EXISTS {idx.name}")
            cur.execute("BEGIN")
            cur.executemany(
                "INSERT INTO invoices (id, company_id, company_name, invoice_number, invoice_date, due_date, currency,"
                " total_minor, tax_minor, paid_minor, balance_minor, status, is_voided, payment_term, comments,"
                " sync_state, psa_paid_marked, created_at, updated_at, accounting_number)"
                " VALUES (?,?,?,?,?,?,'USD',?,0,?,?,?,?,'Net 30','',?,0,?,?,?)",
                _invoice_tuples(rng, count, base_invoice, base_company, names, today, now.isoformat(sep=" ")))
            cur.execute("COMMIT")
            for idx in INVOICE_INDEXES:
                cols = ", ".join(c.name for c in idx.columns)
                cur.execute(f"CREATE INDEX {idx.name} ON invoices ({cols})")
            cur.execute("ANALYZE")
            raw.commit()
        finally:
            raw.close()
    else:
        with engine.begin() as conn:
            keys = ["id", "company_id", "company_name", "invoice_number", "invoice_date", "due_date", "total_minor",
                    "paid_minor", "balance_minor", "status", "is_voided", "sync_state", "created_at", "updated_at",
                    "accounting_number"]
            batch: list[dict[str, object]] = []
            for t in _invoice_tuples(rng, count, base_invoice, base_company, names, today, now):
                batch.append(dict(zip(keys, t, strict=True), currency="USD", tax_minor=0, payment_term="Net 30",
                                  comments="", psa_paid_marked=False))
                if len(batch) >= 10000:
                    conn.execute(insert(Invoice.__table__), batch)  # type: ignore[attr-defined]
                    batch.clear()
            if batch:
                conn.execute(insert(Invoice.__table__), batch)  # type: ignore[attr-defined]
            conn.execute(text("ANALYZE invoices"))
    engine.dispose()
    return count


def _invoice_tuples(rng: random.Random, count: int, base_invoice: int, base_company: int, names: list[str],
                    today: dt.date, now: object) -> Iterator[tuple[object, ...]]:
    ncomp = len(names)
    statuses = ("open", "partially_paid", "paid", "voided")
    rand = rng.random
    randint = rng.randint
    for i in range(count):
        inv_id = base_invoice + i + 1
        c = randint(0, ncomp - 1)
        day = today - dt.timedelta(days=randint(0, 1460))
        total = randint(1000, 2_500_000)
        r = rand()
        if r < 0.6:
            status, paid = 2, total
        elif r < 0.75:
            status, paid = 1, total // 2
        elif r < 0.78:
            status, paid = 3, 0
        else:
            status, paid = 0, 0
        balance = 0 if status == 3 else total - paid
        yield (inv_id, base_company + c + 1, names[c], f"{day.year}{inv_id:07d}", day.isoformat(),
               (day + dt.timedelta(days=30)).isoformat(), total, paid, balance, statuses[status], status == 3,
               "synced", now, now, str(100000 + inv_id))


# ---------------------------------------------------------------------------------- the demo's sandboxes
#
# The demo company is one company: its database, its Autotask, its QuickBooks and its gateway account agree.
# The sandboxes are seeded from the demo database (so a first sync changes nothing and a new payment on an
# existing invoice reaches QuickBooks and Autotask), keep their state in the demo's data folder (one JSON file
# each, written atomically after every request that may write), and the gateway settles at a daily cut-off.

#: the demo gateway's daily batch cut-off (UTC): midnight US Eastern (standard time), the gateway's default of
#: "around midnight of the merchant's local time" (support.nmi.com, Host Capture vs Terminal Capture)
DEMO_CUTOFF = dt.time(5, 0)
SANDBOX_FILES = {"gateway": "sandbox-gateway.json", "autotask": "sandbox-autotask.json",
                 "quickbooks": "sandbox-quickbooks.json"}


def _rows(conn: Any, table: Any) -> list[Any]:
    return list(conn.execute(select(table).order_by(table.c[next(iter(table.primary_key.columns)).name])))


def _at_iso(value: dt.datetime | dt.date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        v = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return v.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return value.isoformat() + "T00:00:00Z"


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _ts(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(12), tzinfo=dt.UTC)
    return dt.datetime.fromisoformat(str(value)).replace(tzinfo=dt.UTC)


def autotask_records(url: str) -> dict[str, list[dict[str, Any]]]:
    """The demo database's companies, contacts, contracts, tickets, invoices and lines as Autotask records
    (the ids are the database's external ids, amounts and dates as Autotask writes them)."""
    from payapp.sandbox.autotask import money

    engine = make_sync_engine(url)
    try:
        with engine.connect() as conn:
            companies = _rows(conn, Company.__table__)
            contacts = _rows(conn, Contact.__table__)
            contracts = _rows(conn, Contract.__table__)
            tickets = _rows(conn, Ticket.__table__)
            invoices = _rows(conn, Invoice.__table__)
            lines = _rows(conn, InvoiceLine.__table__)
    finally:
        engine.dispose()
    company_ext = {c.id: c.external_id for c in companies}
    contact_ext = {c.id: c.external_id for c in contacts}
    contract_ext = {c.id: c.external_id for c in contracts}
    ticket_ext = {t.id: t.external_id for t in tickets}
    invoice_ext = {i.id: i.external_id for i in invoices}
    terms = {"Net 30": 1, "Net 15": 2, "Due on receipt": 3, "Net 60": 4}
    out: dict[str, list[dict[str, Any]]] = {e: [] for e in ("Companies", "Contacts", "Contracts", "Tickets",
                                                            "Invoices", "BillingItems")}
    for c in companies:
        if c.external_id is None:
            continue
        out["Companies"].append({
            "id": c.external_id, "companyName": c.name, "companyNumber": c.number or "", "phone": c.phone or "",
            "address1": c.address1 or "", "city": c.city or "", "state": c.state or "",
            "postalCode": c.postal_code or "", "countryID": 237, "isActive": bool(c.is_active),
            "lastTrackedModifiedDateTime": _at_iso(_ts(c.synced_at) if c.synced_at else None)})
    for c in contacts:
        if c.external_id is None or company_ext.get(c.company_id) is None:
            continue
        out["Contacts"].append({
            "id": c.external_id, "companyID": company_ext[c.company_id], "firstName": c.first_name,
            "lastName": c.last_name, "emailAddress": c.email or "", "phone": c.phone or "",
            "isActive": 1 if c.is_active else 0, "lastModifiedDate": _at_iso(dt.datetime(2024, 1, 1, tzinfo=dt.UTC))})
    for c in contracts:
        if c.external_id is None or company_ext.get(c.company_id) is None:
            continue
        out["Contracts"].append({
            "id": c.external_id, "companyID": company_ext[c.company_id], "contractName": c.name,
            "contractNumber": c.number or "", "status": int(c.status) if str(c.status).isdigit() else 1,
            "startDate": _at_iso(_date(c.start_date)), "endDate": _at_iso(_date(c.end_date)),
            "lastModifiedDateTime": _at_iso(dt.datetime(2024, 1, 1, tzinfo=dt.UTC))})
    for t in tickets:
        if t.external_id is None or company_ext.get(t.company_id) is None:
            continue
        out["Tickets"].append({
            "id": t.external_id, "ticketNumber": t.ticket_number, "companyID": company_ext[t.company_id],
            "contactID": contact_ext.get(t.contact_id) if t.contact_id else None,
            "contractID": contract_ext.get(t.contract_id) if t.contract_id else None, "title": t.title,
            "status": int(t.status) if str(t.status).isdigit() else 5, "createDate": _at_iso(_ts(t.created_at)),
            "lastTrackedModificationDateTime": _at_iso(_ts(t.modified_at))})
    for i in invoices:
        if i.external_id is None or company_ext.get(i.company_id) is None:
            continue
        issued = _date(i.invoice_date)
        out["Invoices"].append({
            "id": i.external_id, "companyID": company_ext[i.company_id], "invoiceNumber": i.invoice_number,
            "invoiceDateTime": _at_iso(issued), "dueDate": _at_iso(_date(i.due_date)),
            "invoiceTotal": money(i.total_minor), "totalTaxValue": money(i.tax_minor),
            "paidDate": _at_iso(_date(i.paid_date)), "isVoided": bool(i.is_voided),
            "voidedDate": _at_iso(_date(i.voided_date)), "createDateTime": _at_iso(issued),
            "paymentTerm": terms.get(i.payment_term or "", 1), "comments": i.comments or ""})
    for ln in lines:
        if ln.external_id is None or invoice_ext.get(ln.invoice_id) is None:
            continue
        out["BillingItems"].append({
            "id": ln.external_id, "invoiceID": invoice_ext[ln.invoice_id], "description": ln.description,
            "quantity": int(ln.quantity) if Decimal(str(ln.quantity)) == int(ln.quantity) else float(ln.quantity),
            "rate": money(ln.unit_price_minor), "extendedPrice": money(ln.amount_minor),
            "contractID": contract_ext.get(ln.contract_id) if ln.contract_id else None,
            "ticketID": ticket_ext.get(ln.ticket_id) if ln.ticket_id else None})
    return out


def _dollars(minor: int) -> Decimal:
    return (Decimal(minor) / 100).quantize(Decimal("0.01"))


def quickbooks_records(url: str) -> dict[str, list[dict[str, Any]]]:
    """The demo database's QuickBooks side: a customer per company (the customer links), the invoices that were
    pushed (their accounting ids, numbers and balances) and the payments that were pushed."""
    engine = make_sync_engine(url)
    try:
        with engine.connect() as conn:
            companies = {c.id: c for c in _rows(conn, Company.__table__)}
            links = {ln.company_id: ln.customer_id for ln in _rows(conn, AccountingCustomerLink.__table__)}
            invoices = _rows(conn, Invoice.__table__)
            payments = _rows(conn, Payment.__table__)
    finally:
        engine.dispose()
    meta = {"CreateTime": "2024-01-01T00:00:00+00:00", "LastUpdatedTime": "2024-01-01T00:00:00+00:00"}
    balances: dict[str, Decimal] = {}
    out: dict[str, list[dict[str, Any]]] = {"Customer": [], "Invoice": [], "Payment": []}
    invoice_acc: dict[int, tuple[str, str]] = {}
    for i in invoices:
        customer = links.get(i.company_id)
        if not i.accounting_id or customer is None or i.is_voided:
            continue
        invoice_acc[i.id] = (i.accounting_id, customer)
        total = _dollars(i.total_minor)
        balance = _dollars(i.balance_minor)
        balances[customer] = balances.get(customer, Decimal(0)) + balance
        out["Invoice"].append({
            "Id": i.accounting_id, "SyncToken": "0", "DocNumber": i.accounting_number or "",
            "CustomerRef": {"value": customer, "name": i.company_name}, "TxnDate": str(_date(i.invoice_date)),
            "DueDate": str(_date(i.due_date)),
            "PrivateNote": f"Autotask invoice {i.invoice_number} (id {i.external_id})",
            "Line": [{"Amount": total, "DetailType": "SalesItemLineDetail",
                      "SalesItemLineDetail": {"ItemRef": {"value": "1", "name": "Services"}}}],
            "TotalAmt": total, "Balance": balance, "MetaData": meta})
    for p in payments:
        if not p.accounting_id or p.invoice_id not in invoice_acc or p.status == "voided":
            continue
        inv_acc, customer = invoice_acc[p.invoice_id]
        applied = _dollars(p.applied_minor or p.amount_minor)
        out["Payment"].append({
            "Id": p.accounting_id, "SyncToken": "0", "CustomerRef": {"value": customer},
            "TotalAmt": _dollars(p.amount_minor), "UnappliedAmt": _dollars(p.amount_minor) - applied,
            "TxnDate": str(_date(p.decided_at or p.created_at)), "PaymentRefNum": p.transaction_id[:21],
            "Line": [{"Amount": applied, "LinkedTxn": [{"TxnId": inv_acc, "TxnType": "Invoice"}]}],
            "MetaData": meta})
    for cid, customer in links.items():
        company = companies.get(cid)
        if company is None:
            continue
        out["Customer"].append({"Id": customer, "SyncToken": "0", "DisplayName": company.name,
                                "CompanyName": company.name, "Active": True,
                                "Balance": balances.get(customer, Decimal(0)), "MetaData": meta})
    return out


def gateway_records(url: str) -> tuple[list[Any], list[Any]]:
    """The demo database's payments, voids and refunds as the gateway account's transactions, and its saved
    payment methods as vault entries (masked numbers only)."""
    from payapp.sandbox.gateway import Action, Txn, VaultEntry

    engine = make_sync_engine(url)
    try:
        with engine.connect() as conn:
            payments = _rows(conn, Payment.__table__)
            refunds = _rows(conn, Refund.__table__)
            methods = _rows(conn, SavedPaymentMethod.__table__)
    finally:
        engine.dispose()

    def stamp(value: Any) -> str:
        return _ts(value).strftime("%Y%m%d%H%M%S")

    by_payment: dict[int, list[Any]] = {}
    for r in refunds:
        by_payment.setdefault(r.payment_id, []).append(r)
    txns: list[Any] = []
    for p in payments:
        if not p.transaction_id:
            continue
        kind = "ck" if p.method == "echeck" else "cc"
        masked = "x" * (12 if kind == "cc" else 6) + (p.last_four or "0000")
        when = _ts(p.decided_at or p.created_at)
        amount = _dollars(p.amount_minor)
        t = Txn(p.transaction_id, kind, "pendingsettlement", p.order_id, amount, p.currency, "", p.company_name[:60],
                masked, p.last_four or "", "xxxxx3123" if kind == "ck" else "",
                authorization_code=p.auth_code or "", avs=p.avs_result or "", cvv=p.cvv_result or "",
                modified=when.timestamp(), created=when.timestamp())
        declined = p.status in ("declined", "failed", "error")
        t.actions.append(Action("sale", f"{amount:.2f}", "0" if declined else "1", stamp(when)))
        if declined:
            t.condition = "failed"
        if p.settled_at is not None:
            t.condition = "complete"
            t.actions.append(Action("settle", f"{amount:.2f}", "1", stamp(p.settled_at)))
        for r in by_payment.get(p.id, []):
            if r.status != "approved":
                continue
            if r.kind == "void":
                t.condition = "canceled"
                t.actions.append(Action("void", f"{amount:.2f}", "1", stamp(r.decided_at or r.created_at),
                                        response_text="Transaction Void Successful"))
            else:
                r_amount = _dollars(r.amount_minor)
                t.refunded += r_amount
                t.actions.append(Action("refund", f"{r_amount:.2f}", "1", stamp(r.decided_at or r.created_at)))
                if r.transaction_id:
                    r_when = _ts(r.decided_at or r.created_at)
                    rt = Txn(r.transaction_id, kind, "complete", "", r_amount, r.currency, "", t.last_name,
                             masked, t.last_four, t.check_aba, kind="refund", parent_id=t.transaction_id,
                             modified=r_when.timestamp(), created=r_when.timestamp())
                    rt.actions.append(Action("refund", f"{r_amount:.2f}", "1", stamp(r_when)))
                    rt.actions.append(Action("settle", f"{r_amount:.2f}", "1", stamp(r_when + dt.timedelta(days=1))))
                    txns.append(rt)
        if p.status == "voided" and t.condition != "canceled":
            t.condition = "canceled"
        txns.append(t)
    vault = []
    for m in methods:
        if not m.is_active:
            continue
        ck = m.method == "echeck"
        vault.append(VaultEntry(m.vault_id, "ck" if ck else "cc", "x" * (6 if ck else 12) + m.last_four,
                                m.last_four, "" if ck else m.expiry, last_name=m.holder_name[:60],
                                check_name=m.holder_name[:60] if ck else "", account_type=m.account_type or "",
                                account_holder_type=m.account_holder_type or "",
                                check_aba="xxxxx3123" if ck else "", fingerprint=f"demo-vault-{m.vault_id}"))
    return txns, vault


def open_demo_sandboxes(data_dir: Path, url: str, *, reseed: bool = False) -> dict[str, tuple[Any, Any]]:
    """The demo's gateway, Autotask and QuickBooks sandboxes: (state, ASGI app) by name. Each keeps its state
    in `data_dir` (read back on the next start); a sandbox without a state file (or every one, with `reseed`:
    the demo database is new) is seeded from the demo database at `url`, so all three hold exactly the demo
    company."""
    from payapp.sandbox.autotask import AutotaskSandbox, create_autotask_app
    from payapp.sandbox.gateway import GatewaySandbox, create_gateway_app
    from payapp.sandbox.persist import PersistingApp, load_state, save_state
    from payapp.sandbox.quickbooks import QuickBooksSandbox, create_quickbooks_app

    gateway = GatewaySandbox(daily_cutoff=DEMO_CUTOFF)
    autotask = AutotaskSandbox(companies=1, invoices=0)
    quickbooks = QuickBooksSandbox()
    paths = {name: data_dir / file for name, file in SANDBOX_FILES.items()}
    saved = {name: None if reseed else load_state(path) for name, path in paths.items()}
    for name, state in (("gateway", gateway), ("autotask", autotask), ("quickbooks", quickbooks)):
        data = saved[name]
        if data is None:
            continue
        try:
            state.load_state_dict(data)
        except (KeyError, TypeError, ValueError, AttributeError, InvalidOperation):
            log.warning("the demo's %s sandbox state cannot be read; seeding it again", name)
            saved[name] = None
    if saved["gateway"] is None:
        gateway = GatewaySandbox(daily_cutoff=DEMO_CUTOFF)
        txns, vault = gateway_records(url)
        for t in txns:
            gateway.add_known(t)
        for v in vault:
            gateway.add_vault_entry(v)
    if saved["autotask"] is None:
        autotask.replace_data(autotask_records(url))
    if saved["quickbooks"] is None:
        quickbooks = QuickBooksSandbox()
        for entity, records in quickbooks_records(url).items():
            quickbooks.add_records(entity, records)
    states: dict[str, Any] = {"gateway": gateway, "autotask": autotask, "quickbooks": quickbooks}
    for name, state in states.items():
        if saved[name] is None:
            save_state(paths[name], state.state_dict())
    apps = {"gateway": create_gateway_app(gateway), "autotask": create_autotask_app(autotask),
            "quickbooks": create_quickbooks_app(quickbooks)}
    return {name: (states[name], PersistingApp(apps[name], _saver(paths[name], states[name]))) for name in states}


def _saver(path: Path, state: Any) -> Callable[[], None]:
    from payapp.sandbox.persist import save_state

    def save() -> None:
        save_state(path, state.state_dict())
    return save


class DemoSettlement:
    """Demo only: "Settle now" — the demo gateway runs its daily batch at once (its `/_sandbox/settle-now`, over
    the demo's HTTP client), then PaymentService records what settled, so a refund can be tried without waiting
    for the cut-off. The composition root builds it in demo mode only."""

    def __init__(self, http: Any, gateway_url: str, payments: Any, current: Any) -> None:
        self._http = http
        self._url = gateway_url.rstrip("/") + "/_sandbox/settle-now"
        self._payments = payments
        self._current = current

    async def settle_now(self) -> int:
        """Settle what the demo gateway has pending; the number of payments PayApp now shows as settled."""
        self._current.require(Permission.MANAGE_PAYMENT)
        try:
            resp = await self._http.post(self._url)
        except httpx.HTTPError:
            raise PayAppError("The demo gateway did not answer. Try again.") from None
        if resp.status_code != 200:
            raise PayAppError("The demo gateway did not answer. Try again.")
        report = await self._payments.check_settlements()
        return int(report.settled)

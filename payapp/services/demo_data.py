"""Realistic generated data for the demo company and for benchmarks.

Everything is written with bulk INSERTs on a blocking engine (this runs before the window opens, or in
`payapp demo-data`), deterministic from a seed so screenshots and benchmarks are repeatable."""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import random
import struct
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

import httpx
from sqlalchemy import Connection, Engine, insert, select, text

from payapp.domain.errors import PayAppError
from payapp.domain.messages import msg
from payapp.domain.outbox_jobs import PaymentSource
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
    company_rows: list[dict[str, object]] = []
    contact_rows: list[dict[str, object]] = []
    contract_rows: list[dict[str, object]] = []
    ticket_rows: list[dict[str, object]] = []
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
                                     is_active=k != 3, is_primary=k == 0))
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
    names = {r["id"]: str(r["name"]) for r in company_rows}

    invoice_rows: list[dict[str, object]] = []
    line_rows: list[dict[str, object]] = []
    payment_rows: list[dict[str, object]] = []
    refund_rows: list[dict[str, object]] = []
    method_rows: list[dict[str, object]] = []
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
    link_rows = [dict(company_id=r["id"], customer_id=demo_customer_id(cast(int, r["id"])), display_name=r["name"],
                      created_at=now) for r in company_rows]
    with engine.begin() as conn:
        for model, rows in ((Company, company_rows), (Contact, contact_rows), (Contract, contract_rows),
                            (Ticket, ticket_rows), (Invoice, invoice_rows), (InvoiceLine, line_rows),
                            (SavedPaymentMethod, method_rows), (Payment, payment_rows), (Refund, refund_rows),
                            (AccountingCustomerLink, link_rows)):
            for batch in _batched(rows):
                conn.execute(insert(model.__table__), batch)
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
                source=PaymentSource.BACK_OFFICE if rng.random() < 0.8 else PaymentSource.CLIENT_PORTAL,
                auth_code="" if echeck else "A1B2C3",
                response_code="100", response_text="SUCCESS", avs_result="Y",
                cvv_result="" if echeck else "M", created_by=None, created_by_name="Demo Admin", created_at=when,
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


def _demo_logo_png(width: int = 120, height: int = 40) -> str:
    """The demo merchant's logo: a small PNG (a teal band with a white stripe) made here, base64."""
    rows = []
    for y in range(height):
        row = bytearray(b"\x00")                      # filter type 0 for each scanline
        for x in range(width):
            stripe = abs((x - 2 * y) % 40 - 20) < 4 and 6 <= y < height - 6
            row += b"\xff\xff\xff" if stripe else b"\x0f\x76\x6e"
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b""))
    return base64.b64encode(png).decode("ascii")


def demo_merchant() -> dict[str, object]:
    """The demo company as its clients see it (receipts, the client portal); written once (only_absent)."""
    return {"merchant.name": "Northwind IT Services",
            "merchant.address": "1200 Congress Avenue, Suite 400\nAustin, TX 78701\nUnited States",
            "merchant.email": "billing@northwind.example",
            "merchant.phone": "+1 (512) 555-0142",
            "merchant.logo_png": _demo_logo_png()}


def write_demo_settings(url: str, values: dict[str, object], *, only_absent: bool = False) -> None:
    """Settings for the demo company (sandbox gateway, USD, all payment types) written directly. With
    `only_absent`, a key that has a row already is left alone (the demo's merchant details: a user's edits
    survive a restart)."""
    engine = make_sync_engine(url)
    with engine.begin() as conn:
        write_demo_settings_in(conn, values, only_absent=only_absent)
    engine.dispose()


def write_demo_settings_in(conn: Connection, values: dict[str, object], *, only_absent: bool = False) -> None:
    """write_demo_settings inside the caller's transaction. A key already holding the same value is not
    rewritten: on a normal start nothing changes, and a read costs less than a write."""
    table = Setting.__table__
    stored = {key: value for key, value in conn.execute(
        select(table.c.key, table.c.value).where(table.c.key.in_(list(values))))}
    now = dt.datetime.now(dt.UTC)
    for key, value in values.items():
        encoded = json.dumps(value)
        if key in stored and (only_absent or stored[key] == encoded):
            continue
        conn.execute(table.delete().where(table.c.key == key))
        conn.execute(insert(table), [dict(key=key, value=encoded, updated_at=now, updated_by="demo")])


INVOICE_INDEXES = [idx for idx in Invoice.__table__.indexes]


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
        conn.execute(insert(Company.__table__), rows)
    sqlite = engine.dialect.name == "sqlite"
    if sqlite:
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            for idx in INVOICE_INDEXES:
                cur.execute(f"DROP INDEX IF EXISTS {idx.name}")
            cur.execute("BEGIN")
            # sqlite3 takes any iterable of rows (no list of all of them); SQLAlchemy's PEP 249 protocol says Sequence
            tuples = _invoice_tuples(rng, count, base_invoice, base_company, names, today, now.isoformat(sep=" "))
            cur.executemany(
                "INSERT INTO invoices (id, company_id, company_name, invoice_number, invoice_date, due_date, currency,"
                " total_minor, tax_minor, paid_minor, balance_minor, status, is_voided, payment_term, comments,"
                " sync_state, psa_paid_marked, created_at, updated_at, accounting_number)"
                " VALUES (?,?,?,?,?,?,'USD',?,0,?,?,?,?,'Net 30','',?,0,?,?,?)",
                tuples)  # type: ignore[arg-type]
            cur.execute("COMMIT")
            for idx in INVOICE_INDEXES:
                cols = ", ".join(c.name for c in idx.columns)
                cur.execute(f"CREATE INDEX {idx.name} ON invoices ({cols})")
            cur.execute("ANALYZE")
            raw.commit()
        finally:
            raw.close()
    else:
        # COPY: one statement for the whole load, so the running-totals trigger (migration 0006_totals) runs once.
        # Row by row in one transaction, each INSERT would add a version of the same totals row, and every later
        # one walks those versions (quadratic over a million rows).
        keys = ("id", "company_id", "company_name", "invoice_number", "invoice_date", "due_date", "total_minor",
                "paid_minor", "balance_minor", "status", "is_voided", "sync_state", "created_at", "updated_at",
                "accounting_number", "currency", "tax_minor", "payment_term", "comments", "psa_paid_marked")
        raw = engine.raw_connection()
        try:
            with raw.cursor() as cur:  # type: ignore[attr-defined]
                with cur.copy(f"COPY invoices ({', '.join(keys)}) FROM STDIN") as copy:
                    for t in _invoice_tuples(rng, count, base_invoice, base_company, names, today, now):
                        copy.write_row((*t, "USD", 0, "Net 30", "", False))
                cur.execute("ANALYZE invoices")
            raw.commit()
        finally:
            raw.close()
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
            raise PayAppError(msg("demo.gateway_no_answer")) from None
        if resp.status_code != 200:
            raise PayAppError(msg("demo.gateway_no_answer"))
        report = await self._payments.check_settlements()
        return int(report.settled)

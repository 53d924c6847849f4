"""The demo company's three sandboxes (gateway, Autotask, QuickBooks), seeded from the demo database and kept in
the demo's data folder, so the database and the sandboxes are one company and survive a restart. Built by the
composition root in demo mode (services never import the sandboxes)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import select

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
    Ticket,
)
from payapp.models.db import make_sync_engine

log = logging.getLogger(__name__)


#: the demo gateway's daily batch cut-off (UTC): midnight US Eastern (standard time), the gateway's default of
#: "around midnight of the merchant's local time" (support.nmi.com, Host Capture vs Terminal Capture)
DEMO_CUTOFF = dt.time(5, 0)
SANDBOX_FILES = {"gateway": "sandbox-gateway.json", "autotask": "sandbox-autotask.json",
                 "quickbooks": "sandbox-quickbooks.json", "payengine": "sandbox-payengine.json",
                 "paypal": "sandbox-paypal.json"}


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
    """The demo's gateway, Autotask, QuickBooks and PayEngine sandboxes: (state, ASGI app) by name. Each keeps its state
    in `data_dir` (read back on the next start); a sandbox without a state file (or every one, with `reseed`:
    the demo database is new) is seeded from the demo database at `url`, so all three hold exactly the demo
    company."""
    from payapp.sandbox.autotask import AutotaskSandbox, create_autotask_app
    from payapp.sandbox.gateway import GatewaySandbox, create_gateway_app
    from payapp.sandbox.payengine import PayEngineSandbox, create_payengine_app
    from payapp.sandbox.paypal import PayPalSandbox, create_paypal_app
    from payapp.sandbox.persist import PersistingApp, load_state, save_state
    from payapp.sandbox.quickbooks import QuickBooksSandbox, create_quickbooks_app

    gateway = GatewaySandbox(daily_cutoff=DEMO_CUTOFF)
    # PayEngine, for an admin who switches the demo to it: it starts empty (the demo company's payments went
    # through the NMI gateway) and keeps what it is sent
    payengine = PayEngineSandbox()
    paypal = PayPalSandbox()                 # the same for PayPal
    autotask = AutotaskSandbox(companies=1, invoices=0)
    quickbooks = QuickBooksSandbox()
    paths = {name: data_dir / file for name, file in SANDBOX_FILES.items()}
    saved = {name: None if reseed else load_state(path) for name, path in paths.items()}
    for name, state in (("gateway", gateway), ("autotask", autotask), ("quickbooks", quickbooks),
                        ("payengine", payengine), ("paypal", paypal)):
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
    if saved["payengine"] is None:
        payengine = PayEngineSandbox()
    if saved["paypal"] is None:
        paypal = PayPalSandbox()
    states: dict[str, Any] = {"gateway": gateway, "autotask": autotask, "quickbooks": quickbooks,
                              "payengine": payengine, "paypal": paypal}
    for name, state in states.items():
        if saved[name] is None:
            save_state(paths[name], state.state_dict())
    apps = {"gateway": create_gateway_app(gateway), "autotask": create_autotask_app(autotask),
            "quickbooks": create_quickbooks_app(quickbooks), "payengine": create_payengine_app(payengine),
            "paypal": create_paypal_app(paypal)}
    return {name: (states[name], PersistingApp(apps[name], _saver(paths[name], states[name]))) for name in states}


def _saver(path: Path, state: Any) -> Callable[[], None]:
    from payapp.sandbox.persist import save_state

    def save() -> None:
        save_state(path, state.state_dict())
    return save

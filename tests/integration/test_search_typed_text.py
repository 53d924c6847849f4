"""Issue #12.4, typed search text: whatever is typed or pasted into the Invoice History search or a Payment
Search text filter gives rows (or none), on SQLite and PostgreSQL, never a driver error. NUL made PostgreSQL
raise DataError, a lone surrogate made both raise UnicodeEncodeError, and a search ending in U+D7FF made the
index range's upper bound a lone surrogate."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payapp.models import Company, Invoice
from payapp.models.db import Database
from payapp.services.auth import CurrentUser
from payapp.services.invoices import InvoiceQuery, InvoiceService
from payapp.services.payment_search import PaymentQuery, PaymentSearchService
from tests.conftest import ADMIN

ODD = ["\x00", "Acme\x00", "a\x00b", "\ud800", "\udfff Acme", "Ac\ud7ff", "\U0010ffff", "%_\\", "Acme\tDental\n",
       "\u202e", "INV-\u0661\u0660\u0660\u0661"]


async def _seed(db: Database) -> None:
    async with db.transaction() as s:
        company = Company(name="Acme Dental")
        s.add(company)
        await s.flush()
        s.add(Invoice(company_id=company.id, company_name="Acme Dental", invoice_number="INV-1001",
                      invoice_date=dt.date(2026, 11, 1), currency="USD", total_minor=100_00, balance_minor=100_00,
                      status="open"))


@pytest.mark.parametrize("text", ODD)
async def test_odd_search_text_gives_rows_not_a_driver_error(database: Database, text: str) -> None:
    await _seed(database)
    invoices = InvoiceService(database, CurrentUser(ADMIN))
    await invoices.page(InvoiceQuery(text=text))
    await invoices.totals(InvoiceQuery(text=text))
    payments = PaymentSearchService(database, CurrentUser(ADMIN))
    for query in (PaymentQuery(company=text), PaymentQuery(invoice_number=text), PaymentQuery(user=text),
                  PaymentQuery(order_id=text), PaymentQuery(transaction_id=text), PaymentQuery(brand=text)):
        await payments.page(query, None, 50)
        await payments.totals(query)


async def test_a_pasted_control_character_still_finds_the_invoice(database: Database) -> None:
    await _seed(database)
    invoices = InvoiceService(database, CurrentUser(ADMIN))
    rows = await invoices.page(InvoiceQuery(text="Acme\x00"))
    assert [r.invoice_number for r in rows] == ["INV-1001"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.characters(codec=None), max_size=12))
async def test_any_search_text_gives_rows(database: Database, text: str) -> None:
    invoices = InvoiceService(database, CurrentUser(ADMIN))
    await invoices.page(InvoiceQuery(text=text), None, 20)
    await PaymentSearchService(database, CurrentUser(ADMIN)).page(PaymentQuery(company=text), None, 20)

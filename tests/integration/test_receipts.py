"""Issue #15.12: the receipt (services/receipts.py) on SQLite and PostgreSQL, with payments taken through the
sandbox gateway over real HTTP: the merchant's name, address and contact, the invoice's remaining balance, the
payer, the masked method, "pending settlement" for an eCheck and its ACH authorization; the PDF read back as text
(pypdf), in English and German, and never a card or account number in it."""

from __future__ import annotations

import base64
import io

import httpx
import pytest
from pypdf import PdfReader

from payapp.domain.errors import NotFound, PermissionDenied
from payapp.models.db import Database
from payapp.services.auth import CurrentUser
from payapp.services.payments import PaymentRequest
from payapp.services.receipts import ReceiptService, render_receipt_html, render_receipt_pdf
from payapp.services.secrets import SecretStore
from payapp.services.settings import SettingsService
from tests.conftest import VIEWER
from tests.payment_helpers import (
    ACH_ACCOUNT,
    ADMIN_ACTOR,
    SECRET_VALUES,
    VISA,
    ServedGateway,
    bank,
    card,
    configure_processing,
    make_invoice,
    make_service,
)

# a 1×1 PNG
LOGO = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAA"
                        "AABJRU5ErkJggg==")


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def squash(text: str) -> str:
    """Text extraction breaks lines and may turn no-break spaces into spaces: compare on single spaces."""
    return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())


async def set_merchant(db: Database, secrets: SecretStore) -> None:
    settings = SettingsService(db, secrets, CurrentUser(ADMIN_ACTOR))
    await settings.set_many({"merchant.name": "Müller & Söhne GmbH",
                             "merchant.address": "Hauptstraße 5\n80331 München",
                             "merchant.email": "billing@mueller.example", "merchant.phone": "+49 89 1234567",
                             "merchant.logo_png": base64.b64encode(LOGO).decode()})


async def test_card_receipt_carries_merchant_balance_payer_and_no_card_number(
        database: Database, secret_store: SecretStore, served_gateway: ServedGateway,
        http_client: httpx.AsyncClient) -> None:
    await configure_processing(database, secret_store, served_gateway.url)
    await set_merchant(database, secret_store)
    inv_id = await make_invoice(database, total_minor=1_500_00, company_name="Acme Inc", number="INV-1001")
    svc = make_service(database, secret_store, http_client)
    first = await svc.take_payment(PaymentRequest(inv_id, 1_234_56, card(), save_method=True))
    assert first.approved
    second = await svc.take_payment(PaymentRequest(inv_id, 100_00, card()))
    assert second.approved
    receipts = ReceiptService(database, SettingsService(database, secret_store, CurrentUser(VIEWER)),
                              CurrentUser(VIEWER))
    r = await receipts.receipt(first.payment_id)
    assert (r.merchant_name, r.merchant_address) == ("Müller & Söhne GmbH", ("Hauptstraße 5", "80331 München"))
    assert r.merchant_logo_png == LOGO and r.merchant_email == "billing@mueller.example"
    assert r.invoice_number == "INV-1001" and r.company_name == "Acme Inc" and r.invoice_id == inv_id
    # the balance right after this payment, not after the later one
    assert r.balance_after_minor == 1_500_00 - 1_234_56
    assert (await receipts.receipt(second.payment_id)).balance_after_minor == 1_500_00 - 1_334_56
    assert r.payer_name == "Ada Lovelace"             # the saved card's holder
    assert r.method_masked == "Visa …1111" and r.status == "approved" and not r.pending_settlement
    assert r.source == "back_office" and r.transaction_id == first.transaction_id

    english = squash(pdf_text(render_receipt_pdf(r, "en")))
    for text in ("Müller & Söhne GmbH", "Hauptstraße 5", "80331 München", "billing@mueller.example",
                 "Payment receipt", "INV-1001", "Visa …1111", "$1,234.56", "Remaining balance", "$265.44",
                 "Ada Lovelace · Acme Inc", first.transaction_id, "Back office", "Approved",
                 "Thank you for your payment."):
        assert text in english, (text, english)
    german = squash(pdf_text(render_receipt_pdf(r, "de")))
    for text in ("Müller & Söhne GmbH", "Zahlungsbeleg", "Offener Restbetrag", "1.234,56 $", "265,44 $",
                 "Zahlungsmittel", "Vielen Dank für Ihre Zahlung.", "Genehmigt", "01.11.2026"):
        assert text in german, (text, german)
    assert "Payment receipt" not in german and "Remaining balance" not in german
    html = render_receipt_html(r, "de")
    assert "Müller &amp; Söhne GmbH — Zahlungsbeleg" in html and "data:image/png;base64," in html
    for secret in (*SECRET_VALUES, VISA[-8:]):
        assert secret not in english and secret not in german and secret not in html


async def test_echeck_receipt_is_pending_settlement_with_its_authorization(
        database: Database, secret_store: SecretStore, served_gateway: ServedGateway,
        http_client: httpx.AsyncClient) -> None:
    await configure_processing(database, secret_store, served_gateway.url)
    await set_merchant(database, secret_store)
    inv_id = await make_invoice(database, total_minor=100_00)
    svc = make_service(database, secret_store, http_client)
    paid = await svc.take_payment(PaymentRequest(inv_id, 40_00, bank(holder="business")))
    assert paid.approved
    current = CurrentUser(VIEWER)
    r = await ReceiptService(database, SettingsService(database, secret_store, current), current).receipt(
        paid.payment_id)
    assert r.pending_settlement and r.method_masked == f"eCheck checking …{ACH_ACCOUNT[-4:]}"
    assert r.authorization is not None and r.authorization.sec_code == "CCD"
    assert r.payer_name == "Acme Inc" and r.balance_after_minor == 60_00
    data = render_receipt_pdf(r, "en")
    assert squash(pdf_text(await ReceiptService.pdf(r, "en"))) == squash(pdf_text(data))   # the same, off-loop
    text = squash(pdf_text(data))
    assert "pending settlement" in text.lower() and "ACH debit authorization" in text
    assert squash(r.authorization.wording_text)[:60] in text
    assert "CCD · business account" in text and "$60.00" in text
    german = squash(pdf_text(render_receipt_pdf(r, "de")))
    assert "Abrechnung ausstehend" in german and "ACH-Lastschriftermächtigung" in german
    assert "Geschäftskonto" in german and "eCheck Girokonto" in german
    for secret in (ACH_ACCOUNT, "490000018"):
        assert secret not in text and secret not in german and secret.encode() not in data


async def test_receipt_needs_view_and_an_existing_payment(database: Database, secret_store: SecretStore) -> None:
    nobody = CurrentUser(None)
    svc = ReceiptService(database, SettingsService(database, secret_store, nobody), nobody)
    with pytest.raises(PermissionDenied):
        await svc.receipt(1)
    current = CurrentUser(VIEWER)
    with pytest.raises(NotFound):
        await ReceiptService(database, SettingsService(database, secret_store, current), current).receipt(999)

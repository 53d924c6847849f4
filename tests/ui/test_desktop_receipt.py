"""The desktop's receipt is the one of services/receipts.py (issue #15.12): Save as PDF writes render_receipt_pdf
(read back with pypdf), in the user's language, with the demo merchant, the invoice's remaining balance, and for an
eCheck "pending settlement" and its authorization; no card or account number; saving is audited."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from payapp.app import AppContext
from payapp.models import AuditEvent, Invoice, Payment
from payapp.services.payments import PaymentRequest
from tests.payment_helpers import ACH_ACCOUNT, bank
from tests.ui.test_payment_search_tab import shown_tab

Run = Callable[..., Any]


def _text(path: str) -> str:
    reader = PdfReader(io.BytesIO(Path(path).read_bytes()))
    return " ".join(" ".join(p.extract_text() for p in reader.pages).replace("\xa0", " ").split())


def test_save_as_pdf_is_the_shared_receipt(qtbot: QtBot, demo_context: AppContext, run: Run,
                                           tmp_path: Path) -> None:
    services = demo_context.services
    tab = shown_tab(qtbot, services, tmp_path)

    async def scenario() -> tuple[str, str, Payment]:
        await tab.wait_ready()
        async with services.db.sessions() as s:
            invoice = (await s.scalars(select(Invoice).where(Invoice.status == "open", Invoice.balance_minor > 50_00)
                                       .order_by(Invoice.id).limit(1))).one()
        paid = await services.payments.take_payment(PaymentRequest(invoice.id, 25_00, bank(holder="personal")))
        assert paid.approved
        async with services.db.sessions() as s:
            p = await s.get(Payment, paid.payment_id)
            assert p is not None
        details = await services.payment_search.details(p.id)
        english = await tab.actions.save_receipt(details, tab, str(tmp_path / "en.pdf"))
        tab.actions._locale = "de_DE"
        german = await tab.actions.save_receipt(details, tab, str(tmp_path / "de.pdf"))
        return english, german, p

    english, german, p = run(scenario(), 30)
    text = _text(english)
    for want in ("Northwind IT Services", "1200 Congress Avenue", "Payment receipt", p.invoice_number,
                 "Pending settlement", "Remaining balance", "ACH debit authorization", p.transaction_id):
        assert want in text, (want, text)
    de = _text(german)
    for want in ("Zahlungsbeleg", "Abrechnung ausstehend", "Offener Restbetrag", "ACH-Lastschriftermächtigung",
                 "Vielen Dank für Ihre Zahlung."):
        assert want in de, (want, de)
    assert f"…{p.last_four}" in text and "$25.00" in text
    for secret in (ACH_ACCOUNT, "490000018"):
        assert secret not in text and secret not in de

    async def audited() -> int:
        async with services.db.sessions() as s:
            return len((await s.scalars(select(AuditEvent).where(AuditEvent.action == "payment.receipt_saved",
                                                                 AuditEvent.entity_id == str(p.id)))).all())

    assert run(audited()) == 2
    tab.shutdown()

"""Issue #12.1/#12.2/#12.7 in the UI (demo company, in-process sandbox gateway): AVS/CVV results in plain words
in Payment details, payments flagged for a person in Payment Search, and the Admin › Payment Processing setting
that refuses card payments whose CVV does not match."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QApplication, QCheckBox, QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import select, update

from payapp.app import AppContext
from payapp.models import Invoice, Payment
from payapp.services.payment_search import PaymentQuery
from payapp.services.payments import PaymentRequest
from payapp.services.payments.recording import APPROVED_LATE_ALERT
from payapp.ui.i18n import install_translators, remove_translators
from payapp.ui.messages import card_check_text
from payapp.ui.payments.payment_details import PaymentDetailsDialog
from payapp.ui.payments.payment_model import STATUS_COLUMN, PaymentTableModel
from tests.payment_helpers import card
from tests.ui.conftest import wait_until
from tests.ui.test_admin_processing import processing_page, save

Run = Callable[[Awaitable[Any]], Any]


async def _pay(ctx: AppContext, cvv: str = "999") -> int:
    services = ctx.services
    async with services.db.sessions() as s:
        inv = (await s.scalars(select(Invoice).where(Invoice.balance_minor >= 5_00, Invoice.currency == "USD")))\
            .first()
    assert inv is not None and services.payments is not None
    result = await services.payments.take_payment(PaymentRequest(inv.id, 5_00, card(cvv=cvv)),
                                                  confirm_duplicate=True)
    return result.payment_id


def test_details_show_avs_and_cvv_in_words_and_the_alert(qtbot: QtBot, demo_context: AppContext, run: Run) -> None:
    services = demo_context.services
    payment_id = run(_pay(demo_context, cvv="123"))

    async def flag() -> None:
        async with services.db.transaction() as s:
            # the alert as the engine keeps it: a message as data, shown in the reader's language
            await s.execute(update(Payment).where(Payment.id == payment_id).values(
                approved_late=True, attention=APPROVED_LATE_ALERT))

    run(flag())
    assert services.payment_search is not None
    details = run(services.payment_search.details(payment_id))
    dialog = PaymentDetailsDialog(details, "en_US")
    qtbot.addWidget(dialog)
    assert dialog.findChild(QLabel, "detailsCvv").text() == "N · Security code (CVV) does not match."
    assert dialog.findChild(QLabel, "detailsAvs").text() == "Y · Street address and 5-digit ZIP code match."
    assert dialog.banner.kind == "warning" and "Approved after it was marked failed." in dialog.banner.text

    model = PaymentTableModel(services.payment_search)
    model.set_query(PaymentQuery(needs_attention=True))
    run(wait_until(lambda: model.rowCount() == 1, 10))
    index = model.index(0, STATUS_COLUMN)
    assert model.data(index) == "Approved · approved after it was marked failed"
    assert "marked it failed" in model.data(index, Qt.ItemDataRole.ToolTipRole)
    app = QApplication.instance()
    assert app is not None
    try:
        install_translators(app, "de")
        assert model.data(index, Qt.ItemDataRole.ToolTipRole).startswith(
            "Das Gateway hat diese Zahlung genehmigt, nachdem PayApp sie als fehlgeschlagen markiert hatte.")
    finally:
        remove_translators(app)
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))


def test_card_check_words_in_german(qapp: QApplication) -> None:
    try:
        install_translators(qapp, "de")
        text = card_check_text("N", "N")
    finally:
        remove_translators(qapp)
    assert text == ("Weder Straße noch Postleitzahl stimmen überein. "
                    "Der Sicherheitscode (CVV) stimmt nicht überein.")
    assert card_check_text("", "") == ""


def test_refuse_cvv_mismatch_setting(qtbot: QtBot, admin_company: AppContext, run: Run) -> None:
    page = processing_page(qtbot, admin_company, run)
    box = page.findChild(QCheckBox, "refuseCvvMismatchBox")
    assert box is not None and not box.isChecked()                 # off by default
    box.setChecked(True)
    save(page, run)
    assert page.state is not None and page.state.refuse_cvv_mismatch
    assert box.isChecked()

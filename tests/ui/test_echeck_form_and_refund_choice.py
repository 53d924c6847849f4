"""Issue #15.6 and #15.7 in the widgets: the eCheck form shows the ACH authorization (PPD/CCD, the date), asks for
the account number twice and keeps what was agreed; the refund dialog offers "stays paid" (the default) or
"re-open", says what each does to QuickBooks and Autotask, and the choice reaches the service."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from payapp.app import AppContext
from payapp.domain import ach
from payapp.models import AchAuthorization, Invoice, Payment
from payapp.services.payments import PaymentRequest
from payapp.services.receipts import render_receipt_html
from payapp.ui.invoices.invoice_history_tab import InvoiceHistoryTab
from payapp.ui.payments.payment_details import RefundDialog
from tests.payment_helpers import card
from tests.ui.conftest import wait_until
from tests.ui.test_invoice_history import (
    Run,
    banner_text,
    edit,
    gateway,
    pay_dialog_via_menu,
    payable_row,
    submit,
)
from tests.ui.test_invoice_history import (
    tab as tab,
)
from tests.ui.test_payment_search_tab import shown_tab

# the context menu that opens the payment window (offscreen platform), as in test_invoice_history
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support raise", "does not support grabbing the keyboard")


def _error(dialog: object, name: str) -> str:
    label = dialog.findChild(QLabel, name)  # type: ignore[attr-defined]
    return label.text() if label is not None and label.isVisible() else ""


def test_echeck_form_authorization_and_account_twice(qtbot: QtBot, tab: InvoiceHistoryTab,
                                                     demo_context: AppContext, run: Run) -> None:
    index, row = payable_row(tab)
    dialog = run(pay_dialog_via_menu(tab, index))
    dialog.new_bank_radio.setChecked(True)
    qtbot.keyClicks(edit(dialog, "accountNameEdit"), "Anna Baker")
    qtbot.keyClicks(edit(dialog, "routingNumberEdit"), "490000018")
    qtbot.keyClicks(edit(dialog, "accountNumberEdit"), "24413815")
    qtbot.keyClicks(edit(dialog, "accountNumberConfirmEdit"), "24413816")
    assert "do not match" in _error(dialog, "accountNumberConfirmError")
    # the wording: CCD for a business (the default), PPD for a person, with the date and the last four only
    assert dialog.ach_box.isVisible()
    text = dialog.ach_box.text_label.text()
    today = dialog._today()
    assert "CCD" in text and "ending 3815" in text and f"{today:%B} {today.day}, {today.year}" in text
    assert "24413815" not in text and "490000018" not in text
    assert row.invoice_number in text
    dialog.bank_form.holder_type_combo.setCurrentIndex(dialog.bank_form.holder_type_combo.findData("personal"))
    assert "PPD" in dialog.ach_box.text_label.text() and "I, Anna Baker, authorize" in dialog.ach_box.text_label.text()

    async def try_submit() -> None:
        dialog.findChild(QPushButton, "processPaymentButton").click()
        await asyncio.sleep(0.2)
        await tab.wait_idle()

    run(try_submit())                                # the numbers differ: nothing is asked, nothing is sent
    assert dialog.findChild(QMessageBox, "confirmBox") is None and gateway(demo_context).requests == 0
    confirm = edit(dialog, "accountNumberConfirmEdit")
    confirm.clear()
    qtbot.keyClicks(confirm, "24413815")
    assert _error(dialog, "accountNumberConfirmError") == ""
    run(try_submit())                                # not agreed yet: the message sits under the check box
    assert "must agree" in _error(dialog, "achAgreeError")
    assert dialog.findChild(QMessageBox, "confirmBox") is None and gateway(demo_context).requests == 0
    dialog.ach_box.agree_check.setChecked(True)
    # a changed amount changes the wording: the customer must agree again
    amount = edit(dialog, "amountEdit")
    amount.selectAll()
    qtbot.keyClicks(amount, "20.00")
    assert not dialog.ach_box.agree_check.isChecked() and "$20.00" in dialog.ach_box.text_label.text()
    dialog.ach_box.agree_check.setChecked(True)
    shown = dialog.ach_box.text_label.text()
    run(submit(dialog))
    run(tab.wait_idle())
    assert dialog.banner.kind == "info" and "pending settlement" in banner_text(dialog), banner_text(dialog)
    assert confirm.text() == ""                      # wiped with the other account fields

    async def stored() -> tuple[AchAuthorization, Payment]:
        async with demo_context.services.db.sessions() as s:
            p = (await s.scalars(select(Payment).order_by(Payment.id.desc()).limit(1))).one()
            a = (await s.scalars(select(AchAuthorization).where(AchAuthorization.payment_id == p.id))).one()
            return a, p

    auth, payment = run(stored())
    assert payment.method == "echeck" and auth.sec_code == "PPD" and auth.authorized_by == "Anna Baker"
    assert auth.wording_text == shown and auth.wording_hash == ach.wording_hash(shown)
    assert auth.retain_until - auth.authorized_at >= dt.timedelta(days=730)
    details = run(demo_context.services.payment_search.details(payment.id))
    assert details.ach_authorization is not None and details.ach_authorization.sec_code == "PPD"
    html = render_receipt_html(run(demo_context.services.receipts.receipt(payment.id)), "en")
    assert "ACH debit authorization" in html and "Anna Baker" in html and "Pending settlement" in html
    dialog.close()


def test_refund_dialog_choice(qtbot: QtBot, tab: InvoiceHistoryTab, demo_context: AppContext, run: Run) -> None:
    async def settled_payment() -> int:
        async with demo_context.services.db.sessions() as s:
            return int((await s.scalars(select(Payment.id).where(
                Payment.status == "settled", Payment.refunded_minor == 0, Payment.method == "card").limit(1))).one())

    payment_id = run(settled_payment())
    details = run(demo_context.services.payment_search.details(payment_id))
    dlg = RefundDialog(details, "en_US", 0)
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.invoice_box.isVisible() and dlg.keep_paid.isChecked() and not dlg.reopen_invoice()
    words = " ".join(w.text() for w in dlg.invoice_box.findChildren(QLabel))
    assert "refund receipt" in words and "QuickBooks" in words and "Autotask" in words
    dlg.reopen.setChecked(True)
    assert dlg.reopen_invoice()
    dlg.partial.setChecked(True)                     # only the whole payment re-opens the invoice
    assert not dlg.reopen.isEnabled() and dlg.keep_paid.isChecked() and not dlg.reopen_invoice()
    dlg.full.setChecked(True)
    assert dlg.reopen.isEnabled()
    dlg.close()


def test_refund_reopen_reaches_the_service(qtbot: QtBot, demo_context: AppContext, run: Run,
                                          tmp_path: Path) -> None:
    services = demo_context.services
    ptab = shown_tab(qtbot, services, tmp_path)

    async def scenario() -> None:
        assert services.payments is not None
        async with services.db.sessions() as s:
            inv_id = int((await s.scalars(select(Invoice.id).where(Invoice.balance_minor >= 100_00,
                                                                   Invoice.is_voided.is_(False)).limit(1))).one())
        p = await services.payments.take_payment(PaymentRequest(inv_id, 31_00, card()))
        before = (await services.invoices.row(inv_id)).balance_minor  # type: ignore[union-attr]
        demo_context.sandboxes["gateway"][0].settle_now()
        await services.payments.check_settlements()
        task = asyncio.ensure_future(ptab.actions.manage(p.payment_id, ptab))
        await wait_until(lambda: ptab.findChild(object, "refundDialog") is not None)
        dlg = ptab.findChild(object, "refundDialog")
        assert dlg.keep_paid.isChecked()                 # the default
        dlg.reopen.setChecked(True)
        dlg.findChild(QPushButton, "refundOk").click()
        await wait_until(lambda: ptab.findChild(QMessageBox, "confirmBox") is not None)
        box = ptab.findChild(QMessageBox, "confirmBox")
        assert "re-opened" in box.informativeText() and "voided in QuickBooks" in box.informativeText()
        box.button(QMessageBox.StandardButton.Yes).click()
        assert await task is True
        after = (await services.invoices.row(inv_id)).balance_minor  # type: ignore[union-attr]
        assert after == before + 31_00
        ptab.shutdown()

    run(scenario(), 30)

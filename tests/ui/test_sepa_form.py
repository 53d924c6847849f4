"""The payment window's SEPA direct debit form (offered where the gateway takes SEPA: PayEngine in euros): the IBAN
checked as typed, the mandate wording shown with its reference and only the IBAN's last four, agreement required
and lost when the terms change, and the request carrying exactly the wording shown. Paying it end to end through
the engine and PayEngine's sandbox is tests/integration/test_payengine_gateway.py."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from payapp.app import AppContext
from payapp.services.payments import NewSepaAccount
from payapp.ui.invoices.invoice_history_tab import InvoiceHistoryTab
from tests.ui.test_invoice_history import Run, edit, pay_dialog_via_menu, payable_row
from tests.ui.test_invoice_history import tab as tab

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support raise", "does not support grabbing the keyboard")

IBAN = "DE89 3704 0044 0532 0130 00"


def test_sepa_form_mandate_and_request(qtbot: QtBot, tab: InvoiceHistoryTab, demo_context: AppContext,
                                       run: Run) -> None:
    index, row = payable_row(tab)
    dialog = run(pay_dialog_via_menu(tab, index))
    # the demo gateway (NMI, US dollars) does not take SEPA: not offered
    assert not dialog.new_sepa_radio.isVisible() and dialog.new_bank_radio.isVisible()
    dialog.new_sepa_radio.show()                    # as the window shows it for PayEngine in euros
    dialog.new_sepa_radio.setChecked(True)
    assert dialog.sepa_form.isVisible() and not dialog.card_form.isVisible()
    qtbot.keyClicks(edit(dialog, "sepaHolderEdit"), "Erika Mustermann")
    iban = edit(dialog, "ibanEdit")
    qtbot.keyClicks(iban, IBAN[:-1] + "1")          # one wrong digit: the check digits catch it
    assert dialog.findChild(type(dialog.sepa_box.agree_error), "ibanError").isVisible()
    assert dialog._build_request() is None
    iban.clear()
    qtbot.keyClicks(iban, IBAN)
    assert dialog.sepa_box.isVisible()
    text = dialog.sepa_box.text_label.text()
    assert "SEPA Direct Debit Mandate" in text and "Erika Mustermann" in text and row.invoice_number in text
    assert dialog.sepa_form.mandate_reference in text and "3000" in text and "0532" not in text
    assert dialog._build_request() is None          # not agreed yet
    assert "must agree" in dialog.sepa_box.agree_error.text()
    dialog.sepa_box.agree_check.setChecked(True)
    amount = edit(dialog, "amountEdit")
    amount.selectAll()
    qtbot.keyClicks(amount, "20.00")                # new terms: agree again
    assert not dialog.sepa_box.agree_check.isChecked() and "20.00" in dialog.sepa_box.text_label.text()
    dialog.sepa_box.agree_check.setChecked(True)
    request = dialog._build_request()
    assert request is not None and isinstance(request.method, NewSepaAccount)
    method = request.method
    assert method.iban == IBAN.replace(" ", "") and method.mandate_text == dialog.sepa_box.text_label.text()
    assert method.mandate_reference == dialog.sepa_form.mandate_reference and "0532" not in repr(method)
    dialog.close()
    assert iban.text() == ""                        # wiped with the other account fields


def test_details_show_the_sepa_mandate_as_kept(qtbot: QtBot, demo_context: AppContext, run: Run) -> None:
    import dataclasses
    import datetime as dt

    from PySide6.QtWidgets import QLabel
    from sqlalchemy import select

    from payapp.models import Payment
    from payapp.services.payment_search import SepaMandateInfo
    from payapp.ui.payments.payment_details import PaymentDetailsDialog

    services = demo_context.services

    async def any_payment() -> int:
        async with services.db.sessions() as s:
            return int((await s.scalars(select(Payment.id).limit(1))).one())

    assert services.payment_search is not None
    details = run(services.payment_search.details(run(any_payment())))
    at = dt.datetime(2026, 12, 3, 9, 14, tzinfo=dt.UTC)
    mandate = SepaMandateInfo("PA7-1A2B3C4D5E6F7A8B", at.date(), "Erika Mustermann", at, "DE", "3000",
                              "2026-12-sepa-core-1", "SEPA Direct Debit Mandate (one-off payment). ...", "ab" * 32,
                              at + dt.timedelta(days=732))
    dialog = PaymentDetailsDialog(dataclasses.replace(details, sepa_mandate=mandate), "en_US")
    qtbot.addWidget(dialog)
    assert "PA7-1A2B3C4D5E6F7A8B" in dialog.findChild(QLabel, "detailsSepaMandate").text()
    assert dialog.findChild(QLabel, "sepaAccount").text() == "DE•• •••• 3000"
    assert dialog.findChild(QLabel, "sepaWordingText").text().startswith("SEPA Direct Debit Mandate")
    dialog.close()

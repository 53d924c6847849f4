"""Issue #12.4 in the windows: odd amounts, German amounts and non-ASCII digits get a message next to the field
(the payment window checks the amount on every keystroke), and a payment is never built from them."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from payapp.app import AppContext
from payapp.domain.errors import ValidationError
from payapp.services.invoices import InvoiceRow
from payapp.ui.invoices.payment_dialog import PaymentDialog
from payapp.ui.payments.payment_search_tab import PaymentSearchTab
from payapp.ui.window_state import WindowState

Run = Callable[..., Any]
FUTURE = f"12/{(dt.date.today().year + 2) % 100:02d}"
ARABIC_999 = "\u0669\u0669\u0669"
BOLD_999 = "\U0001d7d7\U0001d7d7\U0001d7d7"


def _dialog(qtbot: QtBot, ctx: AppContext, locale: str = "en_US", balance_minor: int = 500_000) -> PaymentDialog:
    services = dataclasses.replace(ctx.services, locale=locale)
    row = InvoiceRow(1, "INV-1", None, 1, "Acme", dt.date(2026, 1, 5), None, "USD", balance_minor, 0,
                     balance_minor, "open", "synced", (None, 1))
    dialog = PaymentDialog(services, row)
    qtbot.addWidget(dialog)
    return dialog


def _error(dialog: PaymentDialog, name: str) -> str:
    label = dialog.findChild(QLabel, name)
    assert label is not None, name
    return label.text() if not label.isHidden() else ""


def _type(qtbot: QtBot, dialog: PaymentDialog, name: str, text: str) -> None:
    edit = dialog.findChild(QLineEdit, name)
    assert edit is not None, name
    edit.selectAll()
    edit.del_()
    if text.isascii():
        qtbot.keyClicks(edit, text)
    else:                                             # QTest types only what a keyboard layout has: paste it
        for char in text:
            edit.insert(char)


@pytest.mark.parametrize("text", ["1e26", "$3e79", "9" * 27, "1E5", "NaN", ARABIC_999, "1,2,3", "--5"])
def test_an_odd_amount_gets_a_message_next_to_the_field_on_every_keystroke(qtbot: QtBot, demo_context: AppContext,
                                                                            text: str) -> None:
    dialog = _dialog(qtbot, demo_context)
    _type(qtbot, dialog, "amountEdit", text)          # one keystroke at a time: every prefix is checked
    assert _error(dialog, "amountError")
    assert dialog._build_request() is None


def test_an_amount_above_the_gateway_maximum_is_refused(qtbot: QtBot, demo_context: AppContext) -> None:
    dialog = _dialog(qtbot, demo_context, balance_minor=10**12)
    _type(qtbot, dialog, "amountEdit", "10000000")
    assert "at most $9,999,999.99" in _error(dialog, "amountError")


def test_german_amounts_take_a_dot_only_as_thousands(qtbot: QtBot, demo_context: AppContext) -> None:
    dialog = _dialog(qtbot, demo_context, locale="de_DE")
    _type(qtbot, dialog, "amountEdit", "50.5")
    assert "12,50" in _error(dialog, "amountError")
    _type(qtbot, dialog, "amountEdit", "1.000")
    assert _error(dialog, "amountError") == ""
    assert dialog._check_amount(dialog.amount_edit.text()) == 100_000
    _type(qtbot, dialog, "amountEdit", "50,5")
    assert dialog._check_amount(dialog.amount_edit.text()) == 5050


@pytest.mark.parametrize("cvv", [ARABIC_999, BOLD_999])
def test_a_cvv_of_non_ascii_digits_is_refused_and_never_sent(qtbot: QtBot, demo_context: AppContext, cvv: str) -> None:
    dialog = _dialog(qtbot, demo_context)
    dialog.new_card_radio.setChecked(True)
    for name, text in (("cardNumberEdit", "4111111111111111"), ("expiryEdit", FUTURE), ("firstNameEdit", "Anna"),
                       ("lastNameEdit", "Baker"), ("cardZipEdit", "78701"), ("amountEdit", "10.00")):
        _type(qtbot, dialog, name, text)
    dialog.card_form.cvv_edit.setText(cvv)            # pasted: keyClicks cannot type outside the keyboard layout
    assert dialog._build_request() is None
    assert "3 digits" in _error(dialog, "cvvError")
    dialog.card_form.cvv_edit.setText("999")
    request = dialog._build_request()
    assert request is not None and request.method.cvv == "999"  # type: ignore[union-attr]


def test_bank_account_zip_and_card_zip_take_ascii_digits_only(qtbot: QtBot, demo_context: AppContext) -> None:
    dialog = _dialog(qtbot, demo_context)
    dialog.new_bank_radio.setChecked(True)
    for name, text in (("accountNameEdit", "Acme"), ("routingNumberEdit", "021000021"), ("amountEdit", "10.00")):
        _type(qtbot, dialog, name, text)
    dialog.bank_form.account_number_edit.setText("\u0662\u0664\u0664\u0661\u0663\u0668\u0661\u0665")   # ٢٤٤١٣٨١٥
    assert dialog._build_request() is None
    assert "4 to 17 digits" in _error(dialog, "accountNumberError")
    dialog.bank_form.account_number_edit.setText("24413815")
    dialog.bank_form.bank_zip_edit.setText("\u0667\u0668\u0667\u0660\u0661")
    assert dialog._build_request() is None and "5 digits" in _error(dialog, "bankZipError")
    dialog.bank_form.bank_zip_edit.setText("")
    dialog.bank_form.account_number_confirm_edit.setText("24413815")   # typed twice, and the authorization agreed to
    dialog.ach_box.agree_check.setChecked(True)
    assert dialog._build_request() is not None       # the ZIP code is optional for an eCheck
    dialog.new_card_radio.setChecked(True)
    dialog.card_form.card_country.setCurrentIndex(dialog.card_form.card_country.findData("CA"))
    _type(qtbot, dialog, "cardZipEdit", "78701")
    assert "K1A 0B1" in _error(dialog, "cardZipError")


def test_the_last_four_filter_refuses_other_digits_in_the_filter_banner(qtbot: QtBot, demo_context: AppContext,
                                                                         tmp_path: Any, run: Run) -> None:
    tab = PaymentSearchTab(demo_context.services, WindowState(tmp_path / "ui.ini"))
    qtbot.addWidget(tab)
    tab.filters.last_four_edit.setText("\u0661\u0661\u0661\u0661")
    with pytest.raises(ValidationError):
        tab.build_query()
    tab.filters.last_four_edit.setText("1111")
    assert tab.build_query().last_four == "1111"


@pytest.mark.parametrize(("locale", "text", "words"), [("en_US", "1e26", "not an amount"),
                                                       ("en_US", "9" * 27, "at most"),
                                                       ("de_DE", "50.5", "12,50")])
def test_the_payment_search_amount_filters_refuse_odd_amounts_in_the_filter_banner(
        qtbot: QtBot, demo_context: AppContext, tmp_path: Any, locale: str, text: str, words: str) -> None:
    services = dataclasses.replace(demo_context.services, locale=locale)
    tab = PaymentSearchTab(services, WindowState(tmp_path / "ui.ini"))
    qtbot.addWidget(tab)
    for edit in (tab.filters.amount_min_edit, tab.filters.amount_max_edit):
        edit.setText(text)
        with pytest.raises(ValidationError) as caught:
            tab.build_query()
        assert words in caught.value.user_message
        edit.setText("")


@pytest.mark.parametrize(("locale", "text", "words"), [("en_US", "1e26", "not an amount"),
                                                       ("de_DE", "0.50", "12,50"),
                                                       ("en_US", "\u0669", "not an amount")])
def test_the_refund_amount_follows_the_same_rule(qtbot: QtBot, locale: str, text: str, words: str) -> None:
    from types import SimpleNamespace

    from payapp.ui.payments.payment_details import RefundDialog

    row = SimpleNamespace(refundable_minor=50_00, currency="USD", method="card", brand="Visa", last_four="1111",
                          account_type="", invoice_number="INV-1", company_name="Acme", refunded_minor=0)
    dialog = RefundDialog(SimpleNamespace(row=row, can_void=False), locale, 0)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.partial.setChecked(True)
    dialog.amount_edit.setText(text)
    with pytest.raises(ValidationError) as caught:
        dialog.amount_minor()
    assert words in caught.value.user_message
    dialog.amount_edit.setText("10,00" if locale == "de_DE" else "10.00")
    assert dialog.amount_minor() == 10_00


def test_a_company_zip_code_filled_into_the_bank_form_that_fails_shows_why_at_once(
        qtbot: QtBot, demo_context: AppContext) -> None:
    from payapp.services.invoices import CompanyAddress

    dialog = _dialog(qtbot, demo_context)
    dialog.new_bank_radio.setChecked(True)
    dialog.bank_form.prefill_address(CompanyAddress("1 Main St", "Austin", "TX", "7870", "US"))
    assert dialog.bank_form.bank_zip_edit.text() == "7870"
    assert "5 digits" in _error(dialog, "bankZipError")

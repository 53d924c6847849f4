"""Invoice History tab and the Make a Payment window against the demo company and the in-process sandbox
gateway (real PaymentService, real HTTP wire protocol through httpx.ASGITransport)."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from payapp.app import AppContext
from payapp.models import Contact, Payment
from payapp.services.invoices import InvoiceQuery, InvoiceRow
from payapp.services.payments import PaymentRequest
from payapp.ui.invoices.invoice_history_tab import InvoiceHistoryTab
from payapp.ui.invoices.invoice_model import InvoiceTableModel
from payapp.ui.invoices.payment_dialog import PaymentDialog
from payapp.ui.window_state import WindowState
from tests.conftest import VIEWER
from tests.payment_helpers import bank
from tests.ui.conftest import wait_until

Run = Callable[..., Any]
# The offscreen platform cannot raise a popup menu or grab the keyboard for it; the menu works regardless.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support raise", "does not support grabbing the keyboard")
FUTURE = f"12/{(dt.date.today().year + 2) % 100:02d}"


@pytest.fixture
def tab(qtbot: QtBot, demo_context: AppContext, tmp_path: Path, run: Run) -> InvoiceHistoryTab:
    widget = InvoiceHistoryTab(demo_context.services, WindowState(tmp_path / "ui.ini"))
    qtbot.addWidget(widget)
    widget.resize(1300, 700)
    widget.show()
    run(widget.wait_ready())
    yield widget
    if shiboken6.isValid(widget):
        run(widget.wait_idle())
    if shiboken6.isValid(widget):
        widget.close()
        widget.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    gc.collect()


def gateway(ctx: AppContext) -> Any:
    return ctx.sandboxes["gateway"][0]


def new_sales(sandbox: Any) -> list[Any]:
    """The sales taken in the test: the demo gateway also knows the demo's earlier payments (order ids demo-…)."""
    return [t for t in sandbox.approved_sales() if not t.order_id.startswith("demo-")]


def two_payable_of_one_company(tab: InvoiceHistoryTab) -> tuple[int, InvoiceRow, InvoiceRow]:
    seen: dict[int, tuple[int, InvoiceRow]] = {}
    for i in range(tab.model.rowCount()):
        row = tab.model.row_at(i)
        assert row is not None
        if row.payable and row.balance_minor >= 2000:
            if row.company_id in seen:
                first_index, first = seen[row.company_id]
                return first_index, first, row
            seen[row.company_id] = (i, row)
    raise AssertionError("no company with two payable invoices loaded")


def payable_row(tab: InvoiceHistoryTab, skip: set[int] | None = None, minimum: int = 2000) -> tuple[int, InvoiceRow]:
    for i in range(tab.model.rowCount()):
        row = tab.model.row_at(i)
        assert row is not None
        if row.payable and row.balance_minor >= minimum and row.id not in (skip or set()):
            return i, row
    raise AssertionError("no payable invoice loaded")


async def open_menu(tab: InvoiceHistoryTab, index: int) -> Any:
    rect = tab.table.visualRect(tab.model.index(index, 0))
    tab.table.customContextMenuRequested.emit(rect.center())
    await wait_until(lambda: tab.context_menu is not None and tab.context_menu.isVisible())
    return tab.context_menu


def action(menu: Any, name: str) -> QAction:
    found = menu.findChild(QAction, name)
    assert found is not None
    return found


async def pay_dialog_via_menu(tab: InvoiceHistoryTab, index: int) -> PaymentDialog:
    menu = await open_menu(tab, index)
    pay = action(menu, "processPaymentAction")
    assert pay.isEnabled(), pay.toolTip()
    before = len(tab.open_payments)
    pay.trigger()
    menu.close()
    await wait_until(lambda: len(tab.open_payments) > before)
    return tab.open_payments[-1]


def edit(dialog: PaymentDialog, name: str) -> QLineEdit:
    found = dialog.findChild(QLineEdit, name)
    assert found is not None, name
    return found


def fill_card(qtbot: QtBot, dialog: PaymentDialog, number: str = "4111 1111 1111 1111", expiry: str = FUTURE,
              cvv: str = "123") -> None:
    dialog.new_card_radio.setChecked(True)
    qtbot.keyClicks(edit(dialog, "cardNumberEdit"), number)
    qtbot.keyClicks(edit(dialog, "expiryEdit"), expiry)
    qtbot.keyClicks(edit(dialog, "cvvEdit"), cvv)
    qtbot.keyClicks(edit(dialog, "firstNameEdit"), "Anna")
    qtbot.keyClicks(edit(dialog, "lastNameEdit"), "Baker")
    edit(dialog, "cardZipEdit").clear()           # pre-filled with the company's ZIP code
    qtbot.keyClicks(edit(dialog, "cardZipEdit"), "78701")


async def submit(dialog: PaymentDialog, *, double: bool = False) -> None:
    button = dialog.findChild(QPushButton, "processPaymentButton")
    button.click()
    if double:
        button.click()
    await wait_until(lambda: dialog.findChild(QMessageBox, "confirmBox") is not None)
    box = dialog.findChild(QMessageBox, "confirmBox")
    assert "Invoice" in box.text() or "invoice" in box.text()
    box.button(QMessageBox.StandardButton.Yes).click()
    await wait_until(lambda: dialog.result_ is not None and dialog.banner.kind is not None, 15)


async def pay_with_a_new_card(qtbot: QtBot, tab: InvoiceHistoryTab, index: int) -> PaymentDialog:
    """Context menu → Process Payment → the test Visa card → confirmed; returns once the result is in."""
    dialog = await pay_dialog_via_menu(tab, index)
    fill_card(qtbot, dialog)
    await submit(dialog)
    await tab.wait_idle()
    return dialog


def banner_text(dialog: PaymentDialog) -> str:
    label = dialog.findChild(QLabel, "resultBannerText")
    return label.text()


# ---------------------------------------------------------------------------------------------- model


def test_model_passes_qtmodeltester_loaded_resorted_and_empty(qtmodeltester: Any, demo_context: AppContext,
                                                              run: Run) -> None:
    services = demo_context.services
    assert services.invoices is not None
    model = InvoiceTableModel(services.invoices, page_size=15)
    # Qt's tester re-runs on every rowsInserted and fetches the next page each time, so it reads the whole
    # query: a filter keeps that to a few pages.
    query = InvoiceQuery(text="Acme")

    async def scenario() -> None:
        count, _ = await services.invoices.totals(query)  # type: ignore[union-attr]
        assert count > 40
        model.set_query(query)
        model.fetchMore()
        await model.wait_idle()
        assert model.rowCount() == 15 and model.pages_loaded == 1
        qtmodeltester.check(model)
        await model.wait_idle()
        ids = [model.row_at(i).id for i in range(model.rowCount())]  # type: ignore[union-attr]
        assert model.exhausted and len(ids) == len(set(ids)) == count
        model.sort(2, Qt.SortOrder.DescendingOrder)           # company
        qtmodeltester.check(model)
        await model.wait_idle()
        names = [model.row_at(i).company_name for i in range(model.rowCount())]  # type: ignore[union-attr]
        assert names == sorted(names, reverse=True) and len(names) == count
        model.set_query(InvoiceQuery(text="No such company"))
        await model.wait_idle()
        qtmodeltester.check(model)
        await model.wait_idle()
        assert model.rowCount() == 0 and not model.canFetchMore()

    run(scenario())


# ---------------------------------------------------------------------------------------------- tab


def test_tab_filters_totals_shortcuts_and_layout(qtbot: QtBot, tab: InvoiceHistoryTab, demo_context: AppContext,
                                                 tmp_path: Path, run: Run) -> None:
    assert tab.model.rowCount() > 0
    assert "invoices" in tab.totals_label.text()
    tab.window().activateWindow()
    qtbot.keyClick(tab.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert tab.search_edit.hasFocus()

    async def filtered() -> None:
        tab.search_edit.setText("Zzz nobody")
        tab.apply_filters()
        await tab.wait_idle()
        assert tab.model.rowCount() == 0
        assert tab.stack.currentWidget() is tab.empty and "filters" in tab.empty.text()
        assert tab.totals_label.text().startswith("0 invoices")
        tab.search_edit.clear()
        # one overdue control: the status list (issue #15.9), and "All unpaid" for open, partly paid and overdue
        assert tab.findChild(QCheckBox, "overdueOnlyCheck") is None
        for choice, shown in (("overdue", {"overdue"}), ("unpaid", {"open", "partially_paid", "overdue"})):
            tab.status_combo.setCurrentIndex(tab.status_combo.findData(choice))
            await tab.wait_idle()
            rows = [tab.model.row_at(i) for i in range(tab.model.rowCount())]
            assert rows and all(r is not None and r.status in shown for r in rows), choice
            count, _ = await demo_context.services.invoices.totals(tab.model.query)  # type: ignore[union-attr]
            assert tab.totals_label.text().startswith(f"{count:,} invoices")
        tab.status_combo.setCurrentIndex(0)
        await tab.wait_idle()
        # Enter opens the invoice
        tab.table.setFocus()
        tab.table.setCurrentIndex(tab.model.index(0, 0))
        qtbot.keyClick(tab.table, Qt.Key.Key_Return)
        await wait_until(lambda: bool(tab.open_views) and tab.open_views[-1].detail is not None)
        view = tab.open_views[-1]
        assert view.detail is not None and view.detail.row.id == tab.model.row_at(0).id  # type: ignore[union-attr]
        view.close()

    run(filtered())
    header = tab.table.horizontalHeader()
    header.moveSection(2, 0)
    tab.save_layout()
    again = InvoiceHistoryTab(demo_context.services, WindowState(tmp_path / "ui.ini"))
    qtbot.addWidget(again)
    assert again.table.horizontalHeader().visualIndex(2) == 0
    run(again.wait_ready())


def test_copy_invoice_number(tab: InvoiceHistoryTab, run: Run) -> None:
    async def scenario() -> None:
        menu = await open_menu(tab, 0)
        action(menu, "copyInvoiceNumberAction").trigger()
        menu.close()

    run(scenario())
    assert QApplication.clipboard().text() == tab.model.row_at(0).invoice_number  # type: ignore[union-attr]


# ---------------------------------------------------------------------------------------------- payments


def test_new_card_payment_approved_updates_row_in_place(qtbot: QtBot, tab: InvoiceHistoryTab,
                                                        demo_context: AppContext, run: Run) -> None:
    index, row = payable_row(tab)
    rows_before, pages_before = tab.model.rowCount(), tab.model.pages_loaded

    async def scenario() -> PaymentDialog:
        dialog = await pay_dialog_via_menu(tab, index)
        assert dialog.findChild(QLabel, "amountDueValue").text().replace(",", "").endswith(
            f"{row.balance_minor // 100}.{row.balance_minor % 100:02d}")
        assert edit(dialog, "amountEdit").text() == f"{row.balance_minor // 100}.{row.balance_minor % 100:02d}"
        fill_card(qtbot, dialog)
        assert dialog.card_form.card_brand_label.text() == "Visa"
        await submit(dialog)
        await tab.wait_idle()
        return dialog

    dialog = run(scenario())
    assert dialog.banner.kind == "approved"
    txid = dialog.result_.transaction_id  # type: ignore[union-attr]
    assert "Payment has been processed" in banner_text(dialog) and txid in banner_text(dialog)
    # the gateway's AVS and CVV codes (N, N for this address and code) in plain words (issue #12.7)
    assert "Neither street address nor ZIP code matches. Security code (CVV) does not match." in banner_text(dialog)
    assert edit(dialog, "cardNumberEdit").text() == "" and edit(dialog, "cvvEdit").text() == ""
    assert not any(edit(dialog, name).isUndoAvailable() for name in ("cardNumberEdit", "cvvEdit", "expiryEdit"))
    assert not dialog.findChild(QPushButton, "processPaymentButton").isEnabled()
    # The whole form looks disabled: "Amount:", its hint, "Paid by (contact):" and the card form's hint too
    # (a hint's dimmed colour is set for the enabled state only, so disabled it greys out like the rest).
    labels = [*dialog._amount_page.findChildren(QLabel), *dialog.card_form.findChildren(QLabel),
              dialog._contact_caption]
    assert any(label.text() == "Amount:" for label in labels)
    assert not [label.text() for label in labels if label.isEnabled()]
    hints = [w for w in dialog.findChildren(QLabel) if "placeholder-text" in w.styleSheet()
             and (dialog._amount_page.isAncestorOf(w) or dialog.card_form.isAncestorOf(w))]
    assert hints and all(w.styleSheet().startswith("QLabel:enabled") for w in hints)
    updated = tab.model.row_at(index)
    assert updated is not None and updated.id == row.id
    assert (updated.balance_minor, updated.paid_minor, updated.status) == (0, row.paid_minor + row.balance_minor,
                                                                           "paid")
    assert (tab.model.rowCount(), tab.model.pages_loaded) == (rows_before, pages_before)   # no reload
    assert [t.transaction_id for t in new_sales(gateway(demo_context))] == [txid]
    dialog.close()


def test_a_paid_invoice_leaves_the_open_list_and_the_count_agrees(qtbot: QtBot, tab: InvoiceHistoryTab,
                                                                  demo_context: AppContext, run: Run) -> None:
    """Issue #15.9: under "Open" (or "All unpaid") an invoice paid in full drops out of the list, and the status
    line's count says one fewer, the same number the service counts."""
    tab.status_combo.setCurrentIndex(tab.status_combo.findData("open"))
    run(tab.wait_idle())
    index, row = payable_row(tab)
    count_before, _ = run(demo_context.services.invoices.totals(tab.model.query))  # type: ignore[union-attr]
    dialog = run(pay_with_a_new_card(qtbot, tab, index))
    assert dialog.banner.kind == "approved"
    run(wait_until(lambda: all(tab.model.row_at(i).id != row.id  # type: ignore[union-attr]
                               for i in range(tab.model.rowCount())), 10))
    run(tab.wait_idle())
    count_after, _ = run(demo_context.services.invoices.totals(tab.model.query))  # type: ignore[union-attr]
    assert count_after == count_before - 1
    run(wait_until(lambda: tab.totals_label.text().startswith(f"{count_after:,} invoices"), 10))
    dialog.close()


def test_declined_card_says_what_to_do(qtbot: QtBot, tab: InvoiceHistoryTab, demo_context: AppContext,
                                       run: Run) -> None:
    # The sandbox declines cards it sees as expired: move its clock 30 years ahead.
    gateway(demo_context).clock = lambda: time.time() + 30 * 365 * 86400
    index, row = payable_row(tab)

    dialog = run(pay_with_a_new_card(qtbot, tab, index))
    assert dialog.banner.kind == "declined"
    assert "declined" in banner_text(dialog).lower() and "another card" in banner_text(dialog)
    assert dialog.findChild(QPushButton, "processPaymentButton").isEnabled()       # may try another card
    cvv = edit(dialog, "cvvEdit")
    assert cvv.text() == "" and not cvv.isUndoAvailable()          # Ctrl+Z cannot bring the CVV back
    cvv.undo()
    assert cvv.text() == ""
    assert tab.model.row_at(index).balance_minor == row.balance_minor  # type: ignore[union-attr]
    dialog.close()


def test_echeck_payment_and_saved_method_is_default_next_time(qtbot: QtBot, tab: InvoiceHistoryTab,
                                                              demo_context: AppContext, run: Run) -> None:
    index, _row, other = two_payable_of_one_company(tab)

    async def first() -> PaymentDialog:
        dialog = await pay_dialog_via_menu(tab, index)
        dialog.new_bank_radio.setChecked(True)
        qtbot.keyClicks(edit(dialog, "accountNameEdit"), "Anna Baker")
        qtbot.keyClicks(edit(dialog, "routingNumberEdit"), "123123123")
        qtbot.keyClicks(edit(dialog, "accountNumberEdit"), "123123123")
        qtbot.keyClicks(edit(dialog, "accountNumberConfirmEdit"), "123123123")
        dialog.bank_form.save_bank_check.setChecked(True)
        dialog.ach_box.agree_check.setChecked(True)
        await submit(dialog)
        await tab.wait_idle()
        return dialog

    dialog = run(first())
    # an approved eCheck is pending settlement, never "processed" (issue #15.6)
    assert dialog.banner.kind == "info" and "pending settlement" in banner_text(dialog), banner_text(dialog)
    assert "processed" not in banner_text(dialog)
    assert edit(dialog, "accountNumberEdit").text() == "" and edit(dialog, "routingNumberEdit").text() == ""
    assert tab.model.row_at(index).balance_minor == 0  # type: ignore[union-attr]
    dialog.close()

    async def second() -> PaymentDialog:
        dialog = await tab._open_payment(other.id)
        assert dialog is not None
        group = dialog.findChild(QGroupBox, "savedMethodsGroup")
        checked = [r for r in group.findChildren(QRadioButton) if r.isChecked()]
        assert len(checked) == 1 and "3123" in checked[0].text() and "last used" in checked[0].text()
        assert not dialog.card_form.isVisible() and not dialog.bank_form.isVisible()
        # a saved account is debited under a new authorization too
        assert dialog.ach_box.isVisible() and "ending 3123" in dialog.ach_box.text_label.text()
        dialog.ach_box.agree_check.setChecked(True)
        await submit(dialog)
        await tab.wait_idle()
        return dialog

    again = run(second())
    assert again.banner.kind == "info", banner_text(again)
    assert len(new_sales(gateway(demo_context))) == 2
    again.close()


def test_partial_payment_leaves_the_right_balance(qtbot: QtBot, tab: InvoiceHistoryTab, run: Run) -> None:
    index, row = payable_row(tab, minimum=5000)

    async def scenario() -> PaymentDialog:
        dialog = await pay_dialog_via_menu(tab, index)
        fill_card(qtbot, dialog)
        amount = edit(dialog, "amountEdit")
        amount.selectAll()
        qtbot.keyClicks(amount, "12.50")
        await submit(dialog)
        await tab.wait_idle()
        return dialog

    dialog = run(scenario())
    assert dialog.banner.kind == "approved"
    updated = tab.model.row_at(index)
    assert updated is not None
    assert updated.balance_minor == row.balance_minor - 1250
    assert updated.status in ("partially_paid", "overdue")
    dialog.close()


def test_validation_messages_next_to_fields(qtbot: QtBot, tab: InvoiceHistoryTab, demo_context: AppContext,
                                            run: Run) -> None:
    index, row = payable_row(tab)

    async def scenario() -> PaymentDialog:
        return await pay_dialog_via_menu(tab, index)

    dialog = run(scenario())
    fill_card(qtbot, dialog, number="4111 1111 1111 1112", expiry="01/20", cvv="12")

    def error(name: str) -> str:
        label = dialog.findChild(QLabel, name)
        return label.text() if label.isVisible() else ""

    assert "not valid" in error("cardNumberError")
    assert "expired" in error("expiryError")
    assert "3 digits" in error("cvvError")
    # Amex wants 4 digits: the CVV message follows the brand as it is typed
    number = edit(dialog, "cardNumberEdit")
    number.clear()
    qtbot.keyClicks(number, "3411-1111-1111-111")
    assert dialog.card_form.card_brand_label.text() == "Amex" and error("cardNumberError") == ""
    assert "4 digits" in error("cvvError")
    dialog.new_bank_radio.setChecked(True)
    qtbot.keyClicks(edit(dialog, "routingNumberEdit"), "123123124")
    assert "not valid" in error("routingNumberError")
    amount = edit(dialog, "amountEdit")
    amount.selectAll()
    qtbot.keyClicks(amount, "0.50")
    assert "1.00" in error("amountError")
    amount.selectAll()
    qtbot.keyClicks(amount, str(row.balance_minor))       # 100x the balance
    assert "more than the balance" in error("amountError")

    async def try_submit() -> None:
        dialog.findChild(QPushButton, "processPaymentButton").click()
        await asyncio.sleep(0.2)
        await tab.wait_idle()

    run(try_submit())
    assert dialog.findChild(QMessageBox, "confirmBox") is None
    assert gateway(demo_context).requests == 0
    # closing clears what was typed
    routing = edit(dialog, "routingNumberEdit")
    dialog.close()
    assert routing.text() == "" and number.text() == ""


def test_double_click_charges_once(qtbot: QtBot, tab: InvoiceHistoryTab, demo_context: AppContext,
                                   run: Run) -> None:
    index, _row = payable_row(tab)

    async def scenario() -> PaymentDialog:
        dialog = await pay_dialog_via_menu(tab, index)
        fill_card(qtbot, dialog)
        await submit(dialog, double=True)
        dialog.findChild(QPushButton, "processPaymentButton").click()   # after approval: nothing
        await tab.wait_idle()
        return dialog

    dialog = run(scenario())
    assert dialog.banner.kind == "approved"
    assert dialog.charges_started == 1
    assert len(new_sales(gateway(demo_context))) == 1
    dialog.close()


async def _menu_reason(tab: InvoiceHistoryTab, index: int) -> tuple[bool, str]:
    menu = await open_menu(tab, index)
    pay = action(menu, "processPaymentAction")
    result = (pay.isEnabled(), pay.toolTip())
    menu.close()
    return result


def test_process_payment_unavailable_without_processing_or_for_viewer(tab: InvoiceHistoryTab,
                                                                      demo_context: AppContext, run: Run) -> None:
    index, row = payable_row(tab)
    services = demo_context.services

    async def scenario() -> None:
        assert (await _menu_reason(tab, index))[0]
        await services.settings.set_many({"payment_types.back_office.card": False,
                                          "payment_types.back_office.echeck": False})
        enabled, reason = await _menu_reason(tab, index)
        assert not enabled and "back office" in reason
        await services.settings.set_many({"payment_types.back_office.card": True,
                                          "gateway.private_key_fingerprint": ""})
        enabled, reason = await _menu_reason(tab, index)
        assert not enabled and "not set up" in reason
        tab.open_invoice(row.id)
        await wait_until(lambda: bool(tab.open_views) and tab.open_views[-1].detail is not None)
        view = tab.open_views[-1]
        assert not view.pay_button.isEnabled() and "not set up" in view.pay_button.toolTip()
        view.close()

    run(scenario())


def test_viewer_cannot_pay(tab: InvoiceHistoryTab, demo_context: AppContext, run: Run) -> None:
    index, _row = payable_row(tab)
    demo_context.services.current_user.actor = VIEWER
    enabled, reason = run(_menu_reason(tab, index))
    assert not enabled and "role" in reason
    # a paid invoice: nothing left to pay, whatever the role
    demo_context.services.current_user.actor = None


def test_paid_invoice_cannot_be_paid(tab: InvoiceHistoryTab, run: Run) -> None:
    async def scenario() -> tuple[bool, str]:
        tab.status_combo.setCurrentIndex(tab.status_combo.findData("paid"))
        await tab.wait_idle()
        assert tab.model.rowCount() > 0
        return await _menu_reason(tab, 0)

    enabled, reason = run(scenario())
    assert not enabled and "nothing left to pay" in reason


def test_duplicate_payment_must_be_confirmed(qtbot: QtBot, tab: InvoiceHistoryTab, demo_context: AppContext,
                                             run: Run) -> None:
    index, row = payable_row(tab, minimum=5000)

    async def pay(amount: str, answer: QMessageBox.StandardButton) -> PaymentDialog:
        dialog = await pay_dialog_via_menu(tab, index)
        fill_card(qtbot, dialog)
        field = edit(dialog, "amountEdit")
        field.selectAll()
        qtbot.keyClicks(field, amount)
        dialog.findChild(QPushButton, "processPaymentButton").click()
        await wait_until(lambda: dialog.findChild(QMessageBox, "confirmBox") is not None)
        dialog.findChild(QMessageBox, "confirmBox").button(QMessageBox.StandardButton.Yes).click()
        if answer is not None:
            await wait_until(lambda: any("already paid" in b.text() for b in dialog.findChildren(QMessageBox)))
            box = next(b for b in dialog.findChildren(QMessageBox) if "already paid" in b.text())
            box.button(answer).click()
        await wait_until(lambda: dialog.banner.kind is not None, 15)
        await tab.wait_idle()
        return dialog

    first = run(pay("10.00", None))  # type: ignore[arg-type]
    assert first.banner.kind == "approved"
    first.close()
    declined = run(pay("10.00", QMessageBox.StandardButton.Cancel))
    assert declined.banner.kind == "info" and len(new_sales(gateway(demo_context))) == 1
    declined.close()
    confirmed = run(pay("10.00", QMessageBox.StandardButton.Yes))
    assert confirmed.banner.kind == "approved" and len(new_sales(gateway(demo_context))) == 2
    assert tab.model.row_at(index).balance_minor == row.balance_minor - 2000  # type: ignore[union-attr]
    confirmed.close()


def test_context_menu_position_has_no_row(tab: InvoiceHistoryTab, run: Run) -> None:
    async def scenario() -> None:
        tab.table.customContextMenuRequested.emit(QPoint(5, tab.table.viewport().height() + 500))
        await tab.wait_idle()

    run(scenario())
    assert tab.context_menu is None


# ---------------------------------------------------------------------------------------------- lazy paging


class _PaintCounter(QObject):
    def __init__(self, tab: InvoiceHistoryTab) -> None:
        super().__init__(tab)
        self.rows_painted: list[int] = []
        self._model = tab.model

    def eventFilter(self, _obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.rows_painted.append(self._model.rowCount())
        return False


def test_a_page_arriving_is_painted_once(tab: InvoiceHistoryTab, run: Run) -> None:
    """New rows are laid out before they are painted and the scroll bar stays: one paint per page (three
    before, each a full paint of the table: rows, delayed layout, then a narrower viewport with a scroll bar)."""
    counter = _PaintCounter(tab)
    tab.table.viewport().installEventFilter(counter)

    async def scenario() -> None:
        for column, order in ((2, Qt.SortOrder.AscendingOrder), (5, Qt.SortOrder.DescendingOrder)):
            tab.table.sortByColumn(column, order)
            await tab.wait_idle()
            for _ in range(5):                  # let every posted paint and layout run
                await asyncio.sleep(0.02)
            with_rows = [n for n in counter.rows_painted if n > 0]
            assert with_rows == [tab.model.rowCount()], counter.rows_painted
            counter.rows_painted.clear()

    run(scenario())
    assert tab.table.verticalScrollBar().isVisible()


def test_the_current_row_near_the_end_reads_the_next_page(tab: InvoiceHistoryTab, run: Run) -> None:
    assert tab.model.rowCount() == tab.model.page_size and not tab.model.exhausted
    tab.table.setCurrentIndex(tab.model.index(tab.model.rowCount() - 10, 0))
    assert not tab.model.loading                # still ten rows ahead
    # Arrow keys move the current row; Qt itself fetches only when the scroll bar reaches the end.
    tab.table.setCurrentIndex(tab.model.index(tab.model.rowCount() - 3, 0))
    assert tab.model.loading
    run(tab.wait_idle())
    assert tab.model.rowCount() == 2 * tab.model.page_size and tab.model.pages_loaded == 2


def test_a_new_filter_stops_the_superseded_count(tab: InvoiceHistoryTab, monkeypatch: pytest.MonkeyPatch,
                                                 run: Run) -> None:
    """The count of the previous filter is cancelled (Database.read then stops its statement), and only the
    current filter's count reaches the label."""
    invoices = tab._services.invoices
    assert invoices is not None
    real_totals = invoices.totals
    release = asyncio.Event()
    cancelled: list[str] = []

    async def slow_totals(query: InvoiceQuery) -> tuple[int, int]:
        if query.text == "Acme":
            try:
                await release.wait()
            except asyncio.CancelledError:
                cancelled.append(query.text)
                raise
        return await real_totals(query)

    monkeypatch.setattr(invoices, "totals", slow_totals)

    async def scenario() -> None:
        tab.search_edit.setText("Acme")
        tab.apply_filters()
        await asyncio.sleep(0.05)
        tab.search_edit.setText("Acme D")
        tab.apply_filters()
        await tab.wait_idle()

    run(scenario())
    assert cancelled == ["Acme"]
    count, _ = run(real_totals(tab.model.query))
    assert tab.totals == (count, tab.totals[1]) and tab.model.query.text == "Acme D"


# ---------------------------------------------------------------------------------------------- payment window


def test_lost_answer_says_outcome_unknown_and_never_pays_twice(qtbot: QtBot, tab: InvoiceHistoryTab,
                                                               demo_context: AppContext, run: Run) -> None:
    sandbox = gateway(demo_context)
    sandbox.add_fault("http_500_after")                          # the sale is made; its answer is lost
    sandbox.add_fault("http_500", times=20, path="query")        # and the quick look-ups learn nothing
    index, _row = payable_row(tab)

    dialog = run(pay_with_a_new_card(qtbot, tab, index))
    assert dialog.banner.kind == "unknown"
    assert "Outcome unknown, being checked." in banner_text(dialog)
    assert "Do not take it again" in banner_text(dialog)
    assert edit(dialog, "cardNumberEdit").text() == "" and edit(dialog, "cvvEdit").text() == ""
    assert not dialog.findChild(QPushButton, "processPaymentButton").isEnabled()
    dialog.findChild(QPushButton, "processPaymentButton").click()
    run(tab.wait_idle())
    assert dialog.charges_started == 1 and len(new_sales(sandbox)) == 1
    dialog.close()


def test_escape_does_not_close_the_window_while_the_charge_is_on_its_way(
        qtbot: QtBot, tab: InvoiceHistoryTab, demo_context: AppContext, run: Run,
        monkeypatch: pytest.MonkeyPatch) -> None:
    payments = demo_context.services.payments
    assert payments is not None
    real = payments.take_payment
    release = asyncio.Event()

    async def slow(request: Any, **kw: Any) -> Any:
        await release.wait()
        return await real(request, **kw)

    monkeypatch.setattr(payments, "take_payment", slow)
    index, _row = payable_row(tab)

    async def scenario() -> PaymentDialog:
        dialog = await pay_dialog_via_menu(tab, index)
        fill_card(qtbot, dialog)
        dialog.findChild(QPushButton, "processPaymentButton").click()
        await wait_until(lambda: dialog.findChild(QMessageBox, "confirmBox") is not None)
        dialog.findChild(QMessageBox, "confirmBox").button(QMessageBox.StandardButton.Yes).click()
        await wait_until(lambda: dialog.progress.isVisible())
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        dialog.reject()
        dialog.close()
        assert dialog.isVisible() and dialog.progress.isVisible()
        release.set()
        await wait_until(lambda: dialog.result_ is not None and dialog.banner.kind is not None, 15)
        await tab.wait_idle()
        return dialog

    dialog = run(scenario())
    assert dialog.isVisible() and dialog.banner.kind == "approved"
    dialog.close()


def test_only_the_back_office_payment_types_are_offered(qtbot: QtBot, tab: InvoiceHistoryTab,
                                                        demo_context: AppContext, run: Run) -> None:
    services = demo_context.services
    _index, row = payable_row(tab)

    async def scenario() -> list[tuple[bool, bool, list[str], list[str]]]:
        assert services.payments is not None
        saved = await services.payments.take_payment(PaymentRequest(row.id, 1_00, bank(), save_method=True))
        assert saved.status == "approved"
        seen = []
        for card_on, echeck_on in ((True, False), (False, True)):
            await services.settings.set_many({"payment_types.back_office.card": card_on,
                                              "payment_types.back_office.echeck": echeck_on})
            dialog = await tab._open_payment(row.id)
            assert dialog is not None
            group = dialog.findChild(QGroupBox, "savedMethodsGroup")
            radios = group.findChildren(QRadioButton)
            seen.append((dialog.new_card_radio.isVisibleTo(dialog), dialog.new_bank_radio.isVisibleTo(dialog),
                         [r.text() for r in radios], [r.text() for r in radios if r.isChecked()]))
            dialog.close()
        return seen

    card_only, echeck_only = run(scenario())
    assert card_only[:2] == (True, False)
    assert not any("eCheck" in text for text in card_only[2])           # the saved eCheck is not offered
    assert echeck_only[:2] == (False, True)
    assert echeck_only[2] and all("eCheck" in text for text in echeck_only[2])   # nor the saved cards
    assert len(echeck_only[3]) == 1 and "3815" in echeck_only[3][0]


def test_the_contact_paying_is_recorded(qtbot: QtBot, tab: InvoiceHistoryTab, demo_context: AppContext,
                                        run: Run) -> None:
    index, row = payable_row(tab)

    async def scenario() -> tuple[list[int], int | None]:
        dialog = await pay_dialog_via_menu(tab, index)
        contacts = [dialog.contact_combo.itemData(i) for i in range(dialog.contact_combo.count())]
        dialog.contact_combo.setCurrentIndex(dialog.contact_combo.count() - 1)
        fill_card(qtbot, dialog)
        await submit(dialog)
        await tab.wait_idle()
        assert dialog.result_ is not None
        async with demo_context.services.db.sessions() as s:
            company = list((await s.scalars(select(Contact.id).where(Contact.company_id == row.company_id,
                                                                    Contact.is_active.is_(True)))).all())
            paid_by = (await s.get(Payment, dialog.result_.payment_id)).contact_id  # type: ignore[union-attr]
        dialog.close()
        assert sorted(c for c in contacts if c is not None) == sorted(company)
        return contacts, paid_by

    contacts, paid_by = run(scenario())
    assert len(contacts) > 1 and paid_by == contacts[-1]


def test_amount_bounds_follow_the_gateway_minimum_of_the_currency(qtbot: QtBot, demo_context: AppContext) -> None:
    """The gateway takes 1 or more of the currency: ¥1 (no minor unit), 1.000 BHD (three) — not 100 minor units."""
    def dialog_for(currency: str, balance_minor: int) -> PaymentDialog:
        row = InvoiceRow(1, "INV-1", None, 1, "Acme", dt.date(2026, 1, 5), None, currency, balance_minor, 0,
                         balance_minor, "open", "synced", (None, 1))
        dialog = PaymentDialog(demo_context.services, row)
        qtbot.addWidget(dialog)
        return dialog

    def check(dialog: PaymentDialog, text: str) -> str:
        dialog.amount_edit.setText(text)
        return dialog.amount_error.text() if not dialog.amount_error.isHidden() else ""

    yen = dialog_for("JPY", 5000)
    assert check(yen, "50") == ""
    assert "more than the balance" in check(yen, "5001")
    dinar = dialog_for("BHD", 5_000)
    assert "or more" in check(dinar, "0.5")
    assert check(dinar, "1") == ""

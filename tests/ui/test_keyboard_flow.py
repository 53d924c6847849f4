"""Issue #15 items 3–5: a day's main flows with the keyboard only, against the demo company and its sandbox
gateway (real PaymentService, real wire protocol). Every key goes to the widget that has the focus, as a
person's keyboard would: select an invoice, Ctrl+P, fill the card form, submit, confirm, Esc, then a payment's
details with Enter; the context menus open with the Menu key and Shift+F10; Tab leaves the grids."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QRadioButton, QWidget
from pytestqt.qtbot import QtBot

from payapp.app import AppContext, build_main_window
from payapp.services.invoices import InvoiceRow
from payapp.ui.invoices.invoice_history_tab import InvoiceHistoryTab
from payapp.ui.invoices.payment_dialog import PaymentDialog
from payapp.ui.main_window import MainWindow
from payapp.ui.payments.payment_details import PaymentDetailsDialog
from payapp.ui.payments.payment_search_tab import PaymentSearchTab
from tests.ui.conftest import wait_until

Run = Callable[..., Any]
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support raise", "does not support grabbing the keyboard")
FUTURE = f"12/{(dt.date.today().year + 2) % 100:02d}"
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
NONE = Qt.KeyboardModifier.NoModifier


def focus() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def press(qtbot: QtBot, key: Qt.Key, modifiers: Qt.KeyboardModifier = NONE) -> None:
    qtbot.keyClick(focus(), key, modifiers)


def type_text(qtbot: QtBot, text: str) -> None:
    qtbot.keyClicks(focus(), text)


def tab_until(qtbot: QtBot, found: Callable[[QWidget], bool], limit: int = 60, backwards: bool = False) -> QWidget:
    for _ in range(limit):
        if found(focus()):
            return focus()
        press(qtbot, Qt.Key.Key_Backtab if backwards else Qt.Key.Key_Tab, SHIFT if backwards else NONE)
    raise AssertionError(f"Tab never reached the control; the focus is on {focus().objectName()!r}")


@pytest.fixture
def window(qtbot: QtBot, demo_context: AppContext, run: Run) -> MainWindow:
    win = build_main_window(demo_context)
    qtbot.addWidget(win)
    win.resize(1280, 720)
    win.show()
    win.activateWindow()
    qtbot.waitExposed(win)
    win.tabs.setCurrentIndex(1)
    invoices = win.tab("invoiceHistoryTab")
    assert isinstance(invoices, InvoiceHistoryTab)
    run(invoices.wait_ready())
    search = win.tab("paymentSearchTab")
    yield win
    # pytest-qt closes and deletes the window before this runs: the tabs' own loads are awaited, if still there
    for tab in (invoices, search):
        if shiboken6.isValid(tab) and hasattr(tab, "wait_idle"):
            run(tab.wait_idle())


def select_payable_with_keys(qtbot: QtBot, tab: InvoiceHistoryTab, minimum: int = 2000) -> InvoiceRow:
    tab.table.setFocus(Qt.FocusReason.OtherFocusReason)    # where Ctrl+2 and a click would leave it
    press(qtbot, Qt.Key.Key_Home, CTRL)
    for _ in range(tab.model.rowCount()):
        row = tab.row_for(tab.table.currentIndex())
        if row is not None and row.payable and row.balance_minor >= minimum:
            return row
        press(qtbot, Qt.Key.Key_Down)
    raise AssertionError("no payable invoice in the first page")


def test_tab_leaves_the_grids_and_the_menu_key_opens_the_context_menu(qtbot: QtBot, window: MainWindow,
                                                                       run: Run) -> None:
    tab = window.tab("invoiceHistoryTab")
    assert isinstance(tab, InvoiceHistoryTab)
    assert not tab.table.tabKeyNavigation()
    row = select_payable_with_keys(qtbot, tab)
    current = tab.table.currentIndex()
    press(qtbot, Qt.Key.Key_Tab)
    assert focus() is not tab.table and tab.table.currentIndex() == current     # left the grid, not a cell on
    tab.table.setFocus()
    press(qtbot, Qt.Key.Key_Tab, CTRL)
    assert focus() is not tab.table
    tab.table.setFocus()
    for key, mods in ((Qt.Key.Key_Menu, NONE), (Qt.Key.Key_F10, SHIFT)):
        press(qtbot, key, mods)
        run(wait_until(lambda: tab.context_menu is not None and tab.context_menu.isVisible()))
        menu = tab.context_menu
        assert menu is not None
        pay = next(a for a in menu.actions() if a.objectName() == "processPaymentAction")
        assert pay.text() == "Receive payment…" and pay.isEnabled()
        assert pay.shortcut().toString() == "Ctrl+P"
        assert tab.row_for(tab.table.currentIndex()) == row          # the menu is the current row's
        qtbot.keyClick(menu, Qt.Key.Key_Escape)
        run(wait_until(lambda: tab.context_menu is None or not tab.context_menu.isVisible()))
        tab.table.setFocus()

    window.tabs.setCurrentIndex(2)
    search = window.tab("paymentSearchTab")
    assert isinstance(search, PaymentSearchTab)
    run(wait_until(lambda: search.model is not None and search.model.rowCount() > 0, 10))
    assert not search.table.tabKeyNavigation()
    search.table.setFocus()
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Menu)
    run(wait_until(lambda: search.actions.context_menu is not None and search.actions.context_menu.isVisible()))
    names = [a.objectName() for a in search.actions.context_menu.actions()]
    assert names[0] == "detailsAction"
    qtbot.keyClick(search.actions.context_menu, Qt.Key.Key_Escape)


def test_receive_payment_with_the_keyboard_only(qtbot: QtBot, window: MainWindow, demo_context: AppContext,
                                                run: Run) -> None:
    tab = window.tab("invoiceHistoryTab")
    assert isinstance(tab, InvoiceHistoryTab)
    toolbar = window.tool_bar
    assert toolbar.isVisible() and window.receive_payment_action in toolbar.actions()
    assert window.receive_payment_action.text() == "Receive payment"
    row = select_payable_with_keys(qtbot, tab, minimum=5000)

    press(qtbot, Qt.Key.Key_P, CTRL)                                  # Receive payment
    run(wait_until(lambda: bool(tab.open_payments) and tab.open_payments[-1].isVisible()))
    dialog = tab.open_payments[-1]
    assert isinstance(dialog, PaymentDialog)
    run(wait_until(lambda: dialog._status is not None, 10))
    assert dialog.isActiveWindow() or QApplication.activeModalWidget() is dialog
    # the window fits a 1280×720 screen; a long company name would be elided, never widen it
    assert dialog.height() <= 720 - 40 and dialog.width() <= 1280

    # Add Credit Card: Tab to the radio buttons, then the arrow keys choose one (Down to the row of the two new
    # methods, Left to the card on its left)
    if not dialog.new_card_radio.isChecked():
        tab_until(qtbot, lambda w: isinstance(w, QRadioButton))
        press(qtbot, Qt.Key.Key_Down)
        for _ in range(3):
            if dialog.new_card_radio.isChecked():
                break
            press(qtbot, Qt.Key.Key_Left)
    assert dialog.new_card_radio.isChecked() and dialog.card_form.isVisible()
    tab_until(qtbot, lambda w: w is dialog.card_form.card_number_edit)
    type_text(qtbot, "4111 1111 1111 1111")
    press(qtbot, Qt.Key.Key_Tab)
    assert focus() is dialog.card_form.expiry_edit
    type_text(qtbot, FUTURE)
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "123")
    press(qtbot, Qt.Key.Key_Tab)
    assert focus() is dialog.card_form.first_name_edit
    type_text(qtbot, "Anna")
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "Baker")
    tab_until(qtbot, lambda w: w is dialog.card_form.card_zip_edit)
    press(qtbot, Qt.Key.Key_A, CTRL)
    type_text(qtbot, "78701")
    tab_until(qtbot, lambda w: w is dialog.amount_edit)
    press(qtbot, Qt.Key.Key_A, CTRL)
    type_text(qtbot, "12.50")                                         # a partial payment
    press(qtbot, Qt.Key.Key_Return)                                   # the default button: Process Payment
    run(wait_until(lambda: dialog.findChild(QMessageBox, "confirmBox") is not None))
    box = dialog.findChild(QMessageBox, "confirmBox")
    yes = box.button(QMessageBox.StandardButton.Yes)
    run(wait_until(lambda: QApplication.focusWidget() is not None and box.isAncestorOf(QApplication.focusWidget())))
    tab_until(qtbot, lambda w: w is yes, limit=6)
    press(qtbot, Qt.Key.Key_Space)
    run(wait_until(lambda: dialog.result_ is not None and dialog.banner.kind is not None, 20))
    assert dialog.banner.kind == "approved", dialog.banner.text
    run(tab.wait_idle())
    # the hint under the amount gives the new balance
    new_balance = row.balance_minor - 1250
    hint = dialog.findChild(QLabel, "amountHint").text()
    assert "new balance" in hint and f"{new_balance // 100:,}.{new_balance % 100:02d}" in hint
    assert not dialog.amount_hint.visibleRegion().isEmpty()            # scrolled into view under the banner

    press(qtbot, Qt.Key.Key_Escape)                                   # closes, back to the grid's row
    run(wait_until(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible()))
    run(wait_until(lambda: QApplication.focusWidget() is tab.table))
    assert tab.row_for(tab.table.currentIndex()).id == row.id          # type: ignore[union-attr]

    # Payment Search (Ctrl+3): Tab to the grid, Down to the newest payment, Enter opens its details
    press(qtbot, Qt.Key.Key_3, CTRL)
    search = window.tab("paymentSearchTab")
    assert isinstance(search, PaymentSearchTab)
    run(wait_until(lambda: search.model is not None and search.model.rowCount() > 0, 10))
    tab_until(qtbot, lambda w: w is search.table, limit=80)
    press(qtbot, Qt.Key.Key_Home, CTRL)
    press(qtbot, Qt.Key.Key_Return)
    run(wait_until(lambda: search.findChild(PaymentDetailsDialog) is not None
                   and search.findChild(PaymentDetailsDialog).isVisible()))
    details = search.findChild(PaymentDetailsDialog)
    assert details.details.row.id == search.selected_row().id
    run(wait_until(lambda: QApplication.focusWidget() is not None
                   and details.isAncestorOf(QApplication.focusWidget())))
    press(qtbot, Qt.Key.Key_Escape)
    run(wait_until(lambda: not shiboken6.isValid(details) or not details.isVisible()))
    run(wait_until(lambda: QApplication.focusWidget() is search.table))


def test_ctrl_p_without_a_selection_says_what_to_do(qtbot: QtBot, window: MainWindow, run: Run) -> None:
    tab = window.tab("invoiceHistoryTab")
    assert isinstance(tab, InvoiceHistoryTab)
    tab.table.setCurrentIndex(tab.model.index(-1, -1))
    tab.table.clearSelection()
    window.receive_payment_action.trigger()
    assert tab.banner.kind == "info" and "Ctrl+P" in tab.banner.text
    assert not tab.open_payments


def test_payment_window_elides_a_long_company_name_and_prefills_the_address(
        qtbot: QtBot, window: MainWindow, demo_context: AppContext, run: Run) -> None:
    from dataclasses import replace

    from payapp.ui.invoices.payment_dialog import open_payment_dialog

    tab = window.tab("invoiceHistoryTab")
    assert isinstance(tab, InvoiceHistoryTab)
    row = select_payable_with_keys(qtbot, tab)
    normal = run(open_payment_dialog(demo_context.services, row, tab))
    width = normal.width()
    normal.close()
    long_name = "Northwestern Regional Consolidated Property Management and Facilities Services " * 3
    dialog = run(open_payment_dialog(demo_context.services, replace(row, company_name=long_name.strip()), tab))
    assert dialog.width() == width                                   # the name did not widen the window
    assert dialog.company_label.text().endswith("…")
    assert dialog.company_label.toolTip() == long_name.strip()
    # On a 1280×720 screen (690 px available under a task bar) the window fits, the form scrolls; on a tall
    # screen it is as tall as its form, with no empty space under it.
    from PySide6.QtCore import QRect

    class Screen:
        def __init__(self, height: int) -> None:
            self.height = height

        def availableGeometry(self) -> QRect:
            return QRect(0, 0, 1280, self.height)

    dialog.new_card_radio.setChecked(True)
    dialog.screen = lambda: Screen(690)  # type: ignore[method-assign]
    dialog._fit_width()
    assert dialog.height() <= 690 - 40 and dialog.width() <= 1280
    dialog.screen = lambda: Screen(2000)  # type: ignore[method-assign]
    dialog._fit_width()
    qtbot.wait(10)
    body = dialog._scroll.widget()
    assert dialog.height() < 1000 and body.height() - body.sizeHint().height() < 40      # no empty half
    address = run(demo_context.services.invoices.company_address(row.company_id))  # type: ignore[union-attr]
    assert address.postal_code, "the demo companies have addresses"
    assert dialog.card_form.card_address_edit.text() == address.address1
    assert dialog.card_form.card_city_edit.text() == address.city
    assert dialog.card_form.card_zip_edit.text() == address.postal_code
    assert dialog.bank_form.bank_zip_edit.text() == address.postal_code
    # a ZIP code of 5 or 9 digits passes, anything else shows its message next to the field
    dialog.new_card_radio.setChecked(True)
    for text, ok in (("78701", True), ("78701-1234", True), ("787011234", True), ("7870", False),
                     ("78701-12", False)):
        dialog.card_form.card_zip_edit.setText(text)
        dialog.card_form.card_zip_edit.textEdited.emit(text)
        error = dialog.findChild(QLabel, "cardZipError")
        assert error.isVisibleTo(dialog) == (not ok), text
        if not ok:
            assert "5 digits" in error.text()
    dialog.close()


def test_an_error_of_a_payment_asked_for_in_the_invoice_window_shows_there(
        qtbot: QtBot, window: MainWindow, demo_context: AppContext, run: Run,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from payapp.domain.errors import NotFound

    tab = window.tab("invoiceHistoryTab")
    assert isinstance(tab, InvoiceHistoryTab)
    row = select_payable_with_keys(qtbot, tab)
    press(qtbot, Qt.Key.Key_Return)                                   # Enter opens the invoice
    run(wait_until(lambda: bool(tab.open_views) and tab.open_views[-1].detail is not None, 10))
    view = tab.open_views[-1]
    assert view.pay_button.text() == "Receive payment…" and view.pay_button.isEnabled()
    invoices = demo_context.services.invoices
    assert invoices is not None

    async def gone(_invoice_id: int, *_a: Any, **_k: Any) -> Any:
        raise NotFound("This invoice no longer exists.")

    monkeypatch.setattr(invoices, "row", gone)
    view.activateWindow()
    view.pay_button.setFocus()
    press(qtbot, Qt.Key.Key_P, CTRL)                                  # the invoice window's Receive payment
    run(wait_until(lambda: view.banner.kind == "error"))
    assert "no longer exists" in view.banner.text
    assert tab.banner.kind is None                                    # not behind it in the main window
    press(qtbot, Qt.Key.Key_Escape)
    run(wait_until(lambda: not shiboken6.isValid(view) or not view.isVisible()))
    run(wait_until(lambda: QApplication.focusWidget() is tab.table))
    assert tab.row_for(tab.table.currentIndex()) == row


def test_a_refund_error_in_the_details_window_shows_in_that_window(
        qtbot: QtBot, window: MainWindow, demo_context: AppContext, run: Run,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from payapp.domain.errors import PayAppError

    window.tabs.setCurrentIndex(2)
    search = window.tab("paymentSearchTab")
    assert isinstance(search, PaymentSearchTab)
    run(wait_until(lambda: search.model is not None and search.model.rowCount() > 0, 10))
    model = search.model
    assert model is not None
    first = model.row_at(0)
    assert first is not None
    details = run(search.actions.show_details(first.id))
    assert details is not None
    real = search._search.details  # type: ignore[union-attr]

    async def failing(_payment_id: int) -> Any:
        raise PayAppError("The gateway could not be reached. Nothing was changed; try again.")

    monkeypatch.setattr(search._search, "details", failing)
    assert run(search.actions.manage(first.id, details)) is False             # started from the details window
    assert details.banner.kind == "error" and "could not be reached" in details.banner.text
    assert search.banner.kind is None                                 # not behind it in the main window
    monkeypatch.setattr(search._search, "details", real)

    declined = next((model.row_at(i) for i in range(model.rowCount())
                     if model.row_at(i).status in ("declined", "error")), None)  # type: ignore[union-attr]
    if declined is not None:
        other = run(search.actions.show_details(declined.id))
        run(search.actions.manage(declined.id, other))                        # cannot be voided or refunded
        assert other.banner.kind == "warning" and search.banner.kind is None
        other.close()
    details.close()


def test_every_dialog_closes_with_escape_and_gives_the_focus_back(qtbot: QtBot, window: MainWindow,
                                                                  run: Run) -> None:
    tab = window.tab("invoiceHistoryTab")
    assert isinstance(tab, InvoiceHistoryTab)
    select_payable_with_keys(qtbot, tab)
    about = window.show_about()
    run(wait_until(lambda: about.isVisible()))
    about.activateWindow()
    about.setFocus()
    press(qtbot, Qt.Key.Key_Escape)
    run(wait_until(lambda: not shiboken6.isValid(about) or not about.isVisible()))
    run(wait_until(lambda: QApplication.focusWidget() is tab.table))
    window.tabs.setCurrentIndex(2)
    search = window.tab("paymentSearchTab")
    assert isinstance(search, PaymentSearchTab)
    if search.actions.approvals_button.isVisible():
        search.actions.approvals_button.setFocus()
        press(qtbot, Qt.Key.Key_Space)
        run(wait_until(lambda: search.findChild(QWidget, "pendingApprovalsDialog") is not None
                       and search.findChild(QWidget, "pendingApprovalsDialog").isVisible()))
        approvals = search.findChild(QWidget, "pendingApprovalsDialog")
        approvals.activateWindow()
        approvals.setFocus()
        press(qtbot, Qt.Key.Key_Escape)
        run(wait_until(lambda: not shiboken6.isValid(approvals) or not approvals.isVisible()))
        run(wait_until(lambda: QApplication.focusWidget() is search.actions.approvals_button))


def test_a_viewer_has_no_receive_payment_button(window: MainWindow) -> None:
    from payapp.domain.roles import Role
    from payapp.services.auth import Actor

    assert window.tool_bar.isVisible()
    window.apply_role(Actor(user_id=None, username="v", role=Role.VIEWER))
    assert not window.tool_bar.isVisible()
    window.apply_role(Actor(user_id=None, username="f", role=Role.FINANCE))
    assert window.tool_bar.isVisible()

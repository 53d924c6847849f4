"""The grids' column chooser (Invoice History, Payment Search) and Payment Search's saved searches: per user,
in the workstation's window state; the header's context menu and View › Columns… from the keyboard."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from payapp.app import AppContext, build_main_window
from payapp.domain.roles import Role
from payapp.services.auth import Actor
from payapp.ui.i18n import babel_locale, install_translators
from payapp.ui.invoices.invoice_history_tab import InvoiceHistoryTab
from payapp.ui.lazy_model import ColumnsDialog
from payapp.ui.payments.payment_search_tab import PaymentSearchTab
from payapp.ui.window_state import WindowState
from tests.ui.conftest import wait_until

Run = Callable[[Awaitable[Any]], Any]
FINANCE = Actor(user_id=None, username="dana", role=Role.FINANCE, display_name="Dana")


def payment_tab(qtbot: QtBot, ctx: AppContext, path: Path) -> PaymentSearchTab:
    tab = PaymentSearchTab(ctx.services, WindowState(path))
    qtbot.addWidget(tab)
    tab.resize(1280, 700)
    tab.show()
    return tab


def test_payment_columns_hide_per_user_and_reset(qtbot: QtBot, demo_context: AppContext, tmp_path: Path,
                                                 run: Run) -> None:
    ini = tmp_path / "ui.ini"
    tab = payment_tab(qtbot, demo_context, ini)
    chooser = tab.columns
    assert chooser is not None and chooser.hidden_columns() == set()
    menu = chooser.build_menu(tab.table)
    checks = [a for a in menu.actions() if a.isCheckable()]
    assert [a.text() for a in checks][:3] == ["Date", "Company", "Invoice"] and all(a.isChecked() for a in checks)
    menu.findChild(QAction, "columnAction9").trigger()          # "User" off, from the header's menu
    assert tab.table.isColumnHidden(9) and chooser.hidden_columns() == {9}
    assert chooser.set_shown(2, False) and tab.table.isColumnHidden(2)
    run(tab.wait_ready())
    tab.close()

    again = payment_tab(qtbot, demo_context, ini)               # the same user next time: still hidden
    assert again.columns is not None and again.columns.hidden_columns() == {2, 9}
    again.close()
    demo_context.services.current_user.actor = FINANCE          # another user on this workstation: all shown
    other = payment_tab(qtbot, demo_context, ini)
    assert other.columns is not None and other.columns.hidden_columns() == set()
    run(other.wait_ready())
    other.close()
    demo_context.services.current_user.actor = Actor(user_id=again._services.current_user.actor.user_id
                                                     if again._services.current_user.actor else None,
                                                     username="demo", role=Role.ADMIN)
    third = payment_tab(qtbot, demo_context, ini)
    chooser = third.columns
    assert chooser is not None and chooser.hidden_columns() == {2, 9}
    chooser.build_menu(third.table).findChild(QAction, "resetColumnsAction").trigger()
    assert chooser.hidden_columns() == set()
    assert WindowState(ini).for_user("demo").value("columns/paymentTable") is None
    run(third.wait_ready())


def test_the_last_shown_column_stays(qtbot: QtBot, demo_context: AppContext, tmp_path: Path, run: Run) -> None:
    tab = payment_tab(qtbot, demo_context, tmp_path / "ui.ini")
    chooser = tab.columns
    assert chooser is not None
    for column in range(1, chooser.column_count()):
        assert chooser.set_shown(column, False)
    assert not chooser.set_shown(0, False) and not tab.table.isColumnHidden(0)
    menu = chooser.build_menu(tab.table)
    assert not menu.findChild(QAction, "columnAction0").isEnabled()     # greyed: it cannot be unticked
    dialog = chooser.open_dialog()
    item = dialog.item_for(0)
    assert item is not None
    item.setCheckState(Qt.CheckState.Unchecked)
    assert item.checkState() == Qt.CheckState.Checked and not tab.table.isColumnHidden(0)
    dialog.close()
    run(tab.wait_ready())


def test_columns_dialog_from_the_view_menu_with_keys(qtbot: QtBot, demo_context: AppContext, run: Run) -> None:
    window = build_main_window(demo_context)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    window.tabs.setCurrentWidget(window.tab("invoiceHistoryTab"))
    tab = window.tab("invoiceHistoryTab")
    assert isinstance(tab, InvoiceHistoryTab)
    run(tab.wait_ready())
    window.columns_action.trigger()                                    # View › Columns…
    dialog = QApplication.activeModalWidget() or window.findChild(ColumnsDialog, "columnsDialog")
    assert isinstance(dialog, ColumnsDialog) and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.list.hasFocus() or QApplication.focusWidget() is dialog.list, timeout=2000)
    dialog.list.setCurrentRow(1)                                       # "Accounting no.": Space unticks it
    column = dialog.list.currentItem().data(Qt.ItemDataRole.UserRole)
    qtbot.keyClick(dialog.list, Qt.Key.Key_Space)
    assert tab.table.isColumnHidden(column)
    dialog.reset_button.click()
    assert not tab.table.isColumnHidden(column)
    assert dialog.item_for(column).checkState() == Qt.CheckState.Checked
    qtbot.keyClick(dialog.list, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible() if _valid(dialog) else True, timeout=2000)
    window.tabs.setCurrentWidget(window.tab("paymentSearchTab"))
    window.columns_action.trigger()
    assert window.tab("paymentSearchTab").columns.dialog is not None        # the current tab's grid
    window.tab("paymentSearchTab").columns.dialog.close()
    run(window.tab("paymentSearchTab").wait_ready())
    window.close()


def _valid(widget: Any) -> bool:
    import shiboken6

    return shiboken6.isValid(widget)


# ---------------------------------------------------------------------- saved searches


def test_saved_searches_save_apply_rename_delete(qtbot: QtBot, demo_context: AppContext, tmp_path: Path,
                                                 run: Run) -> None:
    ini = tmp_path / "ui.ini"
    tab = payment_tab(qtbot, demo_context, ini)
    saved = tab.filters.saved
    assert saved.combo.count() == 1 and saved.combo.itemText(0) == "No saved searches yet"     # empty state
    assert not saved.rename_action.isEnabled() and not saved.delete_action.isEnabled()
    tab.filters.status_combo.setCurrentIndex(tab.filters.status_combo.findData("settled"))
    tab.filters.date_combo.setCurrentIndex(tab.filters.date_combo.findData("30days"))
    tab.filters.company_edit.setText("Acme")
    tab.apply_filters()
    assert saved.save("Acme settled, 30 days")
    assert not saved.save("Acme settled, 30 days")                  # taken: not without replace
    assert saved.combo.currentText() == "Acme settled, 30 days"
    tab.clear_filters()
    assert saved.current_name() == ""                               # the shown filters no longer match it
    assert tab.model is not None and tab.model.query.company == ""
    saved.combo.setCurrentIndex(saved.combo.findData("Acme settled, 30 days"))
    saved.combo.activated.emit(saved.combo.currentIndex())          # picked from the combo
    assert tab.filters.company_edit.text() == "Acme" and tab.filters.status_combo.currentData() == "settled"
    assert tab.model.query.company == "Acme" and tab.model.query.statuses == frozenset({"settled"})
    assert tab.model.query.date_from is not None                    # "last 30 days" as of today
    assert saved.rename("Acme settled, 30 days", "Acme (settled)") and saved.names() == ["Acme (settled)"]
    assert saved.rename_action.isEnabled() and saved.delete_action.isEnabled()
    run(tab.wait_ready())
    tab.close()

    again = payment_tab(qtbot, demo_context, ini)                   # kept for this user
    assert again.filters.saved.names() == ["Acme (settled)"]
    demo_context.services.current_user.actor = FINANCE
    other = payment_tab(qtbot, demo_context, ini)                   # not another user's
    assert other.filters.saved.names() == []
    assert again.filters.saved.use("Acme (settled)") and again.filters.saved.delete("Acme (settled)")
    assert again.filters.saved.names() == [] and again.filters.saved.combo.itemText(0) == "No saved searches yet"
    run(again.wait_ready())
    run(other.wait_ready())


def test_saving_a_search_with_keys_asks_for_a_name(qtbot: QtBot, demo_context: AppContext, tmp_path: Path,
                                                   run: Run) -> None:
    tab = payment_tab(qtbot, demo_context, tmp_path / "ui.ini")
    tab.filters.method_combo.setCurrentIndex(tab.filters.method_combo.findData("echeck"))
    tab.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is tab, timeout=3000)
    tab.filters.company_edit.setFocus()
    qtbot.keyClick(tab.filters.company_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)                      # Ctrl+Shift+S
    run(wait_until(lambda: tab.filters.saved.input_dialog is not None))
    dialog = tab.filters.saved.input_dialog
    assert dialog is not None
    dialog.setTextValue("  eChecks  ")
    dialog.accept()
    run(wait_until(lambda: tab.filters.saved.names() == ["eChecks"]))
    assert "eChecks" in tab.banner.text
    task = tab.filters.saved.ask_save()                                     # the same name again: asks to replace
    run(wait_until(lambda: tab.filters.saved.input_dialog is not None))
    tab.filters.saved.input_dialog.setTextValue("eChecks")
    tab.filters.saved.input_dialog.accept()
    run(wait_until(lambda: tab.findChild(QMessageBox, "confirmBox") is not None))
    box = tab.findChild(QMessageBox, "confirmBox")
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert run(task) is False
    task = tab.filters.saved.ask_delete()
    run(wait_until(lambda: tab.findChild(QMessageBox, "confirmBox") is not None
                   and tab.findChild(QMessageBox, "confirmBox").isVisible()))
    tab.findChild(QMessageBox, "confirmBox").button(QMessageBox.StandardButton.Yes).click()
    assert run(task) is True and tab.filters.saved.names() == []
    run(tab.wait_ready())


# ---------------------------------------------------------------------- widths at 1280 px


@pytest.mark.parametrize("language", ["en", "de"])
def test_no_column_is_pushed_out_at_1280_px(qtbot: QtBot, qapp: QApplication, demo_context: AppContext,
                                            tmp_path: Path, run: Run, language: str) -> None:
    """The main window at 1280 px: every column of both grids is on screen, no header is cut (a long company
    name or method ends in "…" and shows whole as a tooltip)."""
    demo_context.services.locale = babel_locale(install_translators(qapp, language))
    try:
        window = build_main_window(demo_context)
        qtbot.addWidget(window)
        window.resize(1280, 720)
        window.show()
        for name in ("invoiceHistoryTab", "paymentSearchTab"):
            tab = window.tab(name)
            window.tabs.setCurrentWidget(tab)
            run(tab.wait_ready(), 30)            # type: ignore[attr-defined]
            table = tab.table                    # type: ignore[attr-defined]
            header = table.horizontalHeader()
            shown = [c for c in range(header.count()) if not header.isSectionHidden(c)]
            assert sum(header.sectionSize(c) for c in shown) <= table.viewport().width(), name
            for c in shown:
                text = str(table.model().headerData(c, Qt.Orientation.Horizontal))
                assert header.sectionSize(c) >= header.fontMetrics().horizontalAdvance(text), (name, text)
        window.close()
    finally:
        install_translators(qapp, "en")

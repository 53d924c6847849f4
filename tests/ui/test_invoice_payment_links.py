"""Invoice History's client-portal payment links against the demo company: Copy payment link (context menu,
Ctrl+Shift+L and the invoice window) puts a link on the clipboard that PaymentLinkService.open accepts; Revoke
link asks, then the link no longer opens; the actions are disabled for a paid or voided invoice and hidden for a
viewer (whom the service refuses anyway); an unset portal address says so and leads an admin to Admin › Client
Portal."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from payapp.app import AppContext, build_main_window
from payapp.domain.errors import PermissionDenied
from payapp.services.invoices import InvoiceRow
from payapp.ui.admin.admin_tab import AdminTab
from payapp.ui.invoices.invoice_history_tab import InvoiceHistoryTab
from payapp.ui.window_state import WindowState
from tests.conftest import VIEWER
from tests.ui.conftest import wait_until

Run = Callable[..., Any]
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support raise", "does not support grabbing the keyboard")
PORTAL = "https://pay.example.com"


@pytest.fixture
def tab(qtbot: QtBot, demo_context: AppContext, tmp_path: Path, run: Run) -> Iterator[InvoiceHistoryTab]:
    widget = InvoiceHistoryTab(demo_context.services, WindowState(tmp_path / "ui.ini"))
    qtbot.addWidget(widget)
    widget.resize(1280, 720)
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


def payable(tab: InvoiceHistoryTab) -> tuple[int, InvoiceRow]:
    for i in range(tab.model.rowCount()):
        row = tab.model.row_at(i)
        if row is not None and row.payable and row.balance_minor > 0:
            return i, row
    raise AssertionError("no payable invoice loaded")


async def open_menu(tab: InvoiceHistoryTab, index: int) -> Any:
    tab.context_menu = None
    rect = tab.table.visualRect(tab.model.index(index, 0))
    tab.table.customContextMenuRequested.emit(rect.center())
    await wait_until(lambda: tab.context_menu is not None and tab.context_menu.isVisible())
    return tab.context_menu


def action(menu: Any, name: str) -> QAction:
    found = menu.findChild(QAction, name)
    assert found is not None, name
    return found


def token_of(url: str) -> str:
    assert url.startswith(PORTAL + "/pay/"), url
    return url.rsplit("/", 1)[1]


async def answer_revoke(tab: InvoiceHistoryTab, parent: Any, yes: bool) -> None:
    await wait_until(lambda: parent.findChild(QMessageBox, "revokeLinkConfirm") is not None)
    box = parent.findChild(QMessageBox, "revokeLinkConfirm")
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)     # Cancel by default
    box.button(QMessageBox.StandardButton.Yes if yes else QMessageBox.StandardButton.Cancel).click()
    await tab.wait_idle()


def test_copy_link_from_the_menu_opens_and_revoke_closes_it(tab: InvoiceHistoryTab, demo_context: AppContext,
                                                            run: Run) -> None:
    services = demo_context.services
    run(services.settings.set_many({"portal.public_url": PORTAL, "portal.link_lifetime_days": 10}))
    index, row = payable(tab)

    async def scenario() -> None:
        menu = await open_menu(tab, index)
        copy = action(menu, "copyPaymentLinkAction")
        revoke = action(menu, "revokePaymentLinkAction")
        assert copy.isEnabled() and copy.isVisible() and copy.shortcut().toString() == "Ctrl+Shift+L"
        assert not revoke.isEnabled()                         # no link yet
        QApplication.clipboard().setText("")
        copy.trigger()
        menu.close()
        await wait_until(lambda: tab.banner.kind is not None)
        await tab.wait_idle()
        assert tab.banner.kind == "success", tab.banner.text
        url = QApplication.clipboard().text()
        opened = await services.payment_links.open(token_of(url))
        assert opened is not None and opened.invoice_id == row.id and opened.closed == ""
        assert f"invoice {row.invoice_number} copied" in tab.banner.text and "It works until" in tab.banner.text

        menu = await open_menu(tab, index)                   # now there is a link to revoke
        revoke = action(menu, "revokePaymentLinkAction")
        assert revoke.isEnabled()
        revoke.trigger()
        menu.close()
        await answer_revoke(tab, tab, yes=False)             # Cancel: the link still works
        assert await services.payment_links.open(token_of(url)) is not None
        menu = await open_menu(tab, index)
        action(menu, "revokePaymentLinkAction").trigger()
        menu.close()
        tab.banner.clear()
        await answer_revoke(tab, tab, yes=True)
        await wait_until(lambda: tab.banner.kind is not None)
        assert tab.banner.kind == "success" and "Revoked 1 payment link" in tab.banner.text, tab.banner.text
        assert await services.payment_links.open(token_of(url)) is None
        menu = await open_menu(tab, index)
        assert not action(menu, "revokePaymentLinkAction").isEnabled()
        menu.close()

    run(scenario(), timeout=30)


def test_keyboard_shortcut_copies_the_selected_invoices_link(qtbot: QtBot, tab: InvoiceHistoryTab,
                                                             demo_context: AppContext, run: Run) -> None:
    run(demo_context.services.settings.set_many({"portal.public_url": "http://localhost:8765/"}))
    index, row = payable(tab)
    tab.activateWindow()
    tab.table.setFocus()
    tab.table.setCurrentIndex(tab.model.index(index, 0))
    QApplication.clipboard().setText("")
    qtbot.keyClick(tab.table, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    run(wait_until(lambda: tab.banner.kind is not None))
    run(tab.wait_idle())
    assert tab.banner.kind == "success", tab.banner.text
    url = QApplication.clipboard().text()
    assert url.startswith("http://localhost:8765/pay/")
    opened = run(demo_context.services.payment_links.open(url.rsplit("/", 1)[1]))
    assert opened is not None and opened.invoice_id == row.id

    tab.table.clearSelection()                       # nothing selected: says what to do
    tab.table.setCurrentIndex(tab.model.index(-1, -1))
    assert tab.copy_selected_payment_link() is None
    assert tab.banner.kind == "info" and "Select an invoice" in tab.banner.text


def test_invoice_window_copies_and_revokes(tab: InvoiceHistoryTab, demo_context: AppContext, run: Run) -> None:
    services = demo_context.services
    run(services.settings.set_many({"portal.public_url": PORTAL}))
    _index, row = payable(tab)

    async def scenario() -> None:
        view = await tab.open_invoice(row.id)
        await tab.wait_idle()
        assert view.copy_link_button.isEnabled() and not view.revoke_link_button.isEnabled()
        assert "No payment link" in view.link_status.text()
        view.copy_link_button.click()
        await wait_until(lambda: view.banner.kind is not None)
        await tab.wait_idle()
        assert view.banner.kind == "success", view.banner.text
        url = QApplication.clipboard().text()
        assert await services.payment_links.open(token_of(url)) is not None
        assert view.revoke_link_button.isEnabled() and "1 working payment link" in view.link_status.text()
        view.revoke_link_button.click()
        await answer_revoke(tab, view, yes=True)
        await wait_until(lambda: "Revoked" in view.banner.text)
        assert await services.payment_links.open(token_of(url)) is None
        assert not view.revoke_link_button.isEnabled()
        view.close()

    run(scenario(), timeout=30)


def test_link_actions_disabled_for_paid_and_voided_invoices(tab: InvoiceHistoryTab, demo_context: AppContext,
                                                            run: Run) -> None:
    run(demo_context.services.settings.set_many({"portal.public_url": PORTAL}))

    async def first_of(status: str) -> tuple[bool, str, bool]:
        tab.status_combo.setCurrentIndex(tab.status_combo.findData(status))
        await tab.wait_idle()
        assert tab.model.rowCount() > 0, status
        menu = await open_menu(tab, 0)
        copy = action(menu, "copyPaymentLinkAction")
        result = (copy.isEnabled(), copy.toolTip(), copy.isVisible())
        menu.close()
        return result

    enabled, reason, visible = run(first_of("paid"))
    assert visible and not enabled and "paid in full" in reason
    enabled, reason, visible = run(first_of("voided"))
    assert visible and not enabled and "voided" in reason

    async def view_of_paid() -> None:
        row = tab.model.row_at(0)
        assert row is not None
        view = await tab.open_invoice(row.id)
        await tab.wait_idle()
        assert not view.copy_link_button.isEnabled()
        assert view.link_status.text() == "Voided: no payment link can be sent."
        view.close()

    run(view_of_paid())


def test_viewer_sees_no_link_actions_and_the_service_refuses(tab: InvoiceHistoryTab, demo_context: AppContext,
                                                             run: Run) -> None:
    services = demo_context.services
    run(services.settings.set_many({"portal.public_url": PORTAL}))
    index, row = payable(tab)
    admin = services.current_user.actor
    services.current_user.actor = VIEWER
    try:
        async def scenario() -> None:
            menu = await open_menu(tab, index)
            copy = action(menu, "copyPaymentLinkAction")
            revoke = action(menu, "revokePaymentLinkAction")
            assert not copy.isVisible() and not copy.isEnabled() and not revoke.isVisible()
            menu.close()
            view = await tab.open_invoice(row.id)
            await tab.wait_idle()
            assert view.copy_link_button.isHidden() and view.revoke_link_button.isHidden()
            view.close()
            QApplication.clipboard().setText("")
            assert await tab.copy_payment_link(row.id) is None         # asked anyway: refused, said why
            assert tab.banner.kind == "warning" and "role" in tab.banner.text
            assert QApplication.clipboard().text() == ""
            with pytest.raises(PermissionDenied):
                await services.payment_links.issue(row.id)

        run(scenario())
    finally:
        services.current_user.actor = admin


def test_unset_portal_address_leads_an_admin_to_the_client_portal_page(qtbot: QtBot, demo_context: AppContext,
                                                                       run: Run) -> None:
    run(demo_context.services.settings.set_many({"portal.public_url": "", "portal.enabled": False}))
    window = build_main_window(demo_context)
    qtbot.addWidget(window)
    window.show()
    tab = window.tab("invoiceHistoryTab")
    assert isinstance(tab, InvoiceHistoryTab)
    run(tab.wait_ready())
    _index, row = payable(tab)
    assert run(tab.copy_payment_link(row.id)) is None
    assert tab.banner.kind == "error" and "address is not set" in tab.banner.text
    button = tab.banner.findChild(QPushButton, "invoiceHistoryBannerAction")
    assert button is not None and button.isVisibleTo(tab.banner) and "Client Portal" in button.text()
    button.click()
    admin = window.tab("adminTab")
    assert isinstance(admin, AdminTab)
    assert window.tabs.currentWidget() is admin
    assert admin.stack.currentWidget() is admin.page("clientPortalPage")
    run(admin.wait_ready())

    services = demo_context.services                  # a Finance user is told to ask an admin, with no button
    from tests.conftest import FINANCE

    actor = services.current_user.actor
    services.current_user.actor = FINANCE
    try:
        window.tabs.setCurrentWidget(tab)
        assert run(tab.copy_payment_link(row.id)) is None
        assert "Ask an admin" in tab.banner.text and not button.isVisibleTo(tab.banner)
    finally:
        services.current_user.actor = actor
    run(services.settings.set_many({"portal.public_url": PORTAL}))          # the admin sets it
    services.current_user.actor = FINANCE                 # Finance takes payments: it may send links
    try:
        link = run(tab.copy_payment_link(row.id))
        assert link is not None and QApplication.clipboard().text() == link.url
        assert "It works until" in window.statusBar().currentMessage()     # the status bar says it too
    finally:
        services.current_user.actor = actor
    window.close()

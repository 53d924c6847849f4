"""The demo signs out and in as its Finance and Viewer users (issue #15.11): File › Sign out shows the sign-in
dialog with the three demo users, and the tabs are rebuilt for the one who signs in."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from payapp.app import AppContext, build_main_window
from payapp.domain.roles import Role
from payapp.gui import sign_out_and_in
from payapp.services.users import DEMO_USERS
from payapp.ui.sign_in import SignInDialog
from payapp.ui.sync_status import SyncStatusWidget
from tests.ui.conftest import wait_until

Run = Callable[[Awaitable[Any]], Any]


def test_demo_users_exist_with_their_demo_passwords(demo_context: AppContext, run: Run) -> None:
    users = demo_context.services.users
    for user in DEMO_USERS:
        actor = run(users.sign_in(user.username, user.password))
        assert actor.role == user.role and actor.display_name == user.display_name
    assert {u.role for u in DEMO_USERS} == {Role.ADMIN, Role.FINANCE, Role.VIEWER}


def _dialog(window: QWidget) -> SignInDialog | None:
    dialog = window.findChild(SignInDialog, "signInDialog")
    return dialog if dialog is not None and dialog.isVisible() else None


def _sign_in_as(window: QWidget, username: str, run: Run) -> SignInDialog:
    run(wait_until(lambda: _dialog(window) is not None))
    dialog = _dialog(window)
    assert dialog is not None
    dialog.findChild(QPushButton, f"demoUse_{username}").click()          # fills in the demo user
    assert dialog.username.text() == username and dialog.password.text()
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    return dialog


def test_sign_out_and_in_as_viewer_then_finance(qtbot: QtBot, demo_context: AppContext, run: Run) -> None:
    window = build_main_window(demo_context)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    state = window._state
    assert window.user_label.text() == "Demo Admin · Admin"

    task = asyncio.ensure_future(sign_out_and_in(window, demo_context, state))
    run(wait_until(lambda: _dialog(window) is not None))
    dialog = _dialog(window)
    assert dialog is not None and demo_context.services.current_user.actor is None
    hints = " ".join(label.text() for label in dialog.findChildren(QLabel))
    for user in DEMO_USERS:                                   # every demo user with its password as a hint
        assert user.username in hints and user.password in hints
    assert "not real passwords" in dialog.findChild(QWidget, "demoUsersBox").title()
    assert window.user_label.text() == ""                    # nobody signed in meanwhile
    _sign_in_as(window, "viewer", run)
    assert run(task) is True
    assert window.user_label.text() == "Demo Viewer · Viewer"
    admin_index = window.tabs.indexOf(window.tab("adminTab"))
    assert not window.tabs.isTabVisible(admin_index) and not window.tool_bar.isVisibleTo(window)
    payments = window.tab("paymentSearchTab")
    for name in ("refundButton", "retrySyncButton", "demoSettleButton"):      # a Viewer may not manage payments
        assert not payments.findChild(QPushButton, name).isVisibleTo(payments)
    bars = window.statusBar().findChildren(SyncStatusWidget)
    live = [w for w in bars if w.parent() is not None and w.isVisibleTo(window)]
    assert len(live) == 1 and not live[0].sync_button.isVisibleTo(window)    # one sync widget, no Sync now
    for index in range(window.tabs.count()):                                 # every tab draws for the Viewer
        window.tabs.setCurrentIndex(index)
        ready = getattr(window.tabs.widget(index), "wait_ready", None)
        if ready is not None and window.tabs.isTabVisible(index):
            run(ready(), 30)
    invoices = window.tab("invoiceHistoryTab")
    run(invoices.wait_ready())
    row = invoices.model.row_at(0)
    assert row is not None and invoices.pay_reason(row)                      # greyed, with the reason

    task = asyncio.ensure_future(sign_out_and_in(window, demo_context, state))
    _sign_in_as(window, "finance", run)
    assert run(task) is True
    assert window.user_label.text() == "Demo Finance · Finance"
    assert window.tool_bar.isVisibleTo(window)                               # Receive payment is back
    assert not window.tabs.isTabVisible(window.tabs.indexOf(window.tab("adminTab")))
    assert window.tab("paymentSearchTab").findChild(QPushButton, "refundButton").isVisibleTo(window)
    run(window.tab("paymentSearchTab").wait_ready(), 30)

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)                 # as in the app: gui.main() owns the shutdown
    try:
        task = asyncio.ensure_future(sign_out_and_in(window, demo_context, state))      # Quit in the dialog
        run(wait_until(lambda: _dialog(window) is not None))
        _dialog(window).buttons.button(QDialogButtonBox.StandardButton.Cancel).click()  # type: ignore[union-attr]
        assert run(task) is False and not window.isVisible()
    finally:
        app.setQuitOnLastWindowClosed(True)


def test_sign_out_waits_for_open_windows(qtbot: QtBot, demo_context: AppContext, run: Run) -> None:
    window = build_main_window(demo_context)
    qtbot.addWidget(window)
    window.show()
    asked: list[bool] = []
    window.sign_out_requested.connect(lambda: asked.append(True))
    about = window.show_about()
    window.sign_out_action.trigger()
    assert not asked and "Close the open windows first" in window.statusBar().currentMessage()
    about.close()
    run(wait_until(lambda: not about.isVisible() if _valid(about) else True))
    window.sign_out_action.trigger()
    assert asked == [True]


def _valid(widget: Any) -> bool:
    import shiboken6

    return shiboken6.isValid(widget)

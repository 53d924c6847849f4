"""Start-up: only the tab on screen is made before the window is usable; the others follow right after the first
paint (or at once when the user opens one), and the demo's sandboxes are read on first use."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

from payapp.app import AppContext, DemoSandboxes, open_company
from payapp.ui.main_window import LoadingPage, MainWindow
from payapp.ui.window_state import WindowState
from tests.ui.conftest import wait_until


def test_only_the_current_tab_is_made_before_the_first_paint(qtbot: QtBot, demo_context: AppContext,
                                                             run: Any) -> None:
    state = WindowState(demo_context.config.settings_path)
    window = MainWindow.loading(state, demo=True)
    qtbot.addWidget(window)
    window.tabs.setCurrentIndex(1)
    window.show()
    open_company(window, demo_context, state, current_only=True)
    assert not isinstance(window.tab("invoiceHistoryTab"), LoadingPage)
    assert isinstance(window.tab("adminTab"), LoadingPage) and isinstance(window.tab("paymentSearchTab"), LoadingPage)
    assert window.receive_payment_action.isEnabled()
    window.tabs.setCurrentIndex(2)                          # opened before its turn: made at once
    payments = window.tab("paymentSearchTab")
    assert not isinstance(payments, LoadingPage) and window.tabs.currentWidget() is payments
    window.build_pending_tabs()
    run(wait_until(lambda: not isinstance(window.tab("adminTab"), LoadingPage)))
    assert [window.tabs.widget(i).objectName() for i in range(3)] == ["adminTab", "invoiceHistoryTab",
                                                                       "paymentSearchTab"]
    assert window.tabs.isTabVisible(0)                      # the demo admin sees Admin
    run(payments.wait_ready(), 30)                          # type: ignore[attr-defined]
    run(window.tab("invoiceHistoryTab").wait_ready(), 30)   # type: ignore[attr-defined]
    window.close()


def test_demo_sandboxes_are_read_on_first_use(demo_context: AppContext, run: Any) -> None:
    sandboxes = demo_context.sandboxes
    assert isinstance(sandboxes, DemoSandboxes) and sandboxes._items is None      # not while the window opens
    run(demo_context.services.connections.setup_demo(), 30)                      # the first request reads them
    assert sandboxes._items is not None and sandboxes["gateway"][0].transactions

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QLabel, QTabWidget
from pytestqt.qtbot import QtBot

from payapp import __version__
from payapp.app import AppContext, build_main_window, build_tabs, status_labels
from payapp.ui.main_window import LoadingPage, MainWindow
from payapp.ui.window_state import WindowState


def test_main_window_has_three_tabs_and_remembers_geometry(qtbot: QtBot, demo_context: AppContext,
                                                           tmp_path: Path, run: Any) -> None:
    window = build_main_window(demo_context.config, context=demo_context)
    qtbot.addWidget(window)
    tabs = window.findChild(QTabWidget, "mainTabs")
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["Admin", "Invoice History", "Payment Search"]
    window.resize(701, 503)  # within the offscreen platform's 800x600 screen
    window.tabs.setCurrentIndex(2)
    window.close()
    again = build_main_window(demo_context.config, context=demo_context)
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == (701, 503)
    assert again.tabs.currentIndex() == 2


def test_about_dialog_shows_version(qtbot: QtBot, demo_context: AppContext) -> None:
    window = build_main_window(demo_context.config, context=demo_context)
    qtbot.addWidget(window)
    dialog = window.show_about()
    assert __version__ in dialog.findChild(QLabel, "aboutVersion").text()
    dialog.close()


def test_window_shows_before_the_database_opens_then_takes_the_real_tabs(
        qtbot: QtBot, demo_context: AppContext, run: Any) -> None:
    """run_gui paints MainWindow.loading() first and installs the tabs when the company is open."""
    state = WindowState(demo_context.config.settings_path)
    window = MainWindow.loading(state, demo=True)
    qtbot.addWidget(window)
    window.tabs.setCurrentIndex(2)
    names = [window.tabs.widget(i).objectName() for i in range(window.tabs.count())]
    assert names == ["adminTab", "invoiceHistoryTab", "paymentSearchTab"]
    assert all(isinstance(window.tabs.widget(i), LoadingPage) for i in range(3))
    menus_before = [a.text() for a in window.menuBar().actions()]

    window.install_tabs(build_tabs(demo_context.services, state))
    window.set_status(**status_labels(demo_context.services))
    assert not any(isinstance(window.tabs.widget(i), LoadingPage) for i in range(window.tabs.count()))
    assert window.tabs.currentIndex() == 2                        # the tab the user was looking at stays
    assert window.tab("paymentSearchTab") is window.tabs.widget(2)
    assert [a.text() for a in window.menuBar().actions()] == menus_before   # rebuilt, not doubled
    assert demo_context.services.db.display_name == window.database_label.text()
    assert window.user_label.text()

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QLabel, QTabWidget
from pytestqt.qtbot import QtBot

from payapp import __version__
from payapp.app import AppContext, build_main_window


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

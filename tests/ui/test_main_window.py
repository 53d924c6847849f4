from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QTranslator
from PySide6.QtWidgets import QApplication, QLabel, QTabWidget, QWidget
from pytestqt.qtbot import QtBot

from payapp import __version__
from payapp.app import AppContext, build_main_window, build_tabs, status_labels
from payapp.ui.i18n import babel_locale, install_translators, remove_translators
from payapp.ui.main_window import LoadingPage, MainWindow
from payapp.ui.window_state import WindowState


def test_main_window_has_three_tabs_and_remembers_geometry(qtbot: QtBot, demo_context: AppContext,
                                                           tmp_path: Path, run: Any) -> None:
    window = build_main_window(demo_context)
    qtbot.addWidget(window)
    tabs = window.findChild(QTabWidget, "mainTabs")
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["Admin", "Invoice History", "Payment Search"]
    window.resize(701, 503)  # within the offscreen platform's 800x600 screen
    window.tabs.setCurrentIndex(2)
    window.close()
    again = build_main_window(demo_context)
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == (701, 503)
    assert again.tabs.currentIndex() == 2


def test_status_bar_shows_the_database_and_the_sync_state(qtbot: QtBot, demo_context: AppContext, run: Any) -> None:
    from payapp.domain.roles import Role
    from payapp.services.auth import Actor
    from payapp.ui.sync_status import SyncStatusWidget
    from tests.ui.conftest import wait_until

    window = build_main_window(demo_context)
    qtbot.addWidget(window)
    window.show()
    bar = window.statusBar()
    company = bar.findChild(QLabel, "databaseStatus")
    assert company.text() == "Demo company"                 # the company, not a file path (issue #15.10)
    assert company.toolTip().startswith("SQLite") and window.database_location.startswith("SQLite")
    user = bar.findChild(QLabel, "userStatus").text()
    assert user == "Demo Admin · Admin"                      # the name and the role as the Users page says it
    assert window.windowTitle().count("PayApp") == 1 and window.windowTitle().endswith(" — PayApp")
    sync = bar.findChild(SyncStatusWidget)
    assert sync is not None and sync.isVisible() and sync.sync_button.isVisible()
    run(wait_until(lambda: sync._refreshing is not None and sync._refreshing.done(), 10))   # last sync read
    demo_context.services.current_user.actor = Actor(user_id=None, username="v", role=Role.VIEWER)
    for_viewer = build_main_window(demo_context)
    qtbot.addWidget(for_viewer)
    for_viewer.show()
    widget = for_viewer.statusBar().findChild(SyncStatusWidget)
    assert widget is not None and widget.isVisible() and not widget.sync_button.isVisible()  # a Viewer may not sync
    run(wait_until(lambda: widget._refreshing is not None and widget._refreshing.done(), 10))
    assert widget.refresh_timer.isActive()
    for_viewer.close()                                 # a closed window starts no more syncs or outbox reads
    assert not widget.refresh_timer.isActive() and not widget.sync_timer.isActive()


def test_about_dialog_shows_version(qtbot: QtBot, demo_context: AppContext) -> None:
    window = build_main_window(demo_context)
    qtbot.addWidget(window)
    dialog = window.show_about()
    assert __version__ in dialog.findChild(QLabel, "aboutVersion").text()
    assert demo_context.services.db.display_name in dialog.findChild(QLabel, "aboutDatabase").text()
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
    assert demo_context.services.db.display_name == window.database_location
    assert window.user_label.text()


async def _settle(widget: QWidget) -> None:
    ready = getattr(widget, "wait_ready", None)
    if ready is not None:
        await asyncio.wait_for(ready(), 10)
    for _ in range(3):
        await asyncio.sleep(0.01)


class _MissedLookups(QTranslator):
    """Installed before the German translators, so Qt asks it only for what neither PayApp's nor Qt's German
    file answers; it records the question and answers with the English source, as Qt would."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: set[tuple[str, str]] = set()

    def translate(self, context: str, source_text: str, disambiguation: str | None = None, n: int = -1) -> str:
        if source_text:
            self.asked.add((context, source_text))
        return source_text

    def isEmpty(self) -> bool:
        return False


def _payapp_contexts() -> set[str]:
    """Translation contexts that are PayApp's: its class names and the contexts named in its source."""
    names: set[str] = set()
    for path in (Path(__file__).resolve().parents[2] / "payapp").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        names.update(re.findall(r"^\s*class (\w+)", text, re.MULTILINE))
        names.update(re.findall(r"""(?:translate|QT_TRANSLATE_NOOP)\(\s*["'](\w+)["']""", text))
    return names


@pytest.mark.slow
@pytest.mark.qt_log_ignore("This plugin does not support raise", "does not support grabbing the keyboard")
def test_every_string_shown_in_german_has_a_german_translation(qtbot: QtBot, qapp: QApplication,
                                                              demo_context: AppContext, run: Any) -> None:
    """Walk every tab and every dialog the screenshots show, in German, and fail on each text PayApp asked
    Qt to translate that the German file lacks: a tr() of a text lupdate cannot see (an f-string, an unmarked
    dict value, a service's message) shows up here, where the static checks cannot find it."""
    missed = _MissedLookups()
    qapp.installTranslator(missed)
    try:
        demo_context.services.locale = babel_locale(install_translators(qapp, "de"))
        window = build_main_window(demo_context)
        qtbot.addWidget(window)
        window.show()

        async def walk() -> None:
            for index in range(window.tabs.count()):
                window.tabs.setCurrentIndex(index)
                tab = window.tabs.widget(index)
                await _settle(tab)
                states = getattr(tab, "screenshot_states", None)
                for _name, widget in (await states()) if states is not None else []:
                    await _settle(widget)
                    widget.close()

        run(walk(), 60)
        window.close()
    finally:
        remove_translators(qapp)
        qapp.removeTranslator(missed)
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    ours = _payapp_contexts()
    gaps = sorted(f"{context}: {text!r}" for context, text in missed.asked if context in ours)
    assert not gaps, f"{len(gaps)} texts shown in English in the German UI:\n" + "\n".join(gaps)


def test_the_german_walk_sees_a_missing_translation(qapp: QApplication) -> None:
    missed = _MissedLookups()
    qapp.installTranslator(missed)
    try:
        install_translators(qapp, "de")
        assert QCoreApplication.translate("MainWindow", "&File") == "&Datei"
        assert QCoreApplication.translate("MainWindow", "Not in the German file") == "Not in the German file"
    finally:
        remove_translators(qapp)
        qapp.removeTranslator(missed)
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    assert missed.asked >= {("MainWindow", "Not in the German file")}
    assert ("MainWindow", "&File") not in missed.asked
    assert "MainWindow" in _payapp_contexts() and "QPlatformTheme" not in _payapp_contexts()


@pytest.mark.logs_warnings("the outbox cancelled mid-session: SQLAlchemy logs the interrupted rollback, as at quit")
def test_demo_connects_its_sandboxes_at_start(demo_context: AppContext, run: Any) -> None:
    """The README says the demo has Autotask and QuickBooks connected in-process: Admin › Connections must say so
    from the start, not only after a first sync."""
    connections = demo_context.services.connections
    assert connections is not None

    async def statuses() -> tuple[bool, bool]:
        return ((await connections.autotask_status()).on_this_workstation,
                (await connections.quickbooks_status()).connected)

    assert run(statuses()) == (False, False)
    run(demo_context.start_background())
    try:
        assert run(statuses()) == (True, True)
    finally:   # stop the outbox and the payment checks it started, as closing the app does
        for task in demo_context.background:
            task.cancel()
        run(asyncio.gather(*demo_context.background, return_exceptions=True))
        demo_context.background.clear()


def test_status_bar_names_the_company_and_the_user_in_words(qtbot: QtBot, tmp_path: Any) -> None:
    """Issue #15.10: the company and "Dana Smith · Finance" (not a path and "finance"); the title names PayApp once
    (Qt appends the display name to a title that does not end with it)."""
    state = WindowState(tmp_path / "window.ini")
    window = MainWindow(tabs=[], window_state=state, database_label="SQLite · /data/acme.db", demo=False,
                        user_label="Dana Smith", company_label="acme", role="finance")
    qtbot.addWidget(window)
    assert window.database_label.text() == "acme" and window.database_label.toolTip() == "SQLite · /data/acme.db"
    assert window.user_label.text() == "Dana Smith · Finance"
    assert window.windowTitle() == "acme — PayApp"
    window.set_company("Acme Dental Group, Inc.")
    assert window.database_label.text() == "Acme Dental Group, Inc."
    assert window.windowTitle() == "Acme Dental Group, Inc. — PayApp"
    window.set_company("")                                      # unknown: what is shown stays
    assert window.windowTitle().count("PayApp") == 1
    window.set_status(database_label="PostgreSQL · db/acme", user_label="viewer1", company_label="acme",
                      role="viewer")
    assert window.user_label.text() == "viewer1 · Viewer"

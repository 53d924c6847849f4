"""The main window: tabs Admin, Invoice History, Payment Search; menus; status bar."""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QMainWindow,
    QTabWidget,
    QToolBar,
    QToolButton,
    QWidget,
)

from payapp import APP_NAME
from payapp.ui.theme import apply_palette
from payapp.ui.window_state import WindowState


def main_tab_titles() -> list[tuple[str, str]]:
    """The tabs' object names and titles, in order (spelled out so pyside6-lupdate finds the strings)."""
    return [("adminTab", QCoreApplication.translate("MainWindow", "Admin")),
            ("invoiceHistoryTab", QCoreApplication.translate("MainWindow", "Invoice History")),
            ("paymentSearchTab", QCoreApplication.translate("MainWindow", "Payment Search"))]


def role_text(role: str) -> str:
    """A role's value ("finance") as the Users page names it ("Finance"), in the user's language."""
    from payapp.domain.roles import Role

    try:
        known = Role(role)
    except ValueError:
        return role
    names = {Role.ADMIN: QCoreApplication.translate("UsersPage", "Admin"),
             Role.FINANCE: QCoreApplication.translate("UsersPage", "Finance"),
             Role.VIEWER: QCoreApplication.translate("UsersPage", "Viewer"),
             Role.PORTAL: QCoreApplication.translate("UsersPage", "Client portal")}
    return names.get(known, role)


class LoadingPage(QLabel):
    """What a tab shows between the window's first paint and the company database being open (well under
    a second on a workstation): the window appears at once instead of after every import and migration."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Centred by the text, not setAlignment(): the page is on the path to the first window, and the first use of
        # a Qt namespace enum makes PySide6 create all of them (~15 ms). A QLabel centres vertically by default.
        self.setText(f"<p align=center>{html.escape(self.tr('Opening the company database…'))}</p>")
        self.setEnabled(False)


class MainWindow(QMainWindow):
    closing = Signal()
    sign_out_requested = Signal()          # File › Sign out: gui.py signs out and shows the sign-in dialog

    def __init__(self, *, tabs: list[tuple[str, str, QWidget]], window_state: WindowState, database_label: str,
                 demo: bool, user_label: str = "", company_label: str = "", role: str = "") -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self._state = window_state
        self._demo = demo
        self._company = company_label
        self._role = role
        self._discard_confirmed = False
        # where the company's data is (a file path or server/database): shown in About, not the status bar
        self.database_location = database_label
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        self._pending: dict[str, Callable[[], QWidget]] = {}
        self.tabs.currentChanged.connect(self._current_tab_changed)
        self._build_tool_bar()
        self._build_status_bar(demo, user_label)
        self.install_tabs(tabs)
        if not self._state.restore_geometry(self, "main"):
            self.resize(1280, 800)
        last_tab = self._state.value("main/tab", 1)
        # ASCII digits only: "²".isdigit() is True and int("²") raises
        self.tabs.setCurrentIndex(int(last_tab) if str(last_tab).isascii() and str(last_tab).isdigit() else 1)

    @classmethod
    def loading(cls, window_state: WindowState, *, demo: bool) -> MainWindow:
        """The window with a LoadingPage in every tab; `install_tabs` puts the real ones in later."""
        return cls(tabs=[(name, title, LoadingPage()) for name, title in main_tab_titles()],
                   window_state=window_state, database_label="", demo=demo)

    def install_tabs(self, tabs: list[tuple[str, str, QWidget | None]],
                     later: dict[str, Callable[[], QWidget]] | None = None) -> None:
        """Put `tabs` in (replacing any loading pages), keeping the current tab; rebuild the translated texts
        (the translators may have changed since the loading pages went in). A tab given as None keeps a loading
        page until `build_pending_tabs` makes it with its factory from `later` (or the user opens it)."""
        self._pending = {}
        tabs = [(name, label, widget if widget is not None else LoadingPage()) for name, label, widget in tabs]
        current = self.tabs.currentIndex()
        while self.tabs.count():
            old = self.tabs.widget(0)
            self.tabs.removeTab(0)
            old.setObjectName("")              # deleted later; until then tab() must not find it
            shutdown = getattr(old, "shutdown", None)
            if shutdown is not None:           # its page loads and counts stop (signing out)
                shutdown()
            old.deleteLater()
        for object_name, label, widget in tabs:
            widget.setObjectName(object_name)
            self.tabs.addTab(widget, label)
        if current >= 0:
            self.tabs.setCurrentIndex(min(current, self.tabs.count() - 1))
        self._pending = dict(later or {})
        shown = self.tabs.currentWidget()
        if shown is not None and shown.objectName() in self._pending:
            self._build_tab(shown.objectName())
        self._show_title()
        self.menuBar().clear()
        self._build_menus()
        self.receive_payment_action.setText(self.tr("Receive payment"))
        self.receive_payment_action.setToolTip(self.tr("Receive a payment on the invoice selected in Invoice "
                                                       "History (Ctrl+P)"))
        self.receive_payment_action.setEnabled(self._invoice_tab() is not None)
        self.connection_label.setText(self.tr("Sandbox connectors") if self._demo else "")
        self._show_status()

    def build_pending_tabs(self) -> None:
        """Make the tabs `install_tabs` left as loading pages, one per event-loop turn (start-up: after the
        window with its current tab is painted, so the user sees it at once)."""
        if not self._pending:
            return
        self._build_tab(next(iter(self._pending)))
        if self._pending:
            from PySide6.QtCore import QTimer  # not at import: see LoadingPage

            QTimer.singleShot(0, self.build_pending_tabs)

    def _build_tab(self, name: str) -> None:
        factory = self._pending.pop(name, None)
        if factory is None:
            return
        index = next((i for i in range(self.tabs.count()) if self.tabs.widget(i).objectName() == name), -1)
        if index < 0:
            return
        old = self.tabs.widget(index)
        widget = factory()
        widget.setObjectName(name)
        visible, enabled, current = (self.tabs.isTabVisible(index), self.tabs.isTabEnabled(index),
                                     self.tabs.currentIndex() == index)
        label = self.tabs.tabText(index)
        self.tabs.blockSignals(True)
        try:
            self.tabs.removeTab(index)
            old.setObjectName("")
            old.deleteLater()
            self.tabs.insertTab(index, widget, label)
            self.tabs.setTabVisible(index, visible)
            self.tabs.setTabEnabled(index, enabled)
            if current:
                self.tabs.setCurrentIndex(index)
        finally:
            self.tabs.blockSignals(False)
        self.receive_payment_action.setEnabled(self._invoice_tab() is not None)

    def _current_tab_changed(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if widget is not None and widget.objectName() in self._pending:
            self._build_tab(widget.objectName())          # opened before its turn: made now

    def set_status(self, *, database_label: str, user_label: str, company_label: str = "", role: str = "") -> None:
        """The status bar's company and signed-in user ("Dana Smith · Finance"); `database_label` (the file or
        server) goes to About and the company's tooltip; `role` is the Role's value ("finance")."""
        self.database_location = database_label
        self._user = user_label
        self._company = company_label
        self._role = role
        self._show_status()
        self._show_title()

    def set_company(self, company_label: str) -> None:
        """The company's name once known (QuickBooks' name for it); "" keeps what is shown."""
        if company_label:
            self._company = company_label
            self._show_status()
            self._show_title()

    def company_text(self) -> str:
        """The company as the status bar and title name it: the demo is "Demo company"."""
        return self.tr("Demo company") if self._demo else self._company

    def _show_title(self) -> None:
        # The title ends with the app's name: Qt appends the application display name ("… — PayApp") to a title
        # that does not end with it, so "PayApp — …" read "PayApp — … — PayApp" (issue #15.10).
        title = self.tr("Demo company (sandbox: no real money moves)") if self._demo else self._company
        self.setWindowTitle(f"{title} — {APP_NAME}" if title else APP_NAME)

    def _show_status(self) -> None:
        self.database_label.setText(self.company_text())
        self.database_label.setToolTip(self.database_location)
        role = role_text(self._role)
        self.user_label.setText(f"{self._user} · {role}" if self._user and role else self._user)

    def apply_role(self, actor: object) -> None:
        """Hide what the signed-in role cannot use (the services refuse it anyway): the Admin tab is for
        admins only."""
        from payapp.domain.roles import Permission

        can_admin = bool(getattr(actor, "can", lambda _p: False)(Permission.ADMINISTER))
        # a Viewer takes no payments: no Receive payment button (the context menu says why it is greyed)
        self.tool_bar.setVisible(bool(getattr(actor, "can", lambda _p: False)(Permission.TAKE_PAYMENT)))
        for index in range(self.tabs.count()):
            if self.tabs.widget(index).objectName() == "adminTab":
                self.tabs.setTabVisible(index, can_admin)
                self.tabs.setTabEnabled(index, can_admin)
                if not can_admin and self.tabs.currentIndex() == index:
                    self.tabs.setCurrentIndex(1 if self.tabs.count() > 1 else 0)

    def tab(self, object_name: str) -> QWidget:
        widget = self.tabs.findChild(QWidget, object_name)
        assert widget is not None, object_name
        return widget

    def _build_tool_bar(self) -> None:
        bar = QToolBar(self)
        bar.setObjectName("mainToolBar")
        bar.setMovable(False)
        bar.setFloatable(False)
        bar.toggleViewAction().setEnabled(False)      # no way to hide the one visible way to receive a payment
        self.receive_payment_action = QAction(self.tr("Receive payment"), self)
        self.receive_payment_action.setObjectName("receivePaymentAction")
        self.receive_payment_action.setShortcuts([QKeySequence("Ctrl+P")])
        self.receive_payment_action.setEnabled(False)     # until the Invoice History tab is in
        self.receive_payment_action.triggered.connect(self.receive_payment)
        bar.addAction(self.receive_payment_action)
        button = bar.widgetForAction(self.receive_payment_action)
        if isinstance(button, QToolButton):
            button.setObjectName("receivePaymentButton")
            button.setAutoRaise(False)           # drawn as a button, not as flat text that looks like a label
        self.addToolBar(bar)
        self.tool_bar = bar

    def _invoice_tab(self) -> QWidget | None:
        widget = self.tabs.findChild(QWidget, "invoiceHistoryTab")
        return widget if widget is not None and hasattr(widget, "receive_payment") else None

    def receive_payment(self) -> object:
        """Receive payment (toolbar, Ctrl+P): pay the invoice selected in Invoice History (shown first)."""
        tab = self._invoice_tab()
        if tab is None:
            return None
        self.tabs.setCurrentWidget(tab)
        return tab.receive_payment()  # type: ignore[attr-defined]

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        quit_action = QAction(self.tr("&Quit"), self)
        # setShortcuts, not setShortcut: resolving setShortcut's overloads (one takes a Qt.Key) makes PySide6 create
        # every Qt namespace enum (~15 ms), and the menus are built before the window's first paint.
        quit_action.setShortcuts(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        self.sign_out_action = QAction(self.tr("Sign &out…"), self)
        self.sign_out_action.setObjectName("signOutAction")
        self.sign_out_action.setStatusTip(self.tr("Sign out and sign in again, as yourself or as another user"))
        self.sign_out_action.triggered.connect(self.request_sign_out)
        file_menu.addAction(self.sign_out_action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)

        view_menu = self.menuBar().addMenu(self.tr("&View"))
        for index in range(self.tabs.count()):
            action = QAction(self.tabs.tabText(index), self)
            action.setShortcuts([QKeySequence(f"Ctrl+{index + 1}")])
            action.triggered.connect(lambda _checked=False, i=index: self.tabs.setCurrentIndex(i))
            view_menu.addAction(action)
        view_menu.addSeparator()
        # the current grid's column chooser (its header's context menu, from the keyboard)
        self.columns_action = QAction(self.tr("&Columns…"), self)
        self.columns_action.setObjectName("columnsAction")
        self.columns_action.setStatusTip(self.tr("Choose the columns the current list shows"))
        self.columns_action.triggered.connect(self.choose_columns)
        view_menu.addAction(self.columns_action)
        view_menu.aboutToShow.connect(lambda: self.columns_action.setEnabled(self._column_chooser() is not None))
        view_menu.addSeparator()
        for scheme, label in (("system", self.tr("Follow system colours")), ("light", self.tr("Light")),
                              ("dark", self.tr("Dark"))):
            action = QAction(label, self)
            action.triggered.connect(lambda _checked=False, s=scheme: self._set_scheme(s))
            view_menu.addAction(action)

        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        about = QAction(self.tr("&About PayApp"), self)
        about.setObjectName("aboutAction")
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def _column_chooser(self) -> object:
        return getattr(self.tabs.currentWidget(), "columns", None)

    def choose_columns(self) -> object:
        """View › Columns…: the current tab's column chooser dialog (Invoice History, Payment Search)."""
        chooser = self._column_chooser()
        return chooser.open_dialog() if chooser is not None else None  # type: ignore[attr-defined]

    def request_sign_out(self) -> None:
        """File › Sign out: ask about unsaved Admin changes first, as quitting does; not while another window
        of this one is open (a payment on its way, say): it would close with the signed-out user's tabs."""
        open_windows = [w for w in QApplication.topLevelWidgets()
                        if w.isVisible() and isinstance(w, QDialog) and w.parentWidget() is not None]
        if open_windows:
            self.statusBar().showMessage(self.tr("Close the open windows first (%1), then sign out.")
                                         .replace("%1", ", ".join(w.windowTitle() for w in open_windows)), 8000)
            open_windows[0].activateWindow()
            return
        for index in range(self.tabs.count()):
            confirm = getattr(self.tabs.widget(index), "confirm_discard", None)
            if confirm is not None and not confirm(self.sign_out_requested.emit):
                return
        self.sign_out_requested.emit()

    def show_signed_out(self) -> None:
        """Between sign-out and the next sign-in: the loading pages, no user in the status bar; nothing of the
        last user's screens stays open."""
        self.install_tabs([(name, title, LoadingPage()) for name, title in main_tab_titles()])
        self.set_status(database_label=self.database_location, user_label="", company_label=self._company)
        widget = getattr(self, "status_widget", None)
        if widget is not None:
            if getattr(widget, "running", False):
                widget.cancel()                # a sync started by the user who signed out
            for timer in ("refresh_timer", "sync_timer"):
                t = getattr(widget, timer, None)
                if t is not None:
                    t.stop()
            self.statusBar().removeWidget(widget)
            widget.deleteLater()
            self.status_widget = None
        self.tool_bar.setVisible(True)
        self.receive_payment_action.setEnabled(False)

    def _build_status_bar(self, demo: bool, user_label: str) -> None:
        bar = self.statusBar()
        bar.setObjectName("statusBar")
        self._user = user_label
        # the company (its name; the database's location is its tooltip and in About)
        self.database_label = QLabel(self)
        self.database_label.setObjectName("databaseStatus")
        self.connection_label = QLabel(self.tr("Sandbox connectors") if demo else "", self)
        self.connection_label.setObjectName("connectionStatus")
        self.user_label = QLabel(self)
        self.user_label.setObjectName("userStatus")
        self._show_status()
        bar.addWidget(self.database_label)
        bar.addWidget(self.connection_label)
        bar.addPermanentWidget(self.user_label)

    def add_status_widget(self, widget: QWidget) -> None:
        self.statusBar().addPermanentWidget(widget)

    def _set_scheme(self, scheme: str) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_palette(app, scheme)
            self._state.set_value("ui/scheme", scheme)

    def show_about(self) -> QDialog:
        from PySide6.QtCore import Qt  # not at import: see LoadingPage

        from payapp.ui.about_dialog import AboutDialog
        from payapp.ui.widgets import return_focus_on_close

        dialog = AboutDialog(self, database=self.database_location)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        return_focus_on_close(dialog)
        dialog.open()
        return dialog

    def _close_discarding(self) -> None:
        from PySide6.QtCore import QTimer  # not at import: see LoadingPage

        self._discard_confirmed = True
        QTimer.singleShot(0, self.close)       # after the question's own event, not inside a closeEvent

    def closeEvent(self, event: QCloseEvent) -> None:
        # unsaved Admin changes: ask before quitting (issue #15.11); Discard closes the window again
        if not self._discard_confirmed:
            for index in range(self.tabs.count()):
                confirm = getattr(self.tabs.widget(index), "confirm_discard", None)
                if confirm is not None and not confirm(self._close_discarding):
                    event.ignore()
                    return
        self._state.save_geometry(self, "main")
        self._state.set_value("main/tab", self.tabs.currentIndex())
        self._state.sync()
        self.closing.emit()
        super().closeEvent(event)

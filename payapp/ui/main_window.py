"""The main window: tabs Admin, Invoice History, Payment Search; menus; status bar."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QTabWidget, QWidget

from payapp import APP_NAME
from payapp.ui.about_dialog import AboutDialog
from payapp.ui.theme import apply_palette
from payapp.ui.window_state import WindowState


class MainWindow(QMainWindow):
    closing = Signal()

    def __init__(self, *, tabs: list[tuple[str, str, QWidget]], window_state: WindowState, database_label: str,
                 demo: bool, user_label: str = "") -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self._state = window_state
        title = APP_NAME + (self.tr(" — Demo company (sandbox: no real money moves)") if demo else "")
        self.setWindowTitle(title)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        for object_name, label, widget in tabs:
            widget.setObjectName(object_name)
            self.tabs.addTab(widget, label)
        self.setCentralWidget(self.tabs)
        self._build_menus()
        self._build_status_bar(database_label, demo, user_label)
        if not self._state.restore_geometry(self, "main"):
            self.resize(1280, 800)
        last_tab = self._state.value("main/tab", 1)
        self.tabs.setCurrentIndex(int(last_tab) if str(last_tab).isdigit() else 1)

    def apply_role(self, actor: object) -> None:
        """Hide what the signed-in role cannot use (the services refuse it anyway): the Admin tab is for
        admins only."""
        from payapp.domain.roles import Permission

        can_admin = bool(getattr(actor, "can", lambda _p: False)(Permission.ADMINISTER))
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

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        quit_action = QAction(self.tr("&Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        view_menu = self.menuBar().addMenu(self.tr("&View"))
        for index in range(self.tabs.count()):
            action = QAction(self.tabs.tabText(index), self)
            action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
            action.triggered.connect(lambda _checked=False, i=index: self.tabs.setCurrentIndex(i))
            view_menu.addAction(action)
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

    def _build_status_bar(self, database_label: str, demo: bool, user_label: str) -> None:
        bar = self.statusBar()
        bar.setObjectName("statusBar")
        self.database_label = QLabel(database_label, self)
        self.database_label.setObjectName("databaseStatus")
        self.connection_label = QLabel(self.tr("Sandbox connectors") if demo else "", self)
        self.connection_label.setObjectName("connectionStatus")
        self.user_label = QLabel(user_label, self)
        self.user_label.setObjectName("userStatus")
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

    def show_about(self) -> AboutDialog:
        dialog = AboutDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def closeEvent(self, event: QCloseEvent) -> None:
        self._state.save_geometry(self, "main")
        self._state.set_value("main/tab", self.tabs.currentIndex())
        self._state.sync()
        self.closing.emit()
        super().closeEvent(event)

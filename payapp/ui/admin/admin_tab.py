"""Admin tab: a list of pages on the left, the selected page on the right. Admins only (the services refuse
everyone else too; the main window hides the tab for them)."""

from __future__ import annotations

import importlib.util

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QStackedWidget, QWidget

from payapp.domain.roles import Permission
from payapp.services.context import Services
from payapp.services.processing import ProcessingSetupService
from payapp.ui.widgets import EmptyState


def processing_service(services: Services) -> ProcessingSetupService:
    return ProcessingSetupService(services.settings, services.secrets, services.current_user, services.gateways)


def _have_connections_page() -> bool:
    return importlib.util.find_spec("payapp.ui.admin.connections_page") is not None


class AdminTab(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self.pages = QListWidget(self)
        self.pages.setObjectName("adminPages")
        self.pages.setFixedWidth(200)
        self.stack = QStackedWidget(self)
        self.stack.setObjectName("adminStack")
        self.pages.currentRowChanged.connect(self.stack.setCurrentIndex)
        layout = QHBoxLayout(self)
        layout.addWidget(self.pages)
        layout.addWidget(self.stack, 1)
        if not services.current_user.can(Permission.ADMINISTER):
            self.add_page("adminDenied", self.tr("Admin"), EmptyState(
                self.tr("The Admin tab is for admins. Ask an admin to change settings or users."), self))
        else:
            for name, title, page in self._make_pages():
                self.add_page(name, title, page)
        self.pages.setCurrentRow(0)

    def _make_pages(self) -> list[tuple[str, str, QWidget]]:
        from payapp.ui.admin.audit_page import AuditPage
        from payapp.ui.admin.processing_page import ProcessingPage
        from payapp.ui.admin.users_page import UsersPage

        s = self._services
        pages: list[tuple[str, str, QWidget]] = [
            ("paymentProcessingPage", self.tr("Payment Processing"),
             ProcessingPage(processing_service(s), locale=s.locale))]
        if s.users is not None:
            pages.append(("usersPage", self.tr("Users"), UsersPage(s.users, locale=s.locale)))
        if s.audit_log is not None:
            pages.append(("auditLogPage", self.tr("Audit Log"), AuditPage(s.audit_log, locale=s.locale)))
        if s.connections is not None and _have_connections_page():
            from payapp.ui.admin.connections_page import ConnectionsPage

            pages.append(("connectionsPage", self.tr("Connections"), ConnectionsPage(s.connections, s.settings)))
        from payapp.ui.admin.language_page import LanguagePage

        pages.append(("languagePage", self.tr("Language"), LanguagePage(s.settings)))
        return pages

    def add_page(self, object_name: str, title: str, page: QWidget) -> None:
        page.setObjectName(object_name)
        self.pages.addItem(title)
        self.stack.addWidget(page)

    def page(self, object_name: str) -> QWidget:
        for i in range(self.stack.count()):
            if self.stack.widget(i).objectName() == object_name:
                return self.stack.widget(i)
        raise KeyError(object_name)

    def show_page(self, object_name: str) -> QWidget:
        page = self.page(object_name)
        self.pages.setCurrentRow(self.stack.indexOf(page))
        return page

    async def wait_ready(self) -> None:
        ready = getattr(self.stack.currentWidget(), "wait_ready", None)
        if ready is not None:
            await ready()

    async def screenshot_states(self) -> list[tuple[str, QWidget]]:
        """Every Admin page as its own window (1100×780), and the sign-in and first-admin dialogs."""
        from payapp.ui.sign_in import SignInDialog

        shots: list[tuple[str, QWidget]] = []
        if self._services.current_user.can(Permission.ADMINISTER):
            for name, _title, page in self._make_pages():
                page.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
                page.resize(1100, 780)
                page.show()
                ready = getattr(page, "wait_ready", None)
                if ready is not None:
                    await ready()
                shots.append((f"admin-{name}", page))
            from payapp.ui.admin.users_page import AddUserDialog

            add_user = AddUserDialog(self)
            add_user.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            add_user.show()
            shots.append(("admin-addUserDialog", add_user))
        if self._services.users is not None:
            for first in (False, True):
                dialog = SignInDialog(self._services.users, first_admin=first, parent=self)
                dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
                dialog.show()
                shots.append((dialog.objectName(), dialog))
        return shots

"""Admin tab: a list of pages on the left, the selected page on the right. Admins only (the services refuse
everyone else too; the main window hides the tab for them)."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QMessageBox, QStackedWidget, QWidget

from payapp.domain.roles import Permission
from payapp.services.context import Services
from payapp.ui.widgets import EmptyState


def _have_connections_page() -> bool:
    return importlib.util.find_spec("payapp.ui.admin.connections_page") is not None


class AdminTab(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._discard_box: QMessageBox | None = None
        self._on_discard: Callable[[], None] | None = None
        self.pages = QListWidget(self)
        self.pages.setObjectName("adminPages")
        self.pages.setFixedWidth(200)
        self.stack = QStackedWidget(self)
        self.stack.setObjectName("adminStack")
        self.pages.currentRowChanged.connect(self._on_page_chosen)
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
        from payapp.ui.admin.company_page import CompanyDetailsPage
        from payapp.ui.admin.portal_page import ClientPortalPage
        from payapp.ui.admin.processing_page import ProcessingPage
        from payapp.ui.admin.users_page import UsersPage

        s = self._services
        pages: list[tuple[str, str, QWidget]] = [
            ("paymentProcessingPage", self.tr("Payment Processing"),
             ProcessingPage(s.processing, locale=s.locale)),
            ("usersPage", self.tr("Users"), UsersPage(s.users, locale=s.locale)),
            ("auditLogPage", self.tr("Audit Log"), AuditPage(s.audit_log, locale=s.locale))]
        if _have_connections_page():
            from payapp.ui.admin.connections_page import ConnectionsPage

            pages.append(("connectionsPage", self.tr("Connections"),
                          ConnectionsPage(s.connections, s.settings, qbwc_service=s.qbwc, locale=s.locale)))
        pages.append(("companyDetailsPage", self.tr("Company details"), CompanyDetailsPage(s.settings)))
        pages.append(("clientPortalPage", self.tr("Client Portal"), ClientPortalPage(s.settings, s.processing,
                                                                                   mail=s.mail,
                                                                                   invoice_mail=s.invoice_mail,
                                                                                   access=s.portal_access)))
        from payapp.ui.admin.language_page import LanguagePage

        pages.append(("languagePage", self.tr("Language"), LanguagePage(s.settings)))
        return pages

    def _on_page_chosen(self, row: int) -> None:
        """Leaving a page with unsaved changes asks first (issue #15.11): the list stays on the page until the
        user chooses Discard. The question is a window-modal box answered later (`open`, not `exec`): a nested
        event loop would stall the asyncio work in progress."""
        current = self.stack.currentIndex()
        if row == current or row < 0:
            return

        def leave() -> None:
            self.stack.setCurrentIndex(row)
            self._select_row(row)

        self._select_row(current)                 # until the user has chosen (Discard may come at once)
        if self.confirm_discard(leave, self.stack.currentWidget()):
            leave()

    def _select_row(self, row: int) -> None:
        self.pages.blockSignals(True)
        self.pages.setCurrentRow(row)
        self.pages.blockSignals(False)

    def unsaved_pages(self) -> list[QWidget]:
        """The pages with changes Save has not stored yet."""
        pages = [self.stack.widget(i) for i in range(self.stack.count())]
        return [p for p in pages if bool(getattr(p, "has_unsaved_changes", lambda: False)())]

    def confirm_discard(self, on_discard: Callable[[], None], page: QWidget | None = None) -> bool:
        """True when nothing on `page` (every page when None) is unsaved: go on. Otherwise False, and the user is
        asked; `on_discard` runs if they let the changes go."""
        unsaved = self.unsaved_pages()
        pending = unsaved if page is None else [page] if page in unsaved else []
        if not pending:
            return True
        titles = ", ".join(self.pages.item(self.stack.indexOf(p)).text() for p in pending)
        self.ask_discard(self.tr("%1 has changes that are not saved. Leave without saving them?")
                         .replace("%1", titles), on_discard)
        return False

    def ask_discard(self, text: str, on_discard: Callable[[], None]) -> None:
        """Discard (runs `on_discard`) or Cancel (the default, and Esc). One box, made once and kept (a box
        deleted on close while its click is still being handled is a crash waiting to happen). Tests replace this
        method."""
        if self._discard_box is None:
            box = QMessageBox(QMessageBox.Icon.Question, self.tr("Unsaved changes"), "",
                              QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel, self)
            box.setObjectName("unsavedChangesBox")
            box.setDefaultButton(QMessageBox.StandardButton.Cancel)
            box.setEscapeButton(QMessageBox.StandardButton.Cancel)
            box.finished.connect(self._discard_answered)
            self._discard_box = box
        self._on_discard = on_discard
        self._discard_box.setText(text)
        self._discard_box.open()

    def _discard_answered(self, result: int) -> None:
        action, self._on_discard = self._on_discard, None
        if action is not None and result == QMessageBox.StandardButton.Discard.value:
            action()

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

    async def _field_error_states(self) -> list[tuple[str, QWidget]]:
        """Company details and Client Portal with messages next to their fields (nothing is saved)."""
        from payapp.ui.admin.company_page import CompanyDetailsPage
        from payapp.ui.admin.portal_page import ClientPortalPage

        company = CompanyDetailsPage(self._services.settings)
        portal = ClientPortalPage(self._services.settings, self._services.processing,
                                  access=self._services.portal_access)
        for page in (company, portal):
            page.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            page.resize(1280, 720)
            page.show()
            await page.wait_ready()
        company.email_edit.setText("billing at example")
        company.phone_edit.setText("call 555-0142")
        company.logo_error.setText(QCoreApplication.translate("CompanyDetailsPage",
                                                              "That file is not a PNG image. Choose a .png file."))
        company.logo_error.show()
        portal.enabled_box.setChecked(True)
        portal.url_edit.setText("http://pay.example.com")
        return [("admin-companyDetailsPage-errors", company), ("admin-clientPortalPage-errors", portal)]

    async def screenshot_states(self) -> list[tuple[str, QWidget]]:
        """Every Admin page as its own window (1100×780), and the sign-in and first-admin dialogs."""
        from payapp.ui.sign_in import SignInDialog

        shots: list[tuple[str, QWidget]] = []
        if self._services.current_user.can(Permission.ADMINISTER):
            for name, _title, page in self._make_pages():
                page.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
                # the client-facing pages as a laptop shows them (1280×720)
                page.resize(*((1280, 720) if name in ("companyDetailsPage", "clientPortalPage") else (1100, 780)))
                page.show()
                ready = getattr(page, "wait_ready", None)
                if ready is not None:
                    await ready()
                shots.append((f"admin-{name}", page))
            shots.extend(await self._field_error_states())
            from payapp.ui.admin.users_page import AddUserDialog

            add_user = AddUserDialog(self)
            add_user.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            add_user.show()
            shots.append(("admin-addUserDialog", add_user))
        for first in (False, True):
            dialog = SignInDialog(self._services.users, first_admin=first, parent=self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.show()
            shots.append((dialog.objectName(), dialog))
        return shots

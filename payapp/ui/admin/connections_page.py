"""Admin → Connections: Autotask (API user, secret, integration code) and QuickBooks Online (client id and
secret, Connect through the system browser). Secrets are typed into masked fields and go straight to the
keyring through ConnectionsService; a saved secret is never read back: the row shows "Configured ·
fingerprint …" and a Replace button.

QuickBooks Desktop (the Web Connector's user, password, .qwc file, last session): payapp/ui/admin/qbwc_box.py.

QuickBooks Connect: with production keys the admin registers one https redirect page in the Intuit app (the
address is shown here with a Copy button); after signing in with the system browser the admin pastes the address
the browser landed on (or the code) into "Paste the address", and PayApp checks `state` and exchanges the code.
With development keys (no https page saved) a one-shot loopback server on `http://localhost:<fixed port>`
receives Intuit's redirect. In demo mode the sandbox approves without a browser.

Refunds to QuickBooks need the bank account the money is paid from: "Load bank accounts" reads them from the
connected company and the choice is saved at once."""

from __future__ import annotations

import asyncio
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from payapp.domain.errors import PayAppError
from payapp.services.oauth_loopback import LoopbackReceiver
from payapp.services.secrets import Secret
from payapp.ui.async_work import WidgetTasks, widget_slot
from payapp.ui.messages import message_text, user_text
from payapp.ui.widgets import Banner, MaskedLineEdit, ask, confirm_box, replacing_editor

OK_COLOUR, ERROR_COLOUR = "#2e9d4f", "#d9534f"
CONNECT_TIMEOUT = 300.0


class SecretRow(QWidget):
    """A masked field, or — once saved — "Configured · fingerprint …" with Replace."""

    def __init__(self, base: str, name: str, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stack = QStackedWidget(self)
        self.edit = MaskedLineEdit(self)
        self.edit.setObjectName(f"{base}Edit")
        self.edit.setPlaceholderText(placeholder)
        # The form's label is the buddy of this row, not of the edit inside it, so the edit is named here.
        self.edit.setAccessibleName(name)
        self.edit.setMinimumWidth(300)
        configured = QWidget(self)
        row = QHBoxLayout(configured)
        row.setContentsMargins(0, 0, 0, 0)
        self.status = QLabel(configured)
        self.status.setObjectName(f"{base}Status")
        self.replace = QPushButton(self.tr("Replace"), configured)
        self.replace.setObjectName(f"{base}Replace")
        self.replace.setAccessibleName(self.tr("Replace %1").replace("%1", name))
        self.replace.clicked.connect(self.start_replace)
        row.addWidget(self.status, 1)
        row.addWidget(self.replace)
        # While a saved key is being replaced: Cancel (or Esc in the field) puts the saved one back on screen
        editing, self.cancel = replacing_editor(self, self.edit, base, self.tr("Cancel"),
                                                self.tr("Keep the saved key (Esc)"), self.cancel_replace)
        self.stack.addWidget(editing)
        self.stack.addWidget(configured)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self._replacing = False
        self._show(0)

    def show_state(self, fingerprint: str, here: bool) -> None:
        self.edit.clear()
        if fingerprint and not self._replacing:
            text = self.tr("Configured · fingerprint {fp}…").format(fp=fingerprint[:8])
            if not here:
                text = self.tr("Configured · fingerprint {fp}… — not on this workstation").format(fp=fingerprint[:8])
            self.status.setText(text)
            self._show(1)
        else:
            self._show(0)

    def _show(self, page: int) -> None:
        """Show the edit (0) or the configured state (1); the row's label then focuses what is shown."""
        self.stack.setCurrentIndex(page)
        self.setFocusProxy(self.edit if page == 0 else self.replace)

    def start_replace(self) -> None:
        self._replacing = True
        self.cancel.show()
        self._show(0)
        self.edit.setFocus()

    def cancel_replace(self) -> None:
        """Back to the saved key, the typed text dropped (Cancel, or Esc while replacing)."""
        if not self._replacing:
            return
        self._replacing = False
        self.edit.clear()
        self.cancel.hide()
        self._show(1)
        self.replace.setFocus()

    def done(self) -> None:
        self._replacing = False
        self.cancel.hide()
        self.edit.clear()

    def typed(self) -> Secret | None:
        text = self.edit.text()
        return Secret(text) if text.strip() else None


class _Result(QLabel):
    def show_result(self, ok: bool, message: str) -> None:
        self.setText(("✔ " if ok else "✖ ") + message)
        self.setStyleSheet(f"color: {OK_COLOUR if ok else ERROR_COLOUR};")


class ConnectionsPage(QWidget):
    def __init__(self, connections_service: Any, settings_service: Any, parent: QWidget | None = None, *,
                 qbwc_service: Any = None, locale: str = "en_US") -> None:
        super().__init__(parent)
        self._service = connections_service
        self._settings = settings_service
        self.work = WidgetTasks(self, load=self.reload)
        self.banner = Banner(self, "connectionsBanner")
        title = QLabel(self.tr("Connections"), self)
        title.setObjectName("pageTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)

        # Autotask
        at_box = QGroupBox(self.tr("Autotask (invoices, companies, contacts)"), self)
        at_form = QFormLayout(at_box)
        self.at_user = QLineEdit(at_box)
        self.at_user.setObjectName("autotaskUserEdit")
        self.at_user.setPlaceholderText(self.tr("API user (an e-mail address)"))
        self.at_secret = SecretRow("autotaskSecret", self.tr("Autotask secret"), self.tr("The API user's secret"),
                                   at_box)
        self.at_code = SecretRow("autotaskCode", self.tr("Integration code"),
                                 self.tr("API tracking identifier (integration code)"), at_box)
        self.at_address = QLineEdit(at_box)
        self.at_address.setObjectName("autotaskAddress")
        self.at_save = QPushButton(self.tr("Save"), at_box)
        self.at_save.setObjectName("autotaskSave")
        self.at_test = QPushButton(self.tr("Test connection"), at_box)
        self.at_test.setObjectName("autotaskTest")
        self.at_clear = QPushButton(self.tr("Clear"), at_box)
        self.at_clear.setObjectName("autotaskClear")
        self.at_result = _Result(at_box)
        self.at_result.setObjectName("autotaskResult")
        self.at_result.setWordWrap(True)
        buttons = QHBoxLayout()
        for b in (self.at_save, self.at_test, self.at_clear):
            buttons.addWidget(b)
        buttons.addStretch(1)
        at_form.addRow(self.tr("API user:"), self.at_user)
        at_form.addRow(self.tr("Secret:"), self.at_secret)
        at_form.addRow(self.tr("Integration code:"), self.at_code)
        at_form.addRow(self.tr("Address:"), self.at_address)
        at_form.addRow(buttons)
        at_form.addRow(self.at_result)

        # QuickBooks
        qb_box = QGroupBox(self.tr("QuickBooks Online (accounting)"), self)
        qb_form = QFormLayout(qb_box)
        self.qb_client = QLineEdit(qb_box)
        self.qb_client.setObjectName("quickbooksClientIdEdit")
        self.qb_client.setPlaceholderText(self.tr("Client id from the Intuit developer portal"))
        self.qb_secret = SecretRow("quickbooksSecret", self.tr("QuickBooks client secret"), self.tr("Client secret"),
                                   qb_box)
        self.qb_state = QLabel(qb_box)
        self.qb_state.setObjectName("quickbooksState")
        self.qb_state.setWordWrap(True)
        self.qb_state.setTextFormat(Qt.TextFormat.PlainText)     # a company name is text, never markup
        self.qb_save = QPushButton(self.tr("Save"), qb_box)
        self.qb_save.setObjectName("quickbooksSave")
        self.qb_connect = QPushButton(self.tr("Connect QuickBooks"), qb_box)
        self.qb_connect.setObjectName("quickbooksConnect")
        self.qb_test = QPushButton(self.tr("Test connection"), qb_box)
        self.qb_test.setObjectName("quickbooksTest")
        self.qb_disconnect = QPushButton(self.tr("Disconnect"), qb_box)
        self.qb_disconnect.setObjectName("quickbooksDisconnect")
        self.qb_result = _Result(qb_box)
        self.qb_result.setObjectName("quickbooksResult")
        self.qb_result.setWordWrap(True)
        self.qb_redirect = QLineEdit(qb_box)
        self.qb_redirect.setObjectName("quickbooksRedirectEdit")
        self.qb_redirect.setPlaceholderText(self.tr("https page registered in your Intuit app (empty = development "
                                                    "keys)"))
        self.qb_redirect_copy = QPushButton(self.tr("Copy"), qb_box)
        self.qb_redirect_copy.setObjectName("quickbooksRedirectCopy")
        self.qb_redirect_hint = QLabel(qb_box)
        self.qb_redirect_hint.setObjectName("quickbooksRedirectHint")
        self.qb_redirect_hint.setWordWrap(True)
        redirect_row = QHBoxLayout()
        redirect_row.addWidget(self.qb_redirect, 1)
        redirect_row.addWidget(self.qb_redirect_copy)
        self.qb_paste = QLineEdit(qb_box)
        self.qb_paste.setObjectName("quickbooksPasteEdit")
        self.qb_paste.setPlaceholderText(self.tr("After signing in: paste the address your browser shows (or the "
                                                 "code)"))
        self.qb_paste_done = QPushButton(self.tr("Finish connecting"), qb_box)
        self.qb_paste_done.setObjectName("quickbooksPasteDone")
        paste_row = QHBoxLayout()
        paste_row.addWidget(self.qb_paste, 1)
        paste_row.addWidget(self.qb_paste_done)
        self.qb_paste_box = QWidget(qb_box)
        self.qb_paste_box.setLayout(paste_row)
        paste_row.setContentsMargins(0, 0, 0, 0)
        self.qb_refund_account = QComboBox(qb_box)
        self.qb_refund_account.setObjectName("quickbooksRefundAccount")
        self.qb_load_accounts = QPushButton(self.tr("Load bank accounts"), qb_box)
        self.qb_load_accounts.setObjectName("quickbooksLoadAccounts")
        account_row = QHBoxLayout()
        account_row.addWidget(self.qb_refund_account, 1)
        account_row.addWidget(self.qb_load_accounts)
        qb_buttons = QHBoxLayout()
        for b in (self.qb_save, self.qb_connect, self.qb_test, self.qb_disconnect):
            qb_buttons.addWidget(b)
        qb_buttons.addStretch(1)
        qb_form.addRow(self.tr("Client id:"), self.qb_client)
        qb_form.addRow(self.tr("Client secret:"), self.qb_secret)
        qb_form.addRow(self.tr("Redirect URI:"), redirect_row)
        qb_form.addRow(self.qb_redirect_hint)
        qb_form.addRow(self.tr("Status:"), self.qb_state)
        qb_form.addRow(qb_buttons)
        qb_form.addRow(self.qb_paste_box)
        qb_form.addRow(self.tr("Refunds paid from:"), account_row)
        qb_form.addRow(self.qb_result)

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(title)
        layout.addWidget(at_box)
        layout.addWidget(qb_box)
        self.qbd_box: Any = None
        if qbwc_service is not None:
            from payapp.ui.admin.qbwc_box import QuickBooksDesktopBox

            self.qbd_box = QuickBooksDesktopBox(qbwc_service, self.banner, locale=locale, parent=self)
            layout.addWidget(self.qbd_box)
        layout.addStretch(1)

        self.at_save.clicked.connect(self._on_save_autotask)
        self.at_test.clicked.connect(self._on_test_autotask)
        self.at_clear.clicked.connect(self._on_clear_autotask)
        self.qb_save.clicked.connect(self._on_save_quickbooks)
        self.qb_connect.clicked.connect(self._on_connect_quickbooks)
        self.qb_test.clicked.connect(self._on_test_quickbooks)
        self.qb_disconnect.clicked.connect(self._on_disconnect_quickbooks)
        self.qb_redirect_copy.clicked.connect(self._on_copy_redirect)
        self.qb_paste_done.clicked.connect(self._on_paste_done)
        self.qb_paste.returnPressed.connect(self._on_paste_done)
        self.qb_load_accounts.clicked.connect(self._on_load_accounts)
        self.qb_refund_account.activated.connect(self._on_refund_account_chosen)
        self._redirect_uri = ""

    # -- loading ------------------------------------------------------------------------------------

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.work.first_show()

    def refresh(self) -> None:
        self.work.reload()

    async def wait_ready(self) -> None:
        await self.work.wait_loaded()

    async def reload(self) -> None:
        try:
            at = await self._service.autotask_status()
            qb = await self._service.quickbooks_status()
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
            return
        # what Save would change is measured against these (has_unsaved_changes)
        self._saved_fields = (at.api_user, at.base_url, qb.client_id, qb.redirect_uri)
        self.at_user.setText(at.api_user)
        self.at_address.setText(at.base_url)
        self.at_secret.show_state(at.secret_fingerprint, at.on_this_workstation)
        self.at_code.show_state(at.code_fingerprint, at.on_this_workstation)
        self.at_clear.setEnabled(bool(at.secret_fingerprint))
        self.qb_client.setText(qb.client_id)
        self.qb_secret.show_state(qb.client_secret_fingerprint, bool(qb.client_secret_fingerprint))
        self.qb_state.setStyleSheet("")
        self.qb_state.setToolTip("")
        if qb.connected and qb.problem:
            self.qb_state.setText("✖ " + message_text(qb.problem))
            self.qb_state.setStyleSheet(f"color: {ERROR_COLOUR};")
        elif qb.connected and qb.on_this_workstation:
            if qb.company_name:
                self.qb_state.setText(self.tr("Connected to {company}").format(company=qb.company_name))
                self.qb_state.setToolTip(self.tr("QuickBooks company (realm) id: {realm}").format(realm=qb.realm_id))
            else:
                self.qb_state.setText(self.tr("Connected to company {realm}").format(realm=qb.realm_id))
        elif qb.connected:
            self.qb_state.setText(self.tr("Connected on another workstation: click Connect QuickBooks to sign in "
                                          "here too."))
        else:
            self.qb_state.setText(self.tr("Not connected"))
        self.qb_disconnect.setEnabled(qb.connected)
        self.qb_redirect.setText(qb.redirect_uri)
        self._redirect_uri = qb.effective_redirect_uri
        if qb.redirect_uri:
            self.qb_redirect_hint.setText(self.tr("Register exactly this address as a redirect URI of your Intuit "
                                                  "app. After signing in, paste the address your browser lands on "
                                                  "below."))
        else:
            self.qb_redirect_hint.setText(self.tr("Development keys: register {uri} as a redirect URI of your "
                                                  "Intuit app. Production keys need an https page: enter it above.")
                                          .format(uri=qb.effective_redirect_uri))
        self.qb_paste_box.setVisible(bool(qb.redirect_uri))
        if not self.qb_refund_account.count() or self.qb_refund_account.currentData() != qb.refund_account_id:
            self.qb_refund_account.clear()
            if qb.refund_account_id:
                self.qb_refund_account.addItem(qb.refund_account_name or qb.refund_account_id, qb.refund_account_id)
            else:
                self.qb_refund_account.addItem(self.tr("Not chosen: refunds wait until you choose"), "")

    def has_unsaved_changes(self) -> bool:
        """Typed secrets or changed fields that neither Save has stored (issue #15.11)."""
        if self.qbd_box is not None and self.qbd_box.has_unsaved_changes():
            return True
        saved = getattr(self, "_saved_fields", None)
        if saved is None:
            return False
        if any(row.edit.text() for row in (self.at_secret, self.at_code, self.qb_secret)):
            return True
        shown = (self.at_user.text().strip(), self.at_address.text().strip(), self.qb_client.text().strip(),
                 self.qb_redirect.text().strip())
        return shown != tuple(str(v).strip() for v in saved)

    def _busy(self, busy: bool) -> None:
        for b in (self.at_save, self.at_test, self.at_clear, self.qb_save, self.qb_connect, self.qb_test,
                  self.qb_disconnect, self.qb_paste_done, self.qb_load_accounts):
            b.setEnabled(not busy)

    # -- Autotask -----------------------------------------------------------------------------------

    @widget_slot
    async def _on_save_autotask(self) -> None:
        self._busy(True)
        try:
            await self._service.save_autotask(api_user=self.at_user.text(), secret=self.at_secret.typed(),
                                              integration_code=self.at_code.typed(),
                                              base_url=self.at_address.text().strip() or None)
            self.at_secret.done()
            self.at_code.done()
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
        else:
            self.banner.show_success(self.tr("Autotask settings saved"))
        finally:
            self._busy(False)
            await self.reload()

    @widget_slot
    async def _on_test_autotask(self) -> None:
        self._busy(True)
        self.at_result.setText(self.tr("Asking Autotask…"))
        try:
            ok, found = await self._service.test_autotask()
            text = message_text(found)
        except PayAppError as exc:
            ok, text = False, user_text(exc)
        finally:
            self._busy(False)
        self.at_result.show_result(ok, text)

    @widget_slot
    async def _on_clear_autotask(self) -> None:
        box = confirm_box(self, self.tr("Clear Autotask"), self.tr("Remove the Autotask secret and integration code?"),
                          self.tr("Clear"), informative=self.tr("Syncing stops until they are entered again."))
        if await ask(box) != QMessageBox.StandardButton.Yes:
            return
        try:
            await self._service.clear_autotask()
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
        else:
            self.banner.show_success(self.tr("Autotask credentials cleared"))
        await self.reload()

    # -- QuickBooks ---------------------------------------------------------------------------------

    @widget_slot
    async def _on_save_quickbooks(self) -> None:
        self._busy(True)
        try:
            await self._service.save_quickbooks_app(client_id=self.qb_client.text(),
                                                    client_secret=self.qb_secret.typed(),
                                                    redirect_uri=self.qb_redirect.text())
            self.qb_secret.done()
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
        else:
            self.banner.show_success(self.tr("QuickBooks app settings saved"))
        finally:
            self._busy(False)
            await self.reload()

    @widget_slot
    async def _on_connect_quickbooks(self) -> None:
        self._busy(True)
        try:
            if getattr(self._service, "demo", False):
                await self._service.connect_demo()
            elif (await self._service.quickbooks_status()).redirect_uri:
                await self._open_sign_in()
                return          # connected once the admin pastes the address the browser lands on
            else:
                await self._connect_with_browser()
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
        except TimeoutError:
            self.banner.show_error(self.tr("QuickBooks did not answer within five minutes: click Connect "
                                           "QuickBooks to try again."))
        except _PortBusy as exc:
            self.banner.show_error(self.tr("PayApp cannot receive the QuickBooks sign-in on {uri}: another program "
                                           "uses that port. Close it and try again.").format(uri=exc.uri))
        else:
            self.banner.show_success(self.tr("QuickBooks connected"))
        finally:
            if shiboken6.isValid(self):
                self._busy(False)
                await self.reload()

    async def _open_sign_in(self) -> None:
        """Production keys: open Intuit's sign-in; the browser lands on the registered https page."""
        url, _state = await self._service.start_authorization()
        self.qb_paste_box.setVisible(True)
        self.qb_paste.clear()
        self.banner.show_info(self.tr("Sign in to QuickBooks in your browser, then paste the address it lands on "
                                      "below and click Finish connecting."))
        QDesktopServices.openUrl(QUrl(url))
        self.qb_paste.setFocus()

    @widget_slot
    async def _on_paste_done(self) -> None:
        self._busy(True)
        try:
            await self._service.complete_pasted(self.qb_paste.text())
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
        else:
            self.qb_paste.clear()
            self.banner.show_success(self.tr("QuickBooks connected"))
        finally:
            if shiboken6.isValid(self):
                self._busy(False)
                await self.reload()

    def _on_copy_redirect(self) -> None:
        uri = self.qb_redirect.text().strip() or self._redirect_uri
        QGuiApplication.clipboard().setText(uri)
        self.banner.show_success(self.tr("Redirect URI copied"))

    @widget_slot
    async def _on_load_accounts(self) -> None:
        self._busy(True)
        try:
            accounts = await self._service.quickbooks_bank_accounts()
            status = await self._service.quickbooks_status()
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
            return
        finally:
            if shiboken6.isValid(self):        # also reached when the page is destroyed mid-call (cancelled)
                self._busy(False)
        self.qb_refund_account.clear()
        if not accounts:
            self.qb_refund_account.addItem(self.tr("QuickBooks has no bank account: add one there first"), "")
            return
        if not status.refund_account_id:
            self.qb_refund_account.addItem(self.tr("Choose the bank account refunds are paid from"), "")
        for ident, name in accounts:
            self.qb_refund_account.addItem(name, ident)
        index = self.qb_refund_account.findData(status.refund_account_id)
        self.qb_refund_account.setCurrentIndex(max(0, index))

    @widget_slot
    async def _on_refund_account_chosen(self, index: int) -> None:
        ident = self.qb_refund_account.itemData(index)
        if not ident:
            return
        try:
            await self._service.set_refund_account(str(ident), self.qb_refund_account.itemText(index))
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
        else:
            self.banner.show_success(self.tr("Refunds are paid from {account}").format(
                account=self.qb_refund_account.itemText(index)))

    async def _connect_with_browser(self) -> None:
        """Development keys: the redirect comes back to the loopback server on the fixed localhost port."""
        redirect = (await self._service.quickbooks_status()).effective_redirect_uri
        receiver = LoopbackReceiver()
        try:
            await receiver.start(redirect)
        except OSError as exc:
            await receiver.close()
            raise _PortBusy(redirect) from exc
        try:
            url, _state = await self._service.start_authorization(redirect)
            self.qb_state.setText(self.tr("Waiting for you to sign in to QuickBooks in your browser…"))
            QDesktopServices.openUrl(QUrl(url))
            params = await asyncio.wait_for(receiver.result, CONNECT_TIMEOUT)
        finally:
            await receiver.close()
        # A refusal (error=access_denied …) carries no code: the service says so at once, instead of the
        # page waiting five minutes for a redirect that will not come again.
        await self._service.complete_authorization(params.get("code", ""), params.get("state", ""),
                                                   params.get("realmId", ""))

    @widget_slot
    async def _on_test_quickbooks(self) -> None:
        self._busy(True)
        self.qb_result.setText(self.tr("Asking QuickBooks…"))
        try:
            ok, found = await self._service.test_quickbooks()
            text = message_text(found)
        except PayAppError as exc:
            ok, text = False, user_text(exc)
        finally:
            self._busy(False)
        self.qb_result.show_result(ok, text)
        await self.reload()                  # the status line follows what the test found

    @widget_slot
    async def _on_disconnect_quickbooks(self) -> None:
        box = confirm_box(self, self.tr("Disconnect QuickBooks"), self.tr("Disconnect QuickBooks?"),
                          self.tr("Disconnect"),
                          informative=self.tr("Payments wait in the outbox until QuickBooks is connected again."))
        if await ask(box) != QMessageBox.StandardButton.Yes:
            return
        try:
            await self._service.disconnect_quickbooks()
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
        else:
            self.banner.show_success(self.tr("QuickBooks disconnected"))
        await self.reload()


class _PortBusy(Exception):
    def __init__(self, uri: str) -> None:
        super().__init__(uri)
        self.uri = uri

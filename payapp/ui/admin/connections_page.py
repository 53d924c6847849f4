"""Admin → Connections: Autotask (API user, secret, integration code) and QuickBooks Online (client id and
secret, Connect through the system browser). Secrets are typed into masked fields and go straight to the
keyring through ConnectionsService; a saved secret is never read back: the row shows "Configured ·
fingerprint …" and a Replace button.

QuickBooks Connect: a one-shot loopback HTTP server on 127.0.0.1 (random port) receives Intuit's redirect
(`code`, `state`, `realmId`) after the user signs in with the system browser; in demo mode the sandbox
approves without a browser."""

from __future__ import annotations

import asyncio
import contextlib
import urllib.parse
from typing import Any

import shiboken6
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
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
from qasync import asyncSlot

from payapp.domain.errors import PayAppError
from payapp.services.secrets import Secret
from payapp.ui.messages import translate_message, user_text
from payapp.ui.widgets import Banner, MaskedLineEdit, ask, confirm_box

OK_COLOUR, ERROR_COLOUR = "#2e9d4f", "#d9534f"
CONNECT_TIMEOUT = 300.0
CALLBACK_PATH = "/callback"


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
        self.stack.addWidget(self.edit)
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
        self._show(0)
        self.edit.setFocus()

    def done(self) -> None:
        self._replacing = False
        self.edit.clear()

    def typed(self) -> Secret | None:
        text = self.edit.text()
        return Secret(text) if text.strip() else None


class _Result(QLabel):
    def show_result(self, ok: bool, message: str) -> None:
        self.setText(("✔ " if ok else "✖ ") + message)
        self.setStyleSheet(f"color: {OK_COLOUR if ok else ERROR_COLOUR};")


class ConnectionsPage(QWidget):
    def __init__(self, connections_service: Any, settings_service: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = connections_service
        self._settings = settings_service
        self._loaded = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
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
        qb_buttons = QHBoxLayout()
        for b in (self.qb_save, self.qb_connect, self.qb_test, self.qb_disconnect):
            qb_buttons.addWidget(b)
        qb_buttons.addStretch(1)
        qb_form.addRow(self.tr("Client id:"), self.qb_client)
        qb_form.addRow(self.tr("Client secret:"), self.qb_secret)
        qb_form.addRow(self.tr("Status:"), self.qb_state)
        qb_form.addRow(qb_buttons)
        qb_form.addRow(self.qb_result)

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(title)
        layout.addWidget(at_box)
        layout.addWidget(qb_box)
        layout.addStretch(1)

        self.at_save.clicked.connect(self._on_save_autotask)
        self.at_test.clicked.connect(self._on_test_autotask)
        self.at_clear.clicked.connect(self._on_clear_autotask)
        self.qb_save.clicked.connect(self._on_save_quickbooks)
        self.qb_connect.clicked.connect(self._on_connect_quickbooks)
        self.qb_test.clicked.connect(self._on_test_quickbooks)
        self.qb_disconnect.clicked.connect(self._on_disconnect_quickbooks)

    # -- loading ------------------------------------------------------------------------------------

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if not self._loaded.is_set() and not self._tasks:
            self.refresh()

    def refresh(self) -> None:
        task = asyncio.ensure_future(self.reload())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def wait_ready(self) -> None:
        if not self._loaded.is_set() and not self._tasks:
            self.refresh()
        await self._loaded.wait()

    async def reload(self) -> None:
        try:
            at = await self._service.autotask_status()
            qb = await self._service.quickbooks_status()
        except PayAppError as exc:
            if shiboken6.isValid(self):
                self.banner.show_error(user_text(exc))
            self._loaded.set()
            return
        if not shiboken6.isValid(self):
            return
        self.at_user.setText(at.api_user)
        self.at_address.setText(at.base_url)
        self.at_secret.show_state(at.secret_fingerprint, at.on_this_workstation)
        self.at_code.show_state(at.code_fingerprint, at.on_this_workstation)
        self.at_clear.setEnabled(bool(at.secret_fingerprint))
        self.qb_client.setText(qb.client_id)
        self.qb_secret.show_state(qb.client_secret_fingerprint, bool(qb.client_secret_fingerprint))
        self.qb_state.setStyleSheet("")
        if qb.connected and qb.problem:
            self.qb_state.setText("✖ " + translate_message(qb.problem))
            self.qb_state.setStyleSheet(f"color: {ERROR_COLOUR};")
        elif qb.connected and qb.on_this_workstation:
            self.qb_state.setText(self.tr("Connected to company {realm}").format(realm=qb.realm_id))
        elif qb.connected:
            self.qb_state.setText(self.tr("Connected on another workstation: click Connect QuickBooks to sign in "
                                          "here too."))
        else:
            self.qb_state.setText(self.tr("Not connected"))
        self.qb_disconnect.setEnabled(qb.connected)
        self._loaded.set()

    def _busy(self, busy: bool) -> None:
        for b in (self.at_save, self.at_test, self.at_clear, self.qb_save, self.qb_connect, self.qb_test,
                  self.qb_disconnect):
            b.setEnabled(not busy)

    # -- Autotask -----------------------------------------------------------------------------------

    @asyncSlot()
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

    @asyncSlot()
    async def _on_test_autotask(self) -> None:
        self._busy(True)
        self.at_result.setText(self.tr("Asking Autotask…"))
        try:
            ok, message = await self._service.test_autotask()
        except PayAppError as exc:
            ok, message = False, exc.user_message      # translated below, with the service's answers
        finally:
            self._busy(False)
        self.at_result.show_result(ok, translate_message(message))

    @asyncSlot()
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

    @asyncSlot()
    async def _on_save_quickbooks(self) -> None:
        self._busy(True)
        try:
            await self._service.save_quickbooks_app(client_id=self.qb_client.text(),
                                                    client_secret=self.qb_secret.typed())
            self.qb_secret.done()
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
        else:
            self.banner.show_success(self.tr("QuickBooks app settings saved"))
        finally:
            self._busy(False)
            await self.reload()

    @asyncSlot()
    async def _on_connect_quickbooks(self) -> None:
        self._busy(True)
        try:
            if getattr(self._service, "demo", False):
                await self._service.connect_demo()
            else:
                await self._connect_with_browser()
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
        except TimeoutError:
            self.banner.show_error(self.tr("QuickBooks did not answer within five minutes: click Connect "
                                           "QuickBooks to try again."))
        else:
            self.banner.show_success(self.tr("QuickBooks connected"))
        finally:
            if shiboken6.isValid(self):
                self._busy(False)
                await self.reload()

    async def _connect_with_browser(self) -> None:
        receiver = LoopbackReceiver()
        redirect = await receiver.start()
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

    @asyncSlot()
    async def _on_test_quickbooks(self) -> None:
        self._busy(True)
        self.qb_result.setText(self.tr("Asking QuickBooks…"))
        try:
            ok, message = await self._service.test_quickbooks()
        except PayAppError as exc:
            ok, message = False, exc.user_message      # translated below, with the service's answers
        finally:
            self._busy(False)
        self.qb_result.show_result(ok, translate_message(message))
        await self.reload()                  # the status line follows what the test found

    @asyncSlot()
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


class LoopbackReceiver:
    """A one-shot HTTP server on 127.0.0.1 (random port) for the OAuth redirect (RFC 8252 §7.3). `result` gets
    the redirect's query: `code`, `state`, `realmId` — or `error` (the user cancelled or Intuit refused).
    Other requests (a browser's /favicon.ico) are answered and ignored."""

    def __init__(self) -> None:
        self.result: asyncio.Future[dict[str, str]] = asyncio.get_running_loop().create_future()
        self._server: asyncio.base_events.Server | None = None

    async def start(self) -> str:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}{CALLBACK_PATH}"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = (await asyncio.wait_for(reader.readline(), 10)).decode("latin-1")
            target = line.split(" ")[1] if line.count(" ") >= 2 else "/"
            parts = urllib.parse.urlsplit(target)
            query = dict(urllib.parse.parse_qsl(parts.query))
            ok = "code" in query
            redirect = parts.path == CALLBACK_PATH and ("code" in query or "error" in query)
            body = ("PayApp received the QuickBooks sign-in. You can close this tab and go back to PayApp." if ok
                    else "PayApp did not receive an authorisation. Go back to PayApp and try again.").encode()
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n"
                         + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
            await writer.drain()
            if redirect and not self.result.done():
                self.result.set_result(query)
        except (TimeoutError, ConnectionError, IndexError):
            pass
        finally:
            writer.close()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()

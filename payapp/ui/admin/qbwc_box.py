"""Admin › Connections › QuickBooks Desktop: which accounting system the outbox posts to (QuickBooks Online or
QuickBooks Desktop through Intuit's Web Connector), the Web Connector's user name and password (a masked field;
the password goes to the keyring and is never shown again), the address it calls, its schedule, the `.qwc` file
that registers PayApp in the Web Connector (fresh OwnerID/FileID each time), the last Web Connector session and
the queue waiting for the next one; and whether this app itself answers the Web Connector on http://localhost
(QuickBooks on the same computer). Everything goes through QbwcService."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from payapp.domain.errors import PayAppError
from payapp.domain.outbox_jobs import ACCOUNTING_DESKTOP, ACCOUNTING_ONLINE
from payapp.services.secrets import Secret
from payapp.ui.async_work import WidgetTasks, widget_slot
from payapp.ui.i18n import format_moment
from payapp.ui.messages import stored_message_text, user_text
from payapp.ui.widgets import Banner, MaskedLineEdit


class QuickBooksDesktopBox(QGroupBox):
    """The QuickBooks Desktop group of the Connections page; `banner` is the page's."""

    def __init__(self, qbwc_service: Any, banner: Banner, *, locale: str = "en_US",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("QuickBooks Desktop (through the Web Connector)"))
        self.setObjectName("quickbooksDesktopBox")
        self._service = qbwc_service
        self._banner = banner
        self._locale = locale
        self.work = WidgetTasks(self, load=self.reload)
        self._dialog: QFileDialog | None = None

        self.connector = QComboBox(self)
        self.connector.setObjectName("accountingConnector")
        self.connector.setAccessibleName(self.tr("Accounting system"))
        self.connector.addItem(self.tr("QuickBooks Online"), ACCOUNTING_ONLINE)
        self.connector.addItem(self.tr("QuickBooks Desktop (Web Connector)"), ACCOUNTING_DESKTOP)
        self.user_name = QLineEdit(self)
        self.user_name.setObjectName("qbwcUserName")
        self.user_name.setAccessibleName(self.tr("Web Connector user name"))
        self.user_name.setMaxLength(100)
        self.password = MaskedLineEdit(self)
        self.password.setObjectName("qbwcPassword")
        self.password.setAccessibleName(self.tr("Web Connector password"))
        self.password.setPlaceholderText(self.tr("Type a new password to set or replace it"))
        self.password_state = QLabel(self)
        self.password_state.setObjectName("qbwcPasswordState")
        self.app_url = QLineEdit(self)
        self.app_url.setObjectName("qbwcAppUrl")
        self.app_url.setAccessibleName(self.tr("Address the Web Connector calls"))
        self.app_url.setPlaceholderText(self.tr("https://payapp.example.com/qbwc, or http://localhost:8471/qbwc"))
        self.schedule = QSpinBox(self)
        self.schedule.setObjectName("qbwcSchedule")
        self.schedule.setAccessibleName(self.tr("Run every N minutes"))
        self.schedule.setRange(1, 1440)
        self.schedule.setSuffix(self.tr(" min"))
        self.serve_locally = QCheckBox(self.tr("Answer the Web Connector from this app (QuickBooks runs on this "
                                               "computer)"), self)
        self.serve_locally.setObjectName("qbwcServeLocally")
        self.local_port = QSpinBox(self)
        self.local_port.setObjectName("qbwcLocalPort")
        self.local_port.setAccessibleName(self.tr("Port on localhost"))
        self.local_port.setRange(1024, 65535)
        self.save = QPushButton(self.tr("Save"), self)
        self.save.setObjectName("qbwcSave")
        self.save_qwc = QPushButton(self.tr("Save .qwc file…"), self)
        self.save_qwc.setObjectName("qbwcSaveQwc")
        self.save_qwc.setToolTip(self.tr("Open this file in the Web Connector (Add an application) on the computer "
                                         "that runs QuickBooks Desktop"))
        self.last_session = QLabel(self)
        self.last_session.setObjectName("qbwcLastSession")
        self.last_session.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.last_session.setWordWrap(True)
        self.queue = QLabel(self)
        self.queue.setObjectName("qbwcQueue")

        buttons = QHBoxLayout()
        buttons.addWidget(self.save)
        buttons.addWidget(self.save_qwc)
        buttons.addStretch(1)
        form = QFormLayout(self)
        form.addRow(self.tr("Accounting system:"), self.connector)
        form.addRow(self.tr("User name:"), self.user_name)
        form.addRow(self.tr("Password:"), self.password)
        form.addRow("", self.password_state)
        form.addRow(self.tr("Service address:"), self.app_url)
        form.addRow(self.tr("Schedule:"), self.schedule)
        local = QHBoxLayout()
        local.addWidget(self.serve_locally, 1)
        local.addWidget(QLabel(self.tr("Port:"), self))
        local.addWidget(self.local_port)
        form.addRow(local)
        form.addRow(buttons)
        form.addRow(self.tr("Last session:"), self.last_session)
        form.addRow(self.tr("Waiting:"), self.queue)

        self.save.clicked.connect(self._on_save)
        self.save_qwc.clicked.connect(self._choose_qwc_file)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.work.first_show()

    async def reload(self) -> None:
        try:
            setup = await self._service.setup()
            session = await self._service.last_session()
            waiting = await self._service.queue_length()
        except PayAppError as exc:
            self._banner.show_error(user_text(exc))
            return
        self.connector.setCurrentIndex(max(0, self.connector.findData(setup.connector)))
        self.user_name.setText(setup.user_name)
        self.app_url.setText(setup.app_url)
        self.schedule.setValue(setup.run_every_minutes)
        self.serve_locally.setChecked(setup.serve_locally)
        self.local_port.setValue(setup.local_port)
        self.password_state.setText(self.tr("A password is set (it is never shown)") if setup.password_set
                                    else self.tr("No password yet: the Web Connector cannot sign in"))
        if session is None:
            self.last_session.setText(self.tr("The Web Connector has not called yet"))
        else:
            text = self.tr("{when}: {requests} request(s), {errors} error(s)").format(
                when=format_moment(session.started_at, self._locale), requests=session.requests,
                errors=session.errors)
            if session.errors and session.last_error:
                text += "\n" + self.tr("Last error: {message}").format(message=stored_message_text(session.last_error))
            self.last_session.setText(text)
        self.queue.setText(self.tr("%n update(s) wait for the next Web Connector session.", "", waiting))

    def has_unsaved_changes(self) -> bool:
        return bool(self.password.text())

    @widget_slot
    async def _on_save(self) -> None:
        self.save.setEnabled(False)
        typed = self.password.text()
        try:
            await self._service.save_setup(connector=str(self.connector.currentData()),
                                           user_name=self.user_name.text(), app_url=self.app_url.text(),
                                           run_every_minutes=self.schedule.value(),
                                           password=Secret(typed) if typed else None,
                                           serve_locally=self.serve_locally.isChecked(),
                                           local_port=self.local_port.value())
        except PayAppError as exc:
            self._banner.show_error(user_text(exc))
        else:
            self.password.clear()
            self._banner.show_success(self.tr("QuickBooks Desktop settings saved"))
        finally:
            self.save.setEnabled(True)
            await self.reload()

    def _choose_qwc_file(self) -> None:
        dialog = QFileDialog(self, self.tr("Save the Web Connector file"))
        dialog.setObjectName("qbwcQwcDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter(self.tr("Web Connector files (*.qwc)"))
        dialog.setDefaultSuffix("qwc")
        dialog.selectFile("PayApp.qwc")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda path: self.save_qwc_to(Path(path)))
        self._dialog = dialog
        dialog.open()

    @widget_slot
    async def save_qwc_to(self, path: Path) -> None:
        """Write a fresh .qwc (new OwnerID and FileID, saved) to `path`."""
        self.save_qwc.setEnabled(False)
        try:
            text = await self._service.generate_qwc()
            await asyncio.to_thread(path.write_text, text, "utf-8")
        except PayAppError as exc:
            self._banner.show_error(user_text(exc))
        except OSError as exc:
            self._banner.show_error(self.tr("The file could not be saved: {reason}").format(reason=str(exc)))
        else:
            self._banner.show_success(self.tr("Saved {path}: open it in the Web Connector").format(path=str(path)))
        finally:
            self.save_qwc.setEnabled(True)

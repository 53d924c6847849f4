"""Payment Search › E-mail receipt…: the payment's receipt (the PDF of services/receipts.py) to the payer.

The address is filled in with the payer's (the contact who paid, else where the invoice's payment link was last
e-mailed, else the company's first contact with an address) and can be changed; the result, on failure the mail
server's reason, is shown in the dialog's banner. The service audits the send."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from payapp.domain.errors import PayAppError
from payapp.services.invoice_mail import InvoiceMailService
from payapp.services.mail_templates import language_of
from payapp.ui.async_work import WidgetTasks, widget_slot
from payapp.ui.messages import user_text
from payapp.ui.widgets import Banner


class ReceiptMailDialog(QDialog):
    """Opened with `open()`; `sent` is emitted once the server accepted the e-mail."""

    sent = Signal(str)

    def __init__(self, invoice_mail: InvoiceMailService, payment_id: int, title: str, *, language: str = "en",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("receiptMailDialog")
        self.setWindowTitle(self.tr("E-mail receipt — %1").replace("%1", title))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setMinimumWidth(520)
        self._service = invoice_mail
        self._payment_id = payment_id
        self.work = WidgetTasks(self, load=self.reload)

        self.banner = Banner(self, "receiptMailBanner")
        self.to_edit = QLineEdit(self)
        self.to_edit.setObjectName("receiptMailTo")
        self.to_edit.setAccessibleName(self.tr("Send the receipt to"))
        self.to_edit.setPlaceholderText("name@example.com")
        self.to_edit.setMaxLength(254)
        self.language_combo = QComboBox(self)
        self.language_combo.setObjectName("receiptMailLanguage")
        self.language_combo.setAccessibleName(self.tr("Language of the receipt"))
        self.language_combo.addItem(self.tr("English"), "en")
        self.language_combo.addItem(self.tr("German"), "de")
        self.language_combo.setCurrentIndex(max(self.language_combo.findData(language_of(language)), 0))
        form = QFormLayout()
        form.addRow(self.tr("To:"), self.to_edit)
        form.addRow(self.tr("Language:"), self.language_combo)
        self.send_button = QPushButton(self.tr("Send"), self)
        self.send_button.setObjectName("receiptMailSend")
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(self._on_send)
        self.close_button = QPushButton(self.tr("Close"), self)
        self.close_button.setObjectName("receiptMailClose")
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addLayout(buttons)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.work.first_show()

    async def wait_ready(self) -> None:
        await self.work.wait_loaded()

    async def reload(self) -> None:
        try:
            to = await self._service.receipt_recipient(self._payment_id)
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
            return
        if not self.to_edit.text():
            self.to_edit.setText(to)

    @widget_slot
    async def _on_send(self) -> None:
        await self.send()

    async def send(self) -> bool:
        to = self.to_edit.text().strip()
        self.send_button.setEnabled(False)
        self.banner.show_info(self.tr("Sending the receipt to %1…").replace("%1", to))
        try:
            await self._service.send_receipt(self._payment_id, to, str(self.language_combo.currentData()))
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
            self.send_button.setEnabled(True)
            return False
        self.banner.show_success(self.tr("The receipt was e-mailed to %1.").replace("%1", to))
        self.send_button.setEnabled(True)
        self.sent.emit(to)
        return True

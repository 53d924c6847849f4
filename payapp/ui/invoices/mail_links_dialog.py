"""Invoice History › E-mail payment link…: one e-mail per selected invoice, each with a new payment link.

The template (invoice, reminder, credit note) and its language are chosen once; each invoice's recipient comes
from its company's contacts (or is typed). The preview shows the selected invoice's e-mail with its real values
(and a stand-in for the link, which is made only when the e-mail is sent), or the placeholders that stop it. Send
goes through the invoices one after another with a progress bar; Cancel stops after the e-mail on its way (an
SMTP conversation is never cut in the middle, so an e-mail is either sent and audited or not sent). Failures are
listed with the server's reason; Retry sends those again. Every send is audited by the service."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from payapp.domain.errors import PayAppError
from payapp.services.invoice_mail import InvoiceMailService, MailPreview, MailTarget
from payapp.services.mail_templates import TemplateError, TemplateProblem, language_of
from payapp.ui.async_work import WidgetTasks, widget_slot
from payapp.ui.messages import user_text
from payapp.ui.widgets import HINT_STYLE, Banner

COL_INVOICE, COL_COMPANY, COL_RECIPIENT, COL_STATUS = range(4)


@dataclass
class _Row:
    target: MailTarget
    status: str = "ready"           # ready | sending | sent | failed | cancelled
    reason: str = ""


class EmailLinksDialog(QDialog):
    """Opened with `open()`; `finished_sending` is emitted after each run (tests wait on it)."""

    finished_sending = Signal()

    def __init__(self, invoice_mail: InvoiceMailService, invoice_ids: list[int], *, language: str = "en",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emailLinksDialog")
        self.setWindowTitle(self.tr("E-mail payment link"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(900, 640)
        self._service = invoice_mail
        self._invoice_ids = list(invoice_ids)
        self.rows: list[_Row] = []
        self.work = WidgetTasks(self, load=self.reload)
        self.sending = False
        self.cancel_requested = False
        self._preview_task: asyncio.Task[Any] | None = None

        self.banner = Banner(self, "emailLinksBanner")
        self.template_combo = QComboBox(self)
        self.template_combo.setObjectName("mailTemplateCombo")
        self.template_combo.setAccessibleName(self.tr("Template"))
        self.template_combo.addItem(self.tr("Invoice"), "invoice")
        self.template_combo.addItem(self.tr("Reminder"), "reminder")
        self.template_combo.addItem(self.tr("Credit note"), "credit_note")
        self.language_combo = QComboBox(self)
        self.language_combo.setObjectName("mailLanguageCombo")
        self.language_combo.setAccessibleName(self.tr("Language of the e-mail"))
        self.language_combo.addItem(self.tr("English"), "en")
        self.language_combo.addItem(self.tr("German"), "de")
        self.language_combo.setCurrentIndex(max(self.language_combo.findData(language_of(language)), 0))
        choose = QFormLayout()
        choose.addRow(self.tr("Template:"), self.template_combo)
        choose.addRow(self.tr("Language:"), self.language_combo)

        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("mailRecipientsTable")
        self.table.setAccessibleName(self.tr("Invoices and recipients"))
        self.table.setHorizontalHeaderLabels([self.tr("Invoice"), self.tr("Company"), self.tr("Recipient"),
                                              self.tr("Status")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_RECIPIENT, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(COL_STATUS, 130)
        self.table.setColumnWidth(COL_INVOICE, 110)
        self.table.setColumnWidth(COL_COMPANY, 200)
        self.table.currentCellChanged.connect(lambda *_a: self.refresh_preview())

        self.problems_label = QLabel(self)
        self.problems_label.setObjectName("mailProblemsLabel")
        self.problems_label.setWordWrap(True)
        self.problems_label.hide()
        self.subject_label = QLabel(self)
        self.subject_label.setObjectName("mailPreviewSubject")
        self.subject_label.setWordWrap(True)
        self.subject_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.preview_text = QPlainTextEdit(self)
        self.preview_text.setObjectName("mailPreviewText")
        self.preview_text.setReadOnly(True)
        self.preview_text.setAccessibleName(self.tr("Preview of the e-mail"))
        link_hint = QLabel(self.tr("Each e-mail gets a new payment link when it is sent (“…” in the preview)."),
                           self)
        link_hint.setWordWrap(True)
        link_hint.setStyleSheet(HINT_STYLE)

        self.progress = QProgressBar(self)
        self.progress.setObjectName("mailProgress")
        self.progress.setAccessibleName(self.tr("Sending progress"))
        self.progress.setFormat(self.tr("%v of %m sent"))
        self.progress.hide()
        self.failures = QListWidget(self)
        self.failures.setObjectName("mailFailuresList")
        self.failures.setAccessibleName(self.tr("E-mails that were not sent"))
        self.failures.setMaximumHeight(110)
        self.failures.hide()

        self.send_button = QPushButton(self.tr("Send"), self)
        self.send_button.setObjectName("mailSendButton")
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(self._on_send)
        self.retry_button = QPushButton(self.tr("Retry failed"), self)
        self.retry_button.setObjectName("mailRetryButton")
        self.retry_button.setToolTip(self.tr("Send the e-mails that failed again"))
        self.retry_button.clicked.connect(self._on_retry)
        self.retry_button.hide()
        self.cancel_button = QPushButton(self.tr("Close"), self)
        self.cancel_button.setObjectName("mailCancelButton")
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.progress, 1)
        buttons.addStretch(0)
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.cancel_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(choose)
        layout.addWidget(self.table, 2)
        layout.addWidget(QLabel(self.tr("Preview:"), self))
        layout.addWidget(self.problems_label)
        layout.addWidget(self.subject_label)
        layout.addWidget(self.preview_text, 3)
        layout.addWidget(link_hint)
        layout.addWidget(self.failures)
        layout.addLayout(buttons)
        self.template_combo.currentIndexChanged.connect(lambda _i: self.refresh_preview())
        self.language_combo.currentIndexChanged.connect(lambda _i: self.refresh_preview())
        self.send_button.setEnabled(False)

    # -- loading --------------------------------------------------------------------------------------
    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.work.first_show()

    async def wait_ready(self) -> None:
        await self.work.wait_loaded()
        if self._preview_task is not None:
            await asyncio.gather(self._preview_task, return_exceptions=True)

    async def reload(self) -> None:
        try:
            targets = await self._service.targets(self._invoice_ids)
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
            return
        self.rows = [_Row(t) for t in targets]
        self.table.setRowCount(len(self.rows))
        for i, row in enumerate(self.rows):
            self.table.setItem(i, COL_INVOICE, QTableWidgetItem(row.target.invoice_number))
            self.table.setItem(i, COL_COMPANY, QTableWidgetItem(row.target.company_name))
            combo = QComboBox(self.table)
            combo.setObjectName(f"mailRecipient_{i}")
            combo.setEditable(True)
            combo.setAccessibleName(self.tr("Recipient of invoice %1").replace("%1", row.target.invoice_number))
            for recipient in row.target.recipients:
                combo.addItem(recipient.email, recipient.email)
                combo.setItemData(combo.count() - 1, recipient.name, Qt.ItemDataRole.ToolTipRole)
            if not row.target.recipients:
                combo.setPlaceholderText(self.tr("no contact with an e-mail address: type one"))
                combo.setEditText("")
            combo.currentTextChanged.connect(lambda _t, i=i: self._recipient_changed(i))
            self.table.setCellWidget(i, COL_RECIPIENT, combo)
            self.table.setItem(i, COL_STATUS, QTableWidgetItem())
            self._show_status(i)
        if self.rows:
            self.table.setCurrentCell(0, COL_INVOICE)
        self.send_button.setEnabled(bool(self.rows))
        self.setWindowTitle(self.tr("E-mail payment link") if len(self.rows) == 1
                            else self.tr("E-mail payment links (%1 invoices)").replace("%1", str(len(self.rows))))
        self.refresh_preview()

    # -- the fields -----------------------------------------------------------------------------------
    def kind(self) -> str:
        return str(self.template_combo.currentData())

    def language(self) -> str:
        return str(self.language_combo.currentData())

    def recipient(self, i: int) -> str:
        combo = self.table.cellWidget(i, COL_RECIPIENT)
        return combo.currentText().strip() if isinstance(combo, QComboBox) else ""

    def recipient_combo(self, i: int) -> QComboBox:
        combo = self.table.cellWidget(i, COL_RECIPIENT)
        assert isinstance(combo, QComboBox)
        return combo

    def _recipient_changed(self, i: int) -> None:
        if i == self.table.currentRow():
            self.refresh_preview()

    def status_text(self, i: int) -> str:
        item = self.table.item(i, COL_STATUS)
        return item.text() if item is not None else ""

    def _show_status(self, i: int) -> None:
        row = self.rows[i]
        text = {"ready": "", "sending": self.tr("Sending…"), "sent": self.tr("Sent"),
                "failed": self.tr("Not sent"), "cancelled": self.tr("Cancelled")}[row.status]
        item = self.table.item(i, COL_STATUS)
        if item is not None:
            item.setText(text)
            item.setToolTip(row.reason)

    def problem_words(self, problems: tuple[TemplateProblem, ...]) -> str:
        unknown = ", ".join(f"[{p.placeholder}]" for p in problems if p.problem == "unknown")
        missing = ", ".join(f"[{p.placeholder}]" for p in problems if p.problem == "missing")
        parts = []
        if unknown:
            parts.append(self.tr("the template has placeholders it does not know: %1").replace("%1", unknown))
        if missing:
            parts.append(self.tr("no value for %1 on this invoice").replace("%1", missing))
        return "; ".join(parts)

    # -- the preview ----------------------------------------------------------------------------------
    def refresh_preview(self) -> None:
        i = self.table.currentRow()
        if not 0 <= i < len(self.rows):
            return
        if self._preview_task is not None and not self._preview_task.done():
            self._preview_task.cancel()
        self._preview_task = self.work.spawn(self._preview(i))

    async def _preview(self, i: int) -> None:
        row = self.rows[i]
        try:
            preview = await self._service.preview(row.target.invoice_id, self.kind(), self.language(),
                                                  self.recipient(i))
        except PayAppError as exc:
            self.show_preview(None, user_text(exc))
            return
        self.show_preview(preview, "")

    def show_preview(self, preview: MailPreview | None, error: str) -> None:
        problem = error or (self.problem_words(preview.problems) if preview is not None else "")
        self.problems_label.setText(f"⚠ {problem}" if problem else "")
        self.problems_label.setVisible(bool(problem))
        self.subject_label.setText(self.tr("Subject: %1").replace("%1", preview.subject) if preview else "")
        self.preview_text.setPlainText(preview.text if preview is not None else "")

    # -- sending --------------------------------------------------------------------------------------
    @widget_slot
    async def _on_send(self) -> None:
        await self.send([i for i, r in enumerate(self.rows) if r.status != "sent"])

    @widget_slot
    async def _on_retry(self) -> None:
        await self.retry()

    async def retry(self) -> None:
        await self.send([i for i, r in enumerate(self.rows) if r.status in ("failed", "cancelled")])

    async def send(self, indexes: list[int]) -> None:
        """Send to the rows `indexes`, one after another; stops before the next one when Cancel was pressed."""
        if self.sending or not indexes:
            return
        self.sending, self.cancel_requested = True, False
        self.banner.clear()
        self.send_button.setEnabled(False)
        self.retry_button.hide()
        self.template_combo.setEnabled(False)
        self.language_combo.setEnabled(False)
        self.cancel_button.setText(self.tr("Cancel"))
        self.cancel_button.setToolTip(self.tr("Stop after the e-mail being sent now"))
        self.progress.setRange(0, len(indexes))
        self.progress.setValue(0)
        self.progress.show()
        kind, language = self.kind(), self.language()
        try:
            for done, i in enumerate(indexes):
                if self.cancel_requested:
                    for rest in indexes[done:]:
                        self.rows[rest].status, self.rows[rest].reason = "cancelled", ""
                        self._show_status(rest)
                    break
                row = self.rows[i]
                row.status, row.reason = "sending", ""
                self._show_status(i)
                self.recipient_combo(i).setEnabled(False)
                try:
                    await self._service.send_payment_link(row.target.invoice_id, kind, language, self.recipient(i))
                except TemplateError as exc:
                    row.status, row.reason = "failed", self.problem_words(exc.problems) or user_text(exc)
                except PayAppError as exc:
                    row.status, row.reason = "failed", user_text(exc)
                else:
                    row.status = "sent"
                self.recipient_combo(i).setEnabled(row.status != "sent")
                self._show_status(i)
                self.progress.setValue(sum(1 for j in indexes if self.rows[j].status == "sent"))
        finally:
            self.sending = False
            self.template_combo.setEnabled(True)
            self.language_combo.setEnabled(True)
            self.cancel_button.setText(self.tr("Close"))
            self.cancel_button.setToolTip("")
            self.cancel_button.setEnabled(True)
            self._after_sending()
            self.finished_sending.emit()

    def _after_sending(self) -> None:
        sent = sum(1 for r in self.rows if r.status == "sent")
        failed = [r for r in self.rows if r.status == "failed"]
        cancelled = sum(1 for r in self.rows if r.status == "cancelled")
        self.failures.clear()
        for r in failed:
            self.failures.addItem(self.tr("%1 to %2: %3").replace("%1", r.target.invoice_number)
                                  .replace("%2", self.recipient(self.rows.index(r)) or "—").replace("%3", r.reason))
        self.failures.setVisible(bool(failed))
        self.retry_button.setVisible(bool(failed) or bool(cancelled))
        self.send_button.setEnabled(any(r.status != "sent" for r in self.rows))
        summary = self.tr("%1 of %2 e-mails sent.").replace("%1", str(sent)).replace("%2", str(len(self.rows)))
        if failed or cancelled:
            self.banner.show_error(summary + " " + (self.tr("The ones not sent are listed below; correct them and "
                                                            "retry.") if failed else self.tr("Cancelled.")))
        else:
            self.banner.show_success(summary)

    def reject(self) -> None:
        """Cancel while sending stops after the current e-mail (the dialog stays open to show what happened);
        otherwise it closes."""
        if self.sending:
            self.cancel_requested = True
            self.cancel_button.setEnabled(False)
            self.banner.show_info(self.tr("Stopping after the e-mail being sent now…"))
            return
        super().reject()

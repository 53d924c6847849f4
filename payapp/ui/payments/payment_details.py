"""Payment details, the void/refund dialog, pending refund approvals, and the receipt to print or save (the one
receipt of services/receipts.py)."""

from __future__ import annotations

import base64
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QUrl, Signal
from PySide6.QtGui import QImage, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from payapp.domain.card_checks import avs_message, cvv_message
from payapp.domain.errors import ValidationError
from payapp.domain.money import format_money, parse_amount
from payapp.domain.outbox_jobs import kind_label
from payapp.services.payment_search import AchAuthorizationInfo, PaymentDetails, SepaMandateInfo
from payapp.services.receipts import Receipt, ReceiptService, render_receipt_html
from payapp.services.refund_approvals import ApprovalView
from payapp.ui.audit_labels import action_label, details_text
from payapp.ui.i18n import fill, format_day
from payapp.ui.messages import any_text, message_text, stored_message_text, user_text
from payapp.ui.payments.payment_model import (
    SOURCE_LABELS,
    format_when,
    method_label,
    status_label,
    sync_label,
    tr,
)
from payapp.ui.widgets import Banner, EmptyState


def _table(headers: list[str], rows: list[list[str]], parent: QWidget, name: str,
           right: tuple[int, ...] = ()) -> QTableWidget:
    t = QTableWidget(len(rows), len(headers), parent)
    t.setObjectName(name)
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().hide()
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setWordWrap(False)
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            item = QTableWidgetItem(value)
            item.setToolTip(value)
            if c in right:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            t.setItem(r, c, item)
    t.resizeColumnsToContents()
    t.horizontalHeader().setStretchLastSection(True)
    t.setTabKeyNavigation(False)             # Tab goes to the next control, not cell by cell
    return t


class PaymentDetailsDialog(QDialog):
    """Everything about one payment. Actions are requested by signal; the tab performs them."""

    action_requested = Signal(str)     # "refund" | "retry_sync" | "receipt_pdf" | "receipt_print"

    def __init__(self, details: PaymentDetails, locale: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paymentDetailsDialog")
        self.details = details
        r = details.row
        self.setWindowTitle(self.tr("Payment %1").replace("%1", r.transaction_id or r.order_id))
        self.banner = Banner(self, "detailsBanner")

        def money(minor: int) -> str:
            return format_money(minor, r.currency, locale)

        summary = QFormLayout()
        summary.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        f = details.fields

        def add(label: str, value: str, name: str = "") -> None:
            w = QLabel(value or "—", self)
            w.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if name:
                w.setObjectName(name)
            summary.addRow(label, w)

        add(self.tr("Status"), status_label(r.status, r.method), "detailsStatus")
        add(self.tr("Company"), r.company_name)
        add(self.tr("Invoice"), r.invoice_number)
        add(self.tr("Method"), method_label(r.method, r.brand, r.last_four, r.account_type)
            + (" · " + self.tr("expires %1").replace("%1", f"{f['expiry'][:2]}/{f['expiry'][2:]}")
               if f.get("expiry") else ""))
        add(self.tr("Sale amount"), money(r.amount_minor), "detailsAmount")
        add(self.tr("Applied to invoice"), money(r.applied_minor))
        add(self.tr("Refunded"), money(r.refunded_minor))
        add(self.tr("Can still be refunded"), money(r.refundable_minor), "detailsRemaining")
        add(self.tr("Date"), format_when(r.created_at, locale))
        add(self.tr("Taken by"), r.created_by_name)
        add(self.tr("Source"), tr(SOURCE_LABELS.get(r.source, r.source)))
        add(self.tr("Transaction ID"), r.transaction_id)
        add(self.tr("Order ID"), r.order_id)
        add(self.tr("Gateway"), str(f.get("gateway", "")))
        consent = details.ach_authorization
        if consent is not None:
            add(self.tr("ACH authorization"), ach_summary(consent, locale), "detailsAchAuthorization")
        mandate = details.sepa_mandate
        if mandate is not None:
            add(self.tr("SEPA mandate"), " · ".join((mandate.mandate_reference, mandate.authorized_by,
                                                     format_when(mandate.authorized_at, locale))),
                "detailsSepaMandate")

        gateway = QFormLayout()
        said = stored_message_text(details.response_text)      # the gateway's words, or PayApp's when it said none
        gateway.addRow(self.tr("Response"), QLabel(f"{details.response_code} · {said}", self))
        gateway.addRow(self.tr("Authorization code"), QLabel(details.auth_code or "—", self))
        if r.method == "card":              # the codes in plain words (NMI's AVS and CVV tables)
            for label, code, words, name in ((self.tr("AVS result"), details.avs_result, avs_message, "detailsAvs"),
                                             (self.tr("CVV result"), details.cvv_result, cvv_message, "detailsCvv")):
                w = QLabel(f"{code} · {message_text(words(code))}" if code else message_text(words(code)),
                           self)
                w.setObjectName(name)
                w.setWordWrap(True)
                gateway.addRow(label, w)
        else:
            gateway.addRow(self.tr("AVS result"), QLabel(details.avs_result or "—", self))
            gateway.addRow(self.tr("CVV result"), QLabel(details.cvv_result or "—", self))
        gateway_box = QGroupBox(self.tr("Gateway answer"), self)
        gateway_box.setLayout(gateway)

        sync = QFormLayout()
        sync.addRow(self.tr("Accounting"), QLabel(sync_label(r.accounting_sync_state), self))
        sync.addRow(self.tr("PSA"), QLabel(sync_label(r.psa_sync_state), self))
        if details.sync_error:
            err = QLabel(stored_message_text(details.sync_error), self)
            err.setWordWrap(True)
            sync.addRow(self.tr("Last error"), err)
        sync_box = QGroupBox(self.tr("Sync"), self)
        sync_box.setLayout(sync)

        top = QHBoxLayout()
        top.addLayout(summary, 3)
        side = QVBoxLayout()
        side.addWidget(gateway_box)
        side.addWidget(sync_box)
        side.addStretch(1)
        top.addLayout(side, 2)

        tabs = QTabWidget(self)
        tabs.setObjectName("detailsTabs")
        from payapp.ui.style import style_tab_bar  # QProxyStyle loads slowly: not before the first paint

        style_tab_bar(tabs)
        tabs.addTab(_table([self.tr("When"), self.tr("Amount"), self.tr("Event")],
                           [[format_when(e.at, locale), money(e.amount_minor) if e.amount_minor is not None else "",
                             message_text(e.text)] for e in details.timeline],
                           self, "timelineTable", right=(1,)), self.tr("Timeline"))
        tabs.addTab(_table([self.tr("Kind"), self.tr("Amount"), self.tr("Status"), self.tr("Transaction ID"),
                            self.tr("Reason"), self.tr("Gateway said")],
                           [[self.tr("Void") if x.kind == "void" else self.tr("Refund"), money(x.amount_minor),
                             status_label(x.status), x.transaction_id, stored_message_text(x.reason),
                             stored_message_text(x.response_text)]
                            for x in details.refunds],
                           self, "refundsTable", right=(1,)), self.tr("Voids and refunds"))
        tabs.addTab(_table([self.tr("Job"), self.tr("Status"), self.tr("Attempts"), self.tr("Last error")],
                           [[any_text(kind_label(j.kind)), self._job_status(j.status),
                             str(j.attempts), stored_message_text(j.last_error)] for j in details.sync_jobs],
                           self, "syncJobsTable", right=(2,)), self.tr("Sync jobs"))
        tabs.addTab(_table([self.tr("When"), self.tr("User"), self.tr("Action"), self.tr("Details")],
                           [[format_when(a.occurred_at, locale), a.user_name or a.username, action_label(a.action),
                             details_text(a.details, locale, details.row.currency)] for a in details.audit],
                           self, "auditTable"), self.tr("Audit"))
        if consent is not None:
            tabs.addTab(self._authorization_page(consent, locale), self.tr("ACH authorization"))
        if mandate is not None:
            tabs.addTab(self._mandate_page(mandate, locale), self.tr("SEPA mandate"))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.refund_button = buttons.addButton(
            self.tr("Void…") if details.can_void else self.tr("Refund…"), QDialogButtonBox.ButtonRole.ActionRole)
        self.refund_button.setObjectName("detailsRefundButton")
        self.refund_button.setVisible(details.can_void or details.can_refund)
        self.retry_button = buttons.addButton(self.tr("Retry sync"), QDialogButtonBox.ButtonRole.ActionRole)
        self.retry_button.setObjectName("detailsRetryButton")
        self.retry_button.setVisible(details.can_retry_sync)
        pdf = buttons.addButton(self.tr("Save receipt as PDF…"), QDialogButtonBox.ButtonRole.ActionRole)
        pdf.setObjectName("detailsReceiptPdfButton")
        pdf.setVisible(r.status not in ("declined", "error", "pending", "unknown"))
        self.refund_button.clicked.connect(lambda: self.action_requested.emit("refund"))
        self.retry_button.clicked.connect(lambda: self.action_requested.emit("retry_sync"))
        pdf.clicked.connect(lambda: self.action_requested.emit("receipt_pdf"))
        printing = buttons.addButton(self.tr("Print receipt…"), QDialogButtonBox.ButtonRole.ActionRole)
        printing.setObjectName("detailsReceiptPrintButton")
        printing.setVisible(pdf.isVisibleTo(self))
        printing.clicked.connect(lambda: self.action_requested.emit("receipt_print"))
        buttons.rejected.connect(self.reject)

        if r.approved_late:
            self.banner.show_message("warning", self.tr("Approved after it was marked failed.") + " "
                                     + stored_message_text(r.attention))
        elif r.attention:
            self.banner.show_message("warning", self.tr("Needs attention:") + " " + stored_message_text(r.attention))
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(top)
        layout.addWidget(tabs, 1)
        layout.addWidget(buttons)
        self.resize(900, 640)

    def _authorization_page(self, consent: AchAuthorizationInfo, locale: str) -> QWidget:
        """What the customer agreed to, as kept (NACHA: two years after the debit)."""
        return self._kept_page("achAuthorizationPage", (
                (self.tr("Type"), sec_code_label(consent.sec_code), "achSecCode"),
                (self.tr("Authorized by"), consent.authorized_by, "achAuthorizedBy"),
                (self.tr("When"), format_when(consent.authorized_at, locale), "achAuthorizedAt"),
                (self.tr("Wording version"), consent.wording_version, "achWordingVersion"),
                (self.tr("Wording fingerprint (SHA-256)"), consent.wording_hash, "achWordingHash"),
                (self.tr("Kept until"), format_when(consent.retain_until, locale), "achRetainUntil"),
                (self.tr("Wording"), consent.wording_text, "achWordingText")))

    def _mandate_page(self, mandate: SepaMandateInfo, locale: str) -> QWidget:
        """What the debtor agreed to, as kept: the mandate reference and date, the wording (never the IBAN)."""
        return self._kept_page("sepaMandatePage", (
                (self.tr("Mandate reference"), mandate.mandate_reference, "sepaMandateReference"),
                (self.tr("Mandate date"), format_day(mandate.mandate_date, locale), "sepaMandateDate"),
                (self.tr("Account"), f"{mandate.iban_country}•• •••• {mandate.iban_last_four}", "sepaAccount"),
                (self.tr("Authorized by"), mandate.authorized_by, "sepaAuthorizedBy"),
                (self.tr("When"), format_when(mandate.authorized_at, locale), "sepaAuthorizedAt"),
                (self.tr("Wording version"), mandate.wording_version, "sepaWordingVersion"),
                (self.tr("Wording fingerprint (SHA-256)"), mandate.wording_hash, "sepaWordingHash"),
                (self.tr("Kept until"), format_when(mandate.retain_until, locale), "sepaRetainUntil"),
                (self.tr("Wording"), mandate.wording_text, "sepaWordingText")))

    def _kept_page(self, object_name: str, rows: tuple[tuple[str, str, str], ...]) -> QWidget:
        """A page of what was kept of an agreement: a label, the value (selectable; "—" when empty) and its
        object name a row."""
        page = QWidget(self)
        page.setObjectName(object_name)
        form = QFormLayout(page)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        for label, value, name in rows:
            w = QLabel(value or "—", page)
            w.setObjectName(name)
            w.setWordWrap(True)
            w.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(label, w)
        return page

    def _job_status(self, status: str) -> str:
        """An outbox job's status (pending, needs_attention, done, dismissed) in the user's language."""
        if status == "done":
            return self.tr("Done")
        if status == "dismissed":
            return self.tr("Dismissed")
        return sync_label(status)


class RefundDialog(QDialog):
    """Choose a full or partial refund (or a void, before settlement) and a reason.

    `accepted` means the user chose; the tab then confirms the amount and effect before calling the service."""

    def __init__(self, details: PaymentDetails, locale: str, threshold_minor: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("refundDialog")
        self._details = details
        self._locale = locale
        r = details.row
        self.is_void = details.can_void
        self.setWindowTitle(self.tr("Void payment") if self.is_void else self.tr("Refund payment"))
        remaining = r.refundable_minor
        self.remaining_minor = remaining
        intro = QLabel(self)
        intro.setObjectName("refundIntro")
        intro.setWordWrap(True)
        what = method_label(r.method, r.brand, r.last_four, r.account_type)
        amount = format_money(remaining, r.currency, locale)
        if self.is_void:
            intro.setText(fill(self.tr("This payment has not settled yet, so it can only be voided in full: %1 on %2 "
                                       "for invoice %3 of %4. The charge disappears from the customer's statement."),
                               amount, what, r.invoice_number, r.company_name))
        else:
            intro.setText(fill(self.tr("%1 can still be refunded to %2 for invoice %3 of %4."),
                               amount, what, r.invoice_number, r.company_name))
        self.full = QRadioButton(self.tr("Full: %1").replace("%1", amount), self)
        self.full.setObjectName("refundFull")
        self.partial = QRadioButton(self.tr("Partial amount:"), self)
        self.partial.setObjectName("refundPartial")
        group = QButtonGroup(self)
        group.addButton(self.full)
        group.addButton(self.partial)
        self.full.setChecked(True)
        self.amount_edit = QLineEdit(self)
        self.amount_edit.setObjectName("refundAmount")
        self.amount_edit.setAccessibleName(self.tr("Partial amount"))
        self.amount_edit.setPlaceholderText(format_money(0, r.currency, locale))
        self.amount_edit.setEnabled(False)
        self.partial.toggled.connect(self.amount_edit.setEnabled)
        self.partial.setEnabled(not self.is_void)
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setObjectName("refundReason")
        self.reason_edit.setMaxLength(300)
        self.reason_edit.setPlaceholderText(self.tr("Why (kept in the audit log)"))
        self.error = QLabel(self)
        self.error.setObjectName("refundError")
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setWordWrap(True)
        self.error.hide()
        note = QLabel(self)
        note.setObjectName("refundApprovalNote")
        note.setWordWrap(True)
        if threshold_minor > 0:
            note.setText(self.tr("Amounts above %1 need another user's approval before they are sent.")
                         .replace("%1", format_money(threshold_minor, r.currency, locale)))
        note.setVisible(threshold_minor > 0)

        # what the refund does to the invoice (issue #15.7): kept paid (the default) or re-opened; a void always
        # re-opens it, so the choice is only offered for a refund
        self.invoice_box = QGroupBox(self.tr("The invoice"), self)
        self.invoice_box.setObjectName("refundInvoiceChoice")
        self.keep_paid = QRadioButton(self.tr("Stays paid: the money goes back to the customer as a refund"),
                                      self.invoice_box)
        self.keep_paid.setObjectName("refundKeepPaid")
        keep_help = QLabel(self.tr("QuickBooks gets a refund receipt; the invoice stays paid there, in PayApp and "
                                   "in Autotask."), self.invoice_box)
        keep_help.setObjectName("refundKeepPaidHelp")
        self.reopen = QRadioButton(self.tr("Re-open it: the customer still owes the invoice"), self.invoice_box)
        self.reopen.setObjectName("refundReopen")
        reopen_help = QLabel(self.tr("The invoice balance goes back up; the payment is voided in QuickBooks, so the "
                                     "invoice is open there too. Autotask keeps its paid date (its API cannot "
                                     "clear one): clear it in Autotask if needed. Only for the whole payment."),
                             self.invoice_box)
        reopen_help.setObjectName("refundReopenHelp")
        for help_label in (keep_help, reopen_help):
            help_label.setWordWrap(True)
            help_label.setIndent(24)
        choice = QButtonGroup(self)
        choice.addButton(self.keep_paid)
        choice.addButton(self.reopen)
        self.keep_paid.setChecked(True)
        self.keep_paid.setAccessibleDescription(keep_help.text())
        self.reopen.setAccessibleDescription(reopen_help.text())
        box_layout = QVBoxLayout(self.invoice_box)
        for w in (self.keep_paid, keep_help, self.reopen, reopen_help):
            box_layout.addWidget(w)
        self.invoice_box.setVisible(not self.is_void)
        self._can_reopen = not self.is_void and r.refunded_minor == 0
        self.reopen.setEnabled(self._can_reopen)
        self.partial.toggled.connect(self._partial_toggled)

        amount_row = QHBoxLayout()
        amount_row.addWidget(self.partial)
        amount_row.addWidget(self.amount_edit, 1)
        form = QFormLayout()
        form.addRow(self.tr("Reason:"), self.reason_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        ok = buttons.addButton(self.tr("Void…") if self.is_void else self.tr("Refund…"),
                               QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setObjectName("refundOk")
        ok.setDefault(True)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.full)
        layout.addLayout(amount_row)
        layout.addLayout(form)
        layout.addWidget(self.invoice_box)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

    def _partial_toggled(self, partial: bool) -> None:
        """Only a refund of the whole payment can re-open the invoice."""
        self.reopen.setEnabled(self._can_reopen and not partial)
        if partial and self.reopen.isChecked():
            self.keep_paid.setChecked(True)

    def reopen_invoice(self) -> bool:
        """True when the user chose to re-open the invoice (a void always does; the service knows)."""
        return not self.is_void and self.reopen.isChecked()

    def amount_minor(self) -> int:
        """The chosen amount; raises ValidationError for a bad partial amount."""
        if not self.partial.isChecked():
            return self.remaining_minor
        money = parse_amount(self.amount_edit.text(), self._details.row.currency, self._locale)
        if money.minor <= 0:
            raise ValidationError(self.tr("Enter an amount above zero."), field="amount")
        if money.minor > self.remaining_minor:
            raise ValidationError(self.tr("You can refund at most %1.").replace(
                "%1", format_money(self.remaining_minor, self._details.row.currency, self._locale)), field="amount")
        return money.minor

    def reason(self) -> str:
        return self.reason_edit.text().strip()

    def _check(self) -> None:
        try:
            self.amount_minor()
        except ValidationError as exc:
            self.error.setText(user_text(exc))
            self.error.show()
            return
        self.accept()


class PendingApprovalsDialog(QDialog):
    """Refunds waiting for a second user. Approve/Reject are requested by signal; the tab performs them."""

    approve_requested = Signal(int)
    reject_requested = Signal(int)

    def __init__(self, locale: str, can_approve: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pendingApprovalsDialog")
        self.setWindowTitle(self.tr("Pending refund approvals"))
        self._locale = locale
        self._rows: list[ApprovalView] = []
        self.banner = Banner(self, "approvalsBanner")
        self.table = QTableWidget(0, 6, self)
        self.table.setObjectName("approvalsTable")
        self.table.setHorizontalHeaderLabels([self.tr("Requested"), self.tr("By"), self.tr("Company"),
                                              self.tr("Invoice"), self.tr("Amount"), self.tr("Reason")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.setTabKeyNavigation(False)
        self.empty = EmptyState(self.tr("No refunds are waiting for approval."), self)
        self.approve_button = QPushButton(self.tr("Approve and send"), self)
        self.approve_button.setObjectName("approveButton")
        self.reject_button = QPushButton(self.tr("Reject"), self)
        self.reject_button.setObjectName("rejectButton")
        for b in (self.approve_button, self.reject_button):
            b.setVisible(can_approve)
            b.setEnabled(False)
        self.approve_button.clicked.connect(lambda: self._emit(self.approve_requested))
        self.reject_button.clicked.connect(lambda: self._emit(self.reject_requested))
        self.table.itemSelectionChanged.connect(self._selection_changed)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.approve_button)
        row.addWidget(self.reject_button)
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1)
        layout.addLayout(row)
        self.resize(820, 420)
        self.set_rows([])

    def set_rows(self, rows: list[ApprovalView]) -> None:
        self._rows = rows
        self.table.setRowCount(len(rows))
        for i, a in enumerate(rows):
            amount = format_money(a.amount_minor, a.currency, self._locale)
            if a.reopen_invoice:            # what approving does to the invoice (issue #15.7)
                amount = self.tr("%1 · re-opens the invoice").replace("%1", amount)
            values = [format_when(a.requested_at, self._locale), a.requested_by_name, a.company_name,
                      a.invoice_number, amount, a.reason]
            for c, v in enumerate(values):
                item = QTableWidgetItem(v)
                item.setToolTip(v)
                if c == 4:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(i, c, item)
        self.table.resizeColumnsToContents()
        self.table.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        self._selection_changed()

    def selected(self) -> ApprovalView | None:
        rows = self.table.selectionModel().selectedRows()
        return self._rows[rows[0].row()] if rows else None

    def _selection_changed(self) -> None:
        has = self.selected() is not None
        self.approve_button.setEnabled(has)
        self.reject_button.setEnabled(has)

    def _emit(self, signal: Signal) -> None:
        a = self.selected()
        if a is not None:
            signal.emit(a.id)  # type: ignore[attr-defined]


def sec_code_label(code: str) -> str:
    """PPD / CCD in words."""
    if code == "PPD":
        return QCoreApplication.translate("Receipt", "PPD · personal account")
    if code == "CCD":
        return QCoreApplication.translate("Receipt", "CCD · business account")
    return code


def ach_summary(consent: AchAuthorizationInfo, locale: str) -> str:
    """ "CCD · business account · Acme Inc · 03.12.26, 09:14"."""
    return " · ".join((sec_code_label(consent.sec_code), consent.authorized_by,
                       format_when(consent.authorized_at, locale)))


def receipt_language(locale: str) -> str:
    """ "de" for a German locale ("de_DE"), "en" otherwise: the receipt's language is the user's."""
    return "de" if locale.lower().startswith("de") else "en"


def receipt_document(receipt: Receipt, locale: str) -> QTextDocument:
    """The one receipt (services/receipts.py) as a QTextDocument to print: render_receipt_html, with the logo's
    inline data: URL handed to the document as an image (QTextDocument does not load data: URLs itself)."""
    doc = QTextDocument()
    if receipt.merchant_logo_png:
        image = QImage.fromData(receipt.merchant_logo_png)
        url = "data:image/png;base64," + base64.b64encode(receipt.merchant_logo_png).decode("ascii")
        if not image.isNull():
            doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(url), image)
    doc.setHtml(render_receipt_html(receipt, receipt_language(locale)))
    return doc


async def write_receipt_pdf(receipt: Receipt, locale: str, path: str) -> None:
    """Save the receipt's PDF (render_receipt_pdf, made off the GUI thread: the same file the client portal gives
    its payers)."""
    data = await ReceiptService.pdf(receipt, receipt_language(locale))
    Path(path).write_bytes(data)

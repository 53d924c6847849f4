"""One invoice in full: company, dates, amounts, lines, contract and tickets, payment history, and a Receive
payment button (Ctrl+P) under the same rule as the context menu; Copy payment link and Revoke link for the client
portal (the Invoice History tab runs them)."""

from __future__ import annotations

import datetime as dt
import html

import shiboken6
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from payapp.domain.errors import PayAppError
from payapp.domain.money import format_money
from payapp.domain.roles import Permission
from payapp.services.context import Services
from payapp.services.invoices import InvoiceDetail
from payapp.services.payment_links import LinkState
from payapp.ui.i18n import format_day, format_moment
from payapp.ui.invoices.invoice_model import row_status_text, sync_label
from payapp.ui.invoices.pay_rule import pay_block_reason
from payapp.ui.widgets import Banner

PAYMENT_STATUS = {
    "approved": QT_TRANSLATE_NOOP("InvoiceView", "Approved"),
    "settled": QT_TRANSLATE_NOOP("InvoiceView", "Settled"),
    "declined": QT_TRANSLATE_NOOP("InvoiceView", "Declined"),
    "pending": QT_TRANSLATE_NOOP("InvoiceView", "Pending"),
    "unknown": QT_TRANSLATE_NOOP("InvoiceView", "Being checked"),
    "error": QT_TRANSLATE_NOOP("InvoiceView", "Not charged"),
    "voided": QT_TRANSLATE_NOOP("InvoiceView", "Voided"),
    "refunded": QT_TRANSLATE_NOOP("InvoiceView", "Refunded"),
    "partially_refunded": QT_TRANSLATE_NOOP("InvoiceView", "Partly refunded"),
    "returned": QT_TRANSLATE_NOOP("InvoiceView", "Returned by bank"),
    # an approved eCheck until it settles (issue #15.6)
    "pending_settlement": QT_TRANSLATE_NOOP("InvoiceView", "Pending settlement"),
}


def _table(parent: QWidget, name: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    table.setTabKeyNavigation(False)         # Tab goes to the next control, not cell by cell
    return table


def _item(text: str, money: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if money:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class InvoiceView(QDialog):
    pay_requested = Signal(int)          # invoice id
    saved_methods_requested = Signal(int, str)   # company id, company name
    copy_link_requested = Signal(int)    # invoice id
    revoke_link_requested = Signal(int, str)   # invoice id, invoice number

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("invoiceView")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._services = services
        self._detail: InvoiceDetail | None = None
        self._closed_text = ""
        self.link_state: LinkState | None = None
        layout = QVBoxLayout(self)
        self.banner = Banner(self, "invoiceBanner")
        layout.addWidget(self.banner)
        self.title = QLabel(self)
        self.title.setObjectName("invoiceTitle")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.title)

        facts = QHBoxLayout()
        self._left = QFormLayout()
        self._right = QFormLayout()
        facts.addLayout(self._left, 1)
        facts.addLayout(self._right, 1)
        layout.addLayout(facts)

        lines_box = QGroupBox(self.tr("Lines"), self)
        lv = QVBoxLayout(lines_box)
        self.lines = _table(lines_box, "invoiceLines",
                            [self.tr("Description"), self.tr("Qty"), self.tr("Unit price"), self.tr("Amount"),
                             self.tr("Contract"), self.tr("Ticket")])
        self.lines.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.lines.horizontalHeader().setStretchLastSection(False)
        lv.addWidget(self.lines)
        layout.addWidget(lines_box, 1)

        pay_box = QGroupBox(self.tr("Payment history"), self)
        pv = QVBoxLayout(pay_box)
        self.payments = _table(pay_box, "invoicePayments",
                               [self.tr("Date"), self.tr("Status"), self.tr("Method"), self.tr("Amount"),
                                self.tr("Transaction"), self.tr("By")])
        self.no_payments = QLabel(self.tr("No payments on this invoice yet."), pay_box)
        self.no_payments.setStyleSheet("QLabel { color: palette(placeholder-text); }")
        pv.addWidget(self.no_payments)
        pv.addWidget(self.payments)
        layout.addWidget(pay_box, 1)

        link_row = QHBoxLayout()
        self.link_status = QLabel(self)
        self.link_status.setObjectName("linkStatus")
        self.link_status.setWordWrap(True)
        self.link_status.setStyleSheet("QLabel { color: palette(placeholder-text); }")
        self.copy_link_button = QPushButton(self.tr("Copy payment link"), self)
        self.copy_link_button.setObjectName("viewCopyPaymentLinkButton")
        self.copy_link_button.setShortcut(QKeySequence("Ctrl+Shift+L"))
        self.copy_link_button.setToolTip(self.tr("Copy a link to this invoice in the client portal, to send to "
                                                 "the client (Ctrl+Shift+L)"))
        self.copy_link_button.clicked.connect(self._copy_link)
        self.revoke_link_button = QPushButton(self.tr("Revoke link…"), self)
        self.revoke_link_button.setObjectName("viewRevokePaymentLinkButton")
        self.revoke_link_button.setEnabled(False)
        self.revoke_link_button.clicked.connect(self._revoke_link)
        link_row.addWidget(self.link_status, 1)
        link_row.addWidget(self.copy_link_button)
        link_row.addWidget(self.revoke_link_button)
        layout.addLayout(link_row)
        can_send = services.current_user.can(Permission.TAKE_PAYMENT)
        for button in (self.copy_link_button, self.revoke_link_button):
            button.setVisible(can_send)      # a Viewer sends no links (the service refuses it anyway)

        buttons = QHBoxLayout()
        self.pay_reason = QLabel(self)
        self.pay_reason.setObjectName("payReason")
        self.pay_reason.setWordWrap(True)
        self.pay_reason.setStyleSheet("QLabel { color: palette(placeholder-text); }")
        buttons.addWidget(self.pay_reason, 1)
        self.pay_button = QPushButton(self.tr("Receive payment…"), self)
        self.pay_button.setObjectName("viewProcessPaymentButton")
        self.pay_button.setShortcut(QKeySequence("Ctrl+P"))
        self.pay_button.setToolTip(self.tr("Receive a payment on this invoice (Ctrl+P)"))
        self.pay_button.clicked.connect(self._pay)
        self.saved_button = QPushButton(self.tr("Saved payment methods…"), self)
        self.saved_button.setObjectName("viewSavedMethodsButton")
        self.saved_button.setToolTip(self.tr("The cards and bank accounts saved for this company"))
        self.saved_button.setEnabled(False)
        self.saved_button.clicked.connect(self._saved_methods)
        close = QPushButton(self.tr("Close"), self)
        close.setObjectName("viewCloseButton")
        close.clicked.connect(self.close)
        buttons.addWidget(self.saved_button)
        buttons.addWidget(close)
        buttons.addWidget(self.pay_button)
        layout.addLayout(buttons)
        self.resize(900, 680)

    @property
    def detail(self) -> InvoiceDetail | None:
        return self._detail

    async def load(self, invoice_id: int) -> None:
        invoices = self._services.invoices
        assert invoices is not None
        detail = await invoices.get(invoice_id)
        status = await self._services.settings.processing_status()
        if not shiboken6.isValid(self):             # closed by the user while it loaded
            return
        self.show_detail(detail)
        row = detail.row
        reason = pay_block_reason(status, self._services.current_user, row.balance_minor,
                                  voided=row.status == "voided")
        self.pay_button.setEnabled(not reason)
        self.pay_button.setToolTip(reason or self.tr("Receive a payment on this invoice (Ctrl+P)"))
        self.pay_button.setStatusTip(reason)
        self.pay_reason.setText(reason)
        closed = ""
        if row.status == "voided":
            closed = self.tr("Voided: no payment link can be sent.")
        elif row.balance_minor <= 0:
            closed = self.tr("Paid in full: no payment link can be sent.")
        self.copy_link_button.setEnabled(not closed)
        self.copy_link_button.setToolTip(closed or self.tr("Copy a link to this invoice in the client portal, to "
                                                           "send to the client (Ctrl+Shift+L)"))
        self._closed_text = closed
        await self.load_link_state()

    async def load_link_state(self) -> LinkState | None:
        """The invoice's payment links: Revoke is on while one works; the line beside says until when."""
        if self._detail is None:
            return None
        try:
            state = await self._services.payment_links.state(self._detail.row.id)
        except PayAppError:
            return None
        if not shiboken6.isValid(self):
            return None
        self.link_state = state
        closed = self._closed_text
        if state.active and state.expires_at is not None:
            expires = state.expires_at if state.expires_at.tzinfo else state.expires_at.replace(tzinfo=dt.UTC)
            text = self.tr("%n working payment link(s), until %1.", "", state.active).replace(
                "%1", format_day(expires.astimezone().date(), self._services.locale))
        else:
            text = self.tr("No payment link of this invoice works now.")
        if closed and not state.active:
            text = ""                          # "Paid in full: no payment link can be sent." says it all
        self.link_status.setText(f"{closed} {text}".strip())
        self.revoke_link_button.setEnabled(state.active > 0)
        return state

    def show_detail(self, d: InvoiceDetail) -> None:
        self._detail = d
        self.saved_button.setEnabled(True)
        loc = self._services.locale
        r = d.row
        money = lambda m: format_money(m, r.currency, loc)  # noqa: E731
        self.setWindowTitle(self.tr("Invoice %1 · %2").replace("%1", r.invoice_number).replace("%2", r.company_name))
        numbers = self.tr("Invoice %1").replace("%1", r.invoice_number)
        if r.accounting_number:
            numbers += f" · QuickBooks {r.accounting_number}"
        self.title.setText(f"<h2 style='margin:0'>{html.escape(r.company_name)}</h2>"
                           f"<div>{html.escape(numbers)} · <b>{html.escape(row_status_text(r))}</b></div>")
        for form in (self._left, self._right):
            while form.rowCount():
                form.removeRow(0)

        def value(text: str, name: str, bold: bool = False) -> QLabel:
            label = QLabel(text, self)
            label.setObjectName(name)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)
            if bold:
                font = label.font()
                font.setBold(True)
                label.setFont(font)
            return label

        self._left.addRow(self.tr("Company:"), value(r.company_name, "companyValue"))
        if d.company_address:
            self._left.addRow(self.tr("Address:"), value(d.company_address, "addressValue"))
        self._left.addRow(self.tr("Invoice date:"), value(format_day(r.invoice_date, loc),
                                                          "invoiceDateValue"))
        self._left.addRow(self.tr("Due date:"), value(format_day(r.due_date, loc)
                                                      if r.due_date else "—", "dueDateValue"))
        self._left.addRow(self.tr("Terms:"), value(d.payment_term or "—", "termsValue"))
        self._left.addRow(self.tr("Contract:"), value(d.contract or "—", "contractValue"))
        self._left.addRow(self.tr("Tickets:"), value("\n".join(d.tickets) or "—", "ticketsValue"))
        self._right.addRow(self.tr("Total:"), value(money(r.total_minor), "totalValue"))
        self._right.addRow(self.tr("of which tax:"), value(money(d.tax_minor), "taxValue"))
        self._right.addRow(self.tr("Paid:"), value(money(r.paid_minor), "paidValue"))
        self._right.addRow(self.tr("Balance:"), value(money(r.balance_minor), "balanceValue", bold=True))
        self._right.addRow(self.tr("Sync:"), value(sync_label(r.sync_state), "syncValue"))

        self.lines.setRowCount(len(d.lines))
        for i, ln in enumerate(d.lines):
            qty = ln.quantity.rstrip("0").rstrip(".") if "." in ln.quantity else ln.quantity
            for col, (text, is_money) in enumerate(((ln.description, False), (qty, True),
                                                    (money(ln.unit_price_minor), True),
                                                    (money(ln.amount_minor), True), (ln.contract, False),
                                                    (ln.ticket, False))):
                self.lines.setItem(i, col, _item(text, is_money))
        self.payments.setRowCount(len(d.payments))
        self.payments.setVisible(bool(d.payments))
        self.no_payments.setVisible(not d.payments)
        for i, p in enumerate(d.payments):
            amount = money(p.amount_minor)
            if p.refunded_minor:
                amount += " " + self.tr("(%1 refunded)").replace("%1", money(p.refunded_minor))
            for col, (text, is_money) in enumerate((
                    (format_moment(p.created_at, loc), False),
                    (self.tr(PAYMENT_STATUS.get(shown := "pending_settlement" if p.status == "approved"
                                                and p.method == "echeck" else p.status, shown)), False),
                    (p.method_display, False),
                    (amount, True), (p.transaction_id, False), (p.created_by, False))):
                self.payments.setItem(i, col, _item(text, is_money))

    def _saved_methods(self) -> None:
        if self._detail is not None:
            self.saved_methods_requested.emit(self._detail.row.company_id, self._detail.row.company_name)

    def _copy_link(self) -> None:
        if self._detail is not None:
            self.copy_link_requested.emit(self._detail.row.id)

    def _revoke_link(self) -> None:
        if self._detail is not None:
            self.revoke_link_requested.emit(self._detail.row.id, self._detail.row.invoice_number)

    def _pay(self) -> None:
        if self._detail is not None:
            self.pay_requested.emit(self._detail.row.id)

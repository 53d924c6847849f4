"""Payment Search tab: filter payments, see count and sums, inspect one, void/refund, retry sync, receipt,
export; refunds waiting for a second user's approval."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QDate, QModelIndex, QPoint, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from payapp.domain import validation
from payapp.domain.errors import PayAppError, ValidationError
from payapp.domain.money import format_amount_input, format_money, parse_amount
from payapp.domain.payment_state import PaymentStatus
from payapp.domain.roles import Permission
from payapp.services.context import Services
from payapp.services.payment_export import export_payments
from payapp.services.payment_search import PaymentDetails, PaymentQuery, PaymentTotals
from payapp.services.receipts import Receipt
from payapp.services.refund_approvals import RefundApprovalService
from payapp.ui.async_work import WidgetTasks
from payapp.ui.i18n import date_edit_format, format_count
from payapp.ui.lazy_model import ColumnChooser, LazyTableView
from payapp.ui.messages import user_text
from payapp.ui.payments.payment_details import (
    PaymentDetailsDialog,
    PendingApprovalsDialog,
    RefundDialog,
    receipt_document,
    write_receipt_pdf,
)
from payapp.ui.payments.payment_model import (
    SOURCE_LABELS,
    SYNC_LABELS,
    PaymentTableModel,
    method_label,
    status_label,
    tr,
)
from payapp.ui.payments.receipt_mail_dialog import ReceiptMailDialog
from payapp.ui.payments.saved_searches import SavedSearches
from payapp.ui.widgets import Banner, EmptyState, ask, confirm_box, return_focus_on_close, set_column_widths
from payapp.ui.window_state import WindowState

STATUSES = [s.value for s in PaymentStatus if s != PaymentStatus.ERROR]
NEEDS_ATTENTION = "needs_attention"        # the status filter's entry for payments flagged for a person
# (label, stored value): payments keep the brand as payapp.domain.validation.card_brand names it ("Amex"),
# or as the gateway reports it for portal payments ("amex"); the filter compares without case.
BRANDS = (("Visa", "Visa"), ("Mastercard", "Mastercard"), ("American Express", "Amex"), ("Discover", "Discover"),
          ("Diners Club", "Diners"), ("JCB", "JCB"))
DATE_RANGES = ("all", "today", "week", "30days", "custom")


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time()).astimezone().astimezone(dt.UTC)


def date_range(kind: str, today: dt.date, start: dt.date | None = None, end: dt.date | None = None
               ) -> tuple[dt.datetime | None, dt.datetime | None]:
    """UTC bounds [from, to) of a date-range choice, days taken in the local time zone."""
    if kind == "today":
        return _local_midnight(today), _local_midnight(today + dt.timedelta(days=1))
    if kind == "week":
        monday = today - dt.timedelta(days=today.weekday())
        return _local_midnight(monday), _local_midnight(today + dt.timedelta(days=1))
    if kind == "30days":
        return _local_midnight(today - dt.timedelta(days=29)), _local_midnight(today + dt.timedelta(days=1))
    if kind == "custom" and start is not None and end is not None:
        return _local_midnight(start), _local_midnight(end + dt.timedelta(days=1))
    return None, None


class PaymentSearchTab(QWidget):
    def __init__(self, services: Services, window_state: WindowState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paymentSearchTabPage")
        self._services = services
        self._state = window_state
        self._locale = services.locale
        self._search = services.payment_search
        self._approvals: RefundApprovalService | None = services.refund_approvals
        self.work = WidgetTasks(self)      # its tasks end with the tab
        self._export_task: asyncio.Task[int] | None = None
        self._totals_task: asyncio.Task[None] | None = None
        self._dialogs: list[QWidget] = []
        self.context_menu: QMenu | None = None
        self.columns: ColumnChooser | None = None
        self._currency = "USD"                 # until _load_currency has read the processing currency
        self.banner = Banner(self, "paymentSearchBanner")
        self.banner.action_clicked.connect(self._on_banner_action)

        # ---------------------------------------------------------------- filters
        self.date_combo = QComboBox(self)
        self.date_combo.setObjectName("dateRangeCombo")
        for key, label in zip(DATE_RANGES, (self.tr("All dates"), self.tr("Today"), self.tr("This week"),
                                            self.tr("Last 30 days"), self.tr("Custom…")), strict=True):
            self.date_combo.addItem(label, key)
        today = QDate.currentDate()
        self.date_from = QDateEdit(today.addDays(-29), self)
        self.date_from.setObjectName("dateFromEdit")
        self.date_to = QDateEdit(today, self)
        self.date_to.setObjectName("dateToEdit")
        for d in (self.date_from, self.date_to):
            d.setDisplayFormat(date_edit_format(self._locale))   # the one date format (issue #15.9): 02.12.2026
            d.setCalendarPopup(True)
            d.setEnabled(False)
        self.company_edit = self._line("companyFilter", self.tr("Company contains"))
        self.invoice_edit = self._line("invoiceFilter", self.tr("Invoice number"))
        self.status_combo = self._combo("statusFilter", self.tr("Any status"),
                                        [(status_label(s), s) for s in STATUSES]
                                        + [(self.tr("Needs attention"), NEEDS_ATTENTION)])
        self.method_combo = self._combo("methodFilter", self.tr("Any method"),
                                        [(self.tr("Card"), "card"), (self.tr("eCheck"), "echeck"),
                                         (self.tr("SEPA direct debit"), "sepa")])
        self.brand_combo = self._combo("brandFilter", self.tr("Any brand"), list(BRANDS))
        self.last_four_edit = self._line("lastFourFilter", self.tr("Last 4"))
        self.last_four_edit.setMaxLength(4)
        self.last_four_edit.setInputMask("")
        self.amount_min_edit = self._line("amountMinFilter", self.tr("Min amount"))
        self.amount_max_edit = self._line("amountMaxFilter", self.tr("Max amount"))
        self.txn_edit = self._line("transactionFilter", self.tr("Transaction ID"))
        self.order_edit = self._line("orderFilter", self.tr("Order ID"))
        self.user_edit = self._line("userFilter", self.tr("User"))
        self.source_combo = self._combo("sourceFilter", self.tr("Any source"),
                                        [(tr(v), k) for k, v in SOURCE_LABELS.items()])
        self.sync_combo = self._combo("syncFilter", self.tr("Any sync state"),
                                      [(tr(v), k) for k, v in SYNC_LABELS.items()])
        clear = QPushButton(self.tr("Clear filters"), self)
        clear.setObjectName("clearFiltersButton")
        clear.clicked.connect(self.clear_filters)

        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(6)
        dates = QHBoxLayout()
        dates.addWidget(self.date_combo)
        dates.addWidget(self.date_from)
        dates.addWidget(QLabel("–", self))
        dates.addWidget(self.date_to)
        dates.addStretch(1)
        grid.addWidget(QLabel(self.tr("Date"), self), 0, 0)
        grid.addLayout(dates, 0, 1, 1, 3)
        grid.addWidget(self.company_edit, 0, 4, 1, 2)
        grid.addWidget(self.invoice_edit, 0, 6)
        grid.addWidget(self.status_combo, 0, 7)
        grid.addWidget(QLabel(self.tr("Method"), self), 1, 0)
        grid.addWidget(self.method_combo, 1, 1)
        grid.addWidget(self.brand_combo, 1, 2)
        grid.addWidget(self.last_four_edit, 1, 3)
        grid.addWidget(self.amount_min_edit, 1, 4)
        grid.addWidget(self.amount_max_edit, 1, 5)
        grid.addWidget(self.txn_edit, 1, 6)
        grid.addWidget(self.order_edit, 1, 7)
        grid.addWidget(QLabel(self.tr("Other"), self), 2, 0)
        grid.addWidget(self.user_edit, 2, 1)
        grid.addWidget(self.source_combo, 2, 2)
        grid.addWidget(self.sync_combo, 2, 3)
        # saved searches (named filter sets), per user
        actor = services.current_user.actor
        self._user_state = window_state.for_user(actor.username if actor else "")
        self.saved = SavedSearches(
            self, self._user_state,
            edits=[self.company_edit, self.invoice_edit, self.last_four_edit, self.amount_min_edit,
                   self.amount_max_edit, self.txn_edit, self.order_edit, self.user_edit],
            combos=[self.status_combo, self.method_combo, self.brand_combo, self.source_combo, self.sync_combo],
            date_combo=self.date_combo, date_from=self.date_from, date_to=self.date_to,
            apply_filters=self.apply_filters, show_message=lambda kind, text: self.banner.show_message(kind, text))
        grid.addWidget(self.saved.combo, 2, 4, 1, 2)
        grid.addWidget(self.saved.button, 2, 6)
        grid.addWidget(clear, 2, 7)
        for c in range(1, 8):
            grid.setColumnStretch(c, 1)
        self.filter_error = QLabel(self)
        self.filter_error.setObjectName("filterError")
        self.filter_error.setStyleSheet("color: #c0392b;")
        self.filter_error.hide()

        # ---------------------------------------------------------------- table
        self.model = PaymentTableModel(self._search, self._locale, self) if self._search else None
        self.table = LazyTableView(self)
        self.table.setObjectName("paymentTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.empty = EmptyState(self.tr("No payments match these filters. Widen the date range or clear filters."),
                                self)
        self.empty.setObjectName("paymentsEmpty")
        self.empty.hide()
        header = self.table.horizontalHeader()
        header.setSectionsMovable(True)               # the saved layout keeps the order the user drags to
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSortIndicatorShown(True)
        if self.model is not None:
            self.table.setModel(self.model)
            # The method, status and sync columns fit their longest usual text in the user's language; the
            # company column starts a little narrower so German about fits a 1400 px window (a longer name ends
            # in "…" and shows whole as a tooltip).
            set_column_widths(self.table, (125, 210, 95, 165, 100, 100, 90, 125, 105, 80, 100),
                              {3: method_label("card", "Mastercard", "4444"), 7: status_label("partially_refunded"),
                               9: "Dana Richardson", 10: tr(SYNC_LABELS["synced"])})   # 9: a usual full name
            # the columns this user hides (the header's context menu, View › Columns…), kept per user
            self.columns = ColumnChooser(self.table, self._user_state, "paymentTable",
                                         save_layout=lambda: self._state.save_header(header, "paymentTable"))
            if not self._state.restore_header(header, "paymentTable"):
                self.table.enable_auto_fit((1, 3, 7, 9))    # company, method, status, user give room
            self.columns.restore()
            header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)
            self.table.setSortingEnabled(True)
            header.sectionMoved.connect(lambda *_: self._state.save_header(header, "paymentTable"))
            header.sectionResized.connect(lambda *_: self._state.save_header(header, "paymentTable"))
            self.model.load_failed.connect(lambda m: self.banner.show_error(m, self.tr("Retry")))
            self.model.page_loaded.connect(self._on_page_loaded)
            self.table.doubleClicked.connect(lambda _i: self._open_details())
            self.table.enter_pressed.connect(self._open_details_at)              # Enter opens the details
            # right-click, the Menu key or Shift+F10 (LazyTableView) on a payment
            self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            self.table.customContextMenuRequested.connect(self._on_context_menu)
            self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())

        # ---------------------------------------------------------------- actions
        self.totals_label = QLabel(self)
        self.totals_label.setObjectName("totalsLabel")
        self.totals_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.totals_label.setToolTip(self.tr("Sales: approved and settled payments, refunded ones included; voided, "
                                             "declined, failed and returned payments are left out."))
        self.details_button = self._button("detailsButton", self.tr("Details…"), self._open_details)
        self.refund_button = self._button("refundButton", self.tr("Void / Refund…"), self._on_refund_clicked)
        self.retry_button = self._button("retrySyncButton", self.tr("Retry sync"), self._on_retry_clicked)
        self.receipt_button = self._button("receiptButton", self.tr("Save receipt as PDF…"), self._on_receipt_clicked)
        self.email_receipt_button = self._button("emailReceiptButton", self.tr("E-mail receipt…"),
                                                 self.email_receipt)
        self.open_mail_dialogs: list[ReceiptMailDialog] = []
        self.approvals_button = self._button("approvalsButton", self.tr("Pending approvals…"), self._open_approvals)
        self.csv_button = self._button("exportCsvButton", self.tr("Export CSV…"), lambda: self._on_export("csv"))
        self.xlsx_button = self._button("exportXlsxButton", self.tr("Export Excel…"), lambda: self._on_export("xlsx"))
        may_manage = services.current_user.can(Permission.MANAGE_PAYMENT)
        self.refund_button.setVisible(may_manage)
        self.retry_button.setVisible(may_manage)
        # Demo only: the demo gateway settles at a daily cut-off; "Settle now" runs that batch at once, so a
        # refund can be tried on a new payment.
        self._demo_settlement = services.demo_settlement if services.demo else None
        self.settle_button = self._button("demoSettleButton", self.tr("Settle now (demo)"), self._on_settle_clicked)
        self.settle_button.setToolTip(self.tr("The demo gateway settles every day at its cut-off. This settles "
                                              "its pending payments now, so you can try a refund."))
        self.settle_button.setVisible(self._demo_settlement is not None and may_manage)
        self.export_progress = QProgressBar(self)
        self.export_progress.setObjectName("exportProgress")
        self.export_progress.setMaximumWidth(220)
        self.export_progress.hide()
        self.export_cancel = QPushButton(self.tr("Cancel export"), self)
        self.export_cancel.setObjectName("exportCancelButton")
        self.export_cancel.hide()
        self.export_cancel.clicked.connect(self.cancel_export)

        actions = QHBoxLayout()
        for b in (self.details_button, self.refund_button, self.retry_button, self.receipt_button,
                  self.email_receipt_button, self.approvals_button, self.settle_button):
            actions.addWidget(b)
        actions.addStretch(1)
        actions.addWidget(self.export_progress)
        actions.addWidget(self.export_cancel)
        actions.addWidget(self.csv_button)
        actions.addWidget(self.xlsx_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(grid)
        layout.addWidget(self.filter_error)
        layout.addWidget(self.totals_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1)
        layout.addLayout(actions)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(300)
        self._debounce.timeout.connect(self.apply_filters)
        self.date_combo.currentIndexChanged.connect(self._on_date_choice)
        for d in (self.date_from, self.date_to):
            d.dateChanged.connect(lambda _d: self._debounce.start())
        self._update_actions()
        self._started = False
        if self.model is None:
            self.banner.show_warning(self.tr("Payments are not available until the gateway is set up."))

    def _start(self) -> None:
        """Load the first page and the totals the first time the tab is shown (not while the app starts)."""
        if self._started or self.model is None:
            return
        self._started = True
        closing = getattr(self.window(), "closing", None)
        if closing is not None:
            closing.connect(self.shutdown)
        self._refresh_totals()
        self.model.fetchMore()
        self._spawn(self._load_currency())

    async def _load_currency(self) -> None:
        """The amount filters are typed in the processing currency (500 is ¥500, not $500.00)."""
        try:
            currency = (await self._services.settings.processing_status()).currency
        except PayAppError:
            return
        if currency and currency != self._currency:
            self._currency = currency
            if self.amount_min_edit.text().strip() or self.amount_max_edit.text().strip():
                self.apply_filters()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._start()

    # ---------------------------------------------------------------- helpers
    def _line(self, name: str, placeholder: str) -> QLineEdit:
        e = QLineEdit(self)
        e.setObjectName(name)
        e.setPlaceholderText(placeholder)
        e.setAccessibleName(placeholder)
        e.setClearButtonEnabled(True)
        e.textChanged.connect(lambda _t: self._debounce.start())
        return e

    def _combo(self, name: str, any_label: str, items: list[tuple[str, str]]) -> QComboBox:
        c = QComboBox(self)
        c.setObjectName(name)
        c.addItem(any_label, "")
        for label, value in items:
            c.addItem(label, value)
        c.currentIndexChanged.connect(lambda _i: self.apply_filters())
        return c

    def _button(self, name: str, text: str, slot: Any) -> QPushButton:
        b = QPushButton(text, self)
        b.setObjectName(name)
        b.clicked.connect(lambda _checked=False: slot())
        return b

    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        return self.work.spawn(coro)

    def selected_row(self) -> Any:
        if self.model is None:
            return None
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _update_actions(self) -> None:
        row = self.selected_row()
        has = row is not None
        self.details_button.setEnabled(has)
        self.refund_button.setEnabled(has and row.status in ("approved", "settled", "partially_refunded"))
        bad = {"failed", "needs_attention"}
        self.retry_button.setEnabled(has and bool(bad & {row.accounting_sync_state, row.psa_sync_state}))
        self.receipt_button.setEnabled(has and row.status not in ("declined", "pending", "unknown", "error"))
        self.email_receipt_button.setEnabled(self.receipt_button.isEnabled())
        exporting = self._export_task is not None
        self.csv_button.setEnabled(self.model is not None and not exporting)
        self.xlsx_button.setEnabled(self.model is not None and not exporting)
        self.approvals_button.setVisible(self._approvals is not None)

    # ---------------------------------------------------------------- filters
    def _on_date_choice(self, _index: int) -> None:
        custom = self.date_combo.currentData() == "custom"
        self.date_from.setEnabled(custom)
        self.date_to.setEnabled(custom)
        self.apply_filters()

    def build_query(self) -> PaymentQuery:
        """The query the filter widgets describe; raises ValidationError for a bad amount or last four."""
        kind = self.date_combo.currentData() or "all"
        start, end = date_range(kind, dt.date.today(), self.date_from.date().toPython(),  # type: ignore[arg-type]
                                self.date_to.date().toPython())  # type: ignore[arg-type]

        def amount(edit: QLineEdit) -> int | None:
            text = edit.text().strip()
            return parse_amount(text, self._currency, self._locale).minor if text else None

        status = self.status_combo.currentData()
        base = self.model.query if self.model is not None else PaymentQuery()
        return PaymentQuery(
            date_from=start, date_to=end, company=self.company_edit.text(), invoice_number=self.invoice_edit.text(),
            statuses=frozenset({status}) if status and status != NEEDS_ATTENTION else frozenset(),
            needs_attention=status == NEEDS_ATTENTION, method=self.method_combo.currentData() or "",
            brand=self.brand_combo.currentData() or "",
            last_four=validation.check_last_four(self.last_four_edit.text()),
            amount_min=amount(self.amount_min_edit), amount_max=amount(self.amount_max_edit),
            transaction_id=self.txn_edit.text(), order_id=self.order_edit.text(), user=self.user_edit.text(),
            source=self.source_combo.currentData() or "", sync_state=self.sync_combo.currentData() or "",
            sort_key=base.sort_key, descending=base.descending)

    def apply_filters(self) -> None:
        self._debounce.stop()
        if self.model is None:
            return
        try:
            query = self.build_query()
        except ValidationError as exc:
            self.filter_error.setText(user_text(exc))
            self.filter_error.show()
            return
        self.filter_error.hide()
        self.saved.filters_changed()
        if query == self.model.query:
            return
        self.model.set_query(query)
        if self._started:
            self._refresh_totals()
        else:
            self._start()
        self._update_actions()

    def clear_filters(self) -> None:
        blockers = []
        for w in self.findChildren(QLineEdit):
            if w.objectName().endswith("Filter"):
                blockers.append(w)
                w.blockSignals(True)
                w.clear()
        for c in (self.date_combo, self.status_combo, self.method_combo, self.brand_combo, self.source_combo,
                  self.sync_combo):
            blockers.append(c)
            c.blockSignals(True)
            c.setCurrentIndex(0)
        for w in blockers:
            w.blockSignals(False)
        self.date_from.setEnabled(False)
        self.date_to.setEnabled(False)
        self.apply_filters()

    def _refresh_totals(self) -> None:
        if self.model is None or self._search is None:
            return
        if self._totals_task is not None:
            self._totals_task.cancel()
        self.totals_label.setText(self.tr("Counting…"))
        self._totals_task = self._spawn(self._load_totals(self.model.query))

    async def _load_totals(self, query: PaymentQuery) -> None:
        assert self._search is not None
        try:
            totals = await self._search.totals(query)
        except PayAppError as exc:
            self.totals_label.setText(user_text(exc))
            return
        if self.model is None or query != self.model.query:
            return
        self.totals_label.setText(self.totals_text(totals))
        self._totals_task = None

    def totals_text(self, totals: PaymentTotals) -> str:
        if totals.count == 0:
            return self.tr("No payments")
        # The count picks the plural form; Babel writes the number the locale's way (1.234 in German).
        count = self.tr("%1 payment(s)", "", totals.count).replace("%1", format_count(totals.count, self._locale))
        parts = [count]
        for t in totals.by_currency:
            # sales: what was taken; voided, declined and failed payments are left out (issue #15.9)
            money = [self.tr("sales %1").replace("%1", format_money(t.sales_minor, t.currency, self._locale)),
                     self.tr("applied %1").replace("%1", format_money(t.applied_minor, t.currency, self._locale)),
                     self.tr("refunded %1").replace("%1", format_money(t.refunded_minor, t.currency, self._locale))]
            parts.append(" · ".join(money))
        return "  —  ".join(parts)

    def _on_page_loaded(self, loaded: int) -> None:
        empty = loaded == 0 and self.model is not None and self.model.exhausted
        self.table.setVisible(not empty)
        self.empty.setVisible(empty)
        if self.banner.kind == "error":
            self.banner.clear()
        self._update_actions()

    def _on_banner_action(self) -> None:
        self.banner.clear()
        if self.model is not None:
            self.model.retry()

    # ---------------------------------------------------------------- context menu
    def _on_context_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if self.model is None or not index.isValid():
            return
        self.table.setCurrentIndex(index)
        self.table.selectRow(index.row())
        menu = self.build_context_menu()
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def build_context_menu(self) -> QMenu:
        """The selected payment's actions, as the buttons under the grid offer them."""
        if self.context_menu is not None:
            self.context_menu.close()
            self.context_menu.deleteLater()
        menu = QMenu(self)
        menu.setObjectName("paymentContextMenu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for name, button in (("detailsAction", self.details_button), ("refundAction", self.refund_button),
                             ("retrySyncAction", self.retry_button), ("receiptAction", self.receipt_button),
                             ("emailReceiptAction", self.email_receipt_button)):
            if not button.isVisibleTo(self):
                continue
            act = QAction(button.text(), menu)
            act.setObjectName(name)
            act.setEnabled(button.isEnabled())
            act.triggered.connect(lambda _checked=False, b=button: b.click())
            menu.addAction(act)
        menu.destroyed.connect(lambda *_a: setattr(self, "context_menu", None))
        self.context_menu = menu
        return menu

    # ---------------------------------------------------------------- details
    def _open_details_at(self, index: QModelIndex) -> None:
        """Enter on a payment: the current row (where the keyboard is) is the one opened."""
        if index.isValid():
            self.table.selectRow(index.row())
            self._open_details()

    def _open_details(self) -> None:
        row = self.selected_row()
        if row is not None:
            self._spawn(self.show_details(row.id))

    async def load_details(self, payment_id: int, banner: Banner | None = None) -> PaymentDetails | None:
        assert self._search is not None
        try:
            return await self._search.details(payment_id)
        except PayAppError as exc:
            (banner or self.banner).show_error(user_text(exc))
            return None

    async def show_details(self, payment_id: int) -> PaymentDetailsDialog | None:
        details = await self.load_details(payment_id)
        if details is None:
            return None
        dlg = PaymentDetailsDialog(details, self._locale, self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.action_requested.connect(lambda action: self._spawn(self._details_action(dlg, action)))
        return_focus_on_close(dlg)               # Esc or Close: back to the payment's row
        dlg.open()
        return dlg

    async def _details_action(self, dlg: PaymentDetailsDialog, action: str) -> None:
        pid = dlg.details.row.id
        if action == "refund":
            done = await self.manage(pid, dlg)
            if done:
                dlg.close()
        elif action == "retry_sync":
            await self.retry_sync(pid, dlg.banner)
        elif action == "receipt_pdf":
            await self.save_receipt(dlg.details, dlg)
        elif action == "receipt_print":
            await self.print_receipt(dlg.details, dlg)

    # ---------------------------------------------------------------- manage
    def _on_refund_clicked(self) -> None:
        row = self.selected_row()
        if row is not None:
            self._spawn(self.manage(row.id, self))

    async def open_refund_dialog(self, details: PaymentDetails, parent: QWidget) -> RefundDialog:
        threshold = await self._approvals.threshold_minor() if self._approvals is not None else 0
        dlg = RefundDialog(details, self._locale, threshold, parent)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        return_focus_on_close(dlg)
        dlg.open()
        return dlg

    async def manage(self, payment_id: int, parent: QWidget) -> bool:
        """Void or refund: choose amount and reason, confirm amount and effect, then send (or ask for approval).
        Started from the details window, its problems are shown in that window, not behind it."""
        banner = self._banner_of(parent)
        details = await self.load_details(payment_id, banner)
        if details is None:
            return False
        if not (details.can_void or details.can_refund):
            banner.show_warning(self.tr("This payment cannot be voided or refunded."))
            return False
        dlg = await self.open_refund_dialog(details, parent)
        done: asyncio.Future[tuple[int, str, bool] | None] = asyncio.get_running_loop().create_future()

        def finished(result: int) -> None:   # read the choice now: the dialog deletes itself on close
            if not done.done():
                done.set_result((dlg.amount_minor(), dlg.reason(), dlg.reopen_invoice()) if result == 1 else None)

        dlg.finished.connect(finished)
        choice = await done
        if choice is None:
            return False
        amount, reason, reopen = choice
        r = details.row
        money = format_money(amount, r.currency, self._locale)
        needs_approval = self._approvals is not None and await self._approvals.needs_approval(amount)
        if details.can_void:
            title, yes = self.tr("Void this payment?"), self.tr("Void %1").replace("%1", money)
            text = self.tr("Void %1 on invoice %2 of %3?").replace("%1", money).replace(
                "%2", r.invoice_number).replace("%3", r.company_name)
            # Voids and refunds go to QuickBooks only: the one Autotask write is marking a paid invoice paid.
            effect = self.tr("The charge is cancelled before it settles; the invoice balance goes back up by %1 "
                             "and QuickBooks is corrected. Autotask keeps the invoice as it is.").replace("%1", money)
        else:
            title, yes = self.tr("Refund this payment?"), self.tr("Refund %1").replace("%1", money)
            text = self.tr("Refund %1 of %2 on invoice %3 of %4?").replace("%1", money).replace(
                "%2", format_money(r.amount_minor, r.currency, self._locale)).replace(
                "%3", r.invoice_number).replace("%4", r.company_name)
            if reopen:
                effect = self.tr("%1 goes back to the customer's %2 and the invoice is re-opened: its balance goes "
                                 "back up by %1 and the payment is voided in QuickBooks. Autotask keeps its paid "
                                 "date.").replace("%1", money).replace("%2", r.brand or self.tr("account"))
            else:
                effect = self.tr("%1 goes back to the customer's %2; the invoice stays paid and QuickBooks gets a "
                                 "refund receipt. Autotask keeps the invoice as it is.").replace(
                    "%1", money).replace("%2", r.brand or self.tr("account"))
        if needs_approval:
            yes = self.tr("Ask for approval")
            effect = self.tr("This amount needs another user's approval: nothing is sent until they approve it "
                             "under Pending approvals.")
        box = confirm_box(parent, title, text, yes, informative=effect)
        if await ask(box) != QMessageBox.StandardButton.Yes:
            return False
        return await self._send_manage(payment_id, amount if amount != r.refundable_minor else None, reason, banner,
                                       reopen_invoice=reopen)

    async def _send_manage(self, payment_id: int, amount_minor: int | None, reason: str,
                           banner: Banner | None = None, *, reopen_invoice: bool = False) -> bool:
        """Send the void or refund; a failure is shown in `banner` (the window it was asked in), the outcome of
        one that went through in this tab's banner (the details window closes then)."""
        where = banner if banner is not None and shiboken6.isValid(banner) else self.banner
        self.refund_button.setEnabled(False)
        try:
            if self._approvals is not None:
                outcome = await self._approvals.void_or_refund(payment_id, amount_minor, reason,
                                                               reopen_invoice=reopen_invoice)
                if outcome.needs_approval:
                    a = outcome.approval
                    self.banner.show_info(self.tr("Refund of %1 is waiting for another user's approval.").replace(
                        "%1", format_money(a.amount_minor, a.currency, self._locale)))
                    return True
                result = outcome.result
            else:
                assert self._services.payments is not None
                result = await self._services.payments.void_or_refund(payment_id, amount_minor, reason,
                                                                      reopen_invoice=reopen_invoice)
        except PayAppError as exc:
            (where if shiboken6.isValid(where) else self.banner).show_error(user_text(exc))
            return False
        finally:
            if shiboken6.isValid(self):
                self._update_actions()
        kind = {"approved": "success", "declined": "error", "error": "error"}.get(result.status, "warning")
        self.banner.show_message(kind, result.message)
        if where is not self.banner and shiboken6.isValid(where) and result.status != "approved":
            where.show_message(kind, result.message)
        self._reload_keep_position()
        return result.status == "approved"

    def _reload_keep_position(self) -> None:
        if self.model is not None:
            self.model.reload()
            self._refresh_totals()

    def _on_retry_clicked(self) -> None:
        row = self.selected_row()
        if row is not None:
            self._spawn(self.retry_sync(row.id, self.banner))

    async def retry_sync(self, payment_id: int, banner: Banner) -> None:
        assert self._search is not None
        try:
            n = await self._search.retry_sync(payment_id)
        except PayAppError as exc:
            banner.show_error(user_text(exc))
            return
        banner.show_success(self.tr("Sync will be tried again now (%1 job(s) queued).").replace("%1", str(n)))
        self._reload_keep_position()

    def _on_settle_clicked(self) -> None:
        self._spawn(self.settle_now())

    async def settle_now(self) -> None:
        """Demo only: the demo gateway's daily batch now; the grid shows what settled."""
        if self._demo_settlement is None:
            return
        self.settle_button.setEnabled(False)
        try:
            n = await self._demo_settlement.settle_now()
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
            return
        finally:
            self.settle_button.setEnabled(True)
        self.banner.show_success(self.tr("The demo gateway ran its daily settlement now (%n payment(s) settled).",
                                         "", n))
        self._reload_keep_position()

    # ---------------------------------------------------------------- receipt
    def email_receipt(self) -> ReceiptMailDialog | None:
        """E-mail receipt…: the selected payment's receipt PDF to the payer (a dialog, opened)."""
        row = self.selected_row()
        if row is None:
            return None
        title = f"{row.invoice_number} · {format_money(row.amount_minor, row.currency, self._locale)}"
        dialog = ReceiptMailDialog(self._services.invoice_mail, row.id, title, language=self._locale, parent=self)
        self.open_mail_dialogs.append(dialog)
        dialog.destroyed.connect(lambda *_a: self.open_mail_dialogs.remove(dialog)
                                 if dialog in self.open_mail_dialogs else None)
        dialog.open()
        return dialog

    def _on_receipt_clicked(self) -> None:
        row = self.selected_row()
        if row is None:
            return

        async def go() -> None:
            details = await self.load_details(row.id)
            if details is not None:
                await self.save_receipt(details, self)
        self._spawn(go())

    async def choose_file(self, parent: QWidget, caption: str, name: str, filters: str) -> str:
        dlg = QFileDialog(parent, caption, str(Path.home() / name), filters)
        dlg.setObjectName("saveFileDialog")
        dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        done: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        dlg.fileSelected.connect(lambda p: done.done() or done.set_result(p))
        dlg.finished.connect(lambda _r: done.done() or done.set_result(""))
        dlg.open()
        return await done

    async def _receipt(self, payment_id: int, banner: Banner) -> Receipt | None:
        """The payment's receipt (services/receipts.py), or None with the reason in `banner`."""
        try:
            return await self._services.receipts.receipt(payment_id)
        except PayAppError as exc:
            banner.show_error(user_text(exc))
            return None

    async def save_receipt(self, details: PaymentDetails, parent: QWidget, path: str = "") -> str:
        r = details.row
        path = path or await self.choose_file(parent, self.tr("Save receipt as PDF"),
                                              f"receipt-{r.transaction_id or r.id}.pdf", self.tr("PDF (*.pdf)"))
        if not path:
            return ""
        banner = self._banner_of(parent)
        receipt = await self._receipt(r.id, banner)
        if receipt is None:
            return ""
        try:
            await write_receipt_pdf(receipt, self._locale, path)
        except OSError as exc:
            banner.show_error(self.tr("The receipt could not be saved (%1).").replace("%1", str(exc)))
            return ""
        await self._audit(self._search.receipt_issued(r.id, printed=False) if self._search else None)
        banner.show_success(self.tr("Receipt saved to %1.").replace("%1", path))
        return path

    async def print_receipt(self, details: PaymentDetails, parent: QWidget) -> bool:
        """Print the receipt through the system print dialog (opened with open(), awaited)."""
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dlg = QPrintDialog(printer, parent)
        dlg.setObjectName("printReceiptDialog")
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        dlg.finished.connect(lambda r: done.done() or done.set_result(r == 1))
        QDialog.open(dlg)        # QPrintDialog.open(receiver, member) hides QDialog's open() in PySide6
        try:
            if not await done:
                return False
        finally:
            dlg.deleteLater()    # not before the answer: the dialog writes its choices into `printer`
        banner = self._banner_of(parent)
        to_file = printer.outputFormat() == QPrinter.OutputFormat.PdfFormat
        if to_file and (not printer.outputFileName() or Path(printer.outputFileName()).is_dir()):
            # Without a printer the dialog offers only "Print to File (PDF)", named after a folder.
            banner.show_error(self.tr("Nothing was printed: choose a printer, or a file name for the PDF."))
            return False
        receipt = await self._receipt(details.row.id, banner)
        if receipt is None:
            return False
        receipt_document(receipt, self._locale).print_(printer)
        if printer.printerState() == QPrinter.PrinterState.Error:
            banner.show_error(self.tr("The receipt could not be printed. Check the printer and try again."))
            return False
        await self._audit(self._search.receipt_issued(details.row.id, printed=True) if self._search else None)
        banner.show_success(self.tr("Receipt sent to the printer."))
        return True

    def _banner_of(self, parent: QWidget) -> Banner:
        """Where a receipt action reports: the dialog it was started from (the details window) if it has a banner,
        else this tab's."""
        banner = getattr(parent, "banner", None)
        return banner if isinstance(banner, Banner) else self.banner

    async def _audit(self, entry: Awaitable[None] | None) -> None:
        """Await one of the search service's audit calls; a refusal shows in the banner, the action stays done."""
        if entry is None:
            return
        try:
            await entry
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))

    # ---------------------------------------------------------------- export
    def _on_export(self, fmt: str) -> None:
        async def go() -> None:
            name = f"payments-{dt.date.today().isoformat()}.{fmt}"
            filters = self.tr("CSV (*.csv)") if fmt == "csv" else self.tr("Excel workbook (*.xlsx)")
            path = await self.choose_file(self, self.tr("Export payments"), name, filters)
            if path:
                await self.export_to(Path(path), fmt)
        self._spawn(go())

    async def export_to(self, path: Path, fmt: str) -> int:
        """Export the current filter (all rows) with progress in the tab; Cancel stops it."""
        assert self._search is not None and self.model is not None
        search = self._search
        query = self.model.query
        # The rows start at once; the count (seconds without a date filter) arrives beside them and turns the
        # busy bar into "n of m".
        self.export_progress.setRange(0, 0)
        self.export_progress.setValue(0)
        self.export_progress.setFormat(self.tr("Exporting %v of %m"))
        self.export_progress.show()
        self.export_cancel.show()
        written = [0]

        def progress(done: int, _total: int) -> None:
            written[0] = done
            if self.export_progress.maximum() > 0:
                self.export_progress.setValue(min(done, self.export_progress.maximum()))

        async def count() -> None:
            try:
                total = (await search.totals(query)).count
            except PayAppError:
                return                          # the bar stays busy; the export does not need the count
            self.export_progress.setRange(0, max(total, 1))
            self.export_progress.setValue(min(written[0], max(total, 1)))

        counting = self._spawn(count())
        self._export_task = asyncio.ensure_future(export_payments(search, query, path, fmt, on_progress=progress))
        self._update_actions()
        try:
            n = await self._export_task
        except asyncio.CancelledError:
            self.banner.show_info(self.tr("Export cancelled; no file was written."))
            return 0
        except OSError as exc:
            self.banner.show_error(self.tr("The export could not be written (%1).").replace("%1", str(exc)))
            return 0
        finally:
            counting.cancel()
            self._export_task = None
            self.export_progress.hide()
            self.export_cancel.hide()
            self._update_actions()
        await self._audit(search.export_written(fmt, n, query))
        self.banner.show_success(self.tr("Exported %1 payments to %2.").replace("%1", str(n)).replace(
            "%2", str(path)))
        return n

    def cancel_export(self) -> None:
        if self._export_task is not None:
            self._export_task.cancel()

    # ---------------------------------------------------------------- approvals
    def _open_approvals(self) -> None:
        self._spawn(self.show_approvals())

    async def show_approvals(self) -> PendingApprovalsDialog:
        can = self._services.current_user.can(Permission.APPROVE_REFUND)
        dlg = PendingApprovalsDialog(self._locale, can, self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        return_focus_on_close(dlg)
        dlg.approve_requested.connect(lambda aid: self._spawn(self._approve(dlg, aid)))
        dlg.reject_requested.connect(lambda aid: self._spawn(self._reject(dlg, aid)))
        await self._fill_approvals(dlg)
        dlg.open()
        return dlg

    async def _fill_approvals(self, dlg: PendingApprovalsDialog) -> None:
        if self._approvals is None:
            return
        try:
            dlg.set_rows(await self._approvals.pending())
        except PayAppError as exc:
            dlg.banner.show_error(user_text(exc))

    async def _approve(self, dlg: PendingApprovalsDialog, approval_id: int) -> None:
        a = next((x for x in await self._approvals.pending() if x.id == approval_id), None)
        if a is None:
            return
        money = format_money(a.amount_minor, a.currency, self._locale)
        box = confirm_box(dlg, self.tr("Approve refund?"),
                          self.tr("Send the refund of %1 on invoice %2 of %3 to the gateway?").replace(
                              "%1", money).replace("%2", a.invoice_number).replace("%3", a.company_name),
                          self.tr("Approve and refund %1").replace("%1", money),
                          informative=self.tr("Requested by %1. The money goes back to the customer and the invoice "
                                              "balance goes back up.").replace("%1", a.requested_by_name))
        if await ask(box) != QMessageBox.StandardButton.Yes:
            return
        try:
            result = await self._approvals.approve(approval_id)
        except PayAppError as exc:
            dlg.banner.show_error(user_text(exc))
            return
        kind = {"approved": "success", "declined": "error", "error": "error"}.get(result.status, "warning")
        dlg.banner.show_message(kind, result.message)
        await self._fill_approvals(dlg)
        self._reload_keep_position()

    async def _reject(self, dlg: PendingApprovalsDialog, approval_id: int) -> None:
        try:
            await self._approvals.reject(approval_id)
        except PayAppError as exc:
            dlg.banner.show_error(user_text(exc))
            return
        dlg.banner.show_success(self.tr("Request rejected; nothing was refunded."))
        await self._fill_approvals(dlg)

    # ---------------------------------------------------------------- screenshots / tests
    async def wait_ready(self) -> None:
        if self.model is None:
            return
        self._start()
        for _ in range(500):
            await self.model.wait_idle()
            if (self._totals_task is None or self._totals_task.done()) and not self.model.loading:
                return
            await asyncio.sleep(0.01)

    async def screenshot_states(self) -> list[tuple[str, QWidget]]:
        if self.model is None or self.model.rowCount() == 0:
            return []
        states: list[tuple[str, QWidget]] = []
        row = next((self.model.row_at(i) for i in range(self.model.rowCount())
                    if (x := self.model.row_at(i)) is not None and x.refunded_minor), self.model.row_at(0))
        assert row is not None
        details_dlg = await self.show_details(row.id)
        if details_dlg is not None:
            details_dlg.resize(900, 640)
            states.append(("paymentDetailsDialog", details_dlg))
        target = next((self.model.row_at(i) for i in range(self.model.rowCount())
                       if (x := self.model.row_at(i)) is not None and x.status == "settled"), None)
        if target is not None:
            details = await self.load_details(target.id)
            if details is not None:
                refund = await self.open_refund_dialog(details, self)
                refund.partial.setChecked(True)
                refund.amount_edit.setText(format_amount_input(1000, details.row.currency, self._locale))
                refund.reason_edit.setText(self.tr("Service credit"))
                states.append(("refundDialog", refund))
        states.append(("pendingApprovalsDialog", await self.show_approvals()))
        return states

    def shutdown(self) -> None:
        """Cancel page loads, totals and exports (window closing)."""
        if self.model is not None:
            self.model.close()
        self.work.cancel_all()
        self.cancel_export()

"""Payment Search tab: filter payments, see count and sums, inspect one, void/refund, retry sync, receipt,
export; refunds waiting for a second user's approval. The filters (payment_filters.PaymentFilterBar) and the
actions under the grid (payment_actions.PaymentActions) are parts of their own; the tab holds the grid and its
totals and runs the search the filters describe."""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QVBoxLayout, QWidget

from payapp.domain.errors import PayAppError, ValidationError
from payapp.domain.money import format_amount_input, format_money
from payapp.services.context import Services
from payapp.services.payment_search import PaymentQuery, PaymentTotals
from payapp.ui.async_work import WidgetTasks
from payapp.ui.i18n import format_count
from payapp.ui.lazy_model import ColumnChooser, LazyTableView
from payapp.ui.messages import user_text
from payapp.ui.payments.payment_actions import PaymentActions
from payapp.ui.payments.payment_filters import PaymentFilterBar
from payapp.ui.payments.payment_model import SYNC_LABELS, PaymentTableModel, method_label, status_label, tr
from payapp.ui.widgets import Banner, EmptyState, set_column_widths
from payapp.ui.window_state import WindowState


class PaymentSearchTab(QWidget):
    def __init__(self, services: Services, window_state: WindowState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paymentSearchTabPage")
        self._services = services
        self._state = window_state
        self._locale = services.locale
        self._search = services.payment_search
        self.work = WidgetTasks(self)      # its tasks end with the tab
        self._totals_task: asyncio.Task[None] | None = None
        self.columns: ColumnChooser | None = None
        self._currency = "USD"                 # until _load_currency has read the processing currency
        self.banner = Banner(self, "paymentSearchBanner")
        self.banner.action_clicked.connect(self._on_banner_action)

        # ---------------------------------------------------------------- filters (saved searches kept per user)
        actor = services.current_user.actor
        self._user_state = window_state.for_user(actor.username if actor else "")
        self.filters = PaymentFilterBar(self._user_state, self._locale, self)
        self.filters.apply_requested.connect(self.apply_filters)
        self.filters.message.connect(self.banner.show_message)

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
            self.table.doubleClicked.connect(lambda _i: self.actions.open_details())
            self.table.enter_pressed.connect(self._open_details_at)              # Enter opens the details
            # right-click, the Menu key or Shift+F10 (LazyTableView) on a payment
            self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            self.table.customContextMenuRequested.connect(self._on_context_menu)
            self.table.selectionModel().selectionChanged.connect(lambda *_: self.actions.update_buttons())

        # ---------------------------------------------------------------- totals
        self.totals_label = QLabel(self)
        self.totals_label.setObjectName("totalsLabel")
        self.totals_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.totals_label.setToolTip(self.tr("Sales: approved and settled payments, refunded ones included; voided, "
                                             "declined, failed and returned payments are left out."))

        # ---------------------------------------------------------------- actions
        self.actions = PaymentActions(services, self.banner, self.work, self, selected_row=self.selected_row,
                                      query=lambda: self.model.query if self.model is not None else None,
                                      reload=self._reload_keep_position)

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.filters)
        layout.addWidget(self.totals_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1)
        layout.addWidget(self.actions)

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
            if self.filters.amounts_given():
                self.apply_filters()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._start()

    # ---------------------------------------------------------------- helpers
    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        return self.work.spawn(coro)

    def selected_row(self) -> Any:
        if self.model is None:
            return None
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    # ---------------------------------------------------------------- filters
    def build_query(self) -> PaymentQuery:
        """The query the filter widgets describe; raises ValidationError for a bad amount or last four."""
        base = self.model.query if self.model is not None else PaymentQuery()
        return self.filters.build_query(self._currency, base)

    def apply_filters(self) -> None:
        self.filters.stop_waiting()
        if self.model is None:
            return
        try:
            query = self.build_query()
        except ValidationError as exc:
            self.filters.show_error(user_text(exc))
            return
        self.filters.filters_accepted()
        if query == self.model.query:
            return
        self.model.set_query(query)
        if self._started:
            self._refresh_totals()
        else:
            self._start()
        self.actions.update_buttons()

    def clear_filters(self) -> None:
        self.filters.clear()

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
        self.actions.update_buttons()

    def _on_banner_action(self) -> None:
        self.banner.clear()
        if self.model is not None:
            self.model.retry()

    # ---------------------------------------------------------------- context menu and details
    def _on_context_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if self.model is None or not index.isValid():
            return
        self.table.setCurrentIndex(index)
        self.table.selectRow(index.row())
        menu = self.actions.build_context_menu()
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def _open_details_at(self, index: QModelIndex) -> None:
        """Enter on a payment: the current row (where the keyboard is) is the one opened."""
        if index.isValid():
            self.table.selectRow(index.row())
            self.actions.open_details()

    # ---------------------------------------------------------------- after an action
    def _reload_keep_position(self) -> None:
        if self.model is not None:
            self.model.reload()
            self._refresh_totals()

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
        details_dlg = await self.actions.show_details(row.id)
        if details_dlg is not None:
            details_dlg.resize(900, 640)
            states.append(("paymentDetailsDialog", details_dlg))
        target = next((self.model.row_at(i) for i in range(self.model.rowCount())
                       if (x := self.model.row_at(i)) is not None and x.status == "settled"), None)
        if target is not None:
            details = await self.actions.load_details(target.id)
            if details is not None:
                refund = await self.actions.open_refund_dialog(details, self)
                refund.partial.setChecked(True)
                refund.amount_edit.setText(format_amount_input(1000, details.row.currency, self._locale))
                refund.reason_edit.setText(self.tr("Service credit"))
                states.append(("refundDialog", refund))
        states.append(("pendingApprovalsDialog", await self.actions.show_approvals()))
        return states

    def shutdown(self) -> None:
        """Cancel page loads, totals and exports (window closing)."""
        if self.model is not None:
            self.model.close()
        self.work.cancel_all()
        self.actions.cancel_export()

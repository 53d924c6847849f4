"""Invoice History: every invoice, a page at a time, searched, filtered and sorted by the database.

Right-click an invoice (or press the Menu key or Shift+F10) to pay it, open it, copy its number, or copy or
revoke its client-portal payment link (Ctrl+Shift+L copies the selected invoice's link); Enter or a double-click
opens it; Ctrl+P (the main window's Receive payment) pays the selected one."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QDate, QItemSelectionModel, QModelIndex, QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QHideEvent, QKeyEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from payapp.domain.errors import ConflictError, PayAppError, PermissionDenied
from payapp.domain.money import format_money
from payapp.domain.roles import Permission
from payapp.services.context import Services
from payapp.services.invoices import UNPAID, InvoiceQuery, InvoiceRow
from payapp.services.payment_links import IssuedLink, LinkState
from payapp.services.settings import ProcessingStatus
from payapp.ui.async_work import WidgetTasks
from payapp.ui.i18n import date_edit_format, format_count, format_day
from payapp.ui.invoices.invoice_model import (
    DEFAULT_SORT_COLUMN,
    ROW_ROLE,
    STATUS_LABELS,
    InvoiceTableModel,
    status_label,
)
from payapp.ui.invoices.invoice_view import InvoiceView
from payapp.ui.invoices.mail_links_dialog import EmailLinksDialog
from payapp.ui.invoices.pay_rule import pay_block_reason
from payapp.ui.invoices.payment_dialog import PaymentDialog, open_payment_dialog
from payapp.ui.lazy_model import ColumnChooser, LazyTableView
from payapp.ui.messages import user_text
from payapp.ui.payments.saved_methods_dialog import SavedMethodsDialog, open_saved_methods
from payapp.ui.widgets import (
    Banner,
    EmptyState,
    ask,
    confirm_box,
    fit_placeholder,
    return_focus_on_close,
    set_column_widths,
)
from payapp.ui.window_state import WindowState

log = logging.getLogger(__name__)
HEADER_KEY = "invoiceHistory"
SEARCH_DELAY_MS = 250
COPY_LINK_SHORTCUT = "Ctrl+Shift+L"


class _Table(LazyTableView):
    """Enter opens the current invoice (QTableView would only move the cursor)."""

    def __init__(self, tab: InvoiceHistoryTab) -> None:
        super().__init__(tab)
        self._tab = tab

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._tab.open_invoice_at(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)


class InvoiceHistoryTab(QWidget):
    def __init__(self, services: Services, window_state: WindowState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("invoiceHistoryTab")
        self._services = services
        self._state = window_state
        self._status: ProcessingStatus | None = None
        self.work = WidgetTasks(self)      # its tasks end with the tab
        self._totals_generation = 0
        self._totals_task: asyncio.Task[Any] | None = None
        self.context_menu: QMenu | None = None
        self.open_views: list[InvoiceView] = []
        self.open_payments: list[PaymentDialog] = []
        self.open_mail_dialogs: list[EmailLinksDialog] = []
        # the payment-link state of invoices whose menu was opened (PaymentLinkService.state)
        self._link_states: dict[int, LinkState] = {}
        self._banner_action: Callable[[], object] | None = None
        self.model = InvoiceTableModel(services.invoices, locale=services.locale, parent=self)

        layout = QVBoxLayout(self)
        self.banner = Banner(self, "invoiceHistoryBanner")
        self.banner.action_clicked.connect(self._on_banner_action)
        layout.addWidget(self.banner)
        layout.addLayout(self._build_filters())

        self.table = _Table(self)
        self.table.setObjectName("invoiceTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # several invoices at once for "E-mail payment link…" (Ctrl/Shift+click); the rest acts on the current row
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._on_context_menu)
        self.table.doubleClicked.connect(self.open_invoice_at)
        self.table.setAccessibleName(self.tr("Invoices"))
        header = self.table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        set_column_widths(self.table, (110, 120, 260, 100, 100, 120, 120, 120, 110, 80),
                          {8: status_label("partially_paid")})
        header.setSortIndicator(DEFAULT_SORT_COLUMN, Qt.SortOrder.DescendingOrder)
        actor = services.current_user.actor       # hidden columns: per user (header menu, View › Columns…)
        self.columns = ColumnChooser(self.table, window_state.for_user(actor.username if actor else ""),
                                     HEADER_KEY, save_layout=self.save_layout)
        if not self._state.restore_header(header, HEADER_KEY):
            self.table.enable_auto_fit((2, 8))          # company and status give room at 1280 px
        self.columns.restore()
        self.table.setSortingEnabled(True)    # asks the model to sort: the first page is read in SQL
        self._save_header_timer = QTimer(self, singleShot=True, interval=400)
        self._save_header_timer.timeout.connect(self.save_layout)
        for sig in (header.sectionMoved, header.sectionResized, header.sortIndicatorChanged):
            sig.connect(lambda *_a: self._save_header_timer.start())

        self.empty = EmptyState("", self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)
        layout.addWidget(self.stack, 1)

        self.model.load_failed.connect(self._on_load_failed)
        self.model.loading_changed.connect(self._update_empty)
        self.model.modelReset.connect(self._update_empty)
        self.model.rowsInserted.connect(self._update_empty)
        self.model.query_changed.connect(self._reload_totals)

        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.activated.connect(self.focus_search)
        copy_link = QShortcut(QKeySequence(COPY_LINK_SHORTCUT), self)
        copy_link.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        copy_link.activated.connect(self.copy_selected_payment_link)

    # ------------------------------------------------------------------ filter bar

    def _build_filters(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("invoiceSearchEdit")
        self.search_edit.setPlaceholderText(self.tr("Search invoice no., company or QuickBooks no. (Ctrl+F)"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(300)
        fit_placeholder(self.search_edit)
        self.search_edit.setAccessibleName(self.tr("Search invoices"))
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filters)
        self.search_edit.textChanged.connect(lambda _t: self._search_timer.start())
        self.search_edit.returnPressed.connect(self._search_enter)

        self.status_combo = QComboBox(self)
        self.status_combo.setObjectName("statusFilterCombo")
        self.status_combo.addItem(self.tr("Any status"), "")
        # "All unpaid": open, partly paid and overdue together; "Overdue" is the one overdue control (#15.9)
        self.status_combo.addItem(self.tr("All unpaid"), UNPAID)
        for key in STATUS_LABELS:
            self.status_combo.addItem(status_label(key), key)
        self.status_combo.setAccessibleName(self.tr("Status"))
        self.status_combo.currentIndexChanged.connect(lambda _i: self.apply_filters())

        self.date_check = QCheckBox(self.tr("Invoice date"), self)
        self.date_check.setObjectName("dateRangeCheck")
        self.date_from = QDateEdit(self)
        self.date_from.setObjectName("dateFromEdit")
        self.date_to = QDateEdit(self)
        self.date_to.setObjectName("dateToEdit")
        today = QDate.currentDate()
        self.date_from.setDate(today.addMonths(-3))
        self.date_to.setDate(today)
        for edit in (self.date_from, self.date_to):
            edit.setDisplayFormat(date_edit_format(self._services.locale))
            edit.setCalendarPopup(True)
            edit.setEnabled(False)
            edit.dateChanged.connect(lambda _d: self.apply_filters())
        self.date_from.setAccessibleName(self.tr("Invoice date from"))
        self.date_to.setAccessibleName(self.tr("Invoice date to"))
        self.date_check.toggled.connect(self._date_toggled)

        self.totals_label = QLabel(self)
        self.totals_label.setObjectName("invoiceTotals")
        self.totals_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        bar.addWidget(self.search_edit, 2)
        bar.addWidget(self.status_combo)
        bar.addWidget(self.date_check)
        bar.addWidget(self.date_from)
        bar.addWidget(QLabel("–", self))
        bar.addWidget(self.date_to)
        bar.addStretch(1)
        bar.addWidget(self.totals_label)
        return bar

    def _date_toggled(self, on: bool) -> None:
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
        self.apply_filters()

    def _search_enter(self) -> None:
        self._search_timer.stop()
        self.apply_filters()
        self.table.setFocus()

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def current_query(self) -> InvoiceQuery:
        date_from = date_to = None
        if self.date_check.isChecked():
            date_from = self.date_from.date().toPython()
            date_to = self.date_to.date().toPython()
            assert isinstance(date_from, dt.date) and isinstance(date_to, dt.date)
        return InvoiceQuery(text=self.search_edit.text().strip(), status=str(self.status_combo.currentData() or ""),
                            date_from=date_from, date_to=date_to)

    def apply_filters(self) -> None:
        self._search_timer.stop()
        self.model.set_query(self.current_query())

    def _filtered(self) -> bool:
        q = self.model.query
        return bool(q.text or q.status or q.date_from or q.date_to or q.overdue_only)

    # ------------------------------------------------------------------ totals, empty state, errors

    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        return self.work.spawn(coro)

    def _reload_totals(self) -> None:
        self._totals_generation += 1
        self.totals_label.setText(self.tr("Counting…"))
        if self._totals_task is not None:
            self._totals_task.cancel()      # a superseded COUNT over a million invoices is stopped, not finished
        with contextlib.suppress(RuntimeError):        # no event loop yet: the first show() retries
            self._totals_task = self._spawn(self._load_totals(self._totals_generation, self.model.query))

    async def _load_totals(self, generation: int, query: InvoiceQuery) -> None:
        invoices = self._services.invoices
        assert invoices is not None
        try:
            count, balance = await invoices.totals(query)
            status = await self._services.settings.processing_status()
        except PayAppError as exc:
            if generation == self._totals_generation:
                self.totals_label.setText(user_text(exc))
            return
        self._status = status
        if generation != self._totals_generation:
            return
        currency = status.currency or "USD"
        # The count picks the plural form; Babel writes the number the locale's way (1.234 in German).
        self.totals_label.setText(self.tr("%1 invoice(s) · balance %2", "", count)
                                  .replace("%1", format_count(count, self._services.locale))
                                  .replace("%2", format_money(balance, currency, self._services.locale)))
        self.totals = (count, balance)

    def _update_empty(self, *_args: object) -> None:
        empty = self.model.rowCount() == 0 and not self.model.loading and self.model.exhausted
        if empty:
            if self._filtered():
                self.empty.setText(self.tr("No invoice matches these filters.\n"
                                           "Clear the search box, choose “Any status” or widen the date range."))
            else:
                self.empty.setText(self.tr("No invoices yet.\nInvoices arrive from Autotask: an admin connects "
                                           "Autotask and runs a sync in Admin."))
        self.stack.setCurrentIndex(1 if empty else 0)

    def _on_load_failed(self, message: str) -> None:
        self._banner_action = self._retry
        self.banner.show_error(message, self.tr("Retry"))

    def _on_banner_action(self) -> None:
        action, self._banner_action = self._banner_action, None
        (action or self._retry)()

    def _retry(self) -> None:
        self.banner.clear()
        self.model.retry()

    # ------------------------------------------------------------------ context menu and actions

    def row_for(self, index: QModelIndex) -> InvoiceRow | None:
        row = self.model.data(index, ROW_ROLE) if index.isValid() else None
        return row if isinstance(row, InvoiceRow) else None

    def pay_reason(self, row: InvoiceRow) -> str:
        return pay_block_reason(self._status, self._services.current_user, row.balance_minor,
                                voided=row.status == "voided")

    @asyncSlot(QPoint)
    async def _on_context_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        row = self.row_for(index)
        if row is None:
            return
        if self.table.selectionModel().isRowSelected(index.row(), QModelIndex()):
            # a right-click inside a selection of several keeps them selected (E-mail payment link… acts on all)
            self.table.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
        else:
            self.table.setCurrentIndex(index)
        with contextlib.suppress(PayAppError):
            self._status = await self._services.settings.processing_status()
        await self.load_link_state(row.id)
        if not shiboken6.isValid(self):
            return
        menu = self.build_context_menu(row)
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def build_context_menu(self, row: InvoiceRow) -> QMenu:
        if self.context_menu is not None:
            self.context_menu.close()
            self.context_menu.deleteLater()
        menu = QMenu(self)
        menu.setObjectName("invoiceContextMenu")
        menu.setToolTipsVisible(True)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        pay = QAction(self.tr("Receive payment…"), menu)
        pay.setObjectName("processPaymentAction")
        pay.setShortcuts([QKeySequence("Ctrl+P")])        # shown in the menu; the main window's action has it
        reason = self.pay_reason(row)
        pay.setEnabled(not reason)
        if reason:
            pay.setToolTip(reason)
            pay.setStatusTip(reason)
        pay.triggered.connect(lambda: self.process_payment(row.id))
        view = QAction(self.tr("View invoice"), menu)
        view.setObjectName("viewInvoiceAction")
        view.triggered.connect(lambda: self.open_invoice(row.id))
        saved = QAction(self.tr("Saved payment methods…"), menu)
        saved.setObjectName("savedMethodsAction")
        saved.setToolTip(self.tr("The cards and bank accounts saved for %1").replace("%1", row.company_name))
        saved.triggered.connect(lambda: self.open_saved_methods(row.company_id, row.company_name))
        copy = QAction(self.tr("Copy invoice number"), menu)
        copy.setObjectName("copyInvoiceNumberAction")
        copy.triggered.connect(lambda: QGuiApplication.clipboard().setText(row.invoice_number))
        menu.addAction(pay)
        menu.addAction(view)
        menu.addAction(saved)
        menu.addSeparator()
        menu.addAction(copy)
        self._add_link_actions(menu, row)
        menu.destroyed.connect(lambda *_a: setattr(self, "context_menu", None))
        self.context_menu = menu
        return menu

    def open_saved_methods(self, company_id: int, company_name: str,
                           parent: QWidget | None = None) -> asyncio.Task[SavedMethodsDialog]:
        """The company's saved payment methods (issue #15.13), over the invoice window it was asked from."""
        return self._spawn(open_saved_methods(self._services, company_id, company_name, parent or self))

    # ------------------------------------------------------------------ client-portal payment links

    def can_send_links(self) -> bool:
        return self._services.current_user.can(Permission.TAKE_PAYMENT)

    def link_reason(self, row: InvoiceRow) -> str:
        """Why no payment link can be copied for `row` ("" when one can)."""
        if not self.can_send_links():
            return self.tr("Your role cannot send payment links.")
        if row.status == "voided":
            return self.tr("Invoice %1 is voided: there is nothing to pay.").replace("%1", row.invoice_number)
        if row.balance_minor <= 0:
            return self.tr("Invoice %1 is paid in full: there is nothing to pay.").replace("%1", row.invoice_number)
        return ""

    async def load_link_state(self, invoice_id: int) -> LinkState | None:
        try:
            state = await self._services.payment_links.state(invoice_id)
        except PayAppError:
            self._link_states.pop(invoice_id, None)
            return None
        self._link_states[invoice_id] = state
        return state

    def _add_link_actions(self, menu: QMenu, row: InvoiceRow) -> None:
        """Copy payment link and Revoke payment link (hidden for a role that takes no payments: the service
        refuses it anyway)."""
        visible = self.can_send_links()
        copy_link = QAction(self.tr("Copy payment link"), menu)
        copy_link.setObjectName("copyPaymentLinkAction")
        copy_link.setShortcuts([QKeySequence(COPY_LINK_SHORTCUT)])
        reason = self.link_reason(row)
        copy_link.setEnabled(not reason)
        copy_link.setToolTip(reason or self.tr("Copy a link to this invoice in the client portal, to send to the "
                                               "client"))
        copy_link.setStatusTip(reason)
        copy_link.setVisible(visible)
        copy_link.triggered.connect(lambda: self.copy_payment_link(row.id))
        revoke = QAction(self.tr("Revoke payment link…"), menu)
        revoke.setObjectName("revokePaymentLinkAction")
        state = self._link_states.get(row.id)
        active = state is not None and state.active > 0
        revoke.setEnabled(visible and active)
        if not active:
            revoke.setToolTip(self.tr("No payment link of this invoice works now."))
        revoke.setVisible(visible)
        revoke.triggered.connect(lambda: self.revoke_payment_link(row.id, row.invoice_number))
        selected = self.selected_invoice_ids() or [row.id]
        if row.id not in selected:
            selected = [row.id]
        email = QAction(self.tr("E-mail payment link…") if len(selected) == 1
                        else self.tr("E-mail payment links (%1 invoices)…").replace("%1", str(len(selected))), menu)
        email.setObjectName("emailPaymentLinkAction")
        email.setToolTip(self.tr("E-mail the client a link to pay in the client portal"))
        email.setVisible(visible)
        email.triggered.connect(lambda: self.email_payment_links(selected))
        menu.addSeparator()
        menu.addAction(copy_link)
        menu.addAction(email)
        menu.addAction(revoke)

    def selected_invoice_ids(self) -> list[int]:
        """The selected invoices, top to bottom."""
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        out = [r.id for r in (self.row_for(self.model.index(i, 0)) for i in rows) if r is not None]
        return list(dict.fromkeys(out))

    def email_payment_links(self, invoice_ids: list[int] | None = None) -> EmailLinksDialog | None:
        """E-mail payment link… for `invoice_ids` (the selected invoices by default): the dialog, opened."""
        ids = invoice_ids if invoice_ids is not None else self.selected_invoice_ids()
        if not ids:
            self.banner.show_info(self.tr("Select one or more invoices first (Ctrl+click selects several)."))
            return None
        dialog = EmailLinksDialog(self._services.invoice_mail, ids, language=self._services.locale, parent=self)
        self.open_mail_dialogs.append(dialog)
        dialog.destroyed.connect(lambda *_a: self.open_mail_dialogs.remove(dialog)
                                 if dialog in self.open_mail_dialogs else None)
        dialog.open()
        return dialog

    def copy_selected_payment_link(self) -> asyncio.Task[Any] | None:
        """Ctrl+Shift+L: the selected invoice's payment link to the clipboard."""
        row = self.row_for(self.table.currentIndex())
        if row is None:
            self.banner.show_info(self.tr("Select an invoice in the list first, then press %1 to copy its "
                                          "payment link.").replace("%1", QKeySequence(COPY_LINK_SHORTCUT)
                                                                   .toString(QKeySequence.SequenceFormat
                                                                             .NativeText)))
            return None
        return self.copy_payment_link(row.id)

    def copy_payment_link(self, invoice_id: int, banner: Banner | None = None) -> asyncio.Task[Any]:
        return self._spawn(self._copy_payment_link(invoice_id, banner))

    def _target(self, banner: Banner | None) -> Banner:
        return banner if banner is not None and shiboken6.isValid(banner) else self.banner

    async def _copy_payment_link(self, invoice_id: int, banner: Banner | None = None) -> IssuedLink | None:
        """PaymentLinkService.issue → the clipboard, and a message with the expiry date. The link is never
        logged nor kept here: it is a credential."""
        invoices = self._services.invoices
        assert invoices is not None
        try:
            row = await invoices.row(invoice_id)
            reason = self.link_reason(row)
            if reason:
                if shiboken6.isValid(self):
                    self._target(banner).show_message("warning", reason)
                return None
            link = await self._services.payment_links.issue(invoice_id)
        except ConflictError:
            if shiboken6.isValid(self):
                self._portal_address_missing(self._target(banner))
            return None
        except PermissionDenied:
            if shiboken6.isValid(self):
                self._target(banner).show_error(self.tr("Your role cannot send payment links."))
            return None
        except PayAppError as exc:
            if shiboken6.isValid(self):
                self._target(banner).show_error(user_text(exc))
            return None
        if not shiboken6.isValid(self):
            return link
        QGuiApplication.clipboard().setText(link.url)
        expires = link.expires_at if link.expires_at.tzinfo else link.expires_at.replace(tzinfo=dt.UTC)
        until = format_day(expires.astimezone().date(), self._services.locale)
        text = (self.tr("Payment link of invoice %1 copied: paste it into your message to the client. It works "
                        "until %2.").replace("%1", link.invoice_number).replace("%2", until))
        self._target(banner).show_success(text)
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(text, 15000)
        await self._link_changed(invoice_id)
        return link

    def _portal_address_missing(self, banner: Banner) -> None:
        text = self.tr("The client portal's address is not set yet, so there is no link to copy.")
        if self._services.current_user.can(Permission.ADMINISTER):
            if banner is self.banner:
                self._banner_action = self.open_portal_settings
            banner.show_error(text + " " + self.tr("Set it in Admin › Client Portal."),
                              self.tr("Open Admin › Client Portal"))
        else:
            banner.show_error(text + " " + self.tr("Ask an admin to set it in Admin › Client Portal."))

    def open_portal_settings(self) -> bool:
        """Admin › Client Portal in the main window (for the "address not set" message)."""
        window = self.window()
        tabs = window.findChild(QTabWidget, "mainTabs")
        admin = window.findChild(QWidget, "adminTab")
        if tabs is None or admin is None or not hasattr(admin, "show_page"):
            return False
        tabs.setCurrentWidget(admin)
        try:
            admin.show_page("clientPortalPage")
        except KeyError:
            return False
        return True

    def revoke_payment_link(self, invoice_id: int, invoice_number: str, banner: Banner | None = None,
                            parent: QWidget | None = None) -> asyncio.Task[Any]:
        return self._spawn(self._revoke_payment_link(invoice_id, invoice_number, banner, parent))

    async def _revoke_payment_link(self, invoice_id: int, invoice_number: str, banner: Banner | None = None,
                                   parent: QWidget | None = None) -> int | None:
        box = confirm_box(parent if parent is not None and shiboken6.isValid(parent) else self,
                          self.tr("Revoke payment link"),
                          self.tr("Revoke the payment links of invoice %1?").replace("%1", invoice_number),
                          self.tr("Revoke"),
                          informative=self.tr("A client who opens a link of this invoice is told it no longer "
                                              "works. You can copy a new link afterwards."))
        box.setObjectName("revokeLinkConfirm")
        if await ask(box) != QMessageBox.StandardButton.Yes:
            return None
        try:
            count = await self._services.payment_links.revoke(invoice_id)
        except PermissionDenied:
            if shiboken6.isValid(self):
                self._target(banner).show_error(self.tr("Your role cannot revoke payment links."))
            return None
        except PayAppError as exc:
            if shiboken6.isValid(self):
                self._target(banner).show_error(user_text(exc))
            return None
        if not shiboken6.isValid(self):
            return count
        if count:
            self._target(banner).show_success(self.tr("Revoked %n payment link(s) of invoice %1.", "", count)
                                              .replace("%1", invoice_number))
        else:
            self._target(banner).show_info(self.tr("Invoice %1 had no payment link that still works.")
                                           .replace("%1", invoice_number))
        await self._link_changed(invoice_id)
        return count

    async def _link_changed(self, invoice_id: int) -> None:
        await self.load_link_state(invoice_id)
        for view in list(self.open_views):
            if shiboken6.isValid(view) and view.detail is not None and view.detail.row.id == invoice_id:
                await view.load_link_state()

    def open_invoice_at(self, index: QModelIndex) -> None:
        row = self.row_for(index)
        if row is not None:
            self.open_invoice(row.id)

    def open_invoice(self, invoice_id: int) -> asyncio.Task[Any]:
        view = InvoiceView(self._services, self)
        # a payment asked for in the invoice window reports its errors in that window, not behind it
        view.pay_requested.connect(lambda invoice, v=view: self.process_payment(invoice, v.banner))
        view.saved_methods_requested.connect(
            lambda company_id, name, v=view: self.open_saved_methods(company_id, name, v))
        view.copy_link_requested.connect(lambda invoice, v=view: self.copy_payment_link(invoice, v.banner))
        view.revoke_link_requested.connect(lambda invoice, number, v=view: self.revoke_payment_link(
            invoice, number, v.banner, v))
        view.banner.action_clicked.connect(self.open_portal_settings)   # its one action: "address not set"
        view.destroyed.connect(lambda *_a, v=view: self.open_views.remove(v) if v in self.open_views else None)
        self.open_views.append(view)
        return_focus_on_close(view)
        view.show()
        return self._spawn(self._load_view(view, invoice_id))

    async def _load_view(self, view: InvoiceView, invoice_id: int) -> InvoiceView:
        try:
            await view.load(invoice_id)
        except PayAppError as exc:
            if shiboken6.isValid(view):
                view.banner.show_error(user_text(exc))
        return view

    def receive_payment(self) -> asyncio.Task[Any] | None:
        """Pay the selected invoice (the main window's Receive payment, Ctrl+P); says why when it cannot."""
        row = self.row_for(self.table.currentIndex())
        if row is None:
            self.banner.show_info(self.tr("Select an invoice in the list first, then press Ctrl+P to receive a "
                                          "payment."))
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)
            return None
        return self._spawn(self._receive_payment(row))

    async def _receive_payment(self, row: InvoiceRow) -> PaymentDialog | None:
        with contextlib.suppress(PayAppError):
            self._status = await self._services.settings.processing_status()
        if not shiboken6.isValid(self):
            return None
        reason = self.pay_reason(row)
        if reason:
            self.banner.show_message("warning", reason)
            return None
        return await self._open_payment(row.id)

    def process_payment(self, invoice_id: int, banner: Banner | None = None) -> asyncio.Task[Any]:
        return self._spawn(self._open_payment(invoice_id, banner))

    async def _open_payment(self, invoice_id: int, banner: Banner | None = None) -> PaymentDialog | None:
        invoices = self._services.invoices
        assert invoices is not None
        try:
            row = await invoices.row(invoice_id)
        except PayAppError as exc:
            target = banner if banner is not None and shiboken6.isValid(banner) else self.banner
            target.show_error(user_text(exc))
            return None
        dialog = await open_payment_dialog(self._services, row, self, self.invoice_changed)
        if not shiboken6.isValid(dialog):           # closed by the user while it loaded
            return None
        self.open_payments.append(dialog)
        dialog.destroyed.connect(lambda *_a: self.open_payments.remove(dialog) if dialog in self.open_payments
                                 else None)
        return dialog

    def invoice_changed(self, invoice_id: int) -> None:
        """A payment was decided: update that row in place, the totals, and any open view of it."""
        self.model.refresh_invoice(invoice_id)
        self._reload_totals()
        for view in list(self.open_views):
            if view.detail is not None and view.detail.row.id == invoice_id:
                self._spawn(self._load_view(view, invoice_id))

    def shutdown(self) -> None:
        """Stop the page load and counts in flight (signing out replaces the tab)."""
        self.model.close()
        self.work.cancel_all()

    # ------------------------------------------------------------------ layout memory, readiness

    def save_layout(self) -> None:
        self._state.save_header(self.table.horizontalHeader(), HEADER_KEY)

    def hideEvent(self, event: QHideEvent) -> None:
        self.save_layout()
        super().hideEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self.model.rowCount() and not self.model.loading and not self.model.exhausted:
            self.model.fetchMore()
        if self._status is None:
            self._reload_totals()

    async def wait_ready(self) -> None:
        """The first page is in and painted, and the totals are counted."""
        if not self.model.rowCount() and not self.model.loading and not self.model.exhausted:
            self.model.fetchMore()
        await self.wait_idle()
        self.table.viewport().repaint()

    async def wait_idle(self) -> None:
        """Await every load this tab started (pages, row refreshes, totals, opened views)."""
        while True:
            await self.model.wait_idle()
            pending = [*self.work.tasks, *self.model.refreshing]
            if not pending:
                return
            await asyncio.gather(*pending, return_exceptions=True)

    async def screenshot_states(self) -> list[tuple[str, QWidget]]:
        """The context menu, the invoice view and the payment window (card, eCheck, an error, approved)."""
        from payapp.ui.invoices.screens import screenshot_states

        return await screenshot_states(self)

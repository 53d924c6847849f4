"""The Payment Search tab's filter bar: dates, company, invoice, status, method, brand, last four, amounts, ids,
user, source, sync state, saved searches and "Clear filters"; it turns what is chosen into a PaymentQuery."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from payapp.domain import validation
from payapp.domain.money import parse_amount
from payapp.domain.payment_state import PaymentStatus
from payapp.services.payment_search import PaymentQuery
from payapp.ui.i18n import date_edit_format
from payapp.ui.payments.payment_model import SOURCE_LABELS, SYNC_LABELS, status_label, tr
from payapp.ui.payments.saved_searches import SavedSearches

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


class PaymentFilterBar(QWidget):
    """`apply_requested` asks the tab to search again: at once for a list choice, 300 ms after the last key
    in a text field or date. Saved searches are kept per user in `user_state`; their save shortcut works
    anywhere in `parent` (the tab)."""

    apply_requested = Signal()
    message = Signal(str, str)        # (kind, text) from the saved searches, for the tab's banner

    def __init__(self, user_state: Any, locale: str, parent: QWidget) -> None:
        super().__init__(parent)
        self._locale = locale
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(300)
        self._debounce.timeout.connect(self.apply_requested.emit)

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
            d.setDisplayFormat(date_edit_format(locale))   # the one date format (issue #15.9): 02.12.2026
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
        clear.clicked.connect(self.clear)

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
        self.saved = SavedSearches(
            parent, user_state,
            edits=[self.company_edit, self.invoice_edit, self.last_four_edit, self.amount_min_edit,
                   self.amount_max_edit, self.txn_edit, self.order_edit, self.user_edit],
            combos=[self.status_combo, self.method_combo, self.brand_combo, self.source_combo, self.sync_combo],
            date_combo=self.date_combo, date_from=self.date_from, date_to=self.date_to,
            apply_filters=self.apply_requested.emit, show_message=self.message.emit)
        grid.addWidget(self.saved.combo, 2, 4, 1, 2)
        grid.addWidget(self.saved.button, 2, 6)
        grid.addWidget(clear, 2, 7)
        for c in range(1, 8):
            grid.setColumnStretch(c, 1)
        self.filter_error = QLabel(self)
        self.filter_error.setObjectName("filterError")
        self.filter_error.setStyleSheet("color: #c0392b;")
        self.filter_error.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(grid)
        layout.addWidget(self.filter_error)

        self.date_combo.currentIndexChanged.connect(self._on_date_choice)
        for d in (self.date_from, self.date_to):
            d.dateChanged.connect(lambda _d: self._debounce.start())

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
        c.currentIndexChanged.connect(lambda _i: self.apply_requested.emit())
        return c

    def _on_date_choice(self, _index: int) -> None:
        custom = self.date_combo.currentData() == "custom"
        self.date_from.setEnabled(custom)
        self.date_to.setEnabled(custom)
        self.apply_requested.emit()

    def stop_waiting(self) -> None:
        """The search runs now: a pending "300 ms after the last key" is dropped."""
        self._debounce.stop()

    def amounts_given(self) -> bool:
        return bool(self.amount_min_edit.text().strip() or self.amount_max_edit.text().strip())

    def build_query(self, currency: str, base: PaymentQuery) -> PaymentQuery:
        """The query the filter widgets describe, sorted as `base`; amounts are in `currency`. Raises
        ValidationError for a bad amount or last four."""
        kind = self.date_combo.currentData() or "all"
        start, end = date_range(kind, dt.date.today(), self.date_from.date().toPython(),  # type: ignore[arg-type]
                                self.date_to.date().toPython())  # type: ignore[arg-type]

        def amount(edit: QLineEdit) -> int | None:
            text = edit.text().strip()
            return parse_amount(text, currency, self._locale).minor if text else None

        status = self.status_combo.currentData()
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

    def show_error(self, text: str) -> None:
        self.filter_error.setText(text)
        self.filter_error.show()

    def filters_accepted(self) -> None:
        """The filters made a query: no message under them, and the saved-search choice follows them."""
        self.filter_error.hide()
        self.saved.filters_changed()

    def clear(self) -> None:
        """Every filter back to "any", then one search."""
        blockers: list[QWidget] = []
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
        self.apply_requested.emit()

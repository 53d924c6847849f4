"""Lazy table model over a payment query: keyset pages loaded asynchronously as the view scrolls.

Sorting and filtering are SQL (PaymentSearchService); this model only holds the pages loaded so far."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from babel.dates import format_datetime
from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from payapp.domain.errors import PayAppError
from payapp.domain.money import format_money
from payapp.services.payment_search import PaymentQuery, PaymentRow, PaymentSearchService

STATUS_LABELS = {
    "pending": QT_TRANSLATE_NOOP("PaymentTable", "Pending"),
    "unknown": QT_TRANSLATE_NOOP("PaymentTable", "Unknown"),
    "approved": QT_TRANSLATE_NOOP("PaymentTable", "Approved"),
    "declined": QT_TRANSLATE_NOOP("PaymentTable", "Declined"),
    "settled": QT_TRANSLATE_NOOP("PaymentTable", "Settled"),
    "voided": QT_TRANSLATE_NOOP("PaymentTable", "Voided"),
    "refunded": QT_TRANSLATE_NOOP("PaymentTable", "Refunded"),
    "partially_refunded": QT_TRANSLATE_NOOP("PaymentTable", "Partially refunded"),
    "returned": QT_TRANSLATE_NOOP("PaymentTable", "Returned"),
    "error": QT_TRANSLATE_NOOP("PaymentTable", "Error"),
}
SYNC_LABELS = {
    "not_needed": QT_TRANSLATE_NOOP("PaymentTable", "Not needed"),
    "pending": QT_TRANSLATE_NOOP("PaymentTable", "Pending"),
    "synced": QT_TRANSLATE_NOOP("PaymentTable", "Synced"),
    "failed": QT_TRANSLATE_NOOP("PaymentTable", "Failed"),
    "needs_attention": QT_TRANSLATE_NOOP("PaymentTable", "Needs attention"),
}
SOURCE_LABELS = {
    "back_office": QT_TRANSLATE_NOOP("PaymentTable", "Back office"),
    "client_portal": QT_TRANSLATE_NOOP("PaymentTable", "Client portal"),
}


def tr(text: str) -> str:
    return QCoreApplication.translate("PaymentTable", text)


def status_label(status: str) -> str:
    return tr(STATUS_LABELS.get(status, status))


def sync_label(state: str) -> str:
    return tr(SYNC_LABELS.get(state, state))


def method_label(method: str, brand: str, last_four: str, account_type: str = "") -> str:
    """ "Visa ending 1111", "Checking ending 3123"."""
    if method == "echeck":
        kind = (QCoreApplication.translate("PaymentTable", "Savings") if account_type == "savings"
                else QCoreApplication.translate("PaymentTable", "Checking"))
    else:
        kind = brand or QCoreApplication.translate("PaymentTable", "Card")
    if not last_four:
        return kind
    return QCoreApplication.translate("PaymentTable", "%1 ending %2").replace("%1", kind).replace("%2", last_four)


def format_when(when: dt.datetime, locale: str) -> str:
    return str(format_datetime(when.astimezone(), "short", locale=locale))


@dataclass(frozen=True)
class Column:
    header: str
    display: Callable[[PaymentRow, str], str]
    sort_key: str
    numeric: bool = False


COLUMNS: tuple[Column, ...] = (
    Column(QT_TRANSLATE_NOOP("PaymentTable", "Date"), lambda r, loc: format_when(r.created_at, loc), "date"),
    Column(QT_TRANSLATE_NOOP("PaymentTable", "Company"), lambda r, loc: r.company_name, "company"),
    Column(QT_TRANSLATE_NOOP("PaymentTable", "Invoice"), lambda r, loc: r.invoice_number, "invoice"),
    Column(QT_TRANSLATE_NOOP("PaymentTable", "Method"),
           lambda r, loc: method_label(r.method, r.brand, r.last_four, r.account_type), "method"),
    Column(QT_TRANSLATE_NOOP("PaymentTable", "Sale amount"),
           lambda r, loc: format_money(r.amount_minor, r.currency, loc), "amount", True),
    Column(QT_TRANSLATE_NOOP("PaymentTable", "Applied"),
           lambda r, loc: format_money(r.applied_minor, r.currency, loc), "applied", True),
    Column(QT_TRANSLATE_NOOP("PaymentTable", "Refunded"),
           lambda r, loc: format_money(r.refunded_minor, r.currency, loc) if r.refunded_minor else "—",
           "refunded", True),
    Column(QT_TRANSLATE_NOOP("PaymentTable", "Status"), lambda r, loc: status_label(r.status), "status"),
    Column(QT_TRANSLATE_NOOP("PaymentTable", "Transaction ID"), lambda r, loc: r.transaction_id, "transaction"),
    Column(QT_TRANSLATE_NOOP("PaymentTable", "User"), lambda r, loc: r.created_by_name, "user"),
    Column(QT_TRANSLATE_NOOP("PaymentTable", "Sync"), lambda r, loc: sync_label(r.accounting_sync_state), "sync"),
)
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
ModelIndex = QModelIndex | QPersistentModelIndex


class PaymentTableModel(QAbstractTableModel):
    PAGE = 200

    load_failed = Signal(str)
    page_loaded = Signal(int)          # rows loaded so far

    def __init__(self, search: PaymentSearchService, locale: str = "en_US", parent: Any = None) -> None:
        super().__init__(parent)
        self._search = search
        self._locale = locale
        self._query = PaymentQuery()
        self._rows: list[PaymentRow] = []
        self._last_key: tuple[Any, int] | None = None
        self._exhausted = False
        self._failed = False
        self._loading: asyncio.Task[None] | None = None
        self._generation = 0

    # ------------------------------------------------------------------ Qt API
    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= len(COLUMNS):
            return None
        row = self._rows[index.row()]
        col = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.display(row, self._locale)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col.numeric:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and col.sort_key == "sync" and row.psa_sync_state:
            return QCoreApplication.translate("PaymentTable", "Accounting: %1 · PSA: %2").replace(
                "%1", sync_label(row.accounting_sync_state)).replace(
                "%2", sync_label(row.psa_sync_state))
        if role == ROW_ROLE:
            return row
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return tr(COLUMNS[section].header)
        if role == Qt.ItemDataRole.TextAlignmentRole and COLUMNS[section].numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not (parent.isValid() or self._exhausted or self._failed or self._loading is not None)

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._loading is not None or self._exhausted or self._failed:
            return
        self._loading = asyncio.ensure_future(self._load_page(self._generation))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self.set_query(self._query.sorted_by(COLUMNS[column].sort_key,
                                             order == Qt.SortOrder.DescendingOrder))

    # ------------------------------------------------------------------ ours
    @property
    def query(self) -> PaymentQuery:
        return self._query

    @property
    def loading(self) -> bool:
        return self._loading is not None

    @property
    def exhausted(self) -> bool:
        return self._exhausted

    def row_at(self, row: int) -> PaymentRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def set_query(self, query: PaymentQuery) -> None:
        """New filter or sort: drop the loaded pages and start again from the first page."""
        self._query = query
        self.reload()

    def reload(self) -> None:
        if self._loading is not None:
            self._loading.cancel()
            self._loading = None
        self._generation += 1
        self.beginResetModel()
        self._rows = []
        self._last_key = None
        self._exhausted = False
        self._failed = False
        self.endResetModel()
        self.fetchMore()

    def retry(self) -> None:
        self._failed = False
        self.fetchMore()

    def close(self) -> None:
        if self._loading is not None:
            self._loading.cancel()
            self._loading = None

    async def _load_page(self, generation: int) -> None:
        try:
            rows = await self._search.page(self._query, after=self._last_key, limit=self.PAGE)
        except asyncio.CancelledError:
            raise
        except PayAppError as exc:
            self._fail(generation, exc.user_message)
            return
        except Exception as exc:  # a database error: shown in the banner with Retry, not a crash
            self._fail(generation, QCoreApplication.translate(
                "PaymentTable", "The payments could not be loaded (%1).").replace("%1", type(exc).__name__))
            return
        if generation != self._generation:
            return
        self._loading = None
        self._exhausted = len(rows) < self.PAGE
        if rows:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
            self._last_key = rows[-1].sort_key
        self.page_loaded.emit(len(self._rows))

    def _fail(self, generation: int, message: str) -> None:
        if generation != self._generation:
            return
        self._loading, self._failed = None, True
        self.load_failed.emit(message)

    async def wait_idle(self) -> None:
        """Await the page load in flight, if any (tests and screenshots)."""
        while self._loading is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(self._loading)

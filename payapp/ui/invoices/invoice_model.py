"""The Invoice History table model: lazy keyset pages from InvoiceService, sorted and filtered in SQL.

Follows Qt's fetchMore pattern (STYLE.md §5): `fetchMore` starts one async page load; rows are appended
with a correct, inclusive `beginInsertRows` range; a re-sort or a new filter bumps the generation so a page
that arrives late is dropped. A paid invoice's row is re-read and replaced in place (`refresh_invoice`)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from typing import Any

from babel.dates import format_date
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
from payapp.services.invoices import InvoiceQuery, InvoiceRow, InvoiceService, SortKey
from payapp.ui.invoices.signals import emit

log = logging.getLogger(__name__)

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
CONTEXT = "InvoiceTable"

STATUS_LABELS = {
    "open": QT_TRANSLATE_NOOP("InvoiceTable", "Open"),
    "partially_paid": QT_TRANSLATE_NOOP("InvoiceTable", "Partially paid"),
    "paid": QT_TRANSLATE_NOOP("InvoiceTable", "Paid"),
    "overdue": QT_TRANSLATE_NOOP("InvoiceTable", "Overdue"),
    "voided": QT_TRANSLATE_NOOP("InvoiceTable", "Voided"),
}
SYNC_LABELS = {
    "pending": QT_TRANSLATE_NOOP("InvoiceTable", "Waiting"),
    "synced": QT_TRANSLATE_NOOP("InvoiceTable", "Synced"),
    "failed": QT_TRANSLATE_NOOP("InvoiceTable", "Failed"),
}


def status_label(status: str) -> str:
    return QCoreApplication.translate(CONTEXT, STATUS_LABELS.get(status, status))


def sync_label(state: str) -> str:
    return QCoreApplication.translate(CONTEXT, SYNC_LABELS.get(state, state))


def short_date(value: dt.date | None, locale: str) -> str:
    return format_date(value, "short", locale=locale) if value else ""


@dataclass(frozen=True)
class Column:
    header: str  # QT_TRANSLATE_NOOP("InvoiceTable", ...)
    display: Callable[[InvoiceRow, str], str]  # (row, locale) -> text
    sort_key: str  # an InvoiceService.SORT_COLUMNS name
    money: bool = False


COLUMNS: tuple[Column, ...] = (
    Column(QT_TRANSLATE_NOOP("InvoiceTable", "Invoice"), lambda r, _l: r.invoice_number, "invoice_number"),
    Column(
        QT_TRANSLATE_NOOP("InvoiceTable", "QuickBooks no."),
        lambda r, _l: r.accounting_number or "",
        "accounting_number",
    ),
    Column(QT_TRANSLATE_NOOP("InvoiceTable", "Company"), lambda r, _l: r.company_name, "company_name"),
    Column(
        QT_TRANSLATE_NOOP("InvoiceTable", "Invoice date"),
        lambda r, loc: short_date(r.invoice_date, loc),
        "invoice_date",
    ),
    Column(QT_TRANSLATE_NOOP("InvoiceTable", "Due date"), lambda r, loc: short_date(r.due_date, loc), "due_date"),
    Column(
        QT_TRANSLATE_NOOP("InvoiceTable", "Total"),
        lambda r, loc: format_money(r.total_minor, r.currency, loc),
        "total",
        money=True,
    ),
    Column(
        QT_TRANSLATE_NOOP("InvoiceTable", "Paid"),
        lambda r, loc: format_money(r.paid_minor, r.currency, loc),
        "paid",
        money=True,
    ),
    Column(
        QT_TRANSLATE_NOOP("InvoiceTable", "Balance"),
        lambda r, loc: format_money(r.balance_minor, r.currency, loc),
        "balance",
        money=True,
    ),
    Column(QT_TRANSLATE_NOOP("InvoiceTable", "Status"), lambda r, _l: status_label(r.status), "status"),
    Column(QT_TRANSLATE_NOOP("InvoiceTable", "Sync"), lambda r, _l: sync_label(r.sync_state), "sync_state"),
)
DEFAULT_SORT_COLUMN = 3  # invoice date, newest first
_DISPLAY = Qt.ItemDataRole.DisplayRole
_ALIGN = Qt.ItemDataRole.TextAlignmentRole
_ROLES = frozenset({_DISPLAY, _ALIGN, ROW_ROLE, Qt.ItemDataRole.AccessibleTextRole})
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


def _spawn(coro: Coroutine[Any, Any, None]) -> asyncio.Task[None] | None:
    """A task on the running loop, or on the loop set for this thread (qasync before it runs); None without."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        try:
            loop = asyncio.get_event_loop()
        except RuntimeError:
            coro.close()
            return None
    return loop.create_task(coro)


class InvoiceTableModel(QAbstractTableModel):
    PAGE = 200

    load_failed = Signal(str)  # a page could not be read: show it with Retry
    loading_changed = Signal(bool)
    query_changed = Signal()  # the filter or sort changed (totals must be re-read)

    def __init__(
        self, service: InvoiceService, *, locale: str = "en_US", page_size: int | None = None, parent: Any = None
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._locale = locale
        self.page_size = page_size or self.PAGE
        self._query = InvoiceQuery()
        self._rows: list[InvoiceRow] = []
        self._index_by_id: dict[int, int] = {}
        self._display: dict[tuple[int, int], str] = {}
        self._last_key: SortKey | None = None
        self._exhausted = False
        self._failed = False
        self._loading: asyncio.Task[None] | None = None
        self._generation = 0
        self._refreshing: set[asyncio.Task[None]] = set()
        self._started = False  # nothing is read before a view (or the tab) asks for rows
        self.pages_loaded = 0

    # ------------------------------------------------------------------ state

    @property
    def query(self) -> InvoiceQuery:
        return self._query

    @property
    def loading(self) -> bool:
        return self._loading is not None

    @property
    def exhausted(self) -> bool:
        return self._exhausted

    @property
    def refreshing(self) -> list[asyncio.Task[None]]:
        return list(self._refreshing)

    def row_at(self, row: int) -> InvoiceRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, invoice_id: int) -> int | None:
        return self._index_by_id.get(invoice_id)

    async def wait_idle(self) -> None:
        """Await the page being loaded, pages being dropped and rows being refreshed."""
        while self._loading is not None or self._refreshing:
            tasks = [t for t in (self._loading, *self._refreshing) if t is not None]
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(asyncio.gather(*tasks, return_exceptions=True))
            await asyncio.sleep(0)

    # ------------------------------------------------------------------ Qt model API

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Views ask for ~20 roles per cell on every paint: answer the unused ones first and cheaply, and
        # format each visible cell once (Babel formatting is the expensive part of a paint).
        if role not in _ROLES or not index.isValid():
            return None
        r, c = index.row(), index.column()
        if r >= len(self._rows) or c >= len(COLUMNS):
            return None
        if role == _DISPLAY:
            key = (r, c)
            text = self._display.get(key)
            if text is None:
                text = self._display[key] = COLUMNS[c].display(self._rows[r], self._locale)
            return text
        if role == _ALIGN:
            return _RIGHT if COLUMNS[c].money else _LEFT
        if role == ROW_ROLE:
            return self._rows[r]
        column = COLUMNS[c]
        return f"{QCoreApplication.translate(CONTEXT, column.header)}: {column.display(self._rows[r], self._locale)}"

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate(CONTEXT, COLUMNS[section].header)
        if role == Qt.ItemDataRole.TextAlignmentRole and COLUMNS[section].money:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not (parent.isValid() or self._exhausted or self._failed or self._loading is not None)

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._loading is not None or self._exhausted or self._failed:
            return
        self._loading = _spawn(self._load_page(self._generation))
        if self._loading is not None:
            self._started = True
            emit(self.loading_changed, True)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        query = self._query.sorted_by(COLUMNS[column].sort_key, order == Qt.SortOrder.DescendingOrder)
        if query != self._query:
            self._query = query
            if self._started:
                self.reload()

    # ------------------------------------------------------------------ loading

    def set_query(self, query: InvoiceQuery) -> None:
        """A new filter (keeps the current sort)."""
        query = replace(query, sort=self._query.sort, descending=self._query.descending)
        if query != self._query:
            self._query = query
            if self._started:
                self.reload()

    def reload(self) -> None:
        """Forget the loaded rows and read the first page of the current query again."""
        if self._loading is not None:
            # Not cancelled: a query cancelled half-way can strand its pooled connection. The page is read
            # to the end and dropped (its generation is old).
            stale = self._loading
            self._refreshing.add(stale)
            stale.add_done_callback(self._refreshing.discard)
            self._loading = None
        self._generation += 1
        self.beginResetModel()
        self._rows = []
        self._index_by_id = {}
        self._display = {}
        self._last_key = None
        self._exhausted = False
        self._failed = False
        self.endResetModel()
        emit(self.query_changed)
        self.fetchMore()

    def retry(self) -> None:
        self._failed = False
        self.fetchMore()

    async def _load_page(self, generation: int) -> None:
        try:
            rows = await self._service.page(self._query, after=self._last_key, limit=self.page_size)
        except asyncio.CancelledError:
            raise
        except PayAppError as exc:
            if generation == self._generation:
                self._loading, self._failed = None, True
                emit(self.loading_changed, False)
                emit(self.load_failed, exc.user_message)
            return
        except Exception:
            if generation == self._generation:
                self._loading, self._failed = None, True
                emit(self.loading_changed, False)
                emit(
                    self.load_failed,
                    QCoreApplication.translate("InvoiceTable", "The invoices could not be read from the database."),
                )
            log.exception("invoice page failed")
            return
        if generation != self._generation:
            return
        self._loading = None
        self._exhausted = len(rows) < self.page_size
        self.pages_loaded += 1
        if rows:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
            self._rows.extend(rows)
            for offset, r in enumerate(rows):
                self._index_by_id[r.id] = start + offset
            self.endInsertRows()
            self._last_key = rows[-1].sort_key
        emit(self.loading_changed, False)

    # ------------------------------------------------------------------ one row changed

    def refresh_invoice(self, invoice_id: int) -> asyncio.Task[None] | None:
        """Re-read one invoice and update its row in place (after a payment); no reload of the table."""
        if invoice_id not in self._index_by_id:
            return None
        task = _spawn(self._refresh(invoice_id, self._generation))
        if task is None:
            return None
        self._refreshing.add(task)
        task.add_done_callback(self._refreshing.discard)
        return task

    async def _refresh(self, invoice_id: int, generation: int) -> None:
        fresh = await self._service.row(invoice_id, self._query.sort)
        if generation != self._generation:
            return
        index = self._index_by_id.get(invoice_id)
        if index is None:
            return
        # Keep the old sort key: the row stays where it is and paging continues from the same place.
        self._rows[index] = replace(fresh, sort_key=self._rows[index].sort_key)
        for c in range(len(COLUMNS)):
            self._display.pop((index, c), None)
        emit(self.dataChanged, self.index(index, 0), self.index(index, len(COLUMNS) - 1))

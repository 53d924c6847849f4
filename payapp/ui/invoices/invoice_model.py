"""The Invoice History table model: lazy keyset pages from InvoiceService, sorted and filtered in SQL.

The paging, the stale-page rules and the cheap `data()` are LazyTableModel's (payapp/ui/lazy_model.py); this
model adds the columns, the query, and re-reading one paid invoice in place (`refresh_invoice`)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal

from payapp.domain.money import format_money
from payapp.services.invoices import InvoiceQuery, InvoiceRow, InvoiceService, SortKey
from payapp.ui.i18n import format_day
from payapp.ui.lazy_model import ROW_ROLE, Column, LazyTableModel, spawn

__all__ = ["COLUMNS", "DEFAULT_SORT_COLUMN", "ROW_ROLE", "STATUS_LABELS", "InvoiceTableModel", "status_label"]

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


def matches_status(choice: str, status: str) -> bool:
    """Whether an invoice whose status (as shown) is `status` belongs under the status filter `choice` ("" any,
    "unpaid", or one status), as InvoiceService's filter decides it."""
    if not choice:
        return True
    if choice == "unpaid":
        return status in ("open", "partially_paid", "overdue")
    return status == choice


def status_label(status: str) -> str:
    return QCoreApplication.translate(CONTEXT, STATUS_LABELS.get(status, status))


def row_status_text(row: InvoiceRow) -> str:
    """The Status column: "Paid · eCheck pending settlement" while an eCheck on it has not settled (issue #15.6)."""
    base = status_label(row.status)
    if row.awaiting_settlement:
        return QCoreApplication.translate("InvoiceTable", "%1 · eCheck pending settlement").replace("%1", base)
    return base


def sync_label(state: str) -> str:
    return QCoreApplication.translate(CONTEXT, SYNC_LABELS.get(state, state))


def short_date(value: dt.date | None, locale: str) -> str:
    return format_day(value, locale)          # the date filters' own pattern (issue #15.9)


COLUMNS: tuple[Column[InvoiceRow], ...] = (
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
        right=True,
    ),
    Column(
        QT_TRANSLATE_NOOP("InvoiceTable", "Paid"),
        lambda r, loc: format_money(r.paid_minor, r.currency, loc),
        "paid",
        right=True,
    ),
    Column(
        QT_TRANSLATE_NOOP("InvoiceTable", "Balance"),
        lambda r, loc: format_money(r.balance_minor, r.currency, loc),
        "balance",
        right=True,
    ),
    Column(QT_TRANSLATE_NOOP("InvoiceTable", "Status"), lambda r, _l: row_status_text(r), "status"),
    Column(QT_TRANSLATE_NOOP("InvoiceTable", "Sync"), lambda r, _l: sync_label(r.sync_state), "sync_state"),
)
DEFAULT_SORT_COLUMN = 3  # invoice date, newest first


class InvoiceTableModel(LazyTableModel[InvoiceRow, SortKey]):
    CONTEXT = CONTEXT
    COLUMNS = COLUMNS

    query_changed = Signal()  # the filter or sort changed (totals must be re-read)

    def __init__(
        self, service: InvoiceService, *, locale: str = "en_US", page_size: int | None = None, parent: Any = None
    ) -> None:
        super().__init__(locale=locale, page_size=page_size, parent=parent)
        self._service = service
        self._query = InvoiceQuery()
        self._index_by_id: dict[int, int] = {}
        self._refreshing: set[asyncio.Task[None]] = set()
        self._started = False  # nothing is read before a view (or the tab) asks for rows

    # ------------------------------------------------------------------ LazyTableModel

    async def fetch_page(self, after: SortKey | None, limit: int) -> list[InvoiceRow]:
        return await self._service.page(self._query, after=after, limit=limit)

    def row_key(self, row: InvoiceRow) -> SortKey:
        return row.sort_key

    def load_error_text(self, exc: Exception) -> str:
        return QCoreApplication.translate("InvoiceTable", "The invoices could not be read from the database.")

    def fetch_started(self) -> None:
        self._started = True

    def rows_added(self, start: int, rows: Sequence[InvoiceRow]) -> None:
        for offset, r in enumerate(rows):
            self._index_by_id[r.id] = start + offset

    def rows_cleared(self) -> None:
        self._index_by_id = {}

    # ------------------------------------------------------------------ state

    @property
    def query(self) -> InvoiceQuery:
        return self._query

    @property
    def refreshing(self) -> list[asyncio.Task[None]]:
        return list(self._refreshing)

    def row_of(self, invoice_id: int) -> int | None:
        return self._index_by_id.get(invoice_id)

    async def wait_idle(self) -> None:
        """Await the page being loaded and rows being refreshed."""
        while self._loading is not None or self._refreshing:
            await super().wait_idle()
            if self._refreshing:
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.shield(asyncio.gather(*self._refreshing, return_exceptions=True))
            await asyncio.sleep(0)

    # ------------------------------------------------------------------ sort and filter

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        query = self._query.sorted_by(COLUMNS[column].sort_key, order == Qt.SortOrder.DescendingOrder)
        if query != self._query:
            self._query = query
            if self._started:
                self.reload()

    def set_query(self, query: InvoiceQuery) -> None:
        """A new filter (keeps the current sort)."""
        query = replace(query, sort=self._query.sort, descending=self._query.descending)
        if query != self._query:
            self._query = query
            if self._started:
                self.reload()

    def reload(self) -> None:
        super().reload()
        self.query_changed.emit()

    # ------------------------------------------------------------------ one row changed

    def refresh_invoice(self, invoice_id: int) -> asyncio.Task[None] | None:
        """Re-read one invoice and update its row in place (after a payment); no reload of the table."""
        if invoice_id not in self._index_by_id:
            return None
        task = spawn(self._refresh(invoice_id, self._generation))
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
        if not matches_status(self._query.status, fresh.status):
            self.remove_row(index)           # paid under "Open": it leaves the list, as the count does (#15.9)
            return
        # Keep the old sort key: the row stays where it is and paging continues from the same place.
        self.replace_row(index, replace(fresh, sort_key=self._rows[index].sort_key))

"""Lazy table model over a payment query: keyset pages loaded asynchronously as the view scrolls.

Sorting and filtering are SQL (PaymentSearchService); the paging is LazyTableModel's
(payapp/ui/lazy_model.py), this model adds the columns and the query."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt

from payapp.domain.money import format_money
from payapp.domain.outbox_jobs import PaymentSource
from payapp.services.payment_search import PaymentQuery, PaymentRow, PaymentSearchService
from payapp.ui.i18n import format_moment
from payapp.ui.lazy_model import ROW_ROLE, Column, LazyTableModel
from payapp.ui.messages import stored_message_text

__all__ = ["COLUMNS", "ROW_ROLE", "SOURCE_LABELS", "SYNC_LABELS", "PaymentTableModel", "status_label", "tr"]

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
#: An approved eCheck is not money in the bank until it settles (issue #15.6): never shown as "Approved".
PENDING_SETTLEMENT = QT_TRANSLATE_NOOP("PaymentTable", "Pending settlement")
SYNC_LABELS = {
    "not_needed": QT_TRANSLATE_NOOP("PaymentTable", "Not needed"),
    "pending": QT_TRANSLATE_NOOP("PaymentTable", "Pending"),
    "synced": QT_TRANSLATE_NOOP("PaymentTable", "Synced"),
    "failed": QT_TRANSLATE_NOOP("PaymentTable", "Failed"),
    "needs_attention": QT_TRANSLATE_NOOP("PaymentTable", "Needs attention"),
}
SOURCE_LABELS = {
    PaymentSource.BACK_OFFICE: QT_TRANSLATE_NOOP("PaymentTable", "Back office"),
    PaymentSource.CLIENT_PORTAL: QT_TRANSLATE_NOOP("PaymentTable", "Client portal"),
}


def tr(text: str) -> str:
    return QCoreApplication.translate("PaymentTable", text)


def status_label(status: str, method: str = "") -> str:
    """A payment's status in words; an approved eCheck or SEPA debit is "Pending settlement" (it can still bounce)."""
    if status == "approved" and method in ("echeck", "sepa"):
        return tr(PENDING_SETTLEMENT)
    return tr(STATUS_LABELS.get(status, status))


def status_text(row: PaymentRow) -> str:
    """The Status column: the status, and the alert of a payment flagged for a person."""
    base = status_label(row.status, row.method)
    if row.approved_late:
        text = QCoreApplication.translate("PaymentTable", "%1 · approved after it was marked failed")
        return text.replace("%1", base)
    if row.attention:
        return QCoreApplication.translate("PaymentTable", "%1 · needs attention").replace("%1", base)
    return base


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
    return format_moment(when, locale)        # one date format per locale (issue #15.9)


COLUMNS: tuple[Column[PaymentRow], ...] = (
    Column(QT_TRANSLATE_NOOP("PaymentTable", "Date"), lambda r, loc: format_when(r.created_at, loc), "date"),
    Column(QT_TRANSLATE_NOOP("PaymentTable", "Company"), lambda r, loc: r.company_name, "company"),
    Column(QT_TRANSLATE_NOOP("PaymentTable", "Invoice"), lambda r, loc: r.invoice_number, "invoice"),
    Column(QT_TRANSLATE_NOOP("PaymentTable", "Method"),
           lambda r, loc: method_label(r.method, r.brand, r.last_four, r.account_type), "method"),
    Column(QT_TRANSLATE_NOOP("PaymentTable", "Sale amount"),
           lambda r, loc: format_money(r.amount_minor, r.currency, loc), "amount", right=True),
    Column(QT_TRANSLATE_NOOP("PaymentTable", "Applied"),
           lambda r, loc: format_money(r.applied_minor, r.currency, loc), "applied", right=True),
    Column(QT_TRANSLATE_NOOP("PaymentTable", "Refunded"),
           lambda r, loc: format_money(r.refunded_minor, r.currency, loc) if r.refunded_minor else "—",
           "refunded", right=True),
    Column(QT_TRANSLATE_NOOP("PaymentTable", "Status"), lambda r, loc: status_text(r), "status"),
    Column(QT_TRANSLATE_NOOP("PaymentTable", "Transaction ID"), lambda r, loc: r.transaction_id, "transaction"),
    Column(QT_TRANSLATE_NOOP("PaymentTable", "User"), lambda r, loc: r.created_by_name, "user"),
    Column(QT_TRANSLATE_NOOP("PaymentTable", "Sync"), lambda r, loc: sync_label(r.accounting_sync_state), "sync"),
)
SYNC_COLUMN = next(i for i, c in enumerate(COLUMNS) if c.sort_key == "sync")
STATUS_COLUMN = next(i for i, c in enumerate(COLUMNS) if c.sort_key == "status")


class PaymentTableModel(LazyTableModel[PaymentRow, tuple[Any, int]]):
    CONTEXT = "PaymentTable"
    COLUMNS = COLUMNS

    def __init__(self, search: PaymentSearchService, locale: str = "en_US", parent: Any = None) -> None:
        super().__init__(locale=locale, parent=parent)
        self._search = search
        self._query = PaymentQuery()

    # ------------------------------------------------------------------ LazyTableModel
    async def fetch_page(self, after: tuple[Any, int] | None, limit: int) -> list[PaymentRow]:
        return await self._search.page(self._query, after=after, limit=limit)

    def row_key(self, row: PaymentRow) -> tuple[Any, int]:
        return row.sort_key

    def load_error_text(self, exc: Exception) -> str:
        return QCoreApplication.translate(
            "PaymentTable", "The payments could not be loaded (%1).").replace("%1", type(exc).__name__)

    def extra_data(self, row: PaymentRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and column == STATUS_COLUMN and row.attention:
            return stored_message_text(row.attention)
        if role == Qt.ItemDataRole.ToolTipRole and column == SYNC_COLUMN and row.psa_sync_state:
            return QCoreApplication.translate("PaymentTable", "Accounting: %1 · PSA: %2").replace(
                "%1", sync_label(row.accounting_sync_state)).replace(
                "%2", sync_label(row.psa_sync_state))
        return None

    # ------------------------------------------------------------------ sort and filter
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self.set_query(self._query.sorted_by(COLUMNS[column].sort_key,
                                             order == Qt.SortOrder.DescendingOrder))

    @property
    def query(self) -> PaymentQuery:
        return self._query

    def set_query(self, query: PaymentQuery) -> None:
        """New filter or sort: drop the loaded pages and start again from the first page."""
        self._query = query
        self.reload()

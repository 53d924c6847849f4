"""Sync problems: outbox jobs that need a person (QuickBooks refused them, or they failed too often).
Retry puts a job back in the queue; Dismiss needs a reason (e.g. "entered in QuickBooks by hand") and is
audited by the service. Open with `dialog.open()`; the list loads itself.

The table keeps one line per problem: the first columns are as wide as their header and their longest text
(measured with the font; at most COLUMN_MAX_EM em, so German and the pseudo-locale are never cut off in the
header), the problem takes the rest (the last section stretches), a longer text is elided and shown whole in
its tooltip, and the selected problem is shown whole below the table."""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from payapp.domain.errors import PayAppError
from payapp.ui.async_work import WidgetTasks, widget_slot
from payapp.ui.messages import any_text, message_text, user_text
from payapp.ui.widgets import Banner

JOB_ROLE = Qt.ItemDataRole.UserRole + 1
WHAT, SUBJECT, ATTEMPTS, PROBLEM = range(4)       # columns; the problem is last and takes the remaining width
COLUMN_MAX_EM = 22                                # widest a fitted column gets, in em of the table's font


class SyncProblemsDialog(QDialog):
    def __init__(self, outbox: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncProblemsDialog")
        self.setWindowTitle(self.tr("Sync problems"))
        self.resize(1000, 440)
        self._outbox = outbox
        self.work = WidgetTasks(self)
        self.loaded = asyncio.Event()
        self.banner = Banner(self, "syncProblemsBanner")
        intro = QLabel(self.tr("These could not be sent to QuickBooks or Autotask. Fix the cause, then Retry; or, "
                               "if you did it by hand, Dismiss with a reason."), self)
        intro.setWordWrap(True)
        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("syncProblemsTable")
        self.table.setHorizontalHeaderLabels([self.tr("What"), self.tr("Invoice / payment"), self.tr("Attempts"),
                                              self.tr("Problem")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.details = QLabel(self)
        self.details.setObjectName("syncProblemDetails")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.empty = QLabel(self.tr("No sync problems."), self)
        self.empty.setObjectName("syncProblemsEmpty")
        self.reason = QLineEdit(self)
        self.reason.setObjectName("dismissReasonEdit")
        self.reason.setPlaceholderText(self.tr("Reason for dismissing (required)"))
        self.retry_button = QPushButton(self.tr("Retry"), self)
        self.retry_button.setObjectName("retryButton")
        self.dismiss_button = QPushButton(self.tr("Dismiss"), self)
        self.dismiss_button.setObjectName("dismissButton")
        actions = QHBoxLayout()
        actions.addWidget(self.retry_button)
        actions.addWidget(self.reason, 1)
        actions.addWidget(self.dismiss_button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details)
        layout.addWidget(self.empty)
        layout.addLayout(actions)
        layout.addWidget(close)
        self.retry_button.clicked.connect(self._on_retry)
        self.dismiss_button.clicked.connect(self._on_dismiss)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self._fit_columns()
        self._update_buttons()
        self.refresh()

    def refresh(self) -> None:
        self.work.spawn(self.reload())

    async def reload(self) -> None:
        self.loaded.clear()
        try:
            problems = await self._outbox.problems()
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
            self.loaded.set()
            return
        self.table.setRowCount(len(problems))
        for row, p in enumerate(problems):
            cells = {WHAT: any_text(p.label), SUBJECT: message_text(p.description) if p.description else "",
                     ATTEMPTS: str(p.attempts), PROBLEM: any_text(p.last_error)}
            for col, text in cells.items():
                item = QTableWidgetItem(text)
                item.setData(JOB_ROLE, p.job_id)
                item.setToolTip(text)
                if col == ATTEMPTS:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, col, item)
        self._fit_columns()
        self.empty.setVisible(not problems)
        self.table.setVisible(bool(problems))
        self._update_buttons()
        self.loaded.set()

    def selected_job(self) -> int | None:
        items = self.table.selectedItems()
        return int(items[0].data(JOB_ROLE)) if items else None

    def _fit_columns(self) -> None:
        """Each column but the last as wide as its header label and its longest cell (as the style measures them
        with the font), but at most COLUMN_MAX_EM em unless the header itself needs more; the last stretches."""
        header = self.table.horizontalHeader()
        widest = self.table.fontMetrics().horizontalAdvance("M") * COLUMN_MAX_EM
        for col in range(self.table.columnCount() - 1):
            label = header.sectionSizeFromContents(col).width()
            cells = self.table.sizeHintForColumn(col) if self.table.rowCount() else 0
            self.table.setColumnWidth(col, max(label, min(cells, widest)))

    def _update_buttons(self) -> None:
        has = self.selected_job() is not None
        row = self.table.currentRow() if has else -1
        cells = [self.table.item(row, col) for col in (WHAT, SUBJECT, PROBLEM)]
        what, subject, problem = (item.text() if item is not None else "" for item in cells)
        self.details.setText(f"{what} · {subject}\n{problem}" if problem else "")
        self.details.setVisible(bool(self.details.text()))
        self.retry_button.setEnabled(has)
        self.dismiss_button.setEnabled(has)

    @widget_slot
    async def _on_retry(self) -> None:
        job = self.selected_job()
        if job is None:
            return
        try:
            await self._outbox.retry(job)
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
        else:
            self.banner.show_success(self.tr("Queued again: PayApp will send it shortly."))
        await self.reload()

    @widget_slot
    async def _on_dismiss(self) -> None:
        job = self.selected_job()
        if job is None:
            return
        try:
            await self._outbox.dismiss(job, self.reason.text())
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
            self.reason.setFocus()
        else:
            self.reason.clear()
            self.banner.show_success(self.tr("Dismissed; the reason is in the audit log."))
        await self.reload()

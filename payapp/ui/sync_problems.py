"""Sync problems: outbox jobs that need a person (QuickBooks refused them, or they failed too often).
Retry puts a job back in the queue; Dismiss needs a reason (e.g. "entered in QuickBooks by hand") and is
audited by the service. Open with `dialog.open()`; the list loads itself."""

from __future__ import annotations

import asyncio
from typing import Any

import shiboken6
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
from qasync import asyncSlot

from payapp.domain.errors import PayAppError
from payapp.ui.messages import translate_message, user_text
from payapp.ui.widgets import Banner

JOB_ROLE = Qt.ItemDataRole.UserRole + 1


class SyncProblemsDialog(QDialog):
    def __init__(self, outbox: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncProblemsDialog")
        self.setWindowTitle(self.tr("Sync problems"))
        self.resize(860, 420)
        self._outbox = outbox
        self._tasks: set[asyncio.Task[None]] = set()
        self.loaded = asyncio.Event()
        self.banner = Banner(self, "syncProblemsBanner")
        intro = QLabel(self.tr("These could not be sent to QuickBooks or Autotask. Fix the cause, then Retry; or, "
                               "if you did it by hand, Dismiss with a reason."), self)
        intro.setWordWrap(True)
        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("syncProblemsTable")
        self.table.setHorizontalHeaderLabels([self.tr("What"), self.tr("Invoice / payment"), self.tr("Problem"),
                                              self.tr("Attempts")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
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
        layout.addWidget(self.empty)
        layout.addLayout(actions)
        layout.addWidget(close)
        self.retry_button.clicked.connect(self._on_retry)
        self.dismiss_button.clicked.connect(self._on_dismiss)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self._update_buttons()
        self.refresh()

    def refresh(self) -> None:
        task = asyncio.ensure_future(self.reload())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def reload(self) -> None:
        self.loaded.clear()
        try:
            problems = await self._outbox.problems()
        except PayAppError as exc:
            if shiboken6.isValid(self):
                self.banner.show_error(user_text(exc))
            self.loaded.set()
            return
        if not shiboken6.isValid(self):
            return
        self.table.setRowCount(len(problems))
        for row, p in enumerate(problems):
            cells = (translate_message(p.label), translate_message(p.description), translate_message(p.last_error),
                     str(p.attempts))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(JOB_ROLE, p.job_id)
                item.setToolTip(text)
                self.table.setItem(row, col, item)
        self.table.resizeRowsToContents()
        self.empty.setVisible(not problems)
        self.table.setVisible(bool(problems))
        self._update_buttons()
        self.loaded.set()

    def selected_job(self) -> int | None:
        items = self.table.selectedItems()
        return int(items[0].data(JOB_ROLE)) if items else None

    def _update_buttons(self) -> None:
        has = self.selected_job() is not None
        self.retry_button.setEnabled(has)
        self.dismiss_button.setEnabled(has)

    @asyncSlot()
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

    @asyncSlot()
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

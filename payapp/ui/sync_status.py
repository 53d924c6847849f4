"""The status-bar sync widget: "Sync now", a progress bar with Cancel while a sync runs, the last sync
time, and a "n sync problems" button when outbox jobs need attention. It drives SyncService; Cancel
cancels the running task (the page being written rolls back; the next sync resumes from there)."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import shiboken6
from babel.dates import format_datetime, format_time
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget
from qasync import asyncSlot

from payapp.domain.errors import PayAppError
from payapp.ui.i18n import format_count
from payapp.ui.invoices.signals import emit
from payapp.ui.messages import translate_message, user_text


class SyncStatusWidget(QWidget):
    """`sync_service.run(on_progress)` in a task; `outbox` (optional) gives `counts()` for the problems button."""

    problems_requested = Signal()
    sync_finished = Signal(bool)          # True when the sync completed

    def __init__(self, sync_service: Any, outbox: Any = None, parent: QWidget | None = None, *,
                 locale: str = "en_US") -> None:
        super().__init__(parent)
        self.setObjectName("syncStatus")
        self._locale = locale                 # Babel locale for counts, dates and times
        self._sync = sync_service
        self._outbox = outbox
        self._task: asyncio.Task[Any] | None = None
        self.last_message = ""
        self.label = QLabel(self.tr("Not synced yet"), self)
        self.label.setObjectName("syncLabel")
        self.progress = QProgressBar(self)
        self.progress.setObjectName("syncProgress")
        self.progress.setMaximumWidth(160)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.sync_button = QPushButton(self.tr("Sync now"), self)
        self.sync_button.setObjectName("syncNowButton")
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.setObjectName("syncCancelButton")
        self.cancel_button.hide()
        self.problems_button = QPushButton(self)
        self.problems_button.setObjectName("syncProblemsButton")
        self.problems_button.setFlat(True)
        self.problems_button.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.progress)
        layout.addWidget(self.cancel_button)
        layout.addWidget(self.sync_button)
        layout.addWidget(self.problems_button)
        self.sync_button.clicked.connect(self.start_sync)
        self.cancel_button.clicked.connect(self.cancel)
        self.problems_button.clicked.connect(self.problems_requested)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def cancel(self) -> None:
        if self.running:
            assert self._task is not None
            self._task.cancel()

    def _on_progress(self, p: Any) -> None:
        if not shiboken6.isValid(self):
            return
        if p.total:
            self.progress.setRange(0, max(1, p.total))
            self.progress.setValue(min(p.done, p.total))
        else:
            self.progress.setRange(0, 0)      # busy indicator
        self.label.setText(translate_message(p.message))
        self.last_message = p.message

    def _set_running(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.sync_button.setEnabled(not running)

    @asyncSlot()
    async def start_sync(self) -> None:
        if self.running:
            return
        self._set_running(True)
        self.label.setText(self.tr("Starting sync…"))
        self._task = asyncio.ensure_future(self._sync.run(self._on_progress))
        ok = False
        try:
            report = await self._task
        except asyncio.CancelledError:
            if self._task.cancelled() and shiboken6.isValid(self):
                self.label.setText(self.tr("Sync cancelled; the next sync continues where it stopped."))
            else:
                raise
        except PayAppError as exc:
            if shiboken6.isValid(self):
                self.label.setText(user_text(exc))
        else:
            ok = True
            if shiboken6.isValid(self):
                when = format_time(report.finished_at.astimezone(), "short", locale=self._locale)
                self.label.setText(self.tr("Synced at {time} · {n} records").format(
                    time=when, n=format_count(report.records, self._locale)))
        finally:
            if shiboken6.isValid(self):
                self._set_running(False)
        if shiboken6.isValid(self):
            await self.refresh_problems()
            emit(self.sync_finished, ok)      # PySide6 6.12 emit refcount workaround

    async def refresh_status(self) -> None:
        """Show the last sync time (call once after start-up)."""
        try:
            status = await self._sync.status()
        except PayAppError:
            return
        if not shiboken6.isValid(self) or self.running:
            return
        if status.running_elsewhere:
            self.label.setText(self.tr("{who} is syncing").format(who=status.running_elsewhere))
        elif status.last_sync_at is not None:
            local = status.last_sync_at.astimezone()
            when = (format_time(local, "short", locale=self._locale) if local.date() == dt.date.today()
                    else format_datetime(local, "short", locale=self._locale))
            self.label.setText(self.tr("Last sync {when}").format(when=when))
        await self.refresh_problems()

    async def refresh_problems(self) -> None:
        if self._outbox is None:
            return
        try:
            counts = await self._outbox.counts()
        except PayAppError:
            return
        if not shiboken6.isValid(self):
            return
        n = int(counts.get("needs_attention", 0))
        self.problems_button.setVisible(n > 0)
        self.problems_button.setText(self.tr("⚠ %n sync problem(s)", "", n))

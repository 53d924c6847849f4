"""The status-bar sync widget: "Sync now", a progress bar with Cancel while a sync runs, the last sync
time, and a "n sync problems" button when outbox jobs need attention. It drives SyncService; Cancel
cancels the running task (the page being written rolls back; the next sync resumes from there).

Two warnings stay visible (elided, the whole text in the tooltip) instead of flashing by in the progress text:
Autotask's hourly API use past 50%/75% (the sync slows down), until the next sync; and why the outbox worker
holds jobs back (e.g. "Reconnect QuickBooks"), until it gets jobs through again. The outbox is polled every
REFRESH_MS. `install_sync_status(window, services)` puts the widget into a main window's status bar and opens
the Sync problems dialog from its button."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import Any

import shiboken6
from babel.dates import format_time
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget
from qasync import asyncSlot

from payapp.domain.errors import PayAppError
from payapp.ui.i18n import format_count, format_moment
from payapp.ui.messages import any_text, message_text, user_text

WARNING_COLOUR = "#b8860b"
WARNING_WIDTH = 320          # pixels of a warning shown in the status bar; the tooltip has all of it
REFRESH_MS = 30_000          # how often the problems count and the outbox's stop reason are read


class _Warning(QLabel):
    """A warning that stays in the status bar: "⚠ text…" elided to WARNING_WIDTH, the whole text as tooltip."""

    def __init__(self, name: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setStyleSheet(f"color: {WARNING_COLOUR};")
        self.full_text = ""
        self.hide()

    def show_text(self, text: str) -> None:
        if text == self.full_text:
            return
        self.full_text = text
        if not text:
            self.hide()
            return
        shown = self.fontMetrics().elidedText("⚠ " + text, Qt.TextElideMode.ElideRight, WARNING_WIDTH)
        self.setText(shown)
        self.setToolTip(text)
        self.setAccessibleName(text)
        self.show()


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
        self.threshold_warning = _Warning("syncThresholdWarning", self)
        self.outbox_warning = _Warning("outboxStoppedWarning", self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.progress)
        layout.addWidget(self.cancel_button)
        layout.addWidget(self.sync_button)
        layout.addWidget(self.threshold_warning)
        layout.addWidget(self.outbox_warning)
        layout.addWidget(self.problems_button)
        self.sync_button.clicked.connect(self.start_sync)
        self.cancel_button.clicked.connect(self.cancel)
        self.problems_button.clicked.connect(self.problems_requested)
        self._refreshing: asyncio.Task[None] | None = None
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(REFRESH_MS)
        self.refresh_timer.timeout.connect(self._refresh_soon)
        if outbox is not None:
            self.refresh_timer.start()
        self.sync_timer = QTimer(self)          # the scheduled incremental sync (see schedule())
        self.sync_timer.timeout.connect(self._scheduled_sync)
        self._may_sync: Callable[[], bool] = lambda: True

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
        self.label.setText(message_text(p.message))
        self.last_message = p.message
        self.threshold_warning.show_text(message_text(p.warning) if p.warning is not None else "")

    def _set_running(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.sync_button.setEnabled(not running)

    @asyncSlot()
    async def start_sync(self) -> None:
        if self.running:
            return
        self._set_running(True)
        self.threshold_warning.show_text("")
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
                self.threshold_warning.show_text(message_text(report.warning) if report.warning is not None else "")
        finally:
            if shiboken6.isValid(self):
                self._set_running(False)
        if shiboken6.isValid(self):
            await self.refresh_problems()
            self.sync_finished.emit(ok)

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
                    else format_moment(local, self._locale))
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
        stopped = getattr(self._outbox, "stopped_reason", "") or ""
        self.outbox_warning.show_text(any_text(stopped) if stopped else "")

    def schedule(self, minutes: int, may_sync: Callable[[], bool] | None = None) -> None:
        """Sync every `minutes` (0 or less: never), when no sync is running and `may_sync()` allows it (the
        signed-in role may run syncs). A workstation that finds another one syncing just says so; the lock
        decides who syncs."""
        if may_sync is not None:
            self._may_sync = may_sync
        if minutes <= 0:
            self.sync_timer.stop()
            return
        self.sync_timer.start(int(minutes) * 60_000)

    def _scheduled_sync(self) -> None:
        if not self.running and self._may_sync():
            self.start_sync()

    def _refresh_soon(self) -> None:
        """The timer's tick: read the outbox's state unless a read is still running."""
        if self._refreshing is None or self._refreshing.done():
            self._refreshing = asyncio.ensure_future(self.refresh_problems())


def install_sync_status(window: Any, services: Any, *, locale: str = "en_US") -> SyncStatusWidget:
    """The sync widget in `window`'s status bar over `services.sync` and `services.outbox`: its problems
    button opens the Sync problems dialog, a finished sync wakes the outbox worker (new invoices queued
    pushes), and the last sync time and the problems are read once now."""
    from payapp.ui.sync_problems import SyncProblemsDialog

    widget = SyncStatusWidget(services.sync, services.outbox, window, locale=locale)
    outbox = services.outbox

    def open_problems() -> None:
        dialog = SyncProblemsDialog(outbox, window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result: widget._refresh_soon())
        dialog.open()
        widget.problems_dialog = dialog

    def finished(_ok: bool) -> None:
        if outbox is not None and hasattr(outbox, "wake"):
            outbox.wake()

    widget.problems_requested.connect(open_problems)
    widget.sync_finished.connect(finished)
    window.add_status_widget(widget)
    window.status_widget = widget
    task = asyncio.ensure_future(_start(widget, services))
    widget._refreshing = task
    return widget


async def _start(widget: SyncStatusWidget, services: Any) -> None:
    """Read the last sync time and the problems, and start the schedule of `sync.interval_minutes`."""
    from payapp.domain.roles import Permission

    await widget.refresh_status()
    settings, current = getattr(services, "settings", None), getattr(services, "current_user", None)
    if settings is None:
        return
    try:
        minutes = int(await settings.get("sync.interval_minutes") or 0)
    except (PayAppError, TypeError, ValueError):
        return
    if shiboken6.isValid(widget):
        widget.schedule(minutes, (lambda: current.can(Permission.RUN_SYNC)) if current is not None else None)

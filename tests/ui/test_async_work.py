"""WidgetTasks and widget_slot (ui/async_work.py): a widget's tasks end with it, its load runs once on first show."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from payapp.ui.async_work import WidgetTasks, widget_slot

Run = Callable[..., Any]


class Page(QWidget):
    def __init__(self, gate: asyncio.Event) -> None:
        super().__init__()
        self.gate = gate
        self.loads = 0
        self.after_await: list[str] = []
        self.clicks: list[str] = []
        self.work = WidgetTasks(self, load=self.reload)
        self.button = QPushButton("Go", self)
        self.button.clicked.connect(self.on_click)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.work.first_show()

    async def reload(self) -> None:
        self.loads += 1
        await self.gate.wait()
        self.after_await.append(self.objectName() or "page")   # would raise on a deleted widget

    @widget_slot
    async def on_click(self) -> None:
        self.clicks.append("clicked")


def test_the_load_runs_once_on_first_show_and_clicks_drop_the_signals_argument(qtbot: QtBot, run: Run) -> None:
    gate = asyncio.Event()
    page = Page(gate)
    qtbot.addWidget(page)
    page.show()
    page.hide()
    page.show()
    gate.set()
    run(page.work.wait_loaded())
    assert page.loads == 1 and page.work.loaded
    page.button.click()                               # clicked(bool) → on_click(self)
    run(asyncio.sleep(0.01))
    assert page.clicks == ["clicked"]


def test_a_widget_destroyed_mid_await_cancels_its_tasks(qtbot: QtBot, run: Run) -> None:
    gate = asyncio.Event()
    page = Page(gate)
    page.show()
    run(asyncio.sleep(0.01))
    assert page.work.busy and page.loads == 1
    after = page.after_await
    work = page.work
    page.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    gate.set()
    run(asyncio.sleep(0.05))
    assert after == [] and not work.busy             # the continuation never ran against the deleted page

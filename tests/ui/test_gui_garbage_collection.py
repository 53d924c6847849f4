"""The app collects garbage on the GUI thread only (payapp.gui.collect_garbage_on_gui_thread): a reference
cycle holding a Qt object must never be destroyed by a worker thread that happens to allocate."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from payapp.gui import collect_garbage_on_gui_thread


class _Cycle:
    """Unreachable only through a cycle; records the thread that finally frees it."""

    freed_in: list[str] = []

    def __init__(self) -> None:
        self.me = self
        self.qt = QObject()

    def __del__(self) -> None:
        _Cycle.freed_in.append(threading.current_thread().name)


@pytest.fixture
def automatic_collection_restored() -> Iterator[None]:
    yield
    gc.enable()
    gc.collect()


def _garbage_then_allocate_in_a_worker(cycles: int) -> None:
    for _ in range(cycles):
        _Cycle()                                 # garbage at once: only the cyclic collector can free it

    def allocate() -> None:                      # far past every threshold, as a page of rows does
        keep = [[i] for i in range(200_000)]
        del keep

    worker = threading.Thread(target=allocate, name="worker")
    worker.start()
    worker.join()


def test_garbage_is_collected_on_the_gui_thread_not_in_workers(qtbot: QtBot, qapp: QApplication,
                                                               automatic_collection_restored: None) -> None:
    gc.collect()
    _Cycle.freed_in.clear()
    timer = collect_garbage_on_gui_thread(qapp)
    try:
        # Enough garbage that a collection is due (the young generation's threshold is 700 objects).
        _garbage_then_allocate_in_a_worker(cycles=1000)
        assert _Cycle.freed_in == []             # the worker crossed the thresholds and collected nothing
        qtbot.waitUntil(lambda: len(_Cycle.freed_in) == 1000, timeout=3000)
        assert set(_Cycle.freed_in) == {threading.main_thread().name}
    finally:
        timer.stop()
        timer.deleteLater()


def test_without_it_a_worker_collects(automatic_collection_restored: None) -> None:
    """What the collector prevents (and that the test above can fail)."""
    gc.enable()
    gc.collect()
    _Cycle.freed_in.clear()
    _garbage_then_allocate_in_a_worker(cycles=1)
    assert _Cycle.freed_in == ["worker"]

"""Fixtures for the Invoice History tests.

`pyside_bool_refcount_guard`: PySide6 6.12.0's `SignalInstance.emit()` returns `True` without a new
reference. qasync emits a signal for every `call_soon_threadsafe` (each aiosqlite result), so a test run
drains `True`'s reference count until CPython 3.11 aborts at exit with "bool_dealloc". Until PySide6 is
pinned to a release without the bug, give `True` and `False` enough references to never reach zero (they
are never freed anyway). This only keeps the interpreter alive; it changes nothing the tests check."""

from __future__ import annotations

import ctypes
import gc
from collections.abc import Iterator

import pytest

_SPARE_REFERENCES = 1 << 40


@pytest.fixture(scope="session", autouse=True)
def pyside_bool_refcount_guard() -> Iterator[None]:
    for value in (True, False):
        ctypes.c_ssize_t.from_address(id(value)).value += _SPARE_REFERENCES
    yield


@pytest.fixture(autouse=True)
def collect_qt_garbage_on_gui_thread() -> Iterator[None]:
    """Collect reference cycles holding Qt objects here, on the GUI thread. Left to chance, the cyclic GC
    can run in an aiosqlite worker thread and destroy a widget there ("Timers cannot be stopped from
    another thread", then a crash)."""
    gc.collect()
    yield
    gc.collect()

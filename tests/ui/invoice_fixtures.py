"""Fixtures for the Invoice History tests.

`pyside_bool_refcount_guard`: PySide6 6.12.0's `SignalInstance.emit()` returns `True` without a new
reference. qasync emits a signal for every `call_soon_threadsafe` (each aiosqlite result), so a test run
drains `True`'s reference count until CPython 3.11 aborts at exit with "bool_dealloc". Until PySide6 is
pinned to a release without the bug, give `True` and `False` enough references to never reach zero (they
are never freed anyway). This only keeps the interpreter alive; it changes nothing the tests check."""

from __future__ import annotations

import ctypes
from collections.abc import Iterator

import pytest

_SPARE_REFERENCES = 1 << 40


@pytest.fixture(scope="session", autouse=True)
def pyside_bool_refcount_guard() -> Iterator[None]:
    for value in (True, False):
        ctypes.c_ssize_t.from_address(id(value)).value += _SPARE_REFERENCES
    yield


"""The installed PySide6 keeps the reference counts of True, False and None (issue #15: "Fatal Python error:
bool_dealloc" / "none_dealloc").

PySide6 6.12.0 on Python 3.11 dropped a reference to True on every Python-side Signal.emit and to None when C++
called a Python override of a virtual; before Python 3.12 those objects are not immortal, so the app aborted
after enough emits or paints. pyproject.toml excludes that release; this test catches any build like it."""

from __future__ import annotations

import sys
from collections.abc import Callable

import pytest
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QProxyStyle, QPushButton, QStyle, QStyleOption, QWidget

ROUNDS = 50         # a few dozen: enough to see a drop, far from the thousands that would abort the test run


class _Emitter(QObject):
    flag = Signal(bool)
    nothing = Signal()
    anything = Signal(object)


class _Style(QProxyStyle):
    def pixelMetric(self, metric: QStyle.PixelMetric, option: QStyleOption | None = None,
                    widget: QWidget | None = None) -> int:
        return super().pixelMetric(metric, option, widget)


def _counts() -> tuple[int, int, int]:
    return sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None)


def _change(action: Callable[[], object]) -> tuple[int, int, int]:
    action()                                    # warm-up: caches and lazily built type objects
    before = _counts()
    for _ in range(ROUNDS):
        action()
    after = _counts()
    return after[0] - before[0], after[1] - before[1], after[2] - before[2]


@pytest.mark.parametrize("signal", ["flag", "nothing", "anything"])
def test_signal_emit_keeps_true_false_and_none(qapp: QApplication, signal: str) -> None:
    emitter = _Emitter()
    bound = getattr(emitter, signal)
    bound.connect(lambda *args: None)
    args: tuple[object, ...] = {"flag": (True,), "nothing": (), "anything": (None,)}[signal]
    assert _change(lambda: bound.emit(*args)) == (0, 0, 0)


def test_python_override_called_from_cpp_keeps_true_false_and_none(qapp: QApplication) -> None:
    style = _Style()
    button = QPushButton("x")
    button.setStyle(style)

    def relayout() -> None:
        button.setText("y" if button.text() == "x" else "x")
        button.sizeHint()           # C++ calls the Python pixelMetric override

    assert _change(relayout) == (0, 0, 0)
    button.deleteLater()

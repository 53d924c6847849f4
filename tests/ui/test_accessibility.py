"""Keyboard and screen-reader basics over the whole built app: every visible control has a name a screen reader
can speak (asked of Qt's own accessibility layer: text, accessibleName, a QLabel buddy, placeholder or tooltip,
whatever Qt uses), can take keyboard focus, and each tab's controls sit in the Tab focus chain. The tabs' own
dialogs (opened as for screenshots: open()/show(), never exec()) are checked the same way."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QRadioButton,
    QTabBar,
    QWidget,
)
from pytestqt.qtbot import QtBot

from payapp.app import AppContext, build_main_window

CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QCheckBox)


def _describe(widget: QWidget) -> str:
    name = widget.objectName() or "<no objectName>"
    parent = widget.parentWidget()
    while parent is not None and not parent.objectName():
        parent = parent.parentWidget()
    return f"{type(widget).__name__} {name} (in {parent.objectName() if parent else '?'})"


def _spoken_name(widget: QWidget) -> str:
    iface = QAccessible.queryAccessibleInterface(widget)
    return (iface.text(QAccessible.Text.Name) if iface is not None else "").strip()


def _is_internal(widget: QWidget) -> bool:
    """Parts Qt builds inside other widgets (scroll-bar buttons, a combo's line edit, tab-bar scroll arrows,
    spin-box and date-edit internals): their owner carries the name."""
    parent = widget.parentWidget()
    if isinstance(parent, QComboBox) and isinstance(widget, QLineEdit):
        return True
    if isinstance(parent, QTabBar):
        return True
    return bool(widget.objectName().startswith("qt_")) or (parent is not None and parent.objectName().startswith("qt_"))


def control_gaps(root: QWidget) -> list[str]:
    gaps = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, CONTROLS) or not widget.isVisibleTo(root) or _is_internal(widget):
            continue
        if not _spoken_name(widget):
            gaps.append(f"{_describe(widget)}: no accessible name (text, accessibleName or a QLabel buddy)")
        # An exclusive group's unchecked radio buttons leave the Tab chain on purpose (arrows move inside it).
        grouped_radio = isinstance(widget, QRadioButton) and (widget.autoExclusive() or widget.group() is not None)
        if widget.isEnabled() and not grouped_radio and not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            gaps.append(f"{_describe(widget)}: cannot be reached with Tab (focusPolicy {widget.focusPolicy()})")
    return gaps


def unreachable_by_tab(root: QWidget) -> list[str]:
    """Controls that take Tab focus but are not on the focus chain starting at `root` (a broken tab order)."""
    wanted = {w for w in root.findChildren(QWidget) if isinstance(w, CONTROLS) and w.isVisibleTo(root)
              and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus and not _is_internal(w)}
    seen, widget = set(), root.nextInFocusChain()
    for _ in range(5000):
        if widget is root or widget in seen:
            break
        seen.add(widget)
        widget = widget.nextInFocusChain()
    return [_describe(w) + ": not in the Tab focus chain" for w in wanted - seen]


async def _settle(widget: QWidget) -> None:
    ready = getattr(widget, "wait_ready", None)
    if ready is not None:
        await asyncio.wait_for(ready(), 10)
    for _ in range(3):
        await asyncio.sleep(0.01)          # the running qasync loop processes Qt events meanwhile


@pytest.mark.slow
# The invoice context menu is opened with popup(), which asks the offscreen platform to raise it and grab the keyboard.
@pytest.mark.qt_log_ignore("This plugin does not support raise", "does not support grabbing the keyboard")
def test_every_control_has_a_name_and_takes_keyboard_focus(qtbot: QtBot, demo_context: AppContext,
                                                          run: Callable[..., Any]) -> None:
    window = build_main_window(demo_context)
    qtbot.addWidget(window)
    window.show()
    gaps: list[str] = []

    async def walk() -> None:
        for index in range(window.tabs.count()):
            window.tabs.setCurrentIndex(index)
            tab = window.tabs.widget(index)
            await _settle(tab)
            gaps.extend(f"[{tab.objectName()}] {g}" for g in control_gaps(tab) + unreachable_by_tab(window))
            states = getattr(tab, "screenshot_states", None)
            if states is None:
                continue
            for name, widget in await states():
                await _settle(widget)
                gaps.extend(f"[{tab.objectName()} → {name}] {g}"
                            for g in control_gaps(widget) + unreachable_by_tab(widget))
                widget.close()

    run(walk(), 60)
    window.close()
    unique = sorted(set(gaps))
    assert not unique, f"{len(unique)} keyboard/screen-reader gaps:\n" + "\n".join(unique)


def test_the_checks_catch_an_unnamed_control(qtbot: QtBot) -> None:
    root = QWidget()
    qtbot.addWidget(root)
    unnamed = QLineEdit(root)
    unnamed.setObjectName("unnamedEdit")
    named = QLineEdit(root)
    named.setAccessibleName("Amount")
    unfocusable = QCheckBox("Save", root)
    unfocusable.setObjectName("saveBox")
    unfocusable.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    root.show()
    gaps = control_gaps(root)
    assert any("unnamedEdit" in g and "no accessible name" in g for g in gaps)
    assert any("saveBox" in g and "Tab" in g for g in gaps)
    assert not any("Amount" in g for g in gaps)

"""Saved searches of Payment Search: a named set of the filter bar's values, kept per user.

They are stored in the user's part of the workstation's window state (payapp/ui/window_state.py, key
``user/<name>/savedSearches/payments``, JSON): the company database has no per-user settings table yet, and
adding one is a migration of its own. A relative date range ("Last 30 days") is saved as such, so it means the
last 30 days whenever the search is used; a custom range keeps its two dates."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QDate, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QInputDialog,
    QLineEdit,
    QMenu,
    QMessageBox,
    QStyle,
    QToolButton,
    QWidget,
)

from payapp.ui.widgets import ask, confirm_box, return_focus_on_close

KEY = "savedSearches/payments"
MAX_NAME = 60


class SavedSearches(QObject):
    """The combo that applies a saved search and the "Saved searches" button (save, rename, delete) of a
    filter bar. `values()` and `apply(values)` read and set the bar; `combos` and `edits` are its widgets by
    object name."""

    changed = Signal()

    def __init__(self, parent: QWidget, state: Any, *, edits: list[QLineEdit], combos: list[QComboBox],
                 date_combo: QComboBox, date_from: QDateEdit, date_to: QDateEdit,
                 apply_filters: Callable[[], None], show_message: Callable[[str, str], None]) -> None:
        super().__init__(parent)
        self._parent = parent
        self._state = state
        self._edits = edits
        self._combos = combos
        self._date_combo = date_combo
        self._date_from = date_from
        self._date_to = date_to
        self._apply_filters = apply_filters
        self._show = show_message
        self._tasks: set[asyncio.Task[Any]] = set()
        self.input_dialog: QInputDialog | None = None

        self.combo = QComboBox(parent)
        self.combo.setObjectName("savedSearchCombo")
        self.combo.setAccessibleName(self.tr("Saved searches"))
        self.combo.setToolTip(self.tr("Apply a saved search. Save the current filters with Saved searches › "
                                      "Save current filters… (Ctrl+Shift+S)."))
        self.combo.setMinimumContentsLength(14)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.activated.connect(self._on_activated)

        self.button = QToolButton(parent)
        self.button.setObjectName("savedSearchesButton")
        self.button.setText(self.tr("Saved searches"))
        self.button.setAccessibleName(self.tr("Saved searches: save, rename, delete"))
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.menu = QMenu(self.button)
        self.menu.setObjectName("savedSearchesMenu")
        self.save_action = self._action("saveSearchAction", self.tr("Save current filters…"), self.ask_save)
        self.save_action.setShortcuts([QKeySequence("Ctrl+Shift+S")])
        self.save_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        parent.addAction(self.save_action)             # the shortcut works anywhere in the tab
        self.rename_action = self._action("renameSearchAction", self.tr("Rename…"), self.ask_rename)
        self.delete_action = self._action("deleteSearchAction", self.tr("Delete…"), self.ask_delete)
        self.button.setMenu(self.menu)
        # the menu arrow is drawn over the text's end unless the button is made room for it
        self.button.setMinimumWidth(self.button.sizeHint().width()
                                    + self.button.style().pixelMetric(QStyle.PixelMetric.PM_MenuButtonIndicator) + 4)
        self._fill()

    def _action(self, name: str, text: str, slot: Callable[[], Any]) -> QAction:
        act = QAction(text, self.menu)
        act.setObjectName(name)
        act.triggered.connect(lambda _c=False: slot())
        self.menu.addAction(act)
        return act

    # ------------------------------------------------------------------ the stored searches

    def searches(self) -> dict[str, dict[str, Any]]:
        stored = self._state.json_value(KEY, {})
        return {str(k): v for k, v in stored.items() if isinstance(v, dict)}

    def names(self) -> list[str]:
        return sorted(self.searches(), key=str.casefold)

    def _store(self, searches: dict[str, dict[str, Any]]) -> None:
        self._state.set_json_value(KEY, searches)
        self._state.sync()
        self._fill()
        self.changed.emit()

    def values(self) -> dict[str, Any]:
        """The filter bar as it stands."""
        return {"date": self._date_combo.currentData() or "all",
                "from": self._date_from.date().toString(Qt.DateFormat.ISODate),
                "to": self._date_to.date().toString(Qt.DateFormat.ISODate),
                "text": {e.objectName(): e.text() for e in self._edits if e.text()},
                "choice": {c.objectName(): c.currentData() for c in self._combos if c.currentData()}}

    def apply(self, values: dict[str, Any]) -> None:
        """Set the filter bar to `values` (one search, not one per widget changed)."""
        widgets: list[QWidget] = [*self._edits, *self._combos, self._date_combo, self._date_from, self._date_to]
        for w in widgets:
            w.blockSignals(True)
        try:
            text = values.get("text", {})
            for e in self._edits:
                e.setText(str(text.get(e.objectName(), "")) if isinstance(text, dict) else "")
            choice = values.get("choice", {})
            for c in self._combos:
                index = c.findData(choice.get(c.objectName(), "")) if isinstance(choice, dict) else 0
                c.setCurrentIndex(max(index, 0))
            self._date_combo.setCurrentIndex(max(self._date_combo.findData(values.get("date", "all")), 0))
            for edit, key in ((self._date_from, "from"), (self._date_to, "to")):
                day = QDate.fromString(str(values.get(key, "")), Qt.DateFormat.ISODate)
                if day.isValid():
                    edit.setDate(day)
            custom = self._date_combo.currentData() == "custom"
            self._date_from.setEnabled(custom)
            self._date_to.setEnabled(custom)
        finally:
            for w in widgets:
                w.blockSignals(False)
        self._apply_filters()

    def save(self, name: str, *, replace: bool = False) -> bool:
        """Save the current filters as `name`; False when the name is empty or taken (and `replace` is not)."""
        name = " ".join(name.split())[:MAX_NAME]
        searches = self.searches()
        if not name or (name in searches and not replace):
            return False
        searches[name] = self.values()
        self._store(searches)
        self.select(name)
        return True

    def use(self, name: str) -> bool:
        search = self.searches().get(name)
        if search is None:
            return False
        self.apply(search)
        self.select(name)
        return True

    def rename(self, old: str, new: str) -> bool:
        new = " ".join(new.split())[:MAX_NAME]
        searches = self.searches()
        if old not in searches or not new or (new in searches and new != old):
            return False
        searches[new] = searches.pop(old)
        self._store(searches)
        self.select(new)
        return True

    def delete(self, name: str) -> bool:
        searches = self.searches()
        if searches.pop(name, None) is None:
            return False
        self._store(searches)
        return True

    # ------------------------------------------------------------------ the combo

    def current_name(self) -> str:
        return str(self.combo.currentData() or "")

    def select(self, name: str) -> None:
        self.combo.setCurrentIndex(max(self.combo.findData(name), 0))
        self._update_actions()

    def _fill(self) -> None:
        current = self.current_name()
        names = self.names()
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem(self.tr("Saved searches…") if names else self.tr("No saved searches yet"), "")
        for name in names:
            self.combo.addItem(name, name)
        self.combo.setCurrentIndex(max(self.combo.findData(current), 0) if current else 0)
        self.combo.blockSignals(False)
        self._update_actions()

    def _update_actions(self) -> None:
        chosen = bool(self.current_name())
        self.rename_action.setEnabled(chosen)
        self.delete_action.setEnabled(chosen)
        if not chosen:
            self.rename_action.setToolTip(self.tr("Choose a saved search first"))

    def _on_activated(self, index: int) -> None:
        name = self.combo.itemData(index)
        if name:
            self.use(str(name))
        self._update_actions()

    def filters_changed(self) -> None:
        """The user changed a filter: the combo no longer names what is shown (unless it still matches)."""
        name = self.current_name()
        if name and self.searches().get(name) != self.values():
            self.combo.setCurrentIndex(0)
            self._update_actions()

    # ------------------------------------------------------------------ asking (opened, awaited: no nested loop)

    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def ask_text(self, title: str, label: str, text: str = "") -> str | None:
        dialog = QInputDialog(self._parent)
        dialog.setObjectName("savedSearchNameDialog")
        dialog.setWindowTitle(title)
        dialog.setLabelText(label)
        dialog.setTextValue(text)
        dialog.setOkButtonText(self.tr("Save"))
        dialog.setCancelButtonText(self.tr("Cancel"))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        return_focus_on_close(dialog)
        done: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        # finished comes before textValueSelected (QInputDialog.done): read the text there
        dialog.finished.connect(lambda r: done.done() or done.set_result(dialog.textValue() if r else None))
        self.input_dialog = dialog
        dialog.open()
        try:
            return await done
        finally:
            self.input_dialog = None

    def ask_save(self) -> asyncio.Task[Any]:
        return self._spawn(self._ask_save())

    async def _ask_save(self) -> bool:
        name = await self.ask_text(self.tr("Save search"), self.tr("Name for the current filters:"),
                                   self.current_name())
        if name is None or not shiboken6.isValid(self):
            return False
        name = " ".join(name.split())[:MAX_NAME]
        if not name:
            self._show("warning", self.tr("Nothing was saved: a saved search needs a name."))
            return False
        replace = False
        if name in self.searches():
            box = confirm_box(self._parent, self.tr("Replace saved search?"),
                              self.tr("A saved search named “%1” exists already. Replace it with the current "
                                      "filters?").replace("%1", name), self.tr("Replace"))
            if await ask(box) != QMessageBox.StandardButton.Yes:
                return False
            replace = True
        self.save(name, replace=replace)
        self._show("success", self.tr("Saved the current filters as “%1”.").replace("%1", name))
        return True

    def ask_rename(self) -> asyncio.Task[Any]:
        return self._spawn(self._ask_rename())

    async def _ask_rename(self) -> bool:
        old = self.current_name()
        if not old:
            return False
        new = await self.ask_text(self.tr("Rename saved search"), self.tr("New name for “%1”:").replace("%1", old),
                                  old)
        if new is None or not shiboken6.isValid(self):
            return False
        new = " ".join(new.split())[:MAX_NAME]
        if new == old:
            return False
        if not self.rename(old, new):
            self._show("error", self.tr("Not renamed: choose a name no other saved search has.") if new else
                       self.tr("Not renamed: a saved search needs a name."))
            return False
        self._show("success", self.tr("Renamed “%1” to “%2”.").replace("%1", old).replace("%2", new))
        return True

    def ask_delete(self) -> asyncio.Task[Any]:
        return self._spawn(self._ask_delete())

    async def _ask_delete(self) -> bool:
        name = self.current_name()
        if not name:
            return False
        box = confirm_box(self._parent, self.tr("Delete saved search?"),
                          self.tr("Delete the saved search “%1”? The payments are not affected.").replace("%1", name),
                          self.tr("Delete"))
        if await ask(box) != QMessageBox.StandardButton.Yes or not shiboken6.isValid(self):
            return False
        self.delete(name)
        self._show("info", self.tr("Deleted the saved search “%1”.").replace("%1", name))
        return True

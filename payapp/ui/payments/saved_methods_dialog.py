"""Saved payment methods of one company (issue #15.13): see them, give one a name, a card's new expiry, delete one
(in the gateway's vault too). Cards that expire within 60 days, or have expired, are flagged in words and colour.

Keyboard-first: the list has the focus; F2 renames, Ctrl+E gives a new expiry, Del deletes, Esc closes. Changes are
asked in a small editor whose errors sit under its field; the dialog's banner says what happened."""

from __future__ import annotations

import asyncio
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from payapp.domain.errors import PayAppError, ValidationError
from payapp.domain.roles import Permission
from payapp.services.context import Services
from payapp.services.saved_methods import EXPIRED, EXPIRING, NICKNAME_MAX, SavedMethodView
from payapp.ui.i18n import fill
from payapp.ui.messages import user_text
from payapp.ui.payments.payment_model import format_when
from payapp.ui.widgets import Banner, EmptyState, ask, confirm_box, return_focus_on_close

ERROR_STYLES = ("QLabel { color: #b71c1c; }", "QLabel { color: #ff8a80; }")   # (light, dark), as the payment window
# with words ("expires soon", "expired"): never colour alone; AA contrast on the light and the dark palette's base
WARNING_COLOURS = (QColor("#8a4600"), QColor("#ffb35c"))      # (light, dark)
EXPIRED_COLOURS = (QColor("#b02a1e"), QColor("#ff8a80"))


class _EditDialog(QDialog):
    """One field to change (a name, an expiry); `submit` is awaited on OK and its error shown under the field."""

    def __init__(self, title: str, caption: str, value: str, placeholder: str, name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.edit = QLineEdit(value, self)
        self.edit.setObjectName(f"{name}Edit")
        self.edit.setAccessibleName(caption.rstrip(":"))
        self.edit.setPlaceholderText(placeholder)
        self.edit.selectAll()
        self.error = QLabel(self)
        self.error.setObjectName(f"{name}Error")
        dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        self.error.setStyleSheet(ERROR_STYLES[int(dark)])
        self.error.setWordWrap(True)
        self.error.hide()
        form = QFormLayout()
        form.addRow(caption, self.edit)
        form.addRow("", self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setObjectName(f"{name}Save")
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
        self.edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.edit.selectAll()


class SavedMethodsDialog(QDialog):
    """The saved methods of `company_id`. `changed` is emitted after a rename, new expiry or delete."""

    changed = Signal()

    def __init__(self, services: Services, company_id: int, company_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("savedMethodsDialog")
        self.setWindowTitle(fill(self.tr("Saved payment methods · %1"), company_name))
        self._services = services
        self._company_id = company_id
        self._company_name = company_name
        self._rows: list[SavedMethodView] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self.editor: _EditDialog | None = None
        self.can_change = services.current_user.can(Permission.MANAGE_PAYMENT)

        self.banner = Banner(self, "savedMethodsBanner")
        intro = QLabel(fill(self.tr("Cards and bank accounts saved for %1. The numbers stay in the gateway's "
                                    "vault; PayApp keeps the last four digits only."), company_name), self)
        intro.setObjectName("savedMethodsIntro")
        intro.setWordWrap(True)
        self.table = QTableWidget(0, 5, self)
        self.table.setObjectName("savedMethodsTable")
        self.table.setAccessibleName(self.tr("Saved payment methods"))
        self.table.setHorizontalHeaderLabels([self.tr("Method"), self.tr("Name"), self.tr("Expires"),
                                              self.tr("Holder"), self.tr("Last used")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)             # Tab goes on to the buttons
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setMinimumSectionSize(90)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.empty = EmptyState(fill(self.tr("No saved payment methods for %1 yet. To save one, receive a payment "
                                             "by card or eCheck and tick “Save payment information”."),
                                     company_name), self)
        self.empty.setObjectName("savedMethodsEmpty")
        self.expiry_note = QLabel(self)
        self.expiry_note.setObjectName("savedMethodsExpiryNote")
        self.expiry_note.setWordWrap(True)
        self.expiry_note.hide()
        self.role_note = QLabel(self.tr("Your role can see saved payment methods but not change them."), self)
        self.role_note.setObjectName("savedMethodsRoleNote")
        self.role_note.setStyleSheet("QLabel { color: palette(placeholder-text); }")
        self.role_note.setVisible(not self.can_change)

        self.rename_button = QPushButton(self.tr("&Rename…"), self)
        self.rename_button.setObjectName("savedMethodRename")
        self.rename_button.setToolTip(self.tr("Give it a name PayApp shows with it (F2)"))
        self.expiry_button = QPushButton(self.tr("New e&xpiry…"), self)
        self.expiry_button.setObjectName("savedMethodExpiry")
        self.expiry_button.setToolTip(self.tr("The card's new expiry date, from the customer (Ctrl+E)"))
        self.delete_button = QPushButton(self.tr("&Delete…"), self)
        self.delete_button.setObjectName("savedMethodDelete")
        self.delete_button.setToolTip(self.tr("Delete it here and in the gateway's vault (Del)"))
        close = QPushButton(self.tr("Close"), self)
        close.setObjectName("savedMethodsClose")
        close.clicked.connect(self.reject)
        for button, slot in ((self.rename_button, self.rename_selected), (self.expiry_button, self.expiry_selected),
                             (self.delete_button, self.delete_selected)):
            button.clicked.connect(lambda _c=False, s=slot: self._spawn(s()))
            button.setVisible(self.can_change)
            button.setAutoDefault(False)
        for keys, slot in ((QKeySequence(Qt.Key.Key_F2), self.rename_selected),
                           (QKeySequence("Ctrl+E"), self.expiry_selected),
                           (QKeySequence(QKeySequence.StandardKey.Delete), self.delete_selected)):
            shortcut = QShortcut(keys, self)
            shortcut.activated.connect(lambda s=slot: self._spawn(s()) if self.can_change else None)

        buttons = QHBoxLayout()
        for b in (self.rename_button, self.expiry_button, self.delete_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1)
        layout.addWidget(self.expiry_note)
        layout.addWidget(self.role_note)
        layout.addLayout(buttons)
        QWidget.setTabOrder(self.table, self.rename_button)
        QWidget.setTabOrder(self.rename_button, self.expiry_button)
        QWidget.setTabOrder(self.expiry_button, self.delete_button)
        QWidget.setTabOrder(self.delete_button, close)
        self.resize(900, 420)
        self.set_rows([])

    # ------------------------------------------------------------------ loading and showing

    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def wait_idle(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def load(self, select_id: int | None = None) -> None:
        try:
            rows = await self._services.saved_methods.list(self._company_id)
        except PayAppError as exc:
            if shiboken6.isValid(self):
                self.banner.show_error(user_text(exc))
            return
        if shiboken6.isValid(self):
            self.set_rows(rows, select_id)

    def method_text(self, m: SavedMethodView) -> str:
        if m.method == "card":
            return self.tr("%1 ending %2").replace("%1", m.brand or self.tr("Card")).replace("%2", m.last_four)
        kind = self.tr("Savings") if m.account_type == "savings" else self.tr("Checking")
        return self.tr("eCheck %1 ending %2").replace("%1", kind).replace("%2", m.last_four)

    def expiry_text(self, m: SavedMethodView) -> str:
        if m.method != "card" or len(m.expiry) != 4:
            return "—"
        when = f"{m.expiry[:2]}/{m.expiry[2:]}"
        if m.expiry_state == EXPIRED:
            return self.tr("%1 · expired").replace("%1", when)
        if m.expiry_state == EXPIRING:
            return self.tr("%1 · expires soon").replace("%1", when)
        return when

    def set_rows(self, rows: list[SavedMethodView], select_id: int | None = None) -> None:
        self._rows = rows
        locale = self._services.locale
        dark = int(self.table.palette().color(QPalette.ColorRole.Base).lightness() < 128)
        self.table.setRowCount(len(rows))
        for i, m in enumerate(rows):
            last_used = format_when(m.last_used_at, locale) if m.last_used_at else "—"
            if m.is_default:
                last_used = self.tr("%1 (the default)").replace("%1", last_used)
            values = [self.method_text(m), m.nickname or "—", self.expiry_text(m), m.holder_name or "—", last_used]
            for c, v in enumerate(values):
                item = QTableWidgetItem(v)
                item.setToolTip(v)
                if c == 2 and m.expiry_state:
                    colours = EXPIRED_COLOURS if m.expiry_state == EXPIRED else WARNING_COLOURS
                    item.setForeground(colours[dark])
                self.table.setItem(i, c, item)
        self.table.resizeColumnsToContents()
        for c in range(self.table.columnCount() - 1):         # long names elide (the tooltip has them)
            self.table.setColumnWidth(c, min(self.table.columnWidth(c), 260))
        self.table.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        expired = sum(1 for m in rows if m.expiry_state == EXPIRED)
        expiring = sum(1 for m in rows if m.expiry_state == EXPIRING)
        notes = []
        if expired:
            notes.append(self.tr("%n card(s) expired: ask the customer for the new expiry date, or delete it.", "",
                                 expired))
        if expiring:
            notes.append(self.tr("%n card(s) expire within 60 days.", "", expiring))
        self.expiry_note.setText(" ".join(notes))
        self.expiry_note.setVisible(bool(notes))
        if rows:
            index = next((i for i, m in enumerate(rows) if m.id == select_id), 0)
            self.table.selectRow(index)
            self.table.setCurrentCell(index, 0)
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self._selection_changed()

    def selected(self) -> SavedMethodView | None:
        rows = self.table.selectionModel().selectedRows()
        return self._rows[rows[0].row()] if rows and rows[0].row() < len(self._rows) else None

    def _selection_changed(self) -> None:
        m = self.selected()
        self.rename_button.setEnabled(m is not None)
        self.delete_button.setEnabled(m is not None)
        self.expiry_button.setEnabled(m is not None and m.method == "card")

    # ------------------------------------------------------------------ changes

    async def _edit(self, editor: _EditDialog, save: Any) -> bool:
        """Open `editor`; on Save await save(text); a ValidationError or PayAppError stays in the editor."""
        self.editor = editor
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        save_button = editor.buttons.button(QDialogButtonBox.StandardButton.Save)

        async def attempt() -> None:
            save_button.setEnabled(False)
            try:
                await save(editor.edit.text())
            except ValidationError as exc:
                editor.show_error(user_text(exc))
                return
            except PayAppError as exc:
                editor.show_error(user_text(exc))
                return
            finally:
                if shiboken6.isValid(save_button):
                    save_button.setEnabled(True)
            if not done.done():
                done.set_result(True)
            editor.accept()

        editor.buttons.accepted.connect(lambda: self._spawn(attempt()))
        editor.finished.connect(lambda _r: done.done() or done.set_result(False))
        return_focus_on_close(editor, self.table)
        editor.open()
        try:
            return await done
        finally:
            editor.deleteLater()
            self.editor = None

    async def rename_selected(self) -> bool:
        m = self.selected()
        if m is None or not self.can_change or self.editor is not None:
            return False
        editor = _EditDialog(fill(self.tr("Name for %1"), self.method_text(m)), self.tr("Name:"), m.nickname,
                             self.tr("e.g. Office card (empty: no name)"), "renameSavedMethod", self)
        editor.edit.setMaxLength(NICKNAME_MAX)

        async def save(text: str) -> None:
            await self._services.saved_methods.rename(m.id, text)

        if not await self._edit(editor, save):
            return False
        self.banner.show_success(fill(self.tr("%1 renamed."), self.method_text(m)))
        self.changed.emit()
        await self.load(m.id)
        return True

    async def expiry_selected(self) -> bool:
        m = self.selected()
        if m is None or m.method != "card" or not self.can_change or self.editor is not None:
            return False
        current = f"{m.expiry[:2]}/{m.expiry[2:]}" if len(m.expiry) == 4 else ""
        editor = _EditDialog(fill(self.tr("New expiry for %1"), self.method_text(m)), self.tr("Expires (MM/YY):"),
                             current, self.tr("MM/YY"), "savedMethodExpiryEditor", self)
        editor.edit.setMaxLength(7)
        note = QLabel(self.tr("The card number stays as it is; the gateway's vault gets the new date."), editor)
        note.setWordWrap(True)
        note.setStyleSheet("QLabel { color: palette(placeholder-text); }")
        editor.layout().insertWidget(1, note)

        async def save(text: str) -> None:
            await self._services.saved_methods.update_expiry(m.id, text)

        if not await self._edit(editor, save):
            return False
        self.banner.show_success(fill(self.tr("%1 has its new expiry date."), self.method_text(m)))
        self.changed.emit()
        await self.load(m.id)
        return True

    async def delete_selected(self) -> bool:
        m = self.selected()
        if m is None or not self.can_change or self.editor is not None:
            return False
        what = self.method_text(m)
        box = confirm_box(self, self.tr("Delete saved payment method"),
                          fill(self.tr("Delete %1 of %2?"), what, self._company_name), self.tr("Delete"),
                          informative=self.tr("It is deleted in the gateway's vault too. The customer gives the "
                                              "card or account again for a next payment."))
        if await ask(box) != QMessageBox.StandardButton.Yes:
            return False
        try:
            await self._services.saved_methods.delete(m.id)
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
            return False
        self.banner.show_success(fill(self.tr("%1 deleted."), what))
        self.changed.emit()
        await self.load()
        return True


async def open_saved_methods(services: Services, company_id: int, company_name: str,
                             parent: QWidget | None) -> SavedMethodsDialog:
    """Open the dialog (non-modal, deleted on close) and load the company's saved methods into it."""
    dialog = SavedMethodsDialog(services, company_id, company_name, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return_focus_on_close(dialog)
    dialog.open()
    await dialog.load()
    return dialog

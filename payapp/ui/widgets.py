"""Small widgets every screen uses: the result banner, masked secret fields, async dialogs."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence

import shiboken6
from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from payapp.ui.messages import legacy_text

# A hint is dimmed while enabled only: a style sheet colour also holds when disabled, so a hint of a disabled
# form (after an approved payment) would look more active than its greyed-out fields.
HINT_STYLE = "QLabel:enabled { color: palette(placeholder-text); }"
BANNER_COLOURS = {
    "success": ("#1e6b34", "#e3f4e8"),
    "approved": ("#1e6b34", "#e3f4e8"),
    "info": ("#1d4f86", "#e5eef9"),
    "warning": ("#7a5200", "#fff3d6"),
    "unknown": ("#7a5200", "#fff3d6"),
    "error": ("#8a1c1c", "#fbe7e7"),
    "declined": ("#8a1c1c", "#fbe7e7"),
}


class Banner(QFrame):
    """A message strip at the top of a page: result of the last action, in plain words.

    `kind` is None while hidden; tests read it. Colours carry meaning together with an icon-like
    prefix so the message does not depend on colour alone."""

    action_clicked = Signal()

    def __init__(self, parent: QWidget | None = None, object_name: str = "banner") -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.kind: str | None = None
        self._label = QLabel(self)
        self._label.setObjectName(f"{object_name}Text")
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._action = QPushButton(self)
        self._action.setObjectName(f"{object_name}Action")
        self._action.hide()
        self._action.clicked.connect(self.action_clicked)
        close = QPushButton("×", self)
        close.setObjectName(f"{object_name}Close")
        close.setFlat(True)
        close.setFixedWidth(28)
        close.setAccessibleName(self.tr("Close message"))
        close.clicked.connect(self.clear)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 8)
        layout.addWidget(self._label, 1)
        layout.addWidget(self._action)
        layout.addWidget(close)
        self.setAccessibleName(self.tr("Message"))
        self.hide()

    @property
    def text(self) -> str:
        return self._label.text()

    def show_message(self, kind: str, text: str, action: str = "") -> None:
        fg, bg = BANNER_COLOURS.get(kind, BANNER_COLOURS["info"])
        prefix = {"success": "✔", "approved": "✔", "error": "✖", "declined": "✖", "warning": "⚠",
                  "unknown": "⚠"}.get(kind, "ℹ")
        self.kind = kind
        # Messages from the services (a model's load error, why processing is off) arrive in English.
        self._label.setText(f"{prefix}  {legacy_text(text)}")
        # The close button is coloured too: the dark palette's light button text vanishes on the light banner.
        self.setStyleSheet(f"QFrame#{self.objectName()} {{ background: {bg}; border: 1px solid {fg};"
                           f" border-radius: 4px; }} QLabel {{ color: {fg}; background: transparent; }}"
                           f" QPushButton#{self.objectName()}Close {{ color: {fg}; }}")
        self._action.setVisible(bool(action))
        self._action.setText(action)
        self.show()

    def show_success(self, text: str) -> None:
        self.show_message("success", text)

    def show_error(self, text: str, action: str = "") -> None:
        self.show_message("error", text, action)

    def show_info(self, text: str) -> None:
        self.show_message("info", text)

    def show_warning(self, text: str) -> None:
        self.show_message("warning", text)

    def clear(self) -> None:
        self.kind = None
        self._label.clear()
        self.hide()


class _NoCopyFilter(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) and isinstance(event, QKeyEvent) \
                and (event.matches(QKeySequence.StandardKey.Copy) or event.matches(QKeySequence.StandardKey.Cut)):
            event.accept()
            return True
        return False


class MaskedLineEdit(QLineEdit):
    """A field for a secret that can never be unmasked: password echo, no context menu, no drag, no copy
    or cut. There is deliberately no way to put a saved secret back into it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEchoMode(QLineEdit.EchoMode.Password)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.setDragEnabled(False)
        self.setAcceptDrops(True)
        self.setInputMethodHints(Qt.InputMethodHint.ImhHiddenText | Qt.InputMethodHint.ImhSensitiveData
                                 | Qt.InputMethodHint.ImhNoPredictiveText)
        self._filter = _NoCopyFilter(self)
        self.installEventFilter(self._filter)

    def setEchoMode(self, mode: QLineEdit.EchoMode) -> None:
        # Refuse any attempt to unmask (no reveal button, no accidental Normal echo).
        super().setEchoMode(QLineEdit.EchoMode.Password)

    def copy(self) -> None:
        return

    def cut(self) -> None:
        return

    def take_secret(self) -> str:
        """Return the typed value and clear the field, so it lives in the widget as briefly as possible."""
        value = self.text()
        self.clear()
        return value


async def ask(box: QMessageBox) -> QMessageBox.StandardButton:
    """Open a message box without a nested event loop and await the button pressed."""
    done: asyncio.Future[QMessageBox.StandardButton] = asyncio.get_running_loop().create_future()

    def finished(_result: int) -> None:
        if not done.done():
            done.set_result(box.standardButton(box.clickedButton()) if box.clickedButton() else
                            QMessageBox.StandardButton.Cancel)

    box.finished.connect(finished)
    return_focus_on_close(box)          # Esc or a button: the keyboard carries on where it was
    box.open()
    return await done


def confirm_box(parent: QWidget, title: str, text: str, yes: str, *, informative: str = "") -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Question, title, text,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, parent)
    box.setObjectName("confirmBox")
    box.button(QMessageBox.StandardButton.Yes).setText(yes)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    if informative:
        box.setInformativeText(informative)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return box


class EmptyState(QLabel):
    """A centred hint shown where a list is empty: says what to do next."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setObjectName("emptyState")
        self.setStyleSheet("QLabel#emptyState { color: palette(placeholder-text); padding: 24px; }")


def set_column_widths(view: QTableView, widths: Sequence[int], samples: Mapping[int, str] | None = None) -> None:
    """Set the columns' starting widths, but never narrower than the (translated) header text, or than a sample
    cell text given for a column: German and the pseudo-locale are longer than the English the widths suit."""
    header = view.horizontalHeader()
    model = view.model()
    padding = 2 * view.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin) + 16   # margins and sort arrow
    for column, width in enumerate(widths):
        texts = [str(model.headerData(column, Qt.Orientation.Horizontal) or "")] if model is not None else []
        if samples and column in samples:
            texts.append(samples[column])
        needed = max((header.fontMetrics().horizontalAdvance(text) + padding for text in texts), default=0)
        view.setColumnWidth(column, max(width, needed))


def fit_placeholder(edit: QLineEdit) -> None:
    """Make a line edit at least as wide as its (translated) placeholder, so German and the pseudo-locale don't
    cut the hint off: the text, the frame, the line edit's own margins and the clear button's room."""
    margins = edit.textMargins()
    frame = edit.style().pixelMetric(QStyle.PixelMetric.PM_DefaultFrameWidth, None, edit)
    clear = edit.sizeHint().height() if edit.isClearButtonEnabled() else 0
    needed = (edit.fontMetrics().horizontalAdvance(edit.placeholderText()) + margins.left() + margins.right()
              + 2 * frame + 2 * 2 + clear + 6)    # QLineEdit keeps 2 px each side; 6 px so the end isn't flush
    edit.setMinimumWidth(max(edit.minimumWidth(), needed))


class ElidedLabel(QLabel):
    """One line of plain text that never widens its window: a text longer than the room ends in "…" and
    shows whole as a tooltip (a long company name)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(40)           # an explicit minimum: the layout may shrink it below the text's width
        self.set_full_text(text)

    @property
    def full_text(self) -> str:
        return self._full

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setAccessibleName(text)
        self._elide()

    def sizeHint(self) -> QSize:
        # the whole text's width, so a widening window gives the text back (the shown text may be elided)
        hint = super().sizeHint()
        return QSize(self.fontMetrics().horizontalAdvance(self._full) + 2, hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, max(self.width(), 1))
        self.setText(shown)
        self.setToolTip(self._full if shown != self._full else "")


def return_focus_on_close(dialog: QDialog, origin: QWidget | None = None) -> None:
    """When `dialog` closes (Esc, a button, the window's close button), give the focus back to the widget that
    had it when the dialog was opened (or to `origin`), so keyboard work carries on where it was."""
    target = origin if origin is not None else QApplication.focusWidget()
    if target is None or target is dialog or dialog.isAncestorOf(target):
        return

    def back(_result: int) -> None:
        if shiboken6.isValid(target) and target.isVisible() and target.isEnabled():
            target.window().activateWindow()
            target.setFocus(Qt.FocusReason.OtherFocusReason)

    dialog.finished.connect(back)


def replacing_editor(parent: QWidget, edit: QLineEdit, object_base: str, cancel_text: str, cancel_tip: str,
                     on_cancel: Callable[[], None]) -> tuple[QWidget, QPushButton]:
    """A saved key's field while it is being replaced: the edit with a (hidden until replacing) Cancel beside it;
    Esc in the field cancels too. The caller passes its own translated texts (its translation context)."""
    editing = QWidget(parent)
    row = QHBoxLayout(editing)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(edit, 1)
    cancel = QPushButton(cancel_text, editing)
    cancel.setObjectName(f"{object_base}CancelReplace")
    cancel.setToolTip(cancel_tip)
    cancel.clicked.connect(on_cancel)
    cancel.hide()
    row.addWidget(cancel)
    escape = QShortcut(QKeySequence(QKeySequence.StandardKey.Cancel), edit)
    escape.setContext(Qt.ShortcutContext.WidgetShortcut)
    escape.activated.connect(on_cancel)
    return editing, cancel


def revert_and_save(parent: QWidget, object_base: str, texts: tuple[str, str, str], revert: Callable[[], object],
                    save: Callable[[], object]) -> tuple[QPushButton, QPushButton, QHBoxLayout]:
    """An Admin page's Revert and Save (the default button), right-aligned in a row; `texts` are Revert, its tool
    tip and Save, translated by the caller (its translation context). Object names `<base>Revert`, `<base>Save`."""
    revert_text, revert_tip, save_text = texts
    revert_button = QPushButton(revert_text, parent)
    revert_button.setObjectName(f"{object_base}Revert")
    revert_button.setToolTip(revert_tip)
    revert_button.clicked.connect(revert)
    save_button = QPushButton(save_text, parent)
    save_button.setObjectName(f"{object_base}Save")
    save_button.setDefault(True)
    save_button.clicked.connect(save)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(revert_button)
    row.addWidget(save_button)
    return revert_button, save_button, row


def banner_over_scrolling_page(page: QWidget, banner: Banner, content: QWidget, max_width: int) -> None:
    """An Admin page's layout: its banner on top, its content (at most `max_width` wide) scrolling below it."""
    content.setMaximumWidth(max_width)
    scroll = QScrollArea(page)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setWidget(content)
    outer = QVBoxLayout(page)
    outer.addWidget(banner)
    outer.addWidget(scroll, 1)

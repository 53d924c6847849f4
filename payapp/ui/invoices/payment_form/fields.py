"""A labelled field with its validation message next to it, as every form of the payment window lays it out."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QCheckBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from payapp.domain.errors import ValidationError
from payapp.ui.messages import user_text
from payapp.ui.widgets import HINT_STYLE

ERROR_STYLE = "QLabel { color: #b71c1c; }"
ERROR_STYLE_DARK = "QLabel { color: #ff8a80; }"
QWIDGETSIZE_MAX = (1 << 24) - 1       # Qt's "no maximum" size (not exported by PySide6)


class Field:
    """A line edit with the message next to it, and the check that produces that message."""

    def __init__(self, edit: QLineEdit, error: QLabel, check: Callable[[str], object]) -> None:
        self.edit, self.error, self.check = edit, error, check

    def validate(self) -> bool:
        try:
            self.check(self.edit.text())
        except ValidationError as exc:
            self.error.setText(user_text(exc))
            self.error.setVisible(True)
            self.edit.setProperty("invalid", True)
            self.edit.setAccessibleDescription(user_text(exc))    # read out with the field's name
            return False
        self.error.clear()
        self.error.setVisible(False)
        self.edit.setProperty("invalid", False)
        self.edit.setAccessibleDescription("")
        return True


def wipe(edit: QLineEdit) -> None:
    """Empty a field and its undo history: QLineEdit.clear() is undoable, so Ctrl+Z would bring a card
    number or CVV back; setText() starts a new history."""
    edit.setText("")
    edit.setModified(False)


def keep_private(edit: QLineEdit, hints: Qt.InputMethodHint) -> None:
    """No copy/paste menu, no dragging out, and no input method that learns what is typed."""
    edit.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
    edit.setDragEnabled(False)
    edit.setInputMethodHints(hints)


def required(message: str) -> Callable[[str], object]:
    def check(text: str) -> object:
        if not text.strip():
            raise ValidationError(message)
        return text
    return check


def error_label(parent: QWidget, name: str) -> QLabel:
    """The (hidden) message label under a field, red enough to read on a light or a dark window."""
    label = QLabel(parent)
    label.setObjectName(name)
    dark = parent.palette().color(QPalette.ColorRole.Window).lightness() < 128
    label.setStyleSheet(ERROR_STYLE_DARK if dark else ERROR_STYLE)
    label.setWordWrap(True)
    label.setVisible(False)
    return label


def line_edit(parent: QWidget, name: str, *, max_length: int = 0, max_width: int = 0) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setObjectName(name)
    if max_length:
        edit.setMaxLength(max_length)
    if max_width:
        edit.setMaximumWidth(max_width)
    return edit


def field_row(form: QFormLayout, label: str, edit: QWidget, *below: QWidget, extra: QWidget | None = None) -> None:
    """A labelled row: the field (with `extra` beside it) and its hint/error labels under it.

    The row is a layout, not a container widget: the field stays a child of the form's widget, next to
    its label, and the label's buddy is the field itself. Qt's accessibility layer looks for a buddy
    label only among the field's siblings, so a container would leave the field without a spoken name."""
    v = QVBoxLayout()
    v.setSpacing(2)
    h = QHBoxLayout()
    h.addWidget(edit, 1)
    if extra is not None:
        h.addWidget(extra)
    if edit.maximumWidth() < QWIDGETSIZE_MAX:
        # A box layout is no wider than its narrowest item: without this spacer a short field (CVV)
        # would squeeze its hint and error messages into the field's own width.
        h.addStretch(0)
    v.addLayout(h)
    for widget in below:
        v.addWidget(widget)
    form.addRow(label, v)
    caption = form.labelForField(v)
    if isinstance(caption, QLabel):
        caption.setBuddy(edit)


class FormRows:
    """The rows of one payment form (card, bank account, SEPA): labelled fields with their messages under them,
    laid out in the form's group box, and the checks that produce those messages.

    A helper the form holds, not a base class: `self.tr()` looks a text up in each class of the caller's MRO
    until one answers with something else than the English, so a PayApp base class would be asked for every
    text whose German is the same ("IBAN")."""

    def __init__(self, box: QGroupBox) -> None:
        self.box = box
        self.form = QFormLayout(box)
        self.fields: list[Field] = []

    def line(self, name: str, *, max_length: int = 0, max_width: int = 0) -> QLineEdit:
        return line_edit(self.box, name, max_length=max_length, max_width=max_width)

    def errors(self, *names: str) -> dict[str, QLabel]:
        return {name: error_label(self.box, name) for name in names}

    def row(self, label: str, edit: QWidget, *below: QWidget, extra: QWidget | None = None) -> None:
        field_row(self.form, label, edit, *below, extra=extra)

    def check_as_typed(self, fields: list[Field]) -> None:
        """These are the form's fields; each one's message follows what the user types."""
        self.fields = fields
        for f in fields:
            f.edit.textEdited.connect(lambda _t, f=f: f.validate())

    def invalid(self) -> list[Field]:
        """Check every field (each shows its message); the ones that failed, first one first."""
        return [f for f in self.fields if not f.validate()]


class AgreementBox(QGroupBox):
    """The wording a customer agrees to before a debit (the ACH authorization, the SEPA mandate): an intro,
    the wording itself, the "agreed" box and its message. The texts come translated from whoever shows it."""

    def __init__(self, parent: QWidget, *, title: str, name: str, intro: str, text_name: str, check_text: str,
                 check_name: str, error_name: str) -> None:
        super().__init__(title, parent)
        self.setObjectName(name)
        box = QVBoxLayout(self)
        intro_label = QLabel(intro, self)
        intro_label.setWordWrap(True)
        intro_label.setStyleSheet(HINT_STYLE)
        self.text_label = QLabel(self)
        self.text_label.setObjectName(text_name)
        self.text_label.setWordWrap(True)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.agree_check = QCheckBox(check_text, self)
        self.agree_check.setObjectName(check_name)
        self.agree_error = error_label(self, error_name)
        self.agree_check.toggled.connect(lambda on: on and self.agree_error.setVisible(False))
        for w in (intro_label, self.text_label, self.agree_check, self.agree_error):
            box.addWidget(w)

    def show_wording(self, text: str) -> None:
        """Shown while there is wording to agree to; new wording must be agreed to again."""
        self.setVisible(bool(text))
        if text and text != self.text_label.text():
            self.text_label.setText(text)
            self.agree_check.setChecked(False)

    def agreed(self, refusal: str) -> bool:
        """True when ticked; else `refusal` under the box and the focus on it."""
        if self.agree_check.isChecked():
            return True
        self.agree_error.setText(refusal)
        self.agree_error.setVisible(True)
        self.agree_check.setFocus()
        return False

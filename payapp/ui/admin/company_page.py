"""Admin › Company details: the merchant as its clients see it — name, address, contact and logo — on receipts
and on the client portal's pages (the merchant.* settings). Saved in one audited settings change
(SettingsService.set_many); Revert puts the saved values back; leaving with unsaved changes asks (AdminTab)."""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from payapp.domain.errors import PayAppError
from payapp.ui.async_work import WidgetTasks, widget_slot
from payapp.ui.messages import user_text
from payapp.ui.widgets import HINT_STYLE, Banner, banner_over_scrolling_page, revert_and_save

ERROR_COLOUR = "#d9534f"
KEYS = ("merchant.name", "merchant.address", "merchant.email", "merchant.phone", "merchant.logo_png")
# the largest logo file taken (it is stored in the company database and sent with every portal page)
MAX_LOGO_BYTES = 256 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_PHONE = re.compile(r"[0-9+()./\- ]+")
PREVIEW_W, PREVIEW_H = 240, 80


def email_problem(text: str) -> str:
    """"" when `text` is empty or looks like an e-mail address; otherwise the (English source) message."""
    return "" if not text or _EMAIL.fullmatch(text) else "bad"


def phone_problem(text: str) -> str:
    if not text:
        return ""
    if not _PHONE.fullmatch(text):
        return "chars"
    return "" if sum(c.isdigit() for c in text) >= 3 else "short"


class CompanyDetailsPage(QWidget):
    def __init__(self, settings: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self.work = WidgetTasks(self, load=self.reload)
        self._saved: dict[str, str] | None = None
        self._logo = ""                      # base64 of the PNG shown in the preview ("" = none)
        self._file_dialog: QFileDialog | None = None

        self.banner = Banner(self, "companyBanner")
        title = QLabel(self.tr("Company details"), self)
        title.setObjectName("pageTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        intro = QLabel(self.tr("Your company as your clients see it: on receipts and on the client portal's "
                               "pages."), self)
        intro.setObjectName("companyIntro")
        intro.setWordWrap(True)
        intro.setStyleSheet(HINT_STYLE)

        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("merchantNameEdit")
        self.name_edit.setMaxLength(200)
        self.name_edit.setAccessibleName(self.tr("Company name"))
        self.address_edit = QPlainTextEdit(self)
        self.address_edit.setObjectName("merchantAddressEdit")
        self.address_edit.setTabChangesFocus(True)           # Tab goes on to the next field
        self.address_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 5 + 14)
        self.address_edit.setAccessibleName(self.tr("Address"))
        self.address_edit.setPlaceholderText(self.tr("One line per row, as on a letter"))
        self.email_edit = QLineEdit(self)
        self.email_edit.setObjectName("merchantEmailEdit")
        self.email_edit.setMaxLength(254)
        self.email_edit.setPlaceholderText("billing@example.com")
        self.email_edit.setAccessibleName(self.tr("Contact e-mail"))
        self.phone_edit = QLineEdit(self)
        self.phone_edit.setObjectName("merchantPhoneEdit")
        self.phone_edit.setMaxLength(40)
        self.phone_edit.setPlaceholderText("+1 (512) 555-0100")
        self.phone_edit.setAccessibleName(self.tr("Contact phone"))
        self.email_error = self._error_label("merchantEmailError")
        self.phone_error = self._error_label("merchantPhoneError")
        self.logo_error = self._error_label("merchantLogoError")

        self.logo_preview = QLabel(self)
        self.logo_preview.setObjectName("merchantLogoPreview")
        self.logo_preview.setFixedSize(PREVIEW_W + 8, PREVIEW_H + 8)
        self.logo_preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.logo_preview.setStyleSheet("QLabel#merchantLogoPreview { border: 1px dashed palette(mid); }")
        self.logo_preview.setAccessibleName(self.tr("Logo preview"))
        self.choose_logo_button = QPushButton(self.tr("Choose PNG…"), self)
        self.choose_logo_button.setObjectName("merchantLogoChoose")
        self.choose_logo_button.setAccessibleName(self.tr("Choose a logo (PNG file)"))
        self.choose_logo_button.clicked.connect(self.choose_logo)
        self.remove_logo_button = QPushButton(self.tr("Remove"), self)
        self.remove_logo_button.setObjectName("merchantLogoRemove")
        self.remove_logo_button.setAccessibleName(self.tr("Remove the logo"))
        self.remove_logo_button.clicked.connect(self.remove_logo)
        logo_hint = QLabel(self.tr("A PNG file of at most %1 KB; shown up to %2×%3 pixels.")
                           .replace("%1", str(MAX_LOGO_BYTES // 1024)).replace("%2", str(PREVIEW_W))
                           .replace("%3", str(PREVIEW_H)), self)
        logo_hint.setWordWrap(True)
        logo_hint.setStyleSheet(HINT_STYLE)

        for edit in (self.name_edit, self.email_edit, self.phone_edit):
            edit.textChanged.connect(self._changed)
        self.address_edit.textChanged.connect(self._changed)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("Company name:"), self.name_edit)
        form.addRow(self.tr("Address:"), self.address_edit)
        form.addRow(self.tr("Contact e-mail:"), self._with_error(self.email_edit, self.email_error))
        form.addRow(self.tr("Contact phone:"), self._with_error(self.phone_edit, self.phone_error))
        logo_buttons = QVBoxLayout()
        logo_buttons.addWidget(self.choose_logo_button)
        logo_buttons.addWidget(self.remove_logo_button)
        logo_buttons.addStretch(1)
        logo_row = QHBoxLayout()
        logo_row.addWidget(self.logo_preview)
        logo_row.addLayout(logo_buttons)
        logo_row.addStretch(1)
        logo_field = QVBoxLayout()
        logo_field.setSpacing(2)
        logo_field.addLayout(logo_row)
        logo_field.addWidget(self.logo_error)
        logo_field.addWidget(logo_hint)
        form.addRow(self.tr("Logo:"), logo_field)

        self.revert_button, self.save_button, buttons = revert_and_save(
            self, "company", (self.tr("Revert"), self.tr("Put the saved details back"), self.tr("Save")), self.revert,
            self._on_save)

        content = QWidget(self)
        body = QVBoxLayout(content)
        body.addWidget(title)
        body.addWidget(intro)
        body.addLayout(form)
        body.addLayout(buttons)
        body.addStretch(1)
        banner_over_scrolling_page(self, self.banner, content, 760)
        self._show_logo()
        self._changed()

    def _error_label(self, name: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setStyleSheet(f"color: {ERROR_COLOUR};")
        label.hide()
        return label

    @staticmethod
    def _with_error(edit: QWidget, error: QLabel) -> QVBoxLayout:
        column = QVBoxLayout()
        column.setSpacing(2)
        column.addWidget(edit)
        column.addWidget(error)
        return column

    # -- loading --------------------------------------------------------------------------------------
    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.work.first_show()

    async def wait_ready(self) -> None:
        await self.work.wait_loaded()

    async def reload(self) -> None:
        """Runs as a task of `self.work`: cancelled if the page goes away while it awaits."""
        try:
            saved = {key: str(await self._settings.get(key) or "") for key in KEYS}
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
            return
        self._saved = saved
        self.revert()
        self._saved = self.values()              # as the fields hold it (trimmed): nothing is changed yet
        self._changed()

    # -- the fields -----------------------------------------------------------------------------------
    def values(self) -> dict[str, str]:
        return {"merchant.name": self.name_edit.text().strip(),
                "merchant.address": "\n".join(line.rstrip() for line in
                                              self.address_edit.toPlainText().strip().splitlines()),
                "merchant.email": self.email_edit.text().strip(),
                "merchant.phone": self.phone_edit.text().strip(),
                "merchant.logo_png": self._logo}

    def revert(self) -> None:
        """The saved details back in the fields (nothing typed since is kept)."""
        saved = self._saved or dict.fromkeys(KEYS, "")
        self.name_edit.setText(saved["merchant.name"])
        self.address_edit.setPlainText(saved["merchant.address"])
        self.email_edit.setText(saved["merchant.email"])
        self.phone_edit.setText(saved["merchant.phone"])
        self._logo = saved["merchant.logo_png"]
        self.logo_error.hide()
        self._show_logo()
        self._changed()

    def has_unsaved_changes(self) -> bool:
        return self._saved is not None and self.values() != self._saved

    def _changed(self) -> None:
        self.check_fields()
        self.revert_button.setEnabled(self.has_unsaved_changes())

    def check_fields(self) -> bool:
        """The messages next to the e-mail and phone fields; True when both are fine."""
        email = self.email_edit.text().strip()
        phone = self.phone_edit.text().strip()
        email_text = self.tr("Enter an e-mail address like billing@example.com.") if email_problem(email) else ""
        problem = phone_problem(phone)
        phone_text = {"chars": self.tr("A phone number has digits, spaces and + ( ) - . / only."),
                      "short": self.tr("Enter the whole phone number."), "": ""}[problem]
        for edit, label, text in ((self.email_edit, self.email_error, email_text),
                                  (self.phone_edit, self.phone_error, phone_text)):
            label.setText(text)
            label.setVisible(bool(text))
            edit.setAccessibleDescription(text)
        return not email_text and not phone_text

    # -- the logo -------------------------------------------------------------------------------------
    def choose_logo(self) -> None:
        """A file dialog answered later (`open`, not `exec`: a nested event loop would stall asyncio work)."""
        if self._file_dialog is None:
            dialog = QFileDialog(self, self.tr("Choose a logo"))
            dialog.setObjectName("merchantLogoDialog")
            dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
            dialog.setNameFilter(self.tr("PNG images (*.png)"))
            dialog.fileSelected.connect(self.load_logo_file)
            self._file_dialog = dialog
        self._file_dialog.open()

    def load_logo_file(self, path: str | Path) -> bool:
        """Take the PNG at `path` as the logo (shown at once, stored on Save); False and a message next to the
        logo when it cannot be."""
        try:
            data = Path(path).read_bytes()
        except OSError:
            return self._logo_refused(self.tr("That file cannot be read."))
        if len(data) > MAX_LOGO_BYTES:
            return self._logo_refused(self.tr("The file is %1 KB; a logo can be at most %2 KB. Save it smaller "
                                              "(fewer pixels or colours) and choose it again.")
                                      .replace("%1", str((len(data) + 1023) // 1024))
                                      .replace("%2", str(MAX_LOGO_BYTES // 1024)))
        pixmap = QPixmap()
        if not data.startswith(PNG_SIGNATURE) or not pixmap.loadFromData(QByteArray(data), "PNG"):
            return self._logo_refused(self.tr("That file is not a PNG image. Choose a .png file."))
        self._logo = base64.b64encode(data).decode("ascii")
        self.logo_error.hide()
        self._show_logo()
        self._changed()
        return True

    def _logo_refused(self, text: str) -> bool:
        self.logo_error.setText(text)
        self.logo_error.show()
        self.choose_logo_button.setAccessibleDescription(text)
        return False

    def remove_logo(self) -> None:
        self._logo = ""
        self.logo_error.hide()
        self._show_logo()
        self._changed()
        self.choose_logo_button.setFocus()

    def _show_logo(self) -> None:
        pixmap = QPixmap()
        if self._logo:
            try:
                pixmap.loadFromData(QByteArray(base64.b64decode(self._logo, validate=True)), "PNG")
            except (binascii.Error, ValueError):
                pixmap = QPixmap()
        if pixmap.isNull():
            self.logo_preview.setPixmap(QPixmap())
            self.logo_preview.setText(self.tr("No logo") if not self._logo else self.tr("The saved logo cannot "
                                                                                        "be shown"))
        else:
            self.logo_preview.setText("")
            self.logo_preview.setPixmap(pixmap.scaled(PREVIEW_W, PREVIEW_H, Qt.AspectRatioMode.KeepAspectRatio,
                                                      Qt.TransformationMode.SmoothTransformation)
                                        if pixmap.width() > PREVIEW_W or pixmap.height() > PREVIEW_H else pixmap)
        self.remove_logo_button.setEnabled(bool(self._logo))

    # -- saving ---------------------------------------------------------------------------------------
    @widget_slot
    async def _on_save(self) -> None:
        await self.save()

    async def save(self) -> bool:
        if self._saved is None:
            return False
        if not self.check_fields():
            self.banner.show_error(self.tr("Correct the fields marked in red, then save again."))
            (self.email_edit if self.email_error.isVisibleTo(self) else self.phone_edit).setFocus()
            return False
        values = self.values()
        self.save_button.setEnabled(False)
        try:
            await self._settings.set_many(values)
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
            return False
        finally:
            self.save_button.setEnabled(True)
        self._saved = values
        self.revert()                            # the fields as stored (trimmed)
        self.banner.show_success(self.tr("Company details saved: receipts and the client portal show them."))
        return True

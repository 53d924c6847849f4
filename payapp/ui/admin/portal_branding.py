"""Admin › Client Portal › Look of the portal: the accent colour, a footer text and the support e-mail and phone
the portal's pages show, with a live preview of a portal page. The company's name, logo and address come from
Admin › Company details (merchant.*) and are only shown here. The accent colour's contrast against white is
checked to WCAG 2.1 AA (payapp.domain.colour): white button text on it and it as text on white."""

from __future__ import annotations

import base64
import binascii
import contextlib
from typing import Any

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QColor, QPixmap
from PySide6.QtWidgets import (
    QColorDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from payapp.domain.colour import AA_NORMAL_TEXT, WHITE, contrast_ratio, parse_hex_colour
from payapp.domain.errors import ValidationError
from payapp.ui.admin.company_page import email_problem, phone_problem
from payapp.ui.widgets import HINT_STYLE

# the portal's own accent (payapp/portal/static/portal.css) when none is chosen
DEFAULT_ACCENT = "#1f5fae"
ERROR_COLOUR = "#d9534f"
WARNING_COLOUR = "#a15c00"
FOOTER_MAX = 300
KEYS = ("portal.accent_colour", "portal.footer_text", "portal.support_email", "portal.support_phone")
# what the preview shows of Company details
MERCHANT_KEYS = ("merchant.name", "merchant.logo_png", "merchant.email", "merchant.phone")
LOGO_H = 40


class PortalBrandingBox(QGroupBox):
    """The look of the portal's pages; the Client Portal page saves its values with its own."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Look of the portal"))
        self.setObjectName("portalBrandingBox")
        self._merchant: dict[str, str] = {}

        about = QLabel(self.tr("The portal shows your company's name and logo from Admin › Company details. "
                               "Here you choose its accent colour (buttons, links, the amount due), a footer "
                               "text and where clients get help."), self)
        about.setWordWrap(True)
        about.setStyleSheet(HINT_STYLE)

        self.accent_edit = QLineEdit(self)
        self.accent_edit.setObjectName("portalAccentEdit")
        self.accent_edit.setPlaceholderText(DEFAULT_ACCENT)
        self.accent_edit.setMaxLength(7)
        self.accent_edit.setMaximumWidth(120)
        self.accent_edit.setAccessibleName(self.tr("Accent colour"))
        self.pick_button = QPushButton(self.tr("Choose…"), self)
        self.pick_button.setObjectName("portalAccentPick")
        self.pick_button.setAccessibleName(self.tr("Choose the accent colour"))
        self.pick_button.clicked.connect(self.choose_colour)
        self.accent_error = self._message_label("portalAccentError", ERROR_COLOUR)
        self.contrast_warning = self._message_label("portalContrastWarning", WARNING_COLOUR)
        accent_row = QHBoxLayout()
        accent_row.addWidget(self.accent_edit)
        accent_row.addWidget(self.pick_button)
        accent_row.addStretch(1)
        accent_field = QVBoxLayout()
        accent_field.setSpacing(2)
        accent_field.addLayout(accent_row)
        accent_field.addWidget(self.accent_error)
        accent_field.addWidget(self.contrast_warning)

        self.footer_edit = QLineEdit(self)
        self.footer_edit.setObjectName("portalFooterEdit")
        self.footer_edit.setMaxLength(FOOTER_MAX)
        self.footer_edit.setAccessibleName(self.tr("Footer text"))
        self.footer_edit.setPlaceholderText(self.tr("e.g. Thank you for your business."))

        self.email_edit = QLineEdit(self)
        self.email_edit.setObjectName("portalSupportEmailEdit")
        self.email_edit.setMaxLength(200)
        self.email_edit.setAccessibleName(self.tr("Support e-mail"))
        self.email_error = self._message_label("portalSupportEmailError", ERROR_COLOUR)
        self.phone_edit = QLineEdit(self)
        self.phone_edit.setObjectName("portalSupportPhoneEdit")
        self.phone_edit.setMaxLength(50)
        self.phone_edit.setAccessibleName(self.tr("Support phone"))
        self.phone_error = self._message_label("portalSupportPhoneError", ERROR_COLOUR)
        support_hint = QLabel(self.tr("Empty: the e-mail and phone of Company details."), self)
        support_hint.setWordWrap(True)
        support_hint.setStyleSheet(HINT_STYLE)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("Accent colour:"), accent_field)
        form.addRow(self.tr("Footer text:"), self.footer_edit)
        form.addRow(self.tr("Support e-mail:"), _stacked(self.email_edit, self.email_error))
        form.addRow(self.tr("Support phone:"), _stacked(self.phone_edit, self.phone_error))
        form.addRow(support_hint)

        # the preview: a portal page's header, the amount due, a button and the footer, as the portal draws them
        self.preview = QFrame(self)
        self.preview.setObjectName("portalBrandPreview")
        self.preview.setAccessibleName(self.tr("Preview of the portal"))
        self.preview.setFrameShape(QFrame.Shape.StyledPanel)
        self.preview_logo = QLabel(self.preview)
        self.preview_logo.setObjectName("portalPreviewLogo")
        self.preview_name = QLabel(self.preview)
        self.preview_name.setObjectName("portalPreviewName")
        self.preview_amount = QLabel(self.preview)
        self.preview_amount.setObjectName("portalPreviewAmount")
        self.preview_button = QLabel(self.tr("Pay"), self.preview)
        self.preview_button.setObjectName("portalPreviewButton")
        self.preview_button.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview_button.setMinimumWidth(120)
        self.preview_footer = QLabel(self.preview)
        self.preview_footer.setObjectName("portalPreviewFooter")
        self.preview_footer.setWordWrap(True)
        header = QHBoxLayout()
        header.addWidget(self.preview_logo)
        header.addWidget(self.preview_name, 1)
        button_row = QHBoxLayout()
        button_row.addWidget(self.preview_button)
        button_row.addStretch(1)
        preview_layout = QVBoxLayout(self.preview)
        preview_layout.addLayout(header)
        preview_layout.addWidget(self.preview_amount)
        preview_layout.addLayout(button_row)
        preview_layout.addWidget(self.preview_footer)

        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addLayout(form)
        layout.addWidget(QLabel(self.tr("Preview:"), self))
        layout.addWidget(self.preview)

        for edit in (self.accent_edit, self.footer_edit, self.email_edit, self.phone_edit):
            edit.textChanged.connect(self._edited)
        self._edited()

    def _message_label(self, name: str, colour: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setStyleSheet(f"color: {colour};")
        label.hide()
        return label

    # -- values ---------------------------------------------------------------------------------------
    def load(self, saved: dict[str, Any]) -> None:
        """The saved portal.* values and the Company details the preview shows (MERCHANT_KEYS)."""
        self._merchant = {key: str(saved.get(key) or "") for key in MERCHANT_KEYS}
        self.accent_edit.setText(str(saved.get("portal.accent_colour") or ""))
        self.footer_edit.setText(str(saved.get("portal.footer_text") or ""))
        self.email_edit.setText(str(saved.get("portal.support_email") or ""))
        self.phone_edit.setText(str(saved.get("portal.support_phone") or ""))
        self.email_edit.setPlaceholderText(self._merchant["merchant.email"])
        self.phone_edit.setPlaceholderText(self._merchant["merchant.phone"])
        self._edited()

    def values(self) -> dict[str, str]:
        accent = self.accent_edit.text().strip()
        with contextlib.suppress(ValidationError):      # not a colour: kept as typed, check() refuses it
            accent = parse_hex_colour(accent) if accent else ""
        return {"portal.accent_colour": accent, "portal.footer_text": " ".join(self.footer_edit.text().split()),
                "portal.support_email": self.email_edit.text().strip(),
                "portal.support_phone": self.phone_edit.text().strip()}

    def accent(self) -> str:
        """The colour the portal will use: the typed one when valid, else the default."""
        try:
            return parse_hex_colour(self.accent_edit.text()) if self.accent_edit.text().strip() else DEFAULT_ACCENT
        except ValidationError:
            return DEFAULT_ACCENT

    def check(self) -> bool:
        """Shows the problems next to their fields; False while one of them stops saving (a low contrast only
        warns: the admin may know better, e.g. a brand colour required by contract)."""
        typed = self.accent_edit.text().strip()
        colour_bad = False
        if typed:
            try:
                parse_hex_colour(typed)
            except ValidationError:
                colour_bad = True
        _show(self.accent_error, self.tr("Write the colour as # and six hexadecimal digits, like #1f5fae.")
              if colour_bad else "")
        self.accent_edit.setAccessibleDescription(self.accent_error.text())
        ratio = contrast_ratio(self.accent(), WHITE)
        warning = ""
        if not colour_bad and ratio < AA_NORMAL_TEXT:
            warning = (self.tr("Low contrast: white text on this colour (and this colour on white) has a contrast "
                               "of %1:1; WCAG AA asks for at least %2:1. Some clients will not be able to read the "
                               "buttons and links. Choose a darker colour.")
                       .replace("%1", f"{ratio:.1f}").replace("%2", f"{AA_NORMAL_TEXT:g}"))
        _show(self.contrast_warning, warning)
        email_bad = bool(email_problem(self.email_edit.text().strip()))
        _show(self.email_error, self.tr("That is not an e-mail address.") if email_bad else "")
        phone = phone_problem(self.phone_edit.text().strip())
        _show(self.phone_error, {"chars": self.tr("A phone number has digits, spaces and + ( ) - . / only."),
                                 "short": self.tr("A phone number has at least three digits."), "": ""}[phone])
        return not (colour_bad or email_bad or phone)

    def choose_colour(self) -> None:
        chosen = QColorDialog.getColor(QColor(self.accent()), self, self.tr("Accent colour"))
        if chosen.isValid():
            self.accent_edit.setText(chosen.name())

    # -- the preview ----------------------------------------------------------------------------------
    def _edited(self) -> None:
        self.check()
        self._show_preview()
        self.changed.emit()

    def _show_preview(self) -> None:
        accent = self.accent()
        merchant = self._merchant
        name = merchant.get("merchant.name", "") or self.tr("Your company")
        self.preview.setStyleSheet("QFrame#portalBrandPreview { background: #f4f6f8; }")
        self.preview_name.setText(name)
        self.preview_name.setStyleSheet("color: #1d2733; font-weight: 600; font-size: 15px;")
        pixmap = QPixmap()
        logo = merchant.get("merchant.logo_png", "")
        if logo:
            try:
                pixmap.loadFromData(QByteArray(base64.b64decode(logo, validate=True)), "PNG")
            except (binascii.Error, ValueError):
                pixmap = QPixmap()
        self.preview_logo.setPixmap(pixmap.scaledToHeight(LOGO_H, Qt.TransformationMode.SmoothTransformation)
                                    if not pixmap.isNull() and pixmap.height() > LOGO_H else pixmap)
        self.preview_logo.setVisible(not pixmap.isNull())
        self.preview_amount.setText(self.tr("Amount due: %1").replace("%1", "$1,250.00"))
        self.preview_amount.setStyleSheet(f"color: {accent}; font-weight: 600; font-size: 15px;")
        self.preview_button.setStyleSheet(f"background: {accent}; color: #ffffff; font-weight: 600; "
                                          "padding: 8px 16px; border-radius: 4px;")
        email = self.email_edit.text().strip() or merchant.get("merchant.email", "")
        phone = self.phone_edit.text().strip() or merchant.get("merchant.phone", "")
        footer = " · ".join(part for part in (" ".join(self.footer_edit.text().split()), email, phone) if part)
        self.preview_footer.setText(footer)
        self.preview_footer.setStyleSheet("color: #5b6672; font-size: 12px;")
        self.preview_footer.setVisible(bool(footer))


def _stacked(edit: QWidget, error: QLabel) -> QVBoxLayout:
    box = QVBoxLayout()
    box.setSpacing(2)
    box.addWidget(edit)
    box.addWidget(error)
    return box


def _show(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))

"""Make a Payment: pay one invoice with a saved method, a new card or a new bank account (eCheck).

Card numbers, CVVs and account/routing numbers live only in the line edits and in the request handed to
PaymentService; the fields are cleared as soon as a payment is decided and again when the window closes.
Validation messages sit next to each field and follow what the user types (payapp.domain.validation)."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import logging
import secrets
from collections.abc import Callable
from dataclasses import replace

import shiboken6
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from payapp.domain import ach, sepa, validation
from payapp.domain.errors import PayAppError, ValidationError
from payapp.domain.money import format_amount_input, format_money, parse_amount
from payapp.services.context import Services
from payapp.services.invoices import CompanyAddress, InvoiceRow
from payapp.services.payments import (
    DuplicateWarning,
    NewBankAccount,
    NewCard,
    NewSepaAccount,
    PaymentMethod,
    PaymentRequest,
    PaymentResult,
    SavedMethodRef,
    SavedMethodView,
    gateway_minimum_minor,
)
from payapp.services.settings import ProcessingStatus
from payapp.ui.i18n import format_day
from payapp.ui.invoices.pay_rule import pay_block_reason
from payapp.ui.messages import card_check_text, translate_message, user_text
from payapp.ui.widgets import HINT_STYLE, Banner, ElidedLabel, ask, confirm_box, return_focus_on_close

log = logging.getLogger(__name__)

ERROR_STYLE = "QLabel { color: #b71c1c; }"
ERROR_STYLE_DARK = "QLabel { color: #ff8a80; }"
QWIDGETSIZE_MAX = (1 << 24) - 1       # Qt's "no maximum" size (not exported by PySide6)
COUNTRIES = (("US", QT_TRANSLATE_NOOP("PaymentDialog", "United States")),
             ("CA", QT_TRANSLATE_NOOP("PaymentDialog", "Canada")))


class _Field:
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


def _wipe(edit: QLineEdit) -> None:
    """Empty a field and its undo history: QLineEdit.clear() is undoable, so Ctrl+Z would bring a card
    number or CVV back; setText() starts a new history."""
    edit.setText("")
    edit.setModified(False)


def _required(message: str) -> Callable[[str], object]:
    def check(text: str) -> object:
        if not text.strip():
            raise ValidationError(message)
        return text
    return check


class PaymentDialog(QDialog):
    """Opened with open()/show(); `load()` reads contacts, saved methods and the processing status."""

    payment_decided = Signal(int)       # invoice id: the invoice's row must be re-read

    def __init__(self, services: Services, invoice: InvoiceRow, parent: QWidget | None = None,
                 *, today: Callable[[], dt.date] = dt.date.today) -> None:
        super().__init__(parent)
        self.setObjectName("paymentDialog")
        self.setWindowTitle(self.tr("Make a Payment · Invoice %1").replace("%1", invoice.invoice_number))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._services = services
        self._invoice = invoice
        self._today = today
        self._locale = services.locale
        self._status: ProcessingStatus | None = None
        self._busy = False
        self._done = False
        self._saved: list[SavedMethodView] = []
        self._saved_radios: dict[int, QRadioButton] = {}
        self.result_: PaymentResult | None = None
        self.charges_started = 0
        self._build()

    # ------------------------------------------------------------------ layout

    def _error_label(self, name: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        label.setStyleSheet(ERROR_STYLE_DARK if dark else ERROR_STYLE)
        label.setWordWrap(True)
        label.setVisible(False)
        return label

    def _field_row(self, form: QFormLayout, label: str, edit: QWidget, *below: QWidget,
                   extra: QWidget | None = None) -> None:
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

    def _build(self) -> None:
        inv = self._invoice
        money = lambda minor: format_money(minor, inv.currency, self._locale)  # noqa: E731
        outer = QVBoxLayout(self)
        self.banner = Banner(self, "resultBanner")
        outer.addWidget(self.banner)

        # --- the invoice: what is being paid
        head = QFrame(self)
        head.setObjectName("invoiceSummary")
        head.setFrameShape(QFrame.Shape.StyledPanel)
        grid = QGridLayout(head)
        # A long company name ends in "…" (whole in the tooltip) instead of widening the window.
        self.company_label = ElidedLabel(inv.company_name, head)
        self.company_label.setObjectName("companyNameValue")
        bold = self.company_label.font()
        bold.setBold(True)
        self.company_label.setFont(bold)
        number = QLabel(" · " + self.tr("Invoice %1").replace("%1", inv.invoice_number), head)
        number.setObjectName("invoiceNumberValue")
        number.setTextFormat(Qt.TextFormat.PlainText)
        title = QHBoxLayout()
        title.setSpacing(0)
        title.addWidget(self.company_label, 0)
        title.addWidget(number, 0)
        title.addStretch(1)
        self._title_row = title
        grid.addLayout(title, 0, 0, 1, 6)
        pairs = ((self.tr("Invoice date"), format_day(inv.invoice_date, self._locale)),
                 (self.tr("Amount due"), money(inv.balance_minor)),
                 (self.tr("Due date"), format_day(inv.due_date, self._locale)
                  if inv.due_date else "—"))
        for col, (label, value) in enumerate(pairs):
            caption = QLabel(label, head)
            caption.setStyleSheet("QLabel { color: palette(placeholder-text); }")
            shown = QLabel(value, head)
            shown.setObjectName(("invoiceDateValue", "amountDueValue", "dueDateValue")[col])
            font = shown.font()
            font.setPointSizeF(font.pointSizeF() * 1.15)
            font.setBold(col == 1)
            shown.setFont(font)
            grid.addWidget(caption, 1, col * 2)
            grid.addWidget(shown, 2, col * 2)
        outer.addWidget(head)

        body = QWidget(self)
        form_all = QVBoxLayout(body)
        form_all.setContentsMargins(0, 0, 0, 0)

        top = QFormLayout()
        self.contact_combo = QComboBox(self)
        self.contact_combo.setObjectName("contactCombo")
        self.contact_combo.setAccessibleName(self.tr("Contact making the payment"))
        # A long "Name <e-mail>" must not widen the window: the combo's popup shows it in full.
        self.contact_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.contact_combo.setMinimumContentsLength(24)
        top.addRow(self.tr("Paid by (contact):"), self.contact_combo)
        contact_caption = top.labelForField(self.contact_combo)
        assert contact_caption is not None
        self._contact_caption = contact_caption
        form_all.addLayout(top)

        # --- how: saved methods, or a new card / bank account
        self.method_group = QButtonGroup(self)
        self.saved_group = QGroupBox(self.tr("Saved payment methods"), self)
        self.saved_group.setObjectName("savedMethodsGroup")
        self._saved_layout = QVBoxLayout(self.saved_group)
        self._no_saved = QLabel(self.tr("No saved payment methods for this company yet."), self.saved_group)
        self._no_saved.setStyleSheet(HINT_STYLE)
        self._saved_layout.addWidget(self._no_saved)
        form_all.addWidget(self.saved_group)

        new_row = QHBoxLayout()
        self.new_card_radio = QRadioButton(self.tr("Add Credit Card"), self)
        self.new_card_radio.setObjectName("newCardRadio")
        self.new_bank_radio = QRadioButton(self.tr("Add Bank Information (eCheck)"), self)
        self.new_bank_radio.setObjectName("newBankRadio")
        self.new_sepa_radio = QRadioButton(self.tr("Add SEPA Direct Debit"), self)
        self.new_sepa_radio.setObjectName("newSepaRadio")
        self.new_sepa_radio.hide()                 # offered only where the gateway takes it (euro, PayEngine)
        for radio in (self.new_card_radio, self.new_bank_radio, self.new_sepa_radio):
            self.method_group.addButton(radio)
            new_row.addWidget(radio)
        new_row.addStretch(1)
        # rename, new expiry, delete (issue #15.13): the company's saved methods in their own dialog
        self.manage_saved_button = QPushButton(self.tr("Manage saved methods…"), self)
        self.manage_saved_button.setObjectName("manageSavedMethodsButton")
        self.manage_saved_button.setAutoDefault(False)
        self.manage_saved_button.clicked.connect(self._manage_saved)
        new_row.addWidget(self.manage_saved_button)
        form_all.addLayout(new_row)

        self.card_form = self._build_card_form()
        self.bank_form = self._build_bank_form()
        self.sepa_form = self._build_sepa_form()
        form_all.addWidget(self.card_form)
        form_all.addWidget(self.bank_form)
        form_all.addWidget(self.ach_box)
        form_all.addWidget(self.sepa_form)
        form_all.addWidget(self.sepa_box)
        for w in (self.card_form, self.bank_form, self.ach_box, self.sepa_form, self.sepa_box):
            w.hide()
        self.method_group.buttonToggled.connect(self._method_changed)

        # --- how much
        self.amount_edit = QLineEdit(self)
        self.amount_edit.setObjectName("amountEdit")
        self.amount_edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.amount_edit.setMaximumWidth(180)
        self.amount_edit.setText(format_amount_input(inv.balance_minor, inv.currency, self._locale))
        self.amount_edit.setAccessibleName(self.tr("Amount"))
        # The gateway takes no payment below 1 of the currency (1.00 USD, ¥1): PaymentService refuses it too.
        self._minimum_minor = gateway_minimum_minor(inv.currency)
        self.amount_hint = QLabel(self.tr("Full balance by default; a partial payment between %1 and %2.")
                                  .replace("%1", money(min(self._minimum_minor, inv.balance_minor)))
                                  .replace("%2", money(inv.balance_minor)), self)
        self.amount_hint.setObjectName("amountHint")
        self.amount_hint.setStyleSheet(HINT_STYLE)
        self.amount_hint.setWordWrap(True)
        self.amount_error = self._error_label("amountError")
        amount_page = self._amount_page = QWidget(self)     # disabled as a whole: "Amount:", field and hint
        amount_form = QFormLayout(amount_page)
        amount_form.setContentsMargins(0, 0, 0, 0)
        self._field_row(amount_form, self.tr("Amount:"), self.amount_edit, self.amount_hint, self.amount_error)
        form_all.addWidget(amount_page)
        form_all.addStretch(1)
        self._body = body
        self.amount_field = _Field(self.amount_edit, self.amount_error, self._check_amount)
        self.amount_edit.textChanged.connect(lambda _t: self.amount_field.validate())
        self.amount_edit.textChanged.connect(lambda _t: self._update_ach_text())    # the amount is in the wording
        self.amount_edit.textChanged.connect(lambda _t: self._update_sepa_text())

        self._scroll = QScrollArea(self)
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setWidget(body)
        outer.addWidget(self._scroll, 1)

        # --- doing it
        self.progress = QProgressBar(self)
        self.progress.setObjectName("processingProgress")
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(True)
        self.progress.setFormat(self.tr("Processing payment… do not close this window"))
        self.progress.hide()
        outer.addWidget(self.progress)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.close_button = QPushButton(self.tr("Cancel"), self)
        self.close_button.setObjectName("closeButton")
        self.close_button.clicked.connect(self.close)
        self.pay_button = QPushButton(self.tr("Process Payment"), self)
        self.pay_button.setObjectName("processPaymentButton")
        self.pay_button.setDefault(True)
        self.pay_button.setAutoDefault(True)
        self.pay_button.clicked.connect(self._on_pay_clicked)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.pay_button)
        outer.addLayout(buttons)
        self.resize(640, 560)

    def _build_card_form(self) -> QWidget:
        page = QGroupBox(self.tr("New credit card"), self)
        page.setObjectName("cardForm")
        form = QFormLayout(page)
        self.card_number_edit = QLineEdit(page)
        self.card_number_edit.setObjectName("cardNumberEdit")
        self.card_number_edit.setAccessibleName(self.tr("Card number"))
        self.card_number_edit.setMaxLength(23)
        self.card_brand_label = QLabel(page)
        self.card_brand_label.setObjectName("cardBrandLabel")
        self.card_brand_label.setMinimumWidth(90)
        self.expiry_edit = QLineEdit(page)
        self.expiry_edit.setObjectName("expiryEdit")
        self.expiry_edit.setPlaceholderText(self.tr("MM/YY"))
        self.expiry_edit.setMaxLength(7)
        self.expiry_edit.setMaximumWidth(110)
        self.cvv_edit = QLineEdit(page)
        self.cvv_edit.setObjectName("cvvEdit")
        self.cvv_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.cvv_edit.setMaxLength(4)
        self.cvv_edit.setMaximumWidth(80)
        self.first_name_edit = QLineEdit(page)
        self.first_name_edit.setObjectName("firstNameEdit")
        self.last_name_edit = QLineEdit(page)
        self.last_name_edit.setObjectName("lastNameEdit")
        self.card_address_edit = QLineEdit(page)
        self.card_address_edit.setObjectName("cardAddressEdit")
        self.card_city_edit = QLineEdit(page)
        self.card_city_edit.setObjectName("cardCityEdit")
        self.card_country = QComboBox(page)
        self.card_country.setObjectName("cardCountryCombo")
        for code, name in COUNTRIES:
            self.card_country.addItem(self.tr(name), code)
        self.card_state_edit = QLineEdit(page)
        self.card_state_edit.setObjectName("cardStateEdit")
        self.card_state_edit.setMaximumWidth(80)
        self.card_zip_edit = QLineEdit(page)
        self.card_zip_edit.setObjectName("cardZipEdit")
        self.card_zip_edit.setMaximumWidth(120)
        self.save_card_check = QCheckBox(self.tr("Save payment information"), page)
        self.save_card_check.setObjectName("saveCardCheck")
        for edit in (self.card_number_edit, self.expiry_edit, self.cvv_edit):
            edit.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
            edit.setDragEnabled(False)
            edit.setInputMethodHints(Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhNoPredictiveText
                                     | Qt.InputMethodHint.ImhDigitsOnly)

        errors = {name: self._error_label(name) for name in (
            "cardNumberError", "expiryError", "cvvError", "firstNameError", "lastNameError", "cardZipError")}
        self._field_row(form, self.tr("Card number:"), self.card_number_edit, errors["cardNumberError"],
                        extra=self.card_brand_label)
        self._field_row(form, self.tr("Expiry (MM/YY):"), self.expiry_edit, errors["expiryError"])
        self._field_row(form, self.tr("Security code (CVV):"), self.cvv_edit, errors["cvvError"])
        hint = QLabel(self.tr("First and last name exactly as on the card."), page)
        hint.setWordWrap(True)
        hint.setStyleSheet(HINT_STYLE)
        form.addRow("", hint)
        self._field_row(form, self.tr("First name:"), self.first_name_edit, errors["firstNameError"])
        self._field_row(form, self.tr("Last name:"), self.last_name_edit, errors["lastNameError"])
        form.addRow(self.tr("Billing address:"), self.card_address_edit)
        form.addRow(self.tr("City:"), self.card_city_edit)
        form.addRow(self.tr("Country:"), self.card_country)
        form.addRow(self.tr("State:"), self.card_state_edit)
        self._field_row(form, self.tr("ZIP / postal code:"), self.card_zip_edit, errors["cardZipError"])
        form.addRow("", self.save_card_check)

        self.card_fields = [
            _Field(self.card_number_edit, errors["cardNumberError"], validation.check_card_number),
            _Field(self.expiry_edit, errors["expiryError"], lambda t: validation.check_expiry(t, self._today())),
            _Field(self.cvv_edit, errors["cvvError"],
                   lambda t: validation.check_cvv(t, validation.card_brand(self.card_number_edit.text()))),
            _Field(self.first_name_edit, errors["firstNameError"], _required(self.tr("Enter the first name."))),
            _Field(self.last_name_edit, errors["lastNameError"], _required(self.tr("Enter the last name."))),
            _Field(self.card_zip_edit, errors["cardZipError"],
                   lambda t: validation.check_postal_code(t, str(self.card_country.currentData()))),
        ]
        for f in self.card_fields:
            f.edit.textEdited.connect(lambda _t, f=f: f.validate())
        self.card_number_edit.textChanged.connect(self._show_brand)
        # the country decides between a ZIP code and a Canadian postal code: re-check one already typed
        self.card_country.currentIndexChanged.connect(
            lambda _i: self.card_zip_edit.text() and self.card_fields[5].validate())
        # a brand change changes the CVV length: re-check a CVV already typed
        self.card_number_edit.textEdited.connect(
            lambda _t: self.cvv_edit.text() and self.card_fields[2].validate())
        return page

    def _build_bank_form(self) -> QWidget:
        page = QGroupBox(self.tr("New bank account (eCheck)"), self)
        page.setObjectName("bankForm")
        form = QFormLayout(page)
        self.holder_type_combo = QComboBox(page)
        self.holder_type_combo.setObjectName("holderTypeCombo")
        self.holder_type_combo.addItem(self.tr("Personal"), "personal")
        self.holder_type_combo.addItem(self.tr("Business"), "business")
        self.holder_type_combo.setCurrentIndex(1)
        self.account_type_combo = QComboBox(page)
        self.account_type_combo.setObjectName("accountTypeCombo")
        self.account_type_combo.addItem(self.tr("Checking"), "checking")
        self.account_type_combo.addItem(self.tr("Savings"), "savings")
        self.account_name_edit = QLineEdit(page)
        self.account_name_edit.setObjectName("accountNameEdit")
        self.routing_number_edit = QLineEdit(page)
        self.routing_number_edit.setObjectName("routingNumberEdit")
        self.routing_number_edit.setMaxLength(11)
        self.routing_number_edit.setMaximumWidth(160)
        self.account_number_edit = QLineEdit(page)
        self.account_number_edit.setObjectName("accountNumberEdit")
        self.account_number_edit.setMaxLength(21)
        self.account_number_edit.setMaximumWidth(220)
        # typed twice, never pasted (issue #15.6): a wrong digit debits someone else's account
        self.account_number_confirm_edit = QLineEdit(page)
        self.account_number_confirm_edit.setObjectName("accountNumberConfirmEdit")
        self.account_number_confirm_edit.setMaxLength(21)
        self.account_number_confirm_edit.setMaximumWidth(220)
        for edit in (self.routing_number_edit, self.account_number_edit, self.account_number_confirm_edit):
            edit.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
            edit.setDragEnabled(False)
            edit.setInputMethodHints(Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhDigitsOnly)
        self.bank_company_edit = QLineEdit(page)
        self.bank_company_edit.setObjectName("bankCompanyEdit")
        self.bank_company_edit.setText(self._invoice.company_name)
        self.bank_address_edit = QLineEdit(page)
        self.bank_address_edit.setObjectName("bankAddressEdit")
        self.bank_city_edit = QLineEdit(page)
        self.bank_city_edit.setObjectName("bankCityEdit")
        self.bank_state_edit = QLineEdit(page)
        self.bank_state_edit.setObjectName("bankStateEdit")
        self.bank_state_edit.setMaximumWidth(80)
        self.bank_zip_edit = QLineEdit(page)
        self.bank_zip_edit.setObjectName("bankZipEdit")
        self.bank_zip_edit.setMaximumWidth(120)
        self.save_bank_check = QCheckBox(self.tr("Save payment information"), page)
        self.save_bank_check.setObjectName("saveBankCheck")
        errors = {name: self._error_label(name) for name in ("accountNameError", "routingNumberError",
                                                              "accountNumberError", "accountNumberConfirmError",
                                                              "bankZipError")}
        form.addRow(self.tr("Account holder:"), self.holder_type_combo)
        form.addRow(self.tr("Account type:"), self.account_type_combo)
        self._field_row(form, self.tr("Name on account:"), self.account_name_edit, errors["accountNameError"])
        self._field_row(form, self.tr("Routing number (9 digits):"), self.routing_number_edit,
                        errors["routingNumberError"])
        self._field_row(form, self.tr("Account number:"), self.account_number_edit, errors["accountNumberError"])
        self._field_row(form, self.tr("Account number again:"), self.account_number_confirm_edit,
                        errors["accountNumberConfirmError"])
        form.addRow(self.tr("Company:"), self.bank_company_edit)
        form.addRow(self.tr("Address:"), self.bank_address_edit)
        form.addRow(self.tr("City:"), self.bank_city_edit)
        form.addRow(self.tr("State:"), self.bank_state_edit)
        self._field_row(form, self.tr("ZIP code:"), self.bank_zip_edit, errors["bankZipError"])
        form.addRow("", self.save_bank_check)
        self.bank_fields = [
            _Field(self.account_name_edit, errors["accountNameError"],
                   _required(self.tr("Enter the name on the account."))),
            _Field(self.routing_number_edit, errors["routingNumberError"], validation.check_routing_number),
            _Field(self.account_number_edit, errors["accountNumberError"], validation.check_account_number),
            _Field(self.account_number_confirm_edit, errors["accountNumberConfirmError"], self._check_account_again),
            # optional for an eCheck, but a ZIP code when given
            _Field(self.bank_zip_edit, errors["bankZipError"],
                   lambda t: validation.check_postal_code(t, "US") if t.strip() else t),
        ]
        for f in self.bank_fields:
            f.edit.textEdited.connect(lambda _t, f=f: f.validate())
        self._build_ach_box()
        return page

    def _build_sepa_form(self) -> QWidget:
        """A SEPA direct debit typed in the back office: the account holder, the IBAN (checked with its check
        digits), an optional BIC, and the mandate the debtor agrees to (shown, kept with the payment)."""
        page = QGroupBox(self.tr("New SEPA direct debit"), self)
        page.setObjectName("sepaForm")
        form = QFormLayout(page)
        self.sepa_holder_edit = QLineEdit(page)
        self.sepa_holder_edit.setObjectName("sepaHolderEdit")
        self.iban_edit = QLineEdit(page)
        self.iban_edit.setObjectName("ibanEdit")
        self.iban_edit.setMaxLength(42)
        self.iban_edit.setMinimumWidth(300)
        self.iban_edit.setAccessibleName(self.tr("IBAN"))
        self.iban_edit.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.iban_edit.setDragEnabled(False)
        self.iban_edit.setInputMethodHints(Qt.InputMethodHint.ImhSensitiveData
                                           | Qt.InputMethodHint.ImhNoPredictiveText)
        self.bic_edit = QLineEdit(page)
        self.bic_edit.setObjectName("bicEdit")
        self.bic_edit.setMaxLength(11)
        self.bic_edit.setMaximumWidth(160)
        self.sepa_city_edit = QLineEdit(page)
        self.sepa_city_edit.setObjectName("sepaCityEdit")
        self.sepa_zip_edit = QLineEdit(page)
        self.sepa_zip_edit.setObjectName("sepaZipEdit")
        self.sepa_zip_edit.setMaximumWidth(120)
        errors = {name: self._error_label(name) for name in ("sepaHolderError", "ibanError", "bicError")}
        self._field_row(form, self.tr("Account holder:"), self.sepa_holder_edit, errors["sepaHolderError"])
        self._field_row(form, self.tr("IBAN:"), self.iban_edit, errors["ibanError"])
        self._field_row(form, self.tr("BIC (optional):"), self.bic_edit, errors["bicError"])
        form.addRow(self.tr("City:"), self.sepa_city_edit)
        form.addRow(self.tr("Postal code:"), self.sepa_zip_edit)
        self.sepa_fields = [
            _Field(self.sepa_holder_edit, errors["sepaHolderError"],
                   _required(self.tr("Enter the name of the account holder."))),
            _Field(self.iban_edit, errors["ibanError"], sepa.check_iban),
            _Field(self.bic_edit, errors["bicError"], sepa.check_bic),
        ]
        for f in self.sepa_fields:
            f.edit.textEdited.connect(lambda _t, f=f: f.validate())
        # one reference per mandate, shown in the wording the debtor agrees to and sent with the debit
        self._mandate_reference = f"PA{self._invoice.id}-{secrets.token_hex(8).upper()}"
        self.sepa_box = QGroupBox(self.tr("SEPA direct debit mandate"), self)
        self.sepa_box.setObjectName("sepaMandateBox")
        box = QVBoxLayout(self.sepa_box)
        intro = QLabel(self.tr("Read this mandate to the account holder (or have them sign it) before you take "
                               "the payment. PayApp keeps it with the payment."), self.sepa_box)
        intro.setWordWrap(True)
        intro.setStyleSheet(HINT_STYLE)
        self.sepa_text_label = QLabel(self.sepa_box)
        self.sepa_text_label.setObjectName("sepaMandateText")
        self.sepa_text_label.setWordWrap(True)
        self.sepa_text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sepa_agree_check = QCheckBox(self.tr("The account holder agreed to this mandate"), self.sepa_box)
        self.sepa_agree_check.setObjectName("sepaAgreeCheck")
        self.sepa_agree_error = self._error_label("sepaAgreeError")
        self.sepa_agree_check.toggled.connect(lambda on: on and self.sepa_agree_error.setVisible(False))
        for w in (intro, self.sepa_text_label, self.sepa_agree_check, self.sepa_agree_error):
            box.addWidget(w)
        for edit in (self.sepa_holder_edit, self.iban_edit):
            edit.textChanged.connect(lambda _t: self._update_sepa_text())
        return page

    def sepa_mandate_text(self) -> str:
        """The mandate wording shown now (empty unless a new SEPA debit is chosen). Only the IBAN's country and
        last four characters appear in it."""
        if not self.new_sepa_radio.isChecked():
            return ""
        iban = "".join(self.iban_edit.text().split()).upper()
        try:
            minor = parse_amount(self.amount_edit.text(), self._invoice.currency, self._locale).minor
            amount = format_money(minor, self._invoice.currency)
        except (PayAppError, AttributeError):
            amount = "the amount shown"
        return sepa.mandate_text(reference=self._mandate_reference, name=self.sepa_holder_edit.text(),
                                 merchant="", iban=iban, amount=amount, invoice=self._invoice.invoice_number,
                                 date=self._today())

    def _update_sepa_text(self) -> None:
        if not hasattr(self, "sepa_box"):
            return
        text = self.sepa_mandate_text()
        self.sepa_box.setVisible(bool(text))
        if text and text != self.sepa_text_label.text():
            self.sepa_text_label.setText(text)
            self.sepa_agree_check.setChecked(False)    # new terms: the debtor must agree to these

    def _check_account_again(self, text: str) -> str:
        if not validation.clean_digits(text):
            raise ValidationError(self.tr("Enter the account number again."), field="account_number_confirm")
        if validation.clean_digits(text) != validation.clean_digits(self.account_number_edit.text()):
            raise ValidationError(self.tr("The account numbers do not match. Type the number again."),
                                  field="account_number_confirm")
        return text

    def _build_ach_box(self) -> None:
        """The ACH debit authorization the customer agrees to (PPD or CCD, with the date), shown for a new or a
        saved bank account; the wording is what the payment keeps (payapp.domain.ach)."""
        self.ach_box = QGroupBox(self.tr("ACH debit authorization"), self)
        self.ach_box.setObjectName("achAuthorizationBox")
        box = QVBoxLayout(self.ach_box)
        intro = QLabel(self.tr("Read this to the customer (or have them sign it) before you take the payment. "
                               "PayApp keeps it with the payment and prints it on the receipt."), self.ach_box)
        intro.setWordWrap(True)
        intro.setStyleSheet(HINT_STYLE)
        self.ach_text_label = QLabel(self.ach_box)
        self.ach_text_label.setObjectName("achAuthorizationText")
        self.ach_text_label.setWordWrap(True)
        self.ach_text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.ach_agree_check = QCheckBox(self.tr("The customer agreed to this authorization"), self.ach_box)
        self.ach_agree_check.setObjectName("achAgreeCheck")
        self.ach_agree_error = self._error_label("achAgreeError")
        self.ach_agree_check.toggled.connect(lambda on: on and self.ach_agree_error.setVisible(False))
        for w in (intro, self.ach_text_label, self.ach_agree_check, self.ach_agree_error):
            box.addWidget(w)
        for edit in (self.account_name_edit, self.account_number_edit, self.bank_company_edit):
            edit.textChanged.connect(lambda _t: self._update_ach_text())
        for combo in (self.holder_type_combo, self.account_type_combo):
            combo.currentIndexChanged.connect(lambda _i: self._update_ach_text())

    def _ach_terms(self) -> tuple[str, str, str, str, str] | None:
        """(holder type, name, company, account type, last four) of the bank account being debited, or None."""
        if self.new_bank_radio.isChecked():
            return (str(self.holder_type_combo.currentData()), self.account_name_edit.text().strip(),
                    self.bank_company_edit.text().strip() or self._invoice.company_name,
                    str(self.account_type_combo.currentData()),
                    validation.clean_digits(self.account_number_edit.text())[-4:])
        saved = self._selected_saved() if hasattr(self, "_saved") else None
        if saved is not None and saved.method == "echeck":
            return (saved.holder_type or "business", saved.holder_name or self._invoice.company_name,
                    self._invoice.company_name, saved.account_type, saved.last_four)
        return None

    def ach_authorization_text(self) -> str:
        """The wording shown now (empty when no bank account is chosen)."""
        terms = self._ach_terms()
        if terms is None:
            return ""
        holder, name, company, account_type, last_four = terms
        try:
            minor = parse_amount(self.amount_edit.text(), self._invoice.currency, self._locale).minor
            amount = format_money(minor, self._invoice.currency)
        except (PayAppError, AttributeError):
            amount = "the amount shown"
        return ach.authorization_text(holder_type=holder, name=name, company=company, merchant="",
                                      account_type=account_type, last_four=last_four, amount=amount,
                                      invoice=self._invoice.invoice_number, date=self._today())

    def _update_ach_text(self) -> None:
        text = self.ach_authorization_text()
        self.ach_box.setVisible(bool(text))
        if text and text != self.ach_text_label.text():
            self.ach_text_label.setText(text)
            self.ach_agree_check.setChecked(False)     # new terms: the customer must agree to these
    # ------------------------------------------------------------------ loading

    async def load(self) -> None:
        """Read who may pay, the contacts and the saved methods; choose the default method."""
        svc = self._services
        self._status = await svc.settings.processing_status()
        contacts = await svc.invoices.contacts_for_company(self._invoice.company_id) if svc.invoices else []
        address = await svc.invoices.company_address(self._invoice.company_id) if svc.invoices else None
        saved = await svc.payments.saved_methods(self._invoice.company_id) if svc.payments else []
        if not shiboken6.isValid(self):             # closed by the user while it loaded
            return
        self.contact_combo.clear()
        self.contact_combo.addItem(self.tr("(not recorded)"), None)
        for c in contacts:
            self.contact_combo.addItem(f"{c.name} <{c.email}>" if c.email else c.name, c.id)
        if contacts:
            self.contact_combo.setCurrentIndex(1)
        if address is not None:
            self._prefill_address(address)
        types = self._status.back_office if self._status else frozenset()
        self._saved = [m for m in saved if m.method in types and self._charged_here(m)]
        self._fill_saved()
        self.new_card_radio.setVisible("card" in types)
        self.new_bank_radio.setVisible("echeck" in types)
        self.new_sepa_radio.setVisible("sepa" in types)
        default = next((m for m in self._saved if m.is_default), self._saved[0] if self._saved else None)
        if default is not None:
            self._saved_radios[default.id].setChecked(True)
        elif "card" in types:
            self.new_card_radio.setChecked(True)
        elif "echeck" in types:
            self.new_bank_radio.setChecked(True)
        elif "sepa" in types:
            self.new_sepa_radio.setChecked(True)
        reason = pay_block_reason(self._status, svc.current_user, self._invoice.balance_minor)
        if reason:
            self.banner.show_message("warning", reason)
            self.pay_button.setEnabled(False)
            self.pay_button.setToolTip(reason)
        self._fix_tab_order()

    def _prefill_address(self, address: CompanyAddress) -> None:
        """The company's address is the usual billing address: put it in every field still empty (a person can
        change it); a ZIP code that does not pass the check shows its message next to the field at once."""
        country = self.card_country.findData(address.country)
        if country >= 0:
            self.card_country.setCurrentIndex(country)
        for edit, value in ((self.card_address_edit, address.address1), (self.card_city_edit, address.city),
                            (self.card_state_edit, address.state), (self.card_zip_edit, address.postal_code),
                            (self.bank_address_edit, address.address1), (self.bank_city_edit, address.city),
                            (self.bank_state_edit, address.state),
                            # an eCheck is a US bank account: its ZIP code field takes US codes only
                            (self.bank_zip_edit, address.postal_code if address.country == "US" else "")):
            if value and not edit.text():
                edit.setText(value)
        for field in (self.card_fields[5], self.bank_fields[3]):
            if field.edit.text():
                field.validate()

    def _fill_saved(self) -> None:
        for radio in self._saved_radios.values():
            self.method_group.removeButton(radio)
            radio.deleteLater()
        self._saved_radios.clear()
        self._no_saved.setVisible(not self._saved)
        for m in self._saved:
            text = self._saved_label(m) + (f" · {m.holder_name}" if m.holder_name else "")
            if m.is_default:
                text = self.tr("%1 (last used)").replace("%1", text)
            radio = QRadioButton(text, self.saved_group)
            radio.setObjectName(f"savedMethod{m.id}")
            radio.setProperty("saved_method_id", m.id)
            self.method_group.addButton(radio)
            self._saved_layout.addWidget(radio)
            self._saved_radios[m.id] = radio

    @asyncSlot()
    async def _manage_saved(self) -> None:
        """Open Saved payment methods for this company; what changes there shows here at once."""
        from payapp.ui.payments.saved_methods_dialog import open_saved_methods

        dialog = await open_saved_methods(self._services, self._invoice.company_id, self._invoice.company_name,
                                          self)
        dialog.changed.connect(self._reload_saved)

    @asyncSlot()
    async def _reload_saved(self) -> None:
        chosen = self._selected_saved()
        try:
            saved = await self._services.payments.saved_methods(self._invoice.company_id)
        except PayAppError as exc:
            if shiboken6.isValid(self):
                self.banner.show_error(user_text(exc))
            return
        if not shiboken6.isValid(self):
            return
        types = self._status.back_office if self._status else frozenset()
        self._saved = [m for m in saved if m.method in types and self._charged_here(m)]
        self._fill_saved()
        self._fix_tab_order()
        if chosen is not None and chosen.id in self._saved_radios:
            self._saved_radios[chosen.id].setChecked(True)
        elif chosen is not None:                        # it was deleted: a new card (or account) instead
            (self.new_card_radio if self.new_card_radio.isVisible() else self.new_bank_radio).setChecked(True)
        self._method_changed()

    def _fix_tab_order(self) -> None:
        chain: list[QWidget] = [self.contact_combo, *self._saved_radios.values(), self.new_card_radio,
                                self.new_bank_radio, self.new_sepa_radio, self.manage_saved_button,
                                self.card_number_edit,
                                self.expiry_edit, self.cvv_edit,
                                self.first_name_edit, self.last_name_edit, self.card_address_edit,
                                self.card_city_edit, self.card_country, self.card_state_edit,
                                self.card_zip_edit, self.save_card_check, self.holder_type_combo,
                                self.account_type_combo, self.account_name_edit, self.routing_number_edit,
                                self.account_number_edit, self.account_number_confirm_edit, self.bank_company_edit,
                                self.bank_address_edit,
                                self.bank_city_edit, self.bank_state_edit, self.bank_zip_edit, self.save_bank_check,
                                self.ach_agree_check, self.sepa_holder_edit, self.iban_edit, self.bic_edit,
                                self.sepa_city_edit, self.sepa_zip_edit, self.sepa_agree_check, self.amount_edit,
                                self.pay_button, self.close_button]
        for a, b in itertools.pairwise(chain):
            QWidget.setTabOrder(a, b)

    # ------------------------------------------------------------------ what is chosen

    def _method_changed(self, _button: object = None, _checked: bool = True) -> None:
        self.card_form.setVisible(self.new_card_radio.isChecked())
        self.bank_form.setVisible(self.new_bank_radio.isChecked())
        self.sepa_form.setVisible(self.new_sepa_radio.isChecked())
        self._update_ach_text()
        self._update_sepa_text()
        self._fit_width()

    def _fit_width(self) -> None:
        """Fit the window to the shown form: wide enough for its labels (longer in German, the stretched
        pseudo-locale) so no field is cut off behind a horizontal scroll bar, and as tall as the form, so no empty
        half is left under it, but never beyond the screen (1280×720 included): the form scrolls there."""
        body = self._scroll.widget()
        margins = self.layout().contentsMargins()
        needed = (body.minimumSizeHint().width() + self._scroll.verticalScrollBar().sizeHint().width()
                  + margins.left() + margins.right())
        available = self.screen().availableGeometry() if self.screen() is not None else None
        screen_w = available.width() if available is not None else needed
        # room for the window frame and title bar the window manager adds
        screen_h = available.height() - 60 if available is not None else QWIDGETSIZE_MAX
        others = self.layout().sizeHint().height() - self._scroll.sizeHint().height()
        height = min(max(others + body.sizeHint().height(), 360), screen_h)
        self.resize(min(max(self.width(), needed), screen_w), height)

    def _charged_here(self, m: SavedMethodView) -> bool:
        """A saved method can be charged only by the gateway whose vault holds it: the chosen one."""
        chosen = self._status.gateway if self._status else ""
        return not chosen or not m.gateway or m.gateway == chosen

    def _selected_saved(self) -> SavedMethodView | None:
        for m in self._saved:
            radio = self._saved_radios.get(m.id)
            if radio is not None and radio.isChecked():
                return m
        return None

    def _show_brand(self, text: str) -> None:
        brand = validation.card_brand(text)
        self.card_brand_label.setText(brand)
        self.card_brand_label.setAccessibleName(self.tr("Card brand: %1").replace("%1", brand or "—"))

    def _check_amount(self, text: str) -> int:
        inv = self._invoice
        minor = parse_amount(text, inv.currency, self._locale).minor
        money = lambda m: format_money(m, inv.currency, self._locale)  # noqa: E731
        if minor <= 0:
            raise ValidationError(self.tr("Enter an amount above zero."), field="amount")
        if minor > inv.balance_minor:
            raise ValidationError(self.tr("The amount is more than the balance of %1.")
                                  .replace("%1", money(inv.balance_minor)), field="amount")
        if minor < self._minimum_minor:
            raise ValidationError(self.tr("The gateway takes payments of %1 or more.")
                                  .replace("%1", money(self._minimum_minor)), field="amount")
        return minor

    def _method_label(self, method: PaymentMethod) -> str:
        if isinstance(method, NewCard):
            brand = validation.card_brand(method.number) or self.tr("Card")
            return f"{brand} •••• {validation.last_four(method.number)}"
        if isinstance(method, NewBankAccount):
            kind = self.tr("Savings") if method.account_type == "savings" else self.tr("Checking")
            return self.tr("eCheck %1 •••• %2").replace("%1", kind).replace(
                "%2", validation.last_four(method.account_number))
        if isinstance(method, NewSepaAccount):
            return self.tr("SEPA direct debit •••• %1").replace("%1", str(method.iban)[-4:])
        saved = next((m for m in self._saved if m.id == method.saved_method_id), None) \
            if isinstance(method, SavedMethodRef) else None
        return self._saved_label(saved) if saved else self.tr("saved method")

    def _saved_label(self, saved: SavedMethodView) -> str:
        """"Visa •••• 1111 · 12/27", "eCheck Checking •••• 3123": SavedMethodView.label, in the user's language."""
        name = f"{saved.nickname} · " if saved.nickname else ""
        if saved.method == "card":
            expiry = f" · {saved.expiry[:2]}/{saved.expiry[2:]}" if len(saved.expiry) == 4 else ""
            if saved.expiry_state == "expired":
                expiry += " " + self.tr("(expired)")
            elif saved.expiry_state == "expiring":
                expiry += " " + self.tr("(expires soon)")
            return f"{name}{saved.brand or self.tr('Card')} •••• {saved.last_four}{expiry}"
        kind = self.tr("Savings") if saved.account_type == "savings" else self.tr("Checking")
        return name + self.tr("eCheck %1 •••• %2").replace("%1", kind).replace("%2", saved.last_four)

    def _build_request(self) -> PaymentRequest | None:
        """Validate everything; focus the first problem and return None, or the request."""
        bad: list[_Field] = []
        method: PaymentMethod | None = None
        save = False
        if self.new_card_radio.isChecked():
            bad = [f for f in self.card_fields if not f.validate()]
            if not bad:
                method = NewCard(number=validation.clean_digits(self.card_number_edit.text()),
                                 expiry_mmyy=validation.check_expiry(self.expiry_edit.text(), self._today()).mmyy(),
                                 cvv=validation.check_cvv(self.cvv_edit.text(),
                                                          validation.card_brand(self.card_number_edit.text())),
                                 first_name=self.first_name_edit.text().strip(),
                                 last_name=self.last_name_edit.text().strip(),
                                 address1=self.card_address_edit.text().strip(),
                                 city=self.card_city_edit.text().strip(),
                                 state=self.card_state_edit.text().strip(),
                                 zip=validation.check_postal_code(self.card_zip_edit.text(),
                                                                  str(self.card_country.currentData())),
                                 country=str(self.card_country.currentData()))
                save = self.save_card_check.isChecked()
        elif self.new_bank_radio.isChecked():
            bad = [f for f in self.bank_fields if not f.validate()]
            if not bad:
                method = NewBankAccount(
                    holder_type=str(self.holder_type_combo.currentData()),
                    account_type=str(self.account_type_combo.currentData()),
                    name=self.account_name_edit.text().strip(),
                    routing_number=validation.clean_digits(self.routing_number_edit.text()),
                    account_number=validation.clean_digits(self.account_number_edit.text()),
                    company=self.bank_company_edit.text().strip(), address1=self.bank_address_edit.text().strip(),
                    city=self.bank_city_edit.text().strip(), state=self.bank_state_edit.text().strip(),
                    zip=validation.check_postal_code(self.bank_zip_edit.text(), "US")
                    if self.bank_zip_edit.text().strip() else "",
                    wording_version=ach.WORDING_VERSION)
                save = self.save_bank_check.isChecked()
        elif self.new_sepa_radio.isChecked():
            bad = [f for f in self.sepa_fields if not f.validate()]
            if not bad:
                self._update_sepa_text()
                if not self.sepa_agree_check.isChecked():
                    self.sepa_agree_error.setText(self.tr("The account holder must agree to the mandate before the "
                                                          "debit is taken."))
                    self.sepa_agree_error.setVisible(True)
                    self.sepa_agree_check.setFocus()
                    return None
                method = NewSepaAccount(holder=self.sepa_holder_edit.text().strip(),
                                        iban=sepa.check_iban(self.iban_edit.text()),
                                        bic=sepa.check_bic(self.bic_edit.text()),
                                        city=self.sepa_city_edit.text().strip(),
                                        zip=self.sepa_zip_edit.text().strip(),
                                        # exactly the wording shown and agreed to
                                        mandate_text=self.sepa_text_label.text(),
                                        mandate_reference=self._mandate_reference)
        else:
            saved = self._selected_saved()
            if saved is None:
                self.banner.show_error(self.tr("Choose a payment method."))
                return None
            method = SavedMethodRef(saved.id)
        if not self.amount_field.validate():
            bad.append(self.amount_field)
        if bad or method is None:
            bad[0].edit.setFocus()
            return None
        needs_consent = self._ach_terms() is not None       # a new or saved bank account is debited
        if needs_consent:
            self._update_ach_text()
        if needs_consent and not self.ach_agree_check.isChecked():
            self.ach_agree_error.setText(self.tr("The customer must agree to the authorization before an eCheck "
                                                 "is taken."))
            self.ach_agree_error.setVisible(True)
            self.ach_agree_check.setFocus()
            return None
        if needs_consent and isinstance(method, NewBankAccount | SavedMethodRef):
            # exactly the wording shown and agreed to (it follows every edit, and un-ticks the box when it changes)
            method = replace(method, authorization_text=self.ach_text_label.text())
        return PaymentRequest(invoice_id=self._invoice.id, amount_minor=self._check_amount(self.amount_edit.text()),
                              method=method, save_method=save, contact_id=self.contact_combo.currentData())

    # ------------------------------------------------------------------ paying

    def _set_processing(self, on: bool) -> None:
        self._busy = on
        self.progress.setVisible(on)
        for w in (self.pay_button, self.saved_group, self.new_card_radio, self.new_bank_radio, self.new_sepa_radio,
                  self.card_form, self.bank_form, self.sepa_form, self.sepa_box, self._amount_page, self.amount_edit,
                  self._contact_caption, self.contact_combo):
            w.setEnabled(not on and not self._done)
        self.close_button.setEnabled(not on)

    @asyncSlot()
    async def _on_pay_clicked(self) -> None:
        if self._busy or self._done:
            return
        self._busy = True                       # a second click while we ask or charge does nothing
        try:
            await self._pay()
        finally:
            if shiboken6.isValid(self):
                self._busy = False
                if not self._done:
                    self._set_processing(False)

    async def _pay(self) -> None:
        reason = pay_block_reason(self._status, self._services.current_user, self._invoice.balance_minor)
        if reason:
            self.banner.show_message("warning", reason)
            return
        request = self._build_request()
        if request is None:
            return
        self.banner.clear()
        inv = self._invoice
        amount = format_money(request.amount_minor, inv.currency, self._locale)
        answer = await ask(confirm_box(
            self, self.tr("Confirm payment"),
            self.tr("Charge %1 to %2 for invoice %3 (%4)?").replace("%1", amount)
            .replace("%2", self._method_label(request.method)).replace("%3", inv.invoice_number)
            .replace("%4", inv.company_name),
            self.tr("Process Payment")))
        if answer != QMessageBox.StandardButton.Yes or not shiboken6.isValid(self):
            return
        self._set_processing(True)
        payments = self._services.payments
        assert payments is not None
        try:
            self.charges_started += 1
            try:
                result = await payments.take_payment(request)
            except DuplicateWarning as dup:
                self.progress.hide()
                again = await ask(confirm_box(self, self.tr("Possible duplicate payment"), user_text(dup),
                                              self.tr("Pay again")))
                if again != QMessageBox.StandardButton.Yes:
                    self.banner.show_info(self.tr("Nothing was charged."))
                    return
                self.progress.show()
                result = await payments.take_payment(request, confirm_duplicate=True)
        except ValidationError as exc:
            if exc.field == "amount":
                self.amount_error.setText(user_text(exc))
                self.amount_error.show()
            self.banner.show_error(user_text(exc))
            return
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
            return
        finally:
            del request
        if result.status in ("approved", "unknown"):
            await self._refresh_header()
        if shiboken6.isValid(self):
            self._show_result(result)           # the last step: nothing of this payment is left pending

    def _show_result(self, result: PaymentResult) -> None:
        self.result_ = result
        self.payment_decided.emit(self._invoice.id)
        checks = card_check_text(result.avs_result, result.cvv_result)
        if result.status == "approved":
            self._done = True
            text = (self.tr("Payment has been processed: %1. Transaction ID: %2.")
                    .replace("%1", format_money(result.amount_minor, result.currency, self._locale))
                    .replace("%2", result.transaction_id))
            if "after PayApp had marked it failed" in result.message:
                text = translate_message(result.message)
            if result.pending_settlement:       # not "processed": the money is not there until it settles
                text = translate_message(result.message)
            self.banner.show_message("info" if result.pending_settlement else "approved", f"{text} {checks}".strip())
            self._show_new_balance()
            self.clear_sensitive(all_fields=True)
            self.close_button.setText(self.tr("Close"))
        elif result.status == "unknown":
            self._done = True                   # never pay again while the first one is being checked
            self.banner.show_message("unknown", self.tr("Outcome unknown, being checked. %1")
                                     .replace("%1", translate_message(result.message)))
            self.clear_sensitive(all_fields=True)
            self.close_button.setText(self.tr("Close"))
        elif result.status == "voided":       # refused: the CVV did not match, voided at once
            self.banner.show_message("declined", f"{translate_message(result.message)} {checks}".strip())
            _wipe(self.cvv_edit)
        else:
            self.banner.show_message("declined", result.message)
            _wipe(self.cvv_edit)
        self._set_processing(False)
        # the banner took room: keep the window fitted and the amount with its new-balance hint in view
        self._fit_width()
        self._scroll.ensureWidgetVisible(self.amount_hint)
        self.close_button.setFocus()

    def _show_new_balance(self) -> None:
        """After a payment the hint under the amount says what the invoice still owes."""
        inv = self._invoice
        balance = format_money(inv.balance_minor, inv.currency, self._locale)
        if inv.balance_minor > 0:
            self.amount_hint.setText(self.tr("Partial payment received. The new balance of this invoice is %1.")
                                     .replace("%1", balance))
        else:
            self.amount_hint.setText(self.tr("Paid in full. The new balance of this invoice is %1.")
                                     .replace("%1", balance))

    async def _refresh_header(self) -> None:
        """Show the balance left after this payment."""
        invoices = self._services.invoices
        assert invoices is not None
        try:
            row = await invoices.row(self._invoice.id)
        except PayAppError:
            return
        if not shiboken6.isValid(self):
            return
        self._invoice = row
        label = self.findChild(QLabel, "amountDueValue")
        if label is not None:
            label.setText(format_money(row.balance_minor, row.currency, self._locale))

    # ------------------------------------------------------------------ no card data left behind

    def clear_sensitive(self, *, all_fields: bool = True) -> None:
        for edit in (self.card_number_edit, self.cvv_edit, self.expiry_edit, self.account_number_edit,
                     self.account_number_confirm_edit, self.routing_number_edit, self.iban_edit):
            _wipe(edit)

    def _charging(self) -> bool:
        return self._busy and self.progress.isVisible()

    def done(self, result: int) -> None:
        # Escape, accept and the window's close button (QDialog.closeEvent rejects) all end here: while the
        # charge is on its way the window stays, so its outcome (approved, declined, unknown) is always seen.
        if self._charging():
            return
        self.clear_sensitive()
        super().done(result)


async def open_payment_dialog(services: Services, invoice: InvoiceRow, parent: QWidget | None,
                              on_decided: Callable[[int], object] | None = None) -> PaymentDialog:
    dialog = PaymentDialog(services, invoice, parent)
    if on_decided is not None:
        dialog.payment_decided.connect(on_decided)
    return_focus_on_close(dialog)               # back to the grid row or the invoice window it was opened from
    dialog.open()
    try:
        await dialog.load()
    except PayAppError as exc:
        if shiboken6.isValid(dialog):
            dialog.banner.show_error(user_text(exc))
    except asyncio.CancelledError:
        raise
    return dialog

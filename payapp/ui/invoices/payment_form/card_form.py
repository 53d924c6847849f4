"""The new credit card form: number (with its brand), expiry, CVV, name, billing address, "save"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QGroupBox, QLabel, QLineEdit, QWidget

from payapp.domain import validation
from payapp.services.invoices import CompanyAddress
from payapp.services.payments import NewCard
from payapp.ui.invoices.payment_form.fields import Field, FormRows, keep_private, required, wipe
from payapp.ui.widgets import HINT_STYLE

COUNTRIES = (("US", QT_TRANSLATE_NOOP("CardForm", "United States")),
             ("CA", QT_TRANSLATE_NOOP("CardForm", "Canada")))


class CardForm(QGroupBox):
    """The card number, expiry and CVV live only in their line edits (and in the NewCard handed on);
    clear_secrets() empties them and their undo history."""

    changed = Signal()          # the number changed (its brand, shown beside it, may have)

    def __init__(self, parent: QWidget, *, today: Callable[[], dt.date]) -> None:
        super().__init__(self.tr("New credit card"), parent)
        self.setObjectName("cardForm")
        self.rows = FormRows(self)
        self._today = today
        self.card_number_edit = self.rows.line("cardNumberEdit", max_length=23)
        self.card_number_edit.setAccessibleName(self.tr("Card number"))
        self.card_brand_label = QLabel(self)
        self.card_brand_label.setObjectName("cardBrandLabel")
        self.card_brand_label.setMinimumWidth(90)
        self.expiry_edit = self.rows.line("expiryEdit", max_length=7, max_width=110)
        self.expiry_edit.setPlaceholderText(self.tr("MM/YY"))
        self.cvv_edit = self.rows.line("cvvEdit", max_length=4, max_width=80)
        self.cvv_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.first_name_edit = self.rows.line("firstNameEdit")
        self.last_name_edit = self.rows.line("lastNameEdit")
        self.card_address_edit = self.rows.line("cardAddressEdit")
        self.card_city_edit = self.rows.line("cardCityEdit")
        self.card_country = QComboBox(self)
        self.card_country.setObjectName("cardCountryCombo")
        for code, name in COUNTRIES:
            self.card_country.addItem(self.tr(name), code)
        self.card_state_edit = self.rows.line("cardStateEdit", max_width=80)
        self.card_zip_edit = self.rows.line("cardZipEdit", max_width=120)
        self.save_card_check = QCheckBox(self.tr("Save payment information"), self)
        self.save_card_check.setObjectName("saveCardCheck")
        for edit in (self.card_number_edit, self.expiry_edit, self.cvv_edit):
            keep_private(edit, Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhNoPredictiveText
                         | Qt.InputMethodHint.ImhDigitsOnly)

        errors = self.rows.errors("cardNumberError", "expiryError", "cvvError", "firstNameError", "lastNameError",
                             "cardZipError")
        self.rows.row(self.tr("Card number:"), self.card_number_edit, errors["cardNumberError"],
                      extra=self.card_brand_label)
        self.rows.row(self.tr("Expiry (MM/YY):"), self.expiry_edit, errors["expiryError"])
        self.rows.row(self.tr("Security code (CVV):"), self.cvv_edit, errors["cvvError"])
        hint = QLabel(self.tr("First and last name exactly as on the card."), self)
        hint.setWordWrap(True)
        hint.setStyleSheet(HINT_STYLE)
        self.rows.form.addRow("", hint)
        self.rows.row(self.tr("First name:"), self.first_name_edit, errors["firstNameError"])
        self.rows.row(self.tr("Last name:"), self.last_name_edit, errors["lastNameError"])
        self.rows.form.addRow(self.tr("Billing address:"), self.card_address_edit)
        self.rows.form.addRow(self.tr("City:"), self.card_city_edit)
        self.rows.form.addRow(self.tr("Country:"), self.card_country)
        self.rows.form.addRow(self.tr("State:"), self.card_state_edit)
        self.rows.row(self.tr("ZIP / postal code:"), self.card_zip_edit, errors["cardZipError"])
        self.rows.form.addRow("", self.save_card_check)

        self._cvv = Field(self.cvv_edit, errors["cvvError"],
                          lambda t: validation.check_cvv(t, validation.card_brand(self.card_number_edit.text())))
        self._zip = Field(self.card_zip_edit, errors["cardZipError"],
                          lambda t: validation.check_postal_code(t, self.country()))
        self.rows.check_as_typed([
            Field(self.card_number_edit, errors["cardNumberError"], validation.check_card_number),
            Field(self.expiry_edit, errors["expiryError"], lambda t: validation.check_expiry(t, self._today())),
            self._cvv,
            Field(self.first_name_edit, errors["firstNameError"], required(self.tr("Enter the first name."))),
            Field(self.last_name_edit, errors["lastNameError"], required(self.tr("Enter the last name."))),
            self._zip,
        ])
        self.card_number_edit.textChanged.connect(self._show_brand)
        # the country decides between a ZIP code and a Canadian postal code: re-check one already typed
        self.card_country.currentIndexChanged.connect(lambda _i: self.card_zip_edit.text() and self._zip.validate())
        # a brand change changes the CVV length: re-check a CVV already typed
        self.card_number_edit.textEdited.connect(lambda _t: self.cvv_edit.text() and self._cvv.validate())

    def invalid_fields(self) -> list[Field]:
        """Check every field (each shows its message); the ones that failed, first one first."""
        return self.rows.invalid()

    def country(self) -> str:
        return str(self.card_country.currentData())

    def _show_brand(self, text: str) -> None:
        brand = validation.card_brand(text)
        self.card_brand_label.setText(brand)
        self.card_brand_label.setAccessibleName(self.tr("Card brand: %1").replace("%1", brand or "—"))
        self.changed.emit()

    def new_card(self) -> NewCard:
        """The card as typed; only after invalid_fields() came back empty."""
        number = self.card_number_edit.text()
        return NewCard(number=validation.clean_digits(number),
                       expiry_mmyy=validation.check_expiry(self.expiry_edit.text(), self._today()).mmyy(),
                       cvv=validation.check_cvv(self.cvv_edit.text(), validation.card_brand(number)),
                       first_name=self.first_name_edit.text().strip(), last_name=self.last_name_edit.text().strip(),
                       address1=self.card_address_edit.text().strip(), city=self.card_city_edit.text().strip(),
                       state=self.card_state_edit.text().strip(),
                       zip=validation.check_postal_code(self.card_zip_edit.text(), self.country()),
                       country=self.country())

    def save_requested(self) -> bool:
        return self.save_card_check.isChecked()

    def prefill_address(self, address: CompanyAddress) -> None:
        """The company's address in every field still empty; a ZIP code that fails the check shows why at once."""
        country = self.card_country.findData(address.country)
        if country >= 0:
            self.card_country.setCurrentIndex(country)
        for edit, value in ((self.card_address_edit, address.address1), (self.card_city_edit, address.city),
                            (self.card_state_edit, address.state), (self.card_zip_edit, address.postal_code)):
            if value and not edit.text():
                edit.setText(value)
        if self.card_zip_edit.text():
            self._zip.validate()

    def tab_chain(self) -> list[QWidget]:
        return [self.card_number_edit, self.expiry_edit, self.cvv_edit, self.first_name_edit, self.last_name_edit,
                self.card_address_edit, self.card_city_edit, self.card_country, self.card_state_edit,
                self.card_zip_edit, self.save_card_check]

    def clear_cvv(self) -> None:
        """After a decline the CVV is typed again."""
        wipe(self.cvv_edit)

    def clear_secrets(self) -> None:
        for edit in (self.card_number_edit, self.cvv_edit, self.expiry_edit):
            wipe(edit)

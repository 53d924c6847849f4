"""The new bank account (eCheck) form: holder and account type, name, routing and account number (typed twice),
the company's address, "save"."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QGroupBox, QWidget

from payapp.domain import ach, validation
from payapp.domain.errors import ValidationError
from payapp.services.invoices import CompanyAddress
from payapp.services.payments import NewBankAccount
from payapp.ui.invoices.payment_form.fields import Field, FormRows, keep_private, required, wipe


class BankForm(QGroupBox):
    """The routing and account numbers live only in their line edits (and in the NewBankAccount handed on);
    clear_secrets() empties them and their undo history."""

    changed = Signal()          # something the ACH authorization's wording names changed

    def __init__(self, parent: QWidget, *, company_name: str) -> None:
        super().__init__(self.tr("New bank account (eCheck)"), parent)
        self.setObjectName("bankForm")
        self.rows = FormRows(self)
        self._company_name = company_name
        self.holder_type_combo = QComboBox(self)
        self.holder_type_combo.setObjectName("holderTypeCombo")
        self.holder_type_combo.addItem(self.tr("Personal"), "personal")
        self.holder_type_combo.addItem(self.tr("Business"), "business")
        self.holder_type_combo.setCurrentIndex(1)
        self.account_type_combo = QComboBox(self)
        self.account_type_combo.setObjectName("accountTypeCombo")
        self.account_type_combo.addItem(self.tr("Checking"), "checking")
        self.account_type_combo.addItem(self.tr("Savings"), "savings")
        self.account_name_edit = self.rows.line("accountNameEdit")
        self.routing_number_edit = self.rows.line("routingNumberEdit", max_length=11, max_width=160)
        self.account_number_edit = self.rows.line("accountNumberEdit", max_length=21, max_width=220)
        # typed twice, never pasted (issue #15.6): a wrong digit debits someone else's account
        self.account_number_confirm_edit = self.rows.line("accountNumberConfirmEdit", max_length=21, max_width=220)
        for edit in (self.routing_number_edit, self.account_number_edit, self.account_number_confirm_edit):
            keep_private(edit, Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhDigitsOnly)
        self.bank_company_edit = self.rows.line("bankCompanyEdit")
        self.bank_company_edit.setText(company_name)
        self.bank_address_edit = self.rows.line("bankAddressEdit")
        self.bank_city_edit = self.rows.line("bankCityEdit")
        self.bank_state_edit = self.rows.line("bankStateEdit", max_width=80)
        self.bank_zip_edit = self.rows.line("bankZipEdit", max_width=120)
        self.save_bank_check = QCheckBox(self.tr("Save payment information"), self)
        self.save_bank_check.setObjectName("saveBankCheck")
        errors = self.rows.errors("accountNameError", "routingNumberError", "accountNumberError",
                             "accountNumberConfirmError", "bankZipError")
        self.rows.form.addRow(self.tr("Account holder:"), self.holder_type_combo)
        self.rows.form.addRow(self.tr("Account type:"), self.account_type_combo)
        self.rows.row(self.tr("Name on account:"), self.account_name_edit, errors["accountNameError"])
        self.rows.row(self.tr("Routing number (9 digits):"), self.routing_number_edit, errors["routingNumberError"])
        self.rows.row(self.tr("Account number:"), self.account_number_edit, errors["accountNumberError"])
        self.rows.row(self.tr("Account number again:"), self.account_number_confirm_edit,
                      errors["accountNumberConfirmError"])
        self.rows.form.addRow(self.tr("Company:"), self.bank_company_edit)
        self.rows.form.addRow(self.tr("Address:"), self.bank_address_edit)
        self.rows.form.addRow(self.tr("City:"), self.bank_city_edit)
        self.rows.form.addRow(self.tr("State:"), self.bank_state_edit)
        self.rows.row(self.tr("ZIP code:"), self.bank_zip_edit, errors["bankZipError"])
        self.rows.form.addRow("", self.save_bank_check)
        # optional for an eCheck, but a ZIP code when given
        self._zip = Field(self.bank_zip_edit, errors["bankZipError"],
                          lambda t: validation.check_postal_code(t, "US") if t.strip() else t)
        self.rows.check_as_typed([
            Field(self.account_name_edit, errors["accountNameError"],
                  required(self.tr("Enter the name on the account."))),
            Field(self.routing_number_edit, errors["routingNumberError"], validation.check_routing_number),
            Field(self.account_number_edit, errors["accountNumberError"], validation.check_account_number),
            Field(self.account_number_confirm_edit, errors["accountNumberConfirmError"], self._check_account_again),
            self._zip,
        ])
        for edit in (self.account_name_edit, self.account_number_edit, self.bank_company_edit):
            edit.textChanged.connect(lambda _t: self.changed.emit())
        for combo in (self.holder_type_combo, self.account_type_combo):
            combo.currentIndexChanged.connect(lambda _i: self.changed.emit())

    def invalid_fields(self) -> list[Field]:
        """Check every field (each shows its message); the ones that failed, first one first."""
        return self.rows.invalid()

    def _check_account_again(self, text: str) -> str:
        if not validation.clean_digits(text):
            raise ValidationError(self.tr("Enter the account number again."), field="account_number_confirm")
        if validation.clean_digits(text) != validation.clean_digits(self.account_number_edit.text()):
            raise ValidationError(self.tr("The account numbers do not match. Type the number again."),
                                  field="account_number_confirm")
        return text

    def new_bank_account(self) -> NewBankAccount:
        """The account as typed; only after invalid_fields() came back empty."""
        zip_code = self.bank_zip_edit.text()
        return NewBankAccount(
            holder_type=str(self.holder_type_combo.currentData()),
            account_type=str(self.account_type_combo.currentData()),
            name=self.account_name_edit.text().strip(),
            routing_number=validation.clean_digits(self.routing_number_edit.text()),
            account_number=validation.clean_digits(self.account_number_edit.text()),
            company=self.bank_company_edit.text().strip(), address1=self.bank_address_edit.text().strip(),
            city=self.bank_city_edit.text().strip(), state=self.bank_state_edit.text().strip(),
            zip=validation.check_postal_code(zip_code, "US") if zip_code.strip() else "",
            wording_version=ach.WORDING_VERSION)

    def save_requested(self) -> bool:
        return self.save_bank_check.isChecked()

    def ach_terms(self) -> tuple[str, str, str, str, str]:
        """(holder type, name, company, account type, last four) as the ACH authorization names them."""
        return (str(self.holder_type_combo.currentData()), self.account_name_edit.text().strip(),
                self.bank_company_edit.text().strip() or self._company_name,
                str(self.account_type_combo.currentData()),
                validation.clean_digits(self.account_number_edit.text())[-4:])

    def prefill_address(self, address: CompanyAddress) -> None:
        """The company's address in every field still empty; a ZIP code that fails the check shows why at once."""
        for edit, value in ((self.bank_address_edit, address.address1), (self.bank_city_edit, address.city),
                            (self.bank_state_edit, address.state),
                            # an eCheck is a US bank account: its ZIP code field takes US codes only
                            (self.bank_zip_edit, address.postal_code if address.country == "US" else "")):
            if value and not edit.text():
                edit.setText(value)
        if self.bank_zip_edit.text():
            self._zip.validate()

    def tab_chain(self) -> list[QWidget]:
        return [self.holder_type_combo, self.account_type_combo, self.account_name_edit, self.routing_number_edit,
                self.account_number_edit, self.account_number_confirm_edit, self.bank_company_edit,
                self.bank_address_edit, self.bank_city_edit, self.bank_state_edit, self.bank_zip_edit,
                self.save_bank_check]

    def clear_secrets(self) -> None:
        for edit in (self.account_number_edit, self.account_number_confirm_edit, self.routing_number_edit):
            wipe(edit)

"""The new SEPA direct debit form: account holder, IBAN (checked with its check digits), optional BIC, city and
postal code, and the mandate the debtor agrees to (shown, kept with the payment)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGroupBox, QWidget

from payapp.domain import sepa
from payapp.services.payments import NewSepaAccount
from payapp.ui.invoices.payment_form.fields import AgreementBox, Field, FormRows, keep_private, required, wipe


class SepaForm(QGroupBox):
    """The IBAN lives only in its line edit (and in the NewSepaAccount handed on); clear_secrets() empties it.
    `mandate_box` is a widget of its own, placed by the window under the form."""

    changed = Signal()          # the holder or the IBAN changed: both are in the mandate's wording

    def __init__(self, parent: QWidget, *, invoice_id: int, invoice_number: str,
                 today: Callable[[], dt.date]) -> None:
        super().__init__(self.tr("New SEPA direct debit"), parent)
        self.setObjectName("sepaForm")
        self.rows = FormRows(self)
        self._invoice_number = invoice_number
        self._today = today
        self.sepa_holder_edit = self.rows.line("sepaHolderEdit")
        self.iban_edit = self.rows.line("ibanEdit", max_length=42)
        self.iban_edit.setMinimumWidth(300)
        self.iban_edit.setAccessibleName(self.tr("IBAN"))
        keep_private(self.iban_edit, Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhNoPredictiveText)
        self.bic_edit = self.rows.line("bicEdit", max_length=11, max_width=160)
        self.sepa_city_edit = self.rows.line("sepaCityEdit")
        self.sepa_zip_edit = self.rows.line("sepaZipEdit", max_width=120)
        errors = self.rows.errors("sepaHolderError", "ibanError", "bicError")
        self.rows.row(self.tr("Account holder:"), self.sepa_holder_edit, errors["sepaHolderError"])
        self.rows.row(self.tr("IBAN:"), self.iban_edit, errors["ibanError"])
        self.rows.row(self.tr("BIC (optional):"), self.bic_edit, errors["bicError"])
        self.rows.form.addRow(self.tr("City:"), self.sepa_city_edit)
        self.rows.form.addRow(self.tr("Postal code:"), self.sepa_zip_edit)
        self.rows.check_as_typed([
            Field(self.sepa_holder_edit, errors["sepaHolderError"],
                  required(self.tr("Enter the name of the account holder."))),
            Field(self.iban_edit, errors["ibanError"], sepa.check_iban),
            Field(self.bic_edit, errors["bicError"], sepa.check_bic),
        ])
        # one reference per mandate, shown in the wording the debtor agrees to and sent with the debit
        self.mandate_reference = f"PA{invoice_id}-{secrets.token_hex(8).upper()}"
        self.mandate_box = AgreementBox(
            parent, title=self.tr("SEPA direct debit mandate"), name="sepaMandateBox",
            intro=self.tr("Read this mandate to the account holder (or have them sign it) before you take "
                          "the payment. PayApp keeps it with the payment."),
            text_name="sepaMandateText", check_text=self.tr("The account holder agreed to this mandate"),
            check_name="sepaAgreeCheck", error_name="sepaAgreeError")
        for edit in (self.sepa_holder_edit, self.iban_edit):
            edit.textChanged.connect(lambda _t: self.changed.emit())

    def invalid_fields(self) -> list[Field]:
        """Check every field (each shows its message); the ones that failed, first one first."""
        return self.rows.invalid()

    def mandate_text(self, amount: str) -> str:
        """The mandate's wording for `amount`: only the IBAN's country and last four characters appear in it."""
        iban = "".join(self.iban_edit.text().split()).upper()
        return sepa.mandate_text(reference=self.mandate_reference, name=self.sepa_holder_edit.text(),
                                 merchant="", iban=iban, amount=amount, invoice=self._invoice_number,
                                 date=self._today())

    def mandate_agreed(self) -> bool:
        """True when the holder agreed; else the reason under the box, and the focus on it."""
        return self.mandate_box.agreed(self.tr("The account holder must agree to the mandate before the "
                                               "debit is taken."))

    def new_sepa_account(self) -> NewSepaAccount:
        """The account as typed, with exactly the mandate wording shown and agreed to; only after
        invalid_fields() came back empty."""
        return NewSepaAccount(holder=self.sepa_holder_edit.text().strip(), iban=sepa.check_iban(self.iban_edit.text()),
                              bic=sepa.check_bic(self.bic_edit.text()), city=self.sepa_city_edit.text().strip(),
                              zip=self.sepa_zip_edit.text().strip(),
                              mandate_text=self.mandate_box.text_label.text(),
                              mandate_reference=self.mandate_reference)

    def tab_chain(self) -> list[QWidget]:
        return [self.sepa_holder_edit, self.iban_edit, self.bic_edit, self.sepa_city_edit, self.sepa_zip_edit,
                self.mandate_box.agree_check]

    def clear_secrets(self) -> None:
        wipe(self.iban_edit)

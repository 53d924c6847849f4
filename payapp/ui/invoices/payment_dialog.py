"""Make a Payment: pay one invoice with a saved method, a new card or a new bank account (eCheck).

Card numbers, CVVs and account/routing numbers live only in the line edits and in the request handed to
PaymentService; the fields are cleared as soon as a payment is decided and again when the window closes.
Validation messages sit next to each field and follow what the user types (payapp.domain.validation)."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import logging
from collections.abc import Callable
from dataclasses import replace

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
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

from payapp.domain import ach, validation
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
from payapp.ui.invoices.payment_form.bank_form import BankForm
from payapp.ui.invoices.payment_form.card_form import CardForm
from payapp.ui.invoices.payment_form.fields import QWIDGETSIZE_MAX, AgreementBox, Field, error_label, field_row
from payapp.ui.invoices.payment_form.saved_methods import SavedMethodChooser
from payapp.ui.invoices.payment_form.sepa_form import SepaForm
from payapp.ui.messages import card_check_text, message_text, user_text
from payapp.ui.widgets import HINT_STYLE, Banner, ElidedLabel, ask, confirm_box, return_focus_on_close

log = logging.getLogger(__name__)


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
        self.result_: PaymentResult | None = None
        self.charges_started = 0
        self._build()

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        inv = self._invoice
        today_fn = self._today
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
        self.saved_methods = SavedMethodChooser(self, self.method_group)
        form_all.addWidget(self.saved_methods)

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

        self.card_form = CardForm(self, today=today_fn)
        self.bank_form = BankForm(self, company_name=inv.company_name)
        # The ACH debit authorization the customer agrees to (PPD or CCD, with the date), shown for a new or a
        # saved bank account; the wording is what the payment keeps (payapp.domain.ach).
        self.ach_box = AgreementBox(
            self, title=self.tr("ACH debit authorization"), name="achAuthorizationBox",
            intro=self.tr("Read this to the customer (or have them sign it) before you take the payment. "
                          "PayApp keeps it with the payment and prints it on the receipt."),
            text_name="achAuthorizationText", check_text=self.tr("The customer agreed to this authorization"),
            check_name="achAgreeCheck", error_name="achAgreeError")
        self.sepa_form = SepaForm(self, invoice_id=inv.id, invoice_number=inv.invoice_number, today=today_fn)
        self.sepa_box = self.sepa_form.mandate_box
        self.bank_form.changed.connect(self._update_ach_text)
        self.sepa_form.changed.connect(self._update_sepa_text)
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
        self.amount_error = error_label(self, "amountError")
        amount_page = self._amount_page = QWidget(self)     # disabled as a whole: "Amount:", field and hint
        amount_form = QFormLayout(amount_page)
        amount_form.setContentsMargins(0, 0, 0, 0)
        field_row(amount_form, self.tr("Amount:"), self.amount_edit, self.amount_hint, self.amount_error)
        form_all.addWidget(amount_page)
        form_all.addStretch(1)
        self._body = body
        self.amount_field = Field(self.amount_edit, self.amount_error, self._check_amount)
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
        self.saved_methods.set_methods([m for m in saved if m.method in types and self._charged_here(m)])
        self.new_card_radio.setVisible("card" in types)
        self.new_bank_radio.setVisible("echeck" in types)
        self.new_sepa_radio.setVisible("sepa" in types)
        shown = self.saved_methods.methods
        default = next((m for m in shown if m.is_default), shown[0] if shown else None)
        if default is not None:
            self.saved_methods.choose(default.id)
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
        self.card_form.prefill_address(address)
        self.bank_form.prefill_address(address)

    @asyncSlot()
    async def _manage_saved(self) -> None:
        """Open Saved payment methods for this company; what changes there shows here at once."""
        from payapp.ui.payments.saved_methods_dialog import open_saved_methods

        dialog = await open_saved_methods(self._services, self._invoice.company_id, self._invoice.company_name,
                                          self)
        dialog.changed.connect(self._reload_saved)

    @asyncSlot()
    async def _reload_saved(self) -> None:
        chosen = self.saved_methods.selected()
        try:
            saved = await self._services.payments.saved_methods(self._invoice.company_id)
        except PayAppError as exc:
            if shiboken6.isValid(self):
                self.banner.show_error(user_text(exc))
            return
        if not shiboken6.isValid(self):
            return
        types = self._status.back_office if self._status else frozenset()
        self.saved_methods.set_methods([m for m in saved if m.method in types and self._charged_here(m)])
        self._fix_tab_order()
        if chosen is not None and not self.saved_methods.choose(chosen.id):   # deleted: a new card (or account)
            (self.new_card_radio if self.new_card_radio.isVisible() else self.new_bank_radio).setChecked(True)
        self._method_changed()

    def _fix_tab_order(self) -> None:
        chain: list[QWidget] = [self.contact_combo, *self.saved_methods.radios.values(), self.new_card_radio,
                                self.new_bank_radio, self.new_sepa_radio, self.manage_saved_button,
                                *self.card_form.tab_chain(), *self.bank_form.tab_chain(), self.ach_box.agree_check,
                                *self.sepa_form.tab_chain(), self.amount_edit, self.pay_button, self.close_button]
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
        saved = self.saved_methods.find(method.saved_method_id) if isinstance(method, SavedMethodRef) else None
        return self.saved_methods.label(saved) if saved else self.tr("saved method")

    def _build_request(self) -> PaymentRequest | None:
        """Validate everything; focus the first problem and return None, or the request."""
        bad: list[Field] = []
        method: PaymentMethod | None = None
        save = False
        if self.new_card_radio.isChecked():
            bad = self.card_form.invalid_fields()
            if not bad:
                method, save = self.card_form.new_card(), self.card_form.save_requested()
        elif self.new_bank_radio.isChecked():
            bad = self.bank_form.invalid_fields()
            if not bad:
                method, save = self.bank_form.new_bank_account(), self.bank_form.save_requested()
        elif self.new_sepa_radio.isChecked():
            bad = self.sepa_form.invalid_fields()
            if not bad:
                self._update_sepa_text()
                if not self.sepa_form.mandate_agreed():
                    return None
                method = self.sepa_form.new_sepa_account()
        else:
            saved = self.saved_methods.selected()
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
        if needs_consent and not self.ach_box.agreed(self.tr("The customer must agree to the authorization before "
                                                             "an eCheck is taken.")):
            return None
        if needs_consent and isinstance(method, NewBankAccount | SavedMethodRef):
            # exactly the wording shown and agreed to (it follows every edit, and un-ticks the box when it changes)
            method = replace(method, authorization_text=self.ach_box.text_label.text())
        return PaymentRequest(invoice_id=self._invoice.id, amount_minor=self._check_amount(self.amount_edit.text()),
                              method=method, save_method=save, contact_id=self.contact_combo.currentData())

    # ------------------------------------------------------------------ the wording agreed to

    def _amount_in_wording(self) -> str:
        """The amount as the ACH authorization and the SEPA mandate name it (in English, as they are kept)."""
        try:
            minor = parse_amount(self.amount_edit.text(), self._invoice.currency, self._locale).minor
            return format_money(minor, self._invoice.currency)
        except (PayAppError, AttributeError):
            return "the amount shown"

    def sepa_mandate_text(self) -> str:
        """The mandate wording shown now (empty unless a new SEPA debit is chosen). Only the IBAN's country and
        last four characters appear in it."""
        if not self.new_sepa_radio.isChecked():
            return ""
        return self.sepa_form.mandate_text(self._amount_in_wording())

    def _update_sepa_text(self) -> None:
        if hasattr(self, "sepa_box"):
            self.sepa_box.show_wording(self.sepa_mandate_text())     # new terms: the debtor must agree to these

    def _ach_terms(self) -> tuple[str, str, str, str, str] | None:
        """(holder type, name, company, account type, last four) of the bank account being debited, or None."""
        if self.new_bank_radio.isChecked():
            return self.bank_form.ach_terms()
        saved = self.saved_methods.selected() if hasattr(self, "saved_methods") else None
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
        return ach.authorization_text(holder_type=holder, name=name, company=company, merchant="",
                                      account_type=account_type, last_four=last_four,
                                      amount=self._amount_in_wording(), invoice=self._invoice.invoice_number,
                                      date=self._today())

    def _update_ach_text(self) -> None:
        if hasattr(self, "ach_box"):
            self.ach_box.show_wording(self.ach_authorization_text())  # new terms: the customer must agree to these

    # ------------------------------------------------------------------ paying

    def _set_processing(self, on: bool) -> None:
        self._busy = on
        self.progress.setVisible(on)
        for w in (self.pay_button, self.saved_methods, self.new_card_radio, self.new_bank_radio, self.new_sepa_radio,
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
            # approved after PayApp had marked it failed: its words say what to check
            if result.message.id == "payment_result.approved_late":
                text = message_text(result.message)
            if result.pending_settlement:       # not "processed": the money is not there until it settles
                text = message_text(result.message)
            self.banner.show_message("info" if result.pending_settlement else "approved", f"{text} {checks}".strip())
            self._show_new_balance()
            self.clear_sensitive(all_fields=True)
            self.close_button.setText(self.tr("Close"))
        elif result.status == "unknown":
            self._done = True                   # never pay again while the first one is being checked
            self.banner.show_message("unknown", self.tr("Outcome unknown, being checked. %1")
                                     .replace("%1", message_text(result.message)))
            self.clear_sensitive(all_fields=True)
            self.close_button.setText(self.tr("Close"))
        elif result.status == "voided":       # refused: the CVV did not match, voided at once
            self.banner.show_message("declined", f"{message_text(result.message)} {checks}".strip())
            self.card_form.clear_cvv()
        else:
            self.banner.show_message("declined", message_text(result.message))
            self.card_form.clear_cvv()
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
        for form in (self.card_form, self.bank_form, self.sepa_form):
            form.clear_secrets()

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

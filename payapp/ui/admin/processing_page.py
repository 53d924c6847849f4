"""Admin → Payment Processing: gateway, keys (masked; kept in the OS keyring), payment types, currency, and the
refund approval rule (voids and refunds above an amount wait for a second user's approval).

A saved key is never read back into a widget: a configured key shows its fingerprint and a Replace button."""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from payapp.domain.errors import PayAppError, ValidationError
from payapp.domain.gateways import COMMON_CURRENCIES, ENVIRONMENTS, PAYMENT_TYPES
from payapp.domain.money import format_amount_input, format_money, parse_amount
from payapp.services.processing import KeyState, ProcessingPageState, ProcessingSetupService
from payapp.services.secrets import Secret
from payapp.ui.async_work import WidgetTasks, widget_slot
from payapp.ui.messages import legacy_text, message_text, user_text
from payapp.ui.widgets import (
    HINT_STYLE,
    Banner,
    MaskedLineEdit,
    ask,
    banner_over_scrolling_page,
    confirm_box,
    replacing_editor,
)

# Readable on the light and the dark palette; the text carries the meaning too (✔ ⚠ ✖), not colour alone.
OK_COLOUR, WARN_COLOUR, ERROR_COLOUR = "#2e9d4f", "#c98500", "#d9534f"
KEY_OBJECT_NAMES = {"gateway.private_key": "privateKey", "gateway.public_key": "publicKey",
                    "gateway.payengine.api_key": "payengineApiKey",
                    "gateway.payengine.merchant_id": "payengineMerchantId",
                    "gateway.paypal.api_username": "paypalApiUsername",
                    "gateway.paypal.api_password": "paypalApiPassword",
                    "gateway.paypal.api_signature": "paypalApiSignature"}


def keyring_words(modules: tuple[str, ...], class_name: str = "") -> str:
    """The keyring in words a user knows ("Windows Credential Manager", "macOS Keychain"; the demo's in-memory
    store is "demo — not saved"), not a Python class name; several backends (a chain) are listed."""
    secret_service = QCoreApplication.translate("ProcessingPage", "Secret Service (GNOME Keyring, KWallet)")
    names = {
        "keyring.backends.Windows": QCoreApplication.translate("ProcessingPage", "Windows Credential Manager"),
        "keyring.backends.macOS": QCoreApplication.translate("ProcessingPage", "macOS Keychain"),
        "keyring.backends.SecretService": secret_service,
        "keyring.backends.libsecret": secret_service,
        "keyring.backends.kwallet": QCoreApplication.translate("ProcessingPage", "KWallet"),
        "payapp.services.memory_keyring": QCoreApplication.translate("ProcessingPage", "demo — not saved"),
    }
    words: list[str] = []
    for module in modules:
        word = next((w for m, w in names.items() if module == m or module.startswith(m + ".")), "")
        if word and word not in words:
            words.append(word)
    return ", ".join(words) or class_name or QCoreApplication.translate("ProcessingPage", "unknown")


class _KeyRow(QWidget):
    """A masked field, or — once saved — "Configured · fingerprint …" with Replace."""

    def __init__(self, key_name: str, parent: QWidget | None = None, *, secret: bool = True) -> None:
        super().__init__(parent)
        base = KEY_OBJECT_NAMES.get(key_name, key_name.replace(".", "_"))
        self.stack = QStackedWidget(self)
        # an identifier (a merchant id) is not secret: shown as typed; still kept in the keyring and never read back
        self.edit: QLineEdit = MaskedLineEdit(self) if secret else QLineEdit(self)
        self.edit.setObjectName(f"{base}Edit")
        self.edit.setPlaceholderText(self.tr("Paste the key from the gateway's control panel"))
        self.edit.setMinimumWidth(320)
        configured = QWidget(self)
        row = QHBoxLayout(configured)
        row.setContentsMargins(0, 0, 0, 0)
        self.status = QLabel(configured)
        self.status.setObjectName(f"{base}Status")
        self.replace = QPushButton(self.tr("Replace"), configured)
        self.replace.setObjectName(f"{base}Replace")
        self.replace.clicked.connect(self.start_replace)
        row.addWidget(self.status, 1)
        row.addWidget(self.replace)
        # While a saved key is being replaced: Cancel (or Esc in the field) puts the saved one back on screen
        editing, self.cancel = replacing_editor(self, self.edit, base, self.tr("Cancel"),
                                                self.tr("Keep the saved key (Esc)"), self.cancel_replace)
        self.stack.addWidget(editing)
        self.stack.addWidget(configured)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self._replacing = False

    def show_state(self, key: KeyState) -> None:
        self.edit.clear()
        if key.configured and not self._replacing:
            fp = key.stored_fingerprint
            if key.mismatch:
                text = self.tr("Configured · fingerprint {fp}… — not on this workstation").format(fp=fp[:8])
            else:
                text = self.tr("Configured · fingerprint {fp}…").format(fp=fp[:8])
            self.status.setText(text)
            self.stack.setCurrentIndex(1)
        else:
            self.stack.setCurrentIndex(0)

    def start_replace(self) -> None:
        self._replacing = True
        self.cancel.show()
        self.stack.setCurrentIndex(0)
        self.edit.setFocus()

    def cancel_replace(self) -> None:
        """Back to the saved key, the typed text dropped (Cancel, or Esc while replacing)."""
        if not self._replacing:
            return
        self._replacing = False
        self.edit.clear()
        self.cancel.hide()
        self.stack.setCurrentIndex(1)
        self.replace.setFocus()

    def done_replacing(self) -> None:
        self._replacing = False
        self.cancel.hide()

    def typed(self) -> Secret | None:
        return Secret(self.edit.text()) if self.edit.text().strip() else None


class ProcessingPage(QWidget):
    def __init__(self, service: ProcessingSetupService, parent: QWidget | None = None, *,
                 locale: str | None = None) -> None:
        super().__init__(parent)
        self._service = service
        # Babel locale for amounts; by default the one the app's translators set ("de_DE", "en_US")
        self._locale = locale or QLocale().name()
        self.state: ProcessingPageState | None = None
        self.work = WidgetTasks(self, load=self.reload)
        self._reread: asyncio.Task[Any] | None = None

        self.banner = Banner(self, "processingBanner")
        title = QLabel(self.tr("Payment Processing"), self)
        title.setObjectName("pageTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("processingStatus")
        self.status_label.setWordWrap(True)

        # gateway
        gateway_box = QGroupBox(self.tr("Gateway"), self)
        gform = QFormLayout(gateway_box)
        self.gateway_label = QLabel(gateway_box)
        self.gateway_label.setObjectName("gatewayName")
        # which gateway new payments go through; earlier payments stay with the gateway that took them
        self.gateway_combo = QComboBox(gateway_box)
        self.gateway_combo.setObjectName("gatewayChoice")
        self.gateway_combo.setAccessibleName(self.tr("Gateway for new payments"))
        self.gateway_combo.setToolTip(self.tr("Payments taken before a change stay voidable and refundable through "
                                              "the gateway that took them, while its keys stay here."))
        self.gateway_combo.activated.connect(self._on_gateway_chosen)
        self.environment = QComboBox(gateway_box)
        self.environment.setObjectName("environmentCombo")
        self.environment.addItem(self.tr("Production"), "production")
        self.environment.addItem(self.tr("Sandbox (test account)"), "sandbox")
        self.address = QLineEdit(gateway_box)
        self.address.setObjectName("gatewayAddress")
        self.address.setPlaceholderText("https://")
        self.environment.currentIndexChanged.connect(self._environment_changed)
        gform.addRow(self.tr("Gateway:"), self.gateway_label)
        gform.addRow(self.tr("Use for new payments:"), self.gateway_combo)
        gform.addRow(self.tr("Environment:"), self.environment)
        gform.addRow(self.tr("Address:"), self.address)

        # keys
        keys_box = QGroupBox(self.tr("Keys (kept in this computer's keyring)"), self)
        self.keys_form = QFormLayout(keys_box)
        self.key_rows: dict[str, _KeyRow] = {}
        self.keyring_label = QLabel(keys_box)
        self.keyring_label.setObjectName("keyringStatus")
        self.keyring_label.setWordWrap(True)
        self.mismatch_label = QLabel(keys_box)
        self.mismatch_label.setObjectName("keysMismatch")
        self.mismatch_label.setWordWrap(True)
        self.test_button = QPushButton(self.tr("Test keys"), keys_box)
        self.test_button.setObjectName("testKeysButton")
        self.test_button.clicked.connect(self._on_test_keys)
        self.clear_button = QPushButton(self.tr("Clear keys…"), keys_box)
        self.clear_button.setObjectName("clearKeysButton")
        self.clear_button.clicked.connect(self._on_clear_keys)
        self.test_result = QLabel(keys_box)
        self.test_result.setObjectName("testKeysResult")
        self.test_result.setWordWrap(True)
        key_buttons = QHBoxLayout()
        key_buttons.addWidget(self.test_button)
        key_buttons.addWidget(self.clear_button)
        key_buttons.addWidget(self.test_result, 1)
        self._key_buttons = key_buttons

        # payment types
        types_box = QGroupBox(self.tr("Payment types"), self)
        grid = QGridLayout(types_box)
        self.type_boxes: dict[str, QCheckBox] = {}
        env_labels = {"back_office": self.tr("Back office"), "portal": self.tr("Client portal")}
        type_labels = {"card": self.tr("Credit card"), "echeck": self.tr("eCheck"),
                       "sepa": self.tr("SEPA direct debit"), "paypal": self.tr("PayPal")}
        for col, (env, _label) in enumerate(ENVIRONMENTS, start=1):
            header = QLabel(env_labels[env], types_box)
            header.setAlignment(Qt.AlignmentFlag.AlignCenter)
            grid.addWidget(header, 0, col)
        for row, (ptype, _label) in enumerate(PAYMENT_TYPES, start=1):
            grid.addWidget(QLabel(type_labels[ptype], types_box), row, 0)
            for col, (env, _l) in enumerate(ENVIRONMENTS, start=1):
                box = QCheckBox(types_box)
                box.setObjectName(f"type_{env}_{ptype}")
                box.setAccessibleName(f"{type_labels[ptype]} — {env_labels[env]}")
                self.type_boxes[f"{env}.{ptype}"] = box
                grid.addWidget(box, row, col, Qt.AlignmentFlag.AlignCenter)
        portal_hint = QLabel(self.tr("The Client portal column is the same choice as on Admin › Client Portal, "
                                     "where the portal's address and links are set up."), types_box)
        portal_hint.setObjectName("portalTypesHint")
        portal_hint.setWordWrap(True)
        portal_hint.setStyleSheet(HINT_STYLE)
        grid.addWidget(portal_hint, len(PAYMENT_TYPES) + 1, 0, 1, 4)
        grid.setColumnStretch(3, 1)
        grid.setColumnMinimumWidth(1, 120)
        grid.setColumnMinimumWidth(2, 120)

        # currency
        currency_box = QGroupBox(self.tr("Internal currency"), self)
        crow = QHBoxLayout(currency_box)
        self.currency_combo = QComboBox(currency_box)
        self.currency_combo.setObjectName("currencyCombo")
        self.currency_button = QPushButton(self.tr("Set currency…"), currency_box)
        self.currency_button.setObjectName("setCurrencyButton")
        self.currency_button.clicked.connect(self._on_set_currency)
        self.currency_label = QLabel(currency_box)
        self.currency_label.setObjectName("currencyValue")
        self.currency_label.setWordWrap(True)
        crow.addWidget(self.currency_combo)
        crow.addWidget(self.currency_button)
        crow.addWidget(self.currency_label, 1)

        # refund approval: voids and refunds above the amount wait for a second user
        approval_box = QGroupBox(self.tr("Refund approval"), self)
        approval_box.setObjectName("refundApprovalBox")
        aform = QFormLayout(approval_box)
        self.threshold_edit = QLineEdit(approval_box)
        self.threshold_edit.setObjectName("approvalThresholdEdit")
        self.threshold_edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.threshold_edit.setMaximumWidth(180)
        self.threshold_edit.setPlaceholderText(self.tr("Off"))
        self.threshold_edit.setAccessibleName(self.tr("Approval needed above"))
        self.threshold_edit.textChanged.connect(lambda _t: self._check_threshold_field())
        self.threshold_currency = QLabel(approval_box)
        self.threshold_currency.setObjectName("approvalThresholdCurrency")
        self.threshold_error = QLabel(approval_box)
        self.threshold_error.setObjectName("approvalThresholdError")
        self.threshold_error.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.threshold_error.setWordWrap(True)
        self.threshold_error.hide()
        self.threshold_status = QLabel(approval_box)
        self.threshold_status.setObjectName("approvalThresholdStatus")
        self.threshold_status.setWordWrap(True)
        self.threshold_hint = QLabel(self.tr(
            "A void or refund above this amount is not sent until another user approves it; the user who asked "
            "can never approve their own request. Leave it empty (or 0) to switch the rule off. Requests waiting "
            "for approval are listed in Payment Search › Pending approvals…"), approval_box)
        self.threshold_hint.setObjectName("approvalThresholdHint")
        self.threshold_hint.setWordWrap(True)
        self.threshold_hint.setStyleSheet(HINT_STYLE)
        threshold_row = QHBoxLayout()
        threshold_row.addWidget(self.threshold_edit, 1)
        threshold_row.addSpacing(4)
        threshold_row.addWidget(self.threshold_currency)
        threshold_row.addStretch(0)
        threshold_field = QVBoxLayout()
        threshold_field.setSpacing(2)
        threshold_field.addLayout(threshold_row)
        threshold_field.addWidget(self.threshold_error)
        aform.addRow(self.tr("Approval needed above:"), threshold_field)
        aform.addRow(self.threshold_status)
        aform.addRow(self.threshold_hint)

        # card checks: refuse (void at once) a card payment whose security code does not match
        checks_box = QGroupBox(self.tr("Card checks"), self)
        checks_box.setObjectName("cardChecksBox")
        cform = QVBoxLayout(checks_box)
        self.refuse_cvv_box = QCheckBox(self.tr("Refuse card payments whose CVV does not match"), checks_box)
        self.refuse_cvv_box.setObjectName("refuseCvvMismatchBox")
        refuse_hint = QLabel(self.tr(
            "When the gateway approves a card payment but reports that the security code (CVV) does not match, "
            "PayApp voids it at once and tells the user why: nothing stays charged. Off: such payments are "
            "kept, and Payment details shows the CVV result."), checks_box)
        refuse_hint.setObjectName("refuseCvvMismatchHint")
        refuse_hint.setWordWrap(True)
        refuse_hint.setStyleSheet(HINT_STYLE)
        cform.addWidget(self.refuse_cvv_box)
        cform.addWidget(refuse_hint)

        self.save_button = QPushButton(self.tr("Save"), self)
        self.save_button.setObjectName("saveProcessingButton")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self._on_save)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)

        content = QWidget(self)
        body = QVBoxLayout(content)
        body.addWidget(title)
        body.addWidget(self.status_label)
        for box in (gateway_box, keys_box, types_box, currency_box, approval_box, checks_box):
            body.addWidget(box)
        body.addLayout(buttons)
        body.addStretch(1)
        banner_over_scrolling_page(self, self.banner, content, 900)

    # -- loading --------------------------------------------------------------------------------------
    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        if self.work.loaded and not self.work.busy and not self.has_unsaved_changes():
            # shown again with nothing typed: read again (Admin › Client Portal may have changed its payment types)
            self._reread = self.work.reload()
        else:
            self.work.first_show()

    def refresh(self) -> None:
        self.work.reload()

    async def wait_ready(self) -> None:
        await self.work.wait_loaded()
        if self._reread is not None and not self._reread.done():    # a read again (shown again) on its way
            await asyncio.gather(self._reread, return_exceptions=True)

    async def reload(self) -> None:
        try:
            state = await self._service.state()
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
            return
        self._show(state)

    def _show(self, state: ProcessingPageState) -> None:
        self.state = state
        self.gateway_label.setText(message_text(state.gateway.label_message))
        self.gateway_combo.blockSignals(True)
        if self.gateway_combo.count() != len(state.gateways):
            self.gateway_combo.clear()
            for g in state.gateways:
                self.gateway_combo.addItem(message_text(g.label_message), g.name)
        self.gateway_combo.setCurrentIndex(max(self.gateway_combo.findData(state.gateway.name), 0))
        self.gateway_combo.blockSignals(False)
        if set(self.key_rows) != {k.name for k in state.keys}:
            self._drop_key_rows()
        self.environment.blockSignals(True)
        self.environment.setCurrentIndex(self.environment.findData(state.environment))
        self.environment.blockSignals(False)
        self.address.setText(state.base_url)
        self.address.setReadOnly(state.environment == "production")
        for key in state.keys:
            row = self.key_rows.get(key.name)
            if row is None:
                field = next(f for f in state.gateway.fields if f.name == key.name)
                row = _KeyRow(key.name, self, secret=field.secret)
                self.key_rows[key.name] = row
                row.setToolTip(message_text(field.help_message) if field.help_message else "")
                self.keys_form.addRow(self.tr("%1:").replace("%1", message_text(field.label_message)), row)
            row.show_state(key)
        if self.keys_form.rowCount() == len(state.keys):
            self.keys_form.addRow(self.mismatch_label)
            self.keys_form.addRow(self.keyring_label)
            self.keys_form.addRow(self._key_buttons)
        self.clear_button.setEnabled(state.keys_configured)
        if state.keys_elsewhere:
            who = state.keys_changed_by or self.tr("another admin")
            when = state.keys_changed_at.replace("T", " ").replace("+00:00", " UTC") or self.tr("an unknown time")
            self.mismatch_label.setText(self.tr(
                "⚠ The keys in the shared database were set by {who} on {when} on another workstation and are "
                "not in this computer's keyring. Payments are blocked here until you enter the same keys "
                "here (Replace).").format(who=who, when=when))
            self.mismatch_label.setStyleSheet(f"color: {WARN_COLOUR};")
            self.mismatch_label.show()
        else:
            self.mismatch_label.hide()
        self.keyring_label.setStyleSheet("" if state.keyring_secure else f"color: {ERROR_COLOUR};")
        if state.keyring_secure:
            self.keyring_label.setText(self.tr("Keys are kept in: {store}").format(
                store=keyring_words(state.keyring_modules, state.keyring_backend)))
        else:
            self.keyring_label.setText(self.tr(
                "✖ This computer's keyring ({name}) keeps secrets in plain text or is not available, so keys "
                "cannot be saved. Use Windows Credential Manager, macOS Keychain, or a Secret Service "
                "(GNOME Keyring, KWallet).").format(name=state.keyring_backend))
        for name, box in self.type_boxes.items():
            box.setChecked(state.payment_types.get(name, False))
            env, _, ptype = name.partition(".")
            offered = ptype in state.offered(env)
            box.setEnabled(offered)
            box.setToolTip("" if offered else self.tr("{gateway} does not offer this here.").format(
                gateway=message_text(state.gateway.label_message)))
        self._show_currency(state)
        self._show_threshold(state)
        self.refuse_cvv_box.setChecked(state.refuse_cvv_mismatch)
        self._show_status(state)

    def _drop_key_rows(self) -> None:
        """Another gateway, other credentials: its fields replace the rows of the one shown before."""
        while self.keys_form.rowCount():
            taken = self.keys_form.takeRow(0)
            for item in (taken.labelItem, taken.fieldItem):
                widget = item.widget() if item is not None else None
                if widget is not None and widget not in (self.mismatch_label, self.keyring_label):
                    widget.deleteLater()
        self.key_rows.clear()

    @widget_slot
    async def _on_gateway_chosen(self, index: int) -> None:
        name = self.gateway_combo.itemData(index)
        if self.state is None or name == self.state.gateway.name:
            return
        self._busy(True)
        try:
            await self._service.choose_gateway(str(name))
            self.banner.show_info(self.tr("New payments now go through {gateway}. Earlier payments stay with the "
                                          "gateway that took them.").format(gateway=self.gateway_combo.itemText(index)))
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
        finally:
            await self.reload()
            self._busy(False)

    def _show_currency(self, state: ProcessingPageState) -> None:
        supported = ", ".join(sorted(state.gateway.currencies))
        if state.currency:
            self.currency_combo.hide()
            self.currency_button.hide()
            text = self.tr("{code} — chosen once; it can never be changed.").format(code=state.currency)
            if not state.currency_supported:
                text += " " + self.tr("{gateway} takes only {supported}: processing stays off.").format(
                    gateway=message_text(state.gateway.label_message), supported=supported)
            self.currency_label.setText(text)
            return
        self.currency_combo.clear()
        home = state.gateway.home_currency
        ordered = sorted(state.gateway.currencies, key=lambda c: (c != home, c)) + [
            c for c in COMMON_CURRENCIES if c not in state.gateway.currencies]
        for code in ordered:
            self.currency_combo.addItem(code, code)
        self.currency_combo.show()
        self.currency_button.show()
        self.currency_label.setText(self.tr("Not chosen yet. {gateway} supports {supported}.").format(
            gateway=message_text(state.gateway.label_message), supported=supported))

    def _show_threshold(self, state: ProcessingPageState) -> None:
        """The saved rule in the field (empty when off) and in words, in the internal currency."""
        minor, currency = state.approval_threshold_minor, state.currency
        self.threshold_edit.setEnabled(bool(currency))
        self.threshold_currency.setText(currency)
        self.threshold_edit.setText(format_amount_input(minor, currency, self._locale) if minor and currency else "")
        self._check_threshold_field()
        if not currency:
            self.threshold_status.setText(self.tr("Choose the internal currency first: the amount is in it."))
        elif minor:
            self.threshold_status.setText(self.tr("Voids and refunds above %1 need a second user's approval.")
                                          .replace("%1", format_money(minor, currency, self._locale)))
        else:
            self.threshold_status.setText(self.tr("Off: Finance and Admin users void and refund without approval."))

    def threshold_minor(self) -> int:
        """The amount typed, in minor units of the internal currency (empty = 0 = off); ValidationError if it
        is not an amount."""
        text = self.threshold_edit.text().strip()
        if not text or self.state is None or not self.state.currency:
            return 0
        minor = parse_amount(text, self.state.currency, self._locale).minor
        if minor < 0:
            raise ValidationError(self.tr("Enter an amount of 0 or more (empty or 0: off)."),
                                  field="approval_threshold")
        return minor

    def _check_threshold_field(self) -> bool:
        try:
            self.threshold_minor()
        except ValidationError as exc:
            self.threshold_error.setText(user_text(exc))
            self.threshold_error.show()
            self.threshold_edit.setAccessibleDescription(user_text(exc))
            return False
        self.threshold_error.clear()
        self.threshold_error.hide()
        self.threshold_edit.setAccessibleDescription("")
        return True

    def _show_status(self, state: ProcessingPageState) -> None:
        status = state.status
        if status.active:
            parts = []
            if status.back_office:
                parts.append(self.tr("back office: {types}").format(types=self._types_text(status.back_office)))
            if status.portal:
                parts.append(self.tr("client portal: {types}").format(types=self._types_text(status.portal)))
            self.status_label.setText(self.tr("✔ Processing is active ({details}).").format(details="; ".join(parts)))
            self.status_label.setStyleSheet(f"color: {OK_COLOUR}; font-weight: bold;")
        else:
            reason = message_text(status.reason_message) if status.reason_message else legacy_text(status.reason)
            self.status_label.setText(self.tr("⚠ Processing is off: {reason}").format(reason=reason))
            self.status_label.setStyleSheet(f"color: {WARN_COLOUR}; font-weight: bold;")

    def _types_text(self, types: frozenset[str]) -> str:
        labels = {"card": self.tr("credit card"), "echeck": self.tr("eCheck"), "sepa": self.tr("SEPA direct debit"),
                  "paypal": self.tr("PayPal")}
        return ", ".join(labels[t] for t, _ in PAYMENT_TYPES if t in types)

    def _environment_changed(self) -> None:
        if self.state is None:
            return
        env = self.environment.currentData()
        if env == "production":
            self.address.setText(self.state.gateway.production_url)
            self.address.setReadOnly(True)
        else:
            if self.address.text() == self.state.gateway.production_url:
                self.address.setText(self.state.gateway.sandbox_url)
            self.address.setReadOnly(False)
            self.address.setFocus()

    # -- actions --------------------------------------------------------------------------------------
    def _busy(self, busy: bool) -> None:
        for w in (self.save_button, self.test_button, self.clear_button, self.currency_button):
            w.setEnabled(not busy)

    def has_unsaved_changes(self) -> bool:
        """Something typed or changed on the page that Save has not stored yet (issue #15.11: leaving the page or
        quitting asks first)."""
        state = self.state
        if state is None:
            return False
        if any(row.edit.text() for row in self.key_rows.values()):
            return True
        if (self.environment.currentData() != state.environment
                or self.address.text().strip().rstrip("/") != state.base_url.rstrip("/")):
            return True
        if {name: box.isChecked() for name, box in self.type_boxes.items()} != state.payment_types:
            return True
        if self.refuse_cvv_box.isChecked() != state.refuse_cvv_mismatch:
            return True
        if state.currency:
            try:
                return self.threshold_minor() != state.approval_threshold_minor
            except ValidationError:
                return True                        # a half-typed amount is a change too
        return False

    @widget_slot
    async def _on_save(self) -> None:
        if self.state is None:
            return
        try:                                   # a bad amount saves nothing: checked before anything is stored
            threshold = self.threshold_minor()
        except ValidationError as exc:
            self.banner.show_error(user_text(exc))
            self.threshold_edit.setFocus()
            return
        self._busy(True)
        try:
            typed = {name: row.typed() for name, row in self.key_rows.items()}   # the gateway's own fields
            if any(value is not None for value in typed.values()):
                await self._service.save_credentials(typed)       # refuses a plaintext keyring first
            env = self.environment.currentData()
            if env != self.state.environment or self.address.text().strip().rstrip("/") != self.state.base_url:
                await self._service.save_gateway_address(env, self.address.text())
            types = {name: box.isChecked() for name, box in self.type_boxes.items()}
            if types != self.state.payment_types:
                await self._service.save_payment_types(types)
            if self.state.currency and threshold != self.state.approval_threshold_minor:
                await self._service.save_approval_threshold(threshold)
            if self.refuse_cvv_box.isChecked() != self.state.refuse_cvv_mismatch:
                await self._service.save_refuse_cvv_mismatch(self.refuse_cvv_box.isChecked())
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
        else:
            for row in self.key_rows.values():      # a saved key is shown by its fingerprint, never again as text
                row.done_replacing()
            self.banner.show_success(self.tr("Settings saved"))
        finally:
            for row in self.key_rows.values():
                row.edit.clear()
            await self.reload()
            self._busy(False)

    @widget_slot
    async def _on_test_keys(self) -> None:
        self._busy(True)
        self.test_result.setText(self.tr("Asking the gateway…"))
        try:
            # what is typed and not saved yet is tested as typed; the rest as saved
            typed = {name: row.typed() for name, row in self.key_rows.items()}
            ok, found = await self._service.test_keys(typed=typed)
            text = message_text(found)
        except PayAppError as exc:
            ok, text = False, user_text(exc)
        finally:
            self._busy(False)
            if self.state is not None:
                self.clear_button.setEnabled(self.state.keys_configured)
        self.test_result.setText(("✔ " if ok else "✖ ") + text)
        self.test_result.setStyleSheet(f"color: {OK_COLOUR if ok else ERROR_COLOUR};")

    @widget_slot
    async def _on_clear_keys(self) -> None:
        box = confirm_box(self, self.tr("Clear keys"), self.tr("Remove the gateway keys?"), self.tr("Clear keys"),
                          informative=self.tr("Payments stop on every workstation until keys are entered again."))
        if await ask(box) != QMessageBox.StandardButton.Yes:
            return
        try:
            await self._service.clear_keys()
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
        else:
            self.banner.show_success(self.tr("Keys cleared: payment processing is off."))
        await self.reload()

    @widget_slot
    async def _on_set_currency(self) -> None:
        code = self.currency_combo.currentData()
        if not code:
            return
        box = confirm_box(self, self.tr("Internal currency"),
                          self.tr("Set the internal currency to {code}?").format(code=code),
                          self.tr("Set {code} for good").format(code=code),
                          informative=self.tr("The internal currency can never be changed afterwards."))
        box.setObjectName("currencyConfirm")
        if await ask(box) != QMessageBox.StandardButton.Yes:
            return
        try:
            await self._service.set_currency(code)
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
        else:
            self.banner.show_success(self.tr("Settings saved"))
        await self.reload()

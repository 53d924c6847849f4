"""Admin › Client Portal › E-mail and E-mail templates: the SMTP server payment links and receipts go out through
(MailService), and the templates of those e-mails (InvoiceMailService).

Host, port, encryption (STARTTLS / TLS / none), user name, password, sender; Save; "Send test e-mail" with the
result in the section's banner (on failure the server's own reason). The password field is masked and never
filled from the saved one: a saved password shows its fingerprint with Replace and Remove, like the gateway keys."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from payapp.domain.errors import PayAppError, ValidationError
from payapp.services.invoice_mail import InvoiceMailService
from payapp.services.mail import DEFAULT_PORTS, MailService, MailSettings
from payapp.services.mail_templates import PLACEHOLDERS, Template
from payapp.services.secrets import Secret
from payapp.ui.async_work import WidgetTasks, widget_slot
from payapp.ui.messages import user_text
from payapp.ui.widgets import HINT_STYLE, Banner, MaskedLineEdit, replacing_editor


class MailSettingsBox(QGroupBox):
    """The E-mail section; loads itself the first time it is shown."""

    def __init__(self, mail: MailService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("E-mail"))
        self.setObjectName("mailSettingsBox")
        self._mail = mail
        self.work = WidgetTasks(self, load=self.reload)
        self.saved: MailSettings | None = None
        self._replacing = False
        self._clear_password = False

        self.banner = Banner(self, "mailBanner")
        about = QLabel(self.tr("The mail server PayApp sends payment links and receipts through, as your e-mail "
                               "provider names it (for example smtp.office365.com, port 587, STARTTLS). The "
                               "password is kept in this computer's keyring; on the portal's server, in its "
                               "secrets file as “mail.smtp_password”."), self)
        about.setObjectName("mailAbout")
        about.setWordWrap(True)
        about.setStyleSheet(HINT_STYLE)

        self.host_edit = QLineEdit(self)
        self.host_edit.setObjectName("mailHostEdit")
        self.host_edit.setPlaceholderText("smtp.example.com")
        self.host_edit.setMaxLength(253)
        self.host_edit.setAccessibleName(self.tr("Mail server"))
        self.tls_combo = QComboBox(self)
        self.tls_combo.setObjectName("mailTlsCombo")
        self.tls_combo.setAccessibleName(self.tr("Encryption"))
        self.tls_combo.addItem(self.tr("STARTTLS (usually port 587)"), "starttls")
        self.tls_combo.addItem(self.tr("TLS (usually port 465)"), "tls")
        self.tls_combo.addItem(self.tr("None — not encrypted (only inside your network)"), "none")
        self.port_spin = QSpinBox(self)
        self.port_spin.setObjectName("mailPortSpin")
        self.port_spin.setRange(1, 65535)
        self.port_spin.setValue(DEFAULT_PORTS["starttls"])
        self.port_spin.setAccessibleName(self.tr("Port"))
        self.port_spin.setMaximumWidth(120)
        self.user_edit = QLineEdit(self)
        self.user_edit.setObjectName("mailUserEdit")
        self.user_edit.setMaxLength(200)
        self.user_edit.setPlaceholderText(self.tr("empty: the server takes mail without a sign-in"))
        self.user_edit.setAccessibleName(self.tr("User name"))

        # the password: a masked field, or "Saved · fingerprint …" with Replace and Remove
        self.password_stack = QStackedWidget(self)
        self.password_edit = MaskedLineEdit(self)
        self.password_edit.setObjectName("mailPasswordEdit")
        self.password_edit.setAccessibleName(self.tr("Password"))
        editing, self.cancel_replace_button = replacing_editor(
            self, self.password_edit, "mailPassword", self.tr("Cancel"), self.tr("Keep the saved password (Esc)"),
            self.cancel_replace)
        saved_row = QWidget(self)
        row = QHBoxLayout(saved_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.password_status = QLabel(saved_row)
        self.password_status.setObjectName("mailPasswordStatus")
        self.replace_button = QPushButton(self.tr("Replace"), saved_row)
        self.replace_button.setObjectName("mailPasswordReplace")
        self.replace_button.clicked.connect(self.start_replace)
        self.remove_button = QPushButton(self.tr("Remove"), saved_row)
        self.remove_button.setObjectName("mailPasswordRemove")
        self.remove_button.setToolTip(self.tr("Forget the saved password when you save"))
        self.remove_button.clicked.connect(self.remove_password)
        row.addWidget(self.password_status, 1)
        row.addWidget(self.replace_button)
        row.addWidget(self.remove_button)
        self.password_stack.addWidget(editing)
        self.password_stack.addWidget(saved_row)

        self.sender_edit = QLineEdit(self)
        self.sender_edit.setObjectName("mailSenderEdit")
        self.sender_edit.setPlaceholderText("billing@example.com")
        self.sender_edit.setMaxLength(254)
        self.sender_edit.setAccessibleName(self.tr("Sender address"))
        sender_hint = QLabel(self.tr("Your clients see it as the sender, beside your company's name. Most "
                                     "servers only send from an address of the signed-in user."), self)
        sender_hint.setWordWrap(True)
        sender_hint.setStyleSheet(HINT_STYLE)
        sender_field = QVBoxLayout()
        sender_field.setSpacing(2)
        sender_field.addWidget(self.sender_edit)
        sender_field.addWidget(sender_hint)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("Mail server:"), self.host_edit)
        form.addRow(self.tr("Encryption:"), self.tls_combo)
        form.addRow(self.tr("Port:"), self.port_spin)
        form.addRow(self.tr("User name:"), self.user_edit)
        form.addRow(self.tr("Password:"), self.password_stack)
        form.addRow(self.tr("Sender address:"), sender_field)

        self.save_button = QPushButton(self.tr("Save e-mail settings"), self)
        self.save_button.setObjectName("mailSave")
        self.save_button.clicked.connect(self._on_save)
        self.test_to_edit = QLineEdit(self)
        self.test_to_edit.setObjectName("mailTestTo")
        self.test_to_edit.setPlaceholderText(self.tr("send the test to…"))
        self.test_to_edit.setAccessibleName(self.tr("Test e-mail recipient"))
        self.test_button = QPushButton(self.tr("Send test e-mail"), self)
        self.test_button.setObjectName("mailSendTest")
        self.test_button.setToolTip(self.tr("Sends a short message with the saved settings"))
        self.test_button.clicked.connect(self._on_send_test)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_to_edit, 1)
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(about)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self._last_mode = "starttls"
        self.tls_combo.currentIndexChanged.connect(self._mode_changed)
        self.password_stack.setCurrentIndex(0)

    # -- loading --------------------------------------------------------------------------------------
    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.work.first_show()

    async def wait_ready(self) -> None:
        await self.work.wait_loaded()

    async def reload(self) -> None:
        try:
            saved = await self._mail.current_settings()
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
            return
        self.show_saved(saved)

    def show_saved(self, saved: MailSettings) -> None:
        self.saved = saved
        self.host_edit.setText(saved.host)
        index = self.tls_combo.findData(saved.tls_mode)
        self._last_mode = saved.tls_mode
        self.tls_combo.setCurrentIndex(max(index, 0))
        self.port_spin.setValue(saved.port or DEFAULT_PORTS.get(saved.tls_mode, 587))
        self.user_edit.setText(saved.user)
        self.sender_edit.setText(saved.sender)
        if not self.test_to_edit.text():
            self.test_to_edit.setText(saved.sender)
        self._replacing = False
        self._clear_password = False
        self.cancel_replace_button.hide()
        self.password_edit.clear()
        self._show_password_state()

    def _show_password_state(self) -> None:
        saved = self.saved
        if saved is not None and saved.password_saved and not self._replacing and not self._clear_password:
            fp = saved.password_fingerprint[:8] + "…"          # a value cut short: its "…" is part of it
            text = (self.tr("Saved · fingerprint %1 — not on this computer").replace("%1", fp)
                    if saved.password_elsewhere else self.tr("Saved · fingerprint %1").replace("%1", fp))
            self.password_status.setText(text)
            self.password_stack.setCurrentIndex(1)
        else:
            self.password_edit.setPlaceholderText(self.tr("The saved password is removed when you save")
                                                  if self._clear_password else "")
            self.password_stack.setCurrentIndex(0)

    # -- the fields -----------------------------------------------------------------------------------
    def _mode_changed(self) -> None:
        mode = str(self.tls_combo.currentData())
        # the port follows the mode while it is the old mode's usual port (a typed port stays)
        if self.port_spin.value() == DEFAULT_PORTS.get(self._last_mode):
            self.port_spin.setValue(DEFAULT_PORTS[mode])
        self._last_mode = mode

    def start_replace(self) -> None:
        self._replacing = True
        self.cancel_replace_button.show()
        self.password_stack.setCurrentIndex(0)
        self.password_edit.setFocus()

    def cancel_replace(self) -> None:
        if not self._replacing and not self._clear_password:
            return
        self._replacing = False
        self._clear_password = False
        self.password_edit.clear()
        self.cancel_replace_button.hide()
        self._show_password_state()

    def remove_password(self) -> None:
        self._clear_password = True
        self.cancel_replace_button.show()
        self._show_password_state()

    def typed_password(self) -> Secret | None:
        return Secret(self.password_edit.text()) if self.password_edit.text() else None

    def has_unsaved_changes(self) -> bool:
        saved = self.saved
        if saved is None:
            return False
        return (self.host_edit.text().strip(), self.port_spin.value(), self.tls_combo.currentData(),
                self.user_edit.text().strip(), self.sender_edit.text().strip()) != (
                saved.host, saved.port, saved.tls_mode, saved.user, saved.sender) \
            or bool(self.password_edit.text()) or self._clear_password

    # -- saving and testing ---------------------------------------------------------------------------
    @widget_slot
    async def _on_save(self) -> None:
        await self.save()

    async def save(self) -> bool:
        fields = {"mail.smtp_host": self.host_edit, "mail.sender": self.sender_edit, "mail.user": self.user_edit,
                  "mail.smtp_port": self.port_spin, "mail.tls_mode": self.tls_combo,
                  "mail.smtp_password": self.password_edit}
        self.save_button.setEnabled(False)
        try:
            saved = await self._mail.save_settings(
                self.host_edit.text(), int(self.port_spin.value()), str(self.tls_combo.currentData()),
                self.user_edit.text(), self.sender_edit.text(), self.typed_password(),
                clear_password=self._clear_password)
        except ValidationError as exc:
            self.banner.show_error(user_text(exc))
            widget = fields.get(exc.field)
            if widget is not None:
                widget.setFocus()
            return False
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
            return False
        finally:
            self.save_button.setEnabled(True)
        self.show_saved(saved)
        self.banner.show_success(self.tr("E-mail settings saved. Send a test e-mail to check them."))
        return True

    @widget_slot
    async def _on_send_test(self) -> None:
        await self.send_test()

    async def send_test(self) -> bool:
        """Saves typed changes first (the test uses what is saved), then sends; the banner says how it went."""
        if self.has_unsaved_changes() and not await self.save():
            return False
        to = self.test_to_edit.text().strip()
        self.test_button.setEnabled(False)
        self.banner.show_info(self.tr("Sending a test e-mail to %1…").replace("%1", to))
        try:
            await self._mail.send_test(to)
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
            return False
        finally:
            self.test_button.setEnabled(True)
        self.banner.show_success(self.tr("The mail server accepted the test e-mail to %1.").replace("%1", to))
        return True


class MailTemplatesBox(QGroupBox):
    """Admin › Client Portal › E-mail templates: invoice, reminder and credit note, in English and German.

    The placeholders the chosen kind knows are listed (a click puts one into the text); Preview fills the template
    being edited with a real invoice's values; Save refuses unknown placeholders; Reset puts the default back."""

    def __init__(self, invoice_mail: InvoiceMailService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("E-mail templates"))
        self.setObjectName("mailTemplatesBox")
        self._service = invoice_mail
        self.work = WidgetTasks(self, load=self.reload)
        self.saved: dict[tuple[str, str], Template] = {}
        self._shown: tuple[str, str] | None = None

        self.banner = Banner(self, "mailTemplatesBanner")
        self.kind_combo = QComboBox(self)
        self.kind_combo.setObjectName("templateKindCombo")
        self.kind_combo.setAccessibleName(self.tr("Template"))
        self.kind_combo.addItem(self.tr("Invoice"), "invoice")
        self.kind_combo.addItem(self.tr("Reminder"), "reminder")
        self.kind_combo.addItem(self.tr("Credit note"), "credit_note")
        self.language_combo = QComboBox(self)
        self.language_combo.setObjectName("templateLanguageCombo")
        self.language_combo.setAccessibleName(self.tr("Language"))
        self.language_combo.addItem(self.tr("English"), "en")
        self.language_combo.addItem(self.tr("German"), "de")
        choose = QHBoxLayout()
        choose.addWidget(self.kind_combo)
        choose.addWidget(self.language_combo)
        choose.addStretch(1)
        self.subject_edit = QLineEdit(self)
        self.subject_edit.setObjectName("templateSubjectEdit")
        self.subject_edit.setAccessibleName(self.tr("Subject"))
        self.subject_edit.setMaxLength(300)
        self.text_edit = QPlainTextEdit(self)
        self.text_edit.setObjectName("templateTextEdit")
        self.text_edit.setAccessibleName(self.tr("Text"))
        self.text_edit.setMinimumHeight(180)
        self.placeholders = QComboBox(self)
        self.placeholders.setObjectName("templatePlaceholderCombo")
        self.placeholders.setAccessibleName(self.tr("Insert a placeholder"))
        self.placeholders.activated.connect(self._insert_placeholder)
        placeholder_hint = QLabel(self.tr("Placeholders in square brackets are filled in for each invoice. One "
                                          "the template does not know, or one without a value on an invoice, is "
                                          "shown before sending and stops that e-mail."), self)
        placeholder_hint.setWordWrap(True)
        placeholder_hint.setStyleSheet(HINT_STYLE)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("Subject:"), self.subject_edit)
        form.addRow(self.tr("Text:"), self.text_edit)
        form.addRow(self.tr("Insert:"), self.placeholders)
        form.addRow(placeholder_hint)

        self.preview_label = QLabel(self)
        self.preview_label.setObjectName("templatePreviewSource")
        self.preview_label.setWordWrap(True)
        self.preview_label.setStyleSheet(HINT_STYLE)
        self.preview_text = QPlainTextEdit(self)
        self.preview_text.setObjectName("templatePreviewText")
        self.preview_text.setReadOnly(True)
        self.preview_text.setAccessibleName(self.tr("Preview with a real invoice"))
        self.preview_text.setMinimumHeight(140)
        self.preview_text.hide()
        self.preview_button = QPushButton(self.tr("Preview"), self)
        self.preview_button.setObjectName("templatePreviewButton")
        self.preview_button.setToolTip(self.tr("Fill the template with the newest open invoice's values"))
        self.preview_button.clicked.connect(self._on_preview)
        self.reset_button = QPushButton(self.tr("Reset to default"), self)
        self.reset_button.setObjectName("templateResetButton")
        self.reset_button.clicked.connect(self._on_reset)
        self.save_button = QPushButton(self.tr("Save template"), self)
        self.save_button.setObjectName("templateSaveButton")
        self.save_button.clicked.connect(self._on_save)
        buttons = QHBoxLayout()
        buttons.addWidget(self.preview_button)
        buttons.addStretch(1)
        buttons.addWidget(self.reset_button)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(choose)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.preview_label)
        layout.addWidget(self.preview_text)
        self.kind_combo.currentIndexChanged.connect(lambda _i: self._choice_changed())
        self.language_combo.currentIndexChanged.connect(lambda _i: self._choice_changed())

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.work.first_show()

    async def wait_ready(self) -> None:
        await self.work.wait_loaded()

    async def reload(self) -> None:
        try:
            self.saved = await self._service.templates()
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
            return
        self._shown = None
        self._choice_changed()

    def choice(self) -> tuple[str, str]:
        return str(self.kind_combo.currentData()), str(self.language_combo.currentData())

    def edited(self) -> Template:
        return Template(self.subject_edit.text(), self.text_edit.toPlainText())

    def has_unsaved_changes(self) -> bool:
        return self._shown is not None and self._shown in self.saved and self.edited() != self.saved[self._shown]

    def _choice_changed(self) -> None:
        choice = self.choice()
        if choice not in self.saved:
            return
        template = self.saved[choice]
        self.subject_edit.setText(template.subject)
        self.text_edit.setPlainText(template.text)
        self._shown = choice
        self.placeholders.clear()
        self.placeholders.addItem(self.tr("Choose a placeholder…"), "")
        for name in PLACEHOLDERS[choice[0]]:
            self.placeholders.addItem(f"[{name}]", name)
        self.preview_text.hide()
        self.preview_label.clear()

    def _insert_placeholder(self, index: int) -> None:
        name = str(self.placeholders.itemData(index) or "")
        if name:
            self.text_edit.insertPlainText(f"[{name}]")
            self.text_edit.setFocus()
        self.placeholders.setCurrentIndex(0)

    @widget_slot
    async def _on_save(self) -> None:
        await self.save()

    async def save(self) -> bool:
        kind, language = self.choice()
        return await self._store(lambda: self._service.save_template(kind, language, self.edited()),
                                 self.tr("Template saved."))

    @widget_slot
    async def _on_reset(self) -> None:
        await self.reset()

    async def reset(self) -> bool:
        kind, language = self.choice()
        return await self._store(lambda: self._service.reset_template(kind, language),
                                 self.tr("The default template is back."))

    async def _store(self, change: Callable[[], Awaitable[None]], done: str) -> bool:
        """Save or reset the chosen template, then show the stored templates again (`done` in the banner)."""
        try:
            await change()
            self.saved = await self._service.templates()
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
            return False
        self._choice_changed()
        self.banner.show_success(done)
        return True

    @widget_slot
    async def _on_preview(self) -> None:
        await self.preview()

    async def preview(self) -> bool:
        kind, language = self.choice()
        try:
            target = await self._service.sample_target()
            if target is None:
                self.preview_label.setText(self.tr("There is no open invoice with a contact's e-mail address to "
                                                   "preview with."))
                self.preview_text.hide()
                return False
            result = await self._service.preview(target.invoice_id, kind, language, target.default_recipient,
                                                 template=self.edited())
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
            return False
        self.preview_label.setText(self.tr("Invoice %1 of %2, to %3:").replace("%1", target.invoice_number)
                                   .replace("%2", target.company_name).replace("%3", target.default_recipient))
        problems = ", ".join(f"[{p.placeholder}]" for p in result.problems)
        if problems:
            self.banner.show_warning(self.tr("Not filled in: %1 (unknown, or no value on this invoice).")
                                     .replace("%1", problems))
        else:
            self.banner.clear()
        self.preview_text.setPlainText(f"{result.subject}\n\n{result.text}")
        self.preview_text.show()
        return result.ok

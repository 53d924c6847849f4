"""Admin › Client Portal: whether the portal is on, its public address (payment links are
{address}/pay/{token}), how long a link works, and the payment types clients can use there
(payment_types.portal.card/echeck — the same settings as the Client portal column of Payment Processing).
Saved in one audited settings change (SettingsService.set_many); Revert puts the saved values back. Below them, the
E-mail set-up and the e-mail templates (payapp/ui/admin/mail_settings.py), each with its own Save."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from payapp.domain.errors import PayAppError
from payapp.services.payment_links import MAX_LIFETIME_DAYS
from payapp.ui.admin import portal_access_box, portal_branding
from payapp.ui.admin.mail_settings import MailSettingsBox, MailTemplatesBox
from payapp.ui.async_work import WidgetTasks, widget_slot
from payapp.ui.messages import user_text
from payapp.ui.widgets import HINT_STYLE, Banner, banner_over_scrolling_page, revert_and_save

ERROR_COLOUR = "#d9534f"
LOCAL_HOSTS = ("localhost", "127.0.0.1")
TYPE_KEYS = {"card": "payment_types.portal.card", "echeck": "payment_types.portal.echeck"}
KEYS = ("portal.enabled", "portal.public_url", "portal.link_lifetime_days", *TYPE_KEYS.values(),
        *portal_branding.KEYS, *portal_access_box.KEYS)


def url_problem(text: str) -> str:
    """"" for an address the portal can be reached at: https://host[/path], or http:// on this computer
    (localhost, 127.0.0.1) for trying it; otherwise a code for the message: "scheme", "host", "extra"."""
    if not text:
        return ""
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        parts.port  # noqa: B018 — raises ValueError on a bad port
    except ValueError:
        return "host"
    if parts.scheme == "http" and host in LOCAL_HOSTS:
        pass
    elif parts.scheme != "https":
        return "scheme"
    if not host or " " in text:
        return "host"
    if parts.query or parts.fragment or parts.username or parts.password:
        return "extra"
    return ""


class ClientPortalPage(QWidget):
    def __init__(self, settings: Any, processing: Any = None, parent: QWidget | None = None, *,
                 mail: Any = None, invoice_mail: Any = None, access: Any = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self._processing = processing
        self.work = WidgetTasks(self, load=self.reload)
        self._reread: asyncio.Task[Any] | None = None
        self._saved: dict[str, Any] | None = None
        self._merchant: dict[str, Any] = {}

        self.banner = Banner(self, "portalBanner")
        title = QLabel(self.tr("Client Portal"), self)
        title.setObjectName("pageTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        about = QLabel(self.tr(
            "The client portal is a web page where your clients pay an invoice themselves, by card or eCheck, "
            "from a payment link you send them (Invoice History › Copy payment link). Card and bank details "
            "go straight to the gateway; PayApp never sees them. Start it on a server with the command "
            "“payapp portal”, behind an https web server; the guide “Client portal” (docs/portal.md in PayApp's "
            "documentation) says how."), self)
        about.setObjectName("portalAbout")
        about.setWordWrap(True)

        self.enabled_box = QCheckBox(self.tr("The client portal is on"), self)
        self.enabled_box.setObjectName("portalEnabledBox")
        enabled_hint = QLabel(self.tr("Off: links open a page that says the portal is closed, and no payment "
                                      "is taken there."), self)
        enabled_hint.setWordWrap(True)
        enabled_hint.setStyleSheet(HINT_STYLE)

        self.url_edit = QLineEdit(self)
        self.url_edit.setObjectName("portalUrlEdit")
        self.url_edit.setPlaceholderText("https://pay.example.com")
        self.url_edit.setMaxLength(300)
        self.url_edit.setAccessibleName(self.tr("Public address"))
        self.url_error = QLabel(self)
        self.url_error.setObjectName("portalUrlError")
        self.url_error.setWordWrap(True)
        self.url_error.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.url_error.hide()
        url_hint = QLabel(self.tr("The address your clients open, as your web server serves the portal. "
                                  "Payment links start with it. http:// only for trying it on this computer "
                                  "(http://localhost or http://127.0.0.1)."), self)
        url_hint.setWordWrap(True)
        url_hint.setStyleSheet(HINT_STYLE)
        self.link_example = QLabel(self)
        self.link_example.setObjectName("portalLinkExample")
        self.link_example.setWordWrap(True)
        url_field = QVBoxLayout()
        url_field.setSpacing(2)
        url_field.addWidget(self.url_edit)
        url_field.addWidget(self.url_error)
        url_field.addWidget(self.link_example)
        url_field.addWidget(url_hint)

        self.lifetime_spin = QSpinBox(self)
        self.lifetime_spin.setObjectName("portalLifetimeSpin")
        self.lifetime_spin.setRange(1, MAX_LIFETIME_DAYS)
        self.lifetime_spin.setSuffix(self.tr(" days"))
        self.lifetime_spin.setAccessibleName(self.tr("Payment links work for"))
        self.lifetime_spin.setMaximumWidth(140)
        lifetime_hint = QLabel(self.tr("From 1 to %1 days. A link stops working by itself once the invoice is "
                                       "paid in full or voided; Revoke link stops it at once.")
                               .replace("%1", str(MAX_LIFETIME_DAYS)), self)
        lifetime_hint.setWordWrap(True)
        lifetime_hint.setStyleSheet(HINT_STYLE)
        lifetime_field = QVBoxLayout()
        lifetime_field.setSpacing(2)
        lifetime_field.addWidget(self.lifetime_spin)
        lifetime_field.addWidget(lifetime_hint)

        types_box = QGroupBox(self.tr("Payment types in the client portal"), self)
        types_box.setObjectName("portalTypesBox")
        types_layout = QVBoxLayout(types_box)
        self.type_boxes: dict[str, QCheckBox] = {}
        for ptype, label in (("card", self.tr("Credit card")), ("echeck", self.tr("eCheck"))):
            box = QCheckBox(label, types_box)
            box.setObjectName(f"portalType_{ptype}")
            box.setAccessibleName(self.tr("%1 in the client portal").replace("%1", label))
            self.type_boxes[ptype] = box
            types_layout.addWidget(box)
            box.toggled.connect(self._changed)
        self.types_hint = QLabel(self.tr("The same choice as the Client portal column of Admin › Payment "
                                         "Processing: changing it here changes it there."), types_box)
        self.types_hint.setObjectName("portalTypesHint")
        self.types_hint.setWordWrap(True)
        self.types_hint.setStyleSheet(HINT_STYLE)
        types_layout.addWidget(self.types_hint)

        self.branding = portal_branding.PortalBrandingBox(self)
        self.branding.changed.connect(self._changed)
        self.access_box = portal_access_box.PortalAccessBox(access, self)
        self.access_box.changed.connect(self._changed)
        self.access_box.setVisible(access is not None)

        self.enabled_box.toggled.connect(self._changed)
        self.url_edit.textChanged.connect(self._changed)
        self.lifetime_spin.valueChanged.connect(self._changed)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.enabled_box)
        form.addRow(enabled_hint)
        form.addRow(self.tr("Public address:"), url_field)
        form.addRow(self.tr("Payment links work for:"), lifetime_field)

        self.revert_button, self.save_button, buttons = revert_and_save(
            self, "portal", (self.tr("Revert"), self.tr("Put the saved settings back"), self.tr("Save")), self.revert,
            self._on_save)

        content = QWidget(self)
        body = QVBoxLayout(content)
        body.addWidget(title)
        body.addWidget(about)
        body.addLayout(form)
        body.addWidget(types_box)
        body.addWidget(self.access_box)
        body.addWidget(self.branding)
        body.addLayout(buttons)
        # E-mail (payapp/ui/admin/mail_settings.py): its own fields, Save and test, loaded when first shown
        self.mail_box = MailSettingsBox(mail, content) if mail is not None else None
        self.templates_box = MailTemplatesBox(invoice_mail, content) if invoice_mail is not None else None
        for box in (self.mail_box, self.templates_box):
            if box is not None:
                body.addWidget(box)
        body.addStretch(1)
        banner_over_scrolling_page(self, self.banner, content, 820)
        self._changed()

    # -- loading --------------------------------------------------------------------------------------
    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self.work.loaded and not self.work.busy and not self.portal_fields_changed():
            # shown again with nothing typed: read again (Payment Processing may have changed the payment types)
            self._reread = self.work.reload()
        else:
            self.work.first_show()

    async def wait_ready(self) -> None:
        await self.work.wait_loaded()
        if self._reread is not None and not self._reread.done():    # a read again (shown again) on its way
            await asyncio.gather(self._reread, return_exceptions=True)

    async def reload(self) -> None:
        """Runs as a task of `self.work`: cancelled if the page goes away while it awaits."""
        try:
            saved = {key: await self._settings.get(key) for key in KEYS}
            merchant = {key: await self._settings.get(key) for key in portal_branding.MERCHANT_KEYS}
            supported: frozenset[str] | None = None
            if self._processing is not None:
                supported = frozenset((await self._processing.state()).gateway.payment_types)
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
            return
        self._saved = saved
        self._merchant = merchant
        for ptype, box in self.type_boxes.items():
            box.setEnabled(supported is None or ptype in supported or bool(saved[TYPE_KEYS[ptype]]))
        self.revert()

    # -- the fields -----------------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        return {"portal.enabled": self.enabled_box.isChecked(),
                "portal.public_url": self.url_edit.text().strip().rstrip("/"),
                "portal.link_lifetime_days": int(self.lifetime_spin.value()),
                **{key: self.type_boxes[ptype].isChecked() for ptype, key in TYPE_KEYS.items()},
                **self.branding.values(), **self.access_box.values()}

    def revert(self) -> None:
        saved = self._saved
        if saved is None:
            return
        self.enabled_box.setChecked(bool(saved["portal.enabled"]))
        self.url_edit.setText(str(saved["portal.public_url"]))
        self.lifetime_spin.setValue(min(max(int(saved["portal.link_lifetime_days"]), 1), MAX_LIFETIME_DAYS))
        for ptype, key in TYPE_KEYS.items():
            self.type_boxes[ptype].setChecked(bool(saved[key]))
        self.branding.load({**saved, **self._merchant})
        self.access_box.load(saved)
        self._changed()

    def has_unsaved_changes(self) -> bool:
        """Typed and not saved, here or in the E-mail section (the tab asks before leaving the page)."""
        return self.portal_fields_changed() or any(box is not None and box.has_unsaved_changes()
                                                    for box in (self.mail_box, self.templates_box))

    def portal_fields_changed(self) -> bool:
        if self._saved is None:
            return False
        saved = {**self._saved, "portal.public_url": str(self._saved["portal.public_url"]).strip().rstrip("/")}
        return self.values() != saved

    def _changed(self) -> None:
        self.check_fields()
        self.revert_button.setEnabled(self.portal_fields_changed())

    def check_fields(self) -> bool:
        url = self.url_edit.text().strip()
        problem = url_problem(url)
        if not problem and not url and self.enabled_box.isChecked():
            problem = "needed"
        text = {"scheme": self.tr("The address must start with https:// (http:// only for http://localhost or "
                                  "http://127.0.0.1, to try the portal on this computer)."),
                "host": self.tr("That is not a web address. Write it like https://pay.example.com."),
                "extra": self.tr("Write the address without ?, # or a user name: like https://pay.example.com."),
                "needed": self.tr("Enter the portal's address to turn it on: payment links start with it."),
                "": ""}[problem]
        self.url_error.setText(text)
        self.url_error.setVisible(bool(text))
        self.url_edit.setAccessibleDescription(text)
        shown = url.rstrip("/")
        self.link_example.setText(self.tr("Payment links look like: %1").replace("%1", f"{shown}/pay/…")
                                  if shown and not text else "")
        self.link_example.setVisible(bool(shown and not text))
        return not text

    # -- saving ---------------------------------------------------------------------------------------
    @widget_slot
    async def _on_save(self) -> None:
        await self.save()

    async def save(self) -> bool:
        if self._saved is None:
            return False
        if not self.check_fields():
            self.banner.show_error(self.tr("Correct the address, then save again."))
            self.url_edit.setFocus()
            return False
        if not self.branding.check():
            self.banner.show_error(self.tr("Correct the marked fields of the portal's look, then save again."))
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
        self.revert()
        if values["portal.enabled"]:
            self.banner.show_success(self.tr("Saved: the client portal is on at %1.")
                                     .replace("%1", values["portal.public_url"]))
        else:
            self.banner.show_success(self.tr("Saved: the client portal is off."))
        return True

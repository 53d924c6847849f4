"""Every setting PayApp keeps in the database, declared once: key, type, default, rule and its one label
(English here; German through the translation catalogue, context AuditLabels)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # the name pyside6-lupdate looks for
    """Marks a label for translation without Qt (this layer imports none): `tools/i18n.py update` finds it by
    this name, and the Qt UI shows `QCoreApplication.translate(context, label)`. Returns the text as it is."""
    return text


@dataclass(frozen=True)
class SettingSpec:
    key: str
    type: type
    default: Any
    label: str
    set_once: bool = False      # e.g. the internal currency: chosen once, never changed
    admin_only: bool = True


SPECS: tuple[SettingSpec, ...] = (
    SettingSpec("gateway.name", str, "nmi", QT_TRANSLATE_NOOP("AuditLabels", "Gateway")),
    SettingSpec("gateway.base_url", str, "https://secure.bngpaymentgateway.com",
                QT_TRANSLATE_NOOP("AuditLabels", "Gateway address")),
    SettingSpec("gateway.private_key_fingerprint", str, "",
                QT_TRANSLATE_NOOP("AuditLabels", "Private key fingerprint")),
    SettingSpec("gateway.public_key_fingerprint", str, "", QT_TRANSLATE_NOOP("AuditLabels", "Public key fingerprint")),
    SettingSpec("gateway.payengine.base_url", str, "https://api.payengine.de/v1",
                QT_TRANSLATE_NOOP("AuditLabels", "PayEngine address")),
    SettingSpec("gateway.payengine.api_key_fingerprint", str, "",
                QT_TRANSLATE_NOOP("AuditLabels", "PayEngine API key fingerprint")),
    SettingSpec("gateway.payengine.merchant_id_fingerprint", str, "",
                QT_TRANSLATE_NOOP("AuditLabels", "PayEngine merchant ID fingerprint")),
    SettingSpec("gateway.paypal.base_url", str, "https://api-3t.paypal.com",
                QT_TRANSLATE_NOOP("AuditLabels", "PayPal address")),
    SettingSpec("gateway.paypal.api_password_fingerprint", str, "",
                QT_TRANSLATE_NOOP("AuditLabels", "PayPal API password fingerprint")),
    SettingSpec("gateway.paypal.api_username_fingerprint", str, "",
                QT_TRANSLATE_NOOP("AuditLabels", "PayPal API username fingerprint")),
    SettingSpec("gateway.paypal.api_signature_fingerprint", str, "",
                QT_TRANSLATE_NOOP("AuditLabels", "PayPal API signature fingerprint")),
    SettingSpec("gateway.keys_changed_by", str, "", QT_TRANSLATE_NOOP("AuditLabels", "Keys replaced by")),
    SettingSpec("gateway.keys_changed_at", str, "", QT_TRANSLATE_NOOP("AuditLabels", "Keys replaced at")),
    SettingSpec("payment_types.back_office.card", bool, False,
                QT_TRANSLATE_NOOP("AuditLabels", "Credit card for the back office")),
    SettingSpec("payment_types.back_office.echeck", bool, False,
                QT_TRANSLATE_NOOP("AuditLabels", "eCheck for the back office")),
    SettingSpec("payment_types.portal.card", bool, False,
                QT_TRANSLATE_NOOP("AuditLabels", "Credit card for the client portal")),
    SettingSpec("payment_types.portal.echeck", bool, False,
                QT_TRANSLATE_NOOP("AuditLabels", "eCheck for the client portal")),
    SettingSpec("payment_types.back_office.sepa", bool, False,
                QT_TRANSLATE_NOOP("AuditLabels", "SEPA direct debit for the back office")),
    SettingSpec("payment_types.portal.sepa", bool, False,
                QT_TRANSLATE_NOOP("AuditLabels", "SEPA direct debit for the client portal")),
    SettingSpec("payment_types.back_office.paypal", bool, False,
                QT_TRANSLATE_NOOP("AuditLabels", "PayPal for the back office")),
    SettingSpec("payment_types.portal.paypal", bool, False,
                QT_TRANSLATE_NOOP("AuditLabels", "PayPal for the client portal")),
    SettingSpec("currency", str, "", QT_TRANSLATE_NOOP("AuditLabels", "Internal currency"), set_once=True),
    SettingSpec("refunds.approval_threshold_minor", int, 0,
                QT_TRANSLATE_NOOP("AuditLabels", "Refunds above this need a second user")),
    SettingSpec("payments.refuse_cvv_mismatch", bool, False,
                QT_TRANSLATE_NOOP("AuditLabels", "Refuse card payments whose CVV does not match")),
    SettingSpec("ui.language", str, "", QT_TRANSLATE_NOOP("AuditLabels", "Language"), admin_only=False),
    SettingSpec("autotask.api_user", str, "", QT_TRANSLATE_NOOP("AuditLabels", "Autotask API user")),
    SettingSpec("autotask.integration_code_fingerprint", str, "",
                QT_TRANSLATE_NOOP("AuditLabels", "Autotask integration code fingerprint")),
    SettingSpec("autotask.secret_fingerprint", str, "",
                QT_TRANSLATE_NOOP("AuditLabels", "Autotask secret fingerprint")),
    SettingSpec("autotask.zone_url", str, "", QT_TRANSLATE_NOOP("AuditLabels", "Autotask zone (cached)")),
    SettingSpec("autotask.base_url", str, "https://webservices2.autotask.net/atservicesrest",
                QT_TRANSLATE_NOOP("AuditLabels", "Autotask address")),
    SettingSpec("quickbooks.client_id", str, "", QT_TRANSLATE_NOOP("AuditLabels", "QuickBooks client ID")),
    SettingSpec("quickbooks.client_secret_fingerprint", str, "",
                QT_TRANSLATE_NOOP("AuditLabels", "QuickBooks client secret fingerprint")),
    SettingSpec("quickbooks.realm_id", str, "", QT_TRANSLATE_NOOP("AuditLabels", "QuickBooks company (realm) ID")),
    SettingSpec("quickbooks.base_url", str, "https://quickbooks.api.intuit.com",
                QT_TRANSLATE_NOOP("AuditLabels", "QuickBooks address")),
    SettingSpec("quickbooks.auth_base_url", str, "https://oauth.platform.intuit.com",
                QT_TRANSLATE_NOOP("AuditLabels", "QuickBooks sign-in address")),
    SettingSpec("quickbooks.connected", bool, False, QT_TRANSLATE_NOOP("AuditLabels", "QuickBooks connected")),
    SettingSpec("quickbooks.company_name", str, "", QT_TRANSLATE_NOOP("AuditLabels", "QuickBooks company name")),
    # QuickBooks ids the pushes refer to ("1" is the Services item every QuickBooks company starts with; an
    # empty account lets QuickBooks choose: payments then go to Undeposited Funds)
    SettingSpec("quickbooks.item_id", str, "1",
                QT_TRANSLATE_NOOP("AuditLabels", "QuickBooks item (ID) for invoice and refund lines")),
    SettingSpec("quickbooks.deposit_account_id", str, "",
                QT_TRANSLATE_NOOP("AuditLabels", "QuickBooks account (ID) for payments")),
    SettingSpec("quickbooks.refund_account_id", str, "",
                QT_TRANSLATE_NOOP("AuditLabels", "QuickBooks account (ID) for refunds")),
    SettingSpec("quickbooks.refund_account_name", str, "",
                QT_TRANSLATE_NOOP("AuditLabels", "QuickBooks account for refunds")),
    # which accounting system the outbox posts to: QuickBooks Online (its API) or QuickBooks Desktop (through the
    # Web Connector, which polls PayApp's QBWC service)
    SettingSpec("accounting.connector", str, "quickbooks_online",
                QT_TRANSLATE_NOOP("AuditLabels", "Accounting connector")),
    SettingSpec("qbwc.user_name", str, "payapp", QT_TRANSLATE_NOOP("AuditLabels", "Web Connector user name")),
    SettingSpec("qbwc.password_fingerprint", str, "",
                QT_TRANSLATE_NOOP("AuditLabels", "Web Connector password fingerprint")),
    SettingSpec("qbwc.app_url", str, "", QT_TRANSLATE_NOOP("AuditLabels", "Web Connector service address")),
    SettingSpec("qbwc.owner_id", str, "", QT_TRANSLATE_NOOP("AuditLabels", "Web Connector OwnerID")),
    SettingSpec("qbwc.file_id", str, "", QT_TRANSLATE_NOOP("AuditLabels", "Web Connector FileID")),
    SettingSpec("qbwc.run_every_minutes", int, 15, QT_TRANSLATE_NOOP("AuditLabels", "Web Connector schedule")),
    # QuickBooks on the same computer: the desktop app itself answers the Web Connector on http://localhost
    SettingSpec("qbwc.serve_locally", bool, False,
                QT_TRANSLATE_NOOP("AuditLabels", "Web Connector service in this app")),
    SettingSpec("qbwc.local_port", int, 8471, QT_TRANSLATE_NOOP("AuditLabels", "Web Connector service port")),
    # the QuickBooks Desktop item invoice and credit memo lines use, and the account refunds come from ("" lets
    # QuickBooks take Undeposited Funds)
    SettingSpec("qbwc.item_name", str, "Services",
                QT_TRANSLATE_NOOP("AuditLabels", "QuickBooks Desktop item for invoice and refund lines")),
    SettingSpec("qbwc.refund_account", str, "",
                QT_TRANSLATE_NOOP("AuditLabels", "QuickBooks Desktop account refunds are paid from")),
    # the https page registered as redirect URI in the Intuit app ("" = the development loopback on localhost)
    SettingSpec("quickbooks.redirect_uri", str, "", QT_TRANSLATE_NOOP("AuditLabels", "QuickBooks redirect URI")),
    # the merchant as its clients see it: on receipts and on the client portal's pages
    SettingSpec("merchant.name", str, "", QT_TRANSLATE_NOOP("AuditLabels", "Company name")),
    SettingSpec("merchant.address", str, "", QT_TRANSLATE_NOOP("AuditLabels", "Company address")),
    SettingSpec("merchant.email", str, "", QT_TRANSLATE_NOOP("AuditLabels", "Company e-mail")),
    SettingSpec("merchant.phone", str, "", QT_TRANSLATE_NOOP("AuditLabels", "Company phone")),
    SettingSpec("merchant.logo_png", str, "", QT_TRANSLATE_NOOP("AuditLabels", "Company logo")),
    # the client portal (payapp/portal): off until an admin turns it on; links are {public_url}/pay/{token}
    SettingSpec("portal.enabled", bool, False, QT_TRANSLATE_NOOP("AuditLabels", "Client portal on")),
    SettingSpec("portal.public_url", str, "", QT_TRANSLATE_NOOP("AuditLabels", "Client portal address")),
    # how clients reach the portal: "links" (secret payment links), "signin" (e-mailed sign-in) or "both"
    SettingSpec("portal.access_mode", str, "links", QT_TRANSLATE_NOOP("AuditLabels", "Clients reach the portal by")),
    SettingSpec("portal.link_lifetime_days", int, 30,
                QT_TRANSLATE_NOOP("AuditLabels", "Payment links expire after (days)")),
    # the portal's look (Admin › Client Portal; name, logo, address from merchant.*): "" = PayApp's own blue
    SettingSpec("portal.accent_colour", str, "", QT_TRANSLATE_NOOP("AuditLabels", "Client portal accent colour")),
    SettingSpec("portal.footer_text", str, "", QT_TRANSLATE_NOOP("AuditLabels", "Client portal footer text")),
    # "" = the company's e-mail and phone (merchant.email, merchant.phone)
    SettingSpec("portal.support_email", str, "", QT_TRANSLATE_NOOP("AuditLabels", "Client portal support e-mail")),
    SettingSpec("portal.support_phone", str, "", QT_TRANSLATE_NOOP("AuditLabels", "Client portal support phone")),
    # e-mail (payapp/services/mail.py): the SMTP server payment links and receipts go out through; the password
    # is in the secret store ("mail.smtp_password"), the database keeps its fingerprint only
    SettingSpec("mail.smtp_host", str, "", QT_TRANSLATE_NOOP("AuditLabels", "Mail server")),
    SettingSpec("mail.smtp_port", int, 587, QT_TRANSLATE_NOOP("AuditLabels", "Mail server port")),
    SettingSpec("mail.tls_mode", str, "starttls", QT_TRANSLATE_NOOP("AuditLabels", "Mail encryption")),
    SettingSpec("mail.user", str, "", QT_TRANSLATE_NOOP("AuditLabels", "Mail user name")),
    SettingSpec("mail.smtp_password_fingerprint", str, "",
                QT_TRANSLATE_NOOP("AuditLabels", "Mail password fingerprint")),
    SettingSpec("mail.sender", str, "", QT_TRANSLATE_NOOP("AuditLabels", "Mail sender address")),
    # the e-mail templates an admin edited (payapp/services/mail_templates.py); "" = the built-in default
    SettingSpec("mail.template.invoice.en.subject", str, "",
                QT_TRANSLATE_NOOP("AuditLabels", "E-mail template: invoice, English, subject")),
    SettingSpec("mail.template.invoice.en.text", str, "",
                QT_TRANSLATE_NOOP("AuditLabels", "E-mail template: invoice, English, text")),
    SettingSpec("mail.template.invoice.de.subject", str, "",
                QT_TRANSLATE_NOOP("AuditLabels", "E-mail template: invoice, German, subject")),
    SettingSpec("mail.template.invoice.de.text", str, "",
                QT_TRANSLATE_NOOP("AuditLabels", "E-mail template: invoice, German, text")),
    SettingSpec("mail.template.reminder.en.subject", str, "",
                QT_TRANSLATE_NOOP("AuditLabels", "E-mail template: reminder, English, subject")),
    SettingSpec("mail.template.reminder.en.text", str, "",
                QT_TRANSLATE_NOOP("AuditLabels", "E-mail template: reminder, English, text")),
    SettingSpec("mail.template.reminder.de.subject", str, "",
                QT_TRANSLATE_NOOP("AuditLabels", "E-mail template: reminder, German, subject")),
    SettingSpec("mail.template.reminder.de.text", str, "",
                QT_TRANSLATE_NOOP("AuditLabels", "E-mail template: reminder, German, text")),
    SettingSpec("mail.template.credit_note.en.subject", str, "",
                QT_TRANSLATE_NOOP("AuditLabels", "E-mail template: credit note, English, subject")),
    SettingSpec("mail.template.credit_note.en.text", str, "",
                QT_TRANSLATE_NOOP("AuditLabels", "E-mail template: credit note, English, text")),
    SettingSpec("mail.template.credit_note.de.subject", str, "",
                QT_TRANSLATE_NOOP("AuditLabels", "E-mail template: credit note, German, subject")),
    SettingSpec("mail.template.credit_note.de.text", str, "",
                QT_TRANSLATE_NOOP("AuditLabels", "E-mail template: credit note, German, text")),
    SettingSpec("sync.interval_minutes", int, 15, QT_TRANSLATE_NOOP("AuditLabels", "Sync every (minutes)")),
    # generated once per database (payapp/services/installation.py); part of every derived request id
    SettingSpec("installation.id", str, "", QT_TRANSLATE_NOOP("AuditLabels", "Installation ID"), admin_only=False),
)

BY_KEY: dict[str, SettingSpec] = {s.key: s for s in SPECS}


class UnknownSetting(KeyError):
    pass


def spec(key: str) -> SettingSpec:
    try:
        return BY_KEY[key]
    except KeyError:
        raise UnknownSetting(key) from None

"""What the audit log's action and entity codes say in the user's language.

The log stores codes ("payment.approved", entity "payment"): they are what the filter matches and what the CSV
export writes. The screens show these labels instead, and the code as a tooltip; a code without a label (one
added later) is shown as it is rather than hidden. The same goes for an entry's details (`details_text`).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from babel.numbers import UnknownCurrencyError, format_decimal
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from payapp.domain.gateways import PAYMENT_TYPE_LABELS
from payapp.domain.money import format_money
from payapp.domain.settings_spec import SPECS
from payapp.ui.i18n import format_moment

__all__ = ["ACTIONS", "DETAIL_KEYS", "ENTITIES", "GROUPS", "SETTINGS", "action_label", "details_text",
           "entity_label", "group_label"]

CONTEXT = "AuditLabels"

ACTIONS: dict[str, str] = {
    "auth.sign_in": QT_TRANSLATE_NOOP("AuditLabels", "Signed in"),
    "auth.sign_in_failed": QT_TRANSLATE_NOOP("AuditLabels", "Sign-in failed"),
    "auth.locked_out": QT_TRANSLATE_NOOP("AuditLabels", "Locked after failed sign-ins"),
    "user.created": QT_TRANSLATE_NOOP("AuditLabels", "User created"),
    "user.enabled": QT_TRANSLATE_NOOP("AuditLabels", "User enabled"),
    "user.disabled": QT_TRANSLATE_NOOP("AuditLabels", "User disabled"),
    "user.role_changed": QT_TRANSLATE_NOOP("AuditLabels", "Role changed"),
    "user.password_reset": QT_TRANSLATE_NOOP("AuditLabels", "Password reset"),
    "audit.exported": QT_TRANSLATE_NOOP("AuditLabels", "Audit log exported"),
    "payment.pending": QT_TRANSLATE_NOOP("AuditLabels", "Payment pending"),
    "payment.approved": QT_TRANSLATE_NOOP("AuditLabels", "Payment approved"),
    "payment.declined": QT_TRANSLATE_NOOP("AuditLabels", "Payment declined"),
    "payment.error": QT_TRANSLATE_NOOP("AuditLabels", "Payment failed"),
    "payment.unknown": QT_TRANSLATE_NOOP("AuditLabels", "Payment being checked"),
    "payment.settled": QT_TRANSLATE_NOOP("AuditLabels", "Payment settled"),
    "payment.voided": QT_TRANSLATE_NOOP("AuditLabels", "Payment voided"),
    "payment.refunded": QT_TRANSLATE_NOOP("AuditLabels", "Payment refunded"),
    "payment.partially_refunded": QT_TRANSLATE_NOOP("AuditLabels", "Payment partly refunded"),
    "payment.returned": QT_TRANSLATE_NOOP("AuditLabels", "Payment returned by the bank"),
    "payment.void_unknown": QT_TRANSLATE_NOOP("AuditLabels", "Void being checked"),
    "payment.refund_unknown": QT_TRANSLATE_NOOP("AuditLabels", "Refund being checked"),
    "payment.void_failed": QT_TRANSLATE_NOOP("AuditLabels", "Void failed"),
    "payment.refund_failed": QT_TRANSLATE_NOOP("AuditLabels", "Refund failed"),
    "payment.approved_after_failure": QT_TRANSLATE_NOOP("AuditLabels", "Payment approved after it was marked failed"),
    "payment.needs_attention": QT_TRANSLATE_NOOP("AuditLabels", "Payment needs attention"),
    "payment.sync_retry": QT_TRANSLATE_NOOP("AuditLabels", "Sync retried"),
    "payment.receipt_saved": QT_TRANSLATE_NOOP("AuditLabels", "Receipt saved as PDF"),
    "payment.receipt_printed": QT_TRANSLATE_NOOP("AuditLabels", "Receipt printed"),
    "payments.exported": QT_TRANSLATE_NOOP("AuditLabels", "Payments exported"),
    "payment_method.saved": QT_TRANSLATE_NOOP("AuditLabels", "Payment method saved"),
    "payment_method.deleted": QT_TRANSLATE_NOOP("AuditLabels", "Saved payment method deleted"),
    "payment_method.renamed": QT_TRANSLATE_NOOP("AuditLabels", "Saved payment method renamed"),
    "payment_method.expiry_updated": QT_TRANSLATE_NOOP("AuditLabels", "Saved card's expiry date changed"),
    "payment_link.created": QT_TRANSLATE_NOOP("AuditLabels", "Payment link created"),
    "payment_link.revoked": QT_TRANSLATE_NOOP("AuditLabels", "Payment link revoked"),
    "portal.contact_access": QT_TRANSLATE_NOOP("AuditLabels", "Who may pay on the client portal changed"),
    "portal.signed_in": QT_TRANSLATE_NOOP("AuditLabels", "Signed in to the client portal"),
    "mail.payment_link_sent": QT_TRANSLATE_NOOP("AuditLabels", "Payment link e-mailed"),
    "mail.payment_link_failed": QT_TRANSLATE_NOOP("AuditLabels", "Payment link e-mail failed"),
    "mail.receipt_sent": QT_TRANSLATE_NOOP("AuditLabels", "Receipt e-mailed"),
    "mail.receipt_failed": QT_TRANSLATE_NOOP("AuditLabels", "Receipt e-mail failed"),
    "mail.settings_changed": QT_TRANSLATE_NOOP("AuditLabels", "E-mail settings changed"),
    "mail.template_changed": QT_TRANSLATE_NOOP("AuditLabels", "E-mail template changed"),
    "refund.approval_requested": QT_TRANSLATE_NOOP("AuditLabels", "Refund approval requested"),
    "refund.approval_approved": QT_TRANSLATE_NOOP("AuditLabels", "Refund approved"),
    "refund.approval_rejected": QT_TRANSLATE_NOOP("AuditLabels", "Refund rejected"),
    "refund.approval_done": QT_TRANSLATE_NOOP("AuditLabels", "Approved refund sent"),
    "refund.approval_reopened": QT_TRANSLATE_NOOP("AuditLabels", "Refund approval reopened"),
    "settings.changed": QT_TRANSLATE_NOOP("AuditLabels", "Settings changed"),
    "settings.currency_set": QT_TRANSLATE_NOOP("AuditLabels", "Internal currency set"),
    "gateway.keys_replaced": QT_TRANSLATE_NOOP("AuditLabels", "Gateway keys replaced"),
    "gateway.keys_cleared": QT_TRANSLATE_NOOP("AuditLabels", "Gateway keys cleared"),
    "connections.autotask_saved": QT_TRANSLATE_NOOP("AuditLabels", "Autotask connection saved"),
    "connections.autotask_cleared": QT_TRANSLATE_NOOP("AuditLabels", "Autotask connection cleared"),
    "connections.zone_cached": QT_TRANSLATE_NOOP("AuditLabels", "Autotask zone stored"),
    "connections.quickbooks_saved": QT_TRANSLATE_NOOP("AuditLabels", "QuickBooks connection saved"),
    "connections.quickbooks_connected": QT_TRANSLATE_NOOP("AuditLabels", "QuickBooks connected"),
    "connections.quickbooks_disconnected": QT_TRANSLATE_NOOP("AuditLabels", "QuickBooks disconnected"),
    "connections.quickbooks_refund_account": QT_TRANSLATE_NOOP("AuditLabels", "QuickBooks refund account chosen"),
    "connections.quickbooks_company_name": QT_TRANSLATE_NOOP("AuditLabels", "QuickBooks company name stored"),
    "outbox.retried": QT_TRANSLATE_NOOP("AuditLabels", "Sync job retried"),
    "outbox.dismissed": QT_TRANSLATE_NOOP("AuditLabels", "Sync problem dismissed"),
}

# The filter's prefix choices ("payment." matches every payment action).
GROUPS: dict[str, str] = {
    "auth.": QT_TRANSLATE_NOOP("AuditLabels", "All sign-ins"),
    "user.": QT_TRANSLATE_NOOP("AuditLabels", "All user changes"),
    "audit.": QT_TRANSLATE_NOOP("AuditLabels", "All audit log exports"),
    "payment.": QT_TRANSLATE_NOOP("AuditLabels", "All payment actions"),
    "payments.": QT_TRANSLATE_NOOP("AuditLabels", "All payment exports"),
    "payment_method.": QT_TRANSLATE_NOOP("AuditLabels", "All saved payment method changes"),
    "refund.": QT_TRANSLATE_NOOP("AuditLabels", "All refund approvals"),
    "settings.": QT_TRANSLATE_NOOP("AuditLabels", "All settings changes"),
    "gateway.": QT_TRANSLATE_NOOP("AuditLabels", "All gateway key changes"),
    "connections.": QT_TRANSLATE_NOOP("AuditLabels", "All connection changes"),
    "outbox.": QT_TRANSLATE_NOOP("AuditLabels", "All sync job actions"),
    "mail.": QT_TRANSLATE_NOOP("AuditLabels", "All e-mails and e-mail settings"),
}

ENTITIES: dict[str, str] = {
    "user": QT_TRANSLATE_NOOP("AuditLabels", "User"),
    "payment": QT_TRANSLATE_NOOP("AuditLabels", "Payment"),
    "payments": QT_TRANSLATE_NOOP("AuditLabels", "Payments"),
    "audit": QT_TRANSLATE_NOOP("AuditLabels", "Audit log"),
    "settings": QT_TRANSLATE_NOOP("AuditLabels", "Settings"),
    "saved_payment_method": QT_TRANSLATE_NOOP("AuditLabels", "Saved payment method"),
    "outbox_job": QT_TRANSLATE_NOOP("AuditLabels", "Sync job"),
}


def _tr(table: dict[str, str], code: str) -> str:
    return QCoreApplication.translate(CONTEXT, table[code]) if code in table else code


def action_label(code: str) -> str:
    return _tr(ACTIONS, code)


def group_label(prefix: str) -> str:
    return _tr(GROUPS, prefix)


def entity_label(entity_type: str, entity_id: str = "", *, name: str = "", invoice_number: str = "") -> str:
    """"Payment 4000123456 · invoice 2026000099", "User Dana Smith": the entity as the user knows it (`name`, a
    transaction number or a person's name) when the log knows it, else its id."""
    label = f"{_tr(ENTITIES, entity_type) if entity_type else ''} {name or entity_id}".strip()
    if invoice_number:
        label = QCoreApplication.translate("AuditLabels", "%1 · invoice %2").replace("%2", invoice_number).replace(
            "%1", label)
    return label


# ----------------------------------------------------------------------------------------------- details
# An entry's details are stored as JSON with English keys ({"amount_minor": 27606, "currency": "USD"}); the CSV
# export writes them as stored. The screens show `details_text`: labels in the user's language, money in the
# user's locale, Yes/No for booleans. Keys are shown in this order; a key without a label is shown as it is.
DETAIL_KEYS: dict[str, str] = {
    "amount_minor": QT_TRANSLATE_NOOP("AuditLabels", "Amount"),
    "currency": QT_TRANSLATE_NOOP("AuditLabels", "Currency"),
    "method": QT_TRANSLATE_NOOP("AuditLabels", "Payment type"),
    "last_four": QT_TRANSLATE_NOOP("AuditLabels", "Last four digits"),
    "order_id": QT_TRANSLATE_NOOP("AuditLabels", "Order ID"),
    "transaction_id": QT_TRANSLATE_NOOP("AuditLabels", "Transaction ID"),
    "response_code": QT_TRANSLATE_NOOP("AuditLabels", "Response code"),
    "invoice_number": QT_TRANSLATE_NOOP("AuditLabels", "Invoice"),
    "invoice_id": QT_TRANSLATE_NOOP("AuditLabels", "Invoice (internal ID)"),
    "link_id": QT_TRANSLATE_NOOP("AuditLabels", "Payment link (internal ID)"),
    "links": QT_TRANSLATE_NOOP("AuditLabels", "Payment links"),
    "expires_at": QT_TRANSLATE_NOOP("AuditLabels", "Expires"),
    "company_id": QT_TRANSLATE_NOOP("AuditLabels", "Company (internal ID)"),
    "portal_contact_id": QT_TRANSLATE_NOOP("AuditLabels", "Client portal contact (internal ID)"),
    "refund_id": QT_TRANSLATE_NOOP("AuditLabels", "Void/refund (internal ID)"),
    "sent": QT_TRANSLATE_NOOP("AuditLabels", "Sent to the gateway"),
    "after_return": QT_TRANSLATE_NOOP("AuditLabels", "After the bank's return"),
    "after_refund": QT_TRANSLATE_NOOP("AuditLabels", "After a full refund"),
    "invoice_reopened": QT_TRANSLATE_NOOP("AuditLabels", "Invoice re-opened"),
    "approval_id": QT_TRANSLATE_NOOP("AuditLabels", "Approval request"),
    "kind": QT_TRANSLATE_NOOP("AuditLabels", "Sync job"),
    "jobs": QT_TRANSLATE_NOOP("AuditLabels", "Sync jobs"),
    "username": QT_TRANSLATE_NOOP("AuditLabels", "Username"),
    "role": QT_TRANSLATE_NOOP("AuditLabels", "Role"),
    "first_admin": QT_TRANSLATE_NOOP("AuditLabels", "First admin"),
    "demo": QT_TRANSLATE_NOOP("AuditLabels", "Demo"),
    "until": QT_TRANSLATE_NOOP("AuditLabels", "Locked until"),
    "changes": QT_TRANSLATE_NOOP("AuditLabels", "Changes"),
    "old": QT_TRANSLATE_NOOP("AuditLabels", "Before"),
    "new": QT_TRANSLATE_NOOP("AuditLabels", "After"),
    "rows": QT_TRANSLATE_NOOP("AuditLabels", "Rows"),
    "format": QT_TRANSLATE_NOOP("AuditLabels", "Format"),
    "filter": QT_TRANSLATE_NOOP("AuditLabels", "Filter"),
    "filters": QT_TRANSLATE_NOOP("AuditLabels", "Filters"),
    "date_from": QT_TRANSLATE_NOOP("AuditLabels", "From"),          # the audit export's filters
    "date_to": QT_TRANSLATE_NOOP("AuditLabels", "To"),
    "action": QT_TRANSLATE_NOOP("AuditLabels", "Action"),
    "text": QT_TRANSLATE_NOOP("AuditLabels", "Text"),
    "reason": QT_TRANSLATE_NOOP("AuditLabels", "Reason"),
    "recipient": QT_TRANSLATE_NOOP("AuditLabels", "Recipient"),
    "template": QT_TRANSLATE_NOOP("AuditLabels", "Template"),
    "language": QT_TRANSLATE_NOOP("AuditLabels", "Language"),
    "note": QT_TRANSLATE_NOOP("AuditLabels", "Note"),
    "message": QT_TRANSLATE_NOOP("AuditLabels", "Gateway message"),
    "last_error": QT_TRANSLATE_NOOP("AuditLabels", "Last error"),
}

# Settings, as "changes" name them: their one label is in payapp/domain/settings_spec.py (context AuditLabels).
SETTINGS: dict[str, str] = {spec.key: spec.label for spec in SPECS}

# Why a sign-in failed (payapp/services/users.py).
SIGN_IN_REASONS: dict[str, str] = {
    "unknown user": QT_TRANSLATE_NOOP("AuditLabels", "unknown user"),
    "locked": QT_TRANSLATE_NOOP("AuditLabels", "account locked"),
    "disabled": QT_TRANSLATE_NOOP("AuditLabels", "account disabled"),
    "wrong password": QT_TRANSLATE_NOOP("AuditLabels", "wrong password"),
}

_MONEY_SETTINGS = ("refunds.approval_threshold_minor",)


def details_text(details: str, locale: str = "en_US", currency: str = "") -> str:
    """An audit entry's JSON details for a person: "Amount: 276,06 $ · Order ID: demo-98-93 · Demo: Ja".
    `currency` is the installation's currency, for amounts stored without one ("" = show the stored number)."""
    try:
        data = json.loads(details)
    except ValueError:
        return details
    if not isinstance(data, dict):
        return details
    currency = str(data.get("currency") or currency)
    order = {key: i for i, key in enumerate(DETAIL_KEYS)}
    parts = []
    for key in sorted(data, key=lambda k: (order.get(k, len(order)), k)):
        if key == "currency" and ("amount_minor" in data or "changes" in data) and currency:
            continue                                    # shown with the amount
        value = _detail_value(key, data[key], locale, currency)
        parts.append(f"{_tr(DETAIL_KEYS, key)}: {value}")
    return " · ".join(parts)


def _detail_value(key: str, value: Any, locale: str, currency: str) -> str:
    from payapp.ui.messages import stored_message_text

    if key == "changes" and isinstance(value, dict):
        return "; ".join(f"{_tr(SETTINGS, name)}: {_change(name, change, locale, currency)}"
                         for name, change in value.items())
    if isinstance(value, list) and len(value) == 2 and key in ("role",):
        return " → ".join(_plain(key, v, locale, currency) for v in value)
    if isinstance(value, list):
        return ", ".join(_plain(key, v, locale, currency) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{_tr(DETAIL_KEYS, k)}: {_plain(k, v, locale, currency)}" for k, v in value.items())
    if key in ("reason", "message", "last_error", "note") and isinstance(value, str):
        return _tr(SIGN_IN_REASONS, value) if value in SIGN_IN_REASONS else (stored_message_text(value) or "—")
    return _plain(key, value, locale, currency)


def _change(name: str, change: Any, locale: str, currency: str) -> str:
    if isinstance(change, list) and len(change) == 2:
        key = "amount_minor" if name in _MONEY_SETTINGS else name
        return " → ".join(_plain(key, v, locale, currency) for v in change)
    return _plain(name, change, locale, currency)


def _plain(key: str, value: Any, locale: str, currency: str) -> str:
    from payapp.services.outbox import KIND_LABELS
    from payapp.ui.messages import message_text, translate_message

    if isinstance(value, bool):
        return QCoreApplication.translate("AuditLabels", "Yes") if value else QCoreApplication.translate(
            "AuditLabels", "No")
    if value is None or value == "":
        return "—"
    if key == "amount_minor" and isinstance(value, int):
        if not currency:
            return format_decimal(value, locale=locale)
        try:
            return format_money(value, currency, locale)
        except (ValueError, UnknownCurrencyError):
            return f"{format_decimal(value, locale=locale)} {currency}"
    if key == "method" and value in PAYMENT_TYPE_LABELS:
        return message_text(PAYMENT_TYPE_LABELS[value])
    if key == "kind" and value in KIND_LABELS:
        return translate_message(KIND_LABELS[value])
    if key == "role" and isinstance(value, str):
        return _role(value)
    if key == "until" and isinstance(value, str):
        try:
            return format_moment(dt.datetime.fromisoformat(value), locale)
        except ValueError:
            return value
    return str(value)                                   # ids and counts without grouping, codes, text




def _role(code: str) -> str:
    from payapp.domain.roles import Role
    from payapp.ui.admin.users_page import role_label

    try:
        return role_label(Role(code))
    except ValueError:
        return code

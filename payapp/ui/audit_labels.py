"""What the audit log's action and entity codes say in the user's language.

The log stores codes ("payment.approved", entity "payment"): they are what the filter matches and what the CSV
export writes. The screens show these labels instead, and the code as a tooltip; a code without a label (one
added later) is shown as it is rather than hidden.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

__all__ = ["ACTIONS", "ENTITIES", "GROUPS", "action_label", "entity_label", "group_label"]

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
    "payment.sync_retry": QT_TRANSLATE_NOOP("AuditLabels", "Sync retried"),
    "payment.receipt_saved": QT_TRANSLATE_NOOP("AuditLabels", "Receipt saved as PDF"),
    "payment.receipt_printed": QT_TRANSLATE_NOOP("AuditLabels", "Receipt printed"),
    "payments.exported": QT_TRANSLATE_NOOP("AuditLabels", "Payments exported"),
    "payment_method.saved": QT_TRANSLATE_NOOP("AuditLabels", "Payment method saved"),
    "payment_method.deleted": QT_TRANSLATE_NOOP("AuditLabels", "Saved payment method deleted"),
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


def entity_label(entity_type: str, entity_id: str = "") -> str:
    return f"{_tr(ENTITIES, entity_type) if entity_type else ''} {entity_id}".strip()

"""When may this user take a payment on this invoice? One rule for the context menu, the invoice view and
the payment window: processing active, the role may take payments, and a balance above zero."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from payapp.domain.roles import Permission
from payapp.services.auth import CurrentUser
from payapp.services.settings import ProcessingStatus
from payapp.ui.messages import legacy_text, message_text


def pay_block_reason(status: ProcessingStatus | None, user: CurrentUser, balance_minor: int,
                     voided: bool = False) -> str:
    """"" when a payment may be taken, else why not in plain words (shown as tooltip and status tip)."""
    if not user.can(Permission.TAKE_PAYMENT):
        return QCoreApplication.translate("PayRule", "Your role may not take payments. Ask a Finance user or an admin.")
    if voided:
        return QCoreApplication.translate("PayRule", "This invoice was voided; it cannot be paid.")
    if balance_minor <= 0:
        return QCoreApplication.translate("PayRule", "This invoice has nothing left to pay.")
    if status is None:
        return QCoreApplication.translate("PayRule", "Checking whether payment processing is set up…")
    if not status.active:
        return message_text(status.reason_message) if status.reason_message else legacy_text(status.reason)
    if not status.back_office:
        return QCoreApplication.translate("PayRule",
                                          "No payment type is enabled for the back office: enable one in Admin.")
    return ""

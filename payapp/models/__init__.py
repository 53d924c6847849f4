"""SQLAlchemy tables (no Qt here). Importing this package registers every table on `Base.metadata`."""

from payapp.models.base import Base, utcnow
from payapp.models.crm import Company, Contact, Contract, Ticket
from payapp.models.invoices import Invoice, InvoiceLine
from payapp.models.payments import AchAuthorization, Payment, Refund, RefundApproval, SavedPaymentMethod, SepaMandate
from payapp.models.portal import (
    PaymentLink,
    PortalContactAccess,
    PortalMethodOwner,
    PortalRateCount,
    PortalSignInToken,
    PortalSubmission,
    PortalUserSession,
)
from payapp.models.qbwc import QbdRecord, QbwcExchange, QbwcSession
from payapp.models.system import (
    AccountingCustomerLink,
    AuditEvent,
    OutboxJob,
    Setting,
    SyncCursor,
    SyncLock,
    User,
)
from payapp.models.totals import InvoiceTotalsShard, PaymentTotalsShard

__all__ = [
    "AccountingCustomerLink", "AchAuthorization", "AuditEvent", "Base", "Company", "Contact", "Contract", "Invoice",
    "InvoiceLine", "InvoiceTotalsShard", "OutboxJob", "Payment", "PaymentLink", "PaymentTotalsShard",
    "PortalContactAccess", "PortalMethodOwner", "PortalRateCount", "PortalSignInToken", "PortalSubmission",
    "PortalUserSession", "QbdRecord", "QbwcExchange", "QbwcSession", "Refund",
    "RefundApproval", "SavedPaymentMethod", "SepaMandate", "Setting", "SyncCursor", "SyncLock", "Ticket", "User",
    "utcnow",
]

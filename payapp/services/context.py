"""The services the UI is given. Built by payapp/app.py (the composition root), passed to widgets.

Widgets take what they need from here; nothing is looked up globally. Every service is always there (the
root builds them all), so a widget never checks for a missing one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from payapp.models.db import Database
from payapp.services.auth import CurrentUser
from payapp.services.secrets import SecretStore
from payapp.services.settings import SettingsService

if TYPE_CHECKING:
    from payapp.services.connections import ConnectionsService
    from payapp.services.demo_data import DemoSettlement
    from payapp.services.gateways import GatewayProvider
    from payapp.services.invoice_mail import InvoiceMailService
    from payapp.services.invoices import InvoiceService
    from payapp.services.mail import MailService
    from payapp.services.outbox import OutboxWorker
    from payapp.services.payment_links import PaymentLinkService
    from payapp.services.payment_search import PaymentSearchService
    from payapp.services.payments import PaymentService
    from payapp.services.portal_access import PortalAccessService
    from payapp.services.processing import ProcessingSetupService
    from payapp.services.qbwc import QbwcService
    from payapp.services.receipts import ReceiptService
    from payapp.services.refund_approvals import RefundApprovalService
    from payapp.services.saved_methods import SavedMethodService
    from payapp.services.sync import SyncService
    from payapp.services.users import AuditLogService, UserService


@dataclass
class Services:
    db: Database
    current_user: CurrentUser
    settings: SettingsService
    secrets: SecretStore
    users: UserService
    audit_log: AuditLogService
    gateways: GatewayProvider
    payments: PaymentService
    invoices: InvoiceService
    payment_search: PaymentSearchService
    refund_approvals: RefundApprovalService
    processing: ProcessingSetupService
    sync: SyncService
    outbox: OutboxWorker
    connections: ConnectionsService
    payment_links: PaymentLinkService
    receipts: ReceiptService
    saved_methods: SavedMethodService
    portal_access: PortalAccessService
    qbwc: QbwcService                             # QuickBooks Desktop: the Web Connector's service
    mail: MailService
    invoice_mail: InvoiceMailService        # payment links and receipts by e-mail, over `mail`
    demo_settlement: DemoSettlement | None      # demo only: "Settle now" (None for a real company)
    demo: bool = False
    locale: str = "en_US"

"""The services the UI is given. Built by payapp/app.py (the composition root), passed to widgets.

Widgets take what they need from here; nothing is looked up globally."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from payapp.models.db import Database
from payapp.services.auth import CurrentUser
from payapp.services.secrets import SecretStore
from payapp.services.settings import SettingsService

if TYPE_CHECKING:
    from payapp.services.connections import ConnectionsService
    from payapp.services.gateways import GatewayProvider
    from payapp.services.invoices import InvoiceService
    from payapp.services.outbox import OutboxWorker
    from payapp.services.payment_search import PaymentSearchService
    from payapp.services.payments import PaymentService
    from payapp.services.sync import SyncService
    from payapp.services.users import AuditLogService, UserService


@dataclass
class Services:
    db: Database
    current_user: CurrentUser
    settings: SettingsService
    secrets: SecretStore
    demo: bool = False
    locale: str = "en_US"
    users: UserService | None = None
    audit_log: AuditLogService | None = None
    gateways: GatewayProvider | None = None
    payments: PaymentService | None = None
    invoices: InvoiceService | None = None
    payment_search: PaymentSearchService | None = None
    sync: SyncService | None = None
    outbox: OutboxWorker | None = None
    connections: ConnectionsService | None = None
    extras: dict[str, object] = field(default_factory=dict)

"""Composition root: config → database → secret store → HTTP client → connectors → services → UI.

Everything is built here and passed in; nothing is looked up globally. Tests and tools call
`build_context(config)` / `build_main_window(config)` against a temporary folder."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import keyring
from keyring.backend import KeyringBackend
from sqlalchemy import func, select

from payapp.config import AppConfig, Tuning, load_tuning
from payapp.domain.roles import Role
from payapp.migrations import upgrade_if_needed
from payapp.models import Invoice
from payapp.models.db import Database, make_sync_engine
from payapp.services.auth import Actor, CurrentUser
from payapp.services.context import Services
from payapp.services.memory_keyring import MEMORY_BACKEND_MODULES, MemoryKeyring
from payapp.services.secrets import ALLOWED_BACKENDS, Secret, SecretStore
from payapp.services.settings import PRIVATE_KEY, PUBLIC_KEY, SettingsService

log = logging.getLogger(__name__)

# Demo mode talks to in-process sandboxes under these made-up hosts (httpx mounts, no sockets).
DEMO_GATEWAY_URL = "https://gateway.sandbox.payapp.test"
DEMO_AUTOTASK_URL = "https://autotask.sandbox.payapp.test/atservicesrest"
DEMO_QUICKBOOKS_URL = "https://quickbooks.sandbox.payapp.test"
DEMO_QUICKBOOKS_AUTH_URL = "https://oauth.sandbox.payapp.test"
DEMO_ACTOR = Actor(user_id=None, username="demo", role=Role.ADMIN, display_name="Demo Admin")


@dataclass
class AppContext:
    config: AppConfig
    services: Services
    http: httpx.AsyncClient
    sandboxes: dict[str, Any] = field(default_factory=dict)
    background: list[asyncio.Task[Any]] = field(default_factory=list)
    tuning: Tuning = field(default_factory=Tuning)

    async def start_background(self) -> None:
        """Start-up work that must not block the window: reconcile payments whose outcome is unknown. The demo
        company first connects to its in-process Autotask and QuickBooks sandboxes (its keyring lives in memory, so
        on every start), so Admin › Connections shows them connected as the README says, not after a first sync."""
        connections = self.services.connections
        if connections is not None and connections.demo:
            await self._guarded(connections.setup_demo)
        payments = self.services.payments
        if payments is not None:
            self.background.append(asyncio.create_task(self._guarded(payments.reconcile_undecided)))
            self.background.append(asyncio.create_task(self._every(self.tuning.payment_check_interval,
                                                                  self._payment_checks)))
        outbox = self.services.outbox
        if outbox is not None:   # pushes payments to QuickBooks and Autotask, with retries and backoff
            self.background.append(asyncio.create_task(self._guarded(outbox.run_forever)))

    async def _payment_checks(self) -> None:
        """Decide payments whose look-up is due, and mark settlements and eCheck returns."""
        payments = self.services.payments
        if payments is not None:
            await payments.reconcile_undecided(only_due=True)
            await payments.check_settlements()

    async def _every(self, seconds: float, job: Any) -> None:
        while True:
            await asyncio.sleep(seconds)
            await self._guarded(job)

    @staticmethod
    async def _guarded(job: Callable[[], Awaitable[Any]]) -> None:
        # Takes the function, not a coroutine: a task cancelled before its first step (the window closed at
        # once) would otherwise leave a coroutine that was never awaited.
        try:
            await job()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("background task failed")

    async def aclose(self) -> None:
        for task in self.background:
            task.cancel()
        for task in self.background:
            with contextlib.suppress(BaseException):
                await task
        if self.services.payments is not None:
            self.services.payments.close()
        await self.http.aclose()
        await self.services.db.dispose()


def prepare_database(config: AppConfig) -> bool:
    """Apply migrations; in demo mode fill an empty database with the demo company. Returns True when
    demo data was generated."""
    config.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade_if_needed(config.database_url)
    if not config.demo:
        return False
    engine = make_sync_engine(config.database_url)
    with engine.connect() as conn:
        empty = conn.execute(select(func.count()).select_from(Invoice)).scalar_one() == 0
    engine.dispose()
    if empty:
        from payapp.services.demo_data import generate_demo_company

        generate_demo_company(config.database_url)
    return empty


def _demo_sandboxes() -> dict[str, Any]:
    """The in-process sandbox apps demo mode talks to (each speaks the real wire protocol)."""
    from payapp.sandbox.autotask import AutotaskSandbox, create_autotask_app
    from payapp.sandbox.gateway import GatewaySandbox, create_gateway_app
    from payapp.sandbox.quickbooks import QuickBooksSandbox, create_quickbooks_app

    gateway_state, autotask_state, quickbooks_state = GatewaySandbox(), AutotaskSandbox(), QuickBooksSandbox()
    return {"gateway": (gateway_state, create_gateway_app(gateway_state)),
            "autotask": (autotask_state, create_autotask_app(autotask_state)),
            "quickbooks": (quickbooks_state, create_quickbooks_app(quickbooks_state))}


def _demo_settings() -> dict[str, object]:
    return {"gateway.base_url": DEMO_GATEWAY_URL, "currency": "USD",
            "payment_types.back_office.card": True, "payment_types.back_office.echeck": True,
            "payment_types.portal.card": True, "payment_types.portal.echeck": False,
            "autotask.base_url": DEMO_AUTOTASK_URL, "quickbooks.base_url": DEMO_QUICKBOOKS_URL,
            "quickbooks.auth_base_url": DEMO_QUICKBOOKS_AUTH_URL}


def build_context(config: AppConfig, *, keyring_backend: KeyringBackend | None = None,
                  prepare: bool = True, allow_backends: tuple[str, ...] | None = None,
                  tuning: Tuning | None = None) -> AppContext:
    tuning = tuning if tuning is not None else load_tuning()
    if prepare:
        prepare_database(config)
    db = Database(config.database_url)
    sandboxes: dict[str, Any] = {}
    if config.demo:
        # Demo keys are the sandbox's made-up values, not secrets: an in-memory keyring keeps the demo
        # away from the real OS keyring.
        secrets = SecretStore(keyring_backend or MemoryKeyring(), allow=ALLOWED_BACKENDS + MEMORY_BACKEND_MODULES)
        sandboxes = _demo_sandboxes()
        from payapp.sandbox.gateway import DEMO_PUBLIC_KEY, DEMO_SECURITY_KEY
        from payapp.services.demo_data import write_demo_settings

        demo = _demo_settings()
        demo["gateway.private_key_fingerprint"] = secrets.set(PRIVATE_KEY, Secret(DEMO_SECURITY_KEY))
        demo["gateway.public_key_fingerprint"] = secrets.set(PUBLIC_KEY, Secret(DEMO_PUBLIC_KEY))
        write_demo_settings(config.database_url, demo)
        hosts = ((DEMO_GATEWAY_URL, "gateway"), (DEMO_AUTOTASK_URL, "autotask"),
                 (DEMO_QUICKBOOKS_URL, "quickbooks"), (DEMO_QUICKBOOKS_AUTH_URL, "quickbooks"))
        mounts = {f"all://{httpx.URL(url).host}": httpx.ASGITransport(app=sandboxes[name][1]) for url, name in hosts}
        http = httpx.AsyncClient(mounts=mounts, timeout=httpx.Timeout(30.0, connect=10.0))
        current = CurrentUser(DEMO_ACTOR)
    else:
        secrets = SecretStore(keyring_backend or keyring.get_keyring(), allow=allow_backends or ALLOWED_BACKENDS)
        http = httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=10.0))
        current = CurrentUser(None)
    settings = SettingsService(db, secrets, current)
    services = Services(db=db, current_user=current, settings=settings, secrets=secrets, demo=config.demo)
    _build_feature_services(services, http, tuning)
    return AppContext(config=config, services=services, http=http, sandboxes=sandboxes, tuning=tuning)


def _build_feature_services(services: Services, http: httpx.AsyncClient, tuning: Tuning) -> None:
    """Connectors and the services on top of them."""
    from payapp.services.users import AuditLogService, UserService, ensure_demo_admin

    services.users = UserService(services.db, services.current_user)
    services.audit_log = AuditLogService(services.db, services.current_user)
    if services.demo:  # the demo admin is a real user row, so audit entries carry a user id
        services.current_user.actor = ensure_demo_admin(services.db.url)
    from payapp.services.gateways import GatewayProvider
    from payapp.services.payments import PaymentService

    services.gateways = GatewayProvider(http, services.settings, services.secrets, timeout=tuning.gateway_timeout)
    services.payments = PaymentService(
        services.db, services.gateways, services.settings, services.current_user,
        lookup_delays=tuning.lookup_delays, send_window=dt.timedelta(seconds=tuning.send_window),
        unmatched_grace=dt.timedelta(seconds=tuning.unmatched_grace),
        recheck_backoff=tuple(dt.timedelta(seconds=x) for x in tuning.recheck_backoff))
    from payapp.services.payment_search import PaymentSearchService
    from payapp.services.refund_approvals import RefundApprovalService

    services.payment_search = PaymentSearchService(services.db, services.current_user)
    services.extras["refund_approvals"] = RefundApprovalService(services.db, services.payments, services.settings,
                                                                services.current_user)
    from payapp.services.invoices import InvoiceService

    services.invoices = InvoiceService(services.db, services.current_user)
    from payapp.services.connections import ConnectionsService
    from payapp.services.outbox import OutboxWorker
    from payapp.services.sync import SyncService

    connections = ConnectionsService(services.db, services.settings, services.secrets, services.current_user, http,
                                     demo=services.demo,
                                     quickbooks_rate=0.0 if services.demo else tuning.quickbooks_rate)
    services.connections = connections
    services.sync = SyncService(services.db, connections.autotask, connections.quickbooks, services.settings,
                                services.current_user)
    services.outbox = OutboxWorker(services.db, connections.quickbooks, connections.autotask,
                                   current=services.current_user, settings=services.settings,
                                   lease=dt.timedelta(seconds=tuning.outbox_lease),
                                   backoff_base=dt.timedelta(seconds=tuning.outbox_backoff_base),
                                   backoff_cap=dt.timedelta(seconds=tuning.outbox_backoff_cap))
    # Reconnected (e.g. after invalid_grant): what waited for QuickBooks goes now, not after the 5-minute hold.
    connections.on_quickbooks_connected(services.outbox.resume_held)


def build_tabs(services: Services, state: Any) -> list[tuple[str, str, Any]]:
    """The main window's three tabs over `services` (Qt is imported here, not at module import)."""
    from payapp.ui.admin.admin_tab import AdminTab
    from payapp.ui.invoices.invoice_history_tab import InvoiceHistoryTab
    from payapp.ui.main_window import main_tab_titles
    from payapp.ui.payments.payment_search_tab import PaymentSearchTab

    widgets = {"adminTab": lambda: AdminTab(services),
               "invoiceHistoryTab": lambda: InvoiceHistoryTab(services, state),
               "paymentSearchTab": lambda: PaymentSearchTab(services, state)}
    return [(name, title, widgets[name]()) for name, title in main_tab_titles()]


def status_labels(services: Services) -> dict[str, str]:
    """The status bar's texts: the database's location (for About), the company (until QuickBooks names it:
    the database's name), the signed-in user's name and role (MainWindow.set_status)."""
    actor = services.current_user.actor
    return {"database_label": services.db.display_name, "company_label": services.db.company_name,
            "user_label": (actor.display_name or actor.username) if actor else "",
            "role": actor.role.value if actor else ""}


async def company_name(services: Services) -> str:
    """The company's name as QuickBooks has it, "" when not known (not connected yet, or unreadable)."""
    try:
        return str((await services.settings.get_all())["quickbooks.company_name"] or "")
    except Exception:
        log.exception("could not read the company name")
        return ""


def install_status_widgets(window: Any, services: Services) -> None:
    """The status bar's connection state beside the database: the sync widget (last sync, Sync now, progress
    with Cancel, sync problems, the sync schedule). Sync now is hidden from a role that may not run syncs (the
    sync service refuses it anyway). Call once the user is signed in."""
    if services.sync is None:
        return
    from payapp.domain.roles import Permission
    from payapp.ui.sync_status import install_sync_status

    widget = install_sync_status(window, services, locale=services.locale)
    widget.sync_button.setVisible(services.current_user.can(Permission.RUN_SYNC))
    # A closed window starts no more syncs or outbox reads (the app is quitting; its loop is about to stop).
    window.closing.connect(widget.refresh_timer.stop)
    window.closing.connect(widget.sync_timer.stop)


def build_main_window(config: AppConfig, *, keyring_backend: KeyringBackend | None = None,
                      context: AppContext | None = None) -> Any:
    """The whole app's main window over `config` (Qt is imported here, not at module import)."""
    from payapp.ui.main_window import MainWindow
    from payapp.ui.window_state import WindowState

    ctx = context or build_context(config, keyring_backend=keyring_backend)
    state = WindowState(config.settings_path)
    window = MainWindow(tabs=build_tabs(ctx.services, state), window_state=state, demo=config.demo,
                        **status_labels(ctx.services))
    window.context = ctx  # type: ignore[attr-defined]
    install_status_widgets(window, ctx.services)
    return window

"""Composition root: config → database → secret store → HTTP client → connectors → sandboxes → services → UI.

The one place that builds these, for every entry point: the desktop window (payapp/gui.py), `payapp sync`
(`run_headless_sync` below), `payapp screenshots` (payapp/screenshots.py) and `payapp --smoke-test`. Everything
is built here and passed in; nothing is looked up globally. Tests and tools call `build_context(config)` /
`build_main_window(context)` against a temporary folder. Qt is only imported inside the window functions, so
a front end without Qt can build the services too."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import os
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
import keyring
from keyring.backend import KeyringBackend
from sqlalchemy import Engine, func, select

from payapp.config import AppConfig, Tuning, load_tuning
from payapp.domain.messages import Message, english
from payapp.domain.roles import Role
from payapp.migrations import upgrade_if_needed
from payapp.models import Invoice
from payapp.models.db import Database, make_sync_engine
from payapp.services.auth import SYSTEM, Actor, CurrentUser
from payapp.services.connections import DemoCredentials
from payapp.services.context import Services
from payapp.services.memory_keyring import MEMORY_BACKEND_MODULES, MemoryKeyring
from payapp.services.secrets import ALLOWED_BACKENDS, Secret, SecretStore
from payapp.services.settings import PRIVATE_KEY, PUBLIC_KEY, QBWC_PASSWORD_SECRET, SettingsService
from payapp.services.sync import ProgressCallback, SyncProgress, SyncReport

if TYPE_CHECKING:       # built lazily (the window's start does not wait for the payment engine's imports)
    from payapp.services.payments import PaymentService

log = logging.getLogger(__name__)

# Demo mode talks to in-process sandboxes under these made-up hosts (httpx mounts, no sockets).
DEMO_GATEWAY_URL = "https://gateway.sandbox.payapp.test"
DEMO_PAYENGINE_URL = "https://payengine.sandbox.payapp.test"
DEMO_PAYPAL_URL = "https://paypal.sandbox.payapp.test"
#: the demo portal serves these sandboxes' browser pages (PayEngine's hosted page, PayPal's buyer page) under its
#: own address: (sandbox name, its made-up origin, the portal's path, the page paths a browser may open there)
DEMO_SANDBOX_PAGES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("payengine", DEMO_PAYENGINE_URL, "/_sandbox/payengine", ("/hosted/",)),
    ("paypal", DEMO_PAYPAL_URL, "/_sandbox/paypal", ("/cgi-bin/webscr",)))
DEMO_AUTOTASK_URL = "https://autotask.sandbox.payapp.test/atservicesrest"
DEMO_QUICKBOOKS_URL = "https://quickbooks.sandbox.payapp.test"
DEMO_QUICKBOOKS_AUTH_URL = "https://oauth.sandbox.payapp.test"
#: a PEM file of certificate authorities the SMTP client trusts instead of the system's (a mail server with the
#: company's own CA); docs/email.md
MAIL_CA_FILE_ENV = "PAYAPP_MAIL_CA_FILE"
DEMO_ACTOR = Actor(user_id=None, username="demo", role=Role.ADMIN, display_name="Demo Admin")


class LocalQbwcServer:
    """The desktop app answering the Web Connector on http://localhost:<port>/qbwc (QuickBooks on this computer).
    uvicorn runs in a thread of its own, with its own event loop, database engine and services (built here, at
    the composition root, over the same database URL and secret store), so the window's loop never waits on it."""

    def __init__(self, database_url: str, secrets: SecretStore, current: CurrentUser) -> None:
        self._url = database_url
        self._secrets = secrets
        self._current = current
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.port: int | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, port: int) -> None:
        import uvicorn

        from payapp.services.qbwc import QbwcService
        from payapp.services.qbwc_soap import create_qbwc_app

        self.stop()
        db = Database(self._url)
        service = QbwcService(db, self._secrets, SettingsService(db, self._secrets, self._current))
        config = uvicorn.Config(create_qbwc_app(service, on_shutdown=db.dispose), host="127.0.0.1", port=port,
                                lifespan="on", log_level="warning", access_log=False, server_header=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="qbwc-local", daemon=True)
        self._thread.start()
        self.port = port
        log.info("answering the QuickBooks Web Connector on http://localhost:%d/qbwc", port)

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server, self._thread, self.port = None, None, None

    async def wait_started(self, timeout: float = 10.0) -> bool:
        deadline = asyncio.get_running_loop().time() + timeout
        while self._server is not None and not self._server.started:
            if not self.running or asyncio.get_running_loop().time() > deadline:
                return False
            await asyncio.sleep(0.02)
        return self._server is not None


@dataclass
class AppContext:
    config: AppConfig
    services: Services
    http: httpx.AsyncClient
    sandboxes: Mapping[str, Any] = field(default_factory=dict)
    background: list[asyncio.Task[Any]] = field(default_factory=list)
    tuning: Tuning = field(default_factory=Tuning)
    local_qbwc: LocalQbwcServer | None = None

    async def sync_local_qbwc(self) -> None:
        """Start, restart or stop this app's own Web Connector service as Admin › Connections says."""
        settings = self.services.settings
        wanted = bool(await settings.get("qbwc.serve_locally"))
        port = int(await settings.get("qbwc.local_port"))
        if self.local_qbwc is None:
            if not wanted:
                return
            self.local_qbwc = LocalQbwcServer(self.config.database_url, self.services.secrets,
                                              self.services.current_user)
        server = self.local_qbwc
        if wanted and (not server.running or server.port != port):
            await asyncio.to_thread(server.start, port)
        elif not wanted and server.running:
            await asyncio.to_thread(server.stop)

    async def start_background(self) -> None:
        """Start-up work that must not block the window: reconcile payments whose outcome is unknown. The demo
        company first connects to its in-process Autotask and QuickBooks sandboxes (its keyring lives in memory, so
        on every start), so Admin › Connections shows them connected as the README says, not after a first sync."""
        connections = self.services.connections
        if connections.demo:
            await guarded(connections.setup_demo)
        payments = self.services.payments
        self.background.append(asyncio.create_task(guarded(payments.reconcile_undecided)))
        self.background.append(asyncio.create_task(run_every(self.tuning.payment_check_interval,
                                                             lambda: payment_checks(payments))))
        # pushes payments to QuickBooks and Autotask, with retries and backoff
        self.background.append(asyncio.create_task(guarded(self.services.outbox.run_forever)))
        # QuickBooks Desktop on this computer: answer its Web Connector from here (when Admin chose so)
        self.background.append(asyncio.create_task(guarded(self.sync_local_qbwc)))
        self.services.qbwc.on_local_serving_changed(
            lambda: self.background.append(asyncio.ensure_future(guarded(self.sync_local_qbwc))))

    async def aclose(self) -> None:
        for task in self.background:
            task.cancel()
        for task in self.background:
            with contextlib.suppress(BaseException):
                await task
        self.services.payments.close()
        if self.local_qbwc is not None:
            await asyncio.to_thread(self.local_qbwc.stop)
        await self.http.aclose()
        await self.services.db.dispose()


def prepare_database(config: AppConfig, engine: Engine | None = None) -> bool:
    """Apply migrations; in demo mode fill an empty database with the demo company. Returns True when
    demo data was generated. `engine` (a sync engine on config.database_url) is the caller's to reuse."""
    config.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade_if_needed(config.database_url)
    if not config.demo:
        return False
    own = engine is None
    engine = engine if engine is not None else make_sync_engine(config.database_url)
    with engine.connect() as conn:
        empty = conn.execute(select(func.count()).select_from(Invoice)).scalar_one() == 0
    if own:
        engine.dispose()
    if empty:
        from payapp.services.demo_data import generate_demo_company

        generate_demo_company(config.database_url)
    return empty


class DemoSandboxes(Mapping[str, tuple[Any, Any]]):
    """The demo's sandboxes, (state, ASGI app) by name, read from their state files (~36,000 records,
    0.2-0.3 s) the first time one is used, not while the window opens: by the demo's first request (which reads
    them in a worker thread) or by code that looks at a sandbox (tests)."""

    NAMES = ("gateway", "autotask", "quickbooks", "payengine", "paypal")

    def __init__(self, load: Callable[[], dict[str, Any]]) -> None:
        self._load = load
        self._items: dict[str, Any] | None = None
        self._lock = threading.Lock()

    def loaded(self) -> dict[str, Any]:
        with self._lock:
            if self._items is None:
                self._items = self._load()
            return self._items

    def __getitem__(self, name: str) -> tuple[Any, Any]:
        return self.loaded()[name]  # type: ignore[no-any-return]

    def __iter__(self) -> Iterator[str]:
        return iter(self.NAMES)

    def __len__(self) -> int:
        return len(self.NAMES)

    def app(self, name: str) -> Callable[..., Awaitable[None]]:
        """The sandbox `name`'s ASGI app, read in a worker thread on the first request."""
        async def app(scope: Any, receive: Any, send: Any) -> None:
            items = self._items if self._items is not None else await asyncio.to_thread(self.loaded)
            await items[name][1](scope, receive, send)
        return app


def _demo_sandboxes(config: AppConfig, *, reseed: bool = False) -> dict[str, Any]:
    """The in-process sandbox apps demo mode talks to (each speaks the real wire protocol): seeded from the demo
    database and kept in the demo's data folder, so they are the same company and survive a restart. `reseed`:
    the demo database was just generated, so state files left from an earlier one are replaced."""
    from payapp.sandbox.demo_company import open_demo_sandboxes

    return open_demo_sandboxes(config.data_dir, config.database_url, reseed=reseed)


def demo_credentials() -> DemoCredentials:
    """The sandboxes' made-up sign-in values, which the demo company's ConnectionsService saves by itself."""
    from payapp.sandbox.demo_keys import (
        DEMO_API_USER,
        DEMO_CLIENT_ID,
        DEMO_CLIENT_SECRET,
        DEMO_INTEGRATION_CODE,
        DEMO_REFUND_ACCOUNT,
        DEMO_SECRET,
    )

    return DemoCredentials(autotask_api_user=DEMO_API_USER, autotask_secret=DEMO_SECRET,
                           autotask_integration_code=DEMO_INTEGRATION_CODE, quickbooks_client_id=DEMO_CLIENT_ID,
                           quickbooks_client_secret=DEMO_CLIENT_SECRET, refund_account=DEMO_REFUND_ACCOUNT)


class _NoNetwork(httpx.AsyncBaseTransport):
    """The demo client's transport for any host that is not one of its sandboxes: the demo never leaves the
    process (and, unlike httpx's default transport, it costs no TLS set-up at start-up: ~45 ms)."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"The demo talks only to its sandboxes, not to {request.url.host}.",
                                 request=request)


def _sandbox_client(sandboxes: Mapping[str, Any], hosts: tuple[tuple[str, str], ...]) -> httpx.AsyncClient:
    """An HTTP client whose requests to each (base URL, sandbox name) host go to that in-process sandbox app
    (httpx mounts, no sockets); any other host is refused."""
    mounts = {f"all://{httpx.URL(url).host}": httpx.ASGITransport(
        app=sandboxes.app(name) if isinstance(sandboxes, DemoSandboxes) else sandboxes[name][1])
        for url, name in hosts}
    return httpx.AsyncClient(mounts=mounts, transport=_NoNetwork(), timeout=httpx.Timeout(30.0, connect=10.0),
                             trust_env=False)


def _demo_settings() -> dict[str, object]:
    return {"gateway.base_url": DEMO_GATEWAY_URL, "gateway.payengine.base_url": f"{DEMO_PAYENGINE_URL}/v1",
            "gateway.paypal.base_url": DEMO_PAYPAL_URL, "currency": "USD",
            "payment_types.back_office.card": True, "payment_types.back_office.echeck": True,
            "payment_types.portal.card": True, "payment_types.portal.echeck": False,
            "autotask.base_url": DEMO_AUTOTASK_URL, "quickbooks.base_url": DEMO_QUICKBOOKS_URL,
            "quickbooks.auth_base_url": DEMO_QUICKBOOKS_AUTH_URL}


def _demo_secret_store(keyring_backend: KeyringBackend | None = None) -> SecretStore:
    # Demo keys are the sandbox's made-up values, not secrets: an in-memory keyring keeps the demo away from the
    # real OS keyring.
    return SecretStore(keyring_backend or MemoryKeyring(), allow=ALLOWED_BACKENDS + MEMORY_BACKEND_MODULES)


def build_context(config: AppConfig, *, keyring_backend: KeyringBackend | None = None,
                  prepare: bool = True, allow_backends: tuple[str, ...] | None = None,
                  tuning: Tuning | None = None) -> AppContext:
    tuning = tuning if tuning is not None else load_tuning()
    # the demo's start-up reads and writes through one engine, its writes in one transaction (one commit)
    demo_engine = make_sync_engine(config.database_url) if config.demo else None
    generated = prepare_database(config, demo_engine) if prepare else False
    db = Database(config.database_url)
    sandboxes: Mapping[str, Any] = {}
    if demo_engine is not None:
        secrets = _demo_secret_store(keyring_backend)
        sandboxes = DemoSandboxes(lambda: _demo_sandboxes(config, reseed=generated))
        from payapp.sandbox.demo_keys import DEMO_PUBLIC_KEY, DEMO_SECURITY_KEY
        from payapp.services.demo_data import demo_merchant, write_demo_settings_in
        from payapp.services.users import ensure_demo_admin_in

        demo = _demo_settings()
        demo["gateway.private_key_fingerprint"] = secrets.set(PRIVATE_KEY, Secret(DEMO_SECURITY_KEY))
        demo["gateway.public_key_fingerprint"] = secrets.set(PUBLIC_KEY, Secret(DEMO_PUBLIC_KEY))
        from payapp.sandbox.demo_keys import DEMO_API_KEY, DEMO_MERCHANT_ID

        # PayEngine's sandbox credentials too, so the demo admin can switch gateway in Admin and pay through it
        demo["gateway.payengine.api_key_fingerprint"] = secrets.set("gateway.payengine.api_key", Secret(DEMO_API_KEY))
        demo["gateway.payengine.merchant_id_fingerprint"] = secrets.set("gateway.payengine.merchant_id",
                                                                        Secret(DEMO_MERCHANT_ID))
        from payapp.sandbox.demo_keys import DEMO_API_PASSWORD, DEMO_API_SIGNATURE, DEMO_API_USERNAME

        # and PayPal's (its sandbox's made-up API signature credentials)
        for name, value in (("gateway.paypal.api_password", DEMO_API_PASSWORD),
                            ("gateway.paypal.api_username", DEMO_API_USERNAME),
                            ("gateway.paypal.api_signature", DEMO_API_SIGNATURE)):
            demo[f"{name}_fingerprint"] = secrets.set(name, Secret(value))
        # the demo's Web Connector signs in with a made-up password (`payapp sandbox --which qbwc` knows it)
        from payapp.sandbox.demo_keys import DEMO_QBWC_PASSWORD

        demo["qbwc.password_fingerprint"] = secrets.set(QBWC_PASSWORD_SECRET, Secret(DEMO_QBWC_PASSWORD))
        try:
            with demo_engine.begin() as conn:
                write_demo_settings_in(conn, demo)
                # the demo's payment links lead to its own portal (`payapp portal`), so "Copy payment link" works
                # at once
                write_demo_settings_in(conn, {**demo_merchant(), "portal.enabled": True,
                                              "portal.public_url": f"http://127.0.0.1:{DEFAULT_PORTAL_PORT}"},
                                       only_absent=True)
                # the demo admin is a real user row, so audit entries carry a user id
                current = CurrentUser(ensure_demo_admin_in(conn))
        finally:
            demo_engine.dispose()
        http = _sandbox_client(sandboxes, ((DEMO_GATEWAY_URL, "gateway"), (DEMO_PAYENGINE_URL, "payengine"),
                                           (DEMO_PAYPAL_URL, "paypal"), (DEMO_AUTOTASK_URL, "autotask"),
                                           (DEMO_QUICKBOOKS_URL, "quickbooks"),
                                           (DEMO_QUICKBOOKS_AUTH_URL, "quickbooks")))
    else:
        secrets = SecretStore(keyring_backend or keyring.get_keyring(), allow=allow_backends or ALLOWED_BACKENDS)
        http = httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=10.0))
        current = CurrentUser(None)
    services = build_services(db, secrets, http, current, demo=config.demo, tuning=tuning)
    return AppContext(config=config, services=services, http=http, sandboxes=sandboxes, tuning=tuning)


def build_services(db: Database, secrets: SecretStore, http: httpx.AsyncClient, current: CurrentUser, *,
                   demo: bool = False, tuning: Tuning | None = None) -> Services:
    """Settings, connectors and the services on top of them, over an open database, secret store and HTTP
    client (the demo company's connections sign in to the sandboxes with `demo_credentials()`)."""
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

    tuning = tuning if tuning is not None else Tuning()
    settings = SettingsService(db, secrets, current)
    gateways = GatewayProvider(http, settings, secrets, timeout=tuning.gateway_timeout)
    payments = PaymentService(
        db, gateways, settings, current,
        lookup_delays=tuning.lookup_delays, send_window=dt.timedelta(seconds=tuning.send_window),
        unmatched_grace=dt.timedelta(seconds=tuning.unmatched_grace),
        recheck_backoff=tuple(dt.timedelta(seconds=x) for x in tuning.recheck_backoff))
    connections = ConnectionsService(db, settings, secrets, current, http, demo=demo,
                                     quickbooks_rate=0.0 if demo else tuning.quickbooks_rate,
                                     demo_credentials=demo_credentials() if demo else None)
    outbox = OutboxWorker(db, connections.quickbooks, connections.autotask, current=current, settings=settings,
                          lease=dt.timedelta(seconds=tuning.outbox_lease),
                          backoff_base=dt.timedelta(seconds=tuning.outbox_backoff_base),
                          backoff_cap=dt.timedelta(seconds=tuning.outbox_backoff_cap))
    # Reconnected (e.g. after invalid_grant): what waited for QuickBooks goes now, not after the 5-minute hold.
    connections.on_quickbooks_connected(outbox.resume_held)
    # "Settle now" (Payment Search, demo only): the demo gateway's daily batch at once, to try refunds
    demo_settlement = DemoSettlement(http, DEMO_GATEWAY_URL, payments, current) if demo else None
    mail = MailService(settings, secrets, current, ca_file=os.environ.get(MAIL_CA_FILE_ENV) or None,
                       timeout=tuning.mail_timeout)
    payment_links = PaymentLinkService(db, settings, current)
    receipts = ReceiptService(db, settings, current)
    return Services(
        db=db, current_user=current, settings=settings, secrets=secrets, demo=demo,
        users=UserService(db, current), audit_log=AuditLogService(db, current), gateways=gateways,
        payments=payments, invoices=InvoiceService(db, current), payment_search=PaymentSearchService(db, current),
        refund_approvals=RefundApprovalService(db, payments, settings, current),
        processing=ProcessingSetupService(settings, secrets, current, gateways),
        sync=SyncService(db, connections.autotask, connections.quickbooks, settings, current),
        outbox=outbox, connections=connections, demo_settlement=demo_settlement,
        payment_links=payment_links, receipts=receipts, saved_methods=SavedMethodService(db, gateways, current),
        qbwc=QbwcService(db, secrets, settings), mail=mail, portal_access=PortalAccessService(db, current),
        invoice_mail=InvoiceMailService(db, settings, mail, payment_links, receipts, current))


def tab_factories(services: Services, state: Any) -> dict[str, Callable[[], Any]]:
    """How to make each of the main window's tabs; each imports its own module when called (Qt and the tab's
    code are not imported before a tab is made)."""
    def admin() -> Any:
        from payapp.ui.admin.admin_tab import AdminTab
        return AdminTab(services)

    def invoices() -> Any:
        from payapp.ui.invoices.invoice_history_tab import InvoiceHistoryTab
        return InvoiceHistoryTab(services, state)

    def payments() -> Any:
        from payapp.ui.payments.payment_search_tab import PaymentSearchTab
        return PaymentSearchTab(services, state)

    return {"adminTab": admin, "invoiceHistoryTab": invoices, "paymentSearchTab": payments}


def build_tabs(services: Services, state: Any) -> list[tuple[str, str, Any]]:
    """The main window's three tabs over `services` (Qt is imported here, not at module import)."""
    from payapp.ui.main_window import main_tab_titles

    widgets = tab_factories(services, state)
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
    from payapp.domain.roles import Permission
    from payapp.ui.sync_status import install_sync_status

    widget = install_sync_status(window, services, locale=services.locale)
    widget.sync_button.setVisible(services.current_user.can(Permission.RUN_SYNC))
    # A closed window starts no more syncs or outbox reads (the app is quitting; its loop is about to stop).
    window.closing.connect(widget.refresh_timer.stop)
    window.closing.connect(widget.sync_timer.stop)


def open_company(window: Any, context: AppContext, state: Any, *, current_only: bool = False) -> None:
    """Put the company into a main window shown with its loading pages (run_gui): the tabs over the context's
    services, the status bar texts, then what `_signed_in` adds. Call once the user is signed in.

    `current_only` (start-up): only the tab the window shows is made now; the others keep their loading pages
    until `window.build_pending_tabs()` (right after the first paint) or until the user opens one."""
    if current_only:
        from payapp.ui.main_window import main_tab_titles

        factories = tab_factories(context.services, state)
        current = window.tabs.currentWidget()
        shown = current.objectName() if current is not None else "invoiceHistoryTab"
        window.install_tabs([(name, title, factories[name]() if name == shown else None)
                             for name, title in main_tab_titles()],
                            later={name: f for name, f in factories.items() if name != shown})
    else:
        window.install_tabs(build_tabs(context.services, state))
    window.set_status(**status_labels(context.services))
    _signed_in(window, context.services)


def _signed_in(window: Any, services: Services) -> None:
    """What depends on the signed-in user: the tabs the role may see, the sync widget."""
    window.apply_role(services.current_user.actor)
    install_status_widgets(window, services)


def build_main_window(context: AppContext) -> Any:
    """The whole app's main window over `context`, its tabs in at once (Qt is imported here, not at module
    import). The caller keeps the context: it starts the background work and closes it (`AppContext.aclose`)
    after the window."""
    from payapp.ui.main_window import MainWindow
    from payapp.ui.window_state import WindowState

    state = WindowState(context.config.settings_path)
    window = MainWindow(tabs=build_tabs(context.services, state), window_state=state, demo=context.config.demo,
                        **status_labels(context.services))
    _signed_in(window, context.services)
    return window


# ---------------------------------------------------------------------- `payapp sync` (headless)


@dataclass(frozen=True)
class HeadlessResult:
    sync: SyncReport
    outbox_done: int
    outbox_problems: int
    outbox_stopped: Message | str


async def headless_sync(database_url: str, secrets: SecretStore, http: httpx.AsyncClient, *,
                        actor: Actor | None = None, demo: bool = False, full: bool = False,
                        drain_outbox: bool = True, on_progress: ProgressCallback | None = None,
                        tuning: Tuning | None = None) -> HeadlessResult:
    """One sync from Autotask, then drain the outbox (QuickBooks/Autotask pushes).

    `secrets` is the app's SecretStore, `http` its httpx.AsyncClient (in demo mode the one with the sandbox
    mounts); `actor` defaults to the system actor. `full=True` forgets the cursors first."""
    db = Database(database_url)
    services = build_services(db, secrets, http, CurrentUser(actor or SYSTEM), demo=demo, tuning=tuning)
    try:
        if demo:
            await services.connections.setup_demo()
        if full:
            await services.sync.reset()
        report = await services.sync.run(on_progress)
        done = problems = 0
        stopped: Message | str = ""
        if drain_outbox:
            drained = await services.outbox.drain()
            done, problems, stopped = drained.done, drained.needs_attention, drained.stopped_reason
        return HeadlessResult(report, done, problems, stopped)
    finally:
        services.payments.close()
        await db.dispose()


async def _demo_sync_client(config: Any, secrets: SecretStore) -> httpx.AsyncClient:
    """For `payapp sync --demo`: a client whose Autotask and QuickBooks hosts (from the settings) go to the demo's
    own sandboxes (seeded from its database, their state in its data folder)."""
    db = Database(config.database_url)
    try:
        values = await SettingsService(db, secrets, CurrentUser(None)).get_all()
    finally:
        await db.dispose()
    hosts = (("autotask.base_url", "autotask"), ("quickbooks.base_url", "quickbooks"),
             ("quickbooks.auth_base_url", "quickbooks"))
    sandboxes = _demo_sandboxes(config) if getattr(config, "data_dir", None) is not None else _fresh_sandboxes()
    return _sandbox_client(sandboxes, tuple((str(values[key]), name) for key, name in hosts))


def _fresh_sandboxes() -> dict[str, Any]:
    """Sandboxes with their own generated data, kept nowhere (a demo sync with no data folder at hand)."""
    from payapp.sandbox.autotask import AutotaskSandbox, create_autotask_app
    from payapp.sandbox.gateway import GatewaySandbox, create_gateway_app
    from payapp.sandbox.payengine import PayEngineSandbox, create_payengine_app
    from payapp.sandbox.paypal import PayPalSandbox, create_paypal_app
    from payapp.sandbox.quickbooks import QuickBooksSandbox, create_quickbooks_app

    gateway, autotask, quickbooks = GatewaySandbox(), AutotaskSandbox(), QuickBooksSandbox()
    payengine, paypal = PayEngineSandbox(), PayPalSandbox()
    return {"gateway": (gateway, create_gateway_app(gateway)), "autotask": (autotask, create_autotask_app(autotask)),
            "quickbooks": (quickbooks, create_quickbooks_app(quickbooks)),
            "payengine": (payengine, create_payengine_app(payengine)),
            "paypal": (paypal, create_paypal_app(paypal))}


async def run_headless_sync(config: AppConfig, *, secrets: SecretStore | None = None,
                            http: httpx.AsyncClient | None = None, full: bool = False,
                            out: Callable[[str], None] = print) -> int:
    """`payapp sync`: sync, drain the outbox, print a summary; exit code 0 (ok), 1 (problems), 2 (failed).

    Pass the app context's `secrets` and `http` when you have them; otherwise the OS keyring and a plain client
    are used (demo mode: an in-memory keyring and in-memory sandboxes)."""
    from payapp.domain.errors import PayAppError
    from payapp.migrations import upgrade

    demo = bool(getattr(config, "demo", False))
    data_dir = getattr(config, "data_dir", None)
    if data_dir is not None:
        os.makedirs(data_dir, exist_ok=True)
    await asyncio.to_thread(upgrade, config.database_url)      # as at start-up: the schema is current
    own_http = http is None
    if secrets is None:
        secrets = _demo_secret_store() if demo else SecretStore()
    if http is None:
        http = (await _demo_sync_client(config, secrets) if demo
                else httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=10.0)))
    last: list[Message | None] = [None]

    def progress(p: SyncProgress) -> None:     # the command line speaks English
        if p.message != last[0] and (p.total is None or p.done in (0, p.total) or p.done % 5000 < 500):
            last[0] = p.message
            out(p.message.english())

    try:
        result = await headless_sync(config.database_url, secrets, http, demo=demo, full=full, on_progress=progress)
    except PayAppError as exc:
        out(f"Sync failed: {exc.user_message}")
        return 2
    finally:
        if own_http:
            await http.aclose()
    counts = ", ".join(f"{n:,} {e.replace('_', ' ')}" for e, n in result.sync.counts.items())
    out(f"Synced ({'full' if result.sync.full else 'incremental'}): {counts}.")
    for problem in result.sync.problems:        # records skipped (each is a sync problem too)
        out(english(problem))
    out(f"Sent {result.outbox_done:,} updates to QuickBooks/Autotask; {result.outbox_problems} need attention.")
    if result.outbox_stopped:
        out(english(result.outbox_stopped))
    return 1 if result.outbox_problems or result.outbox_stopped or result.sync.problems else 0


# ---------------------------------------------------------------------- `payapp portal` (the client portal)

DEFAULT_PORTAL_PORT = 8470


def _demo_portal_address_unchanged(stored: str | None) -> bool:
    """The demo's portal address (a JSON setting value) is still unset or the default the demo seeds, so the demo
    portal may set it to where it actually serves; an address the user typed stays."""
    return stored in (None, '""', "", json.dumps(f"http://127.0.0.1:{DEFAULT_PORTAL_PORT}"))


@dataclass
class PortalContext:
    """The client portal's ASGI app over services built for the client-portal actor (no Qt), and what the
    runner needs: the address it serves, and in demo mode the gateway sandbox the browser reaches on its own
    loopback port (the same sandbox the portal's server charges through, so its tokens are the same)."""

    app: Any
    services: Services
    context: AppContext
    public_url: str
    gateway_app: Any | None = None
    closed: bool = False

    async def aclose(self) -> None:
        if self.closed:
            return
        self.closed = True
        await self.services.invoice_mail.wait_background()      # receipts still on their way to the mail server
        self.services.payments.close()
        await self.context.aclose()


def portal_session_secret(config: AppConfig, secrets: SecretStore) -> bytes:
    """The key that signs the portal's CSRF tokens, the same in every worker process and host: the secrets
    file's `portal.session_secret` (docs/portal.md); in demo mode a file in the demo's data folder, made once."""
    from payapp.portal.file_keyring import SESSION_SECRET

    stored = secrets.get(SESSION_SECRET)
    if stored:
        return stored.reveal().encode()
    if not config.demo:
        from payapp.domain.errors import PayAppError

        raise PayAppError("The client portal needs a session secret: put \"portal.session_secret\" (at least 32 "
                          "random characters) into the file named by PAYAPP_PORTAL_SECRETS (docs/portal.md).")
    import secrets as random

    path = config.data_dir / "portal-session.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(random.token_urlsafe(32))
    return path.read_text().strip().encode()


PORTAL_LIMIT_ENV = {"address_limit": "PAYAPP_PORTAL_ADDRESS_LIMIT", "token_limit": "PAYAPP_PORTAL_TOKEN_LIMIT",
                    "rate_window_s": "PAYAPP_PORTAL_RATE_WINDOW"}


def portal_limits_from_env(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """The portal's rate limits from PAYAPP_PORTAL_ADDRESS_LIMIT / _TOKEN_LIMIT (requests per window) and
    PAYAPP_PORTAL_RATE_WINDOW (seconds); a missing or unreadable value keeps the default."""
    env = os.environ if environ is None else environ
    out: dict[str, Any] = {}
    for name, var in PORTAL_LIMIT_ENV.items():
        raw = env.get(var, "").strip()
        if raw.isascii() and raw.isdigit() and 0 < int(raw) < 10**9:
            out[name] = int(raw)
        elif raw:
            log.warning("%s=%r is not a whole number above 0; using the default", var, raw[:40])
    return out


def build_portal(config: AppConfig, *, public_url: str = "", https: bool = False,
                 trusted_proxies: tuple[str, ...] = (), gateway_browser_url: str = "",
                 keyring_backend: KeyringBackend | None = None, session_secret: bytes | None = None,
                 tuning: Tuning | None = None, limits: dict[str, Any] | None = None,
                 qbwc: bool = False) -> PortalContext:
    """The client portal over the company's database (the demo company when `config.demo`), its services built
    with `build_services` for the client-portal actor (PORTAL_ACTOR: view and take payments, nothing else).

    Secrets: the OS keyring, or on a server the read-only secrets file named by PAYAPP_PORTAL_SECRETS
    (payapp/portal/file_keyring.py). The demo seeds `portal.enabled` and, when unset, `portal.public_url` =
    `public_url` (the address the portal serves)."""
    from payapp.portal.app import create_portal_app
    from payapp.portal.file_keyring import ENV, MODULES, FileKeyring
    from payapp.portal.security import PortalConfig
    from payapp.services.auth import PORTAL_ACTOR

    allow = ALLOWED_BACKENDS + MODULES
    if keyring_backend is None and not config.demo and os.environ.get(ENV):
        from pathlib import Path

        keyring_backend = FileKeyring(Path(os.environ[ENV]))
    context = build_context(config, keyring_backend=keyring_backend, allow_backends=allow, tuning=tuning)
    base = context.services
    services = build_services(base.db, base.secrets, context.http, CurrentUser(PORTAL_ACTOR), demo=config.demo,
                              tuning=context.tuning)
    gateway_app = None
    sandbox_pages: tuple[tuple[str, str], ...] = ()
    if config.demo:
        from payapp.services.demo_data import write_demo_settings

        engine = make_sync_engine(config.database_url)
        with engine.connect() as conn:
            from payapp.models import Setting

            current_url = conn.execute(select(Setting.value).where(Setting.key == "portal.public_url")).scalar()
        engine.dispose()
        seeded: dict[str, object] = {"portal.enabled": True}
        if public_url and _demo_portal_address_unchanged(current_url):
            seeded["portal.public_url"] = public_url
        write_demo_settings(config.database_url, seeded)
        gateway_app = context.sandboxes["gateway"][1]
        sandbox_pages = tuple((origin, path) for _name, origin, path, _pages in DEMO_SANDBOX_PAGES)
    secret = session_secret if session_secret is not None else portal_session_secret(config, base.secrets)
    if limits is None:
        limits = portal_limits_from_env()
    portal_config = PortalConfig(session_secret=secret, https=https, trusted_proxies=frozenset(trusted_proxies),
                                 gateway_browser_url=gateway_browser_url, sandbox_pages=sandbox_pages, **limits)
    built: list[PortalContext] = []

    async def close() -> None:
        for portal in built:
            await portal.aclose()

    # The portal's own payments are decided here too (a lost gateway answer, an eCheck that settled or came
    # back), so a portal on a server needs no workstation running for its payers to see an outcome. Several
    # workers or hosts may each run it: every decision is taken under the payment's row lock and is idempotent.
    # The outbox stays with the desktop and `payapp sync`: QuickBooks rotates its refresh token on use, and the
    # portal's secrets file is read-only.
    interval = context.tuning.payment_check_interval

    async def checks() -> None:
        await run_every(interval, lambda: payment_checks(services.payments))

    app = create_portal_app(services, portal_config, on_close=close, background=(checks,))
    if config.demo:
        app = with_sandbox_pages(app, context.sandboxes)
    if qbwc:        # the Web Connector's SOAP service at /qbwc on the portal's server (behind the same TLS proxy)
        app = with_qbwc(app, services)
    built.append(PortalContext(app=app, services=services, context=context, public_url=public_url,
                               gateway_app=gateway_app))
    return built[0]


def with_sandbox_pages(portal_app: Any, sandboxes: Mapping[str, Any]) -> Any:
    """The demo portal's ASGI app with the in-process PayEngine and PayPal sandboxes' browser pages under
    /_sandbox/payengine and /_sandbox/paypal (DEMO_SANDBOX_PAGES), so a browser on the demo portal can pay on them
    as the portal's server talks to the same sandboxes. Only those pages: their APIs and control routes stay with
    the demo's HTTP client; anything else under a sandbox's path is not found."""
    from starlette.responses import PlainTextResponse

    mounted = [(path, pages, sandboxes.app(name) if isinstance(sandboxes, DemoSandboxes) else sandboxes[name][1])
               for name, _origin, path, pages in DEMO_SANDBOX_PAGES]

    async def app(scope: Any, receive: Any, send: Any) -> None:
        path = str(scope.get("path", "")) if scope.get("type") == "http" else ""
        for prefix, pages, sandbox_app in mounted:
            if path.startswith(f"{prefix}/"):
                inner = path[len(prefix):]
                if not inner.startswith(pages):
                    await PlainTextResponse("Not found", status_code=404)(scope, receive, send)
                    return
                await sandbox_app({**scope, "path": inner, "raw_path": inner.encode()}, receive, send)
                return
        await portal_app(scope, receive, send)

    return app


QBWC_PATH = "/qbwc"


def with_qbwc(portal_app: Any, services: Services) -> Any:
    """The portal's ASGI app with the QBWC service answering at QBWC_PATH (everything else, lifespan included,
    goes to the portal)."""
    from payapp.services.qbwc_soap import create_qbwc_app

    qbwc_app = create_qbwc_app(services.qbwc, QBWC_PATH)

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope.get("type") == "http" and scope.get("path") == QBWC_PATH:
            await qbwc_app(scope, receive, send)
        else:
            await portal_app(scope, receive, send)

    return app


async def payment_checks(payments: PaymentService) -> None:
    """Decide payments whose look-up is due, and mark settlements and eCheck returns (every front end's
    periodic check: the desktop's, and the portal's for a server where no workstation runs)."""
    await payments.reconcile_undecided(only_due=True)
    await payments.check_settlements()


async def guarded(job: Callable[[], Awaitable[Any]]) -> None:
    """Run a background job, logging (never raising) what it raises. Takes the function, not a coroutine: a
    task cancelled before its first step (the window closed at once) would otherwise leave a coroutine that was
    never awaited."""
    try:
        await job()
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("background task failed")


async def run_every(seconds: float, job: Callable[[], Awaitable[Any]]) -> None:
    """`job` every `seconds` (the first after `seconds`), until cancelled."""
    while True:
        await asyncio.sleep(seconds)
        await guarded(job)


def run_server(main: Coroutine[Any, Any, int]) -> int:
    """Run a server's coroutine to its end on uvloop's event loop where uvloop is installed (Linux and macOS:
    about a third less CPU a portal page than asyncio's own loop), else on asyncio's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)


async def serve_portal(config: AppConfig, *, host: str = "127.0.0.1", port: int = DEFAULT_PORTAL_PORT,
                       https: bool = False, trusted_proxies: tuple[str, ...] = (), public_url: str = "",
                       out: Callable[[str], None] = print, qbwc: bool = False) -> int:
    """`payapp portal`: serve the portal with uvicorn until Ctrl+C (demo: and the gateway sandbox for the
    browser's Collect.js on the next port). Access logs mask every /pay/<token>."""
    import uvicorn

    from payapp.portal.security import uvicorn_log_config

    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    url = public_url or f"{'https' if https else 'http'}://{shown_host}:{port}"
    gateway_url = ""
    if config.demo:
        gateway_url = f"http://{shown_host}:{port + 1}"
    portal = await asyncio.to_thread(build_portal, config, public_url=url, https=https,
                                     trusted_proxies=trusted_proxies, gateway_browser_url=gateway_url, qbwc=qbwc)
    log_config = uvicorn_log_config()
    servers = []
    if portal.gateway_app is not None:
        # first: each uvicorn.Config sets up logging for the whole process, and one with access_log=False empties
        # the access logger, so the portal's Config (with the access log, its paths masked) must come last
        servers.append(uvicorn.Server(uvicorn.Config(portal.gateway_app, host=shown_host, port=port + 1,
                                                     log_config=log_config, server_header=False,
                                                     lifespan="off", access_log=False)))
    servers.insert(0, uvicorn.Server(uvicorn.Config(portal.app, host=host, port=port, log_config=log_config,
                                                    proxy_headers=False, server_header=False, lifespan="on")))
    freeze_startup_objects()
    out(f"Client portal of {'the demo company' if config.demo else portal.services.db.display_name}: {url}")
    if qbwc:
        out(f"QuickBooks Web Connector service: {url.rstrip('/')}{QBWC_PATH}")
    if config.demo:
        out(f"Demo gateway (Collect.js for the browser): {gateway_url}")
        out(f"Demo PayEngine and PayPal payment pages: {url.rstrip('/')}/_sandbox/payengine, "
            f"{url.rstrip('/')}/_sandbox/paypal")
        out("A payment link: payapp portal link INVOICE_NUMBER (in another terminal)")
    try:
        await asyncio.gather(*(s.serve() for s in servers))
    finally:
        await portal.aclose()
    return 0


async def serve_qbwc(config: AppConfig, *, host: str = "127.0.0.1", port: int = 8471,
                     out: Callable[[str], None] = print) -> int:
    """`payapp qbwc`: serve PayApp's QuickBooks Web Connector service (SOAP at /qbwc) until Ctrl+C. On a server
    the secrets come from the file PAYAPP_PORTAL_SECRETS names (as for the portal), else the OS keyring."""
    import uvicorn

    from payapp.portal.file_keyring import ENV, MODULES, FileKeyring
    from payapp.services.qbwc_soap import create_qbwc_app

    keyring_backend: KeyringBackend | None = None
    if not config.demo and os.environ.get(ENV):
        from pathlib import Path

        keyring_backend = FileKeyring(Path(os.environ[ENV]))
    context = await asyncio.to_thread(build_context, config, keyring_backend=keyring_backend,
                                      allow_backends=ALLOWED_BACKENDS + MODULES)
    service = context.services.qbwc

    async def close() -> None:
        await context.http.aclose()
        await context.services.db.dispose()

    app = create_qbwc_app(service, on_shutdown=close)
    setup = await service.setup()
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    out(f"QuickBooks Web Connector service of {context.services.db.display_name}: http://{shown_host}:{port}/qbwc")
    out(f"  user name: {setup.user_name}; password {'set' if setup.password_set else 'NOT set (Admin › Connections)'}"
        f"; accounting connector: {setup.connector}")
    out("  The Web Connector calls https (a TLS proxy in front) or http://localhost on the same computer.")
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, lifespan="on", server_header=False,
                                           access_log=False))
    await server.serve()
    return 0


PORTAL_WORKER_ENV = "PAYAPP_PORTAL_WORKER"


def portal_worker_app() -> Any:
    """uvicorn's app factory for `payapp portal --workers N`: each worker process builds its own portal (services,
    database engine, HTTP client) from what the parent put into PAYAPP_PORTAL_WORKER; they share nothing but the
    database and the secrets file."""
    import json
    from pathlib import Path

    from payapp.config import load_config

    spec = json.loads(os.environ[PORTAL_WORKER_ENV])
    config = load_config(demo=False, database_url=spec["database_url"], data_dir=Path(spec["data_dir"]))
    app = build_portal(config, public_url=spec["public_url"], https=spec["https"],
                       trusted_proxies=tuple(spec["trusted_proxies"]), qbwc=bool(spec.get("qbwc"))).app
    freeze_startup_objects()
    return app


def freeze_startup_objects() -> None:
    """A server's start-up objects (modules, SQLAlchemy's and Jinja's caches: a few hundred thousand) are never
    garbage, but each full collection walked them all, a pause of tens of milliseconds under one request in a
    hundred: moved out of the collector's sight (gc.freeze) once the portal is built."""
    import gc

    gc.collect()
    gc.freeze()


def run_portal_workers(config: AppConfig, *, host: str, port: int, workers: int, https: bool = False,
                       trusted_proxies: tuple[str, ...] = (), public_url: str = "",
                       out: Callable[[str], None] = print, qbwc: bool = False) -> int:
    """`payapp portal --workers N`: N worker processes on one port (uvicorn's supervisor). Not for the demo,
    whose sandboxes live inside its one process."""
    import json

    import uvicorn

    from payapp.domain.errors import PayAppError
    from payapp.portal.security import uvicorn_log_config

    if config.demo:
        raise PayAppError("The demo portal runs in one process (its sandboxes live in it): leave out --workers.")
    prepare_database(config)            # migrations once, here, not in N workers at once
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    url = public_url or f"{'https' if https else 'http'}://{shown_host}:{port}"
    os.environ[PORTAL_WORKER_ENV] = json.dumps({
        "database_url": config.database_url, "data_dir": str(config.data_dir), "public_url": url,
        "https": https, "trusted_proxies": list(trusted_proxies), "qbwc": qbwc})
    out(f"Client portal ({workers} worker processes): {url}")
    uvicorn.run("payapp.app:portal_worker_app", factory=True, host=host, port=port, workers=workers,
                log_config=uvicorn_log_config(), proxy_headers=False, server_header=False, lifespan="on")
    return 0


async def portal_link(config: AppConfig, invoice_number: str, *, public_url: str = "",
                      keyring_backend: KeyringBackend | None = None) -> str:
    """`payapp portal link NUMBER`: a new payment link to the invoice (PaymentLinkService.issue), by the system
    actor. The demo's portal address defaults to the one `payapp portal` serves."""
    from payapp.domain.errors import NotFound
    from payapp.services.payment_links import PaymentLinkService

    await asyncio.to_thread(prepare_database, config)
    if config.demo:
        from payapp.services.demo_data import write_demo_settings

        engine = make_sync_engine(config.database_url)
        with engine.connect() as conn:
            from payapp.models import Setting

            current_url = conn.execute(select(Setting.value).where(Setting.key == "portal.public_url")).scalar()
        engine.dispose()
        if _demo_portal_address_unchanged(current_url):
            write_demo_settings(config.database_url, {"portal.public_url": public_url or
                                                      f"http://127.0.0.1:{DEFAULT_PORTAL_PORT}"})
    db = Database(config.database_url)
    try:
        async with db.sessions() as s:
            invoice_id = (await s.execute(select(Invoice.id).where(Invoice.invoice_number == invoice_number.strip())
                                          .order_by(Invoice.id).limit(1))).scalar_one_or_none()
        if invoice_id is None:
            raise NotFound(f"There is no invoice {invoice_number.strip()!r}.")
        current = CurrentUser(SYSTEM)
        secrets = _demo_secret_store(keyring_backend) if config.demo else SecretStore(keyring_backend)
        links = PaymentLinkService(db, SettingsService(db, secrets, current), current)
        return (await links.issue(invoice_id)).url
    finally:
        await db.dispose()

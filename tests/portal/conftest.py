"""The client portal as `payapp portal` serves it (payapp.app.build_portal, uvicorn on 127.0.0.1) over a real
database, with the sandbox gateway on another loopback port (its Collect.js and tokenization endpoint for the
browser, transact.php for the portal's server), and Debian's chromium driven by Playwright.

Every request body the portal app receives is recorded (`Site.bodies`), so a test can prove that no card or
account number ever reached PayApp's server."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import datetime as dt
import json
import os
import shutil
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, TypeVar

import pytest

from payapp.config import AppConfig, Tuning
from payapp.models import Company, Invoice, InvoiceLine
from payapp.models.db import Database
from payapp.sandbox.gateway import DEMO_PUBLIC_KEY, DEMO_SECURITY_KEY, GatewaySandbox, create_gateway_app
from payapp.services.auth import CurrentUser
from payapp.services.memory_keyring import MemoryKeyring
from payapp.services.payment_links import PaymentLinkService
from payapp.services.secrets import Secret, SecretStore
from payapp.services.settings import PUBLIC_KEY, SettingsService
from tests.conftest import ADMIN, TEST_ALLOWED_BACKENDS
from tests.payment_helpers import configure_processing
from tests.servers import free_port, serve_asgi

CHROMIUM = os.environ.get("PAYAPP_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(os.environ.get("PAYAPP_PORTAL_SHOTS", "/tmp/shots-portal"))
SESSION_SECRET = "test-portal-session-secret-0123456789abcdef"
MERCHANT = "Northwind IT Services"
#: uvicorn as `payapp portal` runs it (payapp.app.serve_portal): no proxy-header rewriting, no Server header
PORTAL_SERVER = {"proxy_headers": False, "server_header": False}

T = TypeVar("T")


def run(make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to the end in a fresh loop in a worker thread (the browser tests are synchronous and
    Playwright's sync API owns this thread's loop)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()  # type: ignore[arg-type]


class RecordingApp:
    """ASGI middleware of the test: keeps (method, path, body) of every HTTP request the portal app got."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.requests: list[tuple[str, str, bytes]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        entry = [scope["method"], scope["path"] + ("?" + scope["query_string"].decode() if scope.get(
            "query_string") else ""), b""]

        async def recording_receive() -> Any:
            message = await receive()
            if message["type"] == "http.request":
                entry[2] += message.get("body", b"")
            return message

        try:
            await self.app(scope, recording_receive, send)
        finally:
            self.requests.append((entry[0], entry[1], entry[2]))


@dataclass
class Site:
    url: str
    gateway_url: str
    sandbox: GatewaySandbox
    db_url: str
    recorder: RecordingApp
    portal: Any
    invoices: dict[str, int] = field(default_factory=dict)

    def link(self, number: str = "INV-1001") -> str:
        async def issue() -> str:
            db = Database(self.db_url)
            try:
                current = CurrentUser(ADMIN)
                secrets = SecretStore(MemoryKeyring(), allow=TEST_ALLOWED_BACKENDS)
                links = PaymentLinkService(db, SettingsService(db, secrets, current), current)
                return (await links.issue(self.invoices[number])).url
            finally:
                await db.dispose()
        return run(issue)

    def query(self, work: Callable[[Database], Awaitable[T]]) -> T:
        async def go() -> T:
            db = Database(self.db_url)
            try:
                return await work(db)
            finally:
                await db.dispose()
        return run(go)

    def invoice(self, number: str = "INV-1001") -> Invoice:
        async def get(db: Database) -> Invoice:
            async with db.sessions() as s:
                inv = await s.get(Invoice, self.invoices[number])
                assert inv is not None
                return inv
        return self.query(get)

    def payments(self, number: str = "INV-1001") -> list[Any]:
        from sqlalchemy import select

        from payapp.models import Payment

        async def get(db: Database) -> list[Any]:
            async with db.sessions() as s:
                return list((await s.scalars(select(Payment).where(
                    Payment.invoice_id == self.invoices[number]).order_by(Payment.id))).all())
        return self.query(get)

    def bodies(self) -> bytes:
        return b"\n".join(body for _m, _p, body in self.recorder.requests)


async def _seed(db_url: str, gateway_url: str, portal_url: str, *, echeck: bool = True) -> dict[str, int]:
    db = Database(db_url)
    try:
        secrets = SecretStore(MemoryKeyring(), allow=TEST_ALLOWED_BACKENDS)
        await configure_processing(db, secrets, gateway_url)
        settings = SettingsService(db, secrets, CurrentUser(ADMIN))
        await settings.set_many({
            "gateway.public_key_fingerprint": secrets.set(PUBLIC_KEY, Secret(DEMO_PUBLIC_KEY)),
            "payment_types.portal.card": True, "payment_types.portal.echeck": echeck,
            "portal.enabled": True, "portal.public_url": portal_url, "merchant.name": MERCHANT,
            "merchant.email": "billing@northwind.example", "merchant.phone": "+1 555 0100",
            "merchant.address": "1 Harbour Way\nSeattle, WA 98101"})
        numbers: dict[str, int] = {}
        async with db.transaction() as s:
            acme = Company(name="Acme Inc", address1="12 Elm Street", city="Springfield", state="IL",
                           postal_code="62701", country="US")
            other = Company(name="Globex Corp", address1="9 Oak Road", city="Shelbyville", state="IL",
                            postal_code="62565", country="US")
            s.add_all([acme, other])
            await s.flush()
            for number, company, total in (("INV-1001", acme, 250_00), ("INV-1002", acme, 80_00),
                                           ("INV-1003", acme, 120_00), ("INV-2001", other, 99_00)):
                inv = Invoice(company_id=company.id, company_name=company.name, invoice_number=number,
                              invoice_date=dt.date(2026, 11, 1), due_date=dt.date(2026, 12, 1), currency="USD",
                              total_minor=total, balance_minor=total, status="open")
                s.add(inv)
                await s.flush()
                s.add_all([InvoiceLine(invoice_id=inv.id, position=1, description="Managed services, November",
                                       quantity=1, unit_price_minor=total - 30_00, amount_minor=total - 30_00),
                           InvoiceLine(invoice_id=inv.id, position=2, description="Backup storage (TB)",
                                       quantity=3, unit_price_minor=10_00, amount_minor=30_00)])
                numbers[number] = inv.id
        return numbers
    finally:
        await db.dispose()


def write_secrets_file(path: Path, **values: str) -> Path:
    path.write_text(json.dumps(values))
    path.chmod(0o600)
    return path


@contextlib.contextmanager
def make_site(db_url: str, tmp_path: Path, *, https: bool = False, trusted_proxies: tuple[str, ...] = (),
              limits: dict[str, Any] | None = None, echeck: bool = True,
              sandbox: GatewaySandbox | None = None, tuning: Tuning | None = None) -> Iterator[Site]:
    """The sandbox gateway and the portal (build_portal, as `payapp portal` builds it for a real company: the
    secrets from a secrets file) each served by uvicorn on its own loopback port."""
    from payapp.app import build_portal
    from payapp.portal.file_keyring import FileKeyring

    sandbox = sandbox or GatewaySandbox()
    with serve_asgi(create_gateway_app(sandbox)) as gateway_url:
        port = free_port()
        portal_url = f"http://127.0.0.1:{port}"
        invoices = run(lambda: _seed(db_url, gateway_url, portal_url, echeck=echeck))
        secrets_file = write_secrets_file(tmp_path / f"portal-secrets-{port}.json", **{
            "gateway.private_key": DEMO_SECURITY_KEY, "gateway.public_key": DEMO_PUBLIC_KEY,
            "portal.session_secret": SESSION_SECRET})
        config = AppConfig(data_dir=tmp_path / "data", log_dir=tmp_path / "logs", database_url=db_url, demo=False)
        portal = build_portal(config, public_url=portal_url, https=https, trusted_proxies=trusted_proxies,
                              keyring_backend=FileKeyring(secrets_file), tuning=tuning,
                              limits={"address_limit": 10_000, "token_limit": 10_000, **(limits or {})})
        recorder = RecordingApp(portal.app)
        with serve_asgi(recorder, port=port, lifespan="on", **PORTAL_SERVER) as url:
            yield Site(url, gateway_url, sandbox, db_url, recorder, portal, invoices)


@pytest.fixture
def site(sqlite_url: str, tmp_path: Path) -> Iterator[Site]:
    with make_site(sqlite_url, tmp_path) as s:
        yield s


@pytest.fixture
def site_any_db(db_url: str, tmp_path: Path) -> Iterator[Site]:
    """The site on SQLite and on PostgreSQL."""
    with make_site(db_url, tmp_path) as s:
        yield s


# ------------------------------------------------------------------------------------------ the browser

@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium (apt-get install chromium) driven by Playwright; never Playwright's own download.
    Skipped only where chromium is absent outside CI; in CI (.ci/run installs it) a missing browser fails.
    Module-scoped: Playwright's sync API keeps an event loop running in this thread while it is open, which the
    asyncio tests after this module could not run beside."""
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        if os.environ.get("CI"):
            pytest.fail(f"chromium is not installed ({CHROMIUM}); .ci/run installs it")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
                              args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """new_page(locale="en-US", width=900, height=1100) → a page in its own browser context (own cookies), closed
    after the test."""
    contexts: list[Any] = []

    def make(locale: str = "en-US", width: int = 900, height: int = 1100) -> Any:
        context = browser.new_context(locale=locale, extra_http_headers={"Accept-Language": locale},
                                      viewport={"width": width, "height": height})
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for c in contexts:
        c.close()


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@contextlib.contextmanager
def another_portal(site: Site, tmp_path: Path, **kw: Any) -> Iterator[str]:
    """A second portal process's app (its own services, database engine and HTTP client) over the same database
    and secrets, served on its own port: what a second worker or host would be."""
    from payapp.app import build_portal
    from payapp.portal.file_keyring import FileKeyring

    secrets_file = next(tmp_path.glob("portal-secrets-*.json"))
    config = AppConfig(data_dir=tmp_path / "data", log_dir=tmp_path / "logs", database_url=site.db_url, demo=False)
    portal = build_portal(config, public_url=site.url, keyring_backend=FileKeyring(secrets_file),
                          limits=kw.pop("limits", {"address_limit": 10_000, "token_limit": 10_000}), **kw)
    with serve_asgi(portal.app, lifespan="on", **PORTAL_SERVER) as url:
        yield url


class FormReader(HTMLParser):
    """The inputs of every form of a page: {form id: {"action": ..., "fields": {name: value}}}."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, dict[str, Any]] = {}
        self._current: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._current = {"action": a.get("action", ""), "method": a.get("method", "get"), "fields": {}}
            self.forms[a.get("id", f"form{len(self.forms)}")] = self._current
        elif tag == "input" and self._current is not None and a.get("name"):
            if a.get("type") in ("radio", "checkbox") and "checked" not in a:
                return
            self._current["fields"][a["name"]] = a.get("value", "on")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def forms_of(html: str) -> dict[str, dict[str, Any]]:
    reader = FormReader()
    reader.feed(html)
    return reader.forms


def card_token(sandbox: GatewaySandbox, number: str = "4111111111111111", expiry: str = "1230",
               cvv: str = "999") -> str:
    """A payment token as the browser's Collect.js would get it (the sandbox's vault, in-process)."""
    import secrets as random

    session = random.token_hex(16)
    for name, value in (("ccnumber", number), ("ccexp", expiry), ("cvv", cvv)):
        sandbox.tokens.save_field(session, name, value)
    token = sandbox.tokens.issue(session, ("ccnumber", "ccexp", "cvv"))
    assert token is not None
    return token


def check_token(sandbox: GatewaySandbox, account: str = "24413815", aba: str = "490000018",
                name: str = "Acme Inc") -> str:
    """A bank-account payment token as Collect.js's check fields would get it."""
    import secrets as random

    session = random.token_hex(16)
    for field_name, value in (("checkaccount", account), ("checkaba", aba), ("checkname", name)):
        sandbox.tokens.save_field(session, field_name, value)
    token = sandbox.tokens.issue(session, ("checkaccount", "checkaba", "checkname"))
    assert token is not None
    return token

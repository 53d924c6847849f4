"""The client portal's hosted steps in a real browser (Debian's chromium through Playwright): paying by PayPal (the
portal sends the browser to the PayPal sandbox's Express Checkout page, the buyer approves, PayPal sends them back
and the portal takes the money), cancelling there, and paying by card and by PayPal on PayEngine's hosted payment
page. The portal, the PayPal and PayEngine sandboxes each on their own loopback port."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from payapp.config import AppConfig
from payapp.sandbox.gateway import DEMO_PUBLIC_KEY, DEMO_SECURITY_KEY, GatewaySandbox, create_gateway_app
from payapp.sandbox.payengine import DEMO_API_KEY, DEMO_MERCHANT_ID, PayEngineSandbox, create_payengine_app
from payapp.sandbox.paypal import (
    DEMO_API_PASSWORD,
    DEMO_API_SIGNATURE,
    DEMO_API_USERNAME,
    PayPalSandbox,
    create_paypal_app,
)
from payapp.services.auth import CurrentUser
from payapp.services.memory_keyring import MemoryKeyring
from payapp.services.secrets import SecretStore
from payapp.services.settings import SettingsService
from tests.conftest import ADMIN, TEST_ALLOWED_BACKENDS
from tests.payment_helpers import configure_payengine, configure_paypal
from tests.portal.conftest import (
    PORTAL_SERVER,
    SESSION_SECRET,
    RecordingApp,
    Site,
    _seed,
    run,
    shot,
    write_secrets_file,
)
from tests.servers import free_port, serve_asgi

pytestmark = pytest.mark.slow


@dataclass
class HostedSite:
    site: Site
    paypal: PayPalSandbox
    paypal_url: str
    payengine: PayEngineSandbox
    payengine_url: str

    def use(self, gateway: str, *, portal_types: tuple[str, ...] = ("card",)) -> None:
        """The admin chooses the gateway (its credentials are in the portal's secrets file already); PayEngine's
        `portal_types` are the payment types Admin enables for the client portal."""
        async def choose() -> None:
            from payapp.models.db import Database

            db = Database(self.site.db_url)
            try:
                secrets = SecretStore(MemoryKeyring(), allow=TEST_ALLOWED_BACKENDS)
                if gateway == "paypal":
                    await configure_paypal(db, secrets, self.paypal_url, currency="USD")
                else:
                    await configure_payengine(db, secrets, self.payengine_url, currency="USD")
                    await SettingsService(db, secrets, CurrentUser(ADMIN)).set_many(
                        {f"payment_types.portal.{t}": True for t in portal_types})
            finally:
                await db.dispose()
        run(choose)


@contextlib.contextmanager
def hosted_site(db_url: str, tmp_path: Path) -> Iterator[HostedSite]:
    from payapp.app import build_portal
    from payapp.portal.file_keyring import FileKeyring

    nmi, paypal, payengine = GatewaySandbox(), PayPalSandbox(), PayEngineSandbox()
    with serve_asgi(create_gateway_app(nmi)) as nmi_url, serve_asgi(create_paypal_app(paypal)) as paypal_url, \
            serve_asgi(create_payengine_app(payengine)) as payengine_host:
        port = free_port()
        portal_url = f"http://127.0.0.1:{port}"
        invoices = run(lambda: _seed(db_url, nmi_url, portal_url))
        secrets_file = write_secrets_file(tmp_path / f"portal-secrets-{port}.json", **{
            "gateway.private_key": DEMO_SECURITY_KEY, "gateway.public_key": DEMO_PUBLIC_KEY,
            "gateway.paypal.api_password": DEMO_API_PASSWORD, "gateway.paypal.api_username": DEMO_API_USERNAME,
            "gateway.paypal.api_signature": DEMO_API_SIGNATURE, "gateway.payengine.api_key": DEMO_API_KEY,
            "gateway.payengine.merchant_id": DEMO_MERCHANT_ID, "portal.session_secret": SESSION_SECRET})
        config = AppConfig(data_dir=tmp_path / "data", log_dir=tmp_path / "logs", database_url=db_url, demo=False)
        portal = build_portal(config, public_url=portal_url, keyring_backend=FileKeyring(secrets_file),
                              limits={"address_limit": 10_000, "token_limit": 10_000})
        recorder = RecordingApp(portal.app)
        with serve_asgi(recorder, port=port, lifespan="on", **PORTAL_SERVER) as url:
            site = Site(url, nmi_url, nmi, db_url, recorder, portal, invoices)
            yield HostedSite(site, paypal, paypal_url, payengine, f"{payengine_host}/v1")


@pytest.fixture
def hsite(sqlite_url: str, tmp_path: Path) -> Iterator[HostedSite]:
    with hosted_site(sqlite_url, tmp_path) as s:
        yield s


def test_pay_by_paypal_through_the_sandbox_redirect(hsite: HostedSite, new_page: Any) -> None:
    hsite.use("paypal")
    site = hsite.site
    page = new_page()
    page.goto(site.link())
    # only PayPal is offered: no card fields of another gateway on the page
    assert page.locator("#hosted-paypal").is_visible()
    assert page.locator("#pay-form").count() == 0
    page.check("#hosted-amount-partial")
    page.fill("#hosted-amount", "100.00")
    page.click("#hosted-paypal")
    # the pending row is there before the buyer reaches PayPal's page
    page.wait_for_url(f"{hsite.paypal_url}/cgi-bin/webscr*")
    [pending] = site.payments()
    assert pending.status == "pending" and pending.gateway == "paypal"
    shot(page, "hosted-paypal-page")
    page.check("input[value='SBXPAYS000001']")
    page.click("#approve")
    page.wait_for_url(f"{site.url}/pay/*/payment/*")
    assert "Payment has been processed" in page.inner_text("#result-banner")
    assert page.inner_text("#payment-method") == "PayPal"
    shot(page, "hosted-paypal-paid")
    [paid] = site.payments()
    assert paid.status == "approved" and paid.amount_minor == 100_00
    [sale] = hsite.paypal.approved_sales()
    assert sale.order_id == paid.order_id and sale.transaction_id == paid.transaction_id
    inv = site.invoice()
    assert (inv.paid_minor, inv.balance_minor) == (100_00, 150_00)
    # the receipt page as for a card payment; reloading the return address charges nothing again
    page.click("#receipt-page")
    assert "PayPal" in page.content()
    page.go_back()
    page.reload()
    assert len(hsite.paypal.approved_sales()) == 1


def test_cancel_at_paypal_returns_to_the_invoice_with_nothing_charged(hsite: HostedSite, new_page: Any) -> None:
    hsite.use("paypal")
    site = hsite.site
    page = new_page()
    page.goto(site.link())
    page.click("#hosted-paypal")
    page.wait_for_url(f"{hsite.paypal_url}/cgi-bin/webscr*")
    page.click("#cancel")
    page.wait_for_selector("#error-banner")
    assert "cancelled" in page.inner_text("#error-banner")
    assert page.locator("#hosted-paypal").is_visible()           # the invoice's pay page again
    [closed] = site.payments()
    assert closed.status == "error"
    assert hsite.paypal.approved_sales() == []
    inv = site.invoice()
    assert (inv.paid_minor, inv.balance_minor) == (0, 250_00)
    # and the whole amount can be paid at once afterwards (nothing is held by the cancelled attempt)
    page.click("#hosted-paypal")
    page.wait_for_url(f"{hsite.paypal_url}/cgi-bin/webscr*")
    page.click("#approve")
    page.wait_for_url(f"{site.url}/pay/*/payment/*")
    assert site.invoice().balance_minor == 0


def test_pay_by_card_on_payengines_hosted_page(hsite: HostedSite, new_page: Any) -> None:
    hsite.use("payengine")
    site = hsite.site
    page = new_page()
    page.goto(site.link())
    assert page.locator("#hosted-card").is_visible()
    assert page.locator("#pay-form").count() == 0             # no card fields on PayApp's page
    page.click("#hosted-card")
    page.wait_for_url("**/hosted/*")
    shot(page, "hosted-payengine-page")
    page.click("#approve")
    page.wait_for_url(f"{site.url}/pay/*/payment/*")
    assert "Payment has been processed" in page.inner_text("#result-banner")
    [paid] = site.payments()
    assert paid.status == "approved" and paid.gateway == "payengine" and paid.amount_minor == 250_00
    assert site.invoice().balance_minor == 0


def test_pay_by_paypal_through_payengines_hosted_page(hsite: HostedSite, new_page: Any) -> None:
    hsite.use("payengine", portal_types=("card", "paypal"))
    site = hsite.site
    page = new_page()
    page.goto(site.link())
    # PayEngine takes both on its own page: PayPal and cards, no card fields on PayApp's page
    assert page.locator("#hosted-paypal").is_visible() and page.locator("#hosted-card").is_visible()
    assert page.locator("#pay-form").count() == 0
    page.check("#hosted-amount-partial")
    page.fill("#hosted-amount", "50.00")
    page.click("#hosted-paypal")
    page.wait_for_url(f"{hsite.payengine_url.removesuffix('/v1')}/hosted/*")
    assert page.inner_text("#product") == "PayPal"
    [pending] = site.payments()
    assert pending.status == "pending" and pending.gateway == "payengine"
    shot(page, "hosted-payengine-paypal-page")
    page.click("#approve")
    page.wait_for_url(f"{site.url}/pay/*/payment/*")
    assert "Payment has been processed" in page.inner_text("#result-banner")
    assert page.inner_text("#payment-method") == "PayPal"
    [paid] = site.payments()
    assert paid.status == "approved" and paid.gateway == "payengine" and paid.amount_minor == 50_00
    [record] = hsite.payengine.paypal_payments()
    assert record.transaction_id == paid.transaction_id and record.amount_minor == 50_00
    assert site.invoice().balance_minor == 200_00

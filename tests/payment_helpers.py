"""Helpers for tests that take payments: a configured database, an invoice, a PaymentService wired to a
sandbox gateway. Reusable by UI tests (ASGITransport) and integration tests (uvicorn on loopback)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import func, select, update

from payapp.connectors.gateways.payengine import merchant_order_id
from payapp.domain import ach
from payapp.domain import sepa as sepa_rules
from payapp.domain.roles import Role
from payapp.models import Company, Invoice, Payment
from payapp.models.db import Database
from payapp.sandbox.gateway import DEMO_SECURITY_KEY, GatewaySandbox, create_gateway_app
from payapp.sandbox.payengine import DEMO_API_KEY, DEMO_MERCHANT_ID, PayEngineSandbox, create_payengine_app
from payapp.sandbox.paypal import (
    DEMO_API_PASSWORD,
    DEMO_API_SIGNATURE,
    DEMO_API_USERNAME,
    PayPalSandbox,
    create_paypal_app,
)
from payapp.services.auth import Actor, CurrentUser
from payapp.services.gateways import GatewayProvider
from payapp.services.payments import (
    HostedMethod,
    NewBankAccount,
    NewCard,
    NewSepaAccount,
    PaymentRequest,
    PaymentResult,
    PaymentService,
)
from payapp.services.secrets import Secret, SecretStore
from payapp.services.settings import PRIVATE_KEY, SettingsService
from tests.servers import serve_asgi

ADMIN_ACTOR = Actor(user_id=None, username="helper-admin", role=Role.ADMIN, display_name="Helper Admin")
FINANCE_ACTOR = Actor(user_id=None, username="helper-finance", role=Role.FINANCE, display_name="Helper Finance")

TEST_CVV = "999"
VISA = "4111111111111111"
MASTERCARD = "5431111111111111"
AMEX = "341111111111111"
ACH_ROUTING, ACH_ACCOUNT = "490000018", "24413815"
#: every secret a payment test types, for "never stored, never logged" checks
#: the PayEngine sandbox's test IBANs: accepted and settled / declined / returned by the debtor's bank on settlement
IBAN_OK, IBAN_DECLINED, IBAN_RETURNED = "DE89370400440532013000", "DE82370400440532013999", "DE68370400440000202051"
SECRET_VALUES = (VISA, MASTERCARD, AMEX, ACH_ACCOUNT, "123123123", "99990000", DEMO_SECURITY_KEY, IBAN_OK,
                 IBAN_RETURNED, DEMO_API_KEY, DEMO_API_PASSWORD, DEMO_API_SIGNATURE)
#: the PayPal sandbox's test buyers (payapp/sandbox/paypal.py TEST_BUYERS): pays at once, pays by eCheck (pending),
#: funding declined
PAYPAL_PAYS, PAYPAL_ECHECK, PAYPAL_DECLINED = "SBXPAYS000001", "SBXECHK000002", "SBXDECL000003"


def card(number: str = VISA, cvv: str = TEST_CVV, expiry: str = "1230") -> NewCard:
    return NewCard(number=number, expiry_mmyy=expiry, cvv=cvv, first_name="Ada", last_name="Lovelace",
                   address1="888 Main St", city="Springfield", state="IL", zip="77777", country="US")


def ach_consent(holder: str = "business", last_four: str = ACH_ACCOUNT[-4:]) -> str:
    """The ACH debit authorization wording a customer agreed to (what the eCheck form shows)."""
    return ach.authorization_text(holder_type=holder, name="Acme Inc", company="Acme Inc", merchant="PayApp Tests",
                                  account_type="checking", last_four=last_four, amount="the amount shown",
                                  invoice="INV-1001", date=dt.date(2026, 12, 3))


def bank(account: str = ACH_ACCOUNT, routing: str = ACH_ROUTING, holder: str = "business") -> NewBankAccount:
    return NewBankAccount(holder_type=holder, account_type="checking", name="Acme Inc", routing_number=routing,
                          account_number=account, company="Acme Inc", address1="1 Main St", city="Springfield",
                          state="IL", zip="62701", country="US",
                          authorization_text=ach_consent(holder, account[-4:]))


def sepa_debit(iban: str = IBAN_OK, holder: str = "Erika Mustermann") -> NewSepaAccount:
    """A SEPA direct debit typed in the back office, with the mandate wording the debtor agreed to."""
    text = sepa_rules.mandate_text(reference="(given with the payment)", name=holder, merchant="PayApp Tests",
                                   iban=iban, amount="the amount shown", invoice="INV-1001", date=dt.date(2026, 12, 3))
    return NewSepaAccount(holder=holder, iban=iban, city="Berlin", zip="10115", country="DE", mandate_text=text)


async def configure_payengine(db: Database, secrets: SecretStore, base_url: str, *, currency: str = "EUR",
                              api_key: str = DEMO_API_KEY, merchant_id: str = DEMO_MERCHANT_ID) -> None:
    """Make processing active through PayEngine: the internal currency (EUR), card and SEPA in the back office,
    merchant id and API key in the keyring, the address set."""
    settings = SettingsService(db, secrets, CurrentUser(ADMIN_ACTOR))
    await settings.set_many({
        "gateway.name": "payengine",
        "currency": currency,
        "payment_types.back_office.card": True,
        "payment_types.back_office.sepa": True,
        "gateway.payengine.api_key_fingerprint": secrets.set("gateway.payengine.api_key", Secret(api_key)),
        "gateway.payengine.merchant_id_fingerprint": secrets.set("gateway.payengine.merchant_id",
                                                                 Secret(merchant_id)),
        "gateway.payengine.base_url": base_url,
    })


async def configure_paypal(db: Database, secrets: SecretStore, base_url: str, *, currency: str = "EUR") -> None:
    """Make processing active through PayPal: the internal currency, PayPal on the client portal, the API username,
    password and signature in the keyring, the address set."""
    settings = SettingsService(db, secrets, CurrentUser(ADMIN_ACTOR))
    values: dict[str, object] = {"gateway.name": "paypal", "currency": currency, "payment_types.portal.paypal": True,
                                 "gateway.paypal.base_url": base_url}
    for name, value in (("gateway.paypal.api_password", DEMO_API_PASSWORD),
                        ("gateway.paypal.api_username", DEMO_API_USERNAME),
                        ("gateway.paypal.api_signature", DEMO_API_SIGNATURE)):
        values[f"{name}_fingerprint"] = secrets.set(name, Secret(value))
    await settings.set_many(values)


def hosted_urls(base: str = "https://portal.test/pay") -> HostedMethod:
    """PayPal as the portal asks for it: the return addresses name the payment's order id."""
    return HostedMethod("paypal", lambda order_id: (f"{base}/{order_id}/return", f"{base}/{order_id}/return",
                                                    f"{base}/{order_id}/cancel"), product="paypal")


async def pay_by_paypal(svc: PaymentService, sandbox: PayPalSandbox, invoice_id: int, amount_minor: int, *,
                        buyer: str = PAYPAL_PAYS, confirm_duplicate: bool = False) -> PaymentResult:
    """The whole Express Checkout as a payer does it: PayApp starts it, the buyer approves on the sandbox's page
    (its `approve`, what the page's Approve button does), PayApp finishes it on the return."""
    started = await svc.take_payment(PaymentRequest(invoice_id, amount_minor, hosted_urls(), source="client_portal"),
                                     confirm_duplicate=confirm_duplicate)
    if not started.redirect_url:
        return started
    back = sandbox.approve(checkout_token(started.redirect_url), buyer)
    return await svc.finish_hosted_payment(started.order_id, query_of(back))


def query_of(url: str) -> dict[str, str]:
    """The query of an address as one value a name (what a return page is handed)."""
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def checkout_token(redirect_url: str) -> str:
    """The PayPal checkout token in the address PayApp sends the payer to."""
    return query_of(redirect_url)["token"]


async def configure_processing(db: Database, secrets: SecretStore, base_url: str,
                               key: str = DEMO_SECURITY_KEY) -> None:
    """Make processing active: currency USD, card and eCheck in the back office, key and address set."""
    settings = SettingsService(db, secrets, CurrentUser(ADMIN_ACTOR))
    await settings.set_many({
        "currency": "USD",
        "payment_types.back_office.card": True,
        "payment_types.back_office.echeck": True,
        "gateway.private_key_fingerprint": secrets.set(PRIVATE_KEY, Secret(key)),
        "gateway.base_url": base_url,
    })


async def make_invoice(db: Database, *, total_minor: int = 100_00, currency: str = "USD",
                       company_name: str = "Acme Inc", number: str = "INV-1001", company_id: int | None = None) -> int:
    async with db.transaction() as s:
        if company_id is None:
            company = Company(name=company_name)
            s.add(company)
            await s.flush()
            company_id = company.id
        inv = Invoice(company_id=company_id, company_name=company_name, invoice_number=number,
                      invoice_date=dt.date(2026, 11, 1), currency=currency, total_minor=total_minor,
                      balance_minor=total_minor, status="open")
        s.add(inv)
        await s.flush()
        return inv.id


async def expire_send_deadlines(db: Database, *, by: dt.timedelta = dt.timedelta(days=1)) -> None:
    """Time passes for every undecided payment: their send deadlines move `by` into the past (on SQLite and on
    PostgreSQL alike, where the no-match rule reads the database server's clock, which a test cannot move)."""
    async with db.transaction() as s:
        for p in (await s.scalars(select(Payment).where(Payment.status.in_(["pending", "unknown"])))).all():
            await s.execute(update(Payment).where(Payment.id == p.id).values(
                send_deadline=(p.send_deadline or p.created_at) - by))


def make_service(db: Database, secrets: SecretStore, client: httpx.AsyncClient, *, actor: Actor = FINANCE_ACTOR,
                 timeout: float | None = None, lookup_delays: Sequence[float] = (0.01, 0.02),
                 **kw: Any) -> PaymentService:
    current = CurrentUser(actor)
    settings = SettingsService(db, secrets, current)
    gateways = GatewayProvider(client, settings, secrets, timeout=timeout)
    return PaymentService(db, gateways, settings, current, lookup_delays=lookup_delays, **kw)


async def invoice_row(db: Database, invoice_id: int) -> Invoice:
    async with db.sessions() as s:
        inv = await s.get(Invoice, invoice_id)
        assert inv is not None
        return inv


async def payments_by_status(db: Database, invoice_id: int | None = None) -> dict[str, int]:
    async with db.sessions() as s:
        q = select(Payment.status, func.count()).group_by(Payment.status)
        if invoice_id is not None:
            q = q.where(Payment.invoice_id == invoice_id)
        return {row[0]: row[1] for row in (await s.execute(q)).all()}


@contextlib.contextmanager
def gateway_declines(sandbox: GatewaySandbox) -> Iterator[None]:
    """While active, the sandbox declines every sale the way it declines one below 1.00 (response 2,
    DECLINE for cards, FAILED for eChecks). PayApp refuses amounts under the gateway's minimum itself, so
    that test-mode trigger can no longer be reached through the engine; tests that need a real decline
    answer (messages, audit, nothing saved) ask the sandbox for one here."""
    sale = sandbox._sale
    sandbox._sale = lambda form: sale({**form, "amount": "0.99"})  # type: ignore[method-assign]
    try:
        yield
    finally:
        del sandbox._sale        # the class's method again


@dataclass
class ServedGateway:
    sandbox: GatewaySandbox
    url: str


@pytest.fixture
def served_gateway() -> Iterator[ServedGateway]:
    """The sandbox gateway on 127.0.0.1 (uvicorn, real sockets)."""
    sandbox = GatewaySandbox()
    with serve_asgi(create_gateway_app(sandbox)) as url:
        yield ServedGateway(sandbox, url)


@dataclass
class ServedPayEngine:
    sandbox: PayEngineSandbox
    url: str                     # the API base, ending in /v1


@pytest.fixture
def served_payengine() -> Iterator[ServedPayEngine]:
    """The PayEngine sandbox on 127.0.0.1 (uvicorn, real sockets)."""
    sandbox = PayEngineSandbox()
    with serve_asgi(create_payengine_app(sandbox)) as url:
        yield ServedPayEngine(sandbox, f"{url}/v1")


@dataclass
class AnyServedGateway:
    """One gateway's sandbox on loopback, for tests that run the same matrix against every gateway."""

    name: str                    # nmi | payengine | paypal
    sandbox: Any                 # GatewaySandbox | PayEngineSandbox | PayPalSandbox (add_fault, approved_sales, ...)
    url: str
    currency: str
    charge_path: str             # the path of a charge request (the connect-timeout fault arms on it)

    def order_key(self, order_id: str) -> str:
        """Our order id as the sandbox keeps it (PayEngine: its 30-character merchantOrderId)."""
        return merchant_order_id(order_id) if self.name == "payengine" else order_id

    @property
    def direct(self) -> bool:
        """Takes card numbers from the back office (PayPal only takes payments on its own page)."""
        return self.name != "paypal"

    async def pay(self, svc: PaymentService, invoice_id: int, amount_minor: int, number: str = VISA, *,
                  confirm_duplicate: bool = False) -> PaymentResult:
        """A payment through this gateway: a card typed in the back office, or (PayPal) the Express Checkout."""
        if self.name == "paypal":
            return await pay_by_paypal(svc, self.sandbox, invoice_id, amount_minor,
                                       confirm_duplicate=confirm_duplicate)
        return await svc.take_payment(PaymentRequest(invoice_id, amount_minor, card(number)),
                                      confirm_duplicate=confirm_duplicate)

    async def configure(self, db: Database, secrets: SecretStore) -> None:
        if self.name == "paypal":
            await configure_paypal(db, secrets, self.url, currency=self.currency)
        elif self.name == "payengine":
            await configure_payengine(db, secrets, self.url, currency=self.currency)
        else:
            await configure_processing(db, secrets, self.url)


@pytest.fixture(params=["nmi", "payengine", "paypal"])
def served_any(request: pytest.FixtureRequest) -> Iterator[AnyServedGateway]:
    if request.param == "paypal":
        pp = PayPalSandbox()
        with serve_asgi(create_paypal_app(pp)) as url:
            yield AnyServedGateway("paypal", pp, url, "EUR", "/nvp")
    elif request.param == "payengine":
        pe = PayEngineSandbox()
        with serve_asgi(create_payengine_app(pe)) as url:
            yield AnyServedGateway("payengine", pe, f"{url}/v1", "EUR", "/orders/debit")
    else:
        nmi = GatewaySandbox()
        with serve_asgi(create_gateway_app(nmi)) as url:
            yield AnyServedGateway("nmi", nmi, url, "USD", "/transact.php")


@pytest.fixture
async def http_client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5.0) as c:
        yield c

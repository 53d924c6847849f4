"""QuickBooks Online held to the real service (issue #13 items 8–11, #12.3): the sandbox served by uvicorn on
127.0.0.1 (real sockets) refuses what Intuit refuses, and PayApp works with it: Connect with production keys
through a pasted address, refunds that wait for a chosen bank account, XML throttling, code 120 on HTTP 500,
single-quote-only query escaping, any minorversion from 75, and two installations on one company."""

from __future__ import annotations

import datetime as dt
import shutil
import urllib.parse
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from payapp.app import demo_credentials
from payapp.connectors.accounting.quickbooks_online import (
    QuickBooksConnector,
    QuickBooksError,
    QuickBooksOAuth,
    TokenSet,
    is_voided,
)
from payapp.domain.messages import english, stored_text
from payapp.models import OutboxJob, Payment
from payapp.models.base import utcnow
from payapp.models.db import Database
from payapp.sandbox.quickbooks import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_REDIRECT_URIS,
    QuickBooksSandbox,
    create_quickbooks_app,
)
from payapp.services.auth import CurrentUser
from payapp.services.connections import LOOPBACK_REDIRECT, ConnectionsService
from payapp.services.installation import installation_id
from payapp.services.outbox import OutboxWorker
from payapp.services.secrets import Secret, SecretStore
from payapp.services.settings import SettingsService
from tests.integration.test_outbox import seed
from tests.servers import serve_asgi

HTTPS_PAGE = DEMO_REDIRECT_URIS[1]


async def _no_sleep(_: float) -> None:
    return None


@pytest.fixture
def qb_sandbox() -> QuickBooksSandbox:
    return QuickBooksSandbox(seed=7)


@pytest.fixture
def qb_url(qb_sandbox: QuickBooksSandbox) -> Iterator[str]:
    with serve_asgi(create_quickbooks_app(qb_sandbox)) as url:
        yield url


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


async def connections(database: Database, secret_store: SecretStore, current_user: CurrentUser,
                      http: httpx.AsyncClient, qb_url: str, *, redirect_uri: str | None = HTTPS_PAGE
                      ) -> tuple[ConnectionsService, SettingsService]:
    settings = SettingsService(database, secret_store, current_user)
    await settings.set_many({"quickbooks.base_url": qb_url, "quickbooks.auth_base_url": qb_url, "currency": "USD"})
    conn = ConnectionsService(database, settings, secret_store, current_user, http, demo=True, quickbooks_rate=0,
                              demo_credentials=demo_credentials())
    await conn.save_quickbooks_app(client_id=DEMO_CLIENT_ID, client_secret=Secret(DEMO_CLIENT_SECRET),
                                   redirect_uri=redirect_uri)
    return conn, settings


async def sign_in(http: httpx.AsyncClient, url: str) -> httpx.Response:
    """The admin signs in at Intuit (the sandbox stands in for appcenter.intuit.com)."""
    return await http.get(url, follow_redirects=False)


def connector(qb_url: str, http: httpx.AsyncClient, sb: QuickBooksSandbox) -> QuickBooksConnector:
    access, refresh = sb.issue_tokens()

    async def save(_: TokenSet) -> None:
        return None

    oauth = QuickBooksOAuth(qb_url, http, client_id=DEMO_CLIENT_ID, client_secret=DEMO_CLIENT_SECRET)
    return QuickBooksConnector(qb_url, http, realm_id=sb.realm_id, oauth=oauth, save_tokens=save, rate=0,
                               tokens=TokenSet(access, refresh, utcnow() + dt.timedelta(hours=1)), sleep=_no_sleep)


# ---------------------------------------------------------------- #13.8 Connect with production keys


async def test_connect_with_production_keys_by_pasting_the_address_landed_on(
        database: Database, secret_store: SecretStore, current_user: CurrentUser, http: httpx.AsyncClient,
        qb_url: str, qb_sandbox: QuickBooksSandbox) -> None:
    qb_sandbox.development_keys = False
    conn, _ = await connections(database, secret_store, current_user, http, qb_url)
    status = await conn.quickbooks_status()
    assert status.redirect_uri == HTTPS_PAGE and status.effective_redirect_uri == HTTPS_PAGE
    url, state = await conn.start_authorization()
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["redirect_uri"] == [HTTPS_PAGE]
    landed = (await sign_in(http, url)).headers["location"]
    assert landed.startswith(HTTPS_PAGE + "?")

    forged = landed.replace(f"state={state}", "state=somebody-elses")
    with pytest.raises(Exception, match="not the one PayApp started"):
        await conn.complete_pasted(forged)
    await conn.complete_pasted("  " + landed + "\n")
    status = await conn.quickbooks_status()
    assert status.connected and status.realm_id == qb_sandbox.realm_id
    ok, message = await conn.test_quickbooks()
    assert ok, message


async def test_pasting_only_the_code_reconnects_the_company_connected_before(
        database: Database, secret_store: SecretStore, current_user: CurrentUser, http: httpx.AsyncClient,
        qb_url: str) -> None:
    conn, _ = await connections(database, secret_store, current_user, http, qb_url)
    with pytest.raises(Exception, match="Click Connect QuickBooks first"):
        await conn.complete_pasted("qc-nothing-started")
    url, _state = await conn.start_authorization()
    landed = (await sign_in(http, url)).headers["location"]
    await conn.complete_pasted(landed)
    url, _state = await conn.start_authorization()
    code = urllib.parse.parse_qs(urllib.parse.urlsplit((await sign_in(http, url)).headers["location"]).query)["code"]
    await conn.complete_pasted(code[0])
    assert (await conn.quickbooks_status()).connected
    with pytest.raises(Exception, match="did not connect: access_denied"):
        await conn.complete_pasted(HTTPS_PAGE + "?error=access_denied&state=x")


async def test_the_sandbox_refuses_redirect_uris_intuit_refuses(http: httpx.AsyncClient, qb_url: str,
                                                                qb_sandbox: QuickBooksSandbox) -> None:
    def authorize(redirect: str) -> str:
        return f"{qb_url}/connect/oauth2?" + urllib.parse.urlencode(
            {"client_id": DEMO_CLIENT_ID, "response_type": "code", "scope": "com.intuit.quickbooks.accounting",
             "redirect_uri": redirect, "state": "s"})

    for refused in ("http://127.0.0.1:53211/callback", "https://unregistered.example.com/cb",
                    "http://payapp.example.com/quickbooks/connected"):
        resp = await sign_in(http, authorize(refused))
        assert resp.status_code == 400 and "redirect_uri" in resp.text, refused
    assert (await sign_in(http, authorize(LOOPBACK_REDIRECT))).status_code == 302     # development keys
    assert (await sign_in(http, authorize(HTTPS_PAGE))).status_code == 302
    qb_sandbox.development_keys = False
    assert (await sign_in(http, authorize(LOOPBACK_REDIRECT))).status_code == 400     # production keys: https only
    # a code is exchanged only with the redirect URI it was issued for
    code = qb_sandbox.authorization_code(HTTPS_PAGE)
    oauth = QuickBooksOAuth(qb_url, http, client_id=DEMO_CLIENT_ID, client_secret=DEMO_CLIENT_SECRET)
    with pytest.raises(QuickBooksError, match="Reconnect"):
        await oauth.exchange_code(code, LOOPBACK_REDIRECT)


async def test_redirect_uri_setting_refuses_what_intuit_refuses(
        database: Database, secret_store: SecretStore, current_user: CurrentUser, http: httpx.AsyncClient,
        qb_url: str) -> None:
    conn, _ = await connections(database, secret_store, current_user, http, qb_url, redirect_uri=None)
    assert (await conn.quickbooks_status()).effective_redirect_uri == LOOPBACK_REDIRECT
    for bad, words in (("http://payapp.example.com/cb", "https"), ("https://10.0.0.5/cb", "IP address"),
                       ("ftp://x", "https"), ("https://", "https")):
        with pytest.raises(Exception, match=words):
            await conn.save_quickbooks_app(client_id=DEMO_CLIENT_ID, redirect_uri=bad)
    await conn.save_quickbooks_app(client_id=DEMO_CLIENT_ID, redirect_uri=LOOPBACK_REDIRECT)
    assert (await conn.quickbooks_status()).redirect_uri == ""
    # demo mode connects through the fixed localhost loopback, which the sandbox accepts
    await conn.connect_demo()
    assert (await conn.quickbooks_status()).connected


# ---------------------------------------------------------------- #13.9 refunds need the bank account


async def test_refunds_wait_for_the_bank_account_then_go(
        database: Database, secret_store: SecretStore, current_user: CurrentUser, http: httpx.AsyncClient,
        qb_url: str, qb_sandbox: QuickBooksSandbox) -> None:
    conn, settings = await connections(database, secret_store, current_user, http, qb_url)
    url, _ = await conn.start_authorization()
    await conn.complete_pasted((await sign_in(http, url)).headers["location"])
    assert await conn.quickbooks_bank_accounts() == [("35", "Checking"), ("36", "Savings")]

    await seed(database, companies=1, invoices=1, payments=1)
    async with database.transaction() as s:
        s.add(OutboxJob(kind="accounting.refund_payment", payload='{"payment_id": 1, "amount_minor": 50}',
                        payment_id=1))
    worker = OutboxWorker(database, conn.quickbooks, conn.quickbooks, current=current_user, settings=settings,
                          backoff_base=dt.timedelta(0), sleep=_no_sleep)
    conn.on_quickbooks_connected(worker.resume_held)
    report = await worker.drain()
    assert report.needs_attention == 0 and qb_sandbox.all("Payment") and not qb_sandbox.all("RefundReceipt")
    async with database.sessions() as s:
        job = await s.scalar(select(OutboxJob).where(OutboxJob.kind == "accounting.refund_payment"))
    assert job is not None and job.status == "pending" and stored_text(job.last_error, "en").startswith("Needs set-up")
    assert "bank account" in stored_text(job.last_error, "en")
    (problem,) = await worker.problems()          # shown in Sync problems until it is set up
    assert problem.kind == "accounting.refund_payment"
    assert english(problem.last_error) == stored_text(job.last_error, "en")

    await conn.set_refund_account("36", "Savings")
    assert (await conn.quickbooks_status()).refund_account_name == "Savings"
    await worker.drain()
    (refund,) = qb_sandbox.all("RefundReceipt")
    assert refund["DepositToAccountRef"] == {"value": "36"}
    async with database.sessions() as s:
        job = await s.scalar(select(OutboxJob).where(OutboxJob.kind == "accounting.refund_payment"))
    assert job is not None and job.status == "done" and await worker.problems() == []


async def test_the_sandbox_refuses_a_refund_receipt_without_the_account(http: httpx.AsyncClient, qb_url: str,
                                                                        qb_sandbox: QuickBooksSandbox) -> None:
    qb = connector(qb_url, http, qb_sandbox)
    customer = await qb.ensure_customer("Refund Test", "rid-customer")
    body: dict[str, Any] = {"CustomerRef": {"value": customer["Id"]}, "Line": [
        {"Amount": 5, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {"ItemRef": {"value": "1"}}}]}
    with pytest.raises(QuickBooksError) as err:
        await qb.request("POST", "refundreceipt", body=body, request_id="rid-refund-1")
    assert "DepositToAccountRef" in err.value.detail and not qb_sandbox.all("RefundReceipt")
    with pytest.raises(QuickBooksError, match="bank account"):
        await qb.request("POST", "refundreceipt", body={**body, "DepositToAccountRef": {"value": "79"}},
                         request_id="rid-refund-2")


# ---------------------------------------------------------------- #13.10 errors as the service sends them


@pytest.mark.parametrize("status", [429, 403])
async def test_throttling_comes_as_xml_and_is_waited_out(http: httpx.AsyncClient, qb_url: str,
                                                         qb_sandbox: QuickBooksSandbox, status: int) -> None:
    qb = connector(qb_url, http, qb_sandbox)
    qb_sandbox.faults.retry_after = 7
    if status == 429:
        qb_sandbox.faults.throttle_next = 1
    else:
        qb_sandbox.faults.throttle_403_next = 1
    raw = await http.get(f"{qb_url}/v3/company/{qb_sandbox.realm_id}/preferences",
                         params={"minorversion": "75"}, headers={"Accept": "application/json",
                                                                   "Authorization": "Bearer x"})
    assert raw.status_code == 401        # (no token: the auth check comes first)
    if status == 429:
        qb_sandbox.faults.throttle_next = 1
    else:
        qb_sandbox.faults.throttle_403_next = 1
    with pytest.raises(QuickBooksError) as err:
        await qb.preferences()
    assert err.value.kind == "throttled" and err.value.retryable and err.value.retry_after == 7.0
    assert err.value.codes == ("3001",) and "ThrottleExceeded" in err.value.detail
    assert await qb.preferences()       # the next call goes through


async def test_the_sandbox_throttles_in_xml(http: httpx.AsyncClient, qb_url: str,
                                            qb_sandbox: QuickBooksSandbox) -> None:
    access, _ = qb_sandbox.issue_tokens()
    qb_sandbox.faults.throttle_next = 1
    resp = await http.get(f"{qb_url}/v3/company/{qb_sandbox.realm_id}/preferences", params={"minorversion": "75"},
                          headers={"Accept": "application/json", "Authorization": f"Bearer {access}"})
    assert resp.status_code == 429 and resp.headers["content-type"].startswith("application/xml")
    assert '<Error code="3001">' in resp.text and "errorCode=003001; statusCode=429" in resp.text


async def test_code_120_on_http_500_is_a_passing_failure_not_a_disconnect(
        database: Database, secret_store: SecretStore, current_user: CurrentUser, http: httpx.AsyncClient,
        qb_url: str, qb_sandbox: QuickBooksSandbox) -> None:
    qb = connector(qb_url, http, qb_sandbox)
    qb_sandbox.faults.auth_glitch_next = 1
    with pytest.raises(QuickBooksError) as err:
        await qb.preferences()
    assert err.value.kind == "transient" and err.value.retryable and qb.disconnected_reason is None
    assert "Unknown Error during Authentication" in err.value.detail

    conn, settings = await connections(database, secret_store, current_user, http, qb_url)
    await conn.connect_demo()
    await seed(database, companies=1, invoices=1, payments=1)
    worker = OutboxWorker(database, conn.quickbooks, conn.quickbooks, settings=settings,
                          backoff_base=dt.timedelta(0), sleep=_no_sleep)
    qb_sandbox.faults.auth_glitch_next = 1
    report = await worker.drain()
    assert not report.stopped_reason and report.retried == 1 and report.needs_attention == 0
    assert len(qb_sandbox.all("Payment")) == 1 and (await conn.quickbooks_status()).problem is None


# ---------------------------------------------------------------- #13.11 queries, minorversion, voided


async def test_customer_names_with_a_backslash_and_an_apostrophe_are_found(
        http: httpx.AsyncClient, qb_url: str, qb_sandbox: QuickBooksSandbox) -> None:
    qb = connector(qb_url, http, qb_sandbox)
    name = "O'Brien \\ Sons' Dental"
    created = await qb.ensure_customer(name, "rid-c-1")
    found = await qb.find_customer(name)
    assert found is not None and found["Id"] == created["Id"]
    again = await qb.ensure_customer(name, "rid-c-2")          # 6240 duplicate name → found by query
    assert again["Id"] == created["Id"] and len(qb_sandbox.all("Customer")) == 1
    assert await qb.find_customer("O'Brien \\\\ Sons' Dental") is None


@pytest.mark.parametrize("minor,accepted", [("75", True), ("76", True), ("999", True), ("74", False),
                                            ("65", False), ("", False), ("75a", False)])
async def test_every_minorversion_from_75(http: httpx.AsyncClient, qb_url: str, qb_sandbox: QuickBooksSandbox,
                                          minor: str, accepted: bool) -> None:
    access, _ = qb_sandbox.issue_tokens()
    resp = await http.get(f"{qb_url}/v3/company/{qb_sandbox.realm_id}/preferences", params={"minorversion": minor},
                          headers={"Accept": "application/json", "Authorization": f"Bearer {access}"})
    assert (resp.status_code == 200) is accepted


def test_voided_anywhere_in_the_private_note() -> None:
    assert is_voided({"PrivateNote": "PayApp ORD-1 · card visa ****1111 Voided", "TotalAmt": 0})
    assert is_voided({"PrivateNote": "Voided", "TotalAmt": "0.00"})
    assert not is_voided({"PrivateNote": "Voided", "TotalAmt": "12.50"})
    assert not is_voided({"PrivateNote": "PayApp ORD-1", "TotalAmt": 0})
    assert not is_voided({"PrivateNote": ["Voided"], "TotalAmt": "x"})
    assert not is_voided({"PrivateNote": "Voided", "TotalAmt": "not a number"})


# ---------------------------------------------------------------- #12.3 two installations, one company


async def test_two_installations_on_one_company_do_not_mix_records(
        database: Database, tmp_path: Path, sqlite_template: Path, http: httpx.AsyncClient, qb_url: str,
        qb_sandbox: QuickBooksSandbox) -> None:
    shutil.copy(sqlite_template, tmp_path / "other-installation.db")
    other = Database(f"sqlite:///{tmp_path / 'other-installation.db'}")
    try:
        assert await installation_id(database) != await installation_id(other)
        assert await installation_id(database) == await installation_id(database)    # once per database
        for db, cents in ((database, 1000), (other, 2000)):
            await seed(db, companies=1, invoices=1, payments=1)     # the same row ids in both databases
            async with db.transaction() as s:
                pay = await s.get(Payment, 1)
                assert pay is not None
                pay.amount_minor = cents
        for db in (database, other):
            worker = OutboxWorker(db, lambda: _connected(qb_url, http, qb_sandbox),
                                  lambda: _connected(qb_url, http, qb_sandbox), backoff_base=dt.timedelta(0),
                                  sleep=_no_sleep)
            report = await worker.drain()
            assert report.needs_attention == 0, await worker.problems()
        invoices = qb_sandbox.all("Invoice")
        payments = qb_sandbox.all("Payment")
        assert len(invoices) == 2 and len(payments) == 2
        assert len({rid for _m, _p, rid in qb_sandbox.request_log if rid}) == len(
            [1 for m, _p, rid in qb_sandbox.request_log if rid and m == "POST"])     # no request id twice
        for db in (database, other):
            async with db.sessions() as s:
                pay = await s.get(Payment, 1)
            assert pay is not None and pay.accounting_sync_state == "synced"
            (qb_payment,) = [p for p in payments if p["Id"] == pay.accounting_id]
            linked = qb_payment["Line"][0]["LinkedTxn"][0]["TxnId"]
            (qb_invoice,) = [i for i in invoices if i["Id"] == linked]
            assert qb_payment["TotalAmt"] == Decimal(pay.amount_minor) / 100      # this database's payment
            assert qb_invoice["Balance"] == qb_invoice["TotalAmt"] - qb_payment["Line"][0]["Amount"]
            assert qb_payment["CustomerRef"] == qb_invoice["CustomerRef"]
    finally:
        await other.dispose()


async def _connected(qb_url: str, http: httpx.AsyncClient, sb: QuickBooksSandbox) -> QuickBooksConnector:
    return connector(qb_url, http, sb)

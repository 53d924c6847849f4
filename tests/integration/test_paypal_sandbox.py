"""The PayPal NVP connector against the PayPal sandbox served by uvicorn on loopback (real sockets): Express Checkout
through the sandbox's buyer page (followed with httpx like a browser would), cancel, pending eCheck, refunds,
duplicate INVNUM, credentials, reversal, persistence and every fault switch ending in an unknown outcome that the
INVNUM look-up resolves without a second charge."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import sys
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from payapp.connectors.gateways.paypal import (
    PAYPAL,
    PayPalCredentials,
    PayPalError,
    PayPalGateway,
    PayPalUnknownOutcome,
    checkout_url_for,
    parse_nvp,
)
from payapp.sandbox.paypal import (
    DEMO_API_PASSWORD,
    DEMO_API_SIGNATURE,
    DEMO_API_USERNAME,
    PayPalSandbox,
    create_paypal_app,
)
from payapp.sandbox.persist import PersistingApp, load_state, save_state
from payapp.sandbox.serve import banner, build
from tests.servers import free_port, serve_asgi

CREDS = PayPalCredentials(DEMO_API_USERNAME, DEMO_API_PASSWORD, DEMO_API_SIGNATURE)
PAYS, ECHECK, DECLINED = "SBXPAYS000001", "SBXECHK000002", "SBXDECL000003"
RETURN_URL = "https://portal.example.test/paypal/return?payment=42"
CANCEL_URL = "https://portal.example.test/paypal/cancel?payment=42"


def since() -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(days=1)


@pytest.fixture
def sandbox() -> PayPalSandbox:
    return PayPalSandbox()


@pytest.fixture
def base_url(sandbox: PayPalSandbox) -> Iterator[str]:
    with serve_asgi(create_paypal_app(sandbox)) as url:
        yield url


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=2.0) as c:
        yield c


@pytest.fixture
def gw(client: httpx.AsyncClient, base_url: str) -> PayPalGateway:
    return PayPalGateway(client, base_url, CREDS)


async def buyer_decides(client: httpx.AsyncClient, redirect_url: str, *, payer_id: str = PAYS,
                        action: str = "approve") -> httpx.URL:
    """What the buyer's browser does: open PayPal's page, press Approve (as `payer_id`) or Cancel; the page
    redirects back to the merchant. Returns where it redirects."""
    page = await client.get(redirect_url)
    assert page.status_code == 200 and 'id="approve"' in page.text and 'id="cancel"' in page.text
    match = re.search(r'<form method="post" action="([^"]+)"', page.text)
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    assert match and token
    target = httpx.URL(redirect_url).join(match.group(1))
    answer = await client.post(target, data={"token": token.group(1), "PayerID": payer_id, "action": action})
    assert answer.status_code == 303
    return httpx.URL(answer.headers["location"])


def query_of(url: httpx.URL) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(str(url)).query).items()}


async def approved(gw: PayPalGateway, client: httpx.AsyncClient, *, invnum: str, amount: str = "10.00",
                   currency: str = "USD", payer_id: str = PAYS) -> tuple[str, str]:
    start = await gw.set_express_checkout(amount=amount, currency=currency, invnum=invnum, return_url=RETURN_URL,
                                          cancel_url=CANCEL_URL, description="Invoice 1001")
    back = await buyer_decides(client, start.redirect_url, payer_id=payer_id)
    assert str(back).startswith(RETURN_URL)
    q = query_of(back)
    assert q["payment"] == "42" and q["token"] == start.token
    return q["token"], q["PayerID"]


def payments_for(sandbox: PayPalSandbox, invnum: str) -> list[str]:
    return [t.transaction_id for t in sandbox.transactions.values() if t.kind == "Payment" and t.invnum == invnum]


# ------------------------------------------------------------------------------------ Express Checkout

async def test_whole_express_checkout_completes(gw: PayPalGateway, client: httpx.AsyncClient,
                                                sandbox: PayPalSandbox) -> None:
    start = await gw.set_express_checkout(amount="25.50", currency="EUR", invnum="pay-1", return_url=RETURN_URL,
                                          cancel_url=CANCEL_URL, description="Invoice 1001")
    assert start.token.startswith("EC-") and len(start.token) == 20
    assert start.redirect_url == f"{gw.base_url}/cgi-bin/webscr?cmd=_express-checkout&token={start.token}"
    before = await gw.get_express_checkout_details(start.token)
    assert not before.approved and before.checkout_status == "PaymentActionNotInitiated"
    page = await client.get(start.redirect_url)
    assert "25.50 EUR" in page.text and "Invoice 1001" in page.text
    back = await buyer_decides(client, start.redirect_url)
    token, payer_id = query_of(back)["token"], query_of(back)["PayerID"]
    details = await gw.get_express_checkout_details(token)
    assert (details.payer_id, details.amount, details.currency, details.invnum) == (payer_id, "25.50", "EUR",
                                                                                    "pay-1")
    payment = await gw.do_express_checkout_payment(token=token, payer_id=payer_id, amount="25.50", currency="EUR",
                                                   invnum="pay-1")
    assert payment.completed and len(payment.transaction_id) == 17 and payment.amount == "25.50"
    assert (await gw.get_express_checkout_details(token)).paid
    assert (await gw.get_transaction_details(payment.transaction_id)).completed
    found = await gw.find_payment("pay-1", start=since())
    assert found is not None and found.transaction_id == payment.transaction_id and found.invnum == "pay-1"
    assert await gw.find_payment("pay-unknown", start=since()) is None
    # the token pays once (10415), and the buyer's page is gone
    with pytest.raises(PayPalError) as info:
        await gw.do_express_checkout_payment(token=token, payer_id=payer_id, amount="25.50", currency="EUR",
                                             invnum="pay-1")
    assert info.value.already_processed
    assert (await client.get(start.redirect_url)).status_code == 404
    assert payments_for(sandbox, "pay-1") == [payment.transaction_id]


async def test_cancel_returns_to_cancel_url_and_nothing_is_paid(gw: PayPalGateway, client: httpx.AsyncClient,
                                                                sandbox: PayPalSandbox) -> None:
    start = await gw.set_express_checkout(amount="10.00", currency="USD", invnum="pay-c", return_url=RETURN_URL,
                                          cancel_url=CANCEL_URL)
    back = await buyer_decides(client, start.redirect_url, action="cancel")
    assert str(back).startswith(CANCEL_URL) and query_of(back)["token"] == start.token
    assert not (await gw.get_express_checkout_details(start.token)).approved
    with pytest.raises(PayPalError) as info:
        await gw.do_express_checkout_payment(token=start.token, payer_id=PAYS, amount="10.00", currency="USD",
                                             invnum="pay-c")
    assert info.value.code == "10485"
    assert payments_for(sandbox, "pay-c") == [] and await gw.find_payment("pay-c", start=since()) is None


async def test_echeck_stays_pending_until_completed(gw: PayPalGateway, client: httpx.AsyncClient) -> None:
    token, payer_id = await approved(gw, client, invnum="pay-e", payer_id=ECHECK)
    payment = await gw.do_express_checkout_payment(token=token, payer_id=payer_id, amount="10.00", currency="USD",
                                                   invnum="pay-e")
    assert payment.pending and (payment.pending_reason, payment.payment_type) == ("echeck", "echeck")
    with pytest.raises(PayPalError) as info:            # nothing to give back before the eCheck clears
        await gw.refund_transaction(payment.transaction_id)
    assert info.value.code == "10009"
    assert (await gw.get_transaction_details(payment.transaction_id)).pending
    done = await client.post(f"{gw.base_url}/_sandbox/complete-pending",
                             json={"transaction_id": payment.transaction_id})
    assert done.json() == {"completed": 1}
    later = await gw.get_transaction_details(payment.transaction_id)
    assert later.completed and later.pending_reason == ""


async def test_declined_funding_is_10486_and_takes_nothing(gw: PayPalGateway, client: httpx.AsyncClient) -> None:
    token, payer_id = await approved(gw, client, invnum="pay-d", payer_id=DECLINED)
    with pytest.raises(PayPalError) as info:
        await gw.do_express_checkout_payment(token=token, payer_id=payer_id, amount="10.00", currency="USD",
                                             invnum="pay-d")
    assert info.value.funding_declined and "redirect your customer" in info.value.long_message
    assert await gw.find_payment("pay-d", start=since()) is None


async def test_after_10486_the_buyer_chooses_again_with_the_same_token(gw: PayPalGateway,
                                                                       client: httpx.AsyncClient,
                                                                       sandbox: PayPalSandbox) -> None:
    # PayPal's recovery for 10486: send the buyer back to the same redirect URL to pick another funding source
    start = await gw.set_express_checkout(amount="10.00", currency="USD", invnum="pay-d2", return_url=RETURN_URL,
                                          cancel_url=CANCEL_URL)
    back = await buyer_decides(client, start.redirect_url, payer_id=DECLINED)
    with pytest.raises(PayPalError) as info:
        await gw.do_express_checkout_payment(token=start.token, payer_id=query_of(back)["PayerID"],
                                             amount="10.00", currency="USD", invnum="pay-d2")
    assert info.value.funding_declined
    back = await buyer_decides(client, start.redirect_url, payer_id=PAYS)
    paid = await gw.do_express_checkout_payment(token=start.token, payer_id=query_of(back)["PayerID"],
                                                amount="10.00", currency="USD", invnum="pay-d2")
    assert paid.completed and payments_for(sandbox, "pay-d2") == [paid.transaction_id]


async def test_set_express_checkout_refusals(gw: PayPalGateway) -> None:
    for amount, code in (("0.00", "10401"), ("12.5", "10401"), ("1e3", "10401"), ("٤٢.00", "10401")):
        with pytest.raises(PayPalError) as info:
            await gw.set_express_checkout(amount=amount, currency="USD", invnum="x", return_url=RETURN_URL,
                                          cancel_url=CANCEL_URL)
        assert info.value.code == code, amount
    with pytest.raises(PayPalError) as info:
        await gw.set_express_checkout(amount="5.00", currency="USD", invnum="x", return_url="not a url",
                                      cancel_url=CANCEL_URL)
    assert info.value.code == "10404"
    with pytest.raises(PayPalError) as info:
        await gw.call("SetExpressCheckout", {"PAYMENTREQUEST_0_AMT": "5.00", "PAYMENTREQUEST_0_ITEMAMT": "4.00",
                                             "RETURNURL": RETURN_URL, "CANCELURL": CANCEL_URL})
    assert info.value.code == "10413"


# ------------------------------------------------------------------------------------ duplicates, credentials

async def test_duplicate_invnum_is_10412_and_the_look_up_finds_the_first(gw: PayPalGateway,
                                                                         client: httpx.AsyncClient,
                                                                         sandbox: PayPalSandbox) -> None:
    token, payer_id = await approved(gw, client, invnum="pay-dup")
    second_token, second_payer = await approved(gw, client, invnum="pay-dup")   # not yet paid: PayPal allows it
    first = await gw.do_express_checkout_payment(token=token, payer_id=payer_id, amount="10.00", currency="USD",
                                                 invnum="pay-dup")
    with pytest.raises(PayPalError) as info:
        await gw.do_express_checkout_payment(token=second_token, payer_id=second_payer, amount="10.00",
                                             currency="USD", invnum="pay-dup")
    assert info.value.duplicate_invoice
    with pytest.raises(PayPalError) as info:
        await gw.set_express_checkout(amount="10.00", currency="USD", invnum="pay-dup", return_url=RETURN_URL,
                                      cancel_url=CANCEL_URL)
    assert info.value.duplicate_invoice
    found = await gw.find_payment("pay-dup", start=since())
    assert found is not None and found.transaction_id == first.transaction_id
    assert payments_for(sandbox, "pay-dup") == [first.transaction_id]


async def test_wrong_credentials_are_10002(client: httpx.AsyncClient, base_url: str, gw: PayPalGateway) -> None:
    for creds in (PayPalCredentials(DEMO_API_USERNAME, "wrong-password-1", DEMO_API_SIGNATURE),
                  PayPalCredentials(DEMO_API_USERNAME, DEMO_API_PASSWORD, "wrong-signature-1"),
                  PayPalCredentials("someone_api1.example.test", DEMO_API_PASSWORD, DEMO_API_SIGNATURE)):
        bad = PayPalGateway(client, base_url, creds)
        with pytest.raises(PayPalError) as info:
            await bad.set_express_checkout(amount="5.00", currency="USD", invnum="x", return_url=RETURN_URL,
                                           cancel_url=CANCEL_URL)
        assert info.value.auth_failed and info.value.long_message == "Security header is not valid"
        ok, message = await bad.test_credentials()
        assert not ok and "API username, password and signature" in message.english()
    assert (await gw.test_credentials())[0]


@pytest.mark.logs_warnings("httpx logs every request at INFO; the test reads them all back")
async def test_credentials_are_never_logged_nor_shown(client: httpx.AsyncClient, base_url: str,
                                                      gw: PayPalGateway, sandbox: PayPalSandbox,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    # httpx's own level too: PayApp's log set-up (run by earlier tests in this process) quiets it to WARNING
    caplog.set_level(logging.DEBUG, logger="httpx")
    shown: list[str] = [repr(gw), repr(CREDS), str(PAYPAL)]
    token, payer_id = await approved(gw, client, invnum="pay-log")
    payment = await gw.do_express_checkout_payment(token=token, payer_id=payer_id, amount="10.00", currency="USD",
                                                   invnum="pay-log")
    shown += [repr(payment), repr(await gw.refund_transaction(payment.transaction_id, amount="1.00",
                                                              currency="USD"))]
    bad = PayPalGateway(client, base_url, PayPalCredentials(DEMO_API_USERNAME, "wrong-password-1",
                                                            DEMO_API_SIGNATURE))
    with pytest.raises(PayPalError) as refused:
        await bad.get_transaction_details(payment.transaction_id)
    sandbox.add_fault("lose_answer", method="GetTransactionDetails")
    with pytest.raises(PayPalUnknownOutcome) as lost:
        await gw.get_transaction_details(payment.transaction_id)
    for exc in (refused.value, lost.value):
        shown += [str(exc), repr(exc), exc.user_message, exc.detail]
    text = caplog.text + "\n".join(shown)
    assert "HTTP Request: POST" in caplog.text           # the log did see the calls
    for secret in (DEMO_API_PASSWORD, DEMO_API_SIGNATURE, DEMO_API_USERNAME, "wrong-password-1"):
        assert secret not in text


# ------------------------------------------------------------------------------------ refunds, reversal

async def test_refunds_full_partial_and_paypal_limits(gw: PayPalGateway, client: httpx.AsyncClient,
                                                      sandbox: PayPalSandbox) -> None:
    token, payer_id = await approved(gw, client, invnum="pay-r")
    p = await gw.do_express_checkout_payment(token=token, payer_id=payer_id, amount="10.00", currency="USD",
                                             invnum="pay-r")
    first = await gw.refund_transaction(p.transaction_id, amount="4.00", currency="USD")
    assert (first.gross, first.total_refunded) == ("4.00", "4.00")
    assert (await gw.get_transaction_details(p.transaction_id)).status == "Partially-Refunded"
    for amount in ("7.00", None):                         # more than remains; Full after a partial refund
        with pytest.raises(PayPalError) as info:
            await gw.refund_transaction(p.transaction_id, amount=amount, currency="USD")
        assert info.value.code == "10009"
    with pytest.raises(PayPalError) as info:
        await gw.refund_transaction(p.transaction_id, amount="1.00", currency="EUR")
    assert info.value.code == "10009"
    rest = await gw.refund_transaction(p.transaction_id, amount="6.00", currency="USD")
    assert rest.total_refunded == "10.00"
    assert (await gw.get_transaction_details(p.transaction_id)).status == "Refunded"
    with pytest.raises(PayPalError):
        await gw.refund_transaction(p.transaction_id, amount="0.01", currency="USD")
    # a full refund of a fresh payment
    token, payer_id = await approved(gw, client, invnum="pay-rf", amount="30.00")
    q = await gw.do_express_checkout_payment(token=token, payer_id=payer_id, amount="30.00", currency="USD",
                                             invnum="pay-rf")
    full = await gw.refund_transaction(q.transaction_id)
    assert (full.gross, full.total_refunded) == ("30.00", "30.00")
    with pytest.raises(PayPalError) as info:
        await gw.refund_transaction("NOSUCHTRANSACTION")
    assert info.value.code == "10004"
    # refunds appear in the search but are never taken for the payment itself
    hits = await gw.transaction_search(start=since(), invnum="pay-r")
    assert sorted(h.type for h in hits) == ["Payment", "Refund", "Refund"]
    found = await gw.find_payment("pay-r", start=since())
    assert found is not None and found.transaction_id == p.transaction_id


async def test_reversal_switch(gw: PayPalGateway, client: httpx.AsyncClient) -> None:
    token, payer_id = await approved(gw, client, invnum="pay-rev")
    p = await gw.do_express_checkout_payment(token=token, payer_id=payer_id, amount="10.00", currency="USD",
                                             invnum="pay-rev")
    r = await client.post(f"{gw.base_url}/_sandbox/reverse", json={"transaction_id": p.transaction_id})
    assert r.status_code == 200
    after = await gw.get_transaction_details(p.transaction_id)
    assert after.reversed and not after.completed
    hits = await gw.transaction_search(start=since(), invnum="pay-rev")
    assert {h.type for h in hits} == {"Payment", "Reversal"}
    with pytest.raises(PayPalError):
        await gw.refund_transaction(p.transaction_id)
    assert (await client.post(f"{gw.base_url}/_sandbox/reverse", json={"transaction_id": "X"})).status_code == 400


# ------------------------------------------------------------------------------------ faults

PROCESSED = {"delay", "lose_answer", "http_500_after", "garbage"}


@pytest.mark.parametrize("kind", ["delay", "lose_answer", "reset", "http_500", "http_500_after", "garbage"])
async def test_every_fault_is_an_unknown_outcome_the_look_up_resolves(kind: str, client: httpx.AsyncClient,
                                                                      base_url: str,
                                                                      sandbox: PayPalSandbox) -> None:
    gw = PayPalGateway(client, base_url, CREDS, timeout=0.3)
    invnum = f"pay-f-{kind}"
    token, payer_id = await approved(gw, client, invnum=invnum)
    sandbox.add_fault(kind, seconds=1.0, method="DoExpressCheckoutPayment")
    with pytest.raises(PayPalUnknownOutcome) as info:
        await gw.do_express_checkout_payment(token=token, payer_id=payer_id, amount="10.00", currency="USD",
                                             invnum=invnum)
    assert info.value.sent and info.value.invnum == invnum and info.value.method == "DoExpressCheckoutPayment"
    found = await gw.find_payment(invnum, start=since())
    if kind in PROCESSED:
        # PayPal took the money: the look-up finds it; paying again is refused, never charged twice
        assert found is not None and found.completed and found.amount == "10.00"
        with pytest.raises(PayPalError) as again:
            await gw.do_express_checkout_payment(token=token, payer_id=payer_id, amount="10.00", currency="USD",
                                                 invnum=invnum)
        assert again.value.already_processed or again.value.duplicate_invoice
        assert payments_for(sandbox, invnum) == [found.transaction_id]
    else:
        # nothing was processed: the look-up says so, and the payment can be taken now, once
        assert found is None
        paid = await gw.do_express_checkout_payment(token=token, payer_id=payer_id, amount="10.00",
                                                    currency="USD", invnum=invnum)
        assert paid.completed and payments_for(sandbox, invnum) == [paid.transaction_id]


@pytest.mark.parametrize("kind", ["lose_answer", "http_500", "garbage"])
async def test_faults_on_look_ups_are_unknown_not_none(kind: str, gw: PayPalGateway,
                                                       sandbox: PayPalSandbox) -> None:
    sandbox.add_fault(kind, method="TransactionSearch")
    with pytest.raises(PayPalUnknownOutcome):
        await gw.find_payment("pay-any", start=since())
    assert await gw.find_payment("pay-any", start=since()) is None      # the switch fires once


async def test_nothing_listening_is_not_sent(client: httpx.AsyncClient) -> None:
    gw = PayPalGateway(client, f"http://127.0.0.1:{free_port()}", CREDS)
    with pytest.raises(PayPalUnknownOutcome) as info:
        await gw.set_express_checkout(amount="5.00", currency="USD", invnum="x", return_url=RETURN_URL,
                                      cancel_url=CANCEL_URL)
    assert not info.value.sent


# ------------------------------------------------------------------------------------ persistence, command

async def test_state_survives_a_restart(tmp_path: Path, client: httpx.AsyncClient) -> None:
    path = tmp_path / "paypal.json"
    first = PayPalSandbox()
    app = PersistingApp(create_paypal_app(first), lambda: save_state(path, first.state_dict()))
    with serve_asgi(app) as url:
        gw = PayPalGateway(client, url, CREDS)
        token, payer_id = await approved(gw, client, invnum="pay-p")
        p = await gw.do_express_checkout_payment(token=token, payer_id=payer_id, amount="10.00", currency="USD",
                                                 invnum="pay-p")
        await gw.refund_transaction(p.transaction_id, amount="2.50", currency="USD")
    data = load_state(path)
    assert data is not None
    again = PayPalSandbox()
    again.load_state_dict(data)
    with serve_asgi(create_paypal_app(again)) as url:
        gw = PayPalGateway(client, url, CREDS)
        found = await gw.find_payment("pay-p", start=since())
        assert found is not None and found.transaction_id == p.transaction_id
        assert found.status == "Partially-Refunded"
        rest = await gw.refund_transaction(p.transaction_id, amount="7.50", currency="USD")
        assert rest.total_refunded == "10.00"


def test_sandbox_command_says_address_and_credentials() -> None:
    out = banner("paypal", "http://127.0.0.1:8766", build("paypal"))
    for needle in ("http://127.0.0.1:8766", "/nvp", DEMO_API_USERNAME, DEMO_API_PASSWORD, DEMO_API_SIGNATURE,
                   "buyer-pays@", "buyer-echeck@", "buyer-declined@", "Ctrl+C"):
        assert needle in out


def test_declared_description_and_checkout_hosts() -> None:
    assert [(f.key, f.secret) for f in PAYPAL.credential_fields] == [
        ("api_username", False), ("api_password", True), ("api_signature", True)]
    assert {"redirect_checkout", "refund_partial", "lookup_by_order_id"} <= PAYPAL.capabilities
    assert checkout_url_for("https://api-3t.paypal.com") == "https://www.paypal.com/cgi-bin/webscr"
    assert checkout_url_for("https://api-3t.sandbox.paypal.com/") == "https://www.sandbox.paypal.com/cgi-bin/webscr"
    assert checkout_url_for("http://127.0.0.1:9") == "http://127.0.0.1:9/cgi-bin/webscr"


@pytest.mark.slow
async def test_started_paypal_sandbox_prints_what_a_client_needs() -> None:
    """`payapp sandbox --which paypal` as a person runs it: the printed address and credentials are enough to pay."""
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "payapp", "sandbox", "--which", "paypal", "--port", str(port),
        cwd=Path(__file__).resolve().parents[2], stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        while not any("Ctrl+C" in line for line in lines):
            line = (await asyncio.wait_for(proc.stdout.readline(), timeout=20)).decode()
            assert line, (await proc.communicate())[1].decode()[-2000:]
            lines.append(line)
        address = f"http://127.0.0.1:{port}"
        assert address in "".join(lines)

        def printed(label: str) -> str:
            return next(line.rsplit(": ", 1)[1].strip() for line in lines if label in line)

        creds = PayPalCredentials(printed("API username"), printed("API password"), printed("API signature"))
        async with httpx.AsyncClient(timeout=2.0) as c:
            for _ in range(200):                    # the banner comes just before uvicorn binds
                try:
                    await c.get(f"{address}/_sandbox/state")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
            gw = PayPalGateway(c, address, creds)
            token, payer_id = await approved(gw, c, invnum="cli-1")
            paid = await gw.do_express_checkout_payment(token=token, payer_id=payer_id, amount="10.00",
                                                        currency="USD", invnum="cli-1")
            assert paid.completed
    finally:
        proc.terminate()
        await proc.wait()


_form_names = st.sampled_from(["USER", "PWD", "SIGNATURE", "METHOD", "TOKEN", "PAYERID", "PAYMENTREQUEST_0_AMT",
                               "PAYMENTREQUEST_0_CURRENCYCODE", "PAYMENTREQUEST_0_INVNUM", "PAYMENTREQUEST_0_ITEMAMT",
                               "RETURNURL", "CANCELURL", "TRANSACTIONID", "REFUNDTYPE", "AMT", "CURRENCYCODE",
                               "STARTDATE", "ENDDATE", "INVNUM"])
_form_values = st.sampled_from(["SetExpressCheckout", "GetExpressCheckoutDetails", "DoExpressCheckoutPayment",
                                "RefundTransaction", "TransactionSearch", "GetTransactionDetails", "10.00", "0.01",
                                "Full", "Partial", "USD", "EUR", "2020-01-01T00:00:00Z", RETURN_URL, "http://[",
                                "https://h:99999/x",
                                DEMO_API_USERNAME, DEMO_API_PASSWORD, DEMO_API_SIGNATURE, ""]) | st.text(max_size=15)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.dictionaries(_form_names, _form_values, max_size=10), min_size=1, max_size=6))
def test_sandbox_answers_every_request_in_paypal_form(forms: list[dict[str, str]]) -> None:
    """Whatever arrives, the sandbox answers an NVP answer the connector can read (a value or a typed error),
    and its state stays consistent: never more refunded than paid."""
    sandbox = PayPalSandbox()
    for form in forms:
        creds = {"USER": DEMO_API_USERNAME, "PWD": DEMO_API_PASSWORD, "SIGNATURE": DEMO_API_SIGNATURE}
        answer = sandbox.nvp({**creds, **form})
        assert answer["ACK"] in {"Success", "SuccessWithWarning", "Failure"}
        try:
            parse_nvp(urlencode(answer))
        except PayPalError as exc:
            assert exc.code
    for t in sandbox.transactions.values():
        assert t.kind != "Payment" or Decimal("0") <= t.refunded <= t.amount

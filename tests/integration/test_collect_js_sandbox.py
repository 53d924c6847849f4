"""The sandbox gateway's Collect.js and tokenization endpoints, without a browser: what the iframes post, what they
get back, and the rules a token keeps (one use, a short life, the account's tokenization key). Over real HTTP."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs

import httpx
import pytest

from payapp.domain.redaction import redact
from payapp.sandbox.gateway import DEMO_PUBLIC_KEY, TOKEN_LIFETIME, GatewaySandbox, create_gateway_app
from tests.payment_helpers import ACH_ACCOUNT, ACH_ROUTING, VISA, ServedGateway
from tests.servers import serve_asgi

SESSION = "fedcba9876543210fedcba9876543210"


class Clock:
    def __init__(self) -> None:
        self.now = 1_796_000_000.0          # 2026-11-30

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def gateway(clock: Clock) -> Iterator[ServedGateway]:
    sandbox = GatewaySandbox(clock=clock)            # the demo's keys (DEMO_PUBLIC_KEY)
    with serve_asgi(create_gateway_app(sandbox)) as url:
        yield ServedGateway(sandbox, url)


async def save(client: httpx.AsyncClient, url: str, field: str, value: str, *, key: str = DEMO_PUBLIC_KEY,
               session: str = SESSION) -> httpx.Response:
    return await client.post(f"{url}/token/api/save", json={"tokenization_key": key, "session": session,
                                                             "field": field, "value": value})


async def tokenize(client: httpx.AsyncClient, url: str, kind: str = "card", *,
                   session: str = SESSION) -> httpx.Response:
    return await client.post(f"{url}/token/api/tokenize", json={"tokenization_key": DEMO_PUBLIC_KEY,
                                                                 "session": session, "kind": kind})


def sale(sandbox: GatewaySandbox, token: str, amount: str = "12.00", **extra: str) -> dict[str, str]:
    return sandbox.transact({"security_key": sandbox.security_key, "type": "sale", "amount": amount,
                             "payment_token": token, **extra})


async def test_the_script_and_the_iframe_page_are_served_safely(gateway: ServedGateway) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        script = await client.get(f"{gateway.url}/token/Collect.js")
        frame = await client.get(f"{gateway.url}/token/inline/frame.html?field=ccnumber&sid={SESSION}")
        frame_js = await client.get(f"{gateway.url}/token/inline/frame.js")
        css = await client.get(f"{gateway.url}/token/inline/frame.css")
    assert script.status_code == 200 and script.headers["content-type"].startswith("application/javascript")
    for body in (script.text, frame_js.text):
        assert "CollectJS" in script.text
        # CSP-friendly: no eval, no code from strings, nothing loaded from elsewhere
        for banned in ("eval(", "new Function", "document.write", "innerHTML", "import(", "setTimeout(\"",
                       "http://", "https://"):
            assert banned not in body, banned
    for api in ("configure", "startPaymentRequest", "validationCallback", "fieldsAvailableCallback", "callback",
                "paymentSelector", "data-tokenization-key", "postMessage"):
        assert api in script.text, api
    csp = frame.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp and "'unsafe" not in csp
    assert "x-frame-options" not in frame.headers          # the merchant's page frames it
    assert re.findall(r"<script[^>]*>", frame.text) == ['<script src="/token/inline/frame.js">']
    assert "style=" not in frame.text and "<style" not in frame.text and "onclick" not in frame.text
    assert css.headers["content-type"].startswith("text/css")


async def test_fields_are_checked_as_the_iframes_post_them(gateway: ServedGateway) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        cases = [("ccnumber", "4111 1111 1111 1112", "Card number is invalid"),
                 ("ccnumber", "", "Field is empty"),
                 ("ccexp", "13/30", "Expiration date is invalid"),
                 ("ccexp", "10/26", "Expiration date is invalid"),          # the month is over (clock: Nov 2026)
                 ("cvv", "12", "CVV is invalid"),
                 ("checkaba", "123456789", "Routing number is invalid"),
                 ("checkaccount", "12ab", "Account number is invalid")]
        for field, value, message in cases:
            r = await save(client, gateway.url, field, value)
            assert r.status_code == 200 and r.json() == {"ok": False, "message": message}, (field, value)
        assert (await save(client, gateway.url, "ccexp", "11/26")).json()["ok"]        # this month still counts
        unknown = await save(client, gateway.url, "password", "x")
        assert unknown.status_code == 400
        bad_session = await save(client, gateway.url, "cvv", "999", session="short")
        assert bad_session.status_code == 400
        not_json = await client.post(f"{gateway.url}/token/api/save", content=b"ccnumber=4111",
                                     headers={"content-type": "application/json"})
        too_big = await save(client, gateway.url, "checkname", "x" * 5000)
        assert not_json.status_code == 400 and too_big.status_code == 400
        # a card needs its number and expiry
        missing = await tokenize(client, gateway.url)
        assert missing.status_code == 400 and "ccnumber" in missing.json()["error"]


async def test_a_card_token_is_single_use_and_holds_what_was_typed(gateway: ServedGateway) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        for field, value in (("ccnumber", "5431-1111-1111-1111"), ("ccexp", "0930"), ("cvv", "999")):
            assert (await save(client, gateway.url, field, value)).json()["ok"]
        r = await tokenize(client, gateway.url)
        again = await tokenize(client, gateway.url)                      # the session was used up
    body = r.json()
    assert body["card"] == {"number": "543111******1111", "bin": "543111", "exp": "0930", "hash": "",
                            "type": "mastercard"}
    assert re.fullmatch(r"[A-Za-z0-9]{8}-[A-Za-z0-9]{6}-[A-Za-z0-9]{6}-[A-Za-z0-9]{12}", body["token"])
    assert again.status_code == 400
    assert gateway.sandbox.tokens.session_fields(SESSION) == {}
    answer = sale(gateway.sandbox, body["token"], address1="888 Main", zip="77777")
    assert (answer["response"], answer["cvvresponse"], answer["avsresponse"]) == ("1", "M", "Y")
    tx = gateway.sandbox.transactions[answer["transactionid"]]
    assert tx.masked.endswith("1111") and tx.transaction_type == "cc"
    reused = sale(gateway.sandbox, body["token"])
    assert reused["response"] == "3" and reused["responsetext"].startswith("Invalid Payment Token")
    # the state the demo writes to its file never holds a token or a number
    state = repr(gateway.sandbox.state_dict())
    assert body["token"] not in state and "5431111111111111" not in state


async def test_a_token_expires(gateway: ServedGateway, clock: Clock) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        for field, value in (("checkname", "Acme Inc"), ("checkaba", ACH_ROUTING), ("checkaccount", ACH_ACCOUNT)):
            assert (await save(client, gateway.url, field, value)).json()["ok"]
        body = (await tokenize(client, gateway.url, "check")).json()
    assert body["check"] == {"name": "Acme Inc", "account": "****3815", "hash": "", "aba": ACH_ROUTING}
    clock.now += TOKEN_LIFETIME + 1
    late = sale(gateway.sandbox, body["token"], account_holder_type="business", account_type="checking",
                sec_code="WEB")
    assert late["response"] == "3" and "Invalid Payment Token" in late["responsetext"]


async def test_an_unfinished_session_expires_too(gateway: ServedGateway, clock: Clock) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        assert (await save(client, gateway.url, "ccnumber", VISA)).json()["ok"]
        clock.now += TOKEN_LIFETIME + 1
        assert gateway.sandbox.tokens.session_fields(SESSION) == {}
        assert (await save(client, gateway.url, "ccexp", "1230")).json()["ok"]
        assert (await tokenize(client, gateway.url)).status_code == 400      # the number is gone


def test_a_token_with_card_fields_or_an_unknown_token_is_refused() -> None:
    sandbox = GatewaySandbox()
    token = sandbox.tokens.add({"ccnumber": VISA, "ccexp": "1230"})
    both = sale(sandbox, token, ccnumber=VISA, ccexp="1230")
    assert both["response"] == "3" and "both" in both["responsetext"]
    assert sale(sandbox, "00000000-000000-000000-000000000000")["response"] == "3"
    assert sale(sandbox, "")["response"] == "3"
    assert sandbox.approved_sales() == []


def test_payment_tokens_are_masked_in_logged_text() -> None:
    for text in ("type=sale&payment_token=abc123&amount=1.00", '{"payment_token": "x1"}',
                 "payment_token=3455zJms-7qA2K2-VdVrSu-Rv7WpvPuG7s8"):
        masked = redact(text)
        assert "payment_token" in masked and "***" in masked
        assert not {"abc123", "x1", "3455zJms"} & set(re.split(r"[=&\"\s:{}]+", masked))
    assert parse_qs(redact("payment_token=abc123&amount=1.00"))["amount"] == ["1.00"]

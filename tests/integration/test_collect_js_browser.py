"""The sandbox gateway's Collect.js in a real browser (Debian's Chromium, driven by Playwright): a page on one
origin with a strict Content-Security-Policy, the gateway's iframes on another; typing into them gives the page a
token and masked details only, and the page's server never sees a number. Skipped where Playwright or Chromium is
not installed (the client portal's browser tests need both; `.ci/run` installs Chromium)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from payapp.sandbox.gateway import DEMO_PUBLIC_KEY, GatewaySandbox, create_gateway_app
from tests.servers import serve_asgi

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")

PAGE_JS = """
var log = [];
CollectJS.configure({
  variant: "inline",
  paymentSelector: "#payButton",
  fields: {ccnumber: {selector: "#ccnumber", title: "Card number", placeholder: "0000 0000 0000 0000"},
           ccexp: {selector: "#ccexp", title: "Expiry"}, cvv: {selector: "#cvv", title: "CVV"},
           checkaccount: {selector: "#checkaccount"}, checkaba: {selector: "#checkaba"},
           checkname: {selector: "#checkname"}},
  validationCallback: function (field, valid, message) {
    log.push([field, valid, message]);
    document.getElementById("log").textContent = JSON.stringify(log);
  },
  fieldsAvailableCallback: function () { document.getElementById("ready").textContent = "ready"; },
  callback: function (response) {
    document.getElementById("out").textContent = JSON.stringify(response);
    fetch("/charge", {method: "POST", headers: {"Content-Type": "application/json"},
                      body: JSON.stringify({token: response.token})});
  }
});
document.getElementById("showCheck").addEventListener("click", function () {
  document.getElementById("card").hidden = true;
  document.getElementById("check").hidden = false;
});
"""

PAGE_HTML = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Pay</title>
<script src="{gateway}/token/Collect.js" data-tokenization-key="{key}" data-variant="inline"></script>
</head><body>
<form id="form" action="/never" method="post">
<div id="card"><div id="ccnumber"></div><div id="ccexp"></div><div id="cvv"></div></div>
<div id="check" hidden><div id="checkname"></div><div id="checkaba"></div><div id="checkaccount"></div></div>
<button type="button" id="showCheck">eCheck</button>
<button type="submit" id="payButton">Pay</button>
</form>
<pre id="ready"></pre><pre id="log"></pre><pre id="out"></pre>
<script src="/page.js"></script>
</body></html>"""


class Merchant:
    """The merchant's own server: serves the page and records every request body it receives."""

    def __init__(self, gateway: str, key: str) -> None:
        self.gateway = gateway
        self.key = key
        self.bodies: list[bytes] = []
        self.urls: list[str] = []

    def app(self) -> Starlette:
        csp = (f"default-src 'self'; script-src 'self' {self.gateway}; frame-src {self.gateway}; "
               "style-src 'self'; connect-src 'self'; frame-ancestors 'none'")

        async def record(request: Request) -> None:
            self.urls.append(str(request.url))
            self.bodies.append(await request.body())

        async def page(request: Request) -> Response:
            await record(request)
            return HTMLResponse(PAGE_HTML.format(gateway=self.gateway, key=self.key),
                                headers={"Content-Security-Policy": csp})

        async def page_js(request: Request) -> Response:
            await record(request)
            return Response(PAGE_JS, media_type="application/javascript")

        async def charge(request: Request) -> Response:
            await record(request)
            return JSONResponse({"ok": True})

        return Starlette(routes=[Route("/", page), Route("/page.js", page_js),
                                 Route("/charge", charge, methods=["POST"]), Route("/never", charge, methods=["POST"]),
                                 Route("/favicon.ico", lambda _r: Response(status_code=204))])


@pytest.fixture
def served() -> Iterator[tuple[GatewaySandbox, Merchant, str]]:
    sandbox = GatewaySandbox()
    with serve_asgi(create_gateway_app(sandbox)) as gateway_url:
        # "localhost" for the page: another site than the gateway's 127.0.0.1, as a real portal would be
        merchant = Merchant(gateway_url, DEMO_PUBLIC_KEY)
        with serve_asgi(merchant.app()) as page_url:
            yield sandbox, merchant, page_url.replace("127.0.0.1", "localhost")


@pytest.fixture
def browser_page(served: tuple[GatewaySandbox, Merchant, str]) -> Iterator[tuple[Any, list[str]]]:
    problems: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            yield page, problems
        finally:
            browser.close()


def fill(page: Any, field: str, value: str) -> None:
    page.frame_locator(f"#{field} iframe").locator("input").fill(value)


def test_a_card_typed_into_the_gateway_iframes_becomes_a_token(
        served: tuple[GatewaySandbox, Merchant, str], browser_page: tuple[Any, list[str]]) -> None:
    sandbox, merchant, url = served
    page, problems = browser_page
    page.goto(url)
    expect(page.locator("#ready")).to_have_text("ready", timeout=10_000)
    # the fields are the gateway's documents (another origin): the page cannot read them
    fields = [f for f in page.frames if f != page.main_frame]
    assert len(fields) == 6 and all(f.url.startswith(merchant.gateway + "/token/inline/") for f in fields)
    fill(page, "ccnumber", "4111 1111 1111 1112")              # Luhn fails
    fill(page, "ccexp", "12/30")
    fill(page, "cvv", "999")
    page.click("#payButton")
    expect(page.locator("#log")).to_contain_text("Card number is invalid")
    assert page.text_content("#out") == ""
    fill(page, "ccnumber", "4111 1111 1111 1111")
    page.click("#payButton")
    expect(page.locator("#out")).to_contain_text("token", timeout=10_000)
    response = json.loads(page.text_content("#out") or "{}")
    assert response["tokenType"] == "inline"
    assert response["card"] == {"number": "411111******1111", "bin": "411111", "exp": "1230", "hash": "",
                                "type": "visa"}
    answer = sandbox.transact({"security_key": sandbox.security_key, "type": "sale", "amount": "10.00",
                               "payment_token": response["token"]})
    assert answer["response"] == "1" and answer["cvvresponse"] == "M"
    seen = b"".join(merchant.bodies) + "".join(merchant.urls).encode()
    assert b"4111" not in seen and b"999" not in seen                # the page's server got the token only
    assert problems == []         # no CSP violation, no script error


def test_an_echeck_uses_the_visible_check_fields(
        served: tuple[GatewaySandbox, Merchant, str], browser_page: tuple[Any, list[str]]) -> None:
    sandbox, merchant, url = served
    page, problems = browser_page
    page.goto(url)
    expect(page.locator("#ready")).to_have_text("ready", timeout=10_000)
    page.click("#showCheck")
    fill(page, "checkname", "Acme Inc")
    fill(page, "checkaba", "490000018")
    fill(page, "checkaccount", "24413815")
    page.click("#payButton")
    expect(page.locator("#out")).to_contain_text("token", timeout=10_000)
    response = json.loads(page.text_content("#out") or "{}")
    assert response["check"] == {"name": "Acme Inc", "account": "****3815", "hash": "", "aba": "490000018"}
    answer = sandbox.transact({"security_key": sandbox.security_key, "type": "sale", "amount": "10.00",
                               "payment_token": response["token"], "account_holder_type": "business",
                               "account_type": "checking", "sec_code": "WEB"})
    assert answer["response"] == "1"
    assert sandbox.transactions[answer["transactionid"]].transaction_type == "ck"
    assert b"24413815" not in b"".join(merchant.bodies)
    assert problems == []


def test_a_double_click_asks_for_one_token(
        served: tuple[GatewaySandbox, Merchant, str], browser_page: tuple[Any, list[str]]) -> None:
    sandbox, merchant, url = served
    page, problems = browser_page
    page.goto(url)
    expect(page.locator("#ready")).to_have_text("ready", timeout=10_000)
    fill(page, "ccnumber", "4111111111111111")
    fill(page, "ccexp", "1230")
    fill(page, "cvv", "999")
    page.dblclick("#payButton")
    expect(page.locator("#out")).to_contain_text("token", timeout=10_000)
    page.wait_for_timeout(500)
    assert len(sandbox.tokens) == 1
    assert sum(1 for u in merchant.urls if u.endswith("/charge")) == 1
    assert problems == []


def test_a_wrong_tokenization_key_is_reported_to_the_page(
        served: tuple[GatewaySandbox, Merchant, str], browser_page: tuple[Any, list[str]]) -> None:
    sandbox, merchant, url = served
    merchant.key = "not-this-accounts-key"
    page, _problems = browser_page
    page.goto(url)
    expect(page.locator("#ready")).to_have_text("ready", timeout=10_000)
    fill(page, "ccnumber", "4111111111111111")
    fill(page, "ccexp", "1230")
    fill(page, "cvv", "999")
    page.click("#payButton")
    expect(page.locator("#log")).to_contain_text("Invalid tokenization key", timeout=10_000)
    assert page.text_content("#out") == "" and len(sandbox.tokens) == 0

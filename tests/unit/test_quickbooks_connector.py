"""QuickBooks connector: fault classification, token rotation persisted before use, one refresh in flight,
invalid_grant → "Reconnect QuickBooks", request ids and minorversion, Decimal amounts; plus the sandbox's
requestid replay through httpx.ASGITransport."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from decimal import Decimal
from typing import Any

import httpx
import pytest

from payapp.connectors.accounting.quickbooks_online import (
    FaultEntry,
    InvoiceLineOut,
    InvoiceOut,
    PaymentOut,
    QuickBooksConnector,
    QuickBooksDisconnected,
    QuickBooksError,
    QuickBooksOAuth,
    TokenSet,
    classify,
    escape,
    parse_faults,
)
from payapp.sandbox.quickbooks import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, QuickBooksSandbox, create_quickbooks_app

NOW = dt.datetime.now(dt.UTC)


def fault(code: str, status: int = 400) -> httpx.Response:
    return httpx.Response(status, json={"Fault": {"Error": [
        {"Message": "first", "Detail": "d1", "code": code}, {"Message": "second", "Detail": "d2", "code": "999"}],
        "type": "ValidationFault"}})


@pytest.mark.parametrize("code,kind", [("6240", "duplicate_name"), ("6140", "duplicate_doc_number"),
                                       ("610", "not_found"), ("2500", "invalid_reference"), ("6000", "validation"),
                                       ("6190", "subscription_ended"), ("6210", "period_closed"),
                                       ("6540", "deposited"), ("5010", "stale")])
def test_non_retryable_faults(code: str, kind: str) -> None:
    resp = fault(code)
    err = classify(resp.status_code, parse_faults(resp.json()))
    assert err.kind == kind and not err.retryable
    assert "first" in err.user_message and "second" in err.user_message   # every Error entry is reported


def test_transient_throttled_and_401_lower_case() -> None:
    assert classify(503, []).retryable and classify(503, []).kind == "transient"
    throttled = classify(429, [FaultEntry("003001", "ThrottleExceeded", "")], 5.0)
    assert throttled.kind == "throttled" and throttled.retry_after == 5.0
    body = {"fault": {"error": [{"message": "AuthenticationFailed", "detail": "Token expired", "code": "3200"}]}}
    assert classify(401, parse_faults(body)).kind == "auth_expired"
    revoked = {"fault": {"error": [{"message": "AuthorizationFailure", "detail": "", "code": "120"}]}}
    err = classify(401, parse_faults(revoked))
    assert isinstance(err, QuickBooksDisconnected) and "Reconnect QuickBooks" in err.user_message


def test_escape_quotes() -> None:
    assert escape("O'Brien's") == "O\\'Brien\\'s"


class FakeQB:
    """A scripted API + token endpoint recording the order of events."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self.token_calls = 0
        self.valid = {"old-access"}
        self.api_requests: list[httpx.Request] = []

    async def handler(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/tokens/bearer"):
            self.token_calls += 1
            form = dict(x.split("=", 1) for x in request.content.decode().split("&"))
            if form.get("refresh_token") == "dead":
                return httpx.Response(400, json={"error": "invalid_grant"})
            await asyncio.sleep(0.01)
            self.valid = {f"access-{self.token_calls}"}
            self.events.append("token-issued")
            return httpx.Response(200, json={"access_token": f"access-{self.token_calls}",
                                             "refresh_token": f"refresh-{self.token_calls}", "expires_in": 3600,
                                             "x_refresh_token_expires_in": 8640000})
        self.api_requests.append(request)
        token = request.headers["authorization"].removeprefix("Bearer ")
        self.events.append(f"api:{token}")
        if token not in self.valid:
            return httpx.Response(401, json={"fault": {"error": [{"message": "expired", "code": "3200"}]}})
        return httpx.Response(200, content=b'{"Preferences":{"SalesFormsPrefs":{"CustomTxnNumbers":true}},'
                                           b'"Payment":{"Id":"7","TotalAmt":12.50}}',
                              headers={"content-type": "application/json"})


def make(fake: FakeQB, refresh: str = "old-refresh", saved: list[str] | None = None) -> QuickBooksConnector:
    client = httpx.AsyncClient(transport=httpx.MockTransport(fake.handler))
    oauth = QuickBooksOAuth("https://oauth.example", client, client_id="cid", client_secret="csecret")

    async def save(tokens: TokenSet) -> None:
        fake.events.append(f"saved:{tokens.refresh_token}")
        if saved is not None:
            saved.append(tokens.refresh_token)

    return QuickBooksConnector("https://qb.example", client, realm_id="123", oauth=oauth, rate=0,
                               tokens=TokenSet("old-access", refresh, NOW + dt.timedelta(hours=1)), save_tokens=save)


async def test_expired_token_refreshes_persists_before_use_and_retries_once() -> None:
    fake = FakeQB()
    fake.valid = set()           # the stored access token has expired server-side
    qb = make(fake)
    assert await qb.custom_txn_numbers() is True
    assert fake.events == ["api:old-access", "token-issued", "saved:refresh-1", "api:access-1"]
    assert "cid" in repr(qb._oauth) and "csecret" not in repr(qb._oauth) and "access" not in repr(qb)


async def test_one_refresh_in_flight() -> None:
    fake = FakeQB()
    fake.valid = set()
    qb = make(fake)
    await asyncio.gather(*(qb.preferences() for _ in range(10)))
    assert fake.token_calls == 1
    assert fake.events.count("saved:refresh-1") == 1


async def test_invalid_grant_says_reconnect() -> None:
    fake = FakeQB()
    fake.valid = set()
    qb = make(fake, refresh="dead")
    with pytest.raises(QuickBooksDisconnected, match="Reconnect QuickBooks"):
        await qb.preferences()


async def test_minorversion_requestid_and_decimal_amounts() -> None:
    fake = FakeQB()
    qb = make(fake)
    result = await qb.push_payment(PaymentOut("5", "9", Decimal("12.50"), dt.date(2026, 1, 2), "TX123",
                                              private_note="n"), "req-1")
    assert result["TotalAmt"] == Decimal("12.50")
    req = fake.api_requests[-1]
    assert req.url.params["minorversion"] == "75" and req.url.params["requestid"] == "req-1"
    body = req.content.decode()
    assert '"TotalAmt":12.50' in body and '"PaymentRefNum":"TX123"' in body
    sent = json.loads(body)
    assert sent["Line"][0]["LinkedTxn"] == [{"TxnId": "9", "TxnType": "Invoice"}]


def _sandbox_connector(sandbox: QuickBooksSandbox) -> tuple[QuickBooksConnector, httpx.AsyncClient]:
    """A connector signed in to the in-process QuickBooks sandbox (tokens valid for an hour, none saved)."""
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_quickbooks_app(sandbox)))
    access, refresh = sandbox.issue_tokens()

    async def save(tokens: TokenSet) -> None:
        return None

    oauth = QuickBooksOAuth("http://qb", client, client_id=DEMO_CLIENT_ID, client_secret=DEMO_CLIENT_SECRET)
    qb = QuickBooksConnector("http://qb", client, realm_id=sandbox.realm_id, oauth=oauth, save_tokens=save, rate=0,
                             tokens=TokenSet(access, refresh, NOW + dt.timedelta(hours=1)))
    return qb, client


async def test_sandbox_replays_request_id_and_doc_number_rule() -> None:
    sandbox = QuickBooksSandbox()
    qb, client = _sandbox_connector(sandbox)
    customer = await qb.ensure_customer("Acme", "c-1")
    again = await qb.ensure_customer("Acme", "c-2")          # 6240 → looked up
    assert again["Id"] == customer["Id"]
    inv = InvoiceOut(customer["Id"], dt.date(2026, 1, 1), None, (InvoiceLineOut("Work", Decimal("10.00")),),
                     doc_number="AT-1")
    first = await qb.push_invoice(inv, "i-1")
    assert first["DocNumber"] != "AT-1"                       # not sent without CustomTxnNumbers
    sandbox.faults.lost_answer_next = 1
    payment = PaymentOut(customer["Id"], first["Id"], Decimal("4.00"), dt.date(2026, 1, 2), "TX1")
    with pytest.raises(QuickBooksError) as info:
        await qb.push_payment(payment, "p-1")
    assert info.value.retryable
    replay = await qb.push_payment(payment, "p-1")
    assert len(sandbox.all("Payment")) == 1 and replay["Id"] == sandbox.all("Payment")[0]["Id"]
    await client.aclose()


def _connector(handler: Any, **kw: Any) -> QuickBooksConnector:
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    oauth = QuickBooksOAuth("https://oauth.example", client, client_id="cid", client_secret="csecret")

    async def save(tokens: TokenSet) -> None:
        return None

    return QuickBooksConnector("https://qb.example", client, realm_id="123", oauth=oauth, save_tokens=save,
                               tokens=TokenSet("access", "refresh", NOW + dt.timedelta(hours=1)), **kw)


PREFS = {"Preferences": {"SalesFormsPrefs": {"CustomTxnNumbers": False}}}


async def test_at_most_ten_requests_in_flight() -> None:
    in_flight, peak = 0, 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.02)
        in_flight -= 1
        return httpx.Response(200, json=PREFS)

    qb = _connector(handler, rate=0)                     # the bucket off: only the semaphore limits
    await asyncio.gather(*(qb.preferences() for _ in range(35)))
    assert peak == 10


async def test_default_rate_keeps_inside_quickbooks_limits() -> None:
    """About 8 requests/s: never more than QuickBooks' 500 per minute, even counting the first burst."""
    times: list[float] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        times.append(asyncio.get_running_loop().time())
        return httpx.Response(200, json=PREFS)

    qb = _connector(handler)
    bucket = qb.bucket
    assert bucket.rate == 8.0 and bucket.capacity + 60 * bucket.rate <= 500
    await asyncio.gather(*(qb.preferences() for _ in range(20)))
    spread = times[-1] - times[0]
    assert spread >= (20 - bucket.capacity) / bucket.rate - 0.05, spread
    for i, t in enumerate(times):                        # any one second holds at most the burst + 8
        assert sum(1 for u in times[i:] if u < t + 0.95) <= bucket.capacity + bucket.rate


async def test_429_waits_retry_after_before_any_further_request() -> None:
    answers = iter([httpx.Response(429, headers={"Retry-After": "1"}, json={"Fault": {"Error": [
        {"Message": "ThrottleExceeded", "Detail": "", "code": "003001"}], "type": "ThrottleExceeded"}})])
    times: list[float] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        times.append(asyncio.get_running_loop().time())
        return next(answers, httpx.Response(200, json=PREFS))

    qb = _connector(handler)
    with pytest.raises(QuickBooksError) as info:
        await qb.preferences()
    assert info.value.kind == "throttled" and info.value.retryable and info.value.retry_after == 1.0
    await asyncio.gather(qb.preferences(), qb.preferences())
    assert min(times[1:]) - times[0] >= 0.95


async def test_custom_txn_numbers_sends_payapps_invoice_number() -> None:
    """With CustomTxnNumbers on, QuickBooks leaves DocNumber empty unless PayApp sends one (≤ 21 chars)."""
    sandbox = QuickBooksSandbox(custom_txn_numbers=True)
    qb, client = _sandbox_connector(sandbox)
    customer = await qb.ensure_customer("Acme", "c-1")
    lines = (InvoiceLineOut("Work", Decimal("10.00")),)
    short = await qb.push_invoice(InvoiceOut(customer["Id"], dt.date(2026, 1, 1), None, lines, doc_number="AT-1"),
                                  "i-1")
    long = await qb.push_invoice(InvoiceOut(customer["Id"], dt.date(2026, 1, 1), None, lines,
                                            doc_number="2026-0000000000000000042"), "i-2")
    assert short["DocNumber"] == "AT-1" and long["DocNumber"] == "2026-0000000000000000"
    await client.aclose()


async def test_sandboxes_enforce_their_rate_limits() -> None:
    """QuickBooks sandbox: per_minute_limit per company → 429 ThrottleExceeded with Retry-After; Autotask
    sandbox: the hourly request limit → 429 with Retry-After, and ThresholdInformation counts the requests."""
    from payapp.connectors.psa.autotask import AutotaskConnector, AutotaskError
    from payapp.sandbox.autotask import (
        DEMO_API_USER,
        DEMO_INTEGRATION_CODE,
        DEMO_SECRET,
        AutotaskSandbox,
        create_autotask_app,
    )

    sandbox = QuickBooksSandbox(per_minute_limit=5)
    qb, client = _sandbox_connector(sandbox)
    for _ in range(5):
        await qb.preferences()
    with pytest.raises(QuickBooksError) as info:
        await qb.preferences()
    assert info.value.kind == "throttled" and info.value.retry_after == 60.0
    await client.aclose()

    at_sandbox = AutotaskSandbox(companies=2, invoices=2, hourly_limit=4)
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    at_client = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_autotask_app(at_sandbox)))
    at = AutotaskConnector("http://at/atservicesrest", at_client, api_user=DEMO_API_USER, secret=DEMO_SECRET,
                           integration_code=DEMO_INTEGRATION_CODE, sleep=sleep, threshold_every=0,
                           zone_url="http://at/atservicesrest")
    assert (await at.threshold()).used == 1
    for _ in range(3):
        await at.count("Companies")
    with pytest.raises(AutotaskError) as at_info:
        await at.count("Companies")
    assert at_info.value.status == 429 and at_info.value.retry_after == 60.0 and 60.0 in slept
    await at_client.aclose()


async def test_garbage_and_timed_out_answers_after_the_write_post_the_payment_once() -> None:
    """QuickBooks writes the payment and answers with a cut-off body; the retry's answer (the requestid's replay)
    times out on PayApp's side. Each is a retryable failure, every attempt carries the same requestid, and the
    sandbox ends with one payment, which the last attempt returns."""
    sandbox = QuickBooksSandbox()
    qb, client = _sandbox_connector(sandbox)
    customer = await qb.ensure_customer("Acme", "c-1")
    invoice = await qb.push_invoice(InvoiceOut(customer["Id"], dt.date(2026, 1, 1), None,
                                               (InvoiceLineOut("Work", Decimal("10.00")),)), "i-1")
    inner = client._transport
    request_ids: list[str] = []
    time_out = [False]

    class TimesOutAfterSending(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            response = await inner.handle_async_request(request)      # QuickBooks answered …
            if request.method == "POST" and request.url.path.endswith("/payment"):
                request_ids.append(request.url.params["requestid"])
                if time_out[0]:
                    time_out[0] = False
                    raise httpx.ReadTimeout("no answer in time", request=request)   # … too late for PayApp
            return response

    client._transport = TimesOutAfterSending()
    payment = PaymentOut(customer["Id"], invoice["Id"], Decimal("4.00"), dt.date(2026, 1, 2), "TX1")
    sandbox.faults.garbage_answer_next = 1
    with pytest.raises(QuickBooksError) as garbage:
        await qb.push_payment(payment, "p-1")
    time_out[0] = True
    with pytest.raises(QuickBooksError) as timed_out:
        await qb.push_payment(payment, "p-1")
    assert garbage.value.retryable and timed_out.value.retryable
    posted = await qb.push_payment(payment, "p-1")
    assert request_ids == ["p-1", "p-1", "p-1"]
    assert [p["Id"] for p in sandbox.all("Payment")] == [posted["Id"]]
    await client.aclose()


def test_escape_only_single_quotes() -> None:
    """QuickBooks escapes only the single quote in query literals; a backslash is an ordinary character."""
    assert escape("A\\B's") == "A\\B\\'s"


def test_xml_faults_keep_the_services_words_and_120_depends_on_the_status() -> None:
    from payapp.connectors.accounting.quickbooks_online import parse_fault_body

    wrong_cluster = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><IntuitResponse '
                     b'xmlns="http://schema.intuit.com/finance/v3"><Fault type="SystemFault"><Error code="130">'
                     b'<Message>Wrong cluster</Message><Detail>The company is served by another cluster</Detail>'
                     b'</Error></Fault></IntuitResponse>')
    data, entries = parse_fault_body(wrong_cluster)
    assert data is None and [e.code for e in entries] == ["130"]
    err = classify(400, entries)
    assert not err.retryable and "Wrong cluster" in err.user_message and "another cluster" in err.user_message
    glitch = [FaultEntry("120", "Authorization Failure", "Unknown Error during Authentication, statusCode: 500")]
    assert classify(500, glitch).kind == "transient" and classify(500, glitch).retryable
    assert isinstance(classify(401, glitch), QuickBooksDisconnected)
    assert classify(403, [FaultEntry("3001", "message=ThrottleExceeded; errorCode=003001; statusCode=403", "")]
                    ).kind == "throttled"
    assert parse_fault_body(b"<html>504 Gateway Time-out</html>") == (None, [])
    assert parse_fault_body(b'<!DOCTYPE x [<!ENTITY a "aaaa">]><Fault><Error code="1">&a;</Error></Fault>') \
        == (None, [])

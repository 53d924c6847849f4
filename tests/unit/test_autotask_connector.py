"""Autotask connector against httpx.MockTransport: zone discovery, credentials only on the zone host,
paging, the endless-paging guard, errors on HTTP 200, 429 Retry-After, retryable vs not, mapping."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal

import httpx
import pytest

from payapp.connectors.psa.autotask import (
    AutotaskConnector,
    AutotaskError,
    f,
    group,
    map_company,
    map_contact,
    map_invoice,
)

BASE = "https://webservices2.autotask.net/atservicesrest"
ZONE = "https://webservices5.autotask.net/atservicesrest"
SECRET = "s3cr3t-value"


class Recorder:
    def __init__(self, handler: Callable[[httpx.Request], httpx.Response]) -> None:
        self.requests: list[httpx.Request] = []
        self.handler = handler

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path.endswith("/zoneInformation"):
            return httpx.Response(200, json={"zoneName": "Z5", "url": ZONE + "/", "webUrl": "x", "ci": 5})
        if request.url.path.endswith("/ThresholdInformation"):
            return httpx.Response(200, json={"externalRequestThreshold": 10000, "requestThresholdTimeframe": 60,
                                             "currentTimeframeRequestCount": 12})
        return self.handler(request)


def connector(rec: Recorder, **kw: object) -> tuple[AutotaskConnector, list[float]]:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    client = httpx.AsyncClient(transport=httpx.MockTransport(rec))
    return AutotaskConnector(BASE, client, api_user="api@example.com", secret=SECRET, integration_code="CODE",
                             sleep=sleep, **kw), slept  # type: ignore[arg-type]


def page(items: list[dict[str, object]], next_url: str | None) -> httpx.Response:
    return httpx.Response(200, json={"items": items, "pageDetails": {"count": len(items), "requestCount": 500,
                                                                      "prevPageUrl": None, "nextPageUrl": next_url}})


async def test_zone_discovery_trims_slash_and_is_cached() -> None:
    rec = Recorder(lambda r: page([], None))
    at, _ = connector(rec)
    assert await at.zone_url() == ZONE
    assert await at.zone_url() == ZONE
    zone_calls = [r for r in rec.requests if r.url.path.endswith("zoneInformation")]
    assert len(zone_calls) == 1 and zone_calls[0].url.params["user"] == "api@example.com"
    assert "Secret" not in zone_calls[0].headers
    assert SECRET not in repr(at)


async def test_two_pages_same_method_and_body_credentials_only_on_zone_host() -> None:
    other = "https://elsewhere.example.com/atservicesrest/v1.0/Companies/query?page=2"

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "elsewhere.example.com":
            return page([{"id": 2, "companyName": "B", "isActive": False}], None)
        return page([{"id": 1, "companyName": "A", "isActive": True}], other)

    rec = Recorder(handler)
    at, _ = connector(rec)
    pages = [p async for p in at.query("Companies", [f("gt", "id", 0)])]
    assert [[c.id for c in p] for p in pages] == [[1], [2]]
    queries = [r for r in rec.requests if "query" in r.url.path]
    assert [r.method for r in queries] == ["POST", "POST"]
    assert queries[0].content == queries[1].content
    body = json.loads(queries[0].content)
    assert body["MaxRecords"] == 500 and body["filter"] == [{"op": "gt", "field": "id", "value": 0}]
    assert queries[0].headers["Secret"] == SECRET and queries[0].headers["ApiIntegrationCode"] == "CODE"
    assert "Secret" not in queries[1].headers and "ApiIntegrationCode" not in queries[1].headers
    assert "UserName" not in queries[1].headers


async def test_endless_next_page_is_stopped() -> None:
    rec = Recorder(lambda r: page([{"id": 1, "companyName": "A"}], f"{ZONE}/v1.0/Companies/query?again=1"))
    at, _ = connector(rec)
    with pytest.raises(AutotaskError, match="endless"):
        async for _ in at.query("Companies"):
            pass
    assert len([r for r in rec.requests if "query" in r.url.path]) == 2


async def test_page_limit_guard() -> None:
    counter = iter(range(10_000))
    rec = Recorder(lambda r: page([{"id": 1, "companyName": "A"}], f"{ZONE}/v1.0/Companies/query?p={next(counter)}"))
    at, _ = connector(rec, max_pages=5)
    with pytest.raises(AutotaskError):
        async for _ in at.query("Companies"):
            pass


async def test_errors_with_http_200_are_failures() -> None:
    rec = Recorder(lambda r: httpx.Response(200, json={"errors": ["Field 'foo' does not exist"]}))
    at, _ = connector(rec)
    with pytest.raises(AutotaskError) as info:
        await at.count("Companies")
    assert "foo" in info.value.user_message and not info.value.retryable


async def test_429_honours_retry_after_then_succeeds() -> None:
    answers = iter([httpx.Response(429, headers={"Retry-After": "7"}, json={"errors": ["busy"]}),
                    httpx.Response(200, json={"queryCount": 3})])
    rec = Recorder(lambda r: next(answers))
    at, slept = connector(rec)
    assert await at.count("Companies") == 3
    assert slept == [7.0]


async def test_5xx_retried_400_not() -> None:
    answers = iter([httpx.Response(503), httpx.Response(500), httpx.Response(200, json={"queryCount": 1})])
    at, slept = connector(Recorder(lambda r: next(answers)))
    assert await at.count("Companies") == 1 and len(slept) == 2

    for status in (400, 401, 403, 404, 422):
        rec = Recorder(lambda r, s=status: httpx.Response(s, json={"errors": ["no"]}))
        at, slept = connector(rec)
        with pytest.raises(AutotaskError) as info:
            await at.count("Companies")
        assert not info.value.retryable and info.value.status == status and slept == []


async def test_network_errors_retry_then_give_up() -> None:
    def boom(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    at, slept = connector(Recorder(boom))
    with pytest.raises(AutotaskError) as info:
        await at.count("Companies")
    assert info.value.retryable and len(slept) == 4


async def test_threshold_past_half_reports_without_a_delay_of_its_own() -> None:
    """Autotask itself slows every call past 50%/75% of the hourly limit: PayApp only reports (#13.16)."""
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        return page([], None)

    rec = Recorder(handler)
    at, slept = connector(rec, on_threshold=seen.append)
    rec.handler = handler

    def busy(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/ThresholdInformation"):
            return httpx.Response(200, json={"externalRequestThreshold": 10000, "requestThresholdTimeframe": 60,
                                             "currentTimeframeRequestCount": 8000})
        return rec(request)

    at._client = httpx.AsyncClient(transport=httpx.MockTransport(busy))
    async for _ in at.query("Companies"):
        pass
    assert seen and seen[0].ratio == 0.8 and slept == []


async def test_mark_paid_patch_body() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json={"item": {"id": 5, "paidDate": None, "isVoided": False}})
        return httpx.Response(200, json={"itemId": 5})

    rec = Recorder(handler)
    at, _ = connector(rec)
    assert await at.mark_invoice_paid(5, dt.date(2026, 3, 4)) is True
    patch = rec.requests[-1]
    assert patch.method == "PATCH" and patch.url.path.endswith("/v1.0/Invoices")
    assert json.loads(patch.content) == {"id": 5, "paidDate": "2026-03-04"}


def test_mapping_rules() -> None:
    raw = json.loads('{"id": 9, "companyID": 3, "invoiceNumber": "", "invoiceDateTime": "2026-01-05T00:00:00",'
                     '"invoiceTotal": 1234.56, "totalTaxValue": 0.1, "paidDate": null, "isVoided": false}',
                     parse_float=Decimal)
    inv = map_invoice(raw)
    assert inv.invoice_number == "9" and inv.total == Decimal("1234.56") and inv.tax == Decimal("0.1")
    assert inv.invoice_date == dt.date(2026, 1, 5)
    assert map_contact({"id": 1, "companyID": 2, "isActive": 0}).is_active is False
    assert map_contact({"id": 1, "companyID": 2, "IsActive": 1}).is_active is True
    assert map_company({"id": 1, "companyName": "A", "isActive": False}).is_active is False
    assert group("or", f("gt", "paidDate", "2026-01-01"))["items"][0]["field"] == "paidDate"


@pytest.mark.parametrize("used,delay", [(4_999, None), (5_000, 0.5), (7_499, 0.5), (7_500, 2.0)])
async def test_threshold_bands_half_and_three_quarters(used: int, delay: float | None) -> None:
    """Past 50% and 75% Autotask slows every answer itself: PayApp adds no pause of its own in any band (checked
    once per `threshold_every` pages, and the reading is handed to `on_threshold`)."""
    rec = Recorder(lambda r: page([{"id": 1, "companyName": "A"}], None))

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/ThresholdInformation"):
            return httpx.Response(200, json={"externalRequestThreshold": 10000, "requestThresholdTimeframe": 60,
                                             "currentTimeframeRequestCount": used})
        return rec(request)

    seen: list[object] = []
    at, slept = connector(rec, on_threshold=seen.append)
    at._client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    for _ in range(3):
        async for _ in at.query("Companies"):
            pass
    assert slept == []
    assert len(seen) == 1 and at.last_threshold is not None and at.last_threshold.used == used

"""The Autotask connector against the Autotask sandbox served by uvicorn on loopback, where the sandbox answers as
the real service does (issue #13 items 12-16): HTTP 500 that is a credential or permission problem (shown at
once, not retried), a real server error (retried), a zone that moved, the slow-down past 50%/75% that Autotask adds
itself, `{"item": null}` for a missing entity, and the Invoices' paymentTerm picklist."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from payapp.connectors.psa.autotask import AutotaskConnector, AutotaskError
from payapp.sandbox.autotask import (
    DEMO_API_USER,
    DEMO_INTEGRATION_CODE,
    DEMO_SECRET,
    AutotaskSandbox,
    create_autotask_app,
)
from tests.servers import serve_asgi


@pytest.fixture
def sandbox() -> AutotaskSandbox:
    return AutotaskSandbox(companies=12, contacts_per_company=2, invoices=40, lines_per_invoice=1, seed=3)


@pytest.fixture
def base_url(sandbox: AutotaskSandbox) -> Iterator[str]:
    with serve_asgi(create_autotask_app(sandbox)) as url:
        yield url + "/atservicesrest"


@pytest.fixture
async def sent() -> AsyncIterator[tuple[httpx.AsyncClient, list[str]]]:
    paths: list[str] = []

    async def hook(request: httpx.Request) -> None:
        paths.append(request.url.path)

    async with httpx.AsyncClient(timeout=10, event_hooks={"request": [hook]}) as client:
        yield client, paths


class Sleeps:
    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


def make(base_url: str, client: httpx.AsyncClient, sleeps: Sleeps | None = None, **kw: object) -> AutotaskConnector:
    args: dict[str, object] = {"api_user": DEMO_API_USER, "secret": DEMO_SECRET,
                               "integration_code": DEMO_INTEGRATION_CODE, **kw}
    return AutotaskConnector(base_url, client, sleep=sleeps or Sleeps(), **args)  # type: ignore[arg-type]


@pytest.mark.parametrize("user", ["", "   ", "nobody@example.com"])
async def test_unknown_or_blank_user_on_zone_information_is_a_credential_problem_at_once(
        base_url: str, sent: tuple[httpx.AsyncClient, list[str]], user: str) -> None:
    client, paths = sent
    sleeps = Sleeps()
    at = make(base_url, client, sleeps, api_user=user)
    with pytest.raises(AutotaskError) as caught:
        await at.zone_url()
    assert caught.value.status == 500 and caught.value.kind == "credentials" and not caught.value.retryable
    assert "zone" in caught.value.user_message
    assert len(paths) == 1 and sleeps.seconds == []           # no retries burning the hourly quota


async def test_wrong_integration_code_or_unknown_user_header_is_500_and_shown_at_once(
        base_url: str, sent: tuple[httpx.AsyncClient, list[str]], sandbox: AutotaskSandbox) -> None:
    client, paths = sent
    at = make(base_url, client, integration_code="WRONGCODE")
    with pytest.raises(AutotaskError) as caught:
        await at.count("Companies")
    exc = caught.value
    assert (exc.status, exc.kind, exc.retryable) == (500, "credentials", False)
    assert "integration code" in exc.user_message and "Admin" in exc.user_message
    assert sum(p.endswith("/query/count") for p in paths) == 1

    zone = await make(base_url, client).zone_url()
    sandbox.api_user = "renamed@sandbox.autotask.example"       # zone known (cached), user name no longer valid
    at2 = make(base_url, client, zone_url=zone)
    with pytest.raises(AutotaskError) as caught:
        await at2.count("Companies")
    assert (caught.value.status, caught.value.kind, caught.value.retryable) == (500, "credentials", False)


async def test_missing_permission_is_500_and_shown_at_once(
        base_url: str, sent: tuple[httpx.AsyncClient, list[str]], sandbox: AutotaskSandbox) -> None:
    client, paths = sent
    sandbox.faults.no_permission = {"invoices"}
    sleeps = Sleeps()
    at = make(base_url, client, sleeps)
    with pytest.raises(AutotaskError) as caught:
        async for _ in at.query("Invoices"):
            pass
    exc = caught.value
    assert (exc.status, exc.kind, exc.retryable) == (500, "permission", False)
    assert "not allowed" in exc.user_message and "Invoices" in exc.user_message
    assert sum(p.endswith("/Invoices/query") for p in paths) == 1 and sleeps.seconds == []
    # the other entities still work
    assert [c async for c in at.query("Companies")]


async def test_real_server_errors_are_retried(base_url: str, sent: tuple[httpx.AsyncClient, list[str]],
                                              sandbox: AutotaskSandbox) -> None:
    client, paths = sent
    sandbox.faults.fail_next = 2
    sleeps = Sleeps()
    at = make(base_url, client, sleeps)
    assert await at.count("Companies") == 12
    assert sum(p.endswith("/query/count") for p in paths) == 3 and len(sleeps.seconds) == 2


async def test_a_moved_zone_is_looked_up_again_once_and_stored(
        base_url: str, sent: tuple[httpx.AsyncClient, list[str]], sandbox: AutotaskSandbox) -> None:
    client, paths = sent
    old_zone = await make(base_url, client).zone_url()
    told: list[str] = []

    async def on_zone_change(zone: str) -> None:
        told.append(zone)

    at = make(base_url, client, zone_url=old_zone, on_zone_change=on_zone_change)
    sandbox.move_zone()
    paths.clear()
    assert await at.count("Companies") == 12
    new_zone = await at.zone_url()
    assert new_zone != old_zone and new_zone.endswith("/zone2/atservicesrest") and told == [new_zone]
    assert [p.rsplit("/v1.0/", 1)[-1] for p in paths] == ["Companies/query/count", "zoneInformation",
                                                          "Companies/query/count"]
    # paging goes on in the new zone
    assert sum(len(p) for p in [page async for page in at.query("Contacts")]) == len(sandbox.data["Contacts"])


async def test_a_wrong_secret_is_bad_credentials_after_one_zone_look_up(
        base_url: str, sent: tuple[httpx.AsyncClient, list[str]]) -> None:
    client, paths = sent
    zone = await make(base_url, client).zone_url()
    paths.clear()
    at = make(base_url, client, zone_url=zone, secret="not-the-secret")
    with pytest.raises(AutotaskError) as caught:
        await at.count("Companies")
    assert (caught.value.status, caught.value.kind, caught.value.retryable) == (401, "credentials", False)
    assert [p.rsplit("/v1.0/", 1)[-1] for p in paths] == ["Companies/query/count", "zoneInformation"]


async def test_past_half_and_three_quarters_autotask_slows_down_and_payapp_adds_nothing(
        base_url: str, sent: tuple[httpx.AsyncClient, list[str]], sandbox: AutotaskSandbox) -> None:
    client, _ = sent
    sandbox.delay_over_50, sandbox.delay_over_75 = 0.01, 0.02
    sandbox.request_times[:0] = [time.monotonic()] * 7_600       # other integrations' requests this hour
    sleeps = Sleeps()
    seen: list[object] = []
    at = make(base_url, client, sleeps, on_threshold=seen.append)
    pages = [page async for page in at.query("Contacts")]
    assert sum(map(len, pages)) == len(sandbox.data["Contacts"])
    assert seen and at.last_threshold is not None and at.last_threshold.ratio >= 0.75
    assert sleeps.seconds == []                      # no delay of PayApp's own
    assert sandbox.slept and set(sandbox.slept) == {0.02}     # Autotask's own slow-down


async def test_a_missing_entity_is_200_item_null_and_none(base_url: str, sent: tuple[httpx.AsyncClient, list[str]],
                                                          sandbox: AutotaskSandbox) -> None:
    client, _ = sent
    at = make(base_url, client)
    zone = await at.zone_url()
    raw = await client.get(f"{zone}/v1.0/Invoices/999999999", headers={
        "ApiIntegrationCode": DEMO_INTEGRATION_CODE, "UserName": DEMO_API_USER, "Secret": DEMO_SECRET})
    assert raw.status_code == 200 and raw.json() == {"item": None}
    assert await at.get("Invoices", 999_999_999) is None
    first = sandbox.data["Invoices"][0]
    got = await at.get("Invoices", first["id"])
    assert got is not None and got["id"] == first["id"]


async def test_payment_terms_picklist_is_read_once(base_url: str, sent: tuple[httpx.AsyncClient, list[str]],
                                                   sandbox: AutotaskSandbox) -> None:
    client, paths = sent
    at = make(base_url, client)
    labels = await at.picklist("Invoices", "paymentTerm")
    assert labels["1"] == "Net 30" and labels["3"] == "Due on receipt" and "4" in labels
    assert await at.picklist("Invoices", "PaymentTerm") == labels
    assert sum(p.endswith("/Invoices/entityInformation/fields") for p in paths) == 1
    assert all(isinstance(r["paymentTerm"], int) for r in sandbox.data["Invoices"])

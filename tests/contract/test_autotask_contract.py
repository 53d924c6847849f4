"""Answers recorded from the real Autotask REST API (copied as data from Autotask's documentation and from
well-known client libraries' issue threads and types; each names its source), run through the connector's parser
and error handling: zone information, error bodies (HTTP 500 that is a credential, permission or request problem,
405, errors with HTTP 200), paging, the entity field information with its picklists, the threshold information and
the missing single entity."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from payapp.connectors.psa.autotask import AutotaskConnector, AutotaskError, parse_picklist

BASE = "https://webservices2.autotask.net/atservicesrest"
ZONE = "https://webservices3.autotask.net/atservicesrest"

# Zone information, shape per the ZoneInformationResultModel of Autotask's REST API (zoneName, url, webUrl, ci;
# https://webservices2.autotask.net/atservicesrest/swagger/ui/index, mirrored in
# https://raw.githubusercontent.com/api-evangelist/kaseya/refs/heads/main/openapi/kaseya-zoneinformationapiintegration-api-openapi.yml);
# the url comes with a trailing slash, as in KelvinTegelaar/AutotaskAPI#62 ("https://webservices15.autotask.net/ATServicesRest/").
ZONE_INFORMATION = {"zoneName": "America East", "url": "https://webservices3.autotask.net/ATServicesRest/",
                    "webUrl": "https://ww3.autotask.net/", "ci": 123456}

# zoneInformation for a user Autotask does not know, as recorded in KelvinTegelaar/AutotaskAPI#17
# (https://github.com/KelvinTegelaar/AutotaskAPI/issues/17); HTTP 500 per KelvinTegelaar/AutotaskAPI#76
# ("V1.0 | 500 (route exists; bogus user)") and apigrate/autotask-restapi#19.
ZONE_UNKNOWN_USER = (500, {"errors": ["Zone information could not be determined"]})

# apigrate/autotask-restapi#19 (https://github.com/apigrate/autotask-restapi/issues/19): "if you enter an invalid
# username, you'll get back an HTTP 500 status code, not a 401 ... valid credentials, but an invalid integration
# code, you'll get back an HTTP 500", body "typically something like {"errors":["Something went wrong"]}".
INVALID_USER_500 = (500, {"errors": ["Something went wrong"]})

# A request Autotask refuses, with HTTP 500: WYRE-AI/autotask-mcp#46 (https://github.com/WYRE-AI/autotask-mcp/issues/46).
REFERENCE_500 = (500, {"errors": ["Value does not reference an existing entity for taskType . "]})

# A root GET on an entity: Anteris-Dev/autotask-client#12 (https://github.com/Anteris-Dev/autotask-client/issues/12).
METHOD_405 = (405, {"Message": "The requested resource does not support http method 'GET'."})

# Query answers: `items` plus `pageDetails` {count, requestCount, prevPageUrl, nextPageUrl} (Autotask REST API
# "Making basic query calls": https://ww1.autotask.net/help/DeveloperHelp/Content/APIs/REST/API_Calls/REST_Basic_Query_Calls.htm;
# the same four fields in the AutotaskPageDetails model of client libraries).
PAGE_1 = {"items": [{"id": 29683501, "companyName": "Acme Dental", "isActive": True,
                     "lastTrackedModifiedDateTime": "2024-02-06T17:27:51.667Z"}],
          "pageDetails": {"count": 1, "requestCount": 1, "prevPageUrl": None,
                          "nextPageUrl": f"{ZONE}/V1.0/Companies/query/next?paging=%7B%22pageSize%22%3A1%7D"}}
PAGE_2 = {"items": [{"id": 29683502, "companyName": "Northwind Law Group", "isActive": False,
                     "lastTrackedModifiedDateTime": "2024-03-01T08:00:00Z"}],
          "pageDetails": {"count": 1, "requestCount": 1,
                          "prevPageUrl": f"{ZONE}/V1.0/Companies/query/prev?paging=%7B%22pageSize%22%3A1%7D",
                          "nextPageUrl": None}}

# Entity field information: `fields[]` with name, dataType, isPickList and picklistValues[] of value (a string),
# label, isDefaultValue, sortOrder, parentValue, isActive, isSystem (Autotask REST API "Entity information call":
# https://autotask.net/help/DeveloperHelp/Content/APIs/REST/API_Calls/REST_EntityInformationCall.htm; the same
# fields in Datably-Inc/AutotaskNet AutotaskNet/Domain/Responses/EntityFieldsResult.cs).
INVOICE_FIELDS = {"fields": [
    {"name": "id", "dataType": "long", "length": 0, "isRequired": True, "isReadOnly": True, "isQueryable": True,
     "isReference": False, "referenceEntityType": "", "isPickList": False, "picklistValues": None,
     "picklistParentValueField": "", "isSupportedWebhookField": False},
    {"name": "paymentTerm", "dataType": "integer", "length": 0, "isRequired": False, "isReadOnly": True,
     "isQueryable": True, "isReference": False, "referenceEntityType": "", "isPickList": True,
     "picklistValues": [
         {"value": "1", "label": "Due Upon Receipt", "isDefaultValue": False, "sortOrder": 1, "parentValue": "",
          "isActive": True, "isSystem": True},
         {"value": "2", "label": "Net 30 Days", "isDefaultValue": True, "sortOrder": 2, "parentValue": "",
          "isActive": True, "isSystem": True},
         {"value": "29682791", "label": "Net 45 (old)", "isDefaultValue": False, "sortOrder": 9, "parentValue": "",
          "isActive": False, "isSystem": False}],
     "picklistParentValueField": "", "isSupportedWebhookField": False}]}

# ThresholdInformation (Autotask REST API "Thresholds and limits":
# https://ww1.autotask.net/help/DeveloperHelp/Content/APIs/REST/General_Topics/REST_Thresholds_Limits.htm).
THRESHOLD = {"externalRequestThreshold": 10000, "requestThresholdTimeframe": 60, "currentTimeframeRequestCount": 5210}

# A single entity that does not exist: HTTP 200 with a null item (issue #13 item 16, as the service answers).
ITEM_NULL = {"item": None}


def run(handler: Callable[[httpx.Request], httpx.Response], call: Callable[[AutotaskConnector], Any],
        zone: str = ZONE) -> tuple[Any, list[httpx.Request], list[float]]:
    seen: list[httpx.Request] = []
    slept: list[float] = []

    def recording(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    async def go() -> Any:
        async with httpx.AsyncClient(transport=httpx.MockTransport(recording)) as client:
            at = AutotaskConnector(BASE, client, api_user="api@example.com", secret="s3cret", integration_code="CODE",
                                   zone_url=zone, sleep=sleep)
            return await call(at)

    try:
        return asyncio.run(go()), seen, slept
    except AutotaskError as exc:
        return exc, seen, slept


def answer(status: int, body: Any) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(status, content=json.dumps(body).encode(),
                                          headers={"Content-Type": "application/json"})


def test_zone_information_is_read_and_its_trailing_slash_trimmed() -> None:
    zone, seen, _ = run(answer(200, ZONE_INFORMATION), lambda at: at.zone_url(), zone="")
    assert zone == "https://webservices3.autotask.net/ATServicesRest"
    assert seen[0].url.params["user"] == "api@example.com" and "Secret" not in seen[0].headers


@pytest.mark.parametrize("recorded", [ZONE_UNKNOWN_USER, INVALID_USER_500], ids=["could-not-be-determined", "opaque"])
def test_zone_information_500_is_the_user_name_at_once(recorded: tuple[int, Any]) -> None:
    exc, seen, slept = run(answer(*recorded), lambda at: at.zone_url(), zone="")
    assert isinstance(exc, AutotaskError) and exc.kind == "credentials" and not exc.retryable
    assert len(seen) == 1 and slept == []
    assert exc.errors == tuple(recorded[1]["errors"])


def test_an_opaque_500_on_a_call_is_not_retried() -> None:
    exc, seen, slept = run(answer(*INVALID_USER_500), lambda at: at.count("Companies"))
    assert isinstance(exc, AutotaskError) and not exc.retryable and len(seen) == 1 and slept == []
    assert "Something went wrong" in exc.user_message


def test_a_request_autotask_refuses_with_500_is_shown_in_its_words_not_retried() -> None:
    exc, seen, _ = run(answer(*REFERENCE_500), lambda at: at.mark_invoice_paid(5, dt.date(2026, 3, 4)))
    assert isinstance(exc, AutotaskError) and exc.kind == "refused" and not exc.retryable and len(seen) == 1
    assert "Value does not reference an existing entity" in exc.user_message


def test_a_405_without_errors_is_refused_and_readable() -> None:
    exc, seen, _ = run(answer(*METHOD_405), lambda at: at.count("Companies"))
    assert isinstance(exc, AutotaskError) and exc.status == 405 and not exc.retryable and len(seen) == 1


def test_a_permission_500_names_the_security_level() -> None:
    # the words Autotask uses for a security level without the permission (see payapp/sandbox/autotask.py)
    exc, seen, _ = run(answer(500, {"errors": ["User does not have permission to access Invoices."]}),
                       lambda at: at.count("Invoices"))
    assert isinstance(exc, AutotaskError) and exc.kind == "permission" and not exc.retryable and len(seen) == 1
    assert "security level" in exc.user_message


def test_an_empty_500_is_a_server_error_and_retried() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(500) if len(calls) < 3 else httpx.Response(200, json={"queryCount": 4})

    count, _, slept = run(handler, lambda at: at.count("Companies"))
    assert count == 4 and len(calls) == 3 and len(slept) == 2


def test_errors_with_http_200_are_failures() -> None:
    exc, _, _ = run(answer(200, {"errors": ["Invalid query syntax. Queries are limited to 500 or fewer 'OR' "
                                            "conditions."]}), lambda at: at.count("Companies"))
    assert isinstance(exc, AutotaskError) and not exc.retryable and "500 or fewer" in exc.user_message


def test_paging_follows_next_page_url_as_given_until_null() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/ThresholdInformation"):
            return httpx.Response(200, json=THRESHOLD)
        return httpx.Response(200, json=PAGE_2 if "/query/next" in request.url.path else PAGE_1)

    async def pages(at: AutotaskConnector) -> list[Any]:
        return [page async for page in at.query("Companies")]

    got, seen, _ = run(handler, pages)
    seen = [r for r in seen if not r.url.path.endswith("/ThresholdInformation")]
    assert [[c.name for c in page] for page in got] == [["Acme Dental"], ["Northwind Law Group"]]
    assert [r.method for r in seen] == ["POST", "POST"]
    assert seen[1].content == seen[0].content and str(seen[1].url).startswith(f"{ZONE}/V1.0/Companies/query/next")
    assert got[1][0].is_active is False and got[0][0].modified_at is not None


def test_payment_term_picklist_keeps_inactive_values() -> None:
    assert parse_picklist(INVOICE_FIELDS, "paymentTerm") == {"1": "Due Upon Receipt", "2": "Net 30 Days",
                                                            "29682791": "Net 45 (old)"}
    labels, seen, _ = run(answer(200, INVOICE_FIELDS), lambda at: at.picklist("Invoices", "paymentTerm"))
    assert labels["2"] == "Net 30 Days" and seen[0].url.path.endswith("/Invoices/entityInformation/fields")


def test_threshold_information_is_read_without_a_delay_of_payapps_own() -> None:
    info, _, slept = run(answer(200, THRESHOLD), lambda at: at.threshold())
    assert (info.limit, info.timeframe_minutes, info.used) == (10000, 60, 5210) and info.ratio > 0.5
    assert slept == []


def test_a_missing_entity_is_none() -> None:
    got, _, _ = run(answer(200, ITEM_NULL), lambda at: at.get("Invoices", 42))
    assert got is None

"""Property tests (hypothesis): every Autotask parser is total (issue #12 item 4). Whatever a record or an answer
holds, the mappers and the connector give a value or PayApp's own AutotaskError, never KeyError, TypeError,
ValueError, AttributeError or InvalidOperation."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payapp.connectors.psa.autotask import (
    MAPPERS,
    AutotaskConnector,
    AutotaskError,
    AutotaskRecordError,
    map_billing_item,
    map_company,
    map_contact,
    map_contract,
    map_invoice,
    map_ticket,
    parse_picklist,
)
from payapp.domain.errors import PayAppError
from payapp.domain.money import decimal_to_minor

BASE = "https://webservices2.autotask.net/atservicesrest"
ZONE = "https://webservices5.autotask.net/atservicesrest"

scalars = (st.none() | st.booleans() | st.integers() | st.integers(min_value=-(10 ** 30), max_value=10 ** 30)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=30)
           | st.decimals(allow_nan=False, allow_infinity=False, places=2)
           | st.sampled_from(["", "2026-01-05", "2026-01-05T00:00:00Z", "2026-13-45", "1e26", "NaN", "-0",
                              "9" * 27, "٩٩٩", "𝟗𝟗𝟗", "0001-01-01T00:00:00-23:59", "9999-12-31T23:59:59+01:00"]))
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)

FIELDS = {
    map_company: ["id", "companyName", "companyNumber", "phone", "address1", "city", "state", "postalCode",
                  "countryID", "isActive", "lastTrackedModifiedDateTime"],
    map_contact: ["id", "companyID", "firstName", "lastName", "emailAddress", "phone", "isActive",
                  "lastModifiedDate"],
    map_contract: ["id", "companyID", "contractName", "contractNumber", "status", "startDate", "endDate",
                   "lastModifiedDateTime"],
    map_ticket: ["id", "ticketNumber", "companyID", "contactID", "contractID", "title", "status", "createDate",
                 "lastTrackedModificationDateTime"],
    map_invoice: ["id", "companyID", "invoiceNumber", "invoiceDateTime", "dueDate", "invoiceTotal", "totalTaxValue",
                  "paidDate", "isVoided", "voidedDate", "createDateTime", "paymentTerm", "comments"],
    map_billing_item: ["id", "invoiceID", "description", "itemName", "quantity", "rate", "extendedPrice",
                       "totalAmount", "contractID", "ticketID"],
}


def records(names: list[str]) -> st.SearchStrategy[Any]:
    known = st.fixed_dictionaries({}, optional={n: json_values for n in names})
    case_mixed = st.dictionaries(st.sampled_from([n.upper() for n in names] + [n.lower() for n in names]),
                                 json_values, max_size=6)
    return known | case_mixed | json_values


def _json_round_trip(value: Any) -> Any:
    """As the connector sees it: JSON text parsed with parse_float=Decimal."""
    return json.loads(json.dumps(value, default=str), parse_float=Decimal)


@pytest.mark.parametrize("mapper", list(FIELDS), ids=lambda m: m.__name__)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mappers_are_total(mapper: Any, data: st.DataObject) -> None:
    raw = _json_round_trip(data.draw(records(FIELDS[mapper])))
    try:
        mapped = mapper(raw)
    except AutotaskRecordError as exc:
        assert exc.user_message and "skipped" in exc.user_message
        if isinstance(raw, dict) and raw.get("id") not in (None, ""):
            assert exc.record_id
        return
    assert type(mapped.id) is int and -(2 ** 63) < mapped.id < 2 ** 63
    for value in mapped:
        assert not isinstance(value, float)
        if isinstance(value, Decimal):
            assert value.is_finite() and abs(value) < 10 ** 15
            decimal_to_minor(value, "USD")      # what the sync does with it: never InvalidOperation


def test_every_mapper_is_covered() -> None:
    assert set(MAPPERS.values()) == set(FIELDS)


@pytest.mark.parametrize("raw", [{"id": None, "companyID": 1}, {"companyID": 1}, {"id": "x", "companyID": 1},
                                 {"id": True, "companyID": 1}, {"id": 1.5, "companyID": 1}, {"id": 1},
                                 {"id": "٩٩", "companyID": 1}, {"id": 1, "companyID": "𝟗"},
                                 {"id": 1, "companyID": 1, "invoiceTotal": "abc"},
                                 {"id": 1, "companyID": 1, "invoiceDateTime": "not a date"},
                                 {"id": 1, "companyID": 1, "invoiceTotal": "1e999"}, [], "3", None])
def test_bad_invoices_name_their_id(raw: Any) -> None:
    with pytest.raises(AutotaskRecordError) as caught:
        map_invoice(raw)
    assert caught.value.entity == "Invoices"
    if isinstance(raw, dict) and raw.get("id") is not None:
        assert caught.value.record_id == str(raw["id"])
        assert f"Invoices {raw['id']}" in caught.value.user_message


answers = st.one_of(json_values.map(lambda v: json.dumps(v, default=str).encode()),
                    st.binary(max_size=40), st.just(b""), st.just(b'{"errors": true}'),
                    st.just(b'{"errors": [1, {"a": 2}, null]}'), st.just(b'{"url": 5}'),
                    st.just(b'{"items": [], "pageDetails": {"nextPageUrl": 7}}'),
                    st.just(b'{"items": {}, "pageDetails": []}'), st.just(b'{"queryCount": "many"}'),
                    st.just(b'{"externalRequestThreshold": "lots"}'), st.just(b'[' * 5000))
statuses = st.sampled_from([200, 200, 200, 400, 401, 403, 404, 405, 422, 429, 500, 502, 503])


def _run(status: int, body: bytes, call: str) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"Retry-After": "nan"} if status == 429 else {}
        return httpx.Response(status, content=body, headers=headers)

    async def sleep(_: float) -> None:
        return None

    async def go() -> Any:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            at = AutotaskConnector(BASE, client, api_user="api@example.com", secret="s", integration_code="c",
                                   zone_url="" if call == "zone" else ZONE, sleep=sleep)
            if call == "zone":
                return await at.zone_url()
            if call == "threshold":
                return await at.threshold()
            if call == "count":
                return await at.count("Companies")
            if call == "get":
                return await at.get("Invoices", 5)
            if call == "picklist":
                return await at.picklist("Invoices", "paymentTerm")
            pages = []
            async for page in at.query_pages("Companies"):
                pages.append(page)
                if len(pages) > 3:
                    break
            return pages

    return asyncio.run(go())


@settings(max_examples=250, deadline=None)
@given(status=statuses, body=answers,
       call=st.sampled_from(["zone", "threshold", "count", "get", "picklist", "pages"]))
def test_connector_answers_are_parsed_totally(status: int, body: bytes, call: str) -> None:
    try:
        result = _run(status, body, call)
    except AutotaskError as exc:
        assert exc.user_message
        return
    if call == "zone":
        assert isinstance(result, str) and result.startswith(("http://", "https://"))
    elif call == "count":
        assert type(result) is int and result >= 0
    elif call == "get":
        assert result is None or isinstance(result, dict)
    elif call == "picklist":
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in result.items())


@settings(max_examples=200, deadline=None)
@given(data=json_values, field=st.sampled_from(["paymentTerm", "PAYMENTTERM", "x"]))
def test_picklist_parser_is_total(data: Any, field: str) -> None:
    try:
        out = parse_picklist(_json_round_trip(data), field)
    except PayAppError:
        return
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in out.items())


@pytest.mark.parametrize("text", ['{"id": 1, "companyID": 1, "invoiceTotal": 1e999}',
                                  '{"id": 1, "companyID": 1, "invoiceTotal": 1000000000000000000000000000000}',
                                  '{"id": 1, "companyID": 1, "totalTaxValue": NaN}',
                                  '{"id": 1, "companyID": 1, "invoiceTotal": -Infinity}'])
def test_amounts_out_of_range_as_json_numbers_are_refused(text: str) -> None:
    with pytest.raises(AutotaskRecordError):
        map_invoice(json.loads(text, parse_float=Decimal))

"""The QuickBooks connector is total on answers of the wrong shape (issue #12.4): any JSON (or any bytes) as a
token answer, an entity body, a query or batch answer, a fault in XML, gives a value or the connector's own
QuickBooksError — never AttributeError/KeyError/TypeError/ValueError/UnicodeEncodeError (hypothesis)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payapp.connectors.accounting.quickbooks_online import (
    QuickBooksConnector,
    QuickBooksError,
    QuickBooksOAuth,
    TokenSet,
    classify,
    is_voided,
    parse_batch,
    parse_fault_body,
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20)
shaped = st.fixed_dictionaries({}, optional={
    "access_token": json_values | st.text(), "refresh_token": json_values | st.text(),
    "expires_in": json_values | st.text(), "x_refresh_token_expires_in": json_values | st.text(),
    "error": json_values})


async def _no_sleep(_: float) -> None:
    return None


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def _token(body: bytes, status: int = 200) -> TokenSet | QuickBooksError:
    async with httpx.AsyncClient(transport=httpx.MockTransport(
            lambda _r: httpx.Response(status, content=body))) as c:
        oauth = QuickBooksOAuth("https://oauth.example", c, client_id="id", client_secret="secret")
        try:
            return await oauth.refresh("r")
        except QuickBooksError as exc:
            return exc


@pytest.mark.parametrize("body", [b'"3"', b"3", b"[]", b'{"access_token": "a", "expires_in": "soon"}',
                                  b'{"access_token": "a", "expires_in": null, "refresh_token": 5}',
                                  '{"access_token": "tökén", "refresh_token": "r"}'.encode(),
                                  b'{"access_token": "a b", "refresh_token": "r"}',
                                  b'{"access_token": "a", "x_refresh_token_expires_in": [1]}',
                                  b'{"access_token": "a", "expires_in": 1e400}', b'{"error": ["invalid_grant"]}'])
def test_token_answers_of_the_wrong_shape(body: bytes) -> None:
    result = run(_token(body))
    assert isinstance(result, QuickBooksError), result


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=json_values | shaped, status=st.sampled_from([200, 400, 401, 500]))
def test_any_token_answer_gives_tokens_or_the_connectors_error(data: Any, status: int) -> None:
    result = run(_token(json.dumps(data).encode(), status))
    assert isinstance(result, (TokenSet, QuickBooksError))
    if isinstance(result, TokenSet):
        assert result.access_token.isascii() and result.refresh_token.isascii()


async def _read(body: bytes, status: int, what: str) -> Any:
    async def save(_: TokenSet) -> None:
        return None

    async with httpx.AsyncClient(transport=httpx.MockTransport(
            lambda _r: httpx.Response(status, content=body))) as c:
        oauth = QuickBooksOAuth("https://oauth.example", c, client_id="id", client_secret="secret")
        qb = QuickBooksConnector("https://qb.example", c, realm_id="1", oauth=oauth, save_tokens=save, rate=0,
                                 sleep=_no_sleep, tokens=TokenSet("a", "r", dt.datetime.now(dt.UTC)
                                                                  + dt.timedelta(hours=1)))
        try:
            if what == "preferences":
                return await qb.custom_txn_numbers()
            if what == "query":
                return await qb.query("SELECT * FROM Customer")
            if what == "accounts":
                return await qb.bank_accounts()
            if what == "customer":
                return await qb.ensure_customer("X", "rid")
            if what == "void":
                return await qb.void_payment("5", "rid")
            return await qb.company_name()
        except QuickBooksError as exc:
            return exc


@pytest.mark.parametrize("body,what", [(b'{"Preferences": []}', "preferences"),
                                       (b'{"Preferences": {"SalesFormsPrefs": []}}', "preferences"),
                                       (b'{"Preferences": [1, 2]}', "preferences"),
                                       (b'{"QueryResponse": []}', "query"),
                                       (b'{"QueryResponse": {"Customer": [1]}}', "query"),
                                       (b'{"Customer": "oops"}', "customer"),
                                       (b'{"Customer": {"Name": "x"}}', "customer"),
                                       (b'{"Payment": [], "time": 1}', "void"), (b'{"CompanyInfo": 3}', "company")])
def test_entity_bodies_of_the_wrong_type(body: bytes, what: str) -> None:
    result = run(_read(body, 200, what))
    assert isinstance(result, QuickBooksError), result


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=json_values, key=st.sampled_from(["Preferences", "QueryResponse", "Customer", "Payment", "CompanyInfo",
                                              "Fault", "fault", "BatchItemResponse"]),
       what=st.sampled_from(["preferences", "query", "accounts", "customer", "void", "company"]),
       status=st.sampled_from([200, 400, 401, 403, 429, 500]))
def test_any_api_answer_gives_a_value_or_the_connectors_error(data: Any, key: str, what: str, status: int) -> None:
    for body in ({key: data}, data):
        run(_read(json.dumps(body).encode(), status, what))     # no exception but QuickBooksError (caught)


@settings(max_examples=300, deadline=None)
@given(content=st.binary(max_size=300) | st.text(max_size=300).map(str.encode)
       | st.builds(lambda code, msg: f'<IntuitResponse><Fault><Error code="{code}"><Message>{msg}</Message></Error>'
                   f'</Fault></IntuitResponse>'.encode(), st.text(max_size=8), st.text(max_size=30)),
       status=st.integers(min_value=100, max_value=599))
def test_fault_bodies_in_any_format(content: bytes, status: int) -> None:
    _data, entries = parse_fault_body(content)
    assert isinstance(classify(status, entries), QuickBooksError)


@settings(max_examples=200, deadline=None)
@given(data=json_values | st.fixed_dictionaries({"BatchItemResponse": json_values}))
def test_batch_answers_of_any_shape(data: Any) -> None:
    with contextlib.suppress(QuickBooksError):
        parse_batch(data)


@given(payment=json_values)
def test_is_voided_is_total(payment: Any) -> None:
    assert is_voided(payment) in (True, False)

"""Contract: PayEngine's answers, as its documentation and Concardis' own client library record them, through the
adapter's parsers (payapp/connectors/gateways/payengine.py).

Sources:
- Concardis' PHP SDK, https://github.com/concardis/PHP_SDK: the response fixtures
  tests/Concardis/Payengine/Lib/Test/Fixture/Model/OrderFixture.php and TransactionFixture.php (an order
  "order_12345" with merchantOrderId "merchant_order_12345", product sepa, EUR, initialAmount 12345, status OPEN,
  settled false, settlementDate/createdAt 123456789; a PREAUTH parent transaction "transaction_123" with CAPTURE
  children, providerCode "00"), PaymentInstrumentFixture.php (paymentInstrumentId "test_123", product sepa,
  attributes iban/bic/accountHolder), Constants/TransactionType.php (DEBIT, PREAUTH, CAPTURE, CANCEL, REFUND,
  CHARGEBACK), Models/Response/ListWrapper.php (`elements`, `totalPages`).
- PayEngine's API reference, https://developer.nexigroup.com/payengine/en-EU/api/payengine-api-v1/: transaction
  statuses CREATED, PENDING, IN_PROGRESS, OK, SUCCESS, FAILURE, DECLINED, ABORTED, EXPIRED; errors as
  `{status, message, code, elements}`.
The fixtures are written out here as the JSON the API sends (the SDK maps that JSON onto those models 1:1).
"""

from __future__ import annotations

import json

import pytest

from payapp.connectors.gateways.payengine import (
    merchant_order_id,
    parse_charge,
    parse_follow_up,
    parse_order,
    parse_order_list,
)
from payapp.connectors.gateways.port import LookupFailed

PAYMENT_INSTRUMENT = {"createdAt": 123456789, "modifiedAt": 123456789, "paymentInstrumentId": "test_123",
                      "product": "sepa", "merchantPaymentInstrumentId": "merchant_123", "recurring": True,
                      "attributes": {"iban": "DE72700700100700038301", "bic": "DEUTDEMMXXX",
                                     "accountHolder": "Test Tester", "bankName": "Deutsche Bank"}}


def _child(kind: str = "CAPTURE", status: str = "IN_PROGRESS") -> dict[str, object]:
    return {"parentTransaction": "transaction_parent_123", "createdAt": 123456789, "modifiedAt": 123456789,
            "order": "order_12345", "transactionId": "transaction_123", "type": kind, "status": status,
            "initialAmount": 12345, "refundedAmount": 12345, "description": "TestTransaction", "currency": "EUR",
            "capturedAmount": 12345, "canceledAmount": 12345, "providerCode": "00"}


def _parent(children: int = 3, status: str = "IN_PROGRESS", kind: str = "PREAUTH") -> dict[str, object]:
    return {"transactions": [_child() for _ in range(children)], "createdAt": 123456789, "modifiedAt": 123456789,
            "order": "order_12345", "transactionId": "transaction_123", "type": kind, "parentTransaction": None,
            "status": status, "initialAmount": 12345, "refundedAmount": 12345, "description": "TestTransaction",
            "currency": "EUR", "capturedAmount": 12345, "canceledAmount": 12345, "providerCode": "00"}


def _order(**over: object) -> dict[str, object]:
    order: dict[str, object] = {
        "createdAt": 123456789, "modifiedAt": 123456789, "product": "sepa",
        "allowedProducts": ["sepa", "creditcard", "paydirekt", "paypal", "ratepay-directdebit", "ratepay-invoice"],
        "canceledAmount": 12345, "capturedAmount": 12345, "channel": "ECOM", "currency": "EUR",
        "description": "UnitTest", "initialAmount": 12345, "ipAddress": "128.0.0.1",
        "merchantOrderId": "merchant_order_12345", "orderId": "order_12345", "paymentInstrument": PAYMENT_INSTRUMENT,
        "paymentProviderTransactionId": "sepa_order_12345", "preauthorizedAmount": 12345, "privacy": 123456789,
        "redirectUrl": "https://someUrl.com", "refundedAmount": 12345, "settled": False, "settlementDate": 123456789,
        "source": "unittest", "statementDescription": "unittesting is nice", "status": "OPEN", "terms": 123456789,
        "transactions": [_parent(3)], "transactionType": "PREAUTH"}
    order.update(over)
    return order


def test_recorded_order_reads_as_a_transaction_with_its_reference_and_vault_token() -> None:
    t = parse_order(_order())
    assert t is not None
    assert t.transaction_id == "order_12345/transaction_123"     # both ids: follow-ups need the order and the tx
    assert t.order_id == "merchant_order_12345" and t.currency == "EUR" and t.method == "sepa"
    assert t.vault_id == "test_123"
    # a PREAUTH still IN_PROGRESS: nothing decided yet (never "no match", never approved)
    assert t.state == "pending" and t.action("sale") is None


def test_settled_debit_with_refund_and_chargeback() -> None:
    parent = _parent(0, "SUCCESS", "DEBIT")
    parent["transactions"] = [_child("REFUND", "SUCCESS") | {"initialAmount": 500},
                              _child("CHARGEBACK", "SUCCESS")]
    t = parse_order(_order(settled=True, transactions=[parent], product="creditcard"))
    assert t is not None and t.state == "settled" and t.method == "card"
    sale, refund, ret, settle = (t.action(k) for k in ("sale", "refund", "return", "settle"))
    assert sale is not None and refund is not None and ret is not None and settle is not None
    assert refund.amount == "5.00" and ret.amount == "123.45"
    assert settle.at is not None and settle.at.year == 1970          # epoch milliseconds 123456789


def test_pending_sepa_debit_is_accepted_pending_settlement_and_a_cancel_voids_it() -> None:
    parent = _parent(0, "PENDING", "DEBIT")
    t = parse_order(_order(transactions=[parent]))
    assert t is not None and t.state == "pending_settlement" and t.action("sale") is not None
    parent["transactions"] = [_child("CANCEL", "SUCCESS")]
    voided = parse_order(_order(transactions=[parent]))
    assert voided is not None and voided.state == "voided"


@pytest.mark.parametrize("status", ["FAILURE", "DECLINED", "ABORTED", "EXPIRED"])
def test_declined_statuses(status: str) -> None:
    t = parse_order(_order(transactions=[_parent(0, status, "DEBIT")], product="creditcard"))
    assert t is not None and t.state == "failed" and t.action("sale") is None
    answer = parse_charge(201, json.dumps(_parent(0, status, "DEBIT")), product="creditcard")
    assert answer.outcome == "declined"


def test_charge_answer_as_a_transaction_or_as_an_order() -> None:
    tx = _parent(0, "SUCCESS", "DEBIT") | {"order": _order()}
    a = parse_charge(201, json.dumps(tx), product="creditcard", order_id="pa1-x")
    assert a.approved and a.transaction_id == "order_12345/transaction_123" and a.vault_id == "test_123"
    b = parse_charge(200, json.dumps(_order(transactions=[_parent(0, "SUCCESS", "DEBIT")])), product="creditcard")
    assert b.approved and b.transaction_id == "order_12345/transaction_123"
    # a card PENDING is a hosted step not finished: unknown, resolved by the order look-up, never approved
    c = parse_charge(201, json.dumps(_parent(0, "PENDING", "DEBIT")), product="creditcard")
    assert c.outcome == "unknown"
    # ... while a SEPA PENDING is the bank still to settle: accepted
    d = parse_charge(201, json.dumps(_parent(0, "PENDING", "DEBIT")), product="sepa")
    assert d.approved


def test_error_shapes() -> None:
    body = json.dumps({"status": 400, "message": "Validation failed", "code": 40001,
                       "elements": [{"field": "initialAmount", "message": "must be positive"}]})
    a = parse_charge(400, body, product="creditcard", order_id="pa1-x")
    assert a.outcome == "error" and "Validation failed" in a.message and "must be positive" in a.message
    assert a.order_id == "pa1-x" and a.sent
    unauth = parse_charge(401, json.dumps({"status": 401, "message": "Unauthorized", "code": 40100, "elements": []}),
                          product="creditcard")
    assert unauth.outcome == "error" and unauth.auth_failed
    assert parse_charge(429, "", product="sepa").rate_limited
    for status, text in ((500, ""), (502, "<html>Bad Gateway</html>"), (200, "<html/>"), (201, "{}"),
                         (200, "null"), (200, "[1,2]")):
        assert parse_charge(status, text, product="creditcard").outcome == "unknown", (status, text)


def test_follow_up_answers() -> None:
    ok = parse_follow_up(201, json.dumps(_child("REFUND", "SUCCESS")))
    assert ok.approved and ok.transaction_id == "transaction_123"
    assert parse_follow_up(201, json.dumps(_child("CANCEL", "DECLINED"))).outcome == "declined"
    assert parse_follow_up(400, json.dumps({"status": 400, "message": "cannot be cancelled"})).outcome == "error"
    assert parse_follow_up(500, "").outcome == "unknown"
    assert parse_follow_up(200, "not json").outcome == "unknown"


def test_order_list_wrapper() -> None:
    found = parse_order_list({"elements": [_order(), {"not": "an order"}], "totalPages": 1})
    assert [t.transaction_id for t in found] == ["order_12345/transaction_123"]
    assert parse_order_list({"elements": [], "totalPages": 0}) == []
    for bad in (None, {"status": 500}, "text", 5):
        with pytest.raises(LookupFailed):
            parse_order_list(bad)


@pytest.mark.parametrize("junk", [None, 1, "x", [], {}, {"orderId": 5}, {"orderId": "o", "transactions": "x"},
                                  {"orderId": "o", "transactions": [1, None, {"type": 3}]},
                                  {"orderId": "o", "currency": "€€€", "transactions": [
                                      {"type": "REFUND", "status": "SUCCESS", "initialAmount": "x"}]},
                                  {"orderId": "o", "settled": True, "settlementDate": 10 ** 30}])
def test_parsers_are_total(junk: object) -> None:
    parse_order(junk)                                    # a value or None, never an exception
    parse_charge(200, json.dumps(junk), product="creditcard")
    parse_follow_up(200, json.dumps(junk))


def test_merchant_order_id_fits_the_card_rule_and_is_deterministic() -> None:
    ours = "pa1234567-0123456789abcdef01234567"
    moid = merchant_order_id(ours)
    assert moid.isalnum() and len(moid) <= 30 and moid == merchant_order_id(ours)
    assert moid.endswith("0123456789abcdef01234567"[-20:])     # the random tail is kept
    assert merchant_order_id("pa1-abc") == "pa1abc"

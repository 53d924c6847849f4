"""Parsers of NMI answers against recorded-style bodies (docs/protocols.md §1 formats, made-up values)."""

from __future__ import annotations

import pytest

from payapp.connectors.gateways.nmi import (
    CardData,
    CheckData,
    NmiGateway,
    NmiQueryError,
    parse_query,
    parse_response,
    parse_vault_report,
)

APPROVAL = ("response=1&responsetext=SUCCESS&authcode=A1B2C3&transactionid=5550001234&avsresponse=Y"
            "&cvvresponse=M&orderid=inv-42-7f3a&type=sale&response_code=100")


def test_approval() -> None:
    r = parse_response(APPROVAL)
    assert r.outcome == "approved" and r.approved
    got = (r.transaction_id, r.auth_code, r.order_id, r.response_code)
    assert got == ("5550001234", "A1B2C3", "inv-42-7f3a", "100")
    assert (r.avs, r.cvv, r.message, r.customer_vault_id) == ("Y", "M", "SUCCESS", "")


def test_decline_with_authcode_is_not_approval() -> None:
    r = parse_response("response=2&responsetext=DECLINE&authcode=123456&transactionid=5550001235&avsresponse=N"
                       "&cvvresponse=N&orderid=o1&type=sale&response_code=200")
    assert r.outcome == "declined" and not r.approved
    assert r.auth_code == "123456"


def test_insufficient_funds_decline() -> None:
    assert parse_response("response=2&responsetext=Insufficient+funds&response_code=202").outcome == "declined"


def test_error_and_auth_failed() -> None:
    r = parse_response("response=3&responsetext=Authentication Failed&authcode=&transactionid=0&avsresponse="
                       "&cvvresponse=&orderid=&type=sale&response_code=300")
    assert r.outcome == "error" and r.auth_failed
    r = parse_response("response=3&responsetext=Invalid+Credit+Card+Number+REFID%3A3152&response_code=300")
    assert r.outcome == "error" and not r.auth_failed
    assert r.message == "Invalid Credit Card Number REFID:3152"


@pytest.mark.parametrize("code", ["420", "421"])
def test_communication_errors_are_unknown(code: str) -> None:
    r = parse_response(f"response=3&responsetext=Communication+error&transactionid=77&response_code={code}")
    assert r.outcome == "unknown"
    r = parse_response(f"response=2&responsetext=Issuer+unavailable&response_code={code}")
    assert r.outcome == "unknown"


def test_duplicate_transaction_rejection_is_flagged_not_processed() -> None:
    """The gateway's duplicate check refused the request: nothing was processed for it (issue 13, item 3);
    the engine looks the order id up once before telling the user."""
    r = parse_response("response=3&responsetext=Duplicate+transaction+REFID%3A112233&transactionid=&orderid=o9"
                       "&type=sale&response_code=300")
    assert (r.outcome, r.duplicate, r.rate_limited) == ("error", True, False)
    assert r.order_id == "o9"
    assert parse_response("response=3&responsetext=Duplicate&response_code=430").duplicate
    assert not parse_response("response=1&responsetext=SUCCESS&response_code=100").duplicate


def test_unknown_response_code_never_crashes() -> None:
    assert parse_response("response=2&responsetext=Something+new&response_code=999").outcome == "declined"
    assert parse_response("response=3&responsetext=Other&response_code=xyz").outcome == "error"
    assert parse_response("response=1&responsetext=OK&response_code=").outcome == "approved"


@pytest.mark.parametrize("body", ["", "<html>502 Bad Gateway</html>", "response=7&responsetext=x", "\x00\xff",
                                  "responsetext=SUCCESS&transactionid=1", "%%%&&&==", "response="])
def test_garbage_is_unknown(body: str) -> None:
    r = parse_response(body)
    assert r.outcome == "unknown"
    assert r.message


def test_values_stay_strings_with_leading_zeros_and_blanks() -> None:
    r = parse_response("response=1&responsetext=&transactionid=0001234567890123456789&orderid=00042&authcode=")
    assert r.transaction_id == "0001234567890123456789" and r.order_id == "00042"
    assert r.message == "" and r.auth_code == ""


def test_vault_add_void_refund_answers() -> None:
    r = parse_response("response=1&responsetext=Customer+Added&authcode=&transactionid=&avsresponse=&cvvresponse="
                       "&orderid=&type=&response_code=100&customer_vault_id=1234567890")
    assert r.approved and r.customer_vault_id == "1234567890"
    r = parse_response("response=1&responsetext=Transaction+Void+Successful&authcode=123456&transactionid=5550001234"
                       "&avsresponse=&cvvresponse=&orderid=&type=void&response_code=100")
    assert r.approved and r.type == "void"
    r = parse_response("response=3&responsetext=Only+transactions+pending+settlement+can+be+voided"
                       "&transactionid=5550001234&type=void&response_code=300")
    assert r.outcome == "error"
    r = parse_response("response=1&responsetext=SUCCESS&transactionid=5550009999&type=refund&response_code=100")
    assert r.approved and r.transaction_id == "5550009999"


QUERY = """<?xml version="1.0" encoding="UTF-8"?>
<nm_response>
  <transaction>
    <transaction_id>5550001234</transaction_id>
    <partial_payment_id></partial_payment_id>
    <transaction_type>cc</transaction_type>
    <condition>complete</condition>
    <order_id>inv-42-7f3a</order_id>
    <authorization_code>A1B2C3</authorization_code>
    <first_name>Ada</first_name>
    <last_name>Lovelace</last_name>
    <cc_number>4xxxxxxxxxxx1111</cc_number>
    <cc_exp>1230</cc_exp>
    <currency>USD</currency>
    <avs_response>Y</avs_response>
    <csc_response>M</csc_response>
    <action>
      <amount>125.50</amount>
      <action_type>sale</action_type>
      <date>20261121093000</date>
      <success>1</success>
      <source>api</source>
      <response_text>SUCCESS</response_text>
      <batch_id>0</batch_id>
      <response_code>100</response_code>
    </action>
    <action>
      <amount>125.50</amount>
      <action_type>settle</action_type>
      <date>20261121230000</date>
      <success>1</success>
      <batch_id>771</batch_id>
      <response_code>100</response_code>
    </action>
  </transaction>
  <transaction>
    <transaction_id>5550001240</transaction_id>
    <transaction_type>ck</transaction_type>
    <condition>failed</condition>
    <order_id>inv-43-aaaa</order_id>
    <check_account>xxxxxx123</check_account>
    <action><amount>0.50</amount><action_type>sale</action_type><date>20261121093500</date>
      <success>0</success><response_text>FAILED</response_text><response_code>200</response_code></action>
  </transaction>
</nm_response>"""


def test_query_transactions_and_actions() -> None:
    txs = parse_query(QUERY)
    assert [t.transaction_id for t in txs] == ["5550001234", "5550001240"]
    t = txs[0]
    assert (t.order_id, t.condition, t.transaction_type, t.currency) == ("inv-42-7f3a", "complete", "cc", "USD")
    assert [a.action_type for a in t.actions] == ["sale", "settle"]
    sale = t.actions[0]
    assert (sale.amount, sale.success, sale.date, sale.response_code) == ("125.50", "1", "20261121093000", "100")
    assert t.has_action("settle") and not t.has_action("return")
    assert txs[1].condition == "failed" and not txs[1].has_action("sale")
    assert txs[1].has_action("sale", succeeded=False)


def test_query_empty_is_no_match() -> None:
    assert parse_query("<nm_response></nm_response>") == []
    assert parse_query('<?xml version="1.0"?>\n<nm_response/>') == []


@pytest.mark.parametrize("xml", [
    "<nm_response><error_response>Invalid Security Key</error_response></nm_response>",
    "<nm_response><error_response>Authentication Failed</error_response></nm_response>",
])
def test_query_error_raises(xml: str) -> None:
    with pytest.raises(NmiQueryError) as info:
        parse_query(xml)
    assert info.value.auth_failed


@pytest.mark.parametrize("xml", ["", "response=1", "<html><body>oops</body></html>", "<nm_response><transaction>"])
def test_query_garbage_raises_not_empty(xml: str) -> None:
    with pytest.raises(NmiQueryError):
        parse_query(xml)


def test_vault_report() -> None:
    xml = """<nm_response><customer_vault><customer id="abc123">
      <first_name>Ada</first_name><cc_number>4xxxxxxxxxxx1111</cc_number><cc_exp>1230</cc_exp>
      <customer_vault_id>abc123</customer_vault_id></customer></customer_vault></nm_response>"""
    [rec] = parse_vault_report(xml)
    assert rec.customer_vault_id == "abc123" and rec.fields["cc_number"] == "4xxxxxxxxxxx1111"
    assert parse_vault_report("<nm_response></nm_response>") == []


def test_secrets_hidden_in_repr() -> None:
    import httpx

    gw = NmiGateway(httpx.AsyncClient(), "https://gw.example", "sk_live_SECRET_1234567890")
    assert "SECRET" not in repr(gw)
    card = CardData("4111111111111111", "1230", "999")
    assert "4111" not in repr(card) and "999" not in repr(card)
    check = CheckData("Ada", "123123123", "24413815")
    assert "24413815" not in repr(check) and "123123123" not in repr(check)
    assert check.fields()["sec_code"] == "CCD"
    assert CheckData("Ada", "1", "2", holder_type="personal").fields()["sec_code"] == "PPD"

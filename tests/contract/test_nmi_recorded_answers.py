"""Answers recorded from the real NMI gateway, copied as data from NMI's documentation and from well-known client
libraries' fixtures, run through payapp/connectors/gateways/nmi.py's parsers. Each answer names its source.
Card numbers in them are masked or the documented test numbers."""

from __future__ import annotations

import pytest

from payapp.connectors.gateways.nmi import NmiQueryError, parse_query, parse_response, parse_vault_report

# activemerchant, test/unit/gateways/nmi_test.rb (recorded NMI answers):
# https://github.com/activemerchant/active_merchant/blob/master/test/unit/gateways/nmi_test.rb
AM = "activemerchant test/unit/gateways/nmi_test.rb"

TRANSACT = [
    # (source, body, outcome, transaction_id, response_code)
    (f"{AM} successful_purchase_response",
     "response=1&responsetext=SUCCESS&authcode=123456&transactionid=2762757839&avsresponse=N&cvvresponse=N"
     "&orderid=b6c1c57f709cfaa65a5cf5b8532ad181&type=&response_code=100", "approved", "2762757839", "100"),
    (f"{AM} failed_purchase_response",
     "response=2&responsetext=DECLINE&authcode=&transactionid=2762766725&avsresponse=N&cvvresponse=N"
     "&orderid=f4bd34a5a6089aa822d13352807bdf11&type=&response_code=200", "declined", "2762766725", "200"),
    (f"{AM} successful_echeck_purchase_response",
     "response=1&responsetext=SUCCESS&authcode=123456&transactionid=2762759808&avsresponse=&cvvresponse="
     "&orderid=6780868212a4bc8d3d6ffc52d4873587&type=&response_code=100", "approved", "2762759808", "100"),
    # a declined eCheck that still carries an authcode: only response=1 is an approval
    (f"{AM} failed_echeck_purchase_response",
     "response=2&responsetext=FAILED&authcode=123456&transactionid=2762783009&avsresponse=&cvvresponse="
     "&orderid=8070b75a09d75c3e84e1c17d44bbbf34&type=&response_code=200", "declined", "2762783009", "200"),
    # a transaction id that is a UUID, not a number
    (f"{AM} successful_3ds_purchase_response",
     "response=1&responsetext=SUCCESS&authcode=123456&transactionid=97267598-FAE6-48F2-8083-C23433990FBC"
     "&avsresponse=&cvvresponse=&orderid=b6c1c57f709cfaa65a5cf5b8532ad181&type=&response_code=100", "approved",
     "97267598-FAE6-48F2-8083-C23433990FBC", "100"),
    (f"{AM} successful_void_response",
     "response=1&responsetext=Transaction Void Successful&authcode=123456&transactionid=2762811592&avsresponse="
     "&cvvresponse=&orderid=33a327d76cfdb8e98946352607d80eb2&type=void&response_code=100", "approved", "2762811592",
     "100"),
    (f"{AM} failed_void_response",
     "response=3&responsetext=Only transactions pending settlement can be voided REFID:3161855545&authcode="
     "&transactionid=2762816924&avsresponse=&cvvresponse=&orderid=&type=void&response_code=300", "error",
     "2762816924", "300"),
    (f"{AM} successful_refund_response",
     "response=1&responsetext=SUCCESS&authcode=&transactionid=2762823772&avsresponse=&cvvresponse=&orderid="
     "&type=refund&response_code=100", "approved", "2762823772", "100"),
    (f"{AM} failed_refund_response",
     "response=3&responsetext=Invalid Transaction ID specified REFID:3161856100&authcode=&transactionid="
     "&avsresponse=&cvvresponse=&orderid=&type=refund&response_code=300", "error", "", "300"),
    (f"{AM} failed_credit_response",
     "response=3&responsetext=Invalid Credit Card Number REFID:3162207528&authcode=&transactionid=&avsresponse="
     "&cvvresponse=&orderid=f95e02a07bb77447c8b2001795540771&type=credit&response_code=300", "error", "", "300"),
    (f"{AM} successful_validate_response",
     "response=1&responsetext=SUCCESS&authcode=&transactionid=2762837000&avsresponse=N&cvvresponse=N&orderid="
     "&type=validate&response_code=100", "approved", "2762837000", "100"),
    # https://docs.nmi.dev/reference/rate-limiting (Example Response of the Payment API rate limit)
    ("docs.nmi.dev/reference/rate-limiting",
     "response=3&responsetext=Rate limit exceeded&authcode=&transactionid=&avsresponse=&cvvresponse=&orderid="
     "&type=&response_code=301", "error", "", "301"),
]


@pytest.mark.parametrize("source,body,outcome,transaction_id,code", TRANSACT, ids=[t[0] for t in TRANSACT])
def test_recorded_transact_answers(source: str, body: str, outcome: str, transaction_id: str, code: str) -> None:
    r = parse_response(body)
    assert (r.outcome, r.transaction_id, r.response_code) == (outcome, transaction_id, code), source
    assert r.approved == (outcome == "approved")
    assert not r.duplicate


def test_recorded_rate_limit_is_nothing_processed() -> None:
    # https://docs.nmi.dev/reference/rate-limiting: "If you receive a response_code of 301 ... do not immediately
    # retry"; nothing was processed
    r = parse_response("response=3&responsetext=Rate limit exceeded&authcode=&transactionid=&avsresponse="
                       "&cvvresponse=&orderid=&type=&response_code=301")
    assert r.rate_limited and r.outcome == "error" and r.message == "Rate limit exceeded"


def test_recorded_vault_answers() -> None:
    # activemerchant nmi_test.rb successful_store_response / successful_echeck_store_response / failed_store_response
    r = parse_response("response=1&responsetext=Customer Added&authcode=&transactionid=&avsresponse=&cvvresponse="
                       "&orderid=bc28d976f4eb7d379c0dffb5a21342ca&type=&response_code=100&customer_vault_id=256806849")
    assert r.approved and r.customer_vault_id == "256806849" and r.transaction_id == ""
    r = parse_response("response=1&responsetext=Customer Added&authcode=&transactionid=&avsresponse=&cvvresponse="
                       "&orderid=35b5500a13d23a7e9706fdf3518556b3&type=&response_code=100"
                       "&customer_vault_id=1910603011")
    assert r.approved and r.customer_vault_id == "1910603011"
    r = parse_response("response=3&responsetext=Invalid Credit Card Number REFID:3162210328&authcode="
                       "&transactionid=&avsresponse=&cvvresponse=&orderid=d5efdca79fdc2770fbe56feca8ed5ee6&type="
                       "&response_code=300")
    assert r.outcome == "error" and r.customer_vault_id == ""


def test_recorded_duplicate_rejection() -> None:
    # omnipay-mojopay tests/GatewayTest.php (an NMI white label), AuthorizeFailure mock: code 300 and text
    # "Duplicate transaction REFID:3188339697"; NMI support "Duplicate Transaction Error"
    # (https://support.nmi.com/hc/en-gb/articles/15002942676881): same amount and card/ACH data within 1200 s.
    r = parse_response("response=3&responsetext=Duplicate transaction REFID:3188339697&authcode=&transactionid="
                       "&avsresponse=&cvvresponse=&orderid=123&type=sale&response_code=300")
    assert r.duplicate and r.outcome == "error" and r.order_id == "123" and not r.rate_limited


# https://docs.nmi.com/reference/query-1 "Example Response: Query with no report_type" (abridged: the transaction's
# documented fields PayApp reads, with the empty address fields left out; the action children are the documented
# action fields of the same page)
QUERY_EXAMPLE = """<?xml version="1.0" encoding="UTF-8"?>
<nm_response>
    <transaction>
        <transaction_id>2612675976</transaction_id>
        <partial_payment_id></partial_payment_id>
        <partial_payment_balance></partial_payment_balance>
        <platform_id></platform_id>
        <transaction_type>cc</transaction_type>
        <condition>complete</condition>
        <order_id>1234567890</order_id>
        <authorization_code>123456</authorization_code>
        <ponumber></ponumber>
        <order_description></order_description>
        <first_name>John</first_name>
        <last_name>Smith</last_name>
        <address_1>123 Main St</address_1>
        <city>New York City</city>
        <state>NY</state>
        <postal_code>10001</postal_code>
        <country>US</country>
        <email>johnsmith@example.com</email>
        <customerid></customerid>
        <shipping>1.00</shipping>
        <cc_number>4xxxxxxxxxxx1111</cc_number>
        <cc_exp>1025</cc_exp>
        <currency>USD</currency>
        <avs_response>N</avs_response>
        <csc_response>M</csc_response>
        <action>
            <amount>1.00</amount>
            <action_type>sale</action_type>
            <date>20150312215205</date>
            <success>1</success>
            <ip_address>1.2.3.4</ip_address>
            <source>api</source>
            <api_method>sale</api_method>
            <username>demo</username>
            <response_text>SUCCESS</response_text>
            <batch_id>0</batch_id>
            <processor_batch_id></processor_batch_id>
            <response_code>100</response_code>
            <processor_response_text>APPROVED</processor_response_text>
            <processor_response_code>00</processor_response_code>
        </action>
        <action>
            <amount>1.00</amount>
            <action_type>settle</action_type>
            <date>20150312221505</date>
            <success>1</success>
            <source>api</source>
            <response_text>ACCEPTED</response_text>
            <batch_id>123456789</batch_id>
            <response_code>100</response_code>
        </action>
        <action>
            <amount>0.40</amount>
            <action_type>refund</action_type>
            <date>20150313101010</date>
            <success>1</success>
            <source>api</source>
            <response_text>SUCCESS</response_text>
            <batch_id>0</batch_id>
            <response_code>100</response_code>
        </action>
    </transaction>
</nm_response>"""


def test_documented_query_example() -> None:
    [t] = parse_query(QUERY_EXAMPLE)
    assert (t.transaction_id, t.order_id, t.condition, t.transaction_type) == ("2612675976", "1234567890",
                                                                               "complete", "cc")
    assert t.authorization_code == "123456" and t.currency == "USD" and t.customer_vault_id == ""
    assert [a.action_type for a in t.actions] == ["sale", "settle", "refund"]
    refund = t.actions[2]
    assert (refund.amount, refund.date, refund.succeeded) == ("0.40", "20150313101010", True)
    assert t.action("settle") is not None and t.has_action("refund")


def test_query_no_match_and_error() -> None:
    # docs.nmi.com/reference/query-1: no match is an empty nm_response; a bad request is <error_response>
    assert parse_query("<nm_response></nm_response>") == []
    assert parse_query('<?xml version="1.0" encoding="UTF-8"?>\n<nm_response>\n</nm_response>\n') == []
    with pytest.raises(NmiQueryError) as info:
        parse_query("<nm_response><error_response>Authentication Failed</error_response></nm_response>")
    assert info.value.auth_failed


def test_documented_vault_report() -> None:
    # docs.nmi.com/reference/query-1, report_type=customer_vault (abridged to the documented fields PayApp reads)
    xml = """<nm_response><customer_vault><customer id="1234567890">
        <first_name>John</first_name><last_name>Smith</last_name><cc_number>4xxxxxxxxxxx1111</cc_number>
        <cc_exp>1025</cc_exp><customer_vault_id>1234567890</customer_vault_id>
        </customer></customer_vault></nm_response>"""
    [rec] = parse_vault_report(xml)
    assert rec.customer_vault_id == "1234567890" and rec.fields["cc_number"] == "4xxxxxxxxxxx1111"

"""Recorded PayPal NVP answers through the PayPal adapter of the gateway port (connectors/gateways/paypal_adapter.py):
what the engine sees for a completed payment, a pending eCheck, a refund, a reversal and PayPal's refusals.

Sources (as in test_paypal_recorded.py): nov/paypal-express (the `paypal-express` Ruby gem),
spec/fake_response/<Method>/<case>.txt, answers recorded from PayPal's sandbox
(https://github.com/nov/paypal-express/tree/master/spec/fake_response); PayPal's error-code reference
(developer.paypal.com/api/nvp-soap/errors) for 10412 and 10486 with PayPal's own short and long messages. The
Reversed status and its REASONCODE=Chargeback are PayPal's values of PAYMENTSTATUS / REASONCODE in the
GetTransactionDetails reference; that answer is the recorded GetTransactionDetails with those two fields changed."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode

import httpx
import pytest

from payapp.connectors.gateways.paypal_adapter import PayPalAdapter
from payapp.domain.money import Money

# nov/paypal-express spec/fake_response/GetTransactionDetails/success.txt (item lines left out), with the INVNUM
# field GetTransactionDetails returns for a payment that was sent one (ours always is)
DETAILS_COMPLETED = (
    "RECEIVEREMAIL=test%40email%2ecom&RECEIVERID=ABCDEFG12345&EMAIL=test%40email%2ecom&PAYERID=12345ABCDEFG"
    "&PAYERSTATUS=verified&COUNTRYCODE=US&TIMESTAMP=2012%2d02%2d23T20%3a51%3a29Z&CORRELATIONID=4fc0a06cbaec7"
    "&ACK=Success&VERSION=78%2e0&BUILD=2571254&FIRSTNAME=Billy&LASTNAME=Bob&TRANSACTIONID=123456789ABCD"
    "&TRANSACTIONTYPE=cart&PAYMENTTYPE=instant&ORDERTIME=2012%2d02%2d13T23%3a09%3a46Z&AMT=740%2e43"
    "&FEEAMT=21%2e77&TAXAMT=0%2e00&CURRENCYCODE=USD&PAYMENTSTATUS=Completed&PENDINGREASON=None&REASONCODE=None"
    "&INVNUM=pa7-abc")
DETAILS_REVERSED = DETAILS_COMPLETED.replace("PAYMENTSTATUS=Completed", "PAYMENTSTATUS=Reversed").replace(
    "REASONCODE=None", "REASONCODE=Chargeback")
# nov/paypal-express spec/fake_response/DoExpressCheckoutPayment/success.txt
DO_COMPLETED = (
    "TOKEN=EC-9E2743126S4330617&SUCCESSPAGEREDIRECTREQUESTED=false&TIMESTAMP=2011-02-08T03:23:55Z"
    "&CORRELATIONID=15b93874c358c&ACK=Success&VERSION=66.0&BUILD=1721431&INSURANCEOPTIONSELECTED=false"
    "&SHIPPINGOPTIONISDEFAULT=false&PAYMENTINFO_0_TRANSACTIONID=8NC65222871997739"
    "&PAYMENTINFO_0_TRANSACTIONTYPE=expresscheckout&PAYMENTINFO_0_PAYMENTTYPE=instant"
    "&PAYMENTINFO_0_ORDERTIME=2011-02-08T03:23:54Z&PAYMENTINFO_0_AMT=14.00&PAYMENTINFO_0_FEEAMT=0.85"
    "&PAYMENTINFO_0_TAXAMT=0.00&PAYMENTINFO_0_CURRENCYCODE=USD&PAYMENTINFO_0_PAYMENTSTATUS=Completed"
    "&PAYMENTINFO_0_PENDINGREASON=None&PAYMENTINFO_0_REASONCODE=None&PAYMENTINFO_0_PROTECTIONELIGIBILITY=Ineligible"
    "&PAYMENTINFO_0_ERRORCODE=0&PAYMENTINFO_0_ACK=Success")
DO_PENDING = DO_COMPLETED.replace("PAYMENTTYPE=instant", "PAYMENTTYPE=echeck").replace(
    "PAYMENTSTATUS=Completed", "PAYMENTSTATUS=Pending").replace("PENDINGREASON=None", "PENDINGREASON=echeck")
# nov/paypal-express spec/fake_response/GetExpressCheckoutDetails/success.txt (shipping and item fields left out),
# with PAYMENTREQUEST_0_INVNUM as SetExpressCheckout sent it
CHECKOUT_DETAILS = (
    "TOKEN=EC-9E2743126S4330617&CHECKOUTSTATUS=PaymentActionNotInitiated&TIMESTAMP=2011-02-08T03:23:50Z"
    "&CORRELATIONID=12b44d8d03d10&ACK=Success&VERSION=66.0&BUILD=1721431&EMAIL=buyer_1297016147_per%40gmail.com"
    "&PAYERID=PRT3TZ6V28Y8C&PAYERSTATUS=verified&FIRSTNAME=Test&LASTNAME=User&COUNTRYCODE=US&CURRENCYCODE=USD"
    "&AMT=14.00&PAYMENTREQUEST_0_CURRENCYCODE=USD&PAYMENTREQUEST_0_AMT=14.00&PAYMENTREQUEST_0_INVNUM=pa7-abc")
# nov/paypal-express spec/fake_response/RefundTransaction/full.txt
REFUND_FULL = ("REFUNDTRANSACTIONID=6D456341FS516215S&FEEREFUNDAMT=0%2e50&GROSSREFUNDAMT=10%2e00"
               "&NETREFUNDAMT=9%2e50&CURRENCYCODE=USD&TOTALREFUNDEDAMOUNT=10%2e00"
               "&TIMESTAMP=2011%2d05%2d21T14%3a13%3a32Z&CORRELATIONID=862bfc523cca2&ACK=Success&VERSION=72%2e0"
               "&BUILD=1882144")


def _failure(code: str, short: str, long: str) -> str:
    return urlencode({"TIMESTAMP": "2011-02-08T07:15:19Z", "CORRELATIONID": "5dd0308345382", "ACK": "Failure",
                      "VERSION": "124.0", "BUILD": "1721431", "L_ERRORCODE0": code, "L_SHORTMESSAGE0": short,
                      "L_LONGMESSAGE0": long, "L_SEVERITYCODE0": "Error"})


DUPLICATE_INVOICE = _failure("10412", "Duplicate invoice", "Payment has already been made for this InvoiceID.")
FUNDING_DECLINED = _failure("10486", "This transaction couldn't be completed.",
                            "This transaction couldn't be completed. Please redirect your customer to PayPal.")


def _search(*rows: tuple[str, str, str, str]) -> str:
    fields = {"TIMESTAMP": "2016-01-04T06:50:34Z", "CORRELATIONID": "3dc2cae09eed1", "ACK": "Success",
              "VERSION": "88.0", "BUILD": "18308778"}
    for n, (tid, kind, status, amount) in enumerate(rows):
        fields.update({f"L_TIMESTAMP{n}": "2016-01-03T10:15:13Z", f"L_TIMEZONE{n}": "GMT", f"L_TYPE{n}": kind,
                       f"L_TRANSACTIONID{n}": tid, f"L_STATUS{n}": status, f"L_AMT{n}": amount,
                       f"L_CURRENCYCODE{n}": "USD"})
    return urlencode(fields)


Replies = dict[str, str | Callable[[dict[str, str]], str]]


def adapter(replies: Replies, seen: list[dict[str, str]] | None = None) -> PayPalAdapter:
    def handle(request: httpx.Request) -> httpx.Response:
        form = dict(parse_qsl(request.content.decode()))
        if seen is not None:
            seen.append(form)
        reply = replies[form["METHOD"]]
        return httpx.Response(200, text=reply(form) if callable(reply) else reply)

    client = httpx.AsyncClient(transport=httpx.MockTransport(handle))
    return PayPalAdapter(client, "https://api-3t.sandbox.paypal.com", "user_api1.example.com", "PW-rec",
                         "SIG-recorded", timeout=2)


async def test_completed_payment_is_a_settled_sale() -> None:
    gw = adapter({"TransactionSearch": _search(("123456789ABCD", "Payment", "Completed", "740.43")),
                  "GetTransactionDetails": DETAILS_COMPLETED})
    [tx] = await gw.find_order("pa7-abc")
    assert tx.transaction_id == "123456789ABCD" and tx.state == "settled" and tx.order_id == "pa7-abc"
    assert tx.action("sale") is not None and tx.action("settle") is not None and tx.action("return") is None


async def test_reversal_is_a_return_and_refund_rows_are_refunds() -> None:
    gw = adapter({"TransactionSearch": _search(("123456789ABCD", "Payment", "Reversed", "740.43"),
                                               ("9XY", "Refund", "Completed", "-40.43"),
                                               ("8ZZ", "Reversal", "Completed", "-700.00")),
                  "GetTransactionDetails": DETAILS_REVERSED})
    [tx] = await gw.find_transactions("123456789ABCD")
    ret, refund = tx.action("return"), tx.action("refund")
    assert ret is not None and ret.amount == "700.00"
    assert refund is not None and refund.amount == "40.43" and refund.at is not None


async def test_finish_completed_and_pending_echeck_are_approved() -> None:
    seen: list[dict[str, str]] = []
    gw = adapter({"GetExpressCheckoutDetails": CHECKOUT_DETAILS, "DoExpressCheckoutPayment": DO_COMPLETED}, seen)
    paid = await gw.finish_hosted(order_id="pa7-abc", amount=Money(14_00, "USD"),
                                  returned={"token": "EC-9E2743126S4330617", "PayerID": "PRT3TZ6V28Y8C"})
    assert paid.approved and paid.transaction_id == "8NC65222871997739"
    do = seen[-1]
    assert (do["PAYMENTREQUEST_0_INVNUM"], do["PAYERID"], do["PAYMENTREQUEST_0_AMT"]) == ("pa7-abc", "PRT3TZ6V28Y8C",
                                                                                         "14.00")
    pending = await adapter({"GetExpressCheckoutDetails": CHECKOUT_DETAILS, "DoExpressCheckoutPayment": DO_PENDING}
                            ).finish_hosted(order_id="pa7-abc", amount=Money(14_00, "USD"),
                                            returned={"token": "EC-9E2743126S4330617"})
    assert pending.approved and "echeck" in pending.message


async def test_a_token_of_another_attempt_is_never_paid() -> None:
    seen: list[dict[str, str]] = []
    gw = adapter({"GetExpressCheckoutDetails": CHECKOUT_DETAILS, "DoExpressCheckoutPayment": DO_COMPLETED}, seen)
    answer = await gw.finish_hosted(order_id="pa8-other", amount=Money(14_00, "USD"),
                                    returned={"token": "EC-9E2743126S4330617"})
    assert answer.outcome == "error" and not answer.sent
    assert [f["METHOD"] for f in seen] == ["GetExpressCheckoutDetails"]


async def test_duplicate_invoice_is_read_back_never_paid_again() -> None:
    seen: list[dict[str, str]] = []
    gw = adapter({"GetExpressCheckoutDetails": CHECKOUT_DETAILS, "DoExpressCheckoutPayment": DUPLICATE_INVOICE,
                  "TransactionSearch": _search(("123456789ABCD", "Payment", "Completed", "740.43")),
                  "GetTransactionDetails": DETAILS_COMPLETED}, seen)
    answer = await gw.finish_hosted(order_id="pa7-abc", amount=Money(14_00, "USD"),
                                    returned={"token": "EC-9E2743126S4330617"})
    assert answer.approved and answer.transaction_id == "123456789ABCD"
    assert [f["METHOD"] for f in seen].count("DoExpressCheckoutPayment") == 1


async def test_funding_declined_is_a_decline() -> None:
    gw = adapter({"GetExpressCheckoutDetails": CHECKOUT_DETAILS, "DoExpressCheckoutPayment": FUNDING_DECLINED})
    answer = await gw.finish_hosted(order_id="pa7-abc", amount=Money(14_00, "USD"),
                                    returned={"token": "EC-9E2743126S4330617"})
    assert answer.outcome == "declined" and answer.response_code == "10486"


@pytest.mark.parametrize("refunded_before", [False, True])
async def test_refund_of_the_rest_after_a_partial_is_sent_as_partial(refunded_before: bool) -> None:
    seen: list[dict[str, str]] = []
    rows = [("123456789ABCD", "Payment", "Completed", "740.43")]
    if refunded_before:
        rows.append(("9XY", "Refund", "Completed", "-40.43"))
    gw = adapter({"TransactionSearch": _search(*rows), "GetTransactionDetails": DETAILS_COMPLETED,
                  "RefundTransaction": REFUND_FULL}, seen)
    answer = await gw.refund("123456789ABCD", amount=None, method="paypal")
    assert answer.approved and answer.transaction_id == "6D456341FS516215S"
    sent = next(f for f in seen if f["METHOD"] == "RefundTransaction")
    if refunded_before:
        assert (sent["REFUNDTYPE"], sent["AMT"], sent["CURRENCYCODE"]) == ("Partial", "700.00", "USD")
    else:
        assert sent["REFUNDTYPE"] == "Full" and "AMT" not in sent

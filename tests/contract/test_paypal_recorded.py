"""Answers recorded from PayPal's classic NVP API, copied as data from a well-known client library's fixtures and
from PayPal's documentation, run through payapp/connectors/gateways/paypal.py's parser. Each answer names its source.

Sources:
- nov/paypal-express (the `paypal-express` Ruby gem), spec/fake_response/<Method>/<case>.txt: answers recorded from
  PayPal's sandbox, stored as the raw NVP body. https://github.com/nov/paypal-express/tree/master/spec/fake_response
- developer.paypal.com/api/nvp-soap/errors (the error-code reference) and the archived "Recover from 10486 Error Code"
  page (developer.paypal.com/docs/archive/express-checkout/ht-ec-fundingfailure10486/), which give the code and the
  exact L_SHORTMESSAGE0 / L_LONGMESSAGE0 text; the NVP Developer Guide (April 2009), "SetExpressCheckout API Errors",
  for 10412 and 10413. For these the code and messages are PayPal's, the envelope (TIMESTAMP, CORRELATIONID, ...)
  follows the recorded answers above.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from payapp.connectors.gateways.paypal import (
    PayPalError,
    PayPalUnreadable,
    parse_nvp,
    read_details,
    read_payment,
    read_refund,
    read_search,
    read_transaction,
)
from payapp.domain.errors import PayAppError

NOV = "nov/paypal-express spec/fake_response"


def _envelope(ack: str, code: str, short: str, long: str, severity: str = "Error") -> str:
    return urlencode({"TIMESTAMP": "2011-02-08T07:15:19Z", "CORRELATIONID": "5dd0308345382", "ACK": ack,
                      "VERSION": "124.0", "BUILD": "1721431", "L_ERRORCODE0": code, "L_SHORTMESSAGE0": short,
                      "L_LONGMESSAGE0": long, "L_SEVERITYCODE0": severity})


# ------------------------------------------------------------------------------------ successes

def test_set_express_checkout_success() -> None:
    # nov/paypal-express spec/fake_response/SetExpressCheckout/success.txt
    body = ("ACK=Success&BUILD=1721431&CORRELATIONID=5549ea3a78af1&TIMESTAMP=2011-02-02T02%3A02%3A18Z"
            "&TOKEN=EC-5YJ90598G69065317&VERSION=66.0")
    answer = parse_nvp(body.encode())
    assert answer.ack == "Success" and answer.get("TOKEN") == "EC-5YJ90598G69065317"
    assert answer.correlation_id == "5549ea3a78af1" and answer.warnings == ()


def test_get_express_checkout_details_success() -> None:
    # nov/paypal-express spec/fake_response/GetExpressCheckoutDetails/success.txt (first fields; the item lines
    # L_PAYMENTREQUEST_0_* are left out, they change nothing here)
    body = ("TOKEN=EC%2d7HG122968U843864S&CHECKOUTSTATUS=PaymentActionNotInitiated"
            "&TIMESTAMP=2011%2d04%2d12T03%3a51%3a58Z"
            "&CORRELATIONID=6a0a92ea79ac3&ACK=Success&VERSION=69%2e0&BUILD=1824201"
            "&EMAIL=buyer_1297999636_per%40cerego%2ecom&PAYERID=9RWDTMRKKHQ8S&PAYERSTATUS=verified&FIRSTNAME=Test"
            "&LASTNAME=User&COUNTRYCODE=US&CURRENCYCODE=JPY&AMT=10&ITEMAMT=10&SHIPPINGAMT=0&HANDLINGAMT=0&TAXAMT=0"
            "&DESC=Instant%20Payment%20Request&PAYMENTREQUEST_0_CURRENCYCODE=JPY&PAYMENTREQUEST_0_AMT=10"
            "&PAYMENTREQUEST_0_ITEMAMT=10&PAYMENTREQUESTINFO_0_ERRORCODE=0")
    details = read_details(parse_nvp(body.encode()))
    assert details.payer_id == "9RWDTMRKKHQ8S" and details.approved and not details.paid
    assert (details.amount, details.currency) == ("10", "JPY")
    assert details.checkout_status == "PaymentActionNotInitiated"
    assert details.email == "buyer_1297999636_per@cerego.com"


def test_do_express_checkout_payment_completed() -> None:
    # nov/paypal-express spec/fake_response/DoExpressCheckoutPayment/success.txt
    body = ("TOKEN=EC-9E2743126S4330617&SUCCESSPAGEREDIRECTREQUESTED=false&TIMESTAMP=2011-02-08T03:23:55Z"
            "&CORRELATIONID=15b93874c358c&ACK=Success&VERSION=66.0&BUILD=1721431&INSURANCEOPTIONSELECTED=false"
            "&SHIPPINGOPTIONISDEFAULT=false&PAYMENTINFO_0_TRANSACTIONID=8NC65222871997739"
            "&PAYMENTINFO_0_TRANSACTIONTYPE=expresscheckout&PAYMENTINFO_0_PAYMENTTYPE=instant"
            "&PAYMENTINFO_0_ORDERTIME=2011-02-08T03:23:54Z&PAYMENTINFO_0_AMT=14.00&PAYMENTINFO_0_FEEAMT=0.85"
            "&PAYMENTINFO_0_TAXAMT=0.00&PAYMENTINFO_0_CURRENCYCODE=USD&PAYMENTINFO_0_PAYMENTSTATUS=Completed"
            "&PAYMENTINFO_0_PENDINGREASON=None&PAYMENTINFO_0_REASONCODE=None"
            "&PAYMENTINFO_0_PROTECTIONELIGIBILITY=Ineligible&PAYMENTINFO_0_PROTECTIONELIGIBILITYTYPE=None"
            "&PAYMENTINFO_0_ERRORCODE=0&PAYMENTINFO_0_ACK=Success")
    payment = read_payment(parse_nvp(body.encode()), invnum="pay-1")
    assert payment.transaction_id == "8NC65222871997739" and payment.completed and not payment.pending
    assert (payment.amount, payment.currency, payment.fee) == ("14.00", "USD", "0.85")
    assert payment.pending_reason == ""                 # "None" means no reason
    assert payment.invnum == "pay-1" and payment.money_taken


def test_do_express_checkout_payment_pending_echeck() -> None:
    # The same recorded answer with the payment made by eCheck: PAYMENTTYPE echeck, PAYMENTSTATUS Pending,
    # PENDINGREASON echeck ("The payment is pending because it was made by an eCheck that has not yet cleared",
    # PayPal's PendingReason values in the DoExpressCheckoutPayment reference).
    body = ("TOKEN=EC-9E2743126S4330617&TIMESTAMP=2011-02-08T03:23:55Z&CORRELATIONID=15b93874c358c&ACK=Success"
            "&VERSION=66.0&BUILD=1721431&PAYMENTINFO_0_TRANSACTIONID=8NC65222871997739"
            "&PAYMENTINFO_0_TRANSACTIONTYPE=expresscheckout&PAYMENTINFO_0_PAYMENTTYPE=echeck"
            "&PAYMENTINFO_0_AMT=14.00&PAYMENTINFO_0_CURRENCYCODE=USD&PAYMENTINFO_0_PAYMENTSTATUS=Pending"
            "&PAYMENTINFO_0_PENDINGREASON=echeck&PAYMENTINFO_0_REASONCODE=None&PAYMENTINFO_0_ERRORCODE=0"
            "&PAYMENTINFO_0_ACK=Success")
    payment = read_payment(parse_nvp(body.encode()))
    assert payment.pending and not payment.completed and payment.money_taken
    assert (payment.pending_reason, payment.payment_type) == ("echeck", "echeck")


def test_refund_transaction_full() -> None:
    # nov/paypal-express spec/fake_response/RefundTransaction/full.txt
    body = ("REFUNDTRANSACTIONID=6D456341FS516215S&FEEREFUNDAMT=0%2e50&GROSSREFUNDAMT=10%2e00&NETREFUNDAMT=9%2e50"
            "&CURRENCYCODE=USD&TOTALREFUNDEDAMOUNT=10%2e00&TIMESTAMP=2011%2d05%2d21T14%3a13%3a32Z"
            "&CORRELATIONID=862bfc523cca2&ACK=Success&VERSION=72%2e0&BUILD=1882144")
    refund = read_refund(parse_nvp(body.encode()))
    assert refund.refund_transaction_id == "6D456341FS516215S"
    assert (refund.gross, refund.fee_refunded, refund.total_refunded, refund.currency) == ("10.00", "0.50", "10.00",
                                                                                           "USD")


def test_get_transaction_details_success() -> None:
    # nov/paypal-express spec/fake_response/GetTransactionDetails/success.txt (item lines left out)
    body = ("RECEIVEREMAIL=test%40email%2ecom&RECEIVERID=ABCDEFG12345&EMAIL=test%40email%2ecom&PAYERID=12345ABCDEFG"
            "&PAYERSTATUS=verified&COUNTRYCODE=US&ADDRESSOWNER=PayPal&ADDRESSSTATUS=Confirmed&SALESTAX=0%2e00"
            "&SUBJECT=Test%20Subject&TIMESTAMP=2012%2d02%2d23T20%3a51%3a29Z&CORRELATIONID=4fc0a06cbaec7&ACK=Success"
            "&VERSION=78%2e0&BUILD=2571254&FIRSTNAME=Billy&LASTNAME=Bob&TRANSACTIONID=123456789ABCD"
            "&TRANSACTIONTYPE=cart&PAYMENTTYPE=instant&ORDERTIME=2012%2d02%2d13T23%3a09%3a46Z&AMT=740%2e43"
            "&FEEAMT=21%2e77&TAXAMT=0%2e00&SHIPPINGAMT=0%2e00&HANDLINGAMT=0%2e00&CURRENCYCODE=USD"
            "&PAYMENTSTATUS=Completed&PENDINGREASON=None&REASONCODE=None&PROTECTIONELIGIBILITY=Eligible")
    tx = read_transaction(parse_nvp(body.encode()))
    assert (tx.transaction_id, tx.amount, tx.currency) == ("123456789ABCD", "740.43", "USD")
    assert tx.completed and tx.pending_reason == "" and tx.fee == "21.77"


def test_transaction_search_success_with_warning() -> None:
    # nov/paypal-express spec/fake_response/TransactionSearch/success.txt, stored there as the parsed name/value
    # pairs; rows 0 and 1 and the envelope encoded back to NVP. ACK=SuccessWithWarning with 11002 "Search warning"
    # (results truncated): a success whose warning is kept.
    body = urlencode({
        "L_TIMESTAMP0": "2016-01-03T10:15:13Z", "L_TIMESTAMP1": "2016-01-03T10:15:09Z",
        "L_TIMEZONE0": "GMT", "L_TIMEZONE1": "GMT", "L_TYPE0": "Recurring Payment", "L_TYPE1": "Recurring Payment",
        "L_EMAIL0": "user2@piktochart.com", "L_EMAIL1": "user1@piktochart.com",
        "L_NAME0": "Piktochart Japan", "L_NAME1": "US Piktochart",
        "L_TRANSACTIONID0": "84T06064NW172943W", "L_TRANSACTIONID1": "3KG63204EF8748527",
        "L_STATUS0": "Completed", "L_STATUS1": "Completed", "L_AMT0": "100.00", "L_AMT1": "3.00",
        "L_CURRENCYCODE0": "USD", "L_CURRENCYCODE1": "MYR", "L_FEEAMT0": "-4.20", "L_FEEAMT1": "-2.12",
        "L_NETAMT0": "95.80", "L_NETAMT1": "0.88", "TIMESTAMP": "2016-01-04T06:50:34Z",
        "CORRELATIONID": "3dc2cae09eed1", "ACK": "SuccessWithWarning", "VERSION": "88.0", "BUILD": "18308778",
        "L_ERRORCODE0": "11002", "L_SHORTMESSAGE0": "Search warning",
        "L_LONGMESSAGE0": "The number of results were truncated. Please change your search parameters if you wish to "
                          "see all your results.", "L_SEVERITYCODE0": "Warning"})
    answer = parse_nvp(body.encode())
    assert answer.ack == "SuccessWithWarning"
    [warning] = answer.warnings
    assert (warning.code, warning.short_message, warning.severity) == ("11002", "Search warning", "Warning")
    hits = read_search(answer)
    assert [h.transaction_id for h in hits] == ["84T06064NW172943W", "3KG63204EF8748527"]
    assert hits[0].is_payment and (hits[0].status, hits[0].amount, hits[1].currency) == ("Completed", "100.00", "MYR")


def test_success_with_warning_10413_still_paid() -> None:
    # developer.paypal.com/api/nvp-soap/troubleshooting/10413: "Error code 10413 may return an Ack of
    # SuccessWithWarning. This means the payment has been completed" — a warning never hides the payment.
    body = _envelope("SuccessWithWarning", "10413", "Transaction refused because of an invalid argument. See "
                     "additional error messages for details.", "The totals of the cart item amounts do not match "
                     "order amounts.", "Warning") + ("&PAYMENTINFO_0_TRANSACTIONID=8NC65222871997739"
                                                     "&PAYMENTINFO_0_PAYMENTSTATUS=Completed&PAYMENTINFO_0_AMT=14.00")
    payment = read_payment(parse_nvp(body))
    assert payment.completed and payment.warnings[0].code == "10413"


# ------------------------------------------------------------------------------------ failures

FAILURES = [
    # (source, body, code, long message, flag)
    (f"{NOV}/SetExpressCheckout/failure.txt",
     "TIMESTAMP=2011%2d02%2d02T02%3a16%3a50Z&CORRELATIONID=379d1b7f97afb&ACK=Failure&L_ERRORCODE0=10001"
     "&L_SHORTMESSAGE0=Internal%20Error&L_LONGMESSAGE0=Timeout%20processing%20request",
     "10001", "Timeout processing request", ""),
    (f"{NOV}/DoExpressCheckoutPayment/failure.txt",
     "TIMESTAMP=2011%2d02%2d08T07%3a15%3a19Z&CORRELATIONID=5dd0308345382&ACK=Failure&VERSION=66%2e0&BUILD=1721431"
     "&L_ERRORCODE0=10410&L_SHORTMESSAGE0=Invalid%20token&L_LONGMESSAGE0=Invalid%20token%2e&L_SEVERITYCODE0=Error",
     "10410", "Invalid token.", ""),
    (f"{NOV}/GetExpressCheckoutDetails/failure.txt (first fields)",
     "TOKEN=EC%2d9E2743126S4330617&CHECKOUTSTATUS=PaymentActionCompleted&TIMESTAMP=2011%2d02%2d08T07%3a10%3a26Z"
     "&CORRELATIONID=8f5fddf13ed10&ACK=Failure&VERSION=66%2e0&BUILD=1721431&L_ERRORCODE0=10411"
     "&L_SHORTMESSAGE0=This%20Express%20Checkout%20session%20has%20expired%2e&L_LONGMESSAGE0=This%20Express%20"
     "Checkout%20session%20has%20expired%2e%20%20Token%20value%20is%20no%20longer%20valid%2e&L_SEVERITYCODE0=Error",
     "10411", "This Express Checkout session has expired.  Token value is no longer valid.", ""),
    (f"{NOV}/GetTransactionDetails/failure.txt",
     "ADDRESSOWNER=PayPal&ADDRESSSTATUS=None&TIMESTAMP=2012%2d02%2d23T21%3a07%3a22Z&CORRELATIONID=4e18d75a23953"
     "&ACK=Failure&VERSION=78%2e0&BUILD=2571254&L_ERRORCODE0=10004&L_SHORTMESSAGE0=Transaction%20refused%20because"
     "%20of%20an%20invalid%20argument%2e%20See%20additional%20error%20messages%20for%20details%2e"
     "&L_LONGMESSAGE0=The%20transaction%20id%20is%20not%20valid&L_SEVERITYCODE0=Error&PENDINGREASON=None",
     "10004", "The transaction id is not valid", ""),
    ("developer.paypal.com/api/nvp-soap/errors 10002 (wrong API credentials)",
     _envelope("Failure", "10002", "Security error", "Security header is not valid"),
     "10002", "Security header is not valid", "auth_failed"),
    ("NVP Developer Guide 2009, SetExpressCheckout API Errors, 10412",
     _envelope("Failure", "10412", "Duplicate invoice", "Payment has already been made for this InvoiceID."),
     "10412", "Payment has already been made for this InvoiceID.", "duplicate_invoice"),
    ("NVP Developer Guide 2009, SetExpressCheckout API Errors, 10413",
     _envelope("Failure", "10413", "Transaction refused because of an invalid argument. See additional error "
               "messages for details.", "The totals of the cart item amounts do not match order amounts."),
     "10413", "The totals of the cart item amounts do not match order amounts.", ""),
    ("developer.paypal.com archive, Recover from 10486 Error Code",
     _envelope("Failure", "10486", "This transaction couldn't be completed.",
               "This transaction couldn't be completed. Please redirect your customer to PayPal."),
     "10486", "This transaction couldn't be completed. Please redirect your customer to PayPal.", "funding_declined"),
    ("developer.paypal.com/api/nvp-soap/errors 11607 (FailureWithWarning)",
     _envelope("FailureWithWarning", "11607", "Duplicate Request",
               "A successful transaction has already been completed for this token.", "Warning"),
     "11607", "A successful transaction has already been completed for this token.", "already_processed"),
]


@pytest.mark.parametrize("source,body,code,long_message,flag", FAILURES, ids=[f[0] for f in FAILURES])
def test_recorded_failures_become_typed_errors(source: str, body: str, code: str, long_message: str,
                                               flag: str) -> None:
    with pytest.raises(PayPalError) as info:
        parse_nvp(body.encode(), method="X")
    err = info.value
    assert isinstance(err, PayAppError)
    assert (err.code, err.long_message) == (code, long_message)
    assert code in err.user_message and long_message in err.user_message
    for name in ("auth_failed", "duplicate_invoice", "funding_declined", "already_processed"):
        assert getattr(err, name) is (name == flag), name


def test_several_errors_are_all_kept() -> None:
    body = (_envelope("Failure", "10002", "Security error", "Security header is not valid")
            + "&L_ERRORCODE1=10412&L_SHORTMESSAGE1=Duplicate%20invoice&L_LONGMESSAGE1=x&L_SEVERITYCODE1=Error")
    with pytest.raises(PayPalError) as info:
        parse_nvp(body)
    assert [e.code for e in info.value.errors] == ["10002", "10412"]
    assert info.value.code == "10002" and info.value.duplicate_invoice


@pytest.mark.parametrize("body", [
    b"", b"<html><body>502 Proxy Error</body></html>", b"ACK=Maybe", b"\xff\xfe\x00garbage", b"TOKEN=EC-1",
    b"ACK=success",                    # PayPal's values are case-exact
])
def test_bodies_that_are_not_answers_are_unreadable(body: bytes) -> None:
    with pytest.raises(PayPalUnreadable):
        parse_nvp(body)


def test_success_without_the_ids_is_unreadable_not_a_value() -> None:
    with pytest.raises(PayPalUnreadable):
        read_payment(parse_nvp("ACK=Success&PAYMENTINFO_0_PAYMENTSTATUS=Completed"))
    with pytest.raises(PayPalUnreadable):
        read_refund(parse_nvp("ACK=Success"))


# ------------------------------------------------------------------------------------ totality


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_parser_is_total_on_bytes(body: bytes) -> None:
    try:
        answer = parse_nvp(body)
    except PayAppError:
        return
    assert answer.ack in {"Success", "SuccessWithWarning"}


_names = st.sampled_from(["ACK", "TOKEN", "L_ERRORCODE0", "L_SHORTMESSAGE0", "L_LONGMESSAGE0", "L_ERRORCODE1",
                          "PAYMENTINFO_0_TRANSACTIONID", "PAYMENTINFO_0_PAYMENTSTATUS", "L_TRANSACTIONID0",
                          "L_AMT0", "REFUNDTRANSACTIONID", "TRANSACTIONID", "PAYERID"]) | st.text(max_size=12)
_values = st.sampled_from(["Success", "SuccessWithWarning", "Failure", "FailureWithWarning", "", "None", "-1.00",
                           "Pending"]) | st.text(max_size=20)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_names, _values, max_size=8))
def test_parser_and_readers_are_total_on_nvp(pairs: dict[str, str]) -> None:
    try:
        answer = parse_nvp(urlencode(pairs).encode())
        read_details(answer)
        read_transaction(answer)
        read_search(answer)
        read_payment(answer)
        read_refund(answer)
    except PayAppError:
        pass

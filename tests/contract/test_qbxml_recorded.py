# ruff: noqa: E501  (recorded answers keep QuickBooks' one-line elements)
"""qbXML answers as QuickBooks Desktop writes them, through PayApp's parser (payapp.connectors.accounting.qbxml).

Sources of the recorded answers (shapes, attribute spellings, status messages):
- Intuit, QuickBooks Desktop SDK / qbXML On-Screen Reference (developer.intuit.com/app/developer/qbdesktop/docs/
  api-reference/qbdesktop): the `...Rs` elements with `requestID`, `statusCode`, `statusSeverity`,
  `statusMessage`, and the `CustomerRet` / `InvoiceRet` / `ReceivePaymentRet` / `CreditMemoRet` /
  `ARRefundCreditCardRet` / `TxnVoidRs` bodies.
- Intuit's qbXML status code list as QuickBooks prints the messages: 1 "A query request did not find a matching
  object in QuickBooks" (severity Info), 3100 "The name "…" of the list element is already in use." (Error),
  3200 "The provided edit sequence "…" is out-of-date." (Error), 3140 "There is an invalid reference to
  QuickBooks Customer "…" in the Invoice." (Error). The 3100 answer below is the one recorded in the
  consolibyte/quickbooks-php DevKit's parser example (an `ItemServiceAddRs`), re-typed for a customer.
"""

from __future__ import annotations

import contextlib
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from payapp.connectors.accounting import qbxml
from payapp.connectors.accounting.qbxml import QbXmlError, parse_response, parse_responses


def _recorded(responses: str) -> str:
    """A recorded answer: its `...Rs` elements in the envelope QuickBooks writes around them."""
    return f'<?xml version="1.0" ?>\n<QBXML>\n<QBXMLMsgsRs>\n{responses}</QBXMLMsgsRs>\n</QBXML>\n'


CUSTOMER_QUERY_OK = _recorded("""\
<CustomerQueryRs requestID="c-1" statusCode="0" statusSeverity="Info" statusMessage="Status OK">
<CustomerRet>
<ListID>80000001-1193844287</ListID>
<TimeCreated>2007-10-31T11:24:47-05:00</TimeCreated>
<TimeModified>2007-10-31T11:24:47-05:00</TimeModified>
<EditSequence>1193844287</EditSequence>
<Name>Abercrombie, Kristy</Name>
<FullName>Abercrombie, Kristy</FullName>
<IsActive>true</IsActive>
<Sublevel>0</Sublevel>
<Balance>0.00</Balance>
<TotalBalance>0.00</TotalBalance>
<JobStatus>None</JobStatus>
</CustomerRet>
</CustomerQueryRs>
""")

NO_MATCH = _recorded("""\
<InvoiceQueryRs requestID="i-1" statusCode="1" statusSeverity="Info" statusMessage="A query request did not find a matching object in QuickBooks" />
""")

NAME_IN_USE = _recorded("""\
<CustomerAddRs requestID="c-2" statusCode="3100" statusSeverity="Error" statusMessage="The name &quot;Acme Dental&quot; of the list element is already in use." />
""")

STALE = _recorded("""\
<InvoiceModRs requestID="m-1" statusCode="3200" statusSeverity="Error" statusMessage="The provided edit sequence &quot;1193844287&quot; is out-of-date." />
""")

INVALID_REFERENCE = _recorded("""\
<InvoiceAddRs requestID="i-2" statusCode="3140" statusSeverity="Error" statusMessage="There is an invalid reference to QuickBooks Customer &quot;80000099-1&quot; in the Invoice. QuickBooks error message: Invalid argument.  The specified record does not exist in the list." />
""")

INVOICE_ADD_OK = _recorded("""\
<InvoiceAddRs requestID="i-3" statusCode="0" statusSeverity="Info" statusMessage="Status OK">
<InvoiceRet>
<TxnID>1E9-1193846223</TxnID>
<TimeCreated>2007-10-31T11:57:03-05:00</TimeCreated>
<TimeModified>2007-10-31T11:57:03-05:00</TimeModified>
<EditSequence>1193846223</EditSequence>
<TxnNumber>51</TxnNumber>
<CustomerRef>
<ListID>80000001-1193844287</ListID>
<FullName>Abercrombie, Kristy</FullName>
</CustomerRef>
<ARAccountRef>
<ListID>40000-933270541</ListID>
<FullName>Accounts Receivable</FullName>
</ARAccountRef>
<TxnDate>2026-01-15</TxnDate>
<RefNumber>2026-000123</RefNumber>
<IsPending>false</IsPending>
<DueDate>2026-02-14</DueDate>
<Subtotal>125.00</Subtotal>
<SalesTaxPercentage>0.00</SalesTaxPercentage>
<SalesTaxTotal>0.00</SalesTaxTotal>
<AppliedAmount>0.00</AppliedAmount>
<BalanceRemaining>125.00</BalanceRemaining>
<Memo>Autotask invoice 2026-000123</Memo>
<IsPaid>false</IsPaid>
<InvoiceLineRet>
<TxnLineID>1EB-1193846223</TxnLineID>
<ItemRef><ListID>150000-933272656</ListID><FullName>Services</FullName></ItemRef>
<Desc>Managed services, January</Desc>
<Quantity>1</Quantity>
<Rate>125.00</Rate>
<Amount>125.00</Amount>
</InvoiceLineRet>
</InvoiceRet>
</InvoiceAddRs>
""")

RECEIVE_PAYMENT_ADD_OK = _recorded("""\
<ReceivePaymentAddRs requestID="p-1" statusCode="0" statusSeverity="Info" statusMessage="Status OK">
<ReceivePaymentRet>
<TxnID>1EF-1193846300</TxnID>
<TimeCreated>2007-10-31T11:58:20-05:00</TimeCreated>
<TimeModified>2007-10-31T11:58:20-05:00</TimeModified>
<EditSequence>1193846300</EditSequence>
<TxnNumber>52</TxnNumber>
<CustomerRef><ListID>80000001-1193844287</ListID><FullName>Abercrombie, Kristy</FullName></CustomerRef>
<ARAccountRef><ListID>40000-933270541</ListID><FullName>Accounts Receivable</FullName></ARAccountRef>
<TxnDate>2026-01-20</TxnDate>
<RefNumber>pa7-3f2a9c1b0d4e5f60</RefNumber>
<TotalAmount>125.00</TotalAmount>
<Memo>PayApp pa7-3f2a9c1b0d4e5f6071829a3b</Memo>
<DepositToAccountRef><ListID>20000-933270541</ListID><FullName>Undeposited Funds</FullName></DepositToAccountRef>
<UnusedPayment>0.00</UnusedPayment>
<UnusedCredits>0.00</UnusedCredits>
<AppliedToTxnRet>
<TxnID>1E9-1193846223</TxnID>
<TxnType>Invoice</TxnType>
<TxnDate>2026-01-15</TxnDate>
<RefNumber>2026-000123</RefNumber>
<BalanceRemaining>0.00</BalanceRemaining>
<Amount>125.00</Amount>
</AppliedToTxnRet>
</ReceivePaymentRet>
</ReceivePaymentAddRs>
""")

VOIDED_PAYMENT_QUERY = _recorded("""\
<ReceivePaymentQueryRs requestID="v-1" statusCode="0" statusSeverity="Info" statusMessage="Status OK">
<ReceivePaymentRet>
<TxnID>1EF-1193846300</TxnID>
<EditSequence>1193846400</EditSequence>
<CustomerRef><ListID>80000001-1193844287</ListID><FullName>Abercrombie, Kristy</FullName></CustomerRef>
<TxnDate>2026-01-20</TxnDate>
<RefNumber>pa7-3f2a9c1b0d4e5f60</RefNumber>
<TotalAmount>0.00</TotalAmount>
<Memo>VOID: PayApp pa7-3f2a9c1b0d4e5f6071829a3b</Memo>
</ReceivePaymentRet>
</ReceivePaymentQueryRs>
""")

TXN_VOID_OK = _recorded("""\
<TxnVoidRs requestID="v-2" statusCode="0" statusSeverity="Info" statusMessage="Status OK">
<TxnVoidType>ReceivePayment</TxnVoidType>
<TxnID>1EF-1193846300</TxnID>
</TxnVoidRs>
""")

REFUND_ADD_OK = _recorded("""\
<ARRefundCreditCardAddRs requestID="r-2" statusCode="0" statusSeverity="Info" statusMessage="Status OK">
<ARRefundCreditCardRet>
<TxnID>201-1193846500</TxnID>
<EditSequence>1193846500</EditSequence>
<CustomerRef><ListID>80000001-1193844287</ListID><FullName>Abercrombie, Kristy</FullName></CustomerRef>
<RefundFromAccountRef><ListID>20000-933270541</ListID><FullName>Undeposited Funds</FullName></RefundFromAccountRef>
<TxnDate>2026-01-25</TxnDate>
<RefNumber>R7-1</RefNumber>
<TotalAmount>25.00</TotalAmount>
<Memo>PayApp refund of pa7-3f2a9c1b0d4e5f6071829a3b</Memo>
<RefundAppliedToTxnRet>
<TxnID>1FF-1193846480</TxnID>
<TxnType>CreditMemo</TxnType>
<RefNumber>R7-1</RefNumber>
<CreditRemaining>0.00</CreditRemaining>
<RefundAmount>25.00</RefundAmount>
</RefundAppliedToTxnRet>
</ARRefundCreditCardRet>
</ARRefundCreditCardAddRs>
""")


def test_customer_query_ok() -> None:
    rs = parse_response(CUSTOMER_QUERY_OK, request_type="CustomerQuery", request_id="c-1")
    assert rs.ok and not rs.is_error and rs.severity == "Info"
    (customer,) = rs.records
    assert customer.kind == "CustomerRet"
    assert customer.list_id == "80000001-1193844287" and customer.name == "Abercrombie, Kristy"
    assert customer.edit_sequence == "1193844287" and customer.is_active


def test_status_1_is_no_match_not_an_error() -> None:
    rs = parse_response(NO_MATCH, request_type="InvoiceQuery", request_id="i-1")
    assert rs.status_code == qbxml.STATUS_NO_MATCH and rs.no_match and not rs.is_error
    assert rs.records == ()
    assert "did not find a matching object" in rs.message


def test_status_3100_name_in_use() -> None:
    rs = parse_response(NAME_IN_USE)
    assert rs.status_code == qbxml.STATUS_NAME_IN_USE and rs.is_error
    assert rs.message == 'The name "Acme Dental" of the list element is already in use.'


def test_status_3200_edit_sequence_out_of_date() -> None:
    rs = parse_response(STALE)
    assert rs.status_code == qbxml.STATUS_STALE and rs.is_error and rs.request_type == "InvoiceMod"
    assert "out-of-date" in rs.message


def test_an_unknown_status_is_an_error_with_its_message() -> None:
    rs = parse_response(INVALID_REFERENCE)
    assert rs.status_code == 3140 and rs.is_error
    described = rs.describe().english()
    assert "invalid reference" in described and "(status 3140)" in described
    odd = NO_MATCH.replace('statusCode="1" statusSeverity="Info"', 'statusCode="31999" statusSeverity="Error"')
    rs = parse_response(odd)
    assert rs.status_code == 31999 and rs.is_error


def test_invoice_add_ok_gives_txn_id_and_ref_number() -> None:
    rs = parse_response(INVOICE_ADD_OK, request_type="InvoiceAdd", request_id="i-3")
    (inv,) = rs.records
    assert inv.txn_id == "1E9-1193846223" and inv.ref_number == "2026-000123"
    assert inv.customer_list_id == "80000001-1193844287" and inv.amount == Decimal("125.00")


def test_receive_payment_add_and_a_voided_payment() -> None:
    (pay,) = parse_response(RECEIVE_PAYMENT_ADD_OK).records
    assert pay.txn_id == "1EF-1193846300" and pay.amount == Decimal("125.00")
    assert "pa7-3f2a9c1b0d4e5f6071829a3b" in pay.memo and not qbxml.is_voided(pay)
    (voided,) = parse_response(VOIDED_PAYMENT_QUERY).records
    assert qbxml.is_voided(voided)
    rs = parse_response(TXN_VOID_OK, request_type="TxnVoid")
    assert rs.ok and rs.records == ()


def test_refund_add_ok() -> None:
    (refund,) = parse_response(REFUND_ADD_OK, request_type="ARRefundCreditCardAdd").records
    assert refund.txn_id == "201-1193846500" and refund.amount == Decimal("25.00") and refund.ref_number == "R7-1"


def test_an_answer_to_another_request_is_refused() -> None:
    with pytest.raises(QbXmlError) as err:
        parse_response(CUSTOMER_QUERY_OK, request_type="CustomerQuery", request_id="c-9")
    assert err.value.kind == "mismatch"
    with pytest.raises(QbXmlError):
        parse_response(CUSTOMER_QUERY_OK, request_type="InvoiceQuery")


@pytest.mark.parametrize("text", [
    "", "   ", "not xml", "<QBXML>", "<html><body>502 Bad Gateway</body></html>", b"\xff\xfe",
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><QBXML/>', "<QBXML></QBXML>",
    "<QBXML><QBXMLMsgsRs><CustomerQueryRs/></QBXMLMsgsRs></QBXML>",
    '<QBXML><QBXMLMsgsRs><CustomerQueryRs statusCode="x"/></QBXMLMsgsRs></QBXML>',
    "<QBXML><QBXMLMsgsRs></QBXMLMsgsRs></QBXML>", None, 42,
])
def test_unreadable_answers_are_payapps_own_error(text: object) -> None:
    with pytest.raises(QbXmlError):
        parse_response(text)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300),
                 st.text(alphabet="<>/=\" QBXMLMsgsRsCustomerQueryRsstatusCode0123", max_size=200)))
def test_the_parser_is_total(text: object) -> None:
    with contextlib.suppress(QbXmlError):
        parse_responses(text)


def test_requests_are_well_formed_and_escaped() -> None:
    import datetime as dt
    import xml.etree.ElementTree as ET

    req = qbxml.customer_add("7", "O'Hara & Sons <Ltd>", "O'Hara & Sons <Ltd>")
    assert req.startswith('<?xml version="1.0" encoding="utf-8"?><?qbxml version="13.0"?>')
    root = ET.fromstring(req)
    assert root.find("QBXMLMsgsRq/CustomerAddRq/CustomerAdd/Name").text == "O'Hara & Sons <Ltd>"  # type: ignore
    pay = qbxml.receive_payment_add("8", qbxml.ReceivePaymentAdd(
        "80000001-1", "1E9-1", dt.date(2026, 1, 2), "pa1-0123456789abcdef0123", Decimal("12.5"), Decimal("12.5"),
        "PayApp pa1-0123456789abcdef0123"))
    node = ET.fromstring(pay).find("QBXMLMsgsRq/ReceivePaymentAddRq/ReceivePaymentAdd")
    assert node is not None
    assert [c.tag for c in node] == ["CustomerRef", "TxnDate", "RefNumber", "TotalAmount", "Memo", "AppliedToTxnAdd"]
    assert node.findtext("TotalAmount") == "12.50" and len(node.findtext("RefNumber") or "") == 20
    assert node.findtext("AppliedToTxnAdd/TxnID") == "1E9-1"
    void = ET.fromstring(qbxml.txn_void("9", "ReceivePayment", "1EF-1")).find("QBXMLMsgsRq/TxnVoidRq")
    assert void is not None and [c.tag for c in void] == ["TxnVoidType", "TxnID"] and void.get("requestID") == "9"

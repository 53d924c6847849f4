# ruff: noqa: E501  (recorded envelopes keep the Web Connector's long lines)
"""SOAP envelopes as Intuit's Web Connector sends them, through PayApp's QBWC SOAP layer (services/qbwc_soap.py).

Sources: the QBWC Programmer's Guide (Intuit, QuickBooks Web Connector, SOAP 1.1, namespace
http://developer.intuit.com/, method and parameter names), and a receiveResponseXML envelope recorded in the
consolibyte/quickbooks-php DevKit's XML parser example (`<hresult />` and `<message />` as empty elements, the
qbXML answer escaped inside `<response>`)."""

from __future__ import annotations

import contextlib
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from payapp.services.qbwc_soap import NS, SoapError, answer, parse_call

AUTHENTICATE = """<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body><authenticate xmlns="http://developer.intuit.com/"><strUserName>payapp</strUserName><strPassword>p&amp;ss&lt;word</strPassword></authenticate></soap:Body></soap:Envelope>"""

SEND_REQUEST = """<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body><sendRequestXML xmlns="http://developer.intuit.com/"><ticket>7fe1d3dccd44d65f2f3d85a077f1705f</ticket><strHCPResponse /><strCompanyFileName>C:\\Users\\Public\\Documents\\Intuit\\QuickBooks\\Company Files\\Demo.qbw</strCompanyFileName><qbXMLCountry>US</qbXMLCountry><qbXMLMajorVers>13</qbXMLMajorVers><qbXMLMinorVers>0</qbXMLMinorVers></sendRequestXML></soap:Body></soap:Envelope>"""

RECEIVE_RESPONSE = """<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body><receiveResponseXML xmlns="http://developer.intuit.com/"><ticket>7fe1d3dccd44d65f2f3d85a077f1705f</ticket><response>&lt;?xml version="1.0" ?&gt;
&lt;QBXML&gt;
&lt;QBXMLMsgsRs&gt;
&lt;ItemServiceAddRs requestID="SXRlbVNlcnZpY2VBZGR8c2hpcHBpbmc=" statusCode="3100" statusSeverity="Error" statusMessage="The name &amp;quot;Shipping Item - QuickBooks Inte&amp;quot; of the list element is already in use." /&gt;
&lt;/QBXMLMsgsRs&gt;
&lt;/QBXML&gt;
</response><hresult /><message /></receiveResponseXML></soap:Body></soap:Envelope>"""


def test_authenticate_envelope() -> None:
    method, params = parse_call(AUTHENTICATE.encode())
    assert method == "authenticate"
    assert params == {"strUserName": "payapp", "strPassword": "p&ss<word"}


def test_send_request_envelope_with_empty_elements() -> None:
    method, params = parse_call(SEND_REQUEST.encode())
    assert method == "sendRequestXML"
    assert params["ticket"] == "7fe1d3dccd44d65f2f3d85a077f1705f" and params["strHCPResponse"] == ""
    assert params["strCompanyFileName"].endswith("Demo.qbw") and params["qbXMLMajorVers"] == "13"


def test_receive_response_envelope_carries_the_qbxml_answer() -> None:
    from payapp.connectors.accounting.qbxml import parse_response

    method, params = parse_call(RECEIVE_RESPONSE.encode())
    assert method == "receiveResponseXML" and params["hresult"] == "" and params["message"] == ""
    rs = parse_response(params["response"])
    assert rs.status_code == 3100 and rs.request_type == "ItemServiceAdd"
    assert rs.message == 'The name "Shipping Item - QuickBooks Inte" of the list element is already in use.'


def test_answers_as_the_web_connector_reads_them() -> None:
    root = ET.fromstring(answer("authenticate", ("ticket-1", "none")))
    result = root.find(f".//{{{NS}}}authenticateResult")
    assert result is not None
    assert [s.text or "" for s in result.findall(f"{{{NS}}}string")] == ["ticket-1", "none"]
    root = ET.fromstring(answer("receiveResponseXML", 100))
    assert root.findtext(f".//{{{NS}}}receiveResponseXMLResult") == "100"
    root = ET.fromstring(answer("sendRequestXML", '<?xml version="1.0"?><QBXML/>'))
    assert root.findtext(f".//{{{NS}}}sendRequestXMLResult") == '<?xml version="1.0"?><QBXML/>'


@pytest.mark.parametrize("body", [
    b"", b"   ", b"not xml", b"<soap:Envelope", b"<Envelope/>", b"<x:Envelope xmlns:x='e'><x:Body/></x:Envelope>",
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><Envelope/>',
    AUTHENTICATE.replace("authenticate", "deleteCompanyFile").encode(), b"\xff\xfe\x00",
])
def test_envelopes_payapp_cannot_read_are_its_own_error(body: bytes) -> None:
    with pytest.raises(SoapError):
        parse_call(body)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_parse_call_is_total(body: bytes) -> None:
    with contextlib.suppress(SoapError):
        parse_call(body)

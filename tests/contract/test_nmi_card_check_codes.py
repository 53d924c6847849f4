"""Contract: every AVS and CVV result code the gateway documents is shown in plain words (issue #12.7).

Source: the NMI Payment API documentation, "AVS Response Codes" and "CVV Response Codes" tables
(https://secure.nmi.com/merchants/resources/integration/integration_portal.php), copied here as data: each
code with the table's own description. PayApp's words are its own; this test holds that none of the documented
codes falls through to "unknown result code"."""

from __future__ import annotations

import pytest

from payapp.domain.card_checks import AVS_WORDS, CVV_WORDS, avs_words, cvv_mismatch, cvv_words

# (code, the documentation's description)
DOCUMENTED_AVS = [
    ("X", "Exact match, 9-character numeric ZIP"), ("Y", "Exact match, 5-character numeric ZIP"),
    ("D", "Exact match, 5-character numeric ZIP"), ("M", "Exact match, 5-character numeric ZIP"),
    ("2", "Exact match, 5-character numeric ZIP, customer name"),
    ("6", "Exact match, 5-character numeric ZIP, customer name"),
    ("A", "Address match only"), ("B", "Address match only"), ("3", "Address, customer name match only"),
    ("7", "Address, customer name match only"), ("W", "9-character numeric ZIP match only"),
    ("Z", "5-character ZIP match only"), ("P", "5-character ZIP match only"), ("L", "5-character ZIP match only"),
    ("1", "5-character ZIP, customer name match only"), ("5", "5-character ZIP, customer name match only"),
    ("N", "No address or ZIP match only"), ("C", "No address or ZIP match only"),
    ("4", "No address or ZIP or customer name match only"), ("8", "No address or ZIP or customer name match only"),
    ("U", "Address unavailable"), ("G", "Non-U.S. issuer does not participate"),
    ("I", "Non-U.S. issuer does not participate"), ("R", "Issuer system unavailable"),
    ("E", "Not a mail/phone order"), ("S", "Service not supported"), ("0", "AVS not available"),
    ("O", "AVS not available"),
]
DOCUMENTED_CVV = [
    ("M", "CVV2/CVC2 match"), ("N", "CVV2/CVC2 no match"), ("P", "Not processed"),
    ("S", "Merchant has indicated that CVV2/CVC2 is not present on card"),
    ("U", "Issuer is not certified and/or has not provided Visa encryption keys"),
]


@pytest.mark.parametrize(("code", "documented"), DOCUMENTED_AVS)
def test_every_documented_avs_code_has_words(code: str, documented: str) -> None:
    assert code in AVS_WORDS, documented
    assert "unknown" not in avs_words(code)


@pytest.mark.parametrize(("code", "documented"), DOCUMENTED_CVV)
def test_every_documented_cvv_code_has_words(code: str, documented: str) -> None:
    assert code in CVV_WORDS, documented
    assert "unknown" not in cvv_words(code)
    assert cvv_mismatch(code) == (documented == "CVV2/CVC2 no match")


def test_a_recorded_answer_reads_as_words() -> None:
    # the documentation's own example of an answer carries empty AVS/CVV fields ("Rate Limits" example):
    # response=3&responsetext=Rate limit exceeded&authcode=&transactionid=&avsresponse=&cvvresponse=&...
    assert avs_words("") == "Address not checked." and cvv_words("") == "Security code (CVV) not checked."

"""AVS and CVV result codes of the NMI-protocol gateway in plain words.

The codes and their meanings follow the gateway's published tables ("AVS Response Codes" and "CVV Response
Codes" of the NMI Payment API / Direct Post documentation,
https://secure.nmi.com/merchants/resources/integration/integration_portal.php#transaction_response_variables);
the wording here is PayApp's own, written for the person at the desk. Every input gives a value: an empty code
is "not checked", a code not in the table is shown as such.
"""

from __future__ import annotations

#: avsresponse: does the billing street address and ZIP/postal code match the card issuer's records?
AVS_WORDS: dict[str, str] = {
    "X": "Street address and 9-digit ZIP code match.",
    "Y": "Street address and 5-digit ZIP code match.",
    "D": "Street address and postal code match.",
    "M": "Street address and postal code match.",
    "A": "Street address matches; ZIP code does not.",
    "B": "Street address matches; postal code not checked.",
    "W": "9-digit ZIP code matches; street address does not.",
    "Z": "5-digit ZIP code matches; street address does not.",
    "P": "Postal code matches; street address not checked.",
    "L": "5-digit ZIP code matches; street address does not.",
    "N": "Neither street address nor ZIP code matches.",
    "C": "Neither street address nor ZIP code matches.",
    "U": "Address information is not available from the card issuer.",
    "G": "The card issuer (outside the U.S.) does not check addresses.",
    "I": "The card issuer (outside the U.S.) does not check addresses.",
    "R": "The card issuer's system was unavailable; try again to check the address.",
    "E": "Address check not allowed for this kind of transaction.",
    "S": "The card issuer does not support address checks.",
    "0": "Address check not available.",
    "O": "Address check not available.",
    # with the cardholder's name (American Express)
    "2": "Street address, ZIP code and cardholder name match.",
    "6": "Street address, ZIP code and cardholder name match.",
    "3": "Street address and cardholder name match; ZIP code does not.",
    "7": "Street address and cardholder name match; ZIP code does not.",
    "1": "ZIP code and cardholder name match; street address does not.",
    "5": "ZIP code and cardholder name match; street address does not.",
    "4": "Neither street address, ZIP code nor cardholder name matches.",
    "8": "Neither street address, ZIP code nor cardholder name matches.",
}

#: cvvresponse: does the card security code match?
CVV_WORDS: dict[str, str] = {
    "M": "Security code (CVV) matches.",
    "N": "Security code (CVV) does not match.",
    "P": "Security code (CVV) not checked.",
    "S": "The security code (CVV) should be on the card, but was not given as present.",
    "U": "The card issuer does not check security codes (CVV).",
}

AVS_NOT_CHECKED = "Address not checked."
CVV_NOT_CHECKED = "Security code (CVV) not checked."
AVS_UNKNOWN = "Address check: unknown result code %1."
CVV_UNKNOWN = "Security code check: unknown result code %1."
#: The CVV codes that mean "the security code given does not match the card".
CVV_MISMATCH = frozenset({"N"})


def _code(value: object) -> str:
    return value.strip().upper()[:2] if isinstance(value, str) else ""


def avs_words(code: object) -> str:
    """Plain words for an AVS result code ("N" → "Neither street address nor ZIP code matches.")."""
    c = _code(code)
    if not c:
        return AVS_NOT_CHECKED
    return AVS_WORDS.get(c, AVS_UNKNOWN.replace("%1", c if c.isalnum() and c.isascii() else "?"))


def cvv_words(code: object) -> str:
    """Plain words for a CVV result code ("N" → "Security code (CVV) does not match.")."""
    c = _code(code)
    if not c:
        return CVV_NOT_CHECKED
    return CVV_WORDS.get(c, CVV_UNKNOWN.replace("%1", c if c.isalnum() and c.isascii() else "?"))


def cvv_mismatch(code: object) -> bool:
    return _code(code) in CVV_MISMATCH

"""AVS and CVV result codes of the NMI-protocol gateway in plain words.

The codes and their meanings follow the gateway's published tables ("AVS Response Codes" and "CVV Response
Codes" of the NMI Payment API / Direct Post documentation,
https://secure.nmi.com/merchants/resources/integration/integration_portal.php#transaction_response_variables);
the wording here is PayApp's own, written for the person at the desk. Every input gives a value: an empty code
is "not checked", a code not in the table is shown as such.
"""

from __future__ import annotations

from payapp.domain.messages import Message, msg

#: avsresponse: does the billing street address and ZIP/postal code match the card issuer's records? (code → message
#: id in payapp/domain/message_catalogue.py)
AVS_WORDS: dict[str, str] = {
    "X": "avs.street_and_zip9",
    "Y": "avs.street_and_zip5",
    "D": "avs.street_and_postal",
    "M": "avs.street_and_postal",
    "A": "avs.street_not_zip",
    "B": "avs.street_postal_unchecked",
    "W": "avs.zip9_not_street",
    "Z": "avs.zip5_not_street",
    "P": "avs.postal_street_unchecked",
    "L": "avs.zip5_not_street",
    "N": "avs.no_match",
    "C": "avs.no_match",
    "U": "avs.no_information",
    "G": "avs.issuer_abroad",
    "I": "avs.issuer_abroad",
    "R": "avs.issuer_unavailable",
    "E": "avs.not_allowed",
    "S": "avs.not_supported",
    "0": "avs.not_available",
    "O": "avs.not_available",
    # with the cardholder's name (American Express)
    "2": "avs.name_street_zip",
    "6": "avs.name_street_zip",
    "3": "avs.name_street_not_zip",
    "7": "avs.name_street_not_zip",
    "1": "avs.name_zip_not_street",
    "5": "avs.name_zip_not_street",
    "4": "avs.name_no_match",
    "8": "avs.name_no_match",
}

#: cvvresponse: does the card security code match? (code → message id)
CVV_WORDS: dict[str, str] = {
    "M": "cvv.match",
    "N": "cvv.no_match",
    "P": "cvv.not_checked",
    "S": "cvv.not_present",
    "U": "cvv.issuer_does_not_check",
}

#: The CVV codes that mean "the security code given does not match the card".
CVV_MISMATCH = frozenset({"N"})


def _code(value: object) -> str:
    return value.strip().upper()[:2] if isinstance(value, str) else ""


def _shown(code: str) -> str:
    """An unknown code as it may be shown (letters and digits; anything else could be markup or noise)."""
    return code if code.isalnum() and code.isascii() else "?"


def avs_message(code: object) -> Message:
    """An AVS result code as a message ("N" → "Neither street address nor ZIP code matches.")."""
    c = _code(code)
    if not c:
        return msg("avs.not_checked")
    known = AVS_WORDS.get(c)
    return msg(known) if known else msg("avs.unknown_code", code=_shown(c))


def cvv_message(code: object) -> Message:
    """A CVV result code as a message ("N" → "Security code (CVV) does not match.")."""
    c = _code(code)
    if not c:
        return msg("cvv.not_checked")
    known = CVV_WORDS.get(c)
    return msg(known) if known else msg("cvv.unknown_code", code=_shown(c))


def avs_words(code: object) -> str:
    """Plain English words for an AVS result code (logs, tests); the UI renders avs_message in its language."""
    return avs_message(code).english()


def cvv_words(code: object) -> str:
    """Plain English words for a CVV result code (logs, tests); the UI renders cvv_message in its language."""
    return cvv_message(code).english()


def cvv_mismatch(code: object) -> bool:
    return _code(code) in CVV_MISMATCH

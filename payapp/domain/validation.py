"""Checks on what a person types: a card or a bank account (python-stdnum does the maths), postal codes, web
addresses and free search text."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from payapp.domain.errors import ValidationError
from payapp.domain.messages import msg

# Issuer prefixes (IIN ranges) as published by the card networks.
_BRANDS: tuple[tuple[str, re.Pattern[str], tuple[int, ...]], ...] = (
    ("Amex", re.compile(r"^3[47]"), (15,)),
    ("Diners", re.compile(r"^3(0[0-5]|[68])"), (14, 16, 19)),
    ("JCB", re.compile(r"^35(2[89]|[3-8])"), (16, 17, 18, 19)),
    ("Discover", re.compile(r"^(6011|65|64[4-9]|622)"), (16, 19)),
    ("Mastercard", re.compile(r"^(5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720))"), (16,)),
    ("Visa", re.compile(r"^4"), (13, 16, 19)),
)


def clean_digits(text: str) -> str:
    """Remove spaces and dashes people type; anything else stays so it can be refused."""
    return re.sub(r"[\s-]", "", text) if isinstance(text, str) else ""


def is_ascii_digits(text: str) -> bool:
    """Only 0-9: str.isdigit() also passes "٩٩٩", "𝟗𝟗𝟗" and "²", which no gateway or bank reads as digits."""
    return isinstance(text, str) and bool(text) and text.isascii() and text.isdigit()


def card_brand(number: str) -> str:
    digits = clean_digits(number)
    for name, pattern, _lengths in _BRANDS:
        if pattern.match(digits):
            return name
    return ""


def check_card_number(text: str) -> str:
    digits = clean_digits(text)
    if not digits:
        raise ValidationError(msg("card.number_missing"), field="card_number")
    if not is_ascii_digits(digits):
        raise ValidationError(msg("card.number_digits_only"), field="card_number")
    brand = card_brand(digits)
    lengths = next((lens for name, _p, lens in _BRANDS if name == brand), (12, 13, 14, 15, 16, 17, 18, 19))
    if len(digits) not in lengths:
        raise ValidationError(msg("card.number_length"), field="card_number")
    from stdnum import luhn  # here, not at import: stdnum takes 20 ms to import and search filters need none of it

    if not luhn.is_valid(digits):
        raise ValidationError(msg("card.number_invalid"), field="card_number")
    return digits


@dataclass(frozen=True)
class Expiry:
    month: int
    year: int  # four digits

    def mmyy(self) -> str:
        return f"{self.month:02d}{self.year % 100:02d}"

    def display(self) -> str:
        return f"{self.month:02d}/{self.year % 100:02d}"


def check_expiry(text: str, today: dt.date | None = None) -> Expiry:
    today = today or dt.date.today()
    m = re.fullmatch(r"\s*([0-9]{1,2})\s*/?\s*([0-9]{2}|[0-9]{4})\s*", text) if isinstance(text, str) else None
    if not m:
        raise ValidationError(msg("card.expiry_format"), field="expiry")
    month, year = int(m.group(1)), int(m.group(2))
    if year < 100:
        year += 2000
    if not 1 <= month <= 12:
        raise ValidationError(msg("card.expiry_month"), field="expiry")
    if (year, month) < (today.year, today.month):
        raise ValidationError(msg("card.expired"), field="expiry")
    if year > today.year + 20:
        raise ValidationError(msg("card.expiry_too_far"), field="expiry")
    return Expiry(month, year)


def check_cvv(text: str, brand: str) -> str:
    cvv = text.strip() if isinstance(text, str) else ""
    want = 4 if brand == "Amex" else 3
    if not is_ascii_digits(cvv) or len(cvv) != want:
        raise ValidationError(msg("card.cvv_digits", digits=want), field="cvv")
    return cvv


def check_routing_number(text: str) -> str:
    digits = clean_digits(text)
    if len(digits) != 9 or not is_ascii_digits(digits):
        raise ValidationError(msg("bank.routing_digits"), field="routing_number")
    from stdnum.us import rtn

    if not rtn.is_valid(digits):
        raise ValidationError(msg("bank.routing_invalid"), field="routing_number")
    return digits


def check_account_number(text: str) -> str:
    digits = clean_digits(text)
    if not is_ascii_digits(digits) or not 4 <= len(digits) <= 17:
        raise ValidationError(msg("bank.account_digits"), field="account_number")
    return digits


def last_four(number: str) -> str:
    return clean_digits(number)[-4:]


_US_ZIP = re.compile(r"[0-9]{5}(?:-?[0-9]{4})?")
_CA_POSTAL = re.compile(r"[A-Za-z][0-9][A-Za-z] ?[0-9][A-Za-z][0-9]")


def check_postal_code(text: str, country: str = "US", *, field: str = "zip") -> str:
    """A US ZIP code (12345 or 12345-6789) or a Canadian postal code (K1A 0B1), as the gateway's AVS check
    reads it; ASCII digits only."""
    code = text.strip() if isinstance(text, str) else ""
    if country == "CA":
        if not code:
            raise ValidationError(msg("address.postal_code_missing"), field=field)
        if not code.isascii() or not _CA_POSTAL.fullmatch(code):
            raise ValidationError(msg("address.canadian_postal_code"), field=field)
        return code.upper()
    if not code:
        raise ValidationError(msg("address.zip_missing"), field=field)
    if not code.isascii() or not _US_ZIP.fullmatch(code):
        raise ValidationError(msg("address.zip_format"), field=field)
    return code


def check_last_four(text: str) -> str:
    """The "last four" search filter: empty, or four ASCII digits."""
    digits = clean_digits(text)
    if digits and (len(digits) != 4 or not is_ascii_digits(digits)):
        raise ValidationError(msg("search.last_four"), field="last_four")
    return digits



def split_web_address(text: str) -> SplitResult | None:
    """A typed web address split into its parts, or None when it cannot be one: an unclosed IPv6 bracket
    ("http://[::1"), a port that is not 0-65535 in ASCII digits ("https://host:٨٠"), no host, a space or a
    control character. urlsplit raises ValueError on the first two; this never raises."""
    if not isinstance(text, str) or any(c.isspace() or ord(c) < 32 for c in text.strip()):
        return None
    try:
        parts = urlsplit(text.strip())
        parts.port                                    # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts


def clean_typed_text(text: str) -> str:
    """Free text typed or pasted into a search field, fit for a database parameter: control characters (NUL,
    which PostgreSQL refuses in text) are dropped, line breaks and tabs become spaces, and lone surrogates (which
    no database can encode as UTF-8) are dropped."""
    if not isinstance(text, str):
        return ""
    if text.isprintable():
        return text
    kept = []
    for c in text:
        if c.isspace():
            kept.append(" ")
        elif unicodedata.category(c) not in ("Cc", "Cs"):
            kept.append(c)
    return "".join(kept)


def check_key_text(text: str, *, field: str = "") -> str:
    """A key, secret or client id pasted from a provider's page: printable ASCII without spaces (providers issue
    nothing else; a non-breaking or zero-width space copied along would fail later in an HTTP header)."""
    key = text.strip() if isinstance(text, str) else ""
    if not key.isascii() or not key.isprintable() or " " in key:
        raise ValidationError(msg("key.characters"), field=field)
    return key

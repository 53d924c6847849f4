"""Money as integer minor units plus an ISO 4217 code. Decimal only at the edges."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel.numbers import (
    format_decimal,
    get_decimal_symbol,
    get_group_symbol,
)

from payapp.domain.errors import ValidationError
from payapp.domain.messages import msg

# the writing of amounts lives in money_format (which messages.py uses and which raises nothing); importers of
# money keep finding it here
from payapp.domain.money_format import babel_locale as babel_locale
from payapp.domain.money_format import format_money as format_money
from payapp.domain.money_format import minor_digits as minor_digits


@dataclass(frozen=True, order=True)
class Money:
    minor: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.minor, int) or isinstance(self.minor, bool):
            raise TypeError("Money.minor must be an int (minor units)")
        if len(self.currency) != 3 or not self.currency.isalpha() or not self.currency.isupper():
            raise ValueError(f"not an ISO 4217 code: {self.currency!r}")

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def from_decimal(cls, value: Decimal, currency: str) -> Money:
        """Exact conversion; refuses amounts finer than the currency's minor unit."""
        digits = minor_digits(currency)
        scaled = value.scaleb(digits)
        if scaled != scaled.to_integral_value():
            raise ValidationError(msg("amount.currency_decimal_places", currency=currency, digits=digits))
        return cls(int(scaled), currency)

    def to_decimal(self) -> Decimal:
        return Decimal(self.minor).scaleb(-minor_digits(self.currency))

    def wire(self) -> str:
        """Plain dot-decimal string as gateways and APIs want it ("12.50")."""
        digits = minor_digits(self.currency)
        return f"{self.to_decimal():.{digits}f}"

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"currency mismatch: {self.currency} vs {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def is_positive(self) -> bool:
        return self.minor > 0

    def format(self, locale: str = "en_US") -> str:
        return format_money(self.minor, self.currency, locale)


def format_amount_input(minor: int, currency: str, locale: str = "en_US") -> str:
    """An amount as a person would type it in `locale`, without symbol or grouping ("1234.56", "1234,56"),
    so that `parse_amount` with the same locale reads it back exactly."""
    sign = _input_decimal_sign(currency, locale)
    if sign is None:
        return _babel_amount_input(minor, currency, locale)
    digits = minor_digits(currency)
    whole, part = divmod(abs(minor), 10 ** digits)
    text = f"{whole}{sign}{part:0{digits}d}" if digits else str(whole)
    return f"-{text}" if minor < 0 else text


def _babel_amount_input(minor: int, currency: str, locale: str) -> str:
    digits = minor_digits(currency)
    value = Decimal(minor).scaleb(-digits)
    pattern = "0." + "0" * digits if digits else "0"
    return str(format_decimal(value, format=pattern, locale=babel_locale(locale), group_separator=False))


@lru_cache(maxsize=256)
def _input_decimal_sign(currency: str, locale: str) -> str | None:
    """The decimal sign `format_amount_input` writes in `locale`, when plain digits, that sign and "-" write
    amounts exactly as Babel does (checked on a few); else None: Babel writes each (a portal page writes several,
    and Babel's pattern engine is ~20 times slower)."""
    try:
        sample = _babel_amount_input(123, currency, locale)
        sign = next((ch for ch in sample if not ch.isdigit()), "")
        if minor_digits(currency) and not sign:
            return None
        for minor in (0, 7, 123, 100_000_00, -1, -123_456):
            digits = minor_digits(currency)
            whole, part = divmod(abs(minor), 10 ** digits)
            text = f"{whole}{sign}{part:0{digits}d}" if digits else str(whole)
            if (f"-{text}" if minor < 0 else text) != _babel_amount_input(minor, currency, locale):
                return None
    except (ValueError, LookupError):
        return None
    return sign


# The gateway's largest amount. NMI's Direct Post documentation gives the format (x.xx) but publishes no maximum;
# an NMI integration saw ten million hang while one million went through (NewSpring/Holtzman issue #404), so
# PayApp takes at most 9,999,999.99 (in major units of any currency) and refuses more next to the field.
MAX_AMOUNT = Decimal("9999999.99")
_MAX_WHOLE_DIGITS = 7
_SIGNS = ("$", "€", "£")
_SPACE = re.compile(r"\s")
_AMOUNT_CHARS = re.compile(r"[+-]?[0-9.,'’]*")          # ASCII digits only: "٩٩" and "𝟗𝟗" are no amount


def _amount_pattern(decimal: str, groups: str) -> re.Pattern[str]:
    """Digits with optional grouping (1 to 3 digits, then groups of exactly three) and a decimal part."""
    g, d = f"[{re.escape(groups)}]", re.escape(decimal)
    return re.compile(rf"(?P<sign>[+-]?)(?P<whole>[0-9]+|[0-9]{{1,3}}(?:{g}[0-9]{{3}})+|)(?:{d}(?P<frac>[0-9]*))?")


@lru_cache(maxsize=32)
def _amount_rules(locale: str) -> tuple[re.Pattern[str], str]:
    """(pattern, decimal mark) of `locale`. Where the decimal mark is a comma, a dot only groups thousands
    (1.000 = 1000,00); where it is a dot, a comma only groups thousands."""
    decimal = get_decimal_symbol(locale)
    group = get_group_symbol(locale)
    if decimal not in ".,":
        decimal = "."
    groups = {"," if decimal == "." else "."}
    if group not in (decimal, "") and not _SPACE.fullmatch(group):
        groups.add(group)
    return _amount_pattern(decimal, "".join(sorted(groups))), decimal


def parse_amount(text: str, currency: str, locale: str = "en_US") -> Money:
    """Parse what a person typed ("1,234.5", "1.234,50", "$ 12") into Money, or raise ValidationError
    (never another exception): ASCII digits, the locale's marks, at most MAX_AMOUNT."""
    if not isinstance(text, str):
        raise ValidationError(msg("amount.not_an_amount"), field="amount")
    cleaned = text.strip()
    for sign in (*_SIGNS, currency):
        if sign:
            cleaned = cleaned.replace(sign, "")
    cleaned = _SPACE.sub("", cleaned)
    if not cleaned:
        raise ValidationError(msg("amount.enter"), field="amount")
    if not _AMOUNT_CHARS.fullmatch(cleaned):
        raise ValidationError(msg("amount.not_an_amount"), field="amount")
    pattern, decimal = _amount_rules(locale)
    match = pattern.fullmatch(cleaned)
    if match is None or not (match.group("whole") or match.group("frac")):
        if decimal == "," and "." in cleaned:
            raise ValidationError(msg("amount.cents_after_comma"), field="amount")
        if decimal == "." and "," in cleaned:
            raise ValidationError(msg("amount.cents_after_dot"), field="amount")
        raise ValidationError(msg("amount.not_an_amount"), field="amount")
    whole = re.sub(r"[^0-9]", "", match.group("whole")).lstrip("0") or "0"
    frac = match.group("frac") or ""
    digits = minor_digits(currency)
    if len(frac.rstrip("0")) > digits:
        raise ValidationError(msg("amount.decimal_places", digits=digits), field="amount")
    if len(whole) > _MAX_WHOLE_DIGITS or Decimal(f"{whole}.{frac or 0}") > MAX_AMOUNT:
        raise ValidationError(msg("amount.at_most", maximum=Money(max_minor(currency), currency)),
                              field="amount")
    value = Decimal(f"{match.group('sign')}{whole}.{frac or 0}")
    return Money(int(value.scaleb(digits)), currency)


def max_minor(currency: str) -> int:
    """MAX_AMOUNT in minor units of `currency`, cut to the currency's precision (9999999 for JPY)."""
    digits = minor_digits(currency)
    return int(MAX_AMOUNT.scaleb(digits).to_integral_value(rounding=ROUND_DOWN))


def decimal_to_minor(value: Decimal, currency: str) -> int:
    """Wire amounts (JSON numbers parsed as Decimal, "12.50") to minor units, rounding half up."""
    digits = minor_digits(currency)
    return int(value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP).scaleb(digits))

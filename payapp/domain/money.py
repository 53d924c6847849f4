"""Money as integer minor units plus an ISO 4217 code. Decimal only at the edges."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import format_currency, format_decimal, get_currency_precision, parse_decimal

from payapp.domain.errors import ValidationError


def minor_digits(currency: str) -> int:
    """Decimal places of a currency (USD 2, JPY 0, KWD 3)."""
    return int(get_currency_precision(currency.upper()))


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
            raise ValidationError(f"Amounts in {currency} have at most {digits} decimal places.")
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


def format_money(minor: int, currency: str, locale: str = "en_US") -> str:
    """Locale-aware display: $1,234.56 in en_US, 1.234,56 $ in de_DE."""
    value = Decimal(minor).scaleb(-minor_digits(currency))
    return str(format_currency(value, currency, locale=locale))


def format_amount_input(minor: int, currency: str, locale: str = "en_US") -> str:
    """An amount as a person would type it in `locale`, without symbol or grouping ("1234.56", "1234,56"),
    so that `parse_amount` with the same locale reads it back exactly."""
    digits = minor_digits(currency)
    value = Decimal(minor).scaleb(-digits)
    pattern = "0." + "0" * digits if digits else "0"
    return str(format_decimal(value, format=pattern, locale=locale, group_separator=False))


def parse_amount(text: str, currency: str, locale: str = "en_US") -> Money:
    """Parse what a person typed ("1,234.5", "1.234,50", "$ 12") into Money, or raise ValidationError."""
    cleaned = text.strip()
    for sign in ("$", "€", "£", currency):
        cleaned = cleaned.replace(sign, "")
    cleaned = cleaned.strip().replace("\u00a0", "").replace(" ", "")
    if not cleaned:
        raise ValidationError("Enter an amount.", field="amount")
    try:
        # strict: a separator in the wrong place ("0.50" or "12.5" in German, "0,50" in English) is not read as
        # grouping (that made 0.50 into 50.00); it falls through to the plain decimal reading below, or is refused.
        value = parse_decimal(cleaned, locale=locale, strict=True)
    except Exception:
        try:
            value = Decimal(cleaned)
        except InvalidOperation as exc:
            raise ValidationError("That is not an amount.", field="amount") from exc
    if not value.is_finite():
        raise ValidationError("That is not an amount.", field="amount")
    digits = minor_digits(currency)
    try:
        rounded = value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:         # more digits than Decimal holds (30 nines, "1e999")
        raise ValidationError("That is not an amount.", field="amount") from exc
    if value != rounded:
        raise ValidationError(f"Use at most {digits} decimal places.", field="amount")
    return Money.from_decimal(value, currency)


def decimal_to_minor(value: Decimal, currency: str) -> int:
    """Wire amounts (JSON numbers parsed as Decimal, "12.50") to minor units, rounding half up."""
    digits = minor_digits(currency)
    return int(value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP).scaleb(digits))

"""Writing amounts of money in a locale: pure formatting, no errors raised of PayApp's own, so that
payapp/domain/messages.py can write the money in a message without importing money.py (which raises
ValidationErrors whose messages messages.py makes: that was an import circle)."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.numbers import format_currency, get_currency_precision


def minor_digits(currency: str) -> int:
    """Decimal places of a currency (USD 2, JPY 0, KWD 3)."""
    return int(get_currency_precision(currency.upper()))


@lru_cache(maxsize=64)
def babel_locale(name: str) -> Locale:
    """Babel's Locale for a name ("de_DE"), parsed once: babel parses a name given as text on every call, a
    quarter of the cost of formatting an amount (a portal page formats a dozen)."""
    return Locale.parse(name)


def format_money(minor: int, currency: str, locale: str = "en_US") -> str:
    """Locale-aware display: $1,234.56 in en_US, 1.234,56 $ in de_DE."""
    shape = _shape(currency, locale)
    if shape is not None:
        return shape.write(minor)
    return _babel_money(minor, currency, locale)


def _babel_money(minor: int, currency: str, locale: str) -> str:
    value = Decimal(minor).scaleb(-minor_digits(currency))
    return str(format_currency(value, currency, locale=babel_locale(locale)))


class _MoneyShape:
    """How one locale writes one currency, learnt from Babel once: what stands before and after the digits (for
    amounts and for negative ones), the group and decimal signs. Writing with it is string formatting, ~50 times
    faster than Babel's pattern engine (a portal page writes a dozen amounts)."""

    def __init__(self, digits: int, before: str, after: str, neg_before: str, neg_after: str, group: str,
                 decimal: str) -> None:
        self.digits, self.group, self.decimal = digits, group, decimal
        self.before, self.after, self.neg_before, self.neg_after = before, after, neg_before, neg_after

    def write(self, minor: int) -> str:
        whole, part = divmod(abs(minor), 10 ** self.digits)
        number = f"{whole:,}".replace(",", self.group)
        if self.digits:
            number = f"{number}{self.decimal}{part:0{self.digits}d}"
        if minor < 0:
            return f"{self.neg_before}{number}{self.neg_after}"
        return f"{self.before}{number}{self.after}"


#: amounts a shape must write exactly as Babel does before it is used (else Babel writes every amount of that
#: currency in that locale: a grouping other than by thousands, say)
_PROBES = (0, 5, 99, 100, 123_456, 1_234_567_89, 123_456_789_012, -1, -1_234_567_89)


@lru_cache(maxsize=256)
def _shape(currency: str, locale: str) -> _MoneyShape | None:
    try:
        digits = minor_digits(currency)
        probe = 1_234_567 * 10 ** digits + (12 if digits >= 2 else 0)     # 1,234,567.12
        positive, negative = _babel_money(probe, currency, locale), _babel_money(-probe, currency, locale)
    except (ValueError, LookupError):
        return None
    first = next((i for i, ch in enumerate(positive) if ch.isdigit()), None)
    last = next((i for i in range(len(positive) - 1, -1, -1) if positive[i].isdigit()), None)
    neg_first = next((i for i, ch in enumerate(negative) if ch.isdigit()), None)
    neg_last = next((i for i in range(len(negative) - 1, -1, -1) if negative[i].isdigit()), None)
    if first is None or last is None or neg_first is None or neg_last is None:
        return None
    number = positive[first:last + 1]
    signs = [ch for ch in number if not ch.isdigit()]
    if not signs:
        return None
    group = signs[0]
    decimal = signs[-1] if digits else ""
    shape = _MoneyShape(digits, positive[:first], positive[last + 1:], negative[:neg_first],
                        negative[neg_last + 1:], group, decimal)
    try:
        if any(shape.write(m) != _babel_money(m, currency, locale) for m in _PROBES):
            return None
    except (ValueError, LookupError):
        return None
    return shape

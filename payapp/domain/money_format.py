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
    value = Decimal(minor).scaleb(-minor_digits(currency))
    return str(format_currency(value, currency, locale=babel_locale(locale)))

"""The amount a payment form pre-fills must read back as the same amount in the user's locale."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payapp.domain.errors import ValidationError
from payapp.domain.money import format_amount_input, parse_amount


@pytest.mark.parametrize(("locale", "expected"), [("en_US", "1234.56"), ("de_DE", "1234,56")])
def test_prefilled_amount_has_the_locale_decimal_separator_and_no_grouping(locale: str, expected: str) -> None:
    assert format_amount_input(123456, "USD", locale) == expected


@given(minor=st.integers(min_value=0, max_value=10**11), locale=st.sampled_from(["en_US", "de_DE", "fr_FR"]))
def test_prefilled_amount_round_trips(minor: int, locale: str) -> None:
    text = format_amount_input(minor, "USD", locale)
    assert parse_amount(text, "USD", locale).minor == minor


@pytest.mark.parametrize(("text", "locale", "minor"), [
    ("0.50", "de_DE", 50), ("12.5", "de_DE", 1250), ("0,50", "de_DE", 50), ("1.234,56", "de_DE", 123456),
    ("1,234.56", "en_US", 123456), ("12.5", "en_US", 1250)])
def test_a_misplaced_group_separator_is_never_read_as_grouping(text: str, locale: str, minor: int) -> None:
    assert parse_amount(text, "USD", locale).minor == minor


def test_a_comma_decimal_in_english_is_refused_not_multiplied() -> None:
    with pytest.raises(ValidationError):
        parse_amount("0,50", "USD", "en_US")


@pytest.mark.parametrize("text", ["9" * 30, "9" * 30 + ".5", "1e999", "-1e999", "1e-999", "9" * 27 + ",99"])
@pytest.mark.parametrize("locale", ["en_US", "de_DE"])
def test_an_amount_too_large_to_hold_is_refused_not_a_decimal_error(text: str, locale: str) -> None:
    """bench/soak.py typed 30 nines into an amount field: decimal.InvalidOperation escaped from the parser."""
    with pytest.raises(ValidationError):
        parse_amount(text, "USD", locale)


@given(text=st.text(max_size=40), locale=st.sampled_from(["en_US", "de_DE"]))
def test_any_typed_text_gives_an_amount_or_a_validation_error(text: str, locale: str) -> None:
    with contextlib.suppress(ValidationError):
        parse_amount(text, "USD", locale)

"""The amount a payment form pre-fills must read back as the same amount in the user's locale."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payapp.domain.errors import ValidationError
from payapp.domain.money import MAX_AMOUNT, format_amount_input, max_minor, parse_amount


@pytest.mark.parametrize(("locale", "expected"), [("en_US", "1234.56"), ("de_DE", "1234,56")])
def test_prefilled_amount_has_the_locale_decimal_separator_and_no_grouping(locale: str, expected: str) -> None:
    assert format_amount_input(123456, "USD", locale) == expected


@given(minor=st.integers(min_value=0, max_value=999999999), locale=st.sampled_from(["en_US", "de_DE", "fr_FR"]))
def test_prefilled_amount_round_trips(minor: int, locale: str) -> None:
    text = format_amount_input(minor, "USD", locale)
    assert parse_amount(text, "USD", locale).minor == minor


@pytest.mark.parametrize(("text", "locale", "minor"), [
    ("0,50", "de_DE", 50), ("1.234,56", "de_DE", 123456), ("1.000", "de_DE", 100000), ("1.000.000", "de_DE", 100000000),
    ("1,234.56", "en_US", 123456), ("12.5", "en_US", 1250), ("1 234,5", "fr_FR", 123450), ("1.234,5", "fr_FR", 123450),
    ("1\u202f234,50", "fr_FR", 123450), ("1'234.50", "de_CH", 123450), ("$ 12", "en_US", 1200),
    ("12 €", "de_DE", 1200)])
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



@pytest.mark.parametrize("text", ["50.5", "0.50", "12.5", "1.00", "1.0000", "1234.567", "1.23.456", "12,345.6"])
def test_in_german_a_dot_only_groups_thousands_and_the_message_says_how_to_write_cents(text: str) -> None:
    """Issue #12.4: "50.5" was read as 50,50 while "1.000" was 1.000,00. A dot is a grouping mark followed by
    exactly three digits, nothing else."""
    with pytest.raises(ValidationError) as caught:
        parse_amount(text, "USD", "de_DE")
    assert caught.value.field == "amount"
    assert "comma (12,50)" in caught.value.user_message


@pytest.mark.parametrize("text", ["1e26", "$3e79", "9" * 27, "1E5", "NaN", "-Infinity", "sNaN", "0x10", "1_000",
                                  "\u0669\u0669\u0669", "\U0001d7d7\U0001d7d7", "\uff11\uff12", "1,2,3", "--5", "+-5",
                                  "5-", ".", ",", "1..2", "12.5.", "9" * 5000, "1" + "0" * 4400, "\x00", "١٢٫٥"])
@pytest.mark.parametrize("locale", ["en_US", "de_DE", "fr_FR"])
def test_odd_amounts_are_refused_with_a_message_never_an_exception(text: str, locale: str) -> None:
    """Issue #12.4: "1e26", "$3e79" and 27 nines raised decimal.InvalidOperation."""
    with pytest.raises(ValidationError) as caught:
        parse_amount(text, "USD", locale)
    assert caught.value.field == "amount" and caught.value.user_message


def test_amounts_are_bounded_by_the_gateway_maximum() -> None:
    assert parse_amount("9,999,999.99", "USD").minor == MAX_AMOUNT.scaleb(2)
    assert parse_amount("9999999", "JPY").minor == 9999999
    for text in ("10,000,000", "9999999.991", "10000000.00", "000000010000000"):
        with pytest.raises(ValidationError) as caught:
            parse_amount(text, "USD")
        assert caught.value.user_message in ("An amount can be at most $9,999,999.99.", "Use at most 2 decimal places.")
    assert max_minor("JPY") == 9999999 and max_minor("KWD") == 9999999990


@given(text=st.text(max_size=40), locale=st.sampled_from(["en_US", "de_DE", "fr_FR", "de_CH", "fr_CA"]),
       currency=st.sampled_from(["USD", "EUR", "JPY", "KWD"]))
def test_any_typed_text_gives_an_amount_or_a_validation_error(text: str, locale: str, currency: str) -> None:
    try:
        money = parse_amount(text, currency, locale)
    except ValidationError as exc:
        assert exc.user_message and exc.field == "amount"
    else:
        assert abs(money.minor) <= max_minor(currency)


@given(text=st.text(alphabet="0123456789.,'-+$€ \u00a0\u202fe", max_size=20),
       locale=st.sampled_from(["en_US", "de_DE", "fr_FR", "de_CH"]))
def test_any_mix_of_digits_and_marks_gives_an_amount_or_a_validation_error(text: str, locale: str) -> None:
    with contextlib.suppress(ValidationError):
        parse_amount(text, "USD", locale)

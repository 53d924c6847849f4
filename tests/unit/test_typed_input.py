"""Issue #12.4: every number a person types is ASCII digits or refused next to its field; every check of typed
input is total (a value or PayApp's ValidationError, never another exception)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payapp.domain import validation
from payapp.domain.errors import ValidationError

ARABIC_999 = "\u0669\u0669\u0669"                    # ٩٩٩
BOLD_999 = "\U0001d7d7\U0001d7d7\U0001d7d7"          # 𝟗𝟗𝟗
FULLWIDTH_9 = "\uff19"                              # ９
SUPERSCRIPT_2 = "\u00b2"                            # ², isdigit() but int() refuses it


def _arabic(digits: str) -> str:
    return "".join(chr(0x0660 + int(d)) for d in digits)


@pytest.mark.parametrize("cvv", [ARABIC_999, BOLD_999, FULLWIDTH_9 * 3, "99" + SUPERSCRIPT_2])
def test_a_cvv_of_non_ascii_digits_is_refused(cvv: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validation.check_cvv(cvv, "Visa")
    assert caught.value.field == "cvv"


@pytest.mark.parametrize("account", [_arabic("24413815"), BOLD_999 * 2, FULLWIDTH_9 * 8, "2441381" + SUPERSCRIPT_2])
def test_a_bank_account_number_of_non_ascii_digits_is_refused(account: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validation.check_account_number(account)
    assert caught.value.field == "account_number"


def test_routing_and_card_numbers_of_non_ascii_digits_are_refused() -> None:
    with pytest.raises(ValidationError):
        validation.check_routing_number(_arabic("021000021"))
    with pytest.raises(ValidationError):
        validation.check_card_number(_arabic("4111111111111111"))
    with pytest.raises(ValidationError):
        validation.check_expiry(_arabic("12") + "/" + _arabic("30"), dt.date(2026, 1, 1))


def test_ascii_numbers_still_pass() -> None:
    assert validation.check_cvv(" 999 ", "Visa") == "999"
    assert validation.check_account_number("2441 3815") == "24413815"
    assert validation.check_routing_number("021000021") == "021000021"
    assert validation.check_card_number("4111 1111 1111 1111") == "4111111111111111"
    assert validation.check_postal_code("78701") == "78701"
    assert validation.check_postal_code("78701-1234") == "78701-1234"
    assert validation.check_postal_code("k1a 0b1", "CA") == "K1A 0B1"
    assert validation.check_last_four("") == ""
    assert validation.check_last_four("1111") == "1111"


@pytest.mark.parametrize(("text", "country"), [
    ("", "US"), (_arabic("78701"), "US"), (BOLD_999 + "99", "US"), ("7870", "US"), ("787011", "US"), ("ABCDE", "US"),
    ("", "CA"), ("K1A " + _arabic("0") + "B1", "CA"), ("12345", "CA")])
def test_postal_codes_are_ascii_and_the_country_shape(text: str, country: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validation.check_postal_code(text, country)
    assert caught.value.user_message


@pytest.mark.parametrize("text", ["123", "12345", _arabic("1111"), FULLWIDTH_9 * 4, "11" + SUPERSCRIPT_2 + "1", "abcd"])
def test_the_last_four_filter_takes_four_ascii_digits(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validation.check_last_four(text)
    assert caught.value.field == "last_four"


def test_is_ascii_digits() -> None:
    assert validation.is_ascii_digits("0123456789")
    for text in ("", ARABIC_999, BOLD_999, SUPERSCRIPT_2, "12 3", "-1", "1.0"):
        assert not validation.is_ascii_digits(text)


CHECKS = {
    "card_number": validation.check_card_number,
    "expiry": lambda t: validation.check_expiry(t, dt.date(2026, 12, 3)),
    "cvv_visa": lambda t: validation.check_cvv(t, "Visa"),
    "cvv_amex": lambda t: validation.check_cvv(t, "Amex"),
    "routing": validation.check_routing_number,
    "account": validation.check_account_number,
    "zip_us": lambda t: validation.check_postal_code(t, "US"),
    "zip_ca": lambda t: validation.check_postal_code(t, "CA"),
    "last_four": validation.check_last_four,
    "brand": validation.card_brand,
    "last_four_of": validation.last_four,
    "key": validation.check_key_text,
    "web_address": validation.split_web_address,
    "search_text": validation.clean_typed_text,
}

# digits of every script, separators people type, and anything else
TYPED = st.one_of(st.text(max_size=30),
                  st.text(alphabet=st.characters(categories=("Nd", "No", "Zs", "Pd")), max_size=25),
                  st.text(alphabet="0123456789 -/.", max_size=25))


@given(name=st.sampled_from(sorted(CHECKS)), text=TYPED)
def test_every_check_of_typed_input_gives_a_value_or_a_validation_error(name: str, text: str) -> None:
    try:
        value = CHECKS[name](text)
    except ValidationError as exc:
        assert exc.user_message
        return
    if isinstance(value, str) and name not in ("brand", "last_four_of", "zip_ca", "key", "search_text"):
        assert value.isascii()                        # whatever passes is what the gateway reads as digits
        assert all(c.isdigit() or c == "-" for c in value)


@pytest.mark.parametrize("text", ["http://[::1", "https://[::1/api", "https://gw.example:99999", "https://gw.example:٨٠",
                                  "https://gw.example:http", "https://", "ftp://gw.example", "https://gw example",
                                  "https://gw.exa\nmple", "gw.example", ""])
def test_a_web_address_that_cannot_be_one_is_none_not_a_value_error(text: str) -> None:
    assert validation.split_web_address(text) is None


def test_web_addresses_split() -> None:
    parts = validation.split_web_address(" https://secure.nmi.com:443/api ")
    assert parts is not None and parts.hostname == "secure.nmi.com" and parts.port == 443
    assert validation.split_web_address("http://[::1]:8765") is not None


@pytest.mark.parametrize("text", ["http://[::1", "https://gw.example:٨٠", "https://gw.example:99999"])
def test_the_gateway_address_typed_in_admin_is_refused_with_a_message(text: str) -> None:
    """urlsplit raised ValueError ("Invalid IPv6 URL") out of the Admin › Payment Processing save."""
    from payapp.services.processing import _valid_url

    with pytest.raises(ValidationError) as caught:
        _valid_url(text)
    assert caught.value.field == "gateway.base_url"


@given(text=st.one_of(st.text(max_size=40), st.builds(lambda rest: "https://" + rest, st.text(max_size=30))))
def test_any_typed_gateway_address_gives_a_value_or_a_validation_error(text: str) -> None:
    from payapp.services.processing import _valid_url

    try:
        url = _valid_url(text)
    except ValidationError:
        return
    assert validation.split_web_address(url) is not None


def test_typed_search_text_is_fit_for_a_database_parameter() -> None:
    assert validation.clean_typed_text("Acme Dental") == "Acme Dental"
    assert validation.clean_typed_text("Ac\x00me\tDental\n") == "Acme Dental "
    assert validation.clean_typed_text("\ud800Acme\udfff") == "Acme"
    assert validation.clean_typed_text("Müller \u00a0GmbH") == "Müller  GmbH"


@given(text=st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=30))
def test_any_typed_search_text_encodes_and_has_no_control_character(text: str) -> None:
    cleaned = validation.clean_typed_text(text)
    cleaned.encode("utf-8")
    assert "\x00" not in cleaned

"""AVS/CVV result codes in plain words (issue #12.7). Codes per the NMI Payment API's AVS and CVV response code
tables (https://secure.nmi.com/merchants/resources/integration/integration_portal.php)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from payapp.domain.card_checks import avs_words, cvv_mismatch, cvv_words


def test_documented_codes_in_plain_words() -> None:
    assert cvv_words("N") == "Security code (CVV) does not match."
    assert cvv_words("M") == "Security code (CVV) matches."
    assert cvv_words("") == "Security code (CVV) not checked."
    assert avs_words("N") == "Neither street address nor ZIP code matches."
    assert avs_words("Y") == "Street address and 5-digit ZIP code match."
    assert avs_words("z") == "5-digit ZIP code matches; street address does not."
    assert avs_words("Q") == "Address check: unknown result code Q."
    assert cvv_mismatch("N") and not cvv_mismatch("M") and not cvv_mismatch("")


@given(st.one_of(st.text(), st.none(), st.integers(), st.binary()))
def test_any_input_gives_words(value: object) -> None:
    assert avs_words(value) and cvv_words(value)
    assert isinstance(cvv_mismatch(value), bool)

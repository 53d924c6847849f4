"""The accent colour's parser is total and the contrast ratio follows WCAG 2.1 (known pairs from the spec's
definition: black on white 21:1, white on white 1:1, #767676 on white about 4.54:1, the lightest AA grey)."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payapp.domain.colour import contrast_ratio, parse_hex_colour, readable_on_white
from payapp.domain.errors import ValidationError


@pytest.mark.parametrize(("typed", "expected"), [("#1F5FAE", "#1f5fae"), ("1f5fae", "#1f5fae"),
                                                 ("#15a", "#1155aa"), ("  #000000 ", "#000000")])
def test_colours_people_type(typed: str, expected: str) -> None:
    assert parse_hex_colour(typed) == expected


@pytest.mark.parametrize("typed", ["", "#", "#12", "#12345", "#1234567", "red", "#gggggg", "rgb(0,0,0)", None, 7,
                                   "#１２３"])
def test_not_colours_are_refused(typed: object) -> None:
    with pytest.raises(ValidationError):
        parse_hex_colour(typed)


@given(st.text(max_size=12))
def test_parser_is_total(text: str) -> None:
    with contextlib.suppress(ValidationError):
        assert parse_hex_colour(text).startswith("#")


def test_contrast_ratios() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert readable_on_white("#767676") and not readable_on_white("#777777")
    assert readable_on_white("#1f5fae")             # the portal's own accent
    assert not readable_on_white("#ffcc00")         # a yellow: white text on it cannot be read

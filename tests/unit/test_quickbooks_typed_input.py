"""What an admin types for QuickBooks Connect (the redirect URI, the pasted address or code) is parsed totally:
any text gives a value or a ValidationError with a message for the field (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payapp.domain.errors import ValidationError
from payapp.services.connections import LOOPBACK_REDIRECT, check_redirect_uri, parse_pasted_sign_in

urlish = st.text(max_size=60) | st.builds(lambda a, b: f"https://{a}/{b}", st.text(max_size=20), st.text(max_size=10)) \
    | st.builds(lambda q: f"https://payapp.example.com/cb?{q}", st.text(max_size=40))


@given(text=urlish)
def test_any_redirect_uri_is_accepted_or_refused_with_a_message(text: str) -> None:
    try:
        uri = check_redirect_uri(text)
    except ValidationError as exc:
        assert exc.field == "redirect_uri" and exc.user_message
        return
    assert uri == "" or uri == LOOPBACK_REDIRECT or uri.startswith("https://")


@given(text=urlish)
def test_any_pasted_text_gives_the_sign_in_or_a_message(text: str) -> None:
    try:
        pasted = parse_pasted_sign_in(text)
    except ValidationError as exc:
        assert exc.field == "pasted" and exc.user_message
        return
    assert pasted["code"] and set(pasted) <= {"code", "state", "realmId"}


@pytest.mark.parametrize("text,expected", [
    ("https://payapp.example.com/cb?code=AB1&state=s1&realmId=123", {"code": "AB1", "state": "s1", "realmId": "123"}),
    ("  code=AB1&state=s1  ", {"code": "AB1", "state": "s1"}),
    ("AB11185", {"code": "AB11185"}),
])
def test_pasted_sign_in(text: str, expected: dict[str, str]) -> None:
    assert parse_pasted_sign_in(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "https://payapp.example.com/cb?state=s1", "two words",
                                  "https://payapp.example.com/cb?error=access_denied&state=s", "c\u00f6de"])
def test_pasted_text_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        parse_pasted_sign_in(text)


@pytest.mark.parametrize("text", ["https://[::1/cb", "https://192.168.1.5/cb", "https://[::1]/cb", "http://x.example/cb",
                                  "localhost:8765/callback", "https:///cb"])
def test_redirect_uris_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        check_redirect_uri(text)

"""transact.php fields of a Collect.js payment token (docs/protocols.md §1.1, §4), and what shows of it."""

from __future__ import annotations

from payapp.connectors.gateways.nmi import TokenData
from payapp.services.payments import TokenizedPayment

TOKEN = "3455zJms-7qA2K2-VdVrSu-Rv7WpvPuG7s8"


def test_a_card_token_takes_the_place_of_the_card_fields() -> None:
    assert TokenData(TOKEN).fields() == {"payment_token": TOKEN}


def test_an_echeck_token_carries_the_account_types_and_sec_code_web() -> None:
    assert TokenData(TOKEN, "echeck", "personal", "savings").fields() == {
        "payment_token": TOKEN, "sec_code": "WEB", "account_holder_type": "personal", "account_type": "savings"}


def test_the_token_never_shows_in_a_repr() -> None:
    for obj in (TokenData(TOKEN), TokenizedPayment(token=TOKEN, kind="card", last_four="411111******1111")):
        assert TOKEN not in repr(obj) and TOKEN not in str(obj)
    assert "1111" in repr(TokenizedPayment(token=TOKEN, kind="card", last_four="411111******1111"))


def test_typed_names_are_cleaned_as_for_cards() -> None:
    method = TokenizedPayment(token=TOKEN, kind="card", first_name="Ada\x00", last_name=" Love\u0007lace")
    assert method.first_name == "Ada" and "\u0007" not in method.last_name

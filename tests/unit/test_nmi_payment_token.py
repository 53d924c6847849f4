"""transact.php fields of a Collect.js payment token (docs/protocols.md §1.1, §4), and what shows of it."""

from __future__ import annotations

import datetime as dt

from payapp.connectors.gateways.nmi import TokenData
from payapp.domain import ach
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


def test_online_authorizations_are_web_for_people_and_ccd_for_businesses() -> None:
    assert (ach.sec_code("personal", online=True), ach.sec_code("business", online=True)) == ("WEB", "CCD")
    assert (ach.sec_code("personal"), ach.sec_code("business")) == ("PPD", "CCD")
    text = ach.authorization_text(holder_type="personal", name="Ada", company="", merchant="Acme Services",
                                  account_type="savings", last_four="3815", amount="$10.00", invoice="INV-7",
                                  date=dt.date(2026, 12, 3), online=True)
    assert text.startswith("ACH debit authorization (WEB, one-time)") and "savings account ending 3815" in text
    assert "print or save" in text and "December 3, 2026" in text

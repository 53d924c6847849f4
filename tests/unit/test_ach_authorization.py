"""payapp.domain.ach: the ACH debit authorization wording (NACHA's rules for what it must say), total."""

from __future__ import annotations

import datetime as dt

import pytest

from payapp.domain import ach
from payapp.domain.errors import ValidationError


def _text(holder: str = "personal", **kw: object) -> str:
    args: dict[str, object] = dict(holder_type=holder, name="Anna Baker", company="Acme Inc", merchant="Northwind",
                                   account_type="checking", last_four="3815", amount="$20.00", invoice="INV-7",
                                   date=dt.date(2026, 12, 3))
    args.update(kw)
    return ach.authorization_text(**args)  # type: ignore[arg-type]


def test_ppd_for_a_person_says_what_nacha_asks() -> None:
    text = _text("personal")
    # identifiable as an ACH debit authorization, the amount, the date, the account, how to revoke, a copy
    for part in ("ACH debit authorization (PPD", "$20.00", "December 3, 2026", "ending 3815", "revoke",
                 "copy", "Northwind", "INV-7", "Anna Baker"):
        assert part in text


def test_ccd_for_a_business_binds_to_the_nacha_rules() -> None:
    text = _text("business")
    assert "(CCD" in text and "NACHA Operating Rules" in text and "on behalf of Acme Inc" in text


def test_only_the_last_four_digits_ever_appear() -> None:
    assert "24413815" not in _text(last_four="24413815") and "ending 3815" in _text(last_four="24413815")
    assert "ending ····" in _text(last_four="")


@pytest.mark.parametrize("holder", ["", "corporate", None, 3])
def test_unknown_holder_type_is_payapps_own_error(holder: object) -> None:
    with pytest.raises(ValidationError):
        ach.sec_code(holder)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        _text(holder)  # type: ignore[arg-type]


def test_retention_is_two_years_and_the_hash_names_the_wording() -> None:
    at = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
    assert ach.retain_until(at) - at >= dt.timedelta(days=731)
    assert ach.wording_hash(_text()) == ach.wording_hash(_text()) != ach.wording_hash(_text(amount="$21.00"))
    assert len(ach.wording_hash("\ud800")) == 64           # a lone surrogate typed into a name: still a hash
    assert ach.sec_code("personal") == "PPD" and ach.sec_code("business") == "CCD"

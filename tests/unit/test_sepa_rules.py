"""SEPA direct debit rules (payapp.domain.sepa): IBANs checked with schwifty, the mandate wording, and IBANs masked
in logs (payapp.domain.redaction)."""

from __future__ import annotations

import datetime as dt

import pytest

from payapp.domain import sepa
from payapp.domain.errors import ValidationError
from payapp.domain.gateways import NMI, PAYENGINE
from payapp.domain.redaction import redact


@pytest.mark.parametrize(("typed", "compact"), [("DE89370400440532013000", "DE89370400440532013000"),
                                                ("de89 3704 0044 0532 0130 00", "DE89370400440532013000"),
                                                ("AT61 1904 3002 3457 3201", "AT611904300234573201")])
def test_valid_ibans_in_compact_form(typed: str, compact: str) -> None:
    assert sepa.check_iban(typed) == compact


@pytest.mark.parametrize("bad", ["DE89370400440532013001", "DE8937040044053201300", "XX89370400440532013000", "",
                                 "   ", None, 42, "\ud800", "DE89 3704 0044 0532 0130 00 00", "٤١١١"])
def test_invalid_ibans_are_pay_apps_own_error_without_the_number(bad: object) -> None:
    with pytest.raises(ValidationError) as err:
        sepa.check_iban(bad)
    assert "0532013" not in err.value.user_message


def test_bic_optional_and_checked() -> None:
    assert sepa.check_bic("") == "" and sepa.check_bic(None) == ""
    assert sepa.check_bic("COBADEFFXXX") == "COBADEFFXXX"
    with pytest.raises(ValidationError):
        sepa.check_bic("NOTABIC")


def test_mandate_wording_names_reference_creditor_and_refund_right_but_not_the_iban() -> None:
    text = sepa.mandate_text(reference="PA7-ABC", name="Erika Mustermann", merchant="Muster GmbH",
                             iban="DE89370400440532013000", amount="120,00 €", invoice="RE-1",
                             date=dt.date(2026, 12, 3))
    for needle in ("PA7-ABC", "Muster GmbH", "Erika Mustermann", "eight weeks", "120,00 €", "RE-1", "2026-12-03",
                   "3000"):
        assert needle in text
    assert "0532013000" not in text
    assert len(sepa.wording_hash(text)) == 64


def test_ibans_are_masked_in_logs() -> None:
    line = "debit DE89370400440532013000 (DE89 3704 0044 0532 0130 00) iban=AT611904300234573201 for order pa1-x"
    out = redact(line)
    assert "0532013000" not in out and "0532 0130" not in out and "234573201" not in out and "pa1-x" in out


def test_payment_types_per_gateway_channel_and_currency() -> None:
    assert NMI.types_for("back_office", "USD") == {"card", "echeck"}
    assert NMI.types_for("back_office", "EUR") == {"card"}            # eCheck is US-only
    assert PAYENGINE.types_for("back_office", "EUR") == {"card", "sepa"}
    assert PAYENGINE.types_for("back_office", "USD") == {"card"}      # SEPA is euro-only
    # the portal never takes typed numbers: its cards and PayPal go through PayEngine's hosted page
    assert PAYENGINE.types_for("portal", "EUR") == {"card", "paypal"}
    assert PAYENGINE.hosted_types == {"card", "paypal"}
    assert "paypal" not in PAYENGINE.types_for("back_office", "EUR")
    assert [f.secret for f in PAYENGINE.fields] == [True, False]      # API key masked, merchant id not

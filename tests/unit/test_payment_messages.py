"""The payment engine's words are Messages (issue #14): a result, a void's result, a flag and a timeline entry carry
an id and typed values (money as Money), so each reader sees them in their language with their money."""

from __future__ import annotations

from dataclasses import replace

from payapp.domain.messages import from_stored, msg, render, to_stored
from payapp.domain.money import Money
from payapp.services.payments.decisions import _Decision, _message, _PaymentFacts, stored_response


def _facts(**changes: object) -> _PaymentFacts:
    facts = _PaymentFacts(7, "pa7-0123456789abcdef", "approved", 123456, "USD", "card", "55001", "SUCCESS")
    return replace(facts, **changes)


def _de(text: str) -> str:
    return text.replace("\xa0", " ")


def test_a_payment_result_renders_in_german_with_german_money() -> None:
    result = _message(_facts(), _Decision("approved", "55001", message="SUCCESS"))
    assert result.id == "payment_result.approved"
    assert result.args == {"amount": Money(123456, "USD"), "transaction": "55001"}
    assert _de(render(result, "de")) == "Zahlung über 1.234,56 $ genehmigt (Transaktion 55001)."
    assert result.english() == "Payment of $1,234.56 approved (transaction 55001)."
    euro = _message(_facts(currency="EUR", method="sepa"), _Decision("approved"))
    assert _de(render(euro, "de")).startswith("SEPA-Lastschrift über 1.234,56 € angenommen (Transaktion 55001)")


def test_the_gateways_own_words_stay_as_they_are_inside_a_german_result() -> None:
    declined = _message(_facts(status="declined", method="echeck"), _Decision("declined", message="DECLINE R01"))
    assert declined.id == "payment_result.bank_declined"
    assert _de(render(declined, "de")).startswith("Die Zahlung über 1.234,56 $ vom Bankkonto wurde abgelehnt "
                                                  "(DECLINE R01).")
    unconfirmed = _message(_facts(status="unknown"), _Decision("unknown"))
    assert unconfirmed.args["order_id"] == "pa7-0123456789abcdef"


def test_payapps_own_decision_words_are_kept_as_data_and_read_back() -> None:
    """When the gateway said nothing, the response text keeps PayApp's message (a payment read back later is told
    in the reader's language); the gateway's text is kept as it is, cut to the column."""
    kept = stored_response(msg("payment_result.unreachable"))
    assert from_stored(kept) == msg("payment_result.unreachable")
    assert stored_response("x" * 400) == "x" * 300
    read_back = _message(_facts(status="error", response_text=kept), _Decision("error"))
    assert read_back == msg("payment_result.not_taken", reason=msg("payment_result.unreachable"))
    assert render(read_back, "de").startswith("Das Gateway hat die Zahlung nicht angenommen (Das Gateway war nicht "
                                              "erreichbar; nichts wurde belastet.)")
    held_up = msg("payment_result.held_up")
    assert _message(_facts(status="error", response_text=to_stored(held_up)), _Decision("error")) == held_up
    late = _message(_facts(approved_late=True), _Decision("approved"))
    assert late.id == "payment_result.approved_late"


def test_every_void_and_refund_outcome_and_timeline_entry_has_words() -> None:
    """The ids of a void's or refund's result and of a timeline entry name the kind and the status: each one is in
    the catalogue, with the values it is given."""
    import datetime as dt

    from payapp.domain.messages import render
    from payapp.models import Payment, Refund
    from payapp.services.payment_search import _timeline
    from payapp.services.payments.refunds import REFUND_UNDECIDED, Refunds

    at = dt.datetime(2026, 12, 2, 9, 30, tzinfo=dt.UTC)
    payment = Payment(id=7, status="partially_refunded", amount_minor=50_00, refunded_minor=10_00, currency="EUR",
                      created_at=at, decided_at=at, settled_at=at, voided_at=None, refunded_at=at, returned_at=at)
    statuses = ("approved", "declined", "error", *REFUND_UNDECIDED)
    refunds = [Refund(id=i, kind=kind, status=status, amount_minor=10_00, currency="EUR", created_at=at,
                      decided_at=at, response_text=stored_response(msg("refund_result.unreachable")))
               for i, (kind, status) in enumerate((k, s) for k in ("void", "refund") for s in statuses)]
    words = {render(Refunds._refund_result(r, payment).message, "de") for r in refunds}
    assert len(words) == len(refunds) - 2       # pending and unknown both say "not confirmed yet"
    assert "Erstattung über 10,00 € erledigt." in {w.replace("\xa0", " ") for w in words}
    assert "Das Gateway hat das Storno nicht ausgeführt (Das Gateway war nicht erreichbar; nichts wurde geändert.). " \
           "Nichts wurde geändert." in words
    timeline = [render(e.text, "de") for e in _timeline(payment, refunds)]
    assert timeline[:3] == ["Zahlung begonnen", "Vom Gateway genehmigt", "Abgerechnet"]
    assert {"Storno ausstehend", "Erstattung wird geprüft", "Von der Bank zurückgegeben"} <= set(timeline)


def test_a_gateways_answer_in_payapps_words_is_german_for_a_german_reader() -> None:
    """When the gateway said nothing itself (unreadable, unreachable, a request an adapter cannot make), the answer
    carries PayApp's words as a message, so the reason inside a payment's result is German too; what the gateway
    did say stays its own text."""
    from payapp.connectors.gateways.nmi import parse_response
    from payapp.connectors.gateways.port import gateway_words, not_supported
    from payapp.domain.messages import Message, msg, render

    unreadable = parse_response("<html>Bad gateway</html>")
    assert isinstance(unreadable.message, Message) and gateway_words(unreadable.message) == ""
    assert render(unreadable.message, "de") == "Die Antwort des Gateways konnte nicht gelesen werden."
    refused = not_supported(msg("gateway_what.saved_methods"), "PayPal")
    assert not refused.sent and isinstance(refused.message, Message)
    assert render(refused.message, "de") == "PayPal nimmt keine gespeicherten Zahlungsmethoden an."
    assert render(refused.message, "en") == "PayPal does not take saved payment methods."
    said = parse_response("response=2&responsetext=DECLINE&response_code=200")
    assert said.message == "DECLINE" and gateway_words(said.message) == "DECLINE"
    result = msg("payment_result.not_taken", reason=unreadable.message)
    assert "Die Antwort des Gateways konnte nicht gelesen werden." in render(result, "de")

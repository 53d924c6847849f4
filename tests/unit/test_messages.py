"""Messages as data (payapp/domain/messages.py): every catalogue message has German with the same values, every
message made in payapp/ names a known id with the right values, and values are written the language's way."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from payapp.domain.card_checks import AVS_WORDS, CVV_WORDS, avs_message, cvv_message
from payapp.domain.errors import PayAppError, ValidationError
from payapp.domain.message_catalogue import ENGLISH, GERMAN
from payapp.domain.messages import msg, placeholders, render
from payapp.domain.money import Money, parse_amount
from payapp.domain.payment_state import IllegalTransition, PaymentStatus, status_word

ROOT = Path(__file__).resolve().parents[2]


def _plain(text: str) -> str:
    return text.replace("\xa0", " ").replace("\u202f", " ")


def test_every_message_has_german_with_the_same_values() -> None:
    assert set(GERMAN) == set(ENGLISH), (f"German missing for {sorted(set(ENGLISH) - set(GERMAN))}, "
                                         f"German without English: {sorted(set(GERMAN) - set(ENGLISH))}")
    wrong = [f"{message_id}: {sorted(placeholders(ENGLISH[message_id]))} ≠ {sorted(placeholders(german))}"
             for message_id, german in GERMAN.items() if placeholders(german) != placeholders(ENGLISH[message_id])]
    assert not wrong, "German names other values than English:\n" + "\n".join(wrong)
    assert all(text.strip() == text and text for text in (*ENGLISH.values(), *GERMAN.values()))


def test_one_english_text_has_one_german() -> None:
    """A module not converted yet may pass a converted message's English on as text; payapp/ui/messages.py finds
    it by its English, so two ids with the same English must agree on the German."""
    german_of: dict[str, set[str]] = {}
    for message_id, english in ENGLISH.items():
        german_of.setdefault(english, set()).add(GERMAN.get(message_id, ""))
    assert not {english: german for english, german in german_of.items() if len(german) > 1}


def _made_messages() -> list[tuple[str, str, frozenset[str] | None]]:
    """(where, id, value names or None when passed as **kwargs) of every msg("…") / Message("…") in payapp/."""
    found = []
    for path in sorted((ROOT / "payapp").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else \
                node.func.attr if isinstance(node.func, ast.Attribute) else ""
            first = node.args[0]
            if name not in ("msg", "Message") or not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            names = None if any(k.arg is None for k in node.keywords) or name == "Message" else \
                frozenset(k.arg for k in node.keywords if k.arg)
            found.append((f"{path.relative_to(ROOT)}:{node.lineno}", first.value, names))
    return found


def test_every_message_made_in_payapp_is_in_the_catalogue() -> None:
    made = _made_messages()
    assert len(made) > 40, "the scan found too few messages: is it still reading msg() calls?"
    unknown = [f"{where}: {message_id}" for where, message_id, _ in made if message_id not in ENGLISH]
    assert not unknown, "not in payapp/domain/message_catalogue.py:\n" + "\n".join(unknown)
    wrong = [f"{where}: {message_id} given {sorted(names)}, wants {sorted(placeholders(ENGLISH[message_id]))}"
             for where, message_id, names in made
             if names is not None and names != placeholders(ENGLISH[message_id])]
    assert not wrong, "\n".join(wrong)


def test_every_payment_status_and_card_check_code_has_words() -> None:
    for status in PaymentStatus:
        assert render(status_word(status), "de") != render(status_word(status), "en")
    assert render(status_word(PaymentStatus.PARTIALLY_REFUNDED), "en") == "partially refunded"
    for message_id in (*AVS_WORDS.values(), *CVV_WORDS.values()):
        assert message_id in ENGLISH


def test_a_message_is_checked_when_it_is_made() -> None:
    with pytest.raises(ValueError, match="unknown message id"):
        msg("card.no_such_message")
    with pytest.raises(ValueError, match="missing"):
        msg("card.cvv_digits")
    with pytest.raises(ValueError, match="unexpected"):
        msg("card.expired", digits=3)
    with pytest.raises(TypeError):
        msg("card.cvv_digits", digits=3.0)        # type: ignore[arg-type]
    with pytest.raises(TypeError):
        msg("card.cvv_digits", digits=True)
    assert msg("card.cvv_digits", digits=3) == msg("card.cvv_digits", digits=3)
    assert len({msg("card.cvv_digits", digits=3), msg("card.cvv_digits", digits=3)}) == 1


def test_values_are_written_the_language_way() -> None:
    at_most = msg("amount.at_most", maximum=Money(123456, "USD"))
    assert render(at_most, "en") == "An amount can be at most $1,234.56."
    assert _plain(render(at_most, "de")) == "Ein Betrag darf höchstens 1.234,56 $ sein."
    digits = msg("card.cvv_digits", digits=1234)
    assert (render(digits, "en"), render(digits, "de")) == ("The security code has 1,234 digits.",
                                                            "Die Prüfnummer hat 1.234 Ziffern.")
    assert render(msg("avs.unknown_code", code="1,5"), "de") == "Adressprüfung: unbekannter Ergebniscode 1,5."
    assert render(digits, "fr") == render(digits, "en")                 # a language we do not speak: English


def test_dates_and_nested_messages_are_rendered_in_the_language(monkeypatch: pytest.MonkeyPatch) -> None:
    from payapp.domain import message_catalogue, messages

    monkeypatch.setitem(message_catalogue.ENGLISH, "test.due", "Due on {day} ({why})")
    monkeypatch.setitem(message_catalogue.GERMAN, "test.due", "Fällig am {day} ({why})")
    due = messages.msg("test.due", day=dt.date(2026, 12, 2), why=status_word(PaymentStatus.SETTLED))
    assert render(due, "en") == "Due on 12/2/2026 (settled)"
    assert render(due, "de") == "Fällig am 02.12.2026 (abgerechnet)"
    at = messages.msg("test.due", day=dt.datetime(2026, 12, 2, 15, 4), why="x")
    assert _plain(render(at, "en")) == "Due on 12/2/2026, 3:04 PM (x)"
    assert render(at, "de") == "Fällig am 02.12.2026, 15:04 (x)"


def test_a_value_ending_a_sentence_gives_no_double_full_stop(monkeypatch: pytest.MonkeyPatch) -> None:
    from payapp.domain import message_catalogue, messages

    monkeypatch.setitem(message_catalogue.ENGLISH, "test.paid_to", "Paid to {merchant}.")
    monkeypatch.setitem(message_catalogue.GERMAN, "test.paid_to", "An {merchant} bezahlt.")
    assert render(messages.msg("test.paid_to", merchant="Acme Inc."), "en") == "Paid to Acme Inc."
    assert render(messages.msg("test.paid_to", merchant="{merchant}"), "de") == "An {merchant} bezahlt."


def test_errors_carry_the_message_and_its_english() -> None:
    error = ValidationError(msg("card.cvv_digits", digits=4), field="cvv")
    assert error.message == msg("card.cvv_digits", digits=4)
    assert error.user_message == str(error) == "The security code has 4 digits."
    assert error.field == "cvv"
    legacy = PayAppError("Gateway said: DECLINE")
    assert (legacy.message, legacy.user_message) == (None, "Gateway said: DECLINE")
    with pytest.raises(ValidationError) as raised:
        parse_amount("1.234", "USD")
    assert raised.value.message == msg("amount.decimal_places", digits=2)
    assert (raised.value.user_message, raised.value.field) == ("Use at most 2 decimal places.", "amount")
    with pytest.raises(IllegalTransition) as illegal:
        from payapp.domain.payment_state import transition

        transition(PaymentStatus.VOIDED, PaymentStatus.APPROVED)
    assert illegal.value.user_message == "A payment that is voided cannot become approved."
    assert illegal.value.message is not None
    assert render(illegal.value.message, "de") == (
        "Eine Zahlung mit dem Status „storniert“ kann nicht in den Status „genehmigt“ wechseln.")


def test_card_check_results_in_german() -> None:
    assert render(avs_message("N"), "de") == "Weder Straße noch Postleitzahl stimmen überein."
    assert render(cvv_message(""), "de") == "Der Sicherheitscode (CVV) wurde nicht geprüft."
    assert render(cvv_message("<b>"), "en") == "Security code check: unknown result code ?."


def test_the_portal_renders_messages_in_the_visitor_language() -> None:
    from payapp.portal.i18n import translator
    from payapp.portal.pages import Page, engine_message, error_text

    page = Page(language="de", locale="de_DE", session_id="", new_session=False, csrf="", https=True,
                merchant={"name": "Acme"}, _=translator("de"))
    assert error_text(page, ValidationError(msg("ach.holder_type"))) == "Wählen Sie privat oder geschäftlich."
    assert error_text(page, ValidationError("Schon übersetzt.")) == "Schon übersetzt."
    assert _plain(engine_message(page, msg("amount.at_most", maximum=Money(999, "EUR")))) == (
        "Ein Betrag darf höchstens 9,99 € sein.")
    # a message for the merchant's staff is put in the portal's own words, as the English texts were
    assert engine_message(page, msg("key.characters")) == (
        "Die Online-Zahlung ist für diese Rechnung zurzeit nicht möglich. Wenden Sie sich an Acme.")
    english = Page(language="en", locale="en_US", session_id="", new_session=False, csrf="", https=True,
                   merchant={"name": "Acme"}, _=translator("en"))
    assert engine_message(english, msg("card.expired")) == "This card has expired."


def test_a_stored_message_reads_back_the_same_and_any_other_text_as_it_is() -> None:
    from payapp.domain.messages import StoredMoney, from_stored, stored_text, to_stored

    message = msg("amount.at_most", maximum=StoredMoney(123456, "USD"))
    text = to_stored(message)
    assert from_stored(text) == message
    assert stored_text(text, "de") == render(message, "de")
    assert from_stored("QuickBooks is throttling requests.") == "QuickBooks is throttling requests."
    for broken in ('{"m":', '{"m": 3}', '{"m":"nope","a":{}}', '{"m":"amount.at_most","a":{"maximum":true}}'):
        assert from_stored(broken) == broken
    assert len(to_stored(message, limit=10)) <= 10
    nested = msg("payment.illegal_transition", current=msg("payment_status.approved"), new="x")
    assert from_stored(to_stored(nested)) == nested


def test_money_is_written_exactly_as_babel_writes_it_in_every_locale_and_currency() -> None:
    import random

    from payapp.domain.money_format import _babel_money, format_money

    rng = random.Random(7)
    for currency in ("USD", "EUR", "JPY", "KWD", "CAD", "CHF", "GBP", "INR", "SEK", "CLP"):
        for locale in ("en_US", "de_DE", "de_CH", "en_IN", "fr_FR", "sv_SE", "ja_JP", "de_AT"):
            for minor in [0, 1, -1, 99, 100, 10**15, -(10**15)] + [rng.randint(-10**12, 10**12) for _ in range(50)]:
                assert format_money(minor, currency, locale) == _babel_money(minor, currency, locale)

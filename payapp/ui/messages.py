"""Texts of the Qt-free layers (domain, services, connectors) in the user's language.

Services never import Qt, so their messages for people (ValidationError("This card has expired."), a payment's
timeline, why processing is off) are plain English. Each one is listed here once, marked for lupdate under the
"Messages" context, and the widgets show `user_text(exc)` or `translate_message(text)` instead of the English.
A message that carries values ("The security code has 4 digits.") is listed with %1, %2 … in their place; the
values go into the translated text unchanged (or translated, when a value is itself a listed text; or written the
user's way, when it is money the services wrote the en_US way: "$1,234.56" becomes "1.234,56 $" in German; or a
count the services grouped the en_US way: "10,000" becomes "10.000"; the services group every count they write).
tests/unit/test_translations.py fails when the domain, a service or a connector raises a message that is not
listed here, or when a sync (run against the Autotask sandbox) reports progress or a warning that is not, so a new
message cannot reach a German user in English.

This is the old way, on its way out (issue #14): a converted layer raises and returns Message objects
(payapp/domain/messages.py, id + typed values), whose English and German live in payapp/domain/message_catalogue.py
only; `user_text` and `message_text` render those in the UI's language, and their texts are not listed here.
What is listed here are the texts of the modules not converted yet.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from babel import UnknownLocaleError
from babel.numbers import get_currency_symbol, list_currencies
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLocale

from payapp.domain.card_checks import avs_message, cvv_message
from payapp.domain.errors import PayAppError
from payapp.domain.message_catalogue import ENGLISH
from payapp.domain.messages import Message, from_stored, placeholders, render, render_with
from payapp.domain.money import format_money, minor_digits
from payapp.ui.i18n import babel_locale, current_language, format_count, pseudo_translate

CONTEXT = "Messages"

# Long texts stay one literal each: lupdate reads a QT_TRANSLATE_NOOP text only when it is a single literal.
TEXTS: tuple[str, ...] = (
    # payapp/services/payment_search.py: a payment's timeline
    QT_TRANSLATE_NOOP("Messages", "Payment started"),
    QT_TRANSLATE_NOOP("Messages", "Declined by the gateway"),
    QT_TRANSLATE_NOOP("Messages", "Failed"),
    QT_TRANSLATE_NOOP("Messages", "Approved by the gateway"),
    QT_TRANSLATE_NOOP("Messages", "Settled"),
    QT_TRANSLATE_NOOP("Messages", "Voided"),
    QT_TRANSLATE_NOOP("Messages", "Void pending"),
    QT_TRANSLATE_NOOP("Messages", "Void declined"),
    QT_TRANSLATE_NOOP("Messages", "Void error"),
    QT_TRANSLATE_NOOP("Messages", "Void unknown"),
    QT_TRANSLATE_NOOP("Messages", "Refunded"),
    QT_TRANSLATE_NOOP("Messages", "Refund pending"),
    QT_TRANSLATE_NOOP("Messages", "Refund declined"),
    QT_TRANSLATE_NOOP("Messages", "Refund error"),
    QT_TRANSLATE_NOOP("Messages", "Refund unknown"),
    QT_TRANSLATE_NOOP("Messages", "Returned by the bank"),
    # payapp/services/payments/: the gateway's answers when taking, voiding and refunding payments
    QT_TRANSLATE_NOOP("Messages", "The gateway could not be reached; nothing was charged."),
    QT_TRANSLATE_NOOP("Messages", "The gateway could not be asked."),
    QT_TRANSLATE_NOOP("Messages", "The gateway has no transaction for this payment; nothing was charged."),
    QT_TRANSLATE_NOOP("Messages", "The gateway could not be reached; nothing was changed."),
    QT_TRANSLATE_NOOP("Messages", "Void of %1 done."),
    QT_TRANSLATE_NOOP("Messages", "Refund of %1 done."),
    QT_TRANSLATE_NOOP("Messages", "The gateway declined the void (%1)."),
    QT_TRANSLATE_NOOP("Messages", "The gateway declined the refund (%1)."),
    QT_TRANSLATE_NOOP("Messages", "The gateway did not do the void (%1). Nothing was changed."),
    QT_TRANSLATE_NOOP("Messages", "The gateway did not do the refund (%1). Nothing was changed."),
    QT_TRANSLATE_NOOP(
        "Messages",
        "The gateway has not confirmed the void of %1 yet. Do not repeat it: PayApp keeps checking and will update it."),  # noqa: E501
    QT_TRANSLATE_NOOP(
        "Messages",
        "The gateway has not confirmed the refund of %1 yet. Do not repeat it: PayApp keeps checking and will update it."),  # noqa: E501
    QT_TRANSLATE_NOOP("Messages", "The gateway shows no such void; nothing was changed."),
    QT_TRANSLATE_NOOP("Messages", "The gateway shows no such refund; nothing was changed."),
    QT_TRANSLATE_NOOP(
        "Messages",
        "The gateway is receiving too many requests right now, so nothing was changed. Wait a minute, then try again."),
    # payapp/services/payments/ PaymentService._message: the result of taking a payment (the banner)
    QT_TRANSLATE_NOOP("Messages", "Payment of %1 approved (transaction %2)."),
    # an approved eCheck is not money in the bank yet (issue #15.6)
    QT_TRANSLATE_NOOP(
        "Messages",
        "eCheck payment of %1 accepted (transaction %2) and pending settlement: the money arrives in a few business days, and the bank can still return it."),  # noqa: E501
    QT_TRANSLATE_NOOP(
        "Messages",
        "The bank account payment of %1 was declined (%2). Check the routing and account numbers, or use another payment method."),  # noqa: E501
    QT_TRANSLATE_NOOP(
        "Messages",
        "The card was declined (%1). Ask the customer for another card, or to call their bank, then try again."),
    QT_TRANSLATE_NOOP(
        "Messages",
        "The gateway refused PayApp's key, so nothing was charged. An admin must check the gateway keys in Admin."),
    QT_TRANSLATE_NOOP(
        "Messages",
        "The gateway did not take the payment (%1). Nothing was charged. Check the details and try again."),
    QT_TRANSLATE_NOOP(
        "Messages",
        "The gateway is receiving too many requests right now, so nothing was charged. Wait a minute, then try again."),
    QT_TRANSLATE_NOOP(
        "Messages",
        "The gateway refused this payment as a duplicate: the same card or account was charged %1 a short time ago. Nothing was charged now. Check the customer's recent payments; to charge the same amount again, wait about 20 minutes and try again."),  # noqa: E501
    QT_TRANSLATE_NOOP(
        "Messages",
        "The gateway has not confirmed the payment of %1 yet. Do not take it again: PayApp keeps checking by its order id (%2) and will update it, and the invoice holds the amount until then."),  # noqa: E501
    # payapp/services/payments/: money safety (issue #12): late approvals, flagged payments, refused CVV
    QT_TRANSLATE_NOOP(
        "Messages",
        "The gateway completed this void after PayApp had marked it failed. Check the payment's refunds."),
    QT_TRANSLATE_NOOP(
        "Messages",
        "The gateway completed this refund after PayApp had marked it failed. Check the payment's refunds."),
    QT_TRANSLATE_NOOP(
        "Messages",
        "PayApp was held up too long before sending this void or refund, so it was not sent and nothing was changed. Try again."),  # noqa: E501
    QT_TRANSLATE_NOOP(
        "Messages",
        "The bank returned this eCheck after %1 of it was refunded: the customer may have been paid back twice."),
    QT_TRANSLATE_NOOP(
        "Messages",
        "PayApp was held up too long before sending this payment (the computer was busy, paused or asleep), so it was not sent and nothing was charged. Take it again if the customer still wants to pay."),  # noqa: E501
    QT_TRANSLATE_NOOP(
        "Messages",
        "Payment of %1 approved (transaction %2), after PayApp had marked it failed. Check whether the customer paid again, and refund one of the payments if so."),  # noqa: E501
    QT_TRANSLATE_NOOP(
        "Messages",
        "The gateway approved this payment after PayApp had marked it failed. Check whether the customer paid again, and refund one of the payments if so."),  # noqa: E501
    QT_TRANSLATE_NOOP(
        "Messages",
        "The bank returned this eCheck and the void of %1 was also completed: the customer may have been paid back twice."),  # noqa: E501
    QT_TRANSLATE_NOOP(
        "Messages",
        "The bank returned this eCheck and the refund of %1 was also completed: the customer may have been paid back twice."),  # noqa: E501
    QT_TRANSLATE_NOOP(
        "Messages",
        "PayApp could not finish checking this payment with the gateway (%1). Check it in the gateway's portal."),
    QT_TRANSLATE_NOOP(
        "Messages",
        "PayApp could not finish checking a refund of this payment with the gateway (%1). Check it in the gateway's portal."),  # noqa: E501
    QT_TRANSLATE_NOOP(
        "Messages",
        "The card's security code (CVV) did not match, so PayApp voided the payment of %1 at once: nothing was charged. Ask the customer to check the code, or use another card."),  # noqa: E501
    QT_TRANSLATE_NOOP(
        "Messages",
        "The card's security code (CVV) did not match, but PayApp could not void the payment of %1 at once (%2). It is still charged: void it in Payment Search."),  # noqa: E501
    # the gateway port and Concardis PayEngine (connectors/gateways, services/gateways.py)
    QT_TRANSLATE_NOOP(
        "Messages",
        "SEPA direct debit of %1 accepted (transaction %2) and pending settlement: the money arrives in a few business days, and the debtor's bank can still return it."),  # noqa: E501
)

_PLACEHOLDER = re.compile(r"%(\d)")
_EXACT = frozenset(t for t in TEXTS if not _PLACEHOLDER.search(t))


@lru_cache(maxsize=1)
def _templates() -> tuple[tuple[re.Pattern[str], str], ...]:
    """(pattern, template) for every text with placeholders, the most specific (most fixed text) first."""
    compiled = []
    for template in TEXTS:
        parts = _PLACEHOLDER.split(template)            # fixed, number, fixed, number, …, fixed
        if len(parts) == 1:
            continue
        regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<p{part}>.*?)" for i, part in enumerate(parts))
        compiled.append((re.compile(regex + r"\Z", re.DOTALL), template))
    compiled.sort(key=lambda item: -len(_PLACEHOLDER.sub("", item[1])))
    return tuple(compiled)


@lru_cache(maxsize=1)
def _currency_of_symbol() -> dict[str, str]:
    """{"$": "USD", "€": "EUR", "CA$": "CAD", "CHF": "CHF", …}: the services format money the en_US way."""
    found: dict[str, list[str]] = {}
    for code in list_currencies():
        found.setdefault(get_currency_symbol(code, "en_US"), []).append(code)
    return {symbol: codes[0] for symbol, codes in found.items() if len(codes) == 1}


_EN_MONEY = re.compile(r"(-?)(\D+?)(\d[\d,]*(?:\.\d+)?)\Z")


def _local_money(value: str) -> str:
    """A value the services formatted as money ("$1,234.56", en_US) in the user's locale ("1.234,56 $");
    any other value unchanged."""
    match = _EN_MONEY.match(value)
    code = _currency_of_symbol().get(match.group(2)) if match else None
    if match is None or code is None:
        return value
    minor = int(Decimal(match.group(1) + match.group(3).replace(",", "")).scaleb(minor_digits(code)))
    if format_money(minor, code) != value:          # not exactly what format_money writes: leave it alone
        return value
    locale = QLocale().name()
    try:
        return format_money(minor, code, locale)
    except (ValueError, UnknownLocaleError):
        return value


_EN_COUNT = re.compile(r"-?\d{1,3}(?:,\d{3})+\Z")      # "10,000": a count grouped the en_US way


def _local_value(value: str) -> str:
    """A value going into a template: translated when listed, money and counts the user's way."""
    if value in _EXACT:
        return QCoreApplication.translate("Messages", value)
    converted = _converted_english().get(value)
    if converted is not None:                       # a converted label ("API key") in a not converted text
        return message_text(converted)
    if _EN_COUNT.match(value):
        try:
            return format_count(int(value.replace(",", "")), QLocale().name())
        except UnknownLocaleError:
            return value
    return _local_money(value)


def message_text(message: Message) -> str:
    """A message of the Qt-free layers in the UI's language (current_language), its money, counts and dates written
    that language's way; in the pseudo-locale, its English stretched (values as they are)."""
    language = current_language()
    if language == "pseudo":
        return render_with(message, lambda message_id: pseudo_translate(ENGLISH[message_id]), babel_locale("en"))
    return render(message, language)


@lru_cache(maxsize=1)
def _converted_english() -> dict[str, Message]:
    """{English text: message} of the catalogue's messages without values. A module not converted yet may still pass
    such a text on as a string (a service that keeps a domain error's user_message as a reason): it is shown in the
    UI's language all the same, from the catalogue, not from a copy here."""
    return {text: Message(message_id) for message_id, text in ENGLISH.items() if not placeholders(text)}


def translate_message(text: str) -> str:
    """`text` in the user's language when it is one of TEXTS (or fits one of its templates); else `text`.
    A value that is an amount of money or a count is written the user's way (QLocale's default: 1.234,56 $ and
    10.000 in German)."""
    if text in _EXACT:
        return QCoreApplication.translate("Messages", text)
    converted = _converted_english().get(text)
    if converted is not None:
        return message_text(converted)
    for pattern, template in _templates():
        match = pattern.match(text)
        if match is None:
            continue
        values = {name[1:]: _local_value(value) for name, value in match.groupdict().items()}
        translated = QCoreApplication.translate("Messages", template)
        return _PLACEHOLDER.sub(lambda m, values=values: values.get(m.group(1), m.group(0)), translated)
    return text


def user_text(exc: PayAppError) -> str:
    """An expected error's message for a banner or a field, in the user's language: its Message rendered, or (a
    module not converted yet) its English text translated."""
    if exc.message is not None:
        return message_text(exc.message)
    return translate_message(exc.user_message)


def any_text(message: Message | str) -> str:
    """A message, or a text of a module not converted to messages yet (translated the old way), in the user's
    language."""
    return message_text(message) if isinstance(message, Message) else translate_message(message)


def stored_message_text(text: str) -> str:
    """A message kept in the database (to_stored: a job's last error, a payment's sync error) in the user's
    language; a row written before messages were data, its English (translated when it is one of TEXTS)."""
    return any_text(from_stored(text))


def card_check_text(avs: str, cvv: str) -> str:
    """A card payment's AVS and CVV results in the user's words ("" when the gateway reported neither)."""
    if not avs and not cvv:
        return ""
    return f"{message_text(avs_message(avs))} {message_text(cvv_message(cvv))}"

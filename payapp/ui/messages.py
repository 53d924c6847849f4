"""Texts of the Qt-free layers (domain, services, connectors) in the user's language.

Services never import Qt, so their messages for people (ValidationError("This card has expired."), a sync's
progress, why processing is off) are plain English. Each one is listed here once, marked for lupdate under the
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
    # payapp/services/settings.py: a setting refused
    QT_TRANSLATE_NOOP("Messages", "%1: expected %2"),
    QT_TRANSLATE_NOOP("Messages", "%1 is set to %2 and can never be changed."),
    # Admin › Payment Processing › Test keys
    QT_TRANSLATE_NOOP("Messages", "Enter the private key first."),
    QT_TRANSLATE_NOOP("Messages", "The gateway connector is missing from this build: keys cannot be tested."),
    QT_TRANSLATE_NOOP("Messages", "The gateway could not be reached. Check the address and the network."),
    QT_TRANSLATE_NOOP("Messages", "Keys work: the gateway accepted the private key."),
    QT_TRANSLATE_NOOP("Messages", "Authentication failed: the gateway refused the private key."),
    QT_TRANSLATE_NOOP("Messages", "The gateway refused the key (authentication failed). Check the private key."),
    QT_TRANSLATE_NOOP("Messages", "The gateway could not be asked: %1"),
    QT_TRANSLATE_NOOP("Messages", "The gateway accepted the key."),
    # payapp/services/gateways.py, processing.py, secrets.py: Admin › Payment Processing
    QT_TRANSLATE_NOOP("Messages", "PayApp cannot talk to the gateway %1 yet."),
    QT_TRANSLATE_NOOP(
        "Messages",
        "Payment processing is not set up on this workstation: enter the gateway's private key in Admin."),
    # payapp/services/connections.py and the connectors: Admin › Connections, Autotask, QuickBooks
    QT_TRANSLATE_NOOP("Messages", "not connected on this workstation"),
    QT_TRANSLATE_NOOP("Messages", "QuickBooks is disconnected: Reconnect QuickBooks in Admin › Connections."),
    QT_TRANSLATE_NOOP("Messages", "QuickBooks is disconnected (%1): Reconnect QuickBooks in Admin › Connections."),
    QT_TRANSLATE_NOOP("Messages", "the sign-in is no longer valid"),
    QT_TRANSLATE_NOOP("Messages", "the sign-in was refused after a refresh"),
    # QuickBooks held to the real service: tokens, refunds' bank account, Connect with production keys
    QT_TRANSLATE_NOOP("Messages", "the stored sign-in cannot be read"),
    QT_TRANSLATE_NOOP("Messages", "QuickBooks sign-in sent tokens PayApp cannot use; PayApp will try again."),
    QT_TRANSLATE_NOOP("Messages", "QuickBooks had a server error (HTTP %1); PayApp will try again."),
    QT_TRANSLATE_NOOP("Messages", "QuickBooks is throttling requests; PayApp will wait and try again."),
    QT_TRANSLATE_NOOP("Messages",
                      "Needs set-up: choose the bank account refunds are paid from in Admin › Connections (QuickBooks)."),  # noqa: E501
    QT_TRANSLATE_NOOP("Messages", "QuickBooks sign-in could not be reached; PayApp will try again."),
    QT_TRANSLATE_NOOP("Messages", "QuickBooks sign-in had a server error (HTTP %1)."),
    QT_TRANSLATE_NOOP(
        "Messages",
        "QuickBooks refused the client id or client secret: check them in Admin, then Reconnect QuickBooks."),
    QT_TRANSLATE_NOOP("Messages", "QuickBooks sign-in failed (%1)."),
    QT_TRANSLATE_NOOP("Messages", "QuickBooks did not answer; PayApp will try again with the same request id."),
    QT_TRANSLATE_NOOP("Messages", "QuickBooks sent an answer PayApp cannot read."),
    QT_TRANSLATE_NOOP(
        "Messages",
        "QuickBooks says a customer named %1 exists, but PayApp cannot find it (it may be inactive, or a vendor or employee uses the name)."),  # noqa: E501
    QT_TRANSLATE_NOOP("Messages", "Autotask did not name a zone for this API user."),
    QT_TRANSLATE_NOOP("Messages", "Autotask is busy (too many requests); PayApp will wait and try again."),
    QT_TRANSLATE_NOOP("Messages", "Autotask had a server error (HTTP %1); PayApp will try again."),
    QT_TRANSLATE_NOOP("Messages", "Autotask refused the API user, secret or integration code: check them in Admin."),
    QT_TRANSLATE_NOOP("Messages", "Autotask refused the request (HTTP %1): %2"),
    QT_TRANSLATE_NOOP("Messages", "Autotask reported an error: %1"),
    QT_TRANSLATE_NOOP("Messages", "Autotask sent an answer PayApp cannot read."),
    QT_TRANSLATE_NOOP("Messages", "Autotask kept sending more pages; the sync stopped to avoid an endless loop."),
    QT_TRANSLATE_NOOP(
        "Messages",
        "The Autotask API user is not allowed to do this: %1. Give its security level the permission in Autotask."),
    QT_TRANSLATE_NOOP(
        "Messages", "Autotask refused the API user or integration code: %1. Check them in Admin › Connections."),
    QT_TRANSLATE_NOOP("Messages", "Autotask sent a record PayApp cannot read (%1 %2); it was skipped."),
    QT_TRANSLATE_NOOP("Messages", "Autotask sent a %1 record without a readable id; it was skipped."),
    QT_TRANSLATE_NOOP("Messages", "Autotask no longer has invoice %1; it was not marked paid."),
    QT_TRANSLATE_NOOP("Messages", "Invoice %1 is voided in Autotask; it was not marked paid."),
    # payapp/services/sync/ and outbox.py: syncing and sync problems
    QT_TRANSLATE_NOOP("Messages", "Unknown job kind %1."),
    QT_TRANSLATE_NOOP("Messages", "Company %1 is gone."),
    QT_TRANSLATE_NOOP("Messages", "Invoice %1 is gone."),
    QT_TRANSLATE_NOOP("Messages", "Payment %1 is gone."),
    QT_TRANSLATE_NOOP("Messages", "The job names no invoice."),
    QT_TRANSLATE_NOOP("Messages", "waiting for the payment to reach QuickBooks"),
    QT_TRANSLATE_NOOP("Messages", "The payment is not in QuickBooks yet (its push failed): fix that first."),
    QT_TRANSLATE_NOOP(
        "Messages",
        "The returned eCheck was already deposited in QuickBooks, so PayApp cannot void it: record the bounced payment in QuickBooks by hand, then dismiss this."),  # noqa: E501
    QT_TRANSLATE_NOOP("Messages", "The refund job has no amount."),
    QT_TRANSLATE_NOOP("Messages", "Invoice %1 is not an Autotask invoice."),
    QT_TRANSLATE_NOOP("Messages", "That sync problem is no longer open."),
    QT_TRANSLATE_NOOP("Messages", "Say why this is dismissed (for example: entered in QuickBooks by hand)."),
    # payapp/services/sync/service.py SyncService._say, _on_threshold: progress, warnings while a sync runs (status bar)
    QT_TRANSLATE_NOOP("Messages", "Connecting to Autotask…"),
    QT_TRANSLATE_NOOP("Messages", "Reading %1…"),
    QT_TRANSLATE_NOOP("Messages", "Reading %1: %2"),
    QT_TRANSLATE_NOOP("Messages", "Reading %1: %2 of %3"),
    QT_TRANSLATE_NOOP("Messages", "Indexing invoices…"),
    QT_TRANSLATE_NOOP("Messages", "Sync finished."),
    QT_TRANSLATE_NOOP("Messages", "companies"),          # what is being read (sync.ENTITIES, "_" as a space)
    QT_TRANSLATE_NOOP("Messages", "contacts"),
    QT_TRANSLATE_NOOP("Messages", "contracts"),
    QT_TRANSLATE_NOOP("Messages", "tickets"),
    QT_TRANSLATE_NOOP("Messages", "invoices"),
    QT_TRANSLATE_NOOP("Messages", "billing items"),
    QT_TRANSLATE_NOOP(
        "Messages",
        "Autotask API use is at %1 of %2 requests this hour (over 75%): the sync is slowing down a lot to leave room for others."),  # noqa: E501
    QT_TRANSLATE_NOOP(
        "Messages",
        "Autotask API use is at %1 of %2 requests this hour (over 50%): the sync is slowing down."),
    # payapp/services/connections.py and the connectors' test(): Test connection on Admin › Connections
    QT_TRANSLATE_NOOP("Messages", "Autotask could not be reached (%1)."),
    QT_TRANSLATE_NOOP("Messages", "QuickBooks could not be reached (%1)."),
    QT_TRANSLATE_NOOP("Messages", "Connected to %1 · %2 of %3 requests used this hour"),
    QT_TRANSLATE_NOOP("Messages", "Connected to QuickBooks company %1 · custom invoice numbers"),
    QT_TRANSLATE_NOOP("Messages", "Connected to QuickBooks company %1 · QuickBooks numbers invoices"),
    # payapp/services/outbox.py: a job that failed on a bug (Sync problems)
    QT_TRANSLATE_NOOP("Messages", "Unexpected error: %1"),
    # payapp/services/outbox.py: what a sync job does (Sync problems, a payment's sync jobs)
    QT_TRANSLATE_NOOP("Messages", "Send invoice to QuickBooks"),
    QT_TRANSLATE_NOOP("Messages", "Send payment to QuickBooks"),
    QT_TRANSLATE_NOOP("Messages", "Void payment in QuickBooks"),
    QT_TRANSLATE_NOOP("Messages", "Send refund to QuickBooks"),
    QT_TRANSLATE_NOOP("Messages", "Reverse returned eCheck in QuickBooks"),
    QT_TRANSLATE_NOOP("Messages", "Mark invoice paid in Autotask"),
    QT_TRANSLATE_NOOP("Messages", "Read record from Autotask"),
    # payapp/services/outbox.py OutboxService.problems: what a sync problem is about ("Invoice 123 · Acme · $5.00")
    QT_TRANSLATE_NOOP("Messages", "Invoice %1 · %2 · %3"),
    QT_TRANSLATE_NOOP("Messages", "Invoice %1 · %2"),
    QT_TRANSLATE_NOOP("Messages", "Invoice %1"),
    # payapp/services/qbwc.py, qbwc_soap.py, connectors/accounting/qbxml.py: QuickBooks Desktop (Web Connector)
    QT_TRANSLATE_NOOP("Messages", "QuickBooks Desktop answered another request."),
    QT_TRANSLATE_NOOP("Messages", "QuickBooks Desktop sent an answer PayApp cannot read."),
    QT_TRANSLATE_NOOP(
        "Messages",
        "The Web Connector only calls an https address, or http://localhost on the same computer."),
    QT_TRANSLATE_NOOP("Messages", "OwnerID and FileID must be GUIDs."),
    QT_TRANSLATE_NOOP("Messages", "Enter the user name the Web Connector signs in with."),
    QT_TRANSLATE_NOOP("Messages", "Choose a port from 1024 to 65535."),
    QT_TRANSLATE_NOOP("Messages", "Choose QuickBooks Online or QuickBooks Desktop."),
    QT_TRANSLATE_NOOP("Messages", "Use a password of at least 8 characters."),
    QT_TRANSLATE_NOOP("Messages", "Enter the address the Web Connector calls first."),
    QT_TRANSLATE_NOOP("Messages", "Not a SOAP envelope."),
    QT_TRANSLATE_NOOP("Messages", "Document type declarations are not accepted."),
    QT_TRANSLATE_NOOP("Messages", "The SOAP envelope is not well-formed XML."),
    QT_TRANSLATE_NOOP("Messages", "The SOAP body is empty."),
    QT_TRANSLATE_NOOP("Messages", "Unknown method %1."),
    QT_TRANSLATE_NOOP("Messages", "The payment is not in QuickBooks Desktop yet (its push failed): fix that first."),
    QT_TRANSLATE_NOOP(
        "Messages",
        "Invoice number %1 is longer than QuickBooks Desktop's %2 characters: enter it in QuickBooks by hand, then dismiss this."),  # noqa: E501
    QT_TRANSLATE_NOOP("Messages", "QuickBooks Desktop: %1 (status %2)"),
    QT_TRANSLATE_NOOP("Messages", "QuickBooks Desktop: %1 (status %2): the record keeps changing in QuickBooks."),
    QT_TRANSLATE_NOOP(
        "Messages",
        "QuickBooks Desktop: %1 (status %2): a vendor, employee or inactive customer has the name; rename one of them in QuickBooks, then retry."),  # noqa: E501
    QT_TRANSLATE_NOOP("Messages", "QuickBooks Desktop added the customer but sent no ListID."),
    QT_TRANSLATE_NOOP("Messages", "QuickBooks Desktop added the invoice but sent no TxnID."),
    QT_TRANSLATE_NOOP("Messages", "QuickBooks Desktop added the payment but sent no TxnID."),
    QT_TRANSLATE_NOOP("Messages", "QuickBooks Desktop added the credit memo but sent no TxnID."),
    QT_TRANSLATE_NOOP("Messages", "QuickBooks Desktop added the refund but sent no TxnID."),
    QT_TRANSLATE_NOOP(
        "Messages",
        "QuickBooks Desktop has an invoice numbered %1 for another customer (%2): check it, then retry or dismiss."),
    QT_TRANSLATE_NOOP(
        "Messages",
        "The payment is no longer in QuickBooks Desktop (deleted there?): check it, then dismiss this."),
    QT_TRANSLATE_NOOP("Messages", "QuickBooks could not process the request (%1): %2"),
    QT_TRANSLATE_NOOP("Messages", "PayApp got an answer it did not ask for; the next session starts afresh."),
    QT_TRANSLATE_NOOP("Messages", "The Web Connector could not reach QuickBooks (%1): %2"),
    # payapp/connectors/gateways/paypal.py: PayPal classic NVP
    QT_TRANSLATE_NOOP("Messages", "PayPal: %1"),
    QT_TRANSLATE_NOOP("Messages", "PayPal: %1 (error %2)"),
    QT_TRANSLATE_NOOP("Messages", "PayPal's answer could not be read."),
    QT_TRANSLATE_NOOP("Messages", "PayPal's payment answer has no transaction id."),
    QT_TRANSLATE_NOOP("Messages", "PayPal's refund answer has no refund transaction id."),
    QT_TRANSLATE_NOOP("Messages", "Could not reach PayPal (%1)."),
    QT_TRANSLATE_NOOP("Messages", "No answer from PayPal (%1)."),
    QT_TRANSLATE_NOOP("Messages", "PayPal answered HTTP %1."),
    QT_TRANSLATE_NOOP("Messages", "PayPal's answer has no checkout token."),
    # the gateway port and Concardis PayEngine (connectors/gateways, services/gateways.py)
    QT_TRANSLATE_NOOP("Messages", "PayEngine refused the merchant id or API key (authentication failed)."),
    QT_TRANSLATE_NOOP("Messages", "PayEngine could not be asked: %1"),
    QT_TRANSLATE_NOOP("Messages", "PayEngine accepted the merchant id and API key."),
    QT_TRANSLATE_NOOP("Messages", "Enter the %1 first."),
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


def stored_message_text(text: str) -> str:
    """A message kept in the database (domain.messages.to_stored: a payment's attention or response text) in the
    UI's language; a text stored before messages were data, or a gateway's own words, translated when listed, else
    as it is."""
    found = from_stored(text)
    return message_text(found) if isinstance(found, Message) else translate_message(found)


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


def card_check_text(avs: str, cvv: str) -> str:
    """A card payment's AVS and CVV results in the user's words ("" when the gateway reported neither)."""
    if not avs and not cvv:
        return ""
    return f"{message_text(avs_message(avs))} {message_text(cvv_message(cvv))}"

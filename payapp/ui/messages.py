"""What the Qt-free layers (domain, services, connectors) tell a person, in the UI's language.

They raise and return Message objects (payapp/domain/messages.py: a stable id and typed values), whose English and
German live in the catalogue (payapp/domain/message_catalogue*.py) and nowhere else; the widgets show
`user_text(exc)`, `message_text(message)`, or for a text kept in the database `stored_message_text(text)`. Money,
counts and dates in a message are written the UI language's way by the renderer.

A plain string still reaches the UI in two cases, and `legacy_text` shows it: a gateway's or provider's own words
(a decline reason, an HTTP error text), which are shown as they are; and a row written before messages were data
(plain English), shown from the catalogue when it is the English of a message without values, else as it is.
"""

from __future__ import annotations

from functools import lru_cache

from payapp.domain.card_checks import avs_message, cvv_message
from payapp.domain.errors import PayAppError
from payapp.domain.message_catalogue import ENGLISH
from payapp.domain.messages import Message, from_stored, placeholders, render, render_with
from payapp.ui.i18n import babel_locale, current_language, pseudo_translate


def message_text(message: Message) -> str:
    """A message of the Qt-free layers in the UI's language (current_language), its money, counts and dates written
    that language's way; in the pseudo-locale, its English stretched (values as they are)."""
    language = current_language()
    if language == "pseudo":
        return render_with(message, lambda message_id: pseudo_translate(ENGLISH[message_id]), babel_locale("en"))
    return render(message, language)


@lru_cache(maxsize=1)
def _english_without_values() -> dict[str, Message]:
    """{English text: message} of the catalogue's messages without values: an old row's English is shown in the UI's
    language from the catalogue (derived from it, not a copy of its texts)."""
    return {text: Message(message_id) for message_id, text in ENGLISH.items() if not placeholders(text)}


def legacy_text(text: str) -> str:
    """A plain string for the user (see the module): a message's English without values in the UI's language, any
    other text as it is."""
    known = _english_without_values().get(text)
    return message_text(known) if known is not None else text


def any_text(message: Message | str) -> str:
    """A message, or a plain string (`legacy_text`), in the user's language."""
    return message_text(message) if isinstance(message, Message) else legacy_text(message)


def stored_message_text(text: str) -> str:
    """A message kept in the database (domain.messages.to_stored: a job's last error, a payment's attention or
    response text) in the user's language; a row written before messages were data, or a gateway's own words, as
    `legacy_text` shows them."""
    return any_text(from_stored(text))


def user_text(exc: PayAppError) -> str:
    """An expected error's message for a banner or a field, in the user's language."""
    if exc.message is not None:
        return message_text(exc.message)
    return legacy_text(exc.user_message)


def card_check_text(avs: str, cvv: str) -> str:
    """A card payment's AVS and CVV results in the user's words ("" when the gateway reported neither)."""
    if not avs and not cvv:
        return ""
    return f"{message_text(avs_message(avs))} {message_text(cvv_message(cvv))}"

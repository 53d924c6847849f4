"""Messages for people as data: a stable id and typed values, put into words only where a person reads them.

The Qt-free layers (domain, services, connectors) never write a sentence for the user themselves. They raise or
return `msg("card.cvv_digits", digits=4)`; the Qt UI and the client portal call `render(message, language)`,
which takes the template of that id from payapp/domain/message_catalogue.py (English and German, the one place a
message's translation lives) and writes each value the language's way: money as "$1,234.56" / "1.234,56 $", counts
grouped ("10,000" / "10.000"), dates as the desktop's date fields show them ("12/2/2026" / "02.12.2026").

A value is one of
- int: a count or a number (grouped the locale's way);
- str: a name, a code or free text (inserted as it is, never translated);
- Money (payapp.domain.money): an amount in minor units and its currency;
- datetime.date / datetime.datetime: a day, or a day and its time (as given: the caller picks the time zone);
- Message: a nested message (a status word, a reason), rendered in the same language.
An unknown id, a missing or an unexpected value, or a value of another type is refused when the message is made
(ValueError / TypeError), so a mistake shows in the tests, not on a German user's screen.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, Union

from payapp.domain.message_catalogue import ENGLISH, GERMAN


class MoneyValue(Protocol):
    """An amount as a message value: payapp.domain.money.Money (named by its shape, so this module need not import
    money.py, which makes messages of its own)."""

    @property
    def minor(self) -> int: ...

    @property
    def currency(self) -> str: ...


MessageArg = Union[int, str, MoneyValue, dt.date, "Message"]

LANGUAGES = ("en", "de")
#: Babel locales of the languages: money and counts are written the way these write them
LOCALES = {"en": "en_US", "de": "de_DE"}
#: dates the way the desktop's date fields write them (payapp/ui/i18n.py format_day: Qt's short format with a
#: four-digit year), so a date in a message reads like the date in the grid next to it
DATE_PATTERNS = {"en_US": "M/d/yyyy", "de_DE": "dd.MM.yyyy"}
CATALOGUES: dict[str, Mapping[str, str]] = {"en": ENGLISH, "de": GERMAN}

_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def placeholders(template: str) -> frozenset[str]:
    """The value names a template uses: "The security code has {digits} digits." → {"digits"}."""
    return frozenset(_PLACEHOLDER.findall(template))


def _check_value(message_id: str, name: str, value: object) -> None:
    if isinstance(value, int | str | dt.date | Message) and not isinstance(value, bool):
        return
    # money by its shape (MoneyValue): a Money's minor units and currency code
    minor, currency = getattr(value, "minor", None), getattr(value, "currency", None)
    if not (isinstance(minor, int) and not isinstance(minor, bool) and isinstance(currency, str)):
        raise TypeError(f"message {message_id!r}: value {name!r} is a {type(value).__name__}, not a count, a text, "
                        "Money, a date or a Message")


@dataclass(frozen=True)
class Message:
    """A message for a person: `id` names its template in the catalogue, `args` are its values by name."""

    id: str
    args: Mapping[str, MessageArg] = field(default_factory=dict)

    def __post_init__(self) -> None:
        template = ENGLISH.get(self.id)
        if template is None:
            raise ValueError(f"unknown message id {self.id!r}: add it to payapp/domain/message_catalogue.py")
        wanted, given = placeholders(template), frozenset(self.args)
        if wanted != given:
            missing, extra = sorted(wanted - given), sorted(given - wanted)
            raise ValueError(f"message {self.id!r}: values missing {missing}, unexpected {extra}")
        for name, value in self.args.items():
            _check_value(self.id, name, value)
        object.__setattr__(self, "args", dict(self.args))   # a copy: the caller's dict may change later

    def __hash__(self) -> int:
        return hash((self.id, tuple(sorted(self.args.items(), key=lambda item: item[0]))))

    def english(self) -> str:
        """The message in English (logs, the error's user_message, tests)."""
        return render(self, "en")

    def __str__(self) -> str:
        return self.english()


def msg(message_id: str, /, **args: MessageArg) -> Message:
    """`msg("card.cvv_digits", digits=4)`: a Message, checked against the catalogue."""
    return Message(message_id, args)


def _format_value(value: MessageArg, locale: str, nested: Callable[[Message], str]) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Message):
        return nested(value)
    if isinstance(value, dt.datetime):
        from babel.dates import format_date, format_time

        day = format_date(value, DATE_PATTERNS[locale], locale=locale)
        return f"{day}, {format_time(value, 'short', locale=locale)}"
    if isinstance(value, dt.date):
        from babel.dates import format_date

        return str(format_date(value, DATE_PATTERNS[locale], locale=locale))
    if isinstance(value, int):
        from babel.numbers import format_decimal  # Babel's import stays off the path to the first window

        return str(format_decimal(value, locale=locale))
    from payapp.domain.money_format import format_money  # Babel's import stays off the path to the first window

    return format_money(value.minor, value.currency, locale)


def fill_placeholders(template: str, placeholder: re.Pattern[str], value_of: Callable[[str], str | None]) -> str:
    """Each match of `placeholder` in `template` replaced by `value_of(its group 1)` (None: left as it is) in one
    pass (a value holding a placeholder stays as it is, which chained str.replace calls do not do), and no double
    full stop where a value ending in one ends the sentence: "… of {merchant}." with "Acme Inc." reads "… of Acme
    Inc.", not "Inc..". The one filler of PayApp's {name} templates and of Qt's %1 (payapp/ui/i18n.py)."""
    out: list[str] = []
    pos = 0
    skip_stop = False
    for m in placeholder.finditer(template):
        literal = template[pos:m.start()]
        out.append(literal[1:] if skip_stop and literal.startswith(".") and not literal.startswith("..") else literal)
        found = value_of(m.group(1))
        value = m.group(0) if found is None else found
        out.append(value)
        skip_stop = value.endswith(".") and not value.endswith("..")
        pos = m.end()
    rest = template[pos:]
    out.append(rest[1:] if skip_stop and rest.startswith(".") and not rest.startswith("..") else rest)
    return "".join(out)


def fill_template(template: str, values: Mapping[str, str]) -> str:
    """{name} in `template` replaced by its value (fill_placeholders)."""
    return fill_placeholders(template, _PLACEHOLDER, values.get)


def render_with(message: Message, template_of: Callable[[str], str], locale: str) -> str:
    """`message` in words, its template from `template_of(id)` and its values written the `locale` way (a Babel
    locale in LOCALES' values). For a language the catalogue does not hold (the UI's pseudo-locale)."""
    def nested(inner: Message) -> str:
        return render_with(inner, template_of, locale)

    values = {name: _format_value(value, locale, nested) for name, value in message.args.items()}
    return fill_template(template_of(message.id), values)


def render(message: Message, language: str) -> str:
    """`message` in `language` ("en" or "de"; anything else is English), values written that language's way."""
    language = language if language in CATALOGUES else "en"
    catalogue = CATALOGUES[language]
    return render_with(message, lambda message_id: catalogue.get(message_id) or ENGLISH[message_id],
                       LOCALES[language])


def english(message: str | Message) -> str:
    """A message or a legacy English text, in English."""
    return message.english() if isinstance(message, Message) else message


# -- messages kept in the database (a payment's attention, a sync job's last error) ----------------------------------
# A stored message is JSON: {"m": id, "a": {name: value}}, each value tagged with its type, so a German user reads in
# German what an English workstation stored, and a row written before messages were data (plain English) still shows.

@dataclass(frozen=True)
class StoredMoney:
    """Money read back from a stored message (MoneyValue's shape; this module does not import money.py)."""
    minor: int
    currency: str


def _encode_value(value: MessageArg) -> object:
    if isinstance(value, Message):
        return {"msg": _encode(value)}
    if isinstance(value, dt.datetime):
        return {"at": value.isoformat()}
    if isinstance(value, dt.date):
        return {"day": value.isoformat()}
    if isinstance(value, int | str):
        return value
    return {"minor": value.minor, "currency": value.currency}


def _encode(message: Message) -> dict[str, object]:
    return {"m": message.id, "a": {name: _encode_value(value) for name, value in message.args.items()}}


def _decode_value(value: object) -> MessageArg:
    if isinstance(value, int | str) and not isinstance(value, bool):
        return value
    if isinstance(value, dict):
        if "msg" in value:
            return _decode(value["msg"])
        if "at" in value:
            return dt.datetime.fromisoformat(str(value["at"]))
        if "day" in value:
            return dt.date.fromisoformat(str(value["day"]))
        minor, currency = value.get("minor"), value.get("currency")
        if isinstance(minor, int) and not isinstance(minor, bool) and isinstance(currency, str):
            return StoredMoney(minor, currency)
    raise ValueError("not a stored message value")


def _decode(data: object) -> Message:
    if not (isinstance(data, dict) and isinstance(data.get("m"), str) and isinstance(data.get("a", {}), dict)):
        raise ValueError("not a stored message")
    return Message(data["m"], {str(k): _decode_value(v) for k, v in data.get("a", {}).items()})


def to_stored(message: Message, limit: int | None = None) -> str:
    """`message` as the text a database column keeps (JSON). Longer than `limit` (the column's size): its English,
    cut to fit, so a long gateway text in a value never makes the write fail."""
    import json

    text = json.dumps(_encode(message), ensure_ascii=False, separators=(",", ":"))
    if limit is not None and len(text) > limit:
        return message.english()[:limit]
    return text


def from_stored(text: str) -> Message | str:
    """What `to_stored` wrote, as a Message again; any other text (a row from before messages were data, a
    gateway's own words) as it is. Total: never raises."""
    if not text.startswith('{"m":'):
        return text
    import json

    try:
        return _decode(json.loads(text))
    except (ValueError, TypeError, KeyError, RecursionError):
        return text


def stored_text(text: str, language: str) -> str:
    """A stored message (or legacy text) in `language`."""
    found = from_stored(text)
    return render(found, language) if isinstance(found, Message) else found

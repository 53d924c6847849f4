"""Which language the UI speaks, and the translators that make it so.

The language is, first to last: the `--language` flag / PAYAPP_LANGUAGE (AppConfig.language), the "ui.language"
setting, the operating system's UI languages (QLocale.system().uiLanguages()). PayApp speaks English and German;
"pseudo" is a stretched English for screenshots that shows truncated text (`payapp screenshots DIR --language
pseudo`).

Call `install_translators(app, language)` BEFORE building widgets: `self.tr()` is looked up when a widget is made.
Translations are compiled .qm files in payapp/resources/i18n (tools/i18n.py compile), never compiled at start-up.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from payapp.domain.messages import fill_placeholders
from payapp.resources import RESOURCES

log = logging.getLogger(__name__)

SUPPORTED = ("en", "de")
LANGUAGES = ("", *SUPPORTED, "pseudo")          # "" = follow the system
BABEL_LOCALES = {"en": "en_US", "de": "de_DE", "pseudo": "en_US"}
I18N_DIR = RESOURCES / "i18n"

_installed: list[QTranslator] = []              # keeps the translators alive (Qt does not own them)
_language = "en"                                # what install_translators installed last: messages render in it


def system_language(locale: QLocale | None = None) -> str:
    """The first of the OS's preferred UI languages that PayApp speaks; English otherwise."""
    locale = locale or QLocale.system()
    for tag in [*locale.uiLanguages(), locale.name()]:
        code = tag.replace("_", "-").split("-")[0].lower()
        if code in SUPPORTED:
            return code
    return "en"


def resolve_language(override: str = "", setting: str = "", locale: QLocale | None = None) -> str:
    """"en", "de" or "pseudo": the flag beats the setting beats the system."""
    for choice in (override, setting):
        choice = (choice or "").strip().lower()
        if choice in ("pseudo", *SUPPORTED):
            return choice
        if choice:
            log.warning("unknown language %r ignored (PayApp speaks %s)", choice, ", ".join(SUPPORTED))
    return system_language(locale)


def babel_locale(language: str) -> str:
    """The Babel locale for money and dates: "de" → "de_DE" (1.234,56 $), "en" → "en_US" ($1,234.56)."""
    return BABEL_LOCALES.get(language, "en_US")


def date_edit_format(locale: str) -> str:
    """The locale's short date with a four-digit year, for date fields: 31.10.2026, 10/31/2026 ("yy" alone
    would read 10/31/26, ambiguous in a filter)."""
    fmt = QLocale(locale).dateFormat(QLocale.FormatType.ShortFormat)
    return fmt if "yyyy" in fmt else fmt.replace("yy", "yyyy")


def format_day(value: dt.date | None, locale: str) -> str:
    """A date the one way PayApp writes dates in `locale` (a Babel locale, "en_US"): the date fields' own
    pattern (date_edit_format), so the grid, the filters, the dialogs and the receipts agree: 12/2/2026,
    02.12.2026 (issue #15.9). Qt's date-format letters d, M and y mean the same in Babel's (LDML) patterns."""
    from babel.dates import format_date  # Babel's import stays off the path to the first window

    return str(format_date(value, date_edit_format(locale), locale=locale)) if value else ""


def format_moment(value: dt.datetime, locale: str, *, seconds: bool = False) -> str:
    """A point in time in the user's time zone: `format_day` and the locale's time (12/2/2026, 3:04 PM;
    02.12.2026, 15:04); `seconds` for the audit log."""
    from babel.dates import format_time

    local = value.astimezone()
    return f"{format_day(local.date(), locale)}, {format_time(local, 'medium' if seconds else 'short', locale=locale)}"


def format_count(count: int, locale: str) -> str:
    """A count grouped the locale's way (Babel): 12345 → "12,345" (en_US), "12.345" (de_DE)."""
    from babel.numbers import format_decimal  # Babel's import stays off the path to the first window

    return str(format_decimal(count, locale=locale))


_PLACEHOLDER = re.compile(r"%(\d)")


def fill(template: str, *values: str) -> str:
    """Qt's %1…%9 in `template` replaced by `values` in one pass, without a double full stop where a value ending
    in one ends a sentence (issue #15.10; payapp.domain.messages.fill_placeholders)."""
    def value_of(number: str) -> str | None:
        index = int(number) - 1
        return values[index] if 0 <= index < len(values) else None

    return fill_placeholders(template, _PLACEHOLDER, value_of)


def qt_translations_dir() -> Path:
    """Where Qt's own .qm files (qtbase_de.qm: button labels, context menus) are: PySide6 ships them."""
    return Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))


async def saved_language(settings: Any) -> str:
    """The "ui.language" setting, or "" when it cannot be read (a new database: follow the system)."""
    try:
        return str(await settings.get("ui.language") or "")
    except Exception:
        log.exception("could not read the ui.language setting")
        return ""


def current_language() -> str:
    """"en", "de" or "pseudo": the language the translators installed speak (English when none are)."""
    return _language


def remove_translators(app: QCoreApplication) -> None:
    global _language
    _language = "en"
    while _installed:
        app.removeTranslator(_installed.pop())


def install_translators(app: QCoreApplication, language: str = "", *, setting: str = "") -> str:
    """Install Qt's and PayApp's translators for `language` (see resolve_language) and set Qt's default locale
    (number and date widgets). Replaces translators installed before. Returns "en", "de" or "pseudo"."""
    global _language
    chosen = resolve_language(language, setting)
    remove_translators(app)
    _language = chosen
    if chosen == "pseudo":
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        _install(app, PseudoTranslator(app))
        return chosen
    QLocale.setDefault(QLocale(QLocale.Language.German, QLocale.Country.Germany) if chosen == "de"
                       else QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    if chosen != "en":
        qt = QTranslator(app)
        if qt.load(f"qtbase_{chosen}", str(qt_translations_dir())):
            _install(app, qt)
        else:
            log.warning("Qt's own %s translation (qtbase_%s.qm) not found in %s", chosen, chosen,
                        qt_translations_dir())
    ours = QTranslator(app)
    # payapp_en.qm is (nearly) empty: English is the source language; loading it keeps plural forms right.
    if ours.load(str(I18N_DIR / f"payapp_{chosen}.qm")):
        _install(app, ours)
    elif chosen != "en":
        log.warning("PayApp's %s translation missing: %s", chosen, I18N_DIR / f"payapp_{chosen}.qm")
    return chosen


def _install(app: QCoreApplication, translator: QTranslator) -> None:
    app.installTranslator(translator)
    _installed.append(translator)


# --- the pseudo-locale -------------------------------------------------------------------------------------------

_ACCENTED = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "åƀçđéƒĝĥíĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇĐÉƑĜĤÍĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ")
# Kept as they are: HTML tags and entities, Qt's %1 / %n / %L1, Python's {name} / {0:>5}, accelerators (&&, &F).
_KEEP = re.compile(r"<[^>]*>|&[a-zA-Z]+;|&&|&\w|%L?\d+|%n|\{[^{}]*\}")
STRETCH = 0.4
_NOT_TEXT = {"QT_LAYOUT_DIRECTION"}             # Qt asks for these; the answer must stay untranslated


def pseudo_translate(text: str) -> str:
    """"Save" → "[Šåṽé ~~]": accented and ~40% longer, so clipped labels and hard-coded strings stand out."""
    if not text or text in _NOT_TEXT:
        return text
    out, pos = [], 0
    for m in _KEEP.finditer(text):
        out.append(text[pos:m.start()].translate(_ACCENTED))
        out.append(m.group(0))
        pos = m.end()
    out.append(text[pos:].translate(_ACCENTED))
    padding = "~" * max(1, round(len(text) * STRETCH) - 2)
    return f"[{''.join(out)} {padding}]"


class PseudoTranslator(QTranslator):
    """Translates every string (ours and Qt's) to its stretched pseudo form."""

    def translate(self, context: str, source_text: str, disambiguation: str | None = None, n: int = -1) -> str:
        return pseudo_translate(source_text)

    def isEmpty(self) -> bool:
        return False

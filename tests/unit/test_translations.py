"""Every visible string has a finished German translation; the committed .qm files are compiled from the .ts;
language choice, Qt's own German, the Babel locale and the pseudo-locale behave."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtWidgets import QApplication

from payapp.domain.messages import Message
from payapp.domain.money import format_money
from payapp.ui.i18n import (
    I18N_DIR,
    babel_locale,
    format_count,
    install_translators,
    pseudo_translate,
    qt_translations_dir,
    remove_translators,
    resolve_language,
)

ROOT = Path(__file__).resolve().parents[2]


def _tools_i18n() -> ModuleType:
    spec = importlib.util.spec_from_file_location("payapp_tools_i18n", ROOT / "tools" / "i18n.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def i18n_tool() -> ModuleType:
    return _tools_i18n()


def test_every_visible_string_has_a_finished_german_translation(i18n_tool: ModuleType, tmp_path: Path) -> None:
    ts = tmp_path / "payapp_de.ts"
    shutil.copy(I18N_DIR / "payapp_de.ts", ts)
    i18n_tool.lupdate([ts])                         # today's strings, merged with today's translations
    missing = i18n_tool.missing(ts)
    count = sum(len(v) for v in missing.values())
    assert not missing, (f"{count} strings lack a German translation. Run `python tools/i18n.py update`, "
                         f"`python tools/i18n.py missing -o todo.json`, translate, `fill todo.json`, `compile`. "
                         f"Missing: {missing}")


def test_committed_qm_files_are_compiled_from_the_ts_files(i18n_tool: ModuleType, tmp_path: Path) -> None:
    for ts in sorted(I18N_DIR.glob("payapp_*.ts")):
        fresh = i18n_tool.lrelease(ts, tmp_path / ts.with_suffix(".qm").name)
        committed = ts.with_suffix(".qm")
        assert committed.exists(), f"{committed.name} missing: run `python tools/i18n.py compile`"
        assert committed.read_bytes() == fresh.read_bytes(), (
            f"{committed.name} is stale: run `python tools/i18n.py compile`")


def test_fill_writes_finished_translations(i18n_tool: ModuleType, tmp_path: Path) -> None:
    ts = tmp_path / "payapp_de.ts"
    ts.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n<TS version="2.1" language="de_DE">'
                  "<context><name>C</name>"
                  '<message><source>Save</source><translation type="unfinished"></translation></message>'
                  '<message numerus="yes"><source>%n invoice(s)</source><translation type="unfinished">'
                  "<numerusform></numerusform><numerusform></numerusform></translation></message>"
                  '<message><source>Open</source><translation type="unfinished"></translation></message>'
                  "</context></TS>", encoding="utf-8")
    filled, unknown = i18n_tool.fill(ts, {"C": {"Save": "Speichern", "%n invoice(s)": ["%n Rechnung", "%n Rechnungen"],
                                                "Nope": "Nein"}})
    assert (filled, unknown) == (2, ["C: Nope"])
    assert i18n_tool.missing(ts) == {"C": {"Open": ""}}
    qm = i18n_tool.lrelease(ts, tmp_path / "x.qm")
    assert qm.stat().st_size > 0


def test_english_plural_forms_are_written(i18n_tool: ModuleType, tmp_path: Path, qapp: QApplication) -> None:
    ts = tmp_path / "payapp_en.ts"
    shutil.copy(I18N_DIR / "payapp_en.ts", ts)
    i18n_tool.lupdate([ts], plural_only=True)
    assert i18n_tool.fill_english_plurals(ts) == [], "English plural forms the (s) rule cannot write"
    assert not i18n_tool.missing(ts), "run `python tools/i18n.py update` and `compile`"
    assert i18n_tool.english_plural_forms("%1 invoice(s)") == ["%1 invoice", "%1 invoices"]
    try:
        install_translators(qapp, "en")
        one = QCoreApplication.translate("PaymentSearchTab", "%1 payment(s)", "", 1)
        many = QCoreApplication.translate("PaymentSearchTab", "%1 payment(s)", "", 2)
        assert (one, many) == ("%1 payment", "%1 payments")
    finally:
        remove_translators(qapp)


def test_ellipses_are_written_one_way_in_each_language(i18n_tool: ModuleType) -> None:
    """English puts "…" right after the word ("Print receipt…"), German after a space ("Beleg drucken …"), as
    German typesetting does; three dots are never used. A value cut short ("fingerprint {fp}…") keeps its "…"."""
    import re

    wrong = []
    for context, message in i18n_tool.messages(I18N_DIR / "payapp_de.ts"):
        source, german = message.findtext("source") or "", message.findtext("translation") or ""
        if "..." in source or "..." in german or re.search(r"\s…", source):
            wrong.append(f"{context}: {source!r} → {german!r}")
        elif re.search(r"\w…\Z", source) and not re.search(r"\w …\Z", german):
            wrong.append(f"{context}: {source!r} → {german!r} (German: a space before …)")
    assert not wrong, "\n".join(wrong)


def test_counts_are_grouped_the_locale_way(qapp: QApplication) -> None:
    assert format_count(1234567, babel_locale("de")) == "1.234.567"
    assert format_count(1234567, babel_locale("en")) == "1,234,567"
    try:
        install_translators(qapp, "de")
        text = QCoreApplication.translate("InvoiceHistoryTab", "%1 invoice(s) · balance %2", "", 1234)
        assert text.replace("%1", format_count(1234, "de_DE")).startswith("1.234 Rechnungen")
    finally:
        remove_translators(qapp)
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))


def test_language_follows_flag_then_setting_then_system() -> None:
    german, french, english = QLocale("de_DE"), QLocale("fr_FR"), QLocale("en_GB")
    assert resolve_language("", "", german) == "de"
    assert resolve_language("", "", french) == "en"
    assert resolve_language("", "de", english) == "de"
    assert resolve_language("en", "de", german) == "en"
    assert resolve_language("pseudo", "", german) == "pseudo"
    assert resolve_language("", "DE", english) == "de"


def test_german_installs_qt_and_payapp_translations(qapp: QApplication) -> None:
    assert (qt_translations_dir() / "qtbase_de.qm").exists(), "PySide6 ships Qt's German (qtbase_de.qm)"
    try:
        assert install_translators(qapp, "de") == "de"
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Abbrechen"   # Qt's own
        assert QCoreApplication.translate("MainWindow", "&File") == "&Datei"           # ours
        assert QLocale().language() == QLocale.Language.German
        assert install_translators(qapp, "en") == "en"
        assert QCoreApplication.translate("MainWindow", "&File") == "&File"
    finally:
        remove_translators(qapp)
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))


def test_babel_locale_formats_company_currency_the_german_way() -> None:
    assert babel_locale("de") == "de_DE"
    assert format_money(123456, "USD", babel_locale("de")).replace("\xa0", " ") == "1.234,56 $"
    assert format_money(123456, "USD", babel_locale("en")) == "$1,234.56"


def test_pseudo_locale_stretches_but_keeps_placeholders(qapp: QApplication) -> None:
    text = "Paid {amount} on %1 — &File <b>now</b>"
    stretched = pseudo_translate(text)
    assert len(stretched) >= len(text) * 1.3
    assert "{amount}" in stretched and "%1" in stretched and "<b>" in stretched and "&F" in stretched
    assert stretched.format(amount="X")                          # still a valid format string
    assert pseudo_translate("QT_LAYOUT_DIRECTION") == "QT_LAYOUT_DIRECTION"
    try:
        install_translators(qapp, "pseudo")
        assert QCoreApplication.translate("MainWindow", "Admin") == pseudo_translate("Admin") != "Admin"
    finally:
        remove_translators(qapp)


def _untranslatable_calls(path: Path) -> list[str]:
    """Calls pyside6-lupdate cannot extract: a bare `tr(...)` alias of QCoreApplication.translate (lupdate reads
    it as self.tr with a comment), QT_TRANSLATE_NOOP with a variable context, an f-string passed to tr().
    (translate(CONTEXT, column.header) at display time is fine: the text was marked by QT_TRANSLATE_NOOP.)"""
    import ast

    problems = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        literal = [isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args]
        where = f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name}:{node.lineno}"
        if name == "tr" and isinstance(func, ast.Name) and literal[:1] == [True]:
            # lupdate files a bare tr("x") under the EMPTY context (and tr("Ctx", "x") as text "Ctx"), while the
            # alias looks it up under its own context at run time: the German is never found.
            problems.append(f"{where}: bare tr() alias — call QCoreApplication.translate(\"Context\", ...) itself")
        elif name == "QT_TRANSLATE_NOOP" and len(node.args) >= 2 and not all(literal[:2]):
            problems.append(f"{where}: QT_TRANSLATE_NOOP() needs string literals for context and text")
        elif name == "translate" and len(node.args) >= 2 and literal[1] and not literal[0]:
            problems.append(f"{where}: translate() with a literal text needs a literal context too")
        elif name in ("tr", "translate") and any(isinstance(a, ast.JoinedStr | ast.BinOp) for a in node.args[:2]):
            problems.append(f"{where}: {name}() of an f-string or concatenation: translate first, then .format()")
    return problems


def test_every_translation_call_can_be_extracted_by_lupdate() -> None:
    problems = [p for path in sorted((ROOT / "payapp" / "ui").rglob("*.py")) for p in _untranslatable_calls(path)]
    assert not problems, "lupdate would miss these strings:\n" + "\n".join(problems)


def test_the_extraction_check_catches_what_lupdate_misses(tmp_path: Path) -> None:
    source = tmp_path / "bad.py"
    source.write_text("CONTEXT = 'Table'\n"
                      "def tr(text): return QCoreApplication.translate('Table', text)\n"
                      "a = tr('Savings')\n"                                        # alias: filed under ''
                      "b = QCoreApplication.translate(CONTEXT, 'Card')\n"          # variable context
                      "c = QT_TRANSLATE_NOOP(CONTEXT, 'Open')\n"
                      "d = self.tr(f'Paid {amount}')\n"                            # f-string
                      "e = self.tr('Paid') + ' ' + self.tr(LABELS[k])\n"           # fine
                      "f = QCoreApplication.translate('Table', LABELS[k])\n",      # fine: marked elsewhere
                      encoding="utf-8")
    problems = _untranslatable_calls(source)
    assert [p.split(":")[1] for p in problems] == ["3", "4", "5", "6"], problems


def _error_classes() -> set[str]:
    """Names of PayAppError and every subclass of it in the domain, services and connectors."""
    import importlib
    import pkgutil

    from payapp.domain.errors import PayAppError

    for package in ("payapp.domain", "payapp.services", "payapp.connectors"):
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, package + "."):
            importlib.import_module(info.name)
    found, todo = set(), [PayAppError]
    while todo:
        cls = todo.pop()
        found.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return found


def _message_templates(node: object, constants: dict[str, str]) -> list[str]:
    """The texts a message expression can produce, each value written as "\\0" (numbered %1, %2 … later)."""
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Name) and node.id in constants:
        return [constants[node.id]]
    if isinstance(node, ast.JoinedStr):
        texts = [""]
        for part in node.values:
            if isinstance(part, ast.Constant):
                texts = [t + str(part.value) for t in texts]
            elif (isinstance(part, ast.FormattedValue) and isinstance(part.value, ast.IfExp)
                  and isinstance(part.value.body, ast.Constant) and isinstance(part.value.orelse, ast.Constant)):
                texts = [t + str(choice.value) for t in texts for choice in (part.value.body, part.value.orelse)]
            else:
                texts = [t + "\0" for t in texts]
        return texts
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [a + b for a in _message_templates(node.left, constants)
                for b in _message_templates(node.right, constants)]
    if isinstance(node, ast.IfExp):
        return _message_templates(node.body, constants) + _message_templates(node.orelse, constants)
    if isinstance(node, ast.Tuple) and node.elts:                   # (ok, message)
        return _message_templates(node.elts[-1], constants)
    return []


# Functions of the services whose every returned text is shown to the user (a payment's result banner, the
# result of Test connection).
RESULT_FUNCTIONS = ("_message", "test", "test_autotask", "test_quickbooks", "test_keys")
# Calls whose argument at that position is shown to the user: sync progress (status bar), a job's last error.
MESSAGE_ARGUMENTS = {"_say": 3, "_failed": 1}
# Attributes whose every assigned text is shown to the user: the Autotask threshold warning (status bar), why a
# payment needs attention (Payment Search; kept as a Message: to_stored).
MESSAGE_ATTRIBUTES = ("_warning", "attention")
# Calls whose keyword argument is shown to the user: a gateway decision's words (the payment's response text, and
# inside its result), a result's message.
MESSAGE_KEYWORDS = {"_Decision": "message", "replace": "message"}
# The gateway's own words that the engine writes as a gateway would (a look-up found the void or refund): shown as
# the gateway's response, never translated.
GATEWAY_WORDS = frozenset({"SUCCESS", "Transaction Void Successful"})


def raised_messages() -> dict[str, str]:
    """{template: where} for every message the domain, services and connectors raise in a PayAppError, and every
    text a RESULT_FUNCTIONS function returns."""
    import ast

    errors = _error_classes()
    found: dict[str, str] = {}
    layers = ("domain", "services", "connectors")
    for path in sorted(p for layer in layers for p in (ROOT / "payapp" / layer).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {target.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
                     and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
                     for target in node.targets if isinstance(target, ast.Name)}
        messages: list[tuple[ast.expr, int]] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args:
                func = node.exc.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                if name in errors:
                    messages.append((node.exc.args[0], node.lineno))
            if isinstance(node, ast.ClassDef) and node.name in errors:   # super().__init__("…") of an error class
                messages.extend((call.args[0], call.lineno) for call in ast.walk(node) if isinstance(call, ast.Call)
                                and isinstance(call.func, ast.Attribute) and call.func.attr == "__init__" and call.args)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in RESULT_FUNCTIONS:
                messages.extend((ret.value, ret.lineno) for ret in ast.walk(node)
                                if isinstance(ret, ast.Return) and ret.value is not None)
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and len(node.args) > MESSAGE_ARGUMENTS.get(node.func.attr, 99)):
                messages.append((node.args[MESSAGE_ARGUMENTS[node.func.attr]], node.lineno))
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Attribute) and t.attr in MESSAGE_ATTRIBUTES
                                                    for t in node.targets):
                messages.append((node.value, node.lineno))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in MESSAGE_KEYWORDS:
                messages.extend((kw.value, node.lineno) for kw in node.keywords
                                if kw.arg == MESSAGE_KEYWORDS[node.func.id])
        for expression, line in messages:
            for text in filter(None, _message_templates(expression, constants)):     # "": no message
                pieces = text.split("\0")
                template = "".join(piece + (f"%{i + 1}" if i < len(pieces) - 1 else "")
                                   for i, piece in enumerate(pieces))
                found.setdefault(template, f"{path.relative_to(ROOT)}:{line}")
    return found


def test_no_service_raises_a_sentence_of_its_own_in_english() -> None:
    """The domain, the services and the connectors tell people things as Message objects (msg("…"): checked by
    tests/unit/test_messages.py). An English text the scan still finds raised or returned is either a gateway's own
    words (GATEWAY_WORDS, shown as they are) or the English of a catalogue message without values (shown from the
    catalogue in the UI's language): anything else would reach a German user in English."""
    from payapp.domain.message_catalogue import ENGLISH
    from payapp.domain.messages import placeholders

    converted = {text for text in ENGLISH.values() if not placeholders(text)}
    raised = raised_messages()
    missing = sorted(f"{where}: {template}" for template, where in raised.items()
                     if template not in converted and template not in GATEWAY_WORDS)
    assert not missing, ("These texts reach the user in English: raise or return a Message (msg(...), its English "
                         "and German in payapp/domain/message_catalogue*.py) instead:\n" + "\n".join(missing))


async def _sync_progress_messages(sqlite_url: str, secret_store: object, current_user: object) -> list[Message]:
    """Every progress message and warning a small sync against the Autotask sandbox reports: a full sync with
    Autotask's hourly API use past 50%, then an incremental one past 75%."""
    import time

    import httpx

    from payapp.connectors.psa.autotask import AutotaskConnector
    from payapp.models.db import Database
    from payapp.sandbox.autotask import (
        DEMO_API_USER,
        DEMO_INTEGRATION_CODE,
        DEMO_SECRET,
        AutotaskSandbox,
        create_autotask_app,
    )
    from payapp.services.settings import SettingsService
    from payapp.services.sync import SyncService

    sandbox = AutotaskSandbox(companies=3, contacts_per_company=1, invoices=1050, lines_per_invoice=1, seed=3)
    seen: list[Message] = []

    async def no_sleep(_: float) -> None:
        return None

    db = Database(sqlite_url)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_autotask_app(sandbox))) as http:
        async def autotask() -> AutotaskConnector:
            return AutotaskConnector("http://autotask.test/atservicesrest", http, api_user=DEMO_API_USER,
                                     secret=DEMO_SECRET, integration_code=DEMO_INTEGRATION_CODE, sleep=no_sleep)

        service = SyncService(db, autotask, None, SettingsService(db, secret_store, current_user), current_user)
        try:
            sandbox.delay_over_50 = sandbox.delay_over_75 = 0.001    # Autotask's own slow-down, shortened
            for used in (5_200, 8_000):                     # other integrations' requests this hour
                sandbox.request_times[:0] = [time.monotonic()] * (used - sandbox.requests_this_hour())
                report = await service.run(lambda p: seen.extend(m for m in (p.message, p.warning) if m is not None))
                if report.warning is not None:
                    seen.append(report.warning)
        finally:
            await db.dispose()
    return list(dict.fromkeys(seen))


def _message_ids(message: Message) -> list[str]:
    """The ids of a message and of the messages nested in its values ("Reading {entity}…" and "billing items")."""
    return [message.id] + [i for value in message.args.values() if isinstance(value, Message)
                           for i in _message_ids(value)]


async def test_every_sync_progress_text_is_listed_for_translation(
        qapp: QApplication, sqlite_url: str, secret_store: object, current_user: object) -> None:
    """A message the sync shows in the status bar (progress, the threshold warnings) has its German in the
    catalogue, and so has every message nested in it; in German its counts are grouped the German way."""
    from payapp.domain.message_catalogue import GERMAN
    from payapp.ui.messages import message_text

    messages = await _sync_progress_messages(sqlite_url, secret_store, current_user)
    english = [m.english() for m in messages]
    for expected in ("Connecting to Autotask…", "Reading invoices: 1,050 of 1,050", "Indexing invoices…",
                     "Sync finished.", "(over 50%)", "(over 75%)"):
        assert any(expected in text for text in english), f"the sync never said {expected!r}: {english}"
    unlisted = sorted({i for m in messages for i in _message_ids(m) if not GERMAN.get(i)})
    assert not unlisted, ("The sync shows these in English: give them their German in the catalogue "
                          "(payapp/domain/message_catalogue_sync.py):\n" + "\n".join(unlisted))
    try:
        install_translators(qapp, "de")
        german = [message_text(m) for m in messages]
    finally:
        remove_translators(qapp)
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    assert "Lese Rechnungen: 1.050 von 1.050" in german
    assert not set(german) & set(english), "a progress message was shown in English in German"


def test_sync_progress_is_shown_in_german_with_german_counts(qapp: QApplication) -> None:
    from payapp.domain.messages import msg
    from payapp.ui.messages import message_text

    billing_items, invoices = msg("sync_entity.billing_items"), msg("sync_entity.invoices")
    try:
        install_translators(qapp, "de")
        assert message_text(msg("sync.reading_of", entity=billing_items, done=10_000, total=12_345)) == (
            "Lese Rechnungspositionen: 10.000 von 12.345")
        assert message_text(msg("sync.reading", entity=invoices, done=1_000)) == "Lese Rechnungen: 1.000"
        assert message_text(msg("sync.reading_start", entity=msg("sync_entity.companies"))) == "Lese Firmen …"
        assert message_text(msg("sync.finished")) == "Abgleich abgeschlossen."
        assert message_text(msg("sync.api_use_half", used=5_200, limit=10_000)) == (
            "Die Autotask-API-Nutzung liegt in dieser Stunde bei 5.200 von 10.000 Anfragen (über 50 %): "
            "Der Abgleich wird verlangsamt.")
        # the connectors' results are messages: their counts are written the German way by the renderer
        assert message_text(msg("autotask.connected", host="ww3.autotask.net", used=1234, limit=10000)) == (
            "Verbunden mit ww3.autotask.net · 1.234 von 10.000 Anfragen in dieser Stunde verbraucht")
        # an id is a text value, not a count: never grouped
        assert message_text(msg("outbox.invoice_gone", invoice="12345")) == "Rechnung 12345 gibt es nicht mehr."
    finally:
        remove_translators(qapp)
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    assert message_text(msg("sync.reading_of", entity=invoices, done=1_000, total=10_000)) == (
        "Reading invoices: 1,000 of 10,000")


def test_a_stored_sync_error_is_shown_in_the_readers_language(qapp: QApplication) -> None:
    """A job's last_error written as a message (to_stored) reads back in German on a German workstation, whatever
    language the workstation that wrote it spoke; a row written before messages were data shows its English."""
    from payapp.domain.messages import msg
    from payapp.domain.money import Money
    from payapp.domain.outbox_jobs import stored_error
    from payapp.ui.messages import stored_message_text

    stored = stored_error(msg("qbwc.record_keeps_changing",
                              answer=msg("qbxml.answer_status", message="Object changed", status="3200")))
    dismissed = stored_error(msg("outbox.dismissed", reason="entered by hand"))
    legacy = "QuickBooks refused it: boom"               # plain English from before (and no TEXTS entry)
    try:
        install_translators(qapp, "de")
        assert stored_message_text(stored) == (
            "QuickBooks Desktop: Object changed (Status 3200): Der Datensatz ändert sich in QuickBooks ständig.")
        assert stored_message_text(dismissed) == "Verworfen: entered by hand"
        assert stored_message_text(legacy) == legacy
        # an old row whose English PayApp still knows is shown in German all the same
        assert stored_message_text("Sign in first.") == "Melden Sie sich zuerst an."
        assert stored_message_text(stored_error(msg("outbox.subject_invoice_company_amount", invoice="7",
                                                    company="Acme", amount=Money(1250, "EUR")))) == (
            "Rechnung 7 · Acme · 12,50\xa0€")
    finally:
        remove_translators(qapp)
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    assert stored_message_text(stored) == (
        "QuickBooks Desktop: Object changed (status 3200): the record keeps changing in QuickBooks.")
    assert stored_message_text(legacy) == legacy


def test_service_messages_are_shown_in_german_with_their_values(qapp: QApplication) -> None:
    from payapp.domain.errors import PayAppError, ValidationError
    from payapp.domain.messages import msg
    from payapp.ui.messages import legacy_text, user_text

    try:
        install_translators(qapp, "de")
        # a converted message (payapp/domain/messages.py) is rendered from the catalogue, and so are its English
        # words passed on as text by a module not converted yet
        assert user_text(ValidationError(msg("card.expired"))) == "Diese Karte ist abgelaufen."
        assert user_text(ValidationError("This card has expired.")) == "Diese Karte ist abgelaufen."
        assert user_text(ValidationError(msg("card.cvv_digits", digits=4))) == "Die Prüfnummer hat 4 Ziffern."
        # a payment type's label as a value is rendered in German too (payments/taking.py is converted)
        assert user_text(PayAppError(msg("payment.type_not_enabled", payment_type=msg("payment_type.card")))) == (
            "Zahlungen per Kreditkarte sind nicht aktiviert. Ein Administrator kann sie in der Verwaltung aktivieren.")
        assert legacy_text("Gateway said: DECLINE") == "Gateway said: DECLINE"     # not ours: unchanged
    finally:
        remove_translators(qapp)
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))


def test_connector_errors_are_shown_in_german_with_their_values(qapp: QApplication) -> None:
    """The connectors raise their errors as messages: QuickBooks throttling, an Autotask HTTP error with its status
    and Autotask's own words, a disconnected QuickBooks with its reason reach a German user in German."""
    from payapp.connectors.accounting.quickbooks_online import FaultEntry, QuickBooksDisconnected, classify
    from payapp.connectors.psa.autotask import AutotaskError
    from payapp.domain.messages import msg
    from payapp.ui.messages import user_text

    throttled = classify(429, [FaultEntry("3001", "ThrottleExceeded", "")])
    refused = AutotaskError(msg("autotask.request_refused", status=404, said="Invoice not found"), status=404)
    server = classify(503, [])
    gone = QuickBooksDisconnected(msg("qbo.why.sign_in_invalid"))
    try:
        install_translators(qapp, "de")
        assert user_text(throttled) == "QuickBooks bremst die Anfragen; PayApp wartet und versucht es erneut."
        assert user_text(refused) == "Autotask hat die Anfrage abgewiesen (HTTP 404): Invoice not found"
        assert user_text(server) == "QuickBooks hatte einen Serverfehler (HTTP 503); PayApp versucht es erneut."
        assert user_text(gone) == ("QuickBooks ist getrennt (die Anmeldung ist nicht mehr gültig): Verbinden Sie "
                                   "QuickBooks in Verwaltung › Verbindungen erneut.")
    finally:
        remove_translators(qapp)
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    assert user_text(refused) == "Autotask refused the request (HTTP 404): Invoice not found"
    assert throttled.user_message == "QuickBooks is throttling requests; PayApp will wait and try again."


def test_messages_are_rendered_in_the_installed_language(qapp: QApplication) -> None:
    """A Message (payapp/domain/messages.py) is shown in the language install_translators installed: German from
    the catalogue with German money, the pseudo-locale's stretched English, English again after removal."""
    from payapp.domain.errors import ValidationError
    from payapp.domain.gateways import NMI, PAYENGINE
    from payapp.domain.messages import msg
    from payapp.domain.money import Money
    from payapp.ui.messages import card_check_text, message_text, user_text

    at_most = ValidationError(msg("amount.at_most", maximum=Money(999999999, "USD")), field="amount")
    try:
        install_translators(qapp, "de")
        assert user_text(at_most).replace("\xa0", " ") == "Ein Betrag darf höchstens 9.999.999,99 $ sein."
        assert card_check_text("N", "M") == ("Weder Straße noch Postleitzahl stimmen überein. "
                                             "Der Sicherheitscode (CVV) stimmt überein.")
        # the gateway table's labels are messages; as values of a service's text not converted yet they are
        # rendered from the catalogue too
        assert message_text(NMI.label_message) == "BNG Gateway (NMI-Protokoll)"
        # services/gateways.py is converted: the labels are nested messages of its message
        assert message_text(msg("gateways.enter_credential", gateway=PAYENGINE.label_message,
                                credential=PAYENGINE.fields[0].label_message)) == (
            "Concardis PayEngine: Geben Sie unter Verwaltung API-Schlüssel ein.")
        install_translators(qapp, "pseudo")
        stretched = message_text(msg("card.cvv_digits", digits=4))
        assert stretched.startswith("[Ţĥé ") and " 4 " in stretched and stretched.endswith("~]")
    finally:
        remove_translators(qapp)
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    assert user_text(at_most) == "An amount can be at most $9,999,999.99."


def test_payment_results_and_sync_problems_are_shown_in_german_with_german_money(qapp: QApplication) -> None:
    """A payment's result and a void's are Messages: German from the catalogue with German money; PayApp's words
    nested in one, a flag kept in the database and a sync problem's subject are German too."""
    from payapp.domain.messages import msg, to_stored
    from payapp.domain.money import Money
    from payapp.ui.messages import message_text, stored_message_text

    approved = msg("payment_result.approved", amount=Money(123456, "USD"), transaction="55001")
    try:
        install_translators(qapp, "de")
        assert message_text(msg("payment_result.card_declined", reason="DECLINE")).startswith(
            "Die Karte wurde abgelehnt (DECLINE). Bitten Sie den Kunden")
        assert message_text(approved).replace("\xa0", " ") == "Zahlung über 1.234,56 $ genehmigt (Transaktion 55001)."
        assert message_text(msg("refund_result.void_done", amount=Money(5000, "JPY"))).replace("\xa0", " ") == (
            "Storno über 5.000 ¥ erledigt.")
        assert message_text(msg("payment_result.not_taken", reason=msg("payment_result.unreachable"))).startswith(
            "Das Gateway hat die Zahlung nicht angenommen (Das Gateway war nicht erreichbar; nichts wurde belastet.)")
        flag = to_stored(msg("attention.returned_after_refund", amount=Money(1250, "EUR")), limit=300)
        assert stored_message_text(flag).replace("\xa0", " ").startswith(
            "Die Bank hat diesen eCheck zurückgegeben, nachdem 12,50 € davon erstattet worden war")
        assert stored_message_text("DECLINE") == "DECLINE"       # the gateway's own words: as they are
        assert message_text(msg("outbox.subject_invoice_company_amount", invoice="2026-000123", company="Acme Dental",
                                amount=Money(1250, "EUR"))).replace("\xa0", " ") == (
            "Rechnung 2026-000123 · Acme Dental · 12,50 €")
        assert message_text(msg("outbox.invoice_gone", invoice="7")) == "Rechnung 7 gibt es nicht mehr."
    finally:
        remove_translators(qapp)
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    assert message_text(approved) == "Payment of $1,234.56 approved (transaction 55001)."


def test_the_message_scan_reads_raises_fstrings_and_error_classes() -> None:
    import ast

    tree = ast.parse("f'Use at most {digits} decimal places.'\n'a' + (' (b).' if x else '.')\n", mode="exec")
    first, second = (node.value for node in tree.body if isinstance(node, ast.Expr))
    assert _message_templates(first, {}) == ["Use at most \0 decimal places."]
    assert _message_templates(second, {}) == ["a (b).", "a."]
    assert "ValidationError" in _error_classes() and "QuickBooksDisconnected" in _error_classes()


# Files whose `#:` comments still leak into the .ts; owned by other changes (remove an entry when it is fixed).
LEAKING_NOTES: tuple[str, ...] = ()


def _leaking_translator_notes(path: Path) -> list[str]:
    """lupdate takes a `#:` comment as a translator note for the NEXT translatable string, however far below it
    is: a `#:` comment is only right directly above a line that marks a string (tr, translate, QT_TRANSLATE_NOOP)."""
    import re

    lines = path.read_text(encoding="utf-8").splitlines()
    marks = re.compile(r"\b(tr|translate|QT_TRANSLATE_NOOP|QT_TR_NOOP)\(")
    problems = []
    for i, line in enumerate(lines):
        if not line.lstrip().startswith("#:"):
            continue
        following = next((rest for rest in lines[i + 1:] if not rest.lstrip().startswith("#")), "")
        if not marks.search(following):
            problems.append(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name}:{i + 1}")
    return problems


def test_code_comments_do_not_become_translator_notes(tmp_path: Path) -> None:
    problems = [p for path in sorted((ROOT / "payapp" / "ui").rglob("*.py"))
                if str(path.relative_to(ROOT)) not in LEAKING_NOTES for p in _leaking_translator_notes(path)]
    assert not problems, ("lupdate copies these `#:` comments into the .ts as translator notes: write `#`:\n"
                          + "\n".join(problems))
    sample = tmp_path / "sample.py"
    sample.write_text("#: A list of open dialogs.\nOPEN = []\n#: The window title.\nt = self.tr('PayApp')\n",
                      encoding="utf-8")
    assert _leaking_translator_notes(sample) == ["sample.py:1"]

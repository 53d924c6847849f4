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

from payapp.domain.money import format_money
from payapp.ui.i18n import (
    I18N_DIR,
    babel_locale,
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

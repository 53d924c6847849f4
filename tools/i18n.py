"""Translations: extract, check, fill in and compile.

    python tools/i18n.py update             # pyside6-lupdate over payapp/**/*.py -> payapp/resources/i18n/*.ts
    python tools/i18n.py missing            # German strings still to translate, as JSON ready to fill in
    python tools/i18n.py missing -o todo.json
    python tools/i18n.py fill todo.json     # merge {context: {source: german}} into payapp_de.ts (finished)
    python tools/i18n.py compile            # pyside6-lrelease: .ts -> .qm next to them (committed, small)
    python tools/i18n.py check              # exit 1 when a German string is missing or a .qm is stale

The final pass after new strings land: `update`, `missing -o todo.json`, write the German into todo.json,
`fill todo.json`, `compile`, then commit payapp/resources/i18n. `fill` leaves finished translations alone
(--overwrite replaces them). The .ts is the one place a widget text's German lives (the messages of the Qt-free
layers have theirs in payapp/domain/message_catalogue*.py); a translation `update` dropped (a string that moved to
another context) is taken from the .ts in git and filled again. A plural message (%n) takes a list of two forms:
["%n Rechnung", "%n Rechnungen"].

English is the source language: payapp_en.ts holds only the plural forms (-pluralonly), so "1 invoices" can
be said right; `update` fills them from the source's "(s)" ("%1 invoice(s)" → "%1 invoice" / "%1 invoices").
Locations are not stored (-locations none), so the .ts files change only when strings do.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "payapp"
I18N = PACKAGE / "resources" / "i18n"
DE_TS = I18N / "payapp_de.ts"
EN_TS = I18N / "payapp_en.ts"
# Qt-free layers (services, connectors, models, sandbox, migrations) show no text of their own... but a
# QT_TRANSLATE_NOOP marker anywhere is still found: the whole package is scanned, it takes a second.
SKIP_DIRS = ("migrations",)
DISAMBIGUATION = " @@ "


def tool(name: str) -> str:
    """pyside6-lupdate / pyside6-lrelease from the venv this Python runs in (PySide6-Essentials ships both)."""
    bin_dir = Path(sys.executable).parent
    for candidate in (bin_dir / f"pyside6-{name}", bin_dir / f"pyside6-{name}.exe"):
        if candidate.exists():
            return str(candidate)
    found = shutil.which(f"pyside6-{name}")
    if not found:
        raise SystemExit(f"pyside6-{name} not found: install PySide6-Essentials into this environment")
    return found


def sources(package: Path = PACKAGE) -> list[Path]:
    return sorted(p for p in package.rglob("*.py")
                  if not any(part in SKIP_DIRS for part in p.relative_to(package).parts))


def lupdate(ts_files: list[Path], *, package: Path = PACKAGE, plural_only: bool = False) -> None:
    """Extract strings from the package's .py files into ts_files (merging with what they hold)."""
    files = [str(p) for p in sources(package)]
    for ts in ts_files:
        ts.parent.mkdir(parents=True, exist_ok=True)
        args = [tool("lupdate"), "-silent", "-no-obsolete", "-locations", "none", "-source-language", "en_US",
                "-target-language", "de_DE" if ts.stem.endswith("_de") else "en_US"]
        if plural_only:
            args.append("-pluralonly")
        subprocess.run([*args, *files, "-ts", str(ts)], check=True)


def lrelease(ts: Path, qm: Path | None = None) -> Path:
    qm = qm or ts.with_suffix(".qm")
    subprocess.run([tool("lrelease"), "-silent", str(ts), "-qm", str(qm)], check=True)
    return qm


def messages(ts: Path) -> Iterator[tuple[str, ET.Element]]:
    """(context name, <message>) for every message of a .ts file."""
    root = ET.parse(ts).getroot()
    for context in root.iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            yield name, message


def key_of(message: ET.Element) -> str:
    """The JSON key of a message: its source text, plus " @@ comment" when it has a disambiguation comment."""
    source, comment = message.findtext("source") or "", message.findtext("comment") or ""
    return f"{source}{DISAMBIGUATION}{comment}" if comment else source


def is_finished(message: ET.Element) -> bool:
    translation = message.find("translation")
    if translation is None or translation.get("type") in ("unfinished", "obsolete", "vanished"):
        return False
    if message.get("numerus") == "yes":
        forms = [f.text or "" for f in translation.iter("numerusform")]
        return bool(forms) and all(forms)
    return bool(translation.text)


def missing(ts: Path = DE_TS) -> dict[str, dict[str, object]]:
    """{context: {source: ""}} (or ["", ""] for plural messages) for every message not finished in `ts`."""
    todo: dict[str, dict[str, object]] = {}
    for context, message in messages(ts):
        if is_finished(message):
            continue
        todo.setdefault(context, {})[key_of(message)] = ["", ""] if message.get("numerus") == "yes" else ""
    return todo


def fill(ts: Path, translations: dict[str, dict[str, object]], *, overwrite: bool = False) -> tuple[int, list[str]]:
    """Write translations into `ts` and mark them finished; a message already finished keeps its translation
    unless `overwrite`. Returns (filled, sources not found in the file)."""
    tree = ET.parse(ts)
    index = {}
    for context in tree.getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            index[(name, key_of(message))] = message
    filled, unknown = 0, []
    for context, entries in translations.items():
        for source, german in entries.items():
            message = index.get((context, source))
            if message is None:
                unknown.append(f"{context}: {source}")
                continue
            if not german or (isinstance(german, list) and not all(german)):
                continue
            if is_finished(message) and not overwrite:
                continue
            translation = message.find("translation")
            if translation is None:
                translation = ET.SubElement(message, "translation")
            translation.attrib.pop("type", None)
            for child in list(translation):
                translation.remove(child)
            if message.get("numerus") == "yes":
                forms = german if isinstance(german, list) else [str(german)] * 2
                translation.text = None
                for form in forms:
                    ET.SubElement(translation, "numerusform").text = str(form)
            else:
                translation.text = str(german)
            filled += 1
    # Laid out as lupdate lays it out (contexts at the margin), so `update` after `fill` changes no line.
    root = tree.getroot()
    root.text = "\n"
    for context in root:
        ET.indent(context, space="    ")
        context.tail = "\n"
    body = ET.tostring(root, encoding="unicode")
    body = re.sub(r">([^<]*)<", lambda m: ">" + m.group(1).replace("'", "&apos;").replace('"', "&quot;") + "<", body)
    ts.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n", encoding="utf-8")
    return filled, unknown


def english_plural_forms(source: str) -> list[str] | None:
    """"%1 invoice(s)" → ["%1 invoice", "%1 invoices"]: English plurals follow the "(s)" convention of the
    source text. None when the text does not use it (then write the forms into payapp_en.ts by hand)."""
    if "(s)" not in source:
        return None
    return [source.replace("(s)", ""), source.replace("(s)", "s")]


def fill_english_plurals(ts: Path = EN_TS) -> list[str]:
    """Fill every unfinished plural message of the English file from its "(s)" source; returns the sources that
    could not be filled."""
    forms: dict[str, dict[str, object]] = {}
    left = []
    for context, message in messages(ts):
        if message.get("numerus") != "yes" or is_finished(message):
            continue
        source = message.findtext("source") or ""
        english = english_plural_forms(source)
        if english is None:
            left.append(f"{context}: {source}")
        else:
            forms.setdefault(context, {})[key_of(message)] = english
    if forms:
        fill(ts, forms)
    return left


def update() -> None:
    lupdate([DE_TS])
    lupdate([EN_TS], plural_only=True)
    for line in fill_english_plurals():
        print(f"{EN_TS.name}: write the English plural forms by hand: {line}", file=sys.stderr)


def stale_catalogues() -> list[str]:
    """The committed .qm files that differ from what their .ts compiles to now (the app loads the .qm)."""
    import tempfile

    stale = []
    with tempfile.TemporaryDirectory() as tmp:
        for ts in sorted(I18N.glob("payapp_*.ts")):
            fresh = lrelease(ts, Path(tmp) / ts.with_suffix(".qm").name)
            committed = ts.with_suffix(".qm")
            if not committed.exists() or committed.read_bytes() != fresh.read_bytes():
                stale.append(committed.name)
    return stale


def compile_all() -> list[Path]:
    return [lrelease(ts) for ts in sorted(I18N.glob("payapp_*.ts"))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("update", help="extract strings into the .ts files")
    miss = sub.add_parser("missing", help="print the German strings still to translate (JSON)")
    miss.add_argument("-o", "--output", type=Path, help="write the JSON to this file")
    fill_p = sub.add_parser("fill", help="merge a JSON file {context: {source: german}} into payapp_de.ts")
    fill_p.add_argument("json_file", type=Path)
    fill_p.add_argument("--overwrite", action="store_true", help="also replace translations already finished")
    sub.add_parser("compile", help="compile the .ts files to .qm")
    sub.add_parser("check", help="fail when a German string is missing")
    args = parser.parse_args(argv)

    if args.command == "update":
        update()
        todo = missing()
        total = sum(1 for _ in messages(DE_TS))
        print(f"{DE_TS.relative_to(ROOT)}: {total} strings, {sum(len(v) for v in todo.values())} to translate")
    elif args.command == "missing":
        text = json.dumps(missing(), ensure_ascii=False, indent=2)
        if args.output:
            args.output.write_text(text + "\n", encoding="utf-8")
            print(f"{sum(len(v) for v in missing().values())} strings to translate in {args.output}")
        else:
            print(text)
    elif args.command == "fill":
        filled, unknown = fill(DE_TS, json.loads(args.json_file.read_text(encoding="utf-8")),
                               overwrite=args.overwrite)
        print(f"filled {filled} translations")
        for line in unknown:
            print(f"not in {DE_TS.name} (run update first?): {line}", file=sys.stderr)
        left = sum(len(v) for v in missing().values())
        print(f"{left} still to translate")
    elif args.command == "compile":
        for qm in compile_all():
            print(f"{qm.relative_to(ROOT)}: {qm.stat().st_size} bytes")
    elif args.command == "check":
        todo = missing()
        if todo:
            print(json.dumps(todo, ensure_ascii=False, indent=2))
            print(f"{sum(len(v) for v in todo.values())} German strings missing", file=sys.stderr)
            return 1
        print("every string has a German translation")
        stale = stale_catalogues()
        if stale:
            print(f"stale compiled catalogue(s): {', '.join(stale)} — run `python tools/i18n.py compile` and commit",
                  file=sys.stderr)
            return 1
        print("every compiled catalogue matches its .ts file")
    return 0


if __name__ == "__main__":
    sys.exit(main())

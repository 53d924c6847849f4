"""tools/trim_icu.py: the trimmed ICU data library is a valid package that still collates and case-maps German
and English exactly like the full one (Linux bundles only)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import trim_icu  # noqa: E402

PYSIDE_LIB = Path(__import__("PySide6").__file__).parent / "Qt" / "lib"
ICU = sorted(PYSIDE_LIB.glob("libicudata.so.*"))
pytestmark = pytest.mark.skipif(not ICU or shutil.which("gcc") is None or shutil.which("readelf") is None,
                                reason="Linux PySide6 wheel with ICU, gcc and readelf needed")

CHECK = r"""
from PySide6.QtCore import QCollator, QLocale, QUrl
de = QLocale(QLocale.Language.German, QLocale.Country.Germany)
words = ["Zürich", "Apfel", "Äpfel", "ähnlich", "Bär", "zebra", "Österreich", "Ofen"]
print(sorted(words, key=QCollator(de).sortKey))
print(sorted(["role", "Rôle", "resume", "résumé"], key=QCollator(QLocale("en_US")).sortKey))
print(de.toUpper("straße"), de.toLower("ÄÖÜ"), QUrl.toAce("müller.de"))
"""


def test_keep_rules() -> None:
    keep = ["coll/de.res", "coll/root.res", "de_AT.res", "en_GB.res", "root.res", "pool.res", "res_index.res",
            "brkitr/word.brk", "uprops.icu", "zone/zoneinfo64.res", "likelySubtags.res", "translit/root.res"]
    drop = ["coll/fr.res", "ja.res", "zh_Hant_TW.res", "coll/es_.res", "brkitr/cjdict.dict", "ibm-943_P15A-2003.cnv",
            "translit/Latin_ASCII.res", "zone/fr.res"]
    assert [n for n in keep if not trim_icu.keep_item(n)] == []
    assert [n for n in drop if trim_icu.keep_item(n)] == []


def test_package_round_trip_is_lossless() -> None:
    _symbol, blob = trim_icu.read_symbol(ICU[0])
    header, items = trim_icu.parse_package(blob)
    again = trim_icu.parse_package(trim_icu.build_package(header, items))
    assert again[0] == header
    assert [(n, d.rstrip(b"\0")) for n, d in again[1]] == [(n, d.rstrip(b"\0")) for n, d in items]


def test_trimmed_library_is_small_and_behaves_like_the_full_one(tmp_path: Path) -> None:
    trimmed = tmp_path / ICU[0].name
    shutil.copy(ICU[0], trimmed)
    before, after = trim_icu.trim(trimmed)
    assert after < before / 3

    def run(preload: Path | None) -> str:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        if preload is not None:        # the already-loaded soname wins over the wheel's copy
            env["LD_PRELOAD"] = str(preload)
        return subprocess.run([sys.executable, "-c", CHECK], env=env, capture_output=True, text=True,
                              check=True, timeout=60).stdout

    full = run(None)
    assert "['ähnlich', 'Apfel', 'Äpfel', 'Bär', 'Ofen', 'Österreich', 'zebra', 'Zürich']" in full
    assert run(trimmed) == full

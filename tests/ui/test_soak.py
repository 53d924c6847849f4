"""The short soak (bench/soak.py, issue #15): the demo's window, tabs and dialogs driven by random user actions
with garbage collection forced often, in a child process, ends with no crash and no Qt warning."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

SOAK = Path(__file__).resolve().parents[2] / "bench" / "soak.py"


def _soak(*args: str, timeout: float = 120) -> dict[str, Any]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([sys.executable, str(SOAK), *args], capture_output=True, text=True, env=env,
                          timeout=timeout, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report: dict[str, Any] = json.loads(proc.stdout)
    return report


@pytest.mark.slow
def test_a_short_soak_has_no_crash_and_no_qt_warning() -> None:
    report = _soak("--minutes", "0.3", "--seed", "15")
    assert report["crashes"] == 0, report["children"]
    assert report["qt_warnings"] == 0, report["qt_warning_texts"]
    assert report["actions"] >= 200
    assert report["gc_collections"] >= 20
    assert 0.25 <= report["minutes"] <= 1.5
    assert set(report) >= {"actions", "minutes", "crashes", "qt_warnings"}


@pytest.mark.slow
def test_a_child_that_aborts_is_counted_as_a_crash_and_the_soak_goes_on() -> None:
    report = _soak("--minutes", "1", "--actions", "40", "--abort-after", "20", "--seed", "3")
    assert report["crashes"] == 2
    assert [c["signal"] for c in report["children"]] == [6, 6]           # SIGABRT, as a fatal Python error
    assert report["actions"] == 40

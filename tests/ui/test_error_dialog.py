"""Issue #2: an unhandled exception is logged (redacted) and shown in an error dialog, never a raw crash."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from payapp.config import load_config, setup_logging
from payapp.domain.errors import PayAppError
from payapp.ui.error_dialog import install_excepthook

PAN = "4111111111111111"


@pytest.fixture
def log_path(tmp_path: Path) -> Iterator[Path]:
    previous = sys.excepthook
    path = setup_logging(load_config(demo=True, data_dir=tmp_path / "data"))
    install_excepthook()
    try:
        yield path
    finally:
        sys.excepthook = previous
        root = logging.getLogger()
        for handler in list(root.handlers):
            if getattr(handler, "_payapp", False):
                root.removeHandler(handler)
                handler.close()


def _raise(exc: BaseException) -> None:
    try:
        raise exc
    except BaseException:
        sys.excepthook(*sys.exc_info())


def _error_dialog(qtbot: QtBot) -> QMessageBox:
    def found() -> QMessageBox | None:
        return next((w for w in QApplication.topLevelWidgets()
                     if isinstance(w, QMessageBox) and w.objectName() == "errorDialog" and w.isVisible()), None)

    qtbot.waitUntil(lambda: found() is not None, timeout=5000)
    box = found()
    assert box is not None
    return box


@pytest.mark.logs_warnings("an unhandled error is logged by design")
def test_unhandled_exception_is_logged_redacted_and_shown(qtbot: QtBot, log_path: Path) -> None:
    _raise(RuntimeError(f"the gateway refused ccnumber={PAN}"))
    box = _error_dialog(qtbot)
    try:
        assert "written to the log" in box.text() and PAN not in box.text()
    finally:
        box.close()
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log_path.read_text(encoding="utf-8")
    assert "Unhandled error" in text and "RuntimeError" in text and PAN not in text


@pytest.mark.logs_warnings("an unhandled error is logged by design")
def test_an_app_error_shows_its_own_words(qtbot: QtBot, log_path: Path) -> None:
    _raise(PayAppError("The database is not reachable. Check the network."))
    box = _error_dialog(qtbot)
    try:
        assert "database is not reachable" in box.text()
    finally:
        box.close()

"""Unhandled exceptions: logged (redacted by the handlers) and shown in a dialog, never a raw crash."""

from __future__ import annotations

import logging
import sys
from types import TracebackType

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from payapp.domain.errors import PayAppError
from payapp.ui.messages import user_text

log = logging.getLogger("payapp.crash")


# Error dialogs on screen. A dialog without a parent is owned by its Python wrapper: without this reference the
# box opened from the excepthook's timer was deleted as soon as show_error returned, so no error was ever shown.
_OPEN: list[QMessageBox] = []


def show_error(title: str, text: str) -> QMessageBox | None:
    if QApplication.instance() is None:
        return None
    box = QMessageBox(QMessageBox.Icon.Critical, title, text)
    box.setObjectName("errorDialog")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)      # deleted by Qt, on the GUI thread
    _OPEN.append(box)
    box.finished.connect(lambda _result: _OPEN.remove(box) if box in _OPEN else None)
    box.open()
    return box


def install_excepthook() -> None:
    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        log.error("Unhandled error", exc_info=(exc_type, exc, tb))
        if isinstance(exc, PayAppError):
            message = user_text(exc)
        else:
            message = QCoreApplication.translate(
                "ErrorDialog", "Something went wrong and was written to the log. Nothing was charged twice: "
                "payments in progress are checked with the gateway when PayApp starts again.")
        QTimer.singleShot(0, lambda: show_error("PayApp", message))

    sys.excepthook = hook

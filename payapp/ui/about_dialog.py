"""Help → About: name, version, what it is."""

from __future__ import annotations

import platform

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from payapp import APP_NAME, __version__


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, *, database: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(self.tr("About PayApp"))
        title = QLabel(f"<h2>{APP_NAME}</h2>", self)
        version = QLabel(self.tr("Version {0}").format(__version__), self)
        version.setObjectName("aboutVersion")
        text = QLabel(self.tr("Card and eCheck payments on your invoices, kept in step with "
                              "QuickBooks Online and Autotask."), self)
        text.setWordWrap(True)
        details = QLabel(f"Python {platform.python_version()} · Qt for Python {pyside_version}", self)
        details.setStyleSheet("color: palette(placeholder-text);")
        location = QLabel(self.tr("Company database: {0}").format(database) if database else "", self)
        location.setObjectName("aboutDatabase")
        location.setWordWrap(True)
        location.setTextFormat(Qt.TextFormat.PlainText)
        location.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        location.setVisible(bool(database))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for w in (title, version, text, location, details, buttons):
            layout.addWidget(w)
        self.setMinimumWidth(380)

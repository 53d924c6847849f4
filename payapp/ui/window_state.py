"""Remember window geometry and table column layouts per workstation (a QSettings INI file)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QHeaderView, QWidget


class WindowState:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._settings = QSettings(str(path), QSettings.Format.IniFormat)

    def restore_geometry(self, widget: QWidget, key: str) -> bool:
        data = self._settings.value(f"geometry/{key}")
        return bool(isinstance(data, QByteArray) and widget.restoreGeometry(data))

    def save_geometry(self, widget: QWidget, key: str) -> None:
        self._settings.setValue(f"geometry/{key}", widget.saveGeometry())

    def restore_header(self, header: QHeaderView, key: str) -> bool:
        data = self._settings.value(f"header/{key}")
        return bool(isinstance(data, QByteArray) and header.restoreState(data))

    def save_header(self, header: QHeaderView, key: str) -> None:
        self._settings.setValue(f"header/{key}", header.saveState())

    def value(self, key: str, default: object = None) -> object:
        return self._settings.value(key, default)

    def set_value(self, key: str, value: object) -> None:
        self._settings.setValue(key, value)

    def sync(self) -> None:
        self._settings.sync()

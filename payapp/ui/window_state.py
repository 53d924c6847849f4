"""Remember window geometry and table column layouts per workstation (a QSettings INI file), and what belongs to
one user on this workstation: the grids' hidden columns and Payment Search's saved searches.

Per-user values live under ``user/<name>/...`` in the same file (`for_user`). They stay on the workstation: the
company database has no per-user settings table, and adding one is a migration of its own (docs/architecture.md,
UI state)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QHeaderView, QWidget


class WindowState:
    def __init__(self, path: Path | None = None, *, _settings: QSettings | None = None, _prefix: str = "") -> None:
        if _settings is None:
            assert path is not None
            path.parent.mkdir(parents=True, exist_ok=True)
            _settings = QSettings(str(path), QSettings.Format.IniFormat)
        self._settings = _settings
        self._prefix = _prefix

    def for_user(self, username: str) -> WindowState:
        """The same file, with keys kept apart for `username` ("" for nobody signed in, as in some tests)."""
        # quoted: a "/" or "\" in a name would nest groups; "%" is QSettings-safe
        return WindowState(_settings=self._settings, _prefix=f"user/{quote(username or '-', safe='')}/")

    @property
    def scope(self) -> str:
        return self._prefix

    def restore_geometry(self, widget: QWidget, key: str) -> bool:
        data = self._settings.value(f"{self._prefix}geometry/{key}")
        return bool(isinstance(data, QByteArray) and widget.restoreGeometry(data))

    def save_geometry(self, widget: QWidget, key: str) -> None:
        self._settings.setValue(f"{self._prefix}geometry/{key}", widget.saveGeometry())

    def restore_header(self, header: QHeaderView, key: str) -> bool:
        data = self._settings.value(f"{self._prefix}header/{key}")
        return bool(isinstance(data, QByteArray) and header.restoreState(data))

    def save_header(self, header: QHeaderView, key: str) -> None:
        self._settings.setValue(f"{self._prefix}header/{key}", header.saveState())

    def value(self, key: str, default: object = None) -> object:
        return self._settings.value(f"{self._prefix}{key}", default)

    def set_value(self, key: str, value: object) -> None:
        self._settings.setValue(f"{self._prefix}{key}", value)

    def remove(self, key: str) -> None:
        self._settings.remove(f"{self._prefix}{key}")

    def json_value(self, key: str, default: Any) -> Any:
        """A value stored as JSON text (lists and dicts survive the INI file as they are); `default` when it is
        missing or unreadable (a hand-edited file)."""
        text = self.value(key)
        if not isinstance(text, str) or not text:
            return default
        try:
            value = json.loads(text)
        except ValueError:
            return default
        return value if isinstance(value, type(default)) else default

    def set_json_value(self, key: str, value: Any) -> None:
        self.set_value(key, json.dumps(value, ensure_ascii=False, sort_keys=True))

    def sync(self) -> None:
        self._settings.sync()

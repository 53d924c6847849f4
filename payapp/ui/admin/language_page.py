"""Admin › Language: the language PayApp speaks on every workstation of this company (the "ui.language" setting,
as the README promises); `--language` / PAYAPP_LANGUAGE still win on a workstation that sets them."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from payapp.domain.errors import PayAppError
from payapp.ui.async_work import WidgetTasks, widget_slot
from payapp.ui.messages import user_text
from payapp.ui.widgets import HINT_STYLE, Banner

# The choices, each language named in itself (a user who cannot read the current one still finds theirs).
CHOICES: tuple[tuple[str, str], ...] = (("en", "English"), ("de", "Deutsch"))


class LanguagePage(QWidget):
    def __init__(self, settings: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self.work = WidgetTasks(self, load=self.reload)
        self._saved = ""
        title = QLabel(f"<h2>{self.tr('Language')}</h2>", self)
        self.banner = Banner(self)
        self.combo = QComboBox(self)
        self.combo.setObjectName("languageCombo")
        self.combo.addItem(self.tr("Follow the operating system"), "")
        for code, name in CHOICES:
            self.combo.addItem(name, code)
        self.combo.setAccessibleName(self.tr("Language"))
        hint = QLabel(self.tr("For every workstation of this company, from PayApp's next start. A workstation "
                              "started with --language keeps that language."), self)
        hint.setWordWrap(True)
        hint.setStyleSheet(HINT_STYLE)
        self.save_button = QPushButton(self.tr("Save"), self)
        self.save_button.setObjectName("languageSave")
        self.save_button.clicked.connect(self._on_save)
        form = QFormLayout()
        form.addRow(self.tr("Language:"), self.combo)
        form.addRow("", hint)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addStretch(1)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.work.first_show()

    async def wait_ready(self) -> None:
        await self.work.wait_loaded()

    async def reload(self) -> None:
        try:
            self._saved = str(await self._settings.get("ui.language") or "").strip().lower()
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
        else:
            index = self.combo.findData(self._saved)
            self.combo.setCurrentIndex(index if index >= 0 else 0)

    def has_unsaved_changes(self) -> bool:
        return self.work.loaded and str(self.combo.currentData() or "") != self._saved

    @widget_slot
    async def _on_save(self) -> None:
        choice = str(self.combo.currentData() or "")
        self.save_button.setEnabled(False)
        try:
            await self._settings.set_many({"ui.language": choice})
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
        else:
            self._saved = choice
            self.banner.show_success(self.tr("Saved: PayApp speaks %1 from its next start.").replace(
                "%1", self.combo.currentText()) if choice else self.tr(
                "Saved: PayApp follows the operating system's language from its next start."))
        finally:
            self.save_button.setEnabled(True)

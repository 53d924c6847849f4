"""The company's saved payment methods, one radio button each, in the window's group of ways to pay."""

from __future__ import annotations

from PySide6.QtWidgets import QButtonGroup, QGroupBox, QLabel, QRadioButton, QVBoxLayout, QWidget

from payapp.services.payments import SavedMethodView
from payapp.ui.widgets import HINT_STYLE


class SavedMethodChooser(QGroupBox):
    """Its radio buttons join `group`, so choosing a saved method un-chooses a new card or bank account."""

    def __init__(self, parent: QWidget, group: QButtonGroup) -> None:
        super().__init__(self.tr("Saved payment methods"), parent)
        self.setObjectName("savedMethodsGroup")
        self._group = group
        self._layout = QVBoxLayout(self)
        self._no_saved = QLabel(self.tr("No saved payment methods for this company yet."), self)
        self._no_saved.setStyleSheet(HINT_STYLE)
        self._layout.addWidget(self._no_saved)
        self.methods: list[SavedMethodView] = []
        self.radios: dict[int, QRadioButton] = {}

    def set_methods(self, methods: list[SavedMethodView]) -> None:
        """Show these methods (in place of those shown before); none is chosen."""
        for radio in self.radios.values():
            self._group.removeButton(radio)
            radio.deleteLater()
        self.radios.clear()
        self.methods = methods
        self._no_saved.setVisible(not methods)
        for m in methods:
            text = self.label(m) + (f" · {m.holder_name}" if m.holder_name else "")
            if m.is_default:
                text = self.tr("%1 (last used)").replace("%1", text)
            radio = QRadioButton(text, self)
            radio.setObjectName(f"savedMethod{m.id}")
            radio.setProperty("saved_method_id", m.id)
            self._group.addButton(radio)
            self._layout.addWidget(radio)
            self.radios[m.id] = radio

    def choose(self, method_id: int) -> bool:
        """Choose the method with this id; False when it is not shown."""
        radio = self.radios.get(method_id)
        if radio is None:
            return False
        radio.setChecked(True)
        return True

    def selected(self) -> SavedMethodView | None:
        for m in self.methods:
            radio = self.radios.get(m.id)
            if radio is not None and radio.isChecked():
                return m
        return None

    def find(self, method_id: int) -> SavedMethodView | None:
        return next((m for m in self.methods if m.id == method_id), None)

    def label(self, saved: SavedMethodView) -> str:
        """"Visa •••• 1111 · 12/27", "eCheck Checking •••• 3123": SavedMethodView.label, in the user's language."""
        name = f"{saved.nickname} · " if saved.nickname else ""
        if saved.method == "card":
            expiry = f" · {saved.expiry[:2]}/{saved.expiry[2:]}" if len(saved.expiry) == 4 else ""
            if saved.expiry_state == "expired":
                expiry += " " + self.tr("(expired)")
            elif saved.expiry_state == "expiring":
                expiry += " " + self.tr("(expires soon)")
            brand = saved.brand or self.tr("Card")
            return f"{name}{brand} •••• {saved.last_four}{expiry}"
        kind = self.tr("Savings") if saved.account_type == "savings" else self.tr("Checking")
        return name + self.tr("eCheck %1 •••• %2").replace("%1", kind).replace("%2", saved.last_four)

"""Light and dark palettes. By default PayApp follows the OS colour scheme."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle, QStyleFactory, QStyleOption, QWidget


def dark_palette() -> QPalette:
    p = QPalette()
    base, window, text = QColor("#1e1f22"), QColor("#2b2d31"), QColor("#e6e6e6")
    roles = {
        QPalette.ColorRole.Window: window, QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: base, QPalette.ColorRole.AlternateBase: QColor("#26282c"),
        QPalette.ColorRole.ToolTipBase: window, QPalette.ColorRole.ToolTipText: text,
        QPalette.ColorRole.Text: text, QPalette.ColorRole.Button: QColor("#34373c"),
        QPalette.ColorRole.ButtonText: text, QPalette.ColorRole.BrightText: QColor("#ff6b6b"),
        QPalette.ColorRole.Highlight: QColor("#3d7bd9"), QPalette.ColorRole.HighlightedText: QColor("#ffffff"),
        QPalette.ColorRole.Link: QColor("#7fb0ff"), QPalette.ColorRole.PlaceholderText: QColor("#8a8d93"),
        QPalette.ColorRole.Mid: QColor("#45484e"), QPalette.ColorRole.Dark: QColor("#151618"),
    }
    for role, colour in roles.items():
        p.setColor(role, colour)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#75787e"))
    return p


class PayAppStyle(QProxyStyle):
    """Fusion, with the text of unselected tabs not shifted down: Fusion draws it 2 px lower, so the tab's bottom
    edge cut through descenders ("Abgleichsaufträge", "Rechnungsverlauf" lost the tails of their g)."""

    def __init__(self) -> None:
        super().__init__(QStyleFactory.create("Fusion"))

    def pixelMetric(self, metric: QStyle.PixelMetric, option: QStyleOption | None = None,
                    widget: QWidget | None = None) -> int:
        if metric == QStyle.PixelMetric.PM_TabBarTabShiftVertical:
            return 0
        return super().pixelMetric(metric, option, widget)


def light_palette() -> QPalette:
    style = QApplication.style()
    return style.standardPalette() if style else QPalette()


def apply_palette(app: QApplication, scheme: str = "system") -> None:
    """scheme: "light", "dark" or "system" (follow the OS, also when it changes while PayApp runs)."""
    if not isinstance(app.style(), PayAppStyle):
        app.setStyle(PayAppStyle())
    app.setProperty("payapp_scheme_choice", scheme)
    _follow_system_changes()
    if scheme == "system":
        hints = QGuiApplication.styleHints()
        scheme = "dark" if hints.colorScheme() == Qt.ColorScheme.Dark else "light"
    app.setPalette(dark_palette() if scheme == "dark" else light_palette())
    app.setProperty("payapp_scheme", scheme)


_following = False


def _follow_system_changes() -> None:
    """Re-apply the palette when the OS switches light/dark, as long as the user's choice is "system"."""
    global _following
    if _following:
        return
    _following = True
    QGuiApplication.styleHints().colorSchemeChanged.connect(_on_system_scheme_changed)


def _on_system_scheme_changed(_scheme: Qt.ColorScheme) -> None:
    app = QApplication.instance()
    if isinstance(app, QApplication) and app.property("payapp_scheme_choice") == "system":
        apply_palette(app, "system")

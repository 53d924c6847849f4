"""Light and dark palettes. By default PayApp follows the OS colour scheme."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from PySide6.QtCore import Qt


# Help text and placeholders in the dark palette: 4.5:1 (WCAG AA for text) on the window and on input fields
HINT_DARK = "#9b9ea4"
# What the borders of check boxes, radio buttons and input fields are drawn from in the dark palette (below)
OUTLINE_SOURCE_DARK = "#d2d4d8"
# The same for the light palette: Fusion's own grey hints (3.9:1) and borders (1.7–2:1) are too faint
HINT_LIGHT = "#666666"
OUTLINE_SOURCE_LIGHT = "#a6a6a6"
# Widgets whose border Fusion draws in `Window.darker(140)`: almost black on PayApp's dark window (1.1:1), so
# their frames and indicators disappeared. They get a palette of their own whose Window colour is light; they do
# not paint their Window colour themselves (their background is the parent's, their fields Base), so only the
# border changes, to 3:1 or more against the window and the field (WCAG AA for UI components), and Qt still draws
# it all in C++ (no style sheet, no Python on the paint path; see payapp.ui.style).
OUTLINED_CLASSES = ("QCheckBox", "QRadioButton", "QLineEdit", "QAbstractSpinBox", "QComboBox", "QTextEdit",
                    "QPlainTextEdit")


def outlined_palette(base: QPalette, *, dark: bool = True) -> QPalette:
    """`base` with the Window colour Fusion derives OUTLINED_CLASSES' borders from (light on dark, mid-grey on
    light); disabled ones keep a fainter border."""
    # a copy, not QPalette(base): choosing among QPalette's constructors makes PySide6 create all of the Qt
    # namespace's enum types (~16 ms before the first paint, see apply_palette)
    p = base.__copy__()
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        p.setColor(group, QPalette.ColorRole.Window, QColor(OUTLINE_SOURCE_DARK if dark else OUTLINE_SOURCE_LIGHT))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Window, QColor("#8a8d93" if dark else "#d4d4d4"))
    return p


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
        QPalette.ColorRole.Link: QColor("#7fb0ff"), QPalette.ColorRole.PlaceholderText: QColor(HINT_DARK),
        QPalette.ColorRole.Mid: QColor("#45484e"), QPalette.ColorRole.Dark: QColor("#151618"),
    }
    for role, colour in roles.items():
        p.setColor(role, colour)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#75787e"))
    return p


def light_palette() -> QPalette:
    style = QApplication.style()
    p = style.standardPalette() if style else QPalette()
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        p.setColor(group, QPalette.ColorRole.PlaceholderText, QColor(HINT_LIGHT))
    return p


def apply_palette(app: QApplication, scheme: str = "system", *, before_first_paint: bool = False) -> None:
    """scheme: "light", "dark" or "system" (follow the OS, also when it changes while PayApp runs).

    `before_first_paint` (start-up, payapp.gui): plain Fusion and the palette, with the OS's scheme read from the
    platform's own palette. PySide6 creates all of the Qt namespace's enum types the first time one is used
    (~15 ms, as QStyleHints.colorScheme() returns one), and PayApp's tab bar style costs ~5 ms more: gui.py
    calls again right after the first paint, which gives the tab bars that style, follows OS changes and reads the
    exact scheme."""
    platform_dark = _platform_palette_is_dark(app)      # read before a style's palette replaces the platform's
    if before_first_paint:
        app.setStyle("Fusion")
    else:
        from payapp.ui.style import style_all_tab_bars

        if app.style().name().lower() != "fusion":
            app.setStyle("Fusion")
        style_all_tab_bars(app)
        _follow_system_changes()
    app.setProperty("payapp_scheme_choice", scheme)
    if scheme != "system":
        dark = scheme == "dark"
    elif before_first_paint:
        dark = platform_dark
    else:
        dark = _system_is_dark()
    palette = dark_palette() if dark else light_palette()
    app.setPalette(palette)
    for class_name in OUTLINED_CLASSES:
        app.setPalette(outlined_palette(palette, dark=dark), class_name)
    app.setProperty("payapp_scheme", "dark" if dark else "light")


def _system_is_dark() -> bool:
    from PySide6.QtCore import Qt

    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def _platform_palette_is_dark(app: QApplication) -> bool:
    """Before PayApp sets a palette, the application's palette is the platform theme's, which follows the OS's
    light/dark setting: a dark window colour means dark."""
    return app.palette().color(QPalette.ColorRole.Window).lightness() < 128


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

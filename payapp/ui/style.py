"""PayApp's widget style: Qt's own Fusion for the whole application, and one fix for tab bars only.

Its own module because QProxyStyle takes ~5 ms to load in PySide6: payapp.ui.theme imports it after the window's
first paint.

The fix is a Python override of QStyle.pixelMetric, and Qt calls a style's pixelMetric thousands of times a second
(every layout and paint of every widget that uses it): as the application's style it was the busiest Python code
Qt ran, and a binding bug on that path aborted the app (issue #15, PySide6 6.12.0: "none_dealloc" with pixelMetric
on the stack). So the application keeps plain Fusion, run by Qt in C++, and only tab bars get this style: Python
then runs only when a tab bar is laid out or painted. (A style sheet could zero the shift too, but only through
Qt's box model, which redraws the tabs differently, moves the page 1 px and needs a re-polish on every palette
change.)"""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle, QStyleOption, QTabBar, QTabWidget, QWidget


class PayAppStyle(QProxyStyle):
    """Fusion, with the text of unselected tabs not shifted down: Fusion draws it 2 px lower, so the tab's bottom
    edge cut through descenders ("Abgleichsaufträge", "Rechnungsverlauf" lost the tails of their g)."""

    def __init__(self) -> None:
        super().__init__("Fusion")

    def pixelMetric(self, metric: QStyle.PixelMetric, option: QStyleOption | None = None,
                    widget: QWidget | None = None) -> int:
        if metric == QStyle.PixelMetric.PM_TabBarTabShiftVertical:
            return 0
        return super().pixelMetric(metric, option, widget)


def tab_bar_style() -> PayAppStyle:
    """The one PayAppStyle, owned by the QApplication (Qt deletes it with the application, on the GUI thread; a
    widget does not own the style set on it)."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    style = app.findChild(PayAppStyle, "payappTabBarStyle")
    if style is None:
        style = PayAppStyle()
        style.setObjectName("payappTabBarStyle")
        style.setParent(app)
    return style


def style_tab_bar(tabs: QTabWidget | QTabBar) -> None:
    """Give a tab widget's tab bar PayApp's tab style (Fusion with unshifted tab text)."""
    bar = tabs.tabBar() if isinstance(tabs, QTabWidget) else tabs
    style = tab_bar_style()
    if bar.style() is not style:
        bar.setStyle(style)


def style_all_tab_bars(app: QApplication) -> None:
    """`style_tab_bar` for every tab bar that exists now (the main window's, made before the first paint)."""
    for widget in app.allWidgets():
        if isinstance(widget, QTabBar):
            style_tab_bar(widget)

"""PayApp's widget style: Fusion on every platform, with one fix.

Its own module because QProxyStyle takes ~5 ms to load in PySide6: payapp.ui.theme imports it after the window's
first paint."""

from __future__ import annotations

from PySide6.QtWidgets import QProxyStyle, QStyle, QStyleOption, QWidget


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

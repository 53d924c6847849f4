"""PayApp's style (issue #15): the application runs Qt's Fusion with no Python override of QStyle (Qt calls those
on every layout and paint of every widget); only tab bars get the Python fix for Fusion's shifted tab text."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication, QLineEdit, QProxyStyle, QStyle, QTabWidget

from payapp.ui.style import PayAppStyle, style_tab_bar
from payapp.ui.theme import apply_palette

SHIFT = QStyle.PixelMetric.PM_TabBarTabShiftVertical


@pytest.fixture
def tabs(qapp: QApplication) -> Iterator[QTabWidget]:
    widget = QTabWidget()
    widget.addTab(QLineEdit(), "Abgleichsaufträge")
    widget.addTab(QLineEdit(), "Rechnungsverlauf")
    yield widget
    widget.deleteLater()
    apply_palette(qapp, "light")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_application_style_is_qts_fusion_with_no_python_override(qapp: QApplication, tabs: QTabWidget,
                                                                      scheme: str) -> None:
    apply_palette(qapp, scheme)
    style = qapp.style()
    assert not isinstance(style, QProxyStyle)
    assert style.name().lower() == "fusion"
    assert type(style).__module__.startswith("PySide6.")       # a Qt class, not a Python subclass
    assert style.pixelMetric(SHIFT) == 2                          # Fusion's own shift, for reference


def test_existing_and_new_tab_bars_do_not_shift_unselected_tab_text(qapp: QApplication, tabs: QTabWidget) -> None:
    apply_palette(qapp, "light")                                 # after the first paint: existing tab bars
    assert isinstance(tabs.tabBar().style(), PayAppStyle)
    assert tabs.tabBar().style().pixelMetric(SHIFT) == 0
    assert tabs.widget(0).style() is qapp.style()              # the pages keep the application's style

    later = QTabWidget()
    style_tab_bar(later)                                         # a tab widget made later (payment details)
    assert later.tabBar().style() is tabs.tabBar().style()       # one shared style, owned by the application
    assert tabs.tabBar().style().parent() is qapp
    later.deleteLater()

"""Issue #15.8: the dark palette is readable. Measured on rendered pixels (offscreen, Qt's own Fusion drawing), to
WCAG 2.1 AA: text 4.5:1 against its background (1.4.3), the borders that show where a check box, radio button or
input field is 3:1 against what is next to them (1.4.11)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QDate, QPoint, QRect
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QStyle,
    QStyleOptionButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from payapp.ui.theme import apply_palette
from payapp.ui.widgets import HINT_STYLE


def luminance(colour: QColor) -> float:
    """WCAG 2.1 relative luminance."""
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    return 0.2126 * channel(colour.red()) + 0.7152 * channel(colour.green()) + 0.0722 * channel(colour.blue())


def contrast(a: QColor, b: QColor) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def pixel(image: QImage, point: QPoint) -> QColor:
    return QColor(image.pixel(point))


def border_contrast(image: QImage, rect: QRect) -> tuple[float, float]:
    """The border of the box `rect` on the rendered `image`: its strongest pixel across the left edge (the first
    3 px, as anti-aliasing spreads it), against the background 3 px outside and the fill 4 px inside."""
    y = rect.center().y()
    outside = pixel(image, QPoint(rect.left() - 3, y))
    inside = pixel(image, QPoint(rect.left() + 4, y))
    edge = [pixel(image, QPoint(rect.left() + dx, y)) for dx in range(-1, 3)]
    return max(contrast(c, outside) for c in edge), max(contrast(c, inside) for c in edge)


def text_contrast(image: QImage, rect: QRect) -> float:
    """Text in `rect`: its strongest glyph pixel against the background (the rect's top-left pixel)."""
    background = pixel(image, rect.topLeft())
    return max(contrast(pixel(image, QPoint(x, y)), background)
               for y in range(rect.top(), rect.bottom() + 1) for x in range(rect.left(), rect.right() + 1))


@pytest.fixture(params=["dark", "light"])
def scheme(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    apply_palette(qapp, request.param)
    yield request.param
    apply_palette(qapp, "light")


def _form(qtbot: QtBot) -> tuple[QWidget, dict[str, QWidget]]:
    page = QWidget()
    qtbot.addWidget(page)
    form = QFormLayout(page)
    widgets: dict[str, QWidget] = {
        "unchecked": QCheckBox("Refuse card payments whose CVV does not match"),
        "checked": QCheckBox("Back office"),
        "radio": QRadioButton("Credit card"),
        "radio_on": QRadioButton("eCheck"),
        "line": QLineEdit("4111"),
        "empty": QLineEdit(),
        "combo": QComboBox(),
        "spin": QSpinBox(),
        "date": QDateEdit(QDate(2026, 10, 31)),
        "hint": QLabel("A void or refund above this amount is not sent until another user approves it."),
    }
    widgets["checked"].setChecked(True)                  # type: ignore[attr-defined]
    widgets["radio_on"].setChecked(True)                 # type: ignore[attr-defined]
    widgets["empty"].setPlaceholderText("Paste the key from the gateway's control panel")  # type: ignore[attr-defined]
    widgets["combo"].addItems(["Sandbox (test account)", "Production"])  # type: ignore[attr-defined]
    widgets["hint"].setStyleSheet(HINT_STYLE)
    for name, widget in widgets.items():
        widget.setObjectName(name)
        form.addRow(name, widget)
    page.resize(560, 420)
    page.show()
    qtbot.waitExposed(page)
    return page, widgets


def _indicator(widget: QWidget, element: QStyle.SubElement) -> QRect:
    option = QStyleOptionButton()
    widget.initStyleOption(option)                       # type: ignore[attr-defined]
    return widget.style().subElementRect(element, option, widget).translated(widget.pos())


def test_indicators_input_borders_and_help_text_meet_wcag_aa(qtbot: QtBot, scheme: str) -> None:
    page, w = _form(qtbot)
    image = page.grab().toImage()
    problems = []
    for name, element in (("unchecked", QStyle.SubElement.SE_CheckBoxIndicator),
                          ("checked", QStyle.SubElement.SE_CheckBoxIndicator),
                          ("radio", QStyle.SubElement.SE_RadioButtonIndicator),
                          ("radio_on", QStyle.SubElement.SE_RadioButtonIndicator)):
        outside, _inside = border_contrast(image, _indicator(w[name], element))
        if outside < 3:
            problems.append(f"{name} indicator border {outside:.2f}:1 against the window")
    for name in ("line", "empty", "combo", "spin", "date"):
        outside, _inside = border_contrast(image, w[name].geometry())
        if outside < 3:
            problems.append(f"{name} border {outside:.2f}:1 against the window")
    hint = w["hint"].geometry()
    if (ratio := text_contrast(image, hint)) < 4.5:
        problems.append(f"help text {ratio:.2f}:1")
    empty = w["empty"].geometry().adjusted(4, 4, -4, -4)
    if (ratio := text_contrast(image, empty)) < 4.5:
        problems.append(f"placeholder text {ratio:.2f}:1")
    label = page.layout().labelForField(w["line"]).geometry()  # type: ignore[attr-defined]
    if (ratio := text_contrast(image, label)) < 4.5:
        problems.append(f"label text {ratio:.2f}:1")
    assert not problems, f"{scheme}: " + "; ".join(problems)


def test_a_checked_box_shows_its_check_mark(qtbot: QtBot, scheme: str) -> None:
    """The check mark inside the box stands out from the box's fill (3:1): "on" reads as on."""
    page, w = _form(qtbot)
    image = page.grab().toImage()
    box = _indicator(w["checked"], QStyle.SubElement.SE_CheckBoxIndicator).adjusted(3, 3, -3, -3)
    fill = pixel(image, box.topLeft())
    mark = max(contrast(pixel(image, QPoint(x, y)), fill)
               for y in range(box.top(), box.bottom() + 1) for x in range(box.left(), box.right() + 1))
    assert mark >= 3, f"{scheme}: check mark {mark:.2f}:1"

"""Shipped resources resolve inside the package and every icon is a valid image."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QIcon, QImage
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

from payapp.resources import CARD_BRANDS, PAYMENT_STATES, RESOURCES, brand_icon_path, resource, state_icon_path


def test_resources_live_inside_the_package() -> None:
    assert RESOURCES.parent.name == "payapp"          # travels with `pip install .` and the bundle
    assert resource("icons/app.svg").is_file()
    with pytest.raises(FileNotFoundError):
        resource("icons/nope.svg")


def test_every_svg_icon_renders(qapp: QApplication) -> None:
    svgs = sorted(RESOURCES.glob("icons/**/*.svg"))
    assert len(svgs) >= 1 + len(CARD_BRANDS) + len(PAYMENT_STATES)
    for svg in svgs:
        assert QSvgRenderer(str(svg)).isValid(), svg.name


def test_app_icon_in_every_platform_format(qapp: QApplication) -> None:
    png = QImage(str(resource("icons/app-256.png")))
    assert (png.width(), png.height()) == (256, 256)
    assert resource("icons/app.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"     # ICO header
    assert resource("icons/app.icns").read_bytes()[:4] == b"icns"
    assert not QIcon(str(resource("icons/app-256.png"))).isNull()


@pytest.mark.parametrize(("brand", "file"), [("Visa", "visa"), ("American Express", "amex"), ("MC", "mastercard"),
                                             ("Diners Club", "diners"), ("checking", "bank"), ("ACH", "bank"),
                                             ("UnionPay", "card")])
def test_brand_badges(brand: str, file: str) -> None:
    assert brand_icon_path(brand).name == f"{file}.svg"
    assert brand_icon_path(brand).is_file()


def test_every_payment_state_has_a_badge() -> None:
    from payapp.domain.payment_state import PaymentStatus

    for status in PaymentStatus:
        assert state_icon_path(status.value).name == f"{status.value}.svg"
        assert state_icon_path(status.value).is_file()
    assert state_icon_path("something new").name == "unknown.svg"

"""Render the app icon (payapp/resources/icons/app.svg) to PNG, .ico (Windows) and .icns (macOS).

Run after editing app.svg: `.venv/bin/python tools/make_icons.py` (needs Pillow: `pip install .[build]`).
The outputs are committed, so building the app does not need Pillow. `--sheet FILE` also writes a contact
sheet of every icon (to look at them)."""

from __future__ import annotations

import argparse
import io
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent.parent / "payapp" / "resources" / "icons"


def render(svg: Path, width: int, height: int | None = None, background: QColor | None = None) -> QImage:
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"invalid SVG: {svg}")
    image = QImage(width, height or width, QImage.Format.Format_ARGB32)
    image.fill(background or Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, width, height or width))
    painter.end()
    return image


def to_pil(image: QImage) -> Image.Image:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return Image.open(io.BytesIO(bytes(data.data()))).convert("RGBA")


def make_app_icons() -> list[Path]:
    svg = ICONS / "app.svg"
    big = to_pil(render(svg, 1024))
    out = []
    png = ICONS / "app-256.png"
    big.resize((256, 256), Image.Resampling.LANCZOS).save(png)
    out.append(png)
    ico = ICONS / "app.ico"
    big.save(ico, format="ICO", sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])
    out.append(ico)
    icns = ICONS / "app.icns"
    big.save(icns, format="ICNS")
    out.append(icns)
    return out


def contact_sheet(path: Path) -> None:
    files = [ICONS / "app.svg", *sorted((ICONS / "brands").glob("*.svg")), *sorted((ICONS / "states").glob("*.svg"))]
    cell = 110
    sheet = QImage(cell * 6, cell * ((len(files) + 5) // 6), QImage.Format.Format_ARGB32)
    sheet.fill(QColor("#f0f0f0"))
    painter = QPainter(sheet)
    for i, f in enumerate(files):
        x, y = (i % 6) * cell, (i // 6) * cell
        w, h = (96, 64) if f.parent.name == "brands" else (64, 64) if f.parent.name == "states" else (96, 96)
        painter.drawImage(x + 5, y + 5, render(f, w, h))
        painter.drawText(x + 5, y + cell - 6, f.stem)
    painter.end()
    sheet.save(str(path))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sheet", type=Path, help="also write a contact sheet PNG of every icon")
    args = parser.parse_args()
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    for path in make_app_icons():
        print(f"{path.relative_to(ICONS.parent.parent.parent)}: {path.stat().st_size} bytes")
    if args.sheet:
        contact_sheet(args.sheet)
        print(args.sheet)
    return 0


if __name__ == "__main__":
    sys.exit(main())

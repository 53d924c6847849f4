"""Rendering every tab and dialog of the main window to images, in the light and the dark palette (used by the
`payapp screenshots DIR` command, payapp/screenshots.py, and by `payapp --smoke-test`).

Screens take part by protocol, so each screen's owner keeps its own list:
- a tab may define `async def wait_ready(self) -> None` (data loaded, first page painted);
- a tab may define `async def screenshot_states(self) -> list[tuple[str, QWidget]]`, opening its dialogs
  (never with exec) and returning the widgets to grab; they are closed after grabbing."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QWidget

SCHEMES = ("light", "dark")


async def _settle(widget: QWidget) -> None:
    ready = getattr(widget, "wait_ready", None)
    if ready is not None:
        await asyncio.wait_for(ready(), 20)
    # Yield to the running qasync loop, which processes the pending Qt events (layouts, paints) meanwhile.
    # processEvents() here would re-enter that loop from inside one of its own callbacks.
    for _ in range(5):
        await asyncio.sleep(0.02)


async def render_window_tabs(window: Any) -> list[tuple[str, QImage]]:
    """Grab every tab of the main window; used by the smoke test and the screenshot command."""
    shots = []
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        tab = window.tabs.widget(index)
        await _settle(tab)
        shots.append((tab.objectName(), window.grab().toImage()))
    return shots


def _is_blank(image: QImage) -> bool:
    if image.isNull() or image.width() < 10 or image.height() < 10:
        return True
    first = image.pixel(0, 0)
    step_x, step_y = max(1, image.width() // 40), max(1, image.height() // 40)
    return all(image.pixel(x, y) == first for x in range(0, image.width(), step_x)
               for y in range(0, image.height(), step_y))


async def render_all(window: Any, out_dir: Path, *, schemes: tuple[str, ...] = SCHEMES) -> list[Path]:
    from payapp.ui.about_dialog import AboutDialog
    from payapp.ui.theme import apply_palette

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def save(name: str, image: QImage) -> None:
        path = out_dir / f"{name}.png"
        if _is_blank(image):
            raise RuntimeError(f"{name} rendered blank")
        image.save(str(path))
        written.append(path)

    window.resize(1400, 860)
    for scheme in schemes:
        apply_palette(app, scheme)
        for name, image in await render_window_tabs(window):
            save(f"{scheme}-{name}", image)
        for index in range(window.tabs.count()):
            tab = window.tabs.widget(index)
            window.tabs.setCurrentIndex(index)
            states = getattr(tab, "screenshot_states", None)
            if states is None:
                continue
            for name, widget in await states():
                await _settle(widget)
                save(f"{scheme}-{name}", widget.grab().toImage())
                widget.close()
        about = AboutDialog(window)
        about.show()
        await _settle(about)
        save(f"{scheme}-aboutDialog", about.grab().toImage())
        about.close()
    return written


"""`payapp screenshots DIR`: render every tab and dialog of the demo, offscreen, to PNG files, in the light
and the dark palette.

Screens take part by protocol, so each screen's owner keeps its own list:
- a tab may define `async def wait_ready(self) -> None` (data loaded, first page painted);
- a tab may define `async def screenshot_states(self) -> list[tuple[str, QWidget]]`, opening its dialogs
  (never with exec) and returning the widgets to grab; they are closed after grabbing."""

from __future__ import annotations

import asyncio
import os
import tempfile
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


def main(out_dir: Path, *, language: str = "") -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync

    from payapp.app import build_main_window
    from payapp.config import load_config
    from payapp.gui import collect_garbage_on_gui_thread, make_qapplication

    app = make_qapplication([])
    app.setQuitOnLastWindowClosed(False)   # closing dialogs and the window must not stop the loop early
    collect_garbage_on_gui_thread(app)     # as the app does: a worker's collection must never destroy a dialog
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory(prefix="payapp-shots-") as tmp:
        config = load_config(demo=True, data_dir=Path(tmp), language=language)
        from payapp.app import build_context
        from payapp.ui.i18n import babel_locale, install_translators

        ctx = build_context(config)
        ctx.services.locale = babel_locale(install_translators(app, config.language))  # type: ignore[arg-type]
        window = build_main_window(config, context=ctx)
        window.show()

        async def run() -> list[Path]:
            await window.context.start_background()
            try:
                return await render_all(window, out_dir)
            finally:
                window.close()
                await window.context.aclose()

        with loop:
            written = loop.run_until_complete(run())
    for path in written:
        print(path)
    print(f"{len(written)} screenshots in {out_dir}")
    return 0

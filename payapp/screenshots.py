"""`payapp screenshots DIR`: open the demo company offscreen and render every tab and dialog to PNG files, in
the light and the dark palette (the rendering itself is payapp/ui/screenshots.py)."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path


def main(out_dir: Path, *, language: str = "") -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync

    from payapp.app import build_context, build_main_window
    from payapp.config import load_config
    from payapp.gui import collect_garbage_on_gui_thread, make_qapplication
    from payapp.ui.i18n import babel_locale, install_translators
    from payapp.ui.screenshots import render_all

    app = make_qapplication([])
    app.setQuitOnLastWindowClosed(False)   # closing dialogs and the window must not stop the loop early
    collect_garbage_on_gui_thread(app)     # as the app does: a worker's collection must never destroy a dialog
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory(prefix="payapp-shots-") as tmp:
        config = load_config(demo=True, data_dir=Path(tmp), language=language)
        ctx = build_context(config)
        ctx.services.locale = babel_locale(install_translators(app, config.language))  # type: ignore[arg-type]
        window = build_main_window(ctx)
        window.show()

        async def run() -> list[Path]:
            await ctx.start_background()
            try:
                return await render_all(window, out_dir)
            finally:
                window.close()
                await ctx.aclose()

        with loop:
            written = loop.run_until_complete(run())
    for path in written:
        print(path)
    print(f"{len(written)} screenshots in {out_dir}")
    return 0

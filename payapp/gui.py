"""Start Qt with a qasync event loop and show the main window."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from typing import Any

from payapp import APP_NAME, ORG_NAME
from payapp.config import AppConfig, setup_logging

log = logging.getLogger(__name__)


def make_qapplication(argv: list[str] | None = None) -> object:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    app.setApplicationDisplayName(APP_NAME)
    from PySide6.QtGui import QIcon

    from payapp.resources import RESOURCES

    # PNG, not the SVG: the window icon needs no image-format plugin and costs nothing at start-up.
    app.setWindowIcon(QIcon(str(RESOURCES / "icons" / "app-256.png")))  # type: ignore[union-attr]
    return app


def run_gui(config: AppConfig, *, smoke_test: bool = False) -> int:
    import qasync
    from PySide6.QtWidgets import QApplication

    from payapp.app import build_main_window
    from payapp.ui.error_dialog import install_excepthook
    from payapp.ui.theme import apply_palette
    from payapp.ui.window_state import WindowState

    app = make_qapplication()
    assert isinstance(app, QApplication)
    # main() below owns shutdown (close → ctx.aclose() → return). Qt quitting on its own when the window closes
    # stopped the loop before that cleanup ran ("Event loop stopped before Future completed", exit code 1).
    app.setQuitOnLastWindowClosed(False)
    setup_logging(config)
    install_excepthook()
    scheme = WindowState(config.settings_path).value("ui/scheme", "system")
    apply_palette(app, str(scheme))
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    from payapp.app import build_context
    from payapp.ui.i18n import babel_locale, install_translators, saved_language

    ctx = build_context(config)
    # Translators go in before any widget is made (tr() is looked up at construction).
    setting = "" if config.language else loop.run_until_complete(saved_language(ctx.services.settings))
    ctx.services.locale = babel_locale(install_translators(app, config.language, setting=setting))
    if not config.demo and not smoke_test and not loop.run_until_complete(_sign_in(ctx)):
        loop.run_until_complete(ctx.aclose())      # signed-in nobody: quit
        return 1
    window = build_main_window(config, context=ctx)
    window.apply_role(ctx.services.current_user.actor)
    if os.environ.get("PAYAPP_EXIT_AFTER_SHOWN") == "1":
        _exit_after_first_paint(window)
    window.show()
    closed = asyncio.Event()
    window.closing.connect(closed.set)
    app.aboutToQuit.connect(closed.set)

    async def main() -> int:
        await ctx.start_background()
        if smoke_test:
            from payapp.ui.screenshots import render_window_tabs

            shots = await render_window_tabs(window)
            blank = [name for name, image in shots if image.isNull()]
            print(f"smoke test: rendered {len(shots)} tabs" + (f", blank: {blank}" if blank else ""))
            window.close()
            await ctx.aclose()
            return 1 if blank else 0
        await closed.wait()
        await ctx.aclose()
        return 0

    with loop:
        code = loop.run_until_complete(main())
    _exit_now(code)
    return code


def _exit_now(code: int) -> None:
    """End the process here, after the app has closed cleanly (database and HTTP client closed, log flushed).

    Left to interpreter shutdown, PySide6 6.12 on Python 3.11 crashed in the final garbage collection
    ("Fatal Python error: bool_dealloc", exit 134) after a clean run, so the smoke test and every normal quit
    failed. Nothing is left to do at this point, so exit without that final collection. Tests never call run_gui."""
    import logging as _logging

    _logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _exit_after_first_paint(window: Any) -> None:
    """bench/startup.py's hook (PAYAPP_EXIT_AFTER_SHOWN=1): on the main window's first paint, print
    `PAYAPP_SHOWN <unix time>` and close the window, so the process start → window on screen time is measurable."""
    from PySide6.QtCore import QEvent, QObject

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and not getattr(self, "done", False):
                self.done = True
                print(f"PAYAPP_SHOWN {time.time():.6f}", flush=True)
                from PySide6.QtCore import QTimer

                QTimer.singleShot(0, window.close)
            return False

    window._first_paint_filter = FirstPaint(window)
    window.installEventFilter(window._first_paint_filter)


async def _sign_in(ctx: Any) -> bool:
    """The sign-in dialog (on the first start: the create-admin form), opened and awaited, never exec()."""
    from payapp.ui.sign_in import SignInDialog

    users = ctx.services.users
    if users is None:
        return True
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    quit_on_close = app.quitOnLastWindowClosed()
    app.setQuitOnLastWindowClosed(False)     # closing the dialog must not stop the loop awaiting it
    try:
        dialog = SignInDialog(users, first_admin=await users.needs_first_admin())
        actor = await dialog.result_actor()
        dialog.deleteLater()
    finally:
        app.setQuitOnLastWindowClosed(quit_on_close)
    return actor is not None

"""Start Qt with a qasync event loop and show the main window."""

from __future__ import annotations

import logging
import os
import sys
import time
from typing import TYPE_CHECKING, Any

from payapp import APP_NAME, ORG_NAME
from payapp.config import AppConfig, setup_logging

if TYPE_CHECKING:
    from payapp.app import AppContext

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
    """Show the window first, then open the company.

    The window (with a loading page in each tab) is painted before the heavy imports (SQLAlchemy, Alembic,
    httpx, qasync), the migrations and the demo data check, so the user sees PayApp at once; the tabs arrive
    when the database is open (bench/startup.py measures both moments)."""
    import gc

    # No automatic collection while the app starts: the ~600 modules and the start-up objects set off ~200 of
    # them (55-80 ms before the window is usable), none of which frees anything. Collection is handed to the
    # GUI thread's timer (collect_garbage_on_gui_thread) once the tabs are in, as before, and none can run in
    # a worker thread (aiosqlite's) meanwhile either.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    from PySide6.QtWidgets import QApplication

    skip_feature_scan()            # before PayApp's own UI modules too (~70 modules were read before the paint)
    from payapp.ui.i18n import install_translators
    from payapp.ui.main_window import MainWindow
    from payapp.ui.theme import apply_palette
    from payapp.ui.window_state import WindowState

    app = make_qapplication()
    assert isinstance(app, QApplication)
    # main() below owns shutdown (close → ctx.aclose() → return). Qt quitting on its own when the window closes
    # stopped the loop before that cleanup ran ("Event loop stopped before Future completed", exit code 1).
    app.setQuitOnLastWindowClosed(False)
    state = WindowState(config.settings_path)
    scheme = str(state.value("ui/scheme", "system"))
    apply_palette(app, scheme, before_first_paint=True)
    # The "ui.language" setting lives in the company database, which is not open yet: use this workstation's
    # copy of it from the last start (translators must be in before any widget is made: tr() runs then).
    remembered = "" if config.language else str(state.value("ui/language", "") or "")
    language = install_translators(app, config.language, setting=remembered)
    window = MainWindow.loading(state, demo=config.demo)
    if os.environ.get("PAYAPP_EXIT_AFTER_SHOWN") == "1":
        _report_first_paint(window)
    window.show()
    app.processEvents()                        # paint the window now, before the slow part below
    apply_palette(app, scheme)                 # the style and the exact OS scheme (see apply_palette)

    import asyncio

    import qasync

    # httpx imports its command-line client when click, rich and pygments are installed (a development set-up:
    # import-linter brings rich): ~100 ms of start-up for nothing. Without them (an installed PayApp) httpx
    # skips it the same way; its `httpx` command is not used in this process.
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
    from payapp.app import build_context, company_name, open_company
    from payapp.ui.error_dialog import install_excepthook
    from payapp.ui.i18n import babel_locale, resolve_language, saved_language

    setup_logging(config)
    install_excepthook()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    ctx = build_context(config)
    setting = "" if config.language else loop.run_until_complete(saved_language(ctx.services.settings))
    if not config.language:
        state.set_value("ui/language", setting)
    if resolve_language(config.language, setting) != language:      # the setting changed since the last start
        language = install_translators(app, config.language, setting=setting)
    ctx.services.locale = babel_locale(language)
    if not config.demo and not smoke_test and not loop.run_until_complete(_sign_in(ctx)):
        window.hide()
        loop.run_until_complete(ctx.aclose())      # signed-in nobody: quit
        if gc_was_enabled:
            gc.enable()
        return 1
    # Only the tab on screen is made before the window is usable; the others follow right after its first
    # paint (build_pending_tabs), the company's name from QuickBooks when it is read, and the one-off garbage
    # collection that freezes the start-up objects once the user has the window (it walks ~300,000 objects).
    open_company(window, ctx, state, current_only=not smoke_test)
    connect_sign_out(window, ctx, state)
    # Never collected (gc.disable above), everything made so far is in the youngest generation, and the first
    # collection would walk it all (~50 ms) just after the window became usable: move it to the oldest one
    # instead (freeze + unfreeze is that move, no walk), where freeze_startup_objects' full collection finds it.
    gc.freeze()
    gc.unfreeze()
    from PySide6.QtCore import QTimer

    if smoke_test:
        freeze_startup_objects()
    else:
        QTimer.singleShot(FREEZE_AFTER_MS, freeze_startup_objects)
    collect_garbage_on_gui_thread(app)
    if os.environ.get("PAYAPP_EXIT_AFTER_SHOWN") == "1":
        _report_ready(window)
    painted = asyncio.Event()            # the window with its current tab is on screen and usable

    def after_first_paint() -> None:
        painted.set()
        window.build_pending_tabs()

    QTimer.singleShot(0, after_first_paint)
    name_task = asyncio.ensure_future(company_name(ctx.services))
    name_task.add_done_callback(lambda t: t.cancelled() or t.exception() or window.set_company(t.result()))
    closed = asyncio.Event()
    window.closing.connect(closed.set)
    app.aboutToQuit.connect(closed.set)

    async def main() -> int:
        if not smoke_test:
            await painted.wait()        # the demo's sandboxes and the payment checks start after the first paint
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
    dispose_windows(app)
    return code


def dispose_windows(app: Any) -> None:
    """Delete every window while Python is still whole. Left to PySide's clean-up at interpreter exit, a window
    still shown is closed during finalization; its hide calls the Python `hideEvent`/`showEvent` overrides of
    the widgets in it, and Shiboken, reporting the error that call meets, crashes the process (SIGSEGV in
    `PepException_GetArgs` under `Py_FinalizeEx`, found by bench/soak.py)."""
    from PySide6.QtCore import QEvent

    for widget in app.topLevelWidgets():
        widget.deleteLater()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


def skip_feature_scan() -> None:
    """Spare every module imported after PySide6 a read of its whole source file.

    PySide6's `__feature__` support (snake_case, true_property) looks at each newly imported module once to see
    whether it mentions PySide6, by reading its source with inspect.getsource: for the ~500 modules of
    SQLAlchemy, httpx, alembic and PayApp's services imported after the first paint that was 0.15-0.4 s of
    start-up. PayApp uses no `from __feature__ import`, so every module can be marked "ignored" (-1, what a
    module without PySide6 gets) without reading it. Only where this PySide6 has that hook (6.x); a no-op
    elsewhere."""
    feature = sys.modules.get("shibokensupport.feature") or sys.modules.get("PySide6.support.feature")
    if feature is not None and callable(getattr(feature, "_mod_uses_pyside", None)) \
            and isinstance(getattr(feature, "pyside_feature_dict", None), dict):
        feature._mod_uses_pyside = lambda _module: False


def freeze_startup_objects() -> None:
    """Move everything alive after start-up (Qt wrappers, SQLAlchemy, Babel, the tabs: several hundred
    thousand objects) out of the garbage collector's sight.

    A full collection walks every tracked object while holding the GIL, and one comes due every time enough
    new objects survive (an export of 100,000 payments triggers dozens): each stalled the GUI for 35-150 ms.
    These objects live as long as the app, so collecting them never frees anything; frozen, a full collection
    walks only what was made since (bench/payment_search.py: longest GC pause 35 ms -> 2 ms)."""
    import gc

    gc.collect()
    gc.freeze()


#: When the start-up objects are frozen (freeze_startup_objects): after the window is usable, not before.
FREEZE_AFTER_MS = 1500

#: How often the GUI thread checks whether a garbage collection is due (a cheap look at gc.get_count()).
GC_CHECK_MS = 100


def collect_garbage_on_gui_thread(parent: Any) -> Any:
    """Turn automatic garbage collection off and collect on the GUI thread instead, from a timer owned by
    `parent`, with the collector's own thresholds. Returns the timer.

    Python collects in whichever thread crosses a threshold, and the worker threads allocate the most (the
    read lane builds every page's rows, aiosqlite and the sync's writer theirs). A collection there destroys
    unreachable Qt objects (a closed dialog in a reference cycle) off the GUI thread, which Qt forbids:
    "QObject::~QObject: Timers cannot be stopped from another thread", then a crash. The sync service
    already stops collection while its writer runs and leaves it alone when the app has turned it off."""
    import gc

    from PySide6.QtCore import QTimer

    gc.disable()
    timer = QTimer(parent)
    timer.setObjectName("payappGarbageCollector")
    timer.setInterval(GC_CHECK_MS)
    timer.timeout.connect(_collect_if_due)
    timer.start()
    return timer


def _collect_if_due() -> None:
    import gc

    counts, thresholds = gc.get_count(), gc.get_threshold()
    if counts[0] < thresholds[0]:
        return
    generation = 0
    for older in (1, 2):            # as the automatic collector: an older generation when its count is due
        if counts[older] > thresholds[older]:
            generation = older
    gc.collect(generation)


def _report_first_paint(window: Any) -> None:
    """bench/startup.py's hook (PAYAPP_EXIT_AFTER_SHOWN=1): on the main window's first paint, print
    `PAYAPP_SHOWN <unix time>`, so the process start → window on screen time is measurable."""
    from PySide6.QtCore import QEvent, QObject

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and not getattr(self, "done", False):
                self.done = True
                print(f"PAYAPP_SHOWN {time.time():.6f}", flush=True)
            return False

    window._first_paint_filter = FirstPaint(window)
    window.installEventFilter(window._first_paint_filter)


def _report_ready(window: Any) -> None:
    """The second half of the hook: once the real tabs are in and Qt has painted them, print
    `PAYAPP_READY <unix time>` and close the window (which ends the app normally)."""
    from PySide6.QtCore import QTimer

    def ready() -> None:
        window.repaint()
        print(f"PAYAPP_READY {time.time():.6f}", flush=True)
        window.close()

    QTimer.singleShot(0, ready)


def connect_sign_out(window: Any, ctx: AppContext, state: Any) -> None:
    """File › Sign out: back to the sign-in dialog, then the tabs again for whoever signs in."""
    import asyncio

    tasks: set[asyncio.Task[bool]] = set()

    def requested() -> None:
        task = asyncio.ensure_future(sign_out_and_in(window, ctx, state))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    window.sign_out_requested.connect(requested)


async def sign_out_and_in(window: Any, ctx: AppContext, state: Any) -> bool:
    """Sign the user out (their tabs and open windows go), show the sign-in dialog over the window (the demo's
    lists its three users), and build the tabs for the one who signs in: what their role may not do is hidden
    or greyed as at start-up. Quit in the dialog closes the app. True when someone signed in."""
    from payapp.app import company_name, open_company
    from payapp.services.users import DEMO_USERS

    users = ctx.services.users
    users.sign_out()
    window.show_signed_out()
    actor = await _sign_in_dialog(ctx, window, demo_users=DEMO_USERS if ctx.config.demo else ())
    if actor is None:
        window.close()
        return False
    open_company(window, ctx, state)
    window.set_company(await company_name(ctx.services))
    return True


async def _sign_in_dialog(ctx: AppContext, parent: Any = None, *, demo_users: Any = ()) -> Any:
    """The sign-in dialog (on the first start: the create-admin form), opened and awaited, never exec();
    the actor who signed in, or None."""
    from PySide6.QtWidgets import QApplication

    from payapp.ui.sign_in import SignInDialog

    users = ctx.services.users
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    quit_on_close = app.quitOnLastWindowClosed()
    app.setQuitOnLastWindowClosed(False)     # closing the dialog must not stop the loop awaiting it
    try:
        dialog = SignInDialog(users, first_admin=await users.needs_first_admin(), parent=parent,
                              demo_users=demo_users)
        actor = await dialog.result_actor()
        dialog.deleteLater()
    finally:
        app.setQuitOnLastWindowClosed(quit_on_close)
    return actor


async def _sign_in(ctx: AppContext) -> bool:
    """The sign-in dialog at start-up (not in the demo, which starts signed in as its admin)."""
    return await _sign_in_dialog(ctx) is not None

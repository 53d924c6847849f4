"""Soak: the demo's main window, every tab and dialog, driven by random user actions, with the garbage collector
forced often (issue #15: PySide6 6.12.0 aborted the app in "bool_dealloc" / "none_dealloc").

    .venv/bin/python bench/soak.py [--minutes 10] [--actions N] [--seed S]

Actions: switching tabs; clicking grid cells, double-clicking rows, sorting by a header, scrolling, keys in a grid;
typing (card numbers, amounts, dates, names, junk) into any field; combo boxes, check boxes and radio buttons;
menu and context-menu actions; opening and closing invoices, payment windows, payment details, refund and
approval dialogs, Admin pages, About; demo card payments; "Sync now"; the light/dark switch. Every input goes
through Qt's event queue (as a user's does), so a dialog that runs its own event loop does not block the soak;
a modal left open is closed by a later action (Esc), and windows are closed again when more than a few are open.
gc.collect() runs after every few actions, on the GUI thread, as PayApp's collector does.

The soak runs in a child process (`--child`), so a fatal error (an abort in a C extension, a segfault) is counted
as a crash with its exit status and the last lines of its error output, and a new child goes on for the time
left. Prints JSON: actions, minutes, crashes, qt_warnings (Qt warnings, criticals and fatals except the offscreen
platform's "propagateSizeHints" note), and details: the children's exit codes, the Qt warnings seen, exceptions
raised by the app's tasks or logged as errors."""

from __future__ import annotations

import argparse
import asyncio
import gc
import inspect
import json
import logging
import os
import random
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULT = "SOAK_RESULT "
PROGRESS = "SOAK_PROGRESS "
# The offscreen platform's notes that it lacks a window system's features (not warnings about PayApp).
IGNORED_QT = ("This plugin does not support propagateSizeHints", "This plugin does not support grabbing the",
              "This plugin does not support raise()")
# Buttons and menu items a soak must not press: they end the session or the app, or destroy the demo's keys.
NEVER_PRESS = ("quit", "exit", "sign out", "log out", "replace", "delete", "remove", "disconnect", "reset",
               "close window", "print", "clearkeys", "clear keys")
TEXTS = ("4111 1111 1111 1111", "4111111111111112", "12/29", "01/20", "123", "12", "78701", "123123123",
         "Anna Baker", "Acme", "10.00", "0.01", "-5", "1,000,000.00", "abc", "ä€ß", "2026-02-30", "' OR 1=1 --",
         "x" * 200, " ", "\t", "9" * 30)
KEYS = ("Down", "Up", "PageDown", "PageUp", "Home", "End", "Tab", "Backtab", "Escape", "Return", "Space", "A",
        "1", "Delete", "Backspace", "Menu")
MAX_WINDOWS = 6             # top-level windows open besides the main window before the soak closes some


# ------------------------------------------------------------------ parent: runs children, counts their crashes


def run_parent(args: argparse.Namespace) -> dict[str, Any]:
    started = time.monotonic()
    budget_s = args.minutes * 60
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    total: dict[str, Any] = {"actions": 0, "minutes": 0.0, "crashes": 0, "qt_warnings": 0, "seed": seed,
                             "children": [], "qt_warning_texts": [], "app_errors": 0, "app_error_texts": [],
                             "gc_collections": 0}
    child_no = 0
    while True:
        left_s = budget_s - (time.monotonic() - started)
        left_actions = args.actions - total["actions"] if args.actions else 0
        if left_s <= 1 or (args.actions and left_actions <= 0):
            break
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "--seconds", f"{left_s:.1f}",
               "--seed", str(seed + child_no)]
        if args.actions:
            cmd += ["--actions", str(left_actions)]
        if args.abort_after:
            cmd += ["--abort-after", str(args.abort_after)]
        child_no += 1
        total["children"].append(_run_child(cmd, left_s, total))
        if total["children"][-1]["actions"] == 0 and total["children"][-1]["exit"] != 0:
            break                               # it cannot even start: trying again would only repeat that
    total["minutes"] = round((time.monotonic() - started) / 60, 2)
    return total


def _run_child(cmd: list[str], left_s: float, total: dict[str, Any]) -> dict[str, Any]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.pop("PAYAPP_DATABASE_URL", None)
    with tempfile.TemporaryDirectory(prefix="payapp-soak-") as tmp:
        env.update(PAYAPP_DATA_DIR=str(Path(tmp) / "data"), PAYAPP_LOG_DIR=str(Path(tmp) / "log"),
                   PYTHONFAULTHANDLER="1")
        err_path = Path(tmp) / "stderr.txt"
        with err_path.open("w+") as err:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True, env=env, cwd=ROOT)
            assert proc.stdout is not None
            progress, result = 0, None
            hung = False
            deadline = time.monotonic() + left_s + 120      # start-up, the last action and shutdown
            for line in proc.stdout:
                if line.startswith(PROGRESS):
                    progress = int(line[len(PROGRESS):])
                elif line.startswith(RESULT):
                    result = json.loads(line[len(RESULT):])
                if time.monotonic() > deadline:
                    hung = True
                    break
            try:
                code = proc.wait(timeout=max(5.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                hung = True
            if hung:
                proc.kill()
                code = proc.wait()
            err.seek(0)
            stderr = err.read()
            tail = _crash_lines(stderr)
            # Python exceptions raised in Qt's calls into Python (slots, overrides): PySide6 prints them
            slot_errors = _slot_exceptions(stderr)
    crashed = hung or code != 0 or result is None
    child = {"exit": code, "signal": -code if code < 0 else None, "hung": hung,
             "actions": result["actions"] if result else progress}
    total["actions"] += child["actions"]
    total["app_errors"] += len(slot_errors)
    total["app_error_texts"] = sorted(set(total["app_error_texts"]) | set(slot_errors))[:30]
    if crashed:
        total["crashes"] += 1
        child["stderr_tail"] = tail
    if result:
        total["qt_warnings"] += result["qt_warnings"]
        total["app_errors"] += result["app_errors"]
        total["gc_collections"] += result["gc_collections"]
        for key in ("qt_warning_texts", "app_error_texts"):
            total[key] = sorted(set(total[key]) | set(result[key]))[:30]
        child["counts"] = result["counts"]
    return child


def _slot_exceptions(stderr: str) -> list[str]:
    """Each traceback's last line with the frame above it ("RuntimeError: ... at sync_status.py:120 ...")."""
    found: list[str] = []
    lines = stderr.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("Traceback (most recent call last)"):
            end = i + 1
            while end < len(lines) and lines[end].startswith(" "):
                end += 1
            frames = [ln.strip() for ln in lines[i + 1:end] if ln.strip().startswith("File ")]
            where = frames[-1].replace(str(ROOT) + "/", "") if frames else ""
            found.append(f"{lines[end] if end < len(lines) else '?'} ({where})"[:300])
    return found


def _crash_lines(stderr: str) -> list[str]:
    """The fatal error's own lines and the crashing thread's stack (faulthandler), not every thread's."""
    lines = [ln for ln in stderr.splitlines() if ln.strip() and not ln.startswith(IGNORED_QT)]
    keep = [ln for ln in lines if ln.startswith(("Fatal Python error", "Qt QtFatalMsg", "Qt QtCriticalMsg"))][:4]
    for i, line in enumerate(lines):
        if line.startswith("Current thread"):
            keep += lines[i:i + 10]
            break
    return keep or lines[-12:]


# ------------------------------------------------------------------ child: the app and the random user


class Soak:
    def __init__(self, app: Any, window: Any, rng: random.Random) -> None:
        self.app, self.window, self.rng = app, window, rng
        self.counts: Counter[str] = Counter()
        self.abort_after = 0
        self.app_errors: list[str] = []

    # -- what a user sees

    def windows(self) -> list[Any]:
        return [w for w in self.app.topLevelWidgets() if w.isVisible() and w is not self.window]

    def target(self) -> Any:
        """The window a user could act in: a modal one if open, else the main window or an open window."""
        modal = self.app.activeModalWidget()
        if modal is not None:
            return modal
        popup = self.app.activePopupWidget()
        if popup is not None:
            return popup
        others = self.windows()
        return self.rng.choice([self.window, *others]) if others and self.rng.random() < 0.6 else self.window

    def visible(self, root: Any, cls: type) -> list[Any]:
        import shiboken6

        return [w for w in root.findChildren(cls) if shiboken6.isValid(w) and w.isVisible() and w.isEnabled()
                and w.window() is root]

    @staticmethod
    def later(fn: Callable[[], Any]) -> None:
        """As a user's input: from Qt's event queue, never inside one of the app's asyncio task steps."""
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, fn)

    @staticmethod
    def allowed(text: str) -> bool:
        text = text.replace("&", "").lower()
        return not any(word in text for word in NEVER_PRESS)

    # -- actions

    async def switch_tab(self) -> None:
        tabs = self.window.tabs
        self.later(lambda: tabs.setCurrentIndex(self.rng.randrange(tabs.count())))

    async def grid(self) -> None:
        from PySide6.QtCore import QAbstractListModel, QModelIndex, QPoint, Qt
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QAbstractItemView

        views = self.visible(self.target(), QAbstractItemView)
        if not views:
            return
        view = self.rng.choice(views)
        model = view.model()
        root = QModelIndex()
        if model is None:
            return
        rows = model.rowCount(root)
        columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount(root)   # private there
        if rows == 0 or columns == 0:
            return
        index = model.index(self.rng.randrange(min(rows, 60)), self.rng.randrange(columns))
        kind = self.rng.choice(("click", "click", "double", "sort", "scroll", "key"))
        if kind == "sort" and hasattr(view, "horizontalHeader"):
            header = view.horizontalHeader()
            section = self.rng.randrange(header.count())
            x = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
            self.later(lambda: QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5)))
        elif kind == "scroll":
            bar = view.verticalScrollBar()
            self.later(lambda: bar.setValue(self.rng.randint(bar.minimum(), bar.maximum())))
        elif kind == "key":
            key = getattr(Qt.Key, f"Key_{self.rng.choice(KEYS)}")
            self.later(lambda: QTest.keyClick(view, key))
        else:
            point = view.visualRect(index).center()
            click = QTest.mouseDClick if kind == "double" else QTest.mouseClick
            self.later(lambda: click(view.viewport(), Qt.MouseButton.LeftButton, pos=point))
        self.counts[f"grid_{kind}"] += 1

    async def type_text(self) -> None:
        from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QTextEdit

        root = self.target()
        fields = [w for w in self.visible(root, QLineEdit) if not w.isReadOnly()]
        fields += [w for w in self.visible(root, QPlainTextEdit) + self.visible(root, QTextEdit)
                   if not w.isReadOnly()]
        if not fields:
            return
        field = self.rng.choice(fields)
        text = self.rng.choice(TEXTS)
        clear = self.rng.random() < 0.5

        def type_it() -> None:
            if clear and hasattr(field, "selectAll"):
                field.setFocus()
                field.selectAll()
            type_into(field, text)

        self.later(type_it)

    async def choose(self) -> None:
        from PySide6.QtWidgets import QAbstractButton, QCheckBox, QComboBox, QRadioButton

        root = self.target()
        combos = self.visible(root, QComboBox)
        toggles = [b for b in self.visible(root, QAbstractButton) if isinstance(b, QCheckBox | QRadioButton)
                   and self.allowed(b.text())]
        if combos and (not toggles or self.rng.random() < 0.5):
            combo = self.rng.choice(combos)
            if combo.count():
                self.later(lambda: combo.setCurrentIndex(self.rng.randrange(combo.count())))
        elif toggles:
            self.later(self.rng.choice(toggles).click)

    async def press_button(self) -> None:
        from PySide6.QtWidgets import QAbstractButton, QCheckBox, QRadioButton

        buttons = [b for b in self.visible(self.target(), QAbstractButton)
                   if not isinstance(b, QCheckBox | QRadioButton) and self.allowed(b.text())
                   and self.allowed(b.toolTip()) and self.allowed(b.objectName())]
        if buttons:
            button = self.rng.choice(buttons)
            self.counts["button:" + (button.objectName() or button.text().replace("&", "") or "?")[:30]] += 1
            self.later(button.click)

    async def key(self) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        widget = self.app.focusWidget() or self.target()
        key = getattr(Qt.Key, f"Key_{self.rng.choice(KEYS)}")
        self.later(lambda: QTest.keyClick(widget, key))

    async def menu(self) -> None:
        actions = [a for m in self.window.menuBar().actions() if m.menu() is not None for a in m.menu().actions()
                   if a.isEnabled() and not a.isSeparator() and a.menu() is None and self.allowed(a.text())]
        if actions:
            action = self.rng.choice(actions)
            self.counts["menu:" + action.text().replace("&", "")[:30]] += 1
            self.later(action.trigger)

    async def context_menu(self) -> None:
        tab = self.window.tabs.currentWidget()
        build = getattr(tab, "build_context_menu", None)
        table = getattr(tab, "table", None)
        if build is None or table is None or table.model() is None or table.model().rowCount() == 0:
            return
        index = table.model().index(self.rng.randrange(min(table.model().rowCount(), 40)), 0)
        table.setCurrentIndex(index)
        if inspect.signature(build).parameters:      # Invoice History builds the menu for a row
            row = tab.row_for(index)
            if row is None:
                return
            menu = build(row)
        else:                                         # Payment Search builds it for the current row
            menu = build()
        actions = [a for a in menu.actions() if a.isEnabled() and not a.isSeparator() and self.allowed(a.text())]
        menu.popup(table.viewport().mapToGlobal(table.visualRect(index).center()))
        await asyncio.sleep(0.02)
        if actions and self.rng.random() < 0.7:
            self.later(self.rng.choice(actions).trigger)
        self.later(menu.close)

    async def screens(self) -> None:
        """A tab's own dialogs, as `payapp screenshots` opens them (the invoice tab's include a demo payment)."""
        tab = self.window.tabs.widget(self.rng.randrange(self.window.tabs.count()))
        states = getattr(tab, "screenshot_states", None)
        if states is None:
            return
        self.window.tabs.setCurrentWidget(tab)
        try:
            widgets = await asyncio.wait_for(states(), 60)
        except TimeoutError:
            self.app_errors.append(f"{tab.objectName()}: screens timed out")
            return
        self.counts[f"screens:{tab.objectName()}"] += 1
        for _ in range(self.rng.randint(0, 6)):
            await self.rng.choice((self.type_text, self.choose, self.key))()
            await asyncio.sleep(0.01)
        for _name, widget in widgets:
            self.later(widget.close)

    async def payment(self) -> None:
        """A demo card payment on an open invoice through the payment window, as a user types it."""
        tab = self.window.tabs.widget(self.rng.randrange(self.window.tabs.count()))
        if not hasattr(tab, "_open_payment") or tab.model.rowCount() == 0:
            return
        row = tab.model.row_at(self.rng.randrange(min(tab.model.rowCount(), 40))) \
            if hasattr(tab.model, "row_at") else tab.row_for(tab.model.index(0, 0))
        if row is None or getattr(row, "balance_minor", 0) <= 0:
            return
        dialog = await tab._open_payment(row.id)
        if dialog is None:
            return
        from PySide6.QtWidgets import QMessageBox

        dialog.new_card_radio.click()
        await asyncio.sleep(0.02)
        year = time.gmtime().tm_year % 100 + 2
        for edit, text in ((dialog.card_number_edit, "4111111111111111"), (dialog.expiry_edit, f"10/{year:02d}"),
                           (dialog.cvv_edit, "123"), (dialog.first_name_edit, "Anna"),
                           (dialog.last_name_edit, "Baker"), (dialog.card_zip_edit, "78701")):
            if edit.isVisible() and edit.isEnabled():
                edit.clear()
                type_into(edit, text)
        self.later(dialog.pay_button.click)
        for _ in range(100):
            await asyncio.sleep(0.03)
            box = dialog.findChild(QMessageBox, "confirmBox") if _valid(dialog) else None
            if box is not None and box.isVisible():
                self.later(box.button(QMessageBox.StandardButton.Yes).click)
                self.counts["payment_confirmed"] += 1
                break
        for _ in range(200):
            await asyncio.sleep(0.03)
            if not _valid(dialog) or getattr(dialog, "result_", None) is not None:
                break
        if _valid(dialog):
            self.later(dialog.close)

    async def sync(self) -> None:
        from PySide6.QtWidgets import QWidget

        widgets = [w for w in self.window.findChildren(QWidget) if hasattr(w, "sync_button")]
        if widgets and widgets[0].sync_button.isVisible() and widgets[0].sync_button.isEnabled():
            self.later(widgets[0].sync_button.click)

    async def about(self) -> None:
        self.later(self.window.show_about)

    async def scheme(self) -> None:
        choice = self.rng.choice(("light", "dark"))
        self.later(lambda: self.window._set_scheme(choice))

    async def close_something(self) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        modal = self.app.activeModalWidget() or self.app.activePopupWidget()
        if modal is not None:
            self.later(lambda: QTest.keyClick(modal, Qt.Key.Key_Escape))
            return
        others = self.windows()
        if others:
            self.later(self.rng.choice(others).close)

    # -- the loop

    async def run(self, seconds: float, max_actions: int) -> int:
        weighted: list[tuple[Callable[[], Any], int]] = [
            (self.switch_tab, 6), (self.grid, 20), (self.type_text, 14), (self.choose, 8), (self.press_button, 10),
            (self.key, 8), (self.menu, 3), (self.context_menu, 4), (self.screens, 1), (self.payment, 2),
            (self.sync, 2), (self.about, 1), (self.scheme, 1), (self.close_something, 8)]
        actions, functions = [a for a, _ in weighted], [w for _, w in weighted]
        deadline = time.monotonic() + seconds
        done = 0
        while time.monotonic() < deadline and (not max_actions or done < max_actions):
            if len(self.windows()) > MAX_WINDOWS or (self.app.activeModalWidget() and self.rng.random() < 0.3):
                action = self.close_something
            else:
                action = self.rng.choices(actions, functions)[0]
            try:
                await action()
            except Exception as exc:   # the soak's own step failed (a widget gone meanwhile): note it, go on
                self.app_errors.append(f"soak {action.__name__}: {type(exc).__name__}: {exc}"[:300])
            self.counts[action.__name__] += 1
            done += 1
            await asyncio.sleep(self.rng.uniform(0.0, 0.03))
            if done % 10 == 0:
                gc.collect()
                self.counts["gc_collections"] += 1
            if done % 10 == 0:
                print(f"{PROGRESS}{done}", flush=True)
            if done == self.abort_after:
                os.abort()                      # tests/ui/test_soak.py: a fatal crash is counted, not fatal here
        return done


def type_into(widget: Any, text: str) -> None:
    """Key presses, as a keyboard sends them (QTest.keyClicks aborts the process on a character outside ASCII)."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    for char in text:
        if char.isascii():
            QTest.keyClicks(widget, char)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char))


def _valid(widget: Any) -> bool:
    import shiboken6

    return bool(shiboken6.isValid(widget))


def run_child(args: argparse.Namespace) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    from payapp.app import build_context, build_main_window
    from payapp.config import load_config
    from payapp.gui import collect_garbage_on_gui_thread, dispose_windows, freeze_startup_objects, make_qapplication
    from payapp.ui.i18n import babel_locale, install_translators
    from payapp.ui.theme import apply_palette

    qt_warnings: list[str] = []

    def on_qt_message(kind: QtMsgType, _context: Any, text: str) -> None:
        if kind != QtMsgType.QtDebugMsg and kind != QtMsgType.QtInfoMsg and not text.startswith(IGNORED_QT):
            qt_warnings.append(text[:300])
            print(f"Qt {kind.name}: {text}", file=sys.stderr, flush=True)   # a fatal one aborts right after

    qInstallMessageHandler(on_qt_message)
    app: Any = make_qapplication([])
    app.setQuitOnLastWindowClosed(False)
    collect_garbage_on_gui_thread(app)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    app_errors: list[str] = []

    def on_loop_error(_loop: Any, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if exc is None:
            app_errors.append(str(context.get("message"))[:300])
            return
        where = traceback.extract_tb(exc.__traceback__)[-3:]
        app_errors.append(f"{type(exc).__name__}: {exc} at "
                          + " < ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(where)))

    loop.set_exception_handler(on_loop_error)

    class Errors(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            text = f"log {record.name}: {record.getMessage()}"
            if record.exc_info and record.exc_info[1] is not None:
                exc = record.exc_info[1]
                frame = traceback.extract_tb(exc.__traceback__)[-1:] or [None]
                at = f" at {Path(frame[0].filename).name}:{frame[0].lineno}" if frame[0] else ""
                text += f": {type(exc).__name__}: {exc}{at}"
            app_errors.append(text[:300])

    logging.getLogger().addHandler(Errors(logging.ERROR))
    data_dir = Path(os.environ.get("PAYAPP_DATA_DIR") or tempfile.mkdtemp(prefix="payapp-soak-"))
    config = load_config(demo=True, data_dir=data_dir, language="en")
    ctx = build_context(config)
    ctx.services.locale = babel_locale(install_translators(app, config.language))
    window = build_main_window(ctx)
    window.resize(1280, 720)
    window.show()
    soak = Soak(app, window, random.Random(args.seed))
    soak.abort_after = args.abort_after

    async def main() -> int:
        await ctx.start_background()
        apply_palette(app, "light")
        freeze_startup_objects()
        try:
            return await soak.run(args.seconds, args.actions)
        finally:
            for other in soak.windows():
                other.close()
            window.close()
            await asyncio.sleep(0.1)
            await ctx.aclose()

    try:
        with loop:
            done = loop.run_until_complete(main())
    except Exception:
        traceback.print_exc()
        return 2
    dispose_windows(app)            # as the app does before exit (payapp/gui.py)
    result = {"actions": done, "qt_warnings": len(qt_warnings), "qt_warning_texts": sorted(set(qt_warnings)),
              "app_errors": len(app_errors + soak.app_errors),
              "app_error_texts": sorted(set(app_errors + soak.app_errors))[:30],
              "gc_collections": soak.counts["gc_collections"], "counts": dict(soak.counts.most_common(40))}
    print(RESULT + json.dumps(result), flush=True)
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="how long to soak (default 10)")
    parser.add_argument("--actions", type=int, default=0, help="stop after this many actions (0: no limit)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: a new one, printed)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.add_argument("--abort-after", type=int, default=0, help=argparse.SUPPRESS)   # the test of crash counting
    args = parser.parse_args()
    if args.child:
        raise SystemExit(run_child(args))
    print(json.dumps(run_parent(args), indent=2), flush=True)


if __name__ == "__main__":
    main()

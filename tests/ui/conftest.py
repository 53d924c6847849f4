"""UI fixtures: a fresh qasync loop per test, the whole demo app built against a temporary folder, and a real
(non-demo) company with an in-memory keyring and a signed-in first admin for the Admin tab tests."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import qasync
from keyring.backend import KeyringBackend
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from payapp.app import AppContext, build_context
from payapp.config import load_config
from payapp.gui import collect_garbage_on_gui_thread
from payapp.services.memory_keyring import MemoryKeyring
from payapp.ui.i18n import install_translators, remove_translators
from tests.conftest import TEST_ALLOWED_BACKENDS, note_leaked_tasks

T = TypeVar("T")

ADMIN_PASSWORD = "first admin password"


@pytest.fixture(autouse=True)
def english(qapp: QApplication) -> Iterator[None]:
    """English, as the app installs it at start-up: payapp_en.qm holds the plural forms ("1 invoice",
    "2 invoices"); without it Qt shows the source text "2 invoice(s)"."""
    install_translators(qapp, "en")
    yield
    remove_translators(qapp)


@pytest.fixture(autouse=True)
def garbage_collected_on_gui_thread(qapp: QApplication) -> Iterator[None]:
    """As in the app (payapp.gui): worker threads (the read lane building pages, asyncio.to_thread, the sync's
    writer) allocate the most and must never be the ones to run a collection that destroys a widget left in a
    reference cycle ("Timers cannot be stopped from another thread", then a crash). Every UI test, since any
    test's leftover window can be collected during the next one; the teardown collects on this thread."""
    timer = collect_garbage_on_gui_thread(qapp)
    yield
    timer.stop()
    timer.deleteLater()
    gc.enable()
    gc.collect()


@pytest.fixture(autouse=True)
def no_window_left_open(qapp: QApplication) -> Iterator[None]:
    """A window or dialog a test opened and left open fails it: in the app that is a window the user cannot
    close, or one that outlives the data it shows. (qtbot closes the widgets given to `qtbot.addWidget` first.)"""
    before = {id(w) for w in qapp.topLevelWidgets() if w.isVisible()}
    yield
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    left = [w for w in qapp.topLevelWidgets() if w.isVisible() and id(w) not in before]
    for widget in left:
        widget.close()
    if left:
        names = ", ".join(f"{type(w).__name__}({w.objectName()!r})" for w in left)
        pytest.fail(f"left open after the test: {names}", pytrace=False)


@pytest.fixture
def aloop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    """A qasync loop that counts as running for the whole test, as it does in the app.

    In the app the loop runs for the life of the window, so every Qt event that steps a task does so
    inside a running loop. A test drives the loop only inside `run(...)`; between calls, pytest-qt
    still processes Qt events (clicks, key presses, waits) that step tasks, and those tasks need
    `asyncio.get_running_loop()` to work (SQLAlchemy's AsyncSession closes itself through it)."""
    loop = qasync.QEventLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    asyncio.events._set_running_loop(loop)
    try:
        yield loop
    finally:
        _drain(loop)
        asyncio.events._set_running_loop(None)
        loop.close()
        asyncio.set_event_loop(None)


def _run_loop_until(loop: qasync.QEventLoop, future: asyncio.Future[T]) -> T:
    """qasync's own run_until_complete processes events once more after it has cleared the running
    loop; stepping a task there breaks it. Run the loop directly instead."""
    future.add_done_callback(lambda _: loop.stop())
    asyncio.events._set_running_loop(None)               # run_forever sets it itself
    try:
        loop.run_forever()
    finally:
        asyncio.events._set_running_loop(loop)
    if not future.done():
        raise RuntimeError("the event loop stopped before the awaited work finished")
    return future.result()


def _drain(loop: qasync.QEventLoop) -> None:
    """Cancel what the widgets left running and let it unwind, so open sessions close properly."""
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    if not pending:
        return
    note_leaked_tasks(pending)               # the leak check (tests/conftest.py) fails the test for them
    for task in pending:
        task.cancel()
    _run_loop_until(loop, asyncio.ensure_future(asyncio.wait(pending, timeout=10), loop=loop))


@pytest.fixture
def run(aloop: qasync.QEventLoop) -> Callable[[Awaitable[T]], T]:
    """Run a coroutine on the qasync loop (with a timeout) and return its result."""

    def _run(awaitable: Awaitable[T], timeout: float = 15) -> T:
        if aloop.is_running():
            raise RuntimeError("run() cannot be nested inside a running loop")
        future = asyncio.ensure_future(asyncio.wait_for(awaitable, timeout), loop=aloop)
        return _run_loop_until(aloop, future)

    return _run


@pytest.fixture
def demo_context(tmp_path: Path, run: Callable[[Awaitable[Any]], Any]) -> Iterator[AppContext]:
    """The demo company (SQLite file, in-process sandboxes, demo admin) in a temporary folder."""
    config = load_config(demo=True, data_dir=tmp_path / "app")
    ctx = build_context(config)
    yield ctx
    close_context(ctx, run)


def close_context(ctx: AppContext, run: Callable[[Awaitable[Any]], Any]) -> None:
    """Let the widgets' own tasks (a page load, a count) finish, then close the app context.

    Closing first would dispose of the engine under a query still running, and cancelling a task in the
    middle of opening a connection leaves an aiosqlite connection unclosed (a ResourceWarning that fails
    whichever later test happens to collect it)."""

    loop = asyncio.get_event_loop()
    widget_tasks = [t for t in asyncio.all_tasks(loop) if not t.done() and t not in ctx.background]

    async def settle() -> None:
        if widget_tasks:
            await asyncio.wait(widget_tasks, timeout=10)
        await ctx.aclose()

    run(settle(), timeout=30)


async def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    """Await until predicate() is true, letting the loop (and Qt) run."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)



def company_context(tmp_path: Path, backend: KeyringBackend, *, allow: tuple[str, ...] | None) -> AppContext:
    config = load_config(demo=False, data_dir=tmp_path / "company")
    return build_context(config, keyring_backend=backend, allow_backends=allow)


@pytest.fixture
def company_keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def company(tmp_path: Path, company_keyring: MemoryKeyring,
            run: Callable[[Awaitable[Any]], Any]) -> Iterator[AppContext]:
    """A fresh real company database (SQLite in tmp), nobody signed in yet."""
    ctx = company_context(tmp_path, company_keyring, allow=TEST_ALLOWED_BACKENDS)
    yield ctx
    close_context(ctx, run)


@pytest.fixture
def admin_company(company: AppContext, run: Callable[[Awaitable[Any]], Any]) -> AppContext:
    """The company with its first admin created and signed in."""
    assert company.services.users is not None
    run(company.services.users.create_first_admin("alice", ADMIN_PASSWORD, "Alice Admin"))
    return company

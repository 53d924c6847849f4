"""The asyncio work a widget starts, owned in one place.

A page that loads from a service on first show, reloads on demand and runs actions in the background used to
carry its own set of tasks, its own "loaded" event and a `shiboken6.isValid(self)` check after every await (the
user may close a window while a service call is on its way). `WidgetTasks` does that once: the tasks it starts
are cancelled when the widget is destroyed, so the code after an `await` inside them never runs against a
deleted widget.

    self.work = WidgetTasks(self, load=self.reload)
    def showEvent(self, event): super().showEvent(event); self.work.first_show()
    async def wait_ready(self): await self.work.wait_loaded()
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Callable, Coroutine
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from PySide6.QtCore import QObject

Load = Callable[[], Coroutine[Any, Any, None]]
P = ParamSpec("P")
R = TypeVar("R")


def _cancel(tasks: set[asyncio.Task[Any]]) -> None:
    for task in list(tasks):
        task.cancel()


class WidgetTasks:
    def __init__(self, widget: QObject, *, load: Load | None = None) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._load = load
        self._loaded = asyncio.Event()
        self._loading: asyncio.Task[None] | None = None
        tasks = self._tasks
        # a closure over the set, not a bound method: the connection must not depend on this object's lifetime
        widget.destroyed.connect(lambda *_args: _cancel(tasks))

    @property
    def busy(self) -> bool:
        """Is any task of this widget still running?"""
        return bool(self._tasks)

    @property
    def tasks(self) -> tuple[asyncio.Task[Any], ...]:
        """The tasks still running (to await them all, e.g. before a screenshot)."""
        return tuple(self._tasks)

    @property
    def loaded(self) -> bool:
        """Has a load finished (with data, or with its error shown)?"""
        return self._loaded.is_set()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run `coro` as a task of this widget (kept referenced until done, cancelled with the widget)."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def reload(self) -> asyncio.Task[None]:
        """(Re)load now; a load already on its way is the one returned."""
        assert self._load is not None, "WidgetTasks(load=...) was not given"
        if self._loading is not None and not self._loading.done():
            return self._loading
        load = self._load

        async def run() -> None:
            try:
                await load()
            finally:
                self._loaded.set()

        self._loading = self.spawn(run())
        return self._loading

    def first_show(self) -> None:
        """Call from showEvent: the first show starts the load."""
        if self._load is not None and not self._loaded.is_set() and self._loading is None:
            self.reload()

    async def wait_loaded(self) -> None:
        """Until the first load has finished (starting it if nobody has)."""
        if self._load is not None and not self._loaded.is_set() and self._loading is None:
            self.reload()
        await self._loaded.wait()

    def cancel_all(self) -> None:
        _cancel(self._tasks)


class HasWork(Protocol):
    work: WidgetTasks


W = TypeVar("W", bound=HasWork)


def widget_slot(method: Callable[Concatenate[W, P], Coroutine[Any, Any, R]]) -> Callable[..., asyncio.Task[R]]:
    """An async method usable as a Qt slot, run as a task of the widget's `self.work`: cancelled if the widget is
    destroyed while it awaits, so it needs no `shiboken6.isValid` check after its awaits. Arguments a signal sends
    beyond the method's own (`clicked`'s `checked`) are dropped. Returns the task (tests can await it)."""
    params = [p for p in inspect.signature(method).parameters.values()
              if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)][1:]
    takes = len(params)

    @functools.wraps(method)
    def start(self: W, *args: Any) -> asyncio.Task[R]:
        return self.work.spawn(method(self, *args[:takes]))  # type: ignore[arg-type]

    return start

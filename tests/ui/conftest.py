"""UI fixtures: a fresh qasync loop per test and the whole demo app built against a temporary folder."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import qasync
from PySide6.QtWidgets import QApplication

from payapp.app import AppContext, build_context
from payapp.config import load_config

T = TypeVar("T")


@pytest.fixture
def aloop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    loop = qasync.QEventLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    yield loop
    loop.close()
    asyncio.set_event_loop(None)


@pytest.fixture
def run(aloop: qasync.QEventLoop) -> Callable[[Awaitable[T]], T]:
    """Run a coroutine on the qasync loop (with a timeout) and return its result."""

    def _run(awaitable: Awaitable[T], timeout: float = 15) -> T:
        return aloop.run_until_complete(asyncio.wait_for(awaitable, timeout))

    return _run


@pytest.fixture
def demo_context(tmp_path: Path, run: Callable[[Awaitable[Any]], Any]) -> Iterator[AppContext]:
    """The demo company (SQLite file, in-process sandboxes, demo admin) in a temporary folder."""
    config = load_config(demo=True, data_dir=tmp_path / "app")
    ctx = build_context(config)
    yield ctx
    run(ctx.aclose())


async def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    """Await until predicate() is true, letting the loop (and Qt) run."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)

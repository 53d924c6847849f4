"""A window the user closes while it is still loading is left alone (found by bench/soak.py): the load that
finishes afterwards must not touch the deleted widgets ("RuntimeError: Internal C++ object already deleted"
from the task), and the tab must not keep or wire up the dead window."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from payapp.app import AppContext
from payapp.ui.invoices.invoice_history_tab import InvoiceHistoryTab
from payapp.ui.invoices.payment_dialog import PaymentDialog
from payapp.ui.window_state import WindowState
from tests.ui.conftest import wait_until

Run = Callable[..., Any]


@pytest.fixture
def tab(qtbot: QtBot, demo_context: AppContext, tmp_path: Path, run: Run) -> Iterator[InvoiceHistoryTab]:
    widget = InvoiceHistoryTab(demo_context.services, WindowState(tmp_path / "ui.ini"))
    qtbot.addWidget(widget)
    widget.show()
    run(widget.wait_ready())
    yield widget
    if shiboken6.isValid(widget):
        run(widget.wait_idle())
    if shiboken6.isValid(widget):
        widget.close()
        widget.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    gc.collect()


def _delete_now(widget: Any) -> None:
    widget.close()
    widget.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    assert not shiboken6.isValid(widget)


def _slow_status(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = ctx.services.settings
    real = settings.processing_status

    async def slow() -> Any:
        await asyncio.sleep(0.3)
        return await real()

    monkeypatch.setattr(settings, "processing_status", slow)


def test_an_invoice_window_closed_while_loading(tab: InvoiceHistoryTab, demo_context: AppContext, run: Run,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    row = tab.model.row_at(0)
    assert row is not None
    _slow_status(demo_context, monkeypatch)
    task = tab.open_invoice(row.id)
    view = tab.open_views[-1]
    run(asyncio.sleep(0.1))                   # the load is waiting for the processing status
    _delete_now(view)
    run(asyncio.wait_for(asyncio.shield(task), 10))          # no RuntimeError from the finished load
    assert view not in tab.open_views


def test_a_payment_window_closed_while_loading(tab: InvoiceHistoryTab, demo_context: AppContext, run: Run,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    row = next(r for i in range(tab.model.rowCount()) if (r := tab.model.row_at(i)) is not None and r.payable)
    _slow_status(demo_context, monkeypatch)
    task = tab.process_payment(row.id)
    run(wait_until(lambda: bool(tab.findChildren(PaymentDialog))))
    dialog = tab.findChildren(PaymentDialog)[0]
    _delete_now(dialog)
    assert run(asyncio.wait_for(asyncio.shield(task), 10)) is None       # nothing to show, no RuntimeError
    assert tab.open_payments == []

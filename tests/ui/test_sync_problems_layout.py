"""The Sync problems table in German and in the stretched pseudo-locale: every header label is shown whole,
the problem column takes the rest, a cell cut short says … and has its whole text as a tooltip, and the
selected problem is shown whole below the table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from payapp.domain.messages import msg
from payapp.domain.money import Money
from payapp.services.outbox import OutboxProblem
from payapp.ui.i18n import install_translators
from payapp.ui.sync_problems import PROBLEM, SUBJECT, WHAT, SyncProblemsDialog

NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
PROBLEMS = [
    OutboxProblem(1, "accounting.push_payment", msg("job_kind.push_payment"), 5,
                  "QuickBooks did not answer; PayApp will try again with the same request id.", NOW, NOW, 1, 1,
                  msg("outbox.subject_invoice_company_amount", invoice="2026-000123",
                      company="Acme Dental Group of Northern California", amount=Money(1_234_567, "USD"))),
    OutboxProblem(2, "accounting.reverse_returned", msg("job_kind.reverse_returned"), 1,
                  msg("outbox.returned_echeck_deposited"), NOW, NOW, 2, 2,
                  msg("outbox.subject_invoice_company_amount", invoice="2026-000124", company="Bäckerei Müller",
                      amount=Money(123_450, "EUR"))),
]


class _Outbox:
    async def problems(self) -> list[OutboxProblem]:
        return PROBLEMS


@pytest.mark.parametrize("language", ["de", "pseudo"])
def test_headers_fit_and_long_cells_are_elided_with_a_tooltip(
        qtbot: Any, qapp: QApplication, run: Callable[[Awaitable[Any]], Any], language: str) -> None:
    install_translators(qapp, language)
    try:
        dialog = SyncProblemsDialog(_Outbox())
        qtbot.addWidget(dialog)
        dialog.show()
        run(dialog.loaded.wait())
        table, header = dialog.table, dialog.table.horizontalHeader()
        last = table.columnCount() - 1
        assert header.stretchLastSection() and last == PROBLEM
        for col in range(table.columnCount()):
            label = table.horizontalHeaderItem(col).text()
            assert header.sectionSize(col) >= header.sectionSizeFromContents(col).width(), (
                f"header {label!r} is cut off: {header.sectionSize(col)} px < "
                f"{header.sectionSizeFromContents(col).width()} px")
        assert not table.wordWrap() and table.textElideMode() == Qt.TextElideMode.ElideRight
        for row in range(table.rowCount()):
            for col in range(table.columnCount()):
                item = table.item(row, col)
                assert item.toolTip() == item.text()
        if language == "de":
            assert table.horizontalHeaderItem(SUBJECT).text() == "Rechnung / Zahlung"
            assert table.item(1, SUBJECT).text().replace("\xa0", " ") == (
                "Rechnung 2026-000124 · Bäckerei Müller · 1.234,50 €")
        table.selectRow(1)
        assert dialog.details.isVisibleTo(dialog)
        assert table.item(1, WHAT).text() in dialog.details.text()
        assert table.item(1, PROBLEM).text() in dialog.details.text()
    finally:
        install_translators(qapp, "en")
